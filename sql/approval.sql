--
-- approval: rules, steps, levels, departments, decisions, segregation of
-- duties, credit, revise and resubmit, the queue.
--
\set test_db regress_approval
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
CREATE ROLE regress_finance NOLOGIN;
CREATE ROLE regress_director NOLOGIN;
CREATE ROLE regress_salesmgr NOLOGIN;
CREATE ROLE regress_rep_dan LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_fin_ann LOGIN IN ROLE salesorder_approver, regress_finance;
CREATE ROLE regress_fin_bob LOGIN IN ROLE salesorder_approver, regress_finance;
CREATE ROLE regress_dir_carl LOGIN IN ROLE salesorder_approver, regress_director;
CREATE ROLE regress_boss_eve LOGIN IN ROLE salesorder_approver, regress_finance, regress_director;
CREATE ROLE regress_mgr_fay LOGIN IN ROLE salesorder_approver, regress_salesmgr;

INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep) VALUES
	('APPR', 'Approval Test Ltd', 'North', 'smb', 5000, '5 Review Rd', 1, 'regress_rep_dan'),
	('GOV', 'City Council', 'North', 'government', 1000000, '1 Town Hall', 1, 'regress_rep_dan');
SELECT id AS appr FROM salesorder.customer WHERE code = 'APPR' \gset
SELECT id AS gov FROM salesorder.customer WHERE code = 'GOV' \gset

-- Rules are checked when they are written.
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
	VALUES ('x', 'amount_over', 1, 'finance', 'regress_nobody')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
	VALUES ('x', 'amount_over', 'finance', 'regress_finance')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
	VALUES ('x', 'segment', 'sales', 'regress_salesmgr')$$);
SELECT * FROM regress.try($$INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
	VALUES ('x', 'price_over', 1, 'finance', 'regress_finance')$$);

-- The rule set of the worked example: above 1,000 to finance, above 2,000
-- also to the director (level 2); discounts above 10 % to finance; credit,
-- special terms, backorders and the government segment to the sales manager.
INSERT INTO salesorder.approval_rule (name, kind, threshold, segment, department, approver_role, level, active) VALUES
	('large order', 'amount_over', 1000, NULL, 'finance', 'regress_finance', 1, false),
	('very large order', 'amount_over', 2000, NULL, 'director', 'regress_director', 2, false),
	('deep discount', 'discount_over', 10, NULL, 'finance', 'regress_finance', 1, false),
	('over credit', 'credit_exceeded', NULL, NULL, 'finance', 'regress_finance', 1, false),
	('special terms', 'special_terms', NULL, NULL, 'sales', 'regress_salesmgr', 1, false),
	('backorder', 'backorder', NULL, NULL, 'sales', 'regress_salesmgr', 1, false),
	('public sector', 'segment', NULL, 'government', 'sales', 'regress_salesmgr', 1, false);

CREATE FUNCTION regress.only_rules(VARIADIC names text[]) RETURNS void LANGUAGE sql AS $$
	UPDATE salesorder.approval_rule SET active = (name = ANY (names))
$$;
-- Create an order as the rep and show where it went and why.
CREATE FUNCTION regress.submit_as_rep(customer bigint, lines jsonb, options jsonb DEFAULT '{}')
RETURNS TABLE (status salesorder.order_status, steps text) LANGUAGE plpgsql AS $$
DECLARE o bigint;
BEGIN
	SET LOCAL ROLE regress_rep_dan;
	o := salesorder.create_order(customer, lines, options);
	RESET ROLE;
	PERFORM set_config('regress.last_order', o::text, false);
	RETURN QUERY SELECT so.status,
		(SELECT string_agg(format('L%s %s: %s', s.level, s.department, s.reason), '; ' ORDER BY s.level, s.id)
		 FROM salesorder.approval_step s WHERE s.order_id = o AND s.status = 'pending')
	FROM salesorder.sales_order so WHERE so.id = o;
END $$;
CREATE FUNCTION regress.last_order() RETURNS bigint LANGUAGE sql AS
$$ SELECT current_setting('regress.last_order')::bigint $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress TO PUBLIC;

-- amount_over: fires above the threshold, not at it.
SELECT regress.only_rules('large order');
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 100, "unit_price": 10}]');
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": 1000.01}]');

-- discount_over.
SELECT regress.only_rules('deep discount');
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 1, "discount_pct": 10}]');
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 1, "discount_pct": 10.01}]');

-- credit_exceeded: the open orders of the customer plus this one, against
-- the limit (5,000).  Open so far: the orders above.
SELECT regress.only_rules('over credit');
SELECT salesorder.credit_exposure(:appr) AS exposure \gset
SELECT :exposure AS exposure_before;
SELECT * FROM regress.submit_as_rep(:appr,
	format('[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": %s}]', 5000 - :exposure)::jsonb);
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": 0.01}]');
SELECT figures FROM salesorder.approval_step WHERE order_id = regress.last_order();
-- Shipped quantities leave the exposure; cancelled orders too.
SELECT id AS big FROM salesorder.sales_order
WHERE customer_id = :appr AND status = 'approved' ORDER BY total_amount DESC LIMIT 1 \gset
SELECT total_amount AS big_total FROM salesorder.sales_order WHERE id = :big;
SELECT salesorder.ship(:big, '[{"line_no": 1, "qty": 0.5}]');
SELECT salesorder.credit_exposure(:appr) AS exposure_after_half_shipped;
SELECT salesorder.cancel(regress.last_order(), 'credit');
SELECT salesorder.credit_exposure(:appr) AS exposure_after_cancel;

-- special_terms.
SELECT regress.only_rules('special terms');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"special_requirements": null}');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"special_requirements": "deliver after 6 pm"}');

-- backorder: only when something is backordered.
SELECT regress.only_rules('backorder');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"backorder": true}');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "TEE-BLK-M", "qty": 100000}]', '{"backorder": true}');
SELECT salesorder.cancel(regress.last_order(), 'test done');

-- segment.
SELECT regress.only_rules('public sector');
SELECT * FROM regress.submit_as_rep(:appr, '[{"sku": "TEE-BLK-M", "qty": 1}]');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "TEE-BLK-M", "qty": 1}]');

-- Two levels in sequence: finance, then the director.
SELECT regress.only_rules('large order', 'very large order');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 20}]');
SELECT regress.last_order() AS two \gset
-- The director's level is not open yet.
SET ROLE regress_dir_carl;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :two));
SET ROLE regress_fin_ann;
SELECT salesorder.approve(:two, 'margin is fine');
-- Level 1 done: one person does not approve two levels, even holding both roles.
RESET ROLE;
SET ROLE regress_fin_ann;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :two));
SET ROLE regress_dir_carl;
SELECT salesorder.approve(:two, 'ok');
RESET ROLE;
SELECT status FROM salesorder.sales_order WHERE id = :two;
SELECT round, level, department, status, decided_by, comment
FROM salesorder.approval_step WHERE order_id = :two ORDER BY level, id;
SELECT kind, from_status, to_status, changed_by, reason FROM salesorder.order_status_history
WHERE order_id = :two ORDER BY id;

-- The same person may not approve both levels.
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 20}]');
SELECT regress.last_order() AS both_levels \gset
SET ROLE regress_boss_eve;
SELECT salesorder.approve(:both_levels);
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :both_levels));
RESET ROLE;
SET ROLE regress_dir_carl;
SELECT salesorder.approve(:both_levels);
RESET ROLE;

-- Two departments in parallel at one level: both must approve.
SELECT regress.only_rules('large order', 'special terms');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 10}]',
	'{"special_requirements": "installation on site"}');
SELECT regress.last_order() AS par \gset
SET ROLE regress_mgr_fay;
SELECT salesorder.approve(:par);
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :par));
SET ROLE regress_fin_bob;
SELECT salesorder.approve(:par);
RESET ROLE;

-- Who may not decide: the creator, somebody without the role.
SELECT regress.only_rules('large order');
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 10}]');
SELECT regress.last_order() AS sod \gset
GRANT regress_finance, salesorder_approver TO regress_rep_dan;
SET ROLE regress_rep_dan;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :sod));
RESET ROLE;
SET ROLE regress_mgr_fay;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :sod));
SELECT * FROM regress.try(format('SELECT salesorder.reject(%s, %L)', :sod, 'no'));
RESET ROLE;
-- An administrator may relax segregation of duties.
SET salesorder.allow_self_approval = on;
SET ROLE regress_rep_dan;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :sod));
RESET ROLE;
RESET salesorder.allow_self_approval;
REVOKE regress_finance, salesorder_approver FROM regress_rep_dan;

-- Reject: a reason is required; the order is rejected, its stock released,
-- its open steps closed.
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 10}]');
SELECT regress.last_order() AS rej \gset
SELECT regress.stock(1, 3) AS stock_before_reject;
SET ROLE regress_fin_ann;
SELECT * FROM regress.try(format('SELECT salesorder.reject(%s, NULL)', :rej));
SELECT * FROM regress.try(format('SELECT salesorder.reject(%s, %L)', :rej, ''));
SELECT salesorder.reject(:rej, 'price too low for this volume');
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :rej));
RESET ROLE;
SELECT status, status_reason FROM salesorder.sales_order WHERE id = :rej;
SELECT * FROM regress.lines(:rej);
SELECT regress.stock(1, 3) AS stock_after_reject;
SELECT status, decided_by, comment FROM salesorder.approval_step WHERE order_id = :rej;

-- Revise and resubmit: a new round; the old steps stay for audit.
SET ROLE regress_rep_dan;
SELECT salesorder.revise(:rej);
UPDATE salesorder.order_line SET unit_price = 130 WHERE order_id = :rej;
SELECT salesorder.submit_order(:rej);
RESET ROLE;
SELECT round, status, decided_by, reason FROM salesorder.approval_step
WHERE order_id = :rej ORDER BY round, id;
SELECT * FROM regress.lines(:rej);
SET ROLE regress_fin_bob;
SELECT salesorder.approve(:rej, 'better');
RESET ROLE;

-- Credit hold blocks submission, also of a revised draft.
UPDATE salesorder.customer SET on_credit_hold = true WHERE id = :gov;
SELECT * FROM regress.try(format($$SELECT salesorder.create_order(%s, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$, :gov));
UPDATE salesorder.customer SET on_credit_hold = false WHERE id = :gov;

-- Cancelling an order under review closes its steps.
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 10}]');
SELECT regress.last_order() AS canc \gset
SELECT salesorder.cancel(:canc, 'customer withdrew');
SELECT status, comment FROM salesorder.approval_step WHERE order_id = :canc;

-- The reviewer's queue shows each open step the current user may decide,
-- with the credit position and the stock of every line.
SELECT * FROM regress.submit_as_rep(:gov, '[{"sku": "JKT-ALP-M", "qty": 9}, {"sku": "TEE-BLK-L", "qty": 20}]');
SELECT regress.last_order() AS q \gset
SET ROLE regress_fin_ann;
SELECT level, department, approver_role, reason, total_amount, credit_limit,
	   credit_exposure, jsonb_pretty(lines) AS lines
FROM salesorder.approval_queue WHERE order_id = :q;
RESET ROLE;
SET ROLE regress_mgr_fay;
SELECT count(*) AS fay_sees FROM salesorder.approval_queue WHERE order_id = :q;
RESET ROLE;

UPDATE salesorder.approval_rule SET active = false;
DROP OWNED BY regress_rep_dan, regress_fin_ann, regress_fin_bob, regress_dir_carl,
	regress_boss_eve, regress_mgr_fay;
DROP ROLE regress_rep_dan, regress_fin_ann, regress_fin_bob, regress_dir_carl,
	regress_boss_eve, regress_mgr_fay, regress_finance, regress_director,
	regress_salesmgr;

\i sql/include/leave_database.sql
