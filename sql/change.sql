--
-- change: change requests -- every change kind and its stock effect,
-- routing by kind, auto-approval, approval, rejection, stale revisions,
-- the revisions kept, errors that write nothing.
--
\set test_db regress_change
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
CREATE ROLE regress_cfin NOLOGIN;
CREATE ROLE regress_cprod NOLOGIN;
CREATE ROLE regress_clog NOLOGIN;
CREATE ROLE regress_ann LOGIN IN ROLE salesorder_approver, regress_cfin, regress_cprod, regress_clog;
CREATE ROLE regress_rep_kim LOGIN IN ROLE salesorder_sales;

INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep)
VALUES ('CHG', 'Change Corp', 'North', 'smb', 1000000, '1 Old Address', 1, 'regress_rep_kim');
SELECT id AS cust FROM salesorder.customer WHERE code = 'CHG' \gset
INSERT INTO salesorder.product (sku, name, category, list_price)
VALUES ('CHG-A', 'Widget A', 'widgets', 10), ('CHG-B', 'Widget B', 'widgets', 25),
	   ('CHG-C', 'Widget C', 'widgets', 100);
SELECT id AS pa FROM salesorder.product WHERE sku = 'CHG-A' \gset
SELECT id AS pb FROM salesorder.product WHERE sku = 'CHG-B' \gset
SELECT id AS pc FROM salesorder.product WHERE sku = 'CHG-C' \gset
SELECT p.sku, r.on_hand FROM salesorder.product p,
	LATERAL salesorder.receive_stock(1, p.id, CASE p.sku WHEN 'CHG-C' THEN 10 ELSE 100 END) r
WHERE p.sku LIKE 'CHG-%' ORDER BY p.sku;

CREATE FUNCTION regress.chg_order(lines jsonb, opts jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE o bigint;
BEGIN
	SET LOCAL ROLE regress_rep_kim;
	o := salesorder.create_order((SELECT id FROM salesorder.customer WHERE code = 'CHG'),
								 lines, opts || '{"promised_date": "2026-12-20"}');
	RESET ROLE;
	RETURN o;
END $$;
-- Request a change as the rep; show the request.
CREATE FUNCTION regress.change(o bigint, changes jsonb, reason text DEFAULT 'customer asked')
RETURNS TABLE (status text, kinds text[], amount_delta numeric, stock_delta jsonb, steps text)
LANGUAGE plpgsql AS $$
DECLARE c bigint;
BEGIN
	SET LOCAL ROLE regress_rep_kim;
	c := salesorder.request_change(o, changes, reason);
	RESET ROLE;
	PERFORM set_config('regress.last_change', c::text, false);
	RETURN QUERY SELECT cr.status, cr.kinds, (cr.effects ->> 'amount_delta')::numeric,
		cr.effects -> 'stock_delta',
		(SELECT string_agg(format('L%s %s: %s', s.level, s.department, s.reason), '; ' ORDER BY s.id)
		 FROM salesorder.approval_step s WHERE s.change_request_id = c)
	FROM salesorder.change_request cr WHERE cr.id = c;
END $$;
CREATE FUNCTION regress.last_change() RETURNS bigint LANGUAGE sql AS
$$ SELECT current_setting('regress.last_change')::bigint $$;
CREATE FUNCTION regress.order_state(o bigint) RETURNS TABLE (revision int, status text,
	total numeric, lines text) LANGUAGE sql AS $$
	SELECT so.revision, so.status::text, so.total_amount,
		(SELECT string_agg(format('%s:%s x%s r%s b%s s%s', l.line_no, p.sku, l.qty,
				l.reserved_qty, l.backorder_qty, l.shipped_qty), ', ' ORDER BY l.line_no)
		 FROM salesorder.order_line l JOIN salesorder.product p ON p.id = l.product_id
		 WHERE l.order_id = so.id)
	FROM salesorder.sales_order so WHERE so.id = o
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA regress TO PUBLIC;

SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 5}, {"sku": "CHG-B", "qty": 2}]') AS o \gset
SELECT * FROM regress.order_state(:o);

-- No change rule is active: every request is applied at once.
-- Raise a quantity: more is reserved.
SELECT * FROM regress.change(:o, '{"lines": [{"line_no": 1, "qty": 8}]}');
SELECT * FROM regress.order_state(:o);
SELECT regress.stock(1, :pa);
-- Lower it: the difference is released.
SELECT * FROM regress.change(:o, '{"lines": [{"line_no": 1, "qty": 3}]}');
SELECT * FROM regress.order_state(:o);
SELECT regress.stock(1, :pa);
-- Price and discount.
SELECT * FROM regress.change(:o, '{"lines": [{"line_no": 2, "unit_price": 20, "discount_pct": 10}]}');
SELECT * FROM regress.order_state(:o);
-- Add a line and remove one.
SELECT * FROM regress.change(:o, '{"add_lines": [{"sku": "CHG-C", "qty": 1, "note": "sample"}], "remove_lines": [2]}');
SELECT * FROM regress.order_state(:o);
SELECT regress.stock(1, :pb) AS b, regress.stock(1, :pc) AS c;
-- Dates, ship-to and special requirements.
SELECT * FROM regress.change(:o, '{"promised_date": "2026-12-27", "requested_date": "2026-12-24",
	"ship_to": "9 New Address", "special_requirements": "dock 4"}');
SELECT revision, promised_date, requested_date, ship_to, special_requirements
FROM salesorder.sales_order WHERE id = :o;
SELECT effects -> 'fields' AS fields, effects -> 'date_shift_days' AS shift
FROM salesorder.change_request WHERE id = regress.last_change();
-- A removed line's number is never reused.
SELECT * FROM regress.change(:o, '{"add_lines": [{"sku": "CHG-B", "qty": 1}]}');
SELECT * FROM regress.order_state(:o);

-- Every revision is kept and can be looked at.
SELECT r, (x ->> 'revision')::int AS revision, x #>> '{header,total_amount}' AS total,
	   (SELECT string_agg(format('%s:%s x%s', l ->> 'line_no', l ->> 'sku', l ->> 'qty'), ', ')
		FROM jsonb_array_elements(x -> 'lines') l) AS lines
FROM generate_series(1, 7) r, LATERAL (SELECT salesorder.order_at_revision(:o, r) AS x) s
ORDER BY r;
SELECT change_id - (SELECT min(id) FROM salesorder.change_request) + 1 AS n, status,
	   base_revision, applied_revision, kinds, reason, requested_by
FROM salesorder.order_changes WHERE order_id = :o ORDER BY change_id;
SELECT kind, reason FROM salesorder.order_status_history WHERE order_id = :o AND kind = 'change'
ORDER BY id LIMIT 2;
SELECT * FROM salesorder.verify_stock();

-- Bad requests: a clear error, and nothing written.
SELECT regress.fingerprint() AS before \gset
SELECT count(*) AS requests_before FROM salesorder.change_request \gset
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '[]', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"colour": "red"}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 1}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 99, "qty": 1}]}', 'x')$$, :o));
-- 2^32 + 1 is not line 1.
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 4294967297, "qty": 2}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"remove_lines": [4294967297]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 1, "qty": 0}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 1, "qty": 3}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 1, "qty": 4}, {"line_no": 1, "qty": 5}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"remove_lines": [1, 3, 4]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"remove_lines": [1], "lines": [{"line_no": 1, "qty": 2}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"add_lines": [{"sku": "NOPE", "qty": 1}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"add_lines": [{"sku": "CHG-A", "qty": 1000}]}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"promised_date": "soon"}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"promised_date": "-infinity"}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"requested_date": "2026-12-24T23:00:00.000Z"}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"ship_to": "9 New Address"}', 'x')$$, :o));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"ship_to": "x"}', NULL)$$, :o));
SELECT * FROM regress.try($$SELECT salesorder.request_change(NULL, '{"ship_to": "x"}', 'x')$$);
SELECT * FROM regress.try($$SELECT salesorder.request_change(999999, '{"ship_to": "x"}', 'x')$$);
SELECT regress.fingerprint() = :'before' AS nothing_written,
	   (SELECT count(*) FROM salesorder.change_request) = :requests_before AS no_request;

-- Not for drafts (edited directly) nor for closed orders.
SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 1}]', '{"draft": true}') AS dr \gset
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"ship_to": "x"}', 'x')$$, :dr));

-- Shipped quantities: a line cannot go below what shipped, a shipped line
-- cannot be removed; taking away the open rest completes the shipping.
SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 6}, {"sku": "CHG-B", "qty": 2}]') AS sh \gset
SELECT salesorder.ship(:sh, '[{"line_no": 1, "qty": 4}, {"line_no": 2, "qty": 2}]');
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"lines": [{"line_no": 1, "qty": 3}]}', 'x')$$, :sh));
SELECT * FROM regress.try(format($$SELECT salesorder.request_change(%s, '{"remove_lines": [2]}', 'x')$$, :sh));
SELECT * FROM regress.change(:sh, '{"lines": [{"line_no": 1, "qty": 4}]}');
SELECT * FROM regress.order_state(:sh);

-- Routing: amount changes to finance above 100; quantity changes on an
-- order in production to production; date shifts over 3 days and ship-to
-- changes to logistics.  Small changes are approved automatically.
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role) VALUES
	('big amount change', 'change_amount_over', 100, 'finance', 'regress_cfin'),
	('production change', 'change_qty', NULL, 'production', 'regress_cprod'),
	('delivery change', 'change_date', 3, 'logistics', 'regress_clog');
SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 10}, {"sku": "CHG-B", "qty": 10}]') AS r \gset
-- Small enough: applied at once.
SELECT * FROM regress.change(:r, '{"lines": [{"line_no": 1, "qty": 15}]}');
SELECT * FROM regress.change(:r, '{"promised_date": "2026-12-22"}');
-- Routed: a large amount, a long date shift, a new address.
SELECT * FROM regress.change(:r, '{"lines": [{"line_no": 2, "qty": 20}]}');
SELECT regress.last_change() AS big \gset
SELECT * FROM regress.change(:r, '{"promised_date": "2026-12-31"}');
SELECT regress.last_change() AS late \gset
SELECT * FROM regress.change(:r, '{"ship_to": "Warehouse 2"}');
SELECT regress.last_change() AS move \gset
-- In production, a quantity change goes to production.
UPDATE salesorder.sales_order SET status = 'in_production' WHERE id = :r;
SELECT * FROM regress.change(:r, '{"lines": [{"line_no": 1, "qty": 16}]}');
SELECT regress.last_change() AS prod \gset
-- The approvers' queue shows the change requests waiting for them.
SET ROLE regress_ann;
SELECT subject, department, change_reason, change_effects -> 'amount_delta' AS amount_delta,
	   reason FROM salesorder.approval_queue WHERE order_id = :r ORDER BY step_id;
RESET ROLE;

-- The requester cannot approve their own change; somebody without the
-- role cannot either.
GRANT regress_cfin, salesorder_approver TO regress_rep_kim;
SET ROLE regress_rep_kim;
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :big));
RESET ROLE;
REVOKE regress_cfin, salesorder_approver FROM regress_rep_kim;
CREATE ROLE regress_other LOGIN IN ROLE salesorder_approver;
SET ROLE regress_other;
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :big));
RESET ROLE;
DROP ROLE regress_other;

-- Approving the last step applies the change; the order's other pending
-- requests were made against the old revision and become stale.
SELECT * FROM regress.order_state(:r);
SET ROLE regress_ann;
SELECT salesorder.approve_change(:big, 'volume discount agreed');
RESET ROLE;
SELECT * FROM regress.order_state(:r);
SELECT id - :big AS n, status, base_revision, applied_revision, decision_comment
FROM salesorder.change_request WHERE id IN (:big, :late, :move, :prod) ORDER BY id;
SET ROLE regress_ann;
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :late));
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :big));
RESET ROLE;
SELECT status, comment FROM salesorder.approval_step WHERE change_request_id = :late;

-- Rejection: a reason is required; nothing is applied.
SELECT * FROM regress.change(:r, '{"promised_date": "2027-01-15"}');
SELECT regress.last_change() AS rej \gset
SET ROLE regress_ann;
SELECT * FROM regress.try(format('SELECT salesorder.reject_change(%s, NULL)', :rej));
SELECT salesorder.reject_change(:rej, 'the carrier cannot wait that long');
RESET ROLE;
SELECT status, decided_by, decision_comment FROM salesorder.change_request WHERE id = :rej;
SELECT revision, promised_date FROM salesorder.sales_order WHERE id = :r;

-- A change that needs stock that is not there: SO001 on approval, nothing
-- applied, the request stays pending.
SELECT * FROM regress.change(:r, '{"add_lines": [{"sku": "CHG-C", "qty": 5}]}');
SELECT regress.last_change() AS needs \gset
SELECT * FROM salesorder.adjust_stock(1, :pc, -9, 'damaged in the flood');
SELECT regress.fingerprint() AS before \gset
SET ROLE regress_ann;
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :needs));
RESET ROLE;
SELECT regress.fingerprint() = :'before' AS nothing_written;
SELECT status FROM salesorder.change_request WHERE id = :needs;
SELECT * FROM salesorder.receive_stock(1, :pc, 20);
SET ROLE regress_ann;
SELECT salesorder.approve_change(:needs);
RESET ROLE;
SELECT * FROM regress.order_state(:r);

SELECT * FROM salesorder.verify_stock();
UPDATE salesorder.approval_rule SET active = false;

-- An order that leaves the statuses that take changes for good (cancelled,
-- shipped in full, completed) closes its pending requests: they become
-- stale and their steps leave the approval queue.
INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
VALUES ('any date', 'change_date', 'logistics', 'regress_clog');
SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 1}]') AS cx \gset
SELECT regress.chg_order('[{"sku": "CHG-A", "qty": 1}]') AS sx \gset
SELECT status FROM regress.change(:cx, '{"promised_date": "2027-02-01"}');
SELECT regress.last_change() AS cx_req \gset
SELECT status FROM regress.change(:sx, '{"promised_date": "2027-02-01"}');
SELECT regress.last_change() AS sx_req \gset
SET ROLE regress_ann;
SELECT count(*) AS queued FROM salesorder.approval_queue WHERE order_id IN (:cx, :sx);
RESET ROLE;
SELECT salesorder.cancel(:cx, 'customer withdrew');
SELECT salesorder.ship(:sx);
SELECT id - :cx_req AS n, status, decision_comment FROM salesorder.change_request
WHERE id IN (:cx_req, :sx_req) ORDER BY id;
SELECT change_request_id - :cx_req AS n, status, comment FROM salesorder.approval_step
WHERE change_request_id IN (:cx_req, :sx_req) ORDER BY id;
SET ROLE regress_ann;
SELECT count(*) AS queued FROM salesorder.approval_queue WHERE order_id IN (:cx, :sx);
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :cx_req));
RESET ROLE;
UPDATE salesorder.approval_rule SET active = false;

-- Limits: a change cannot take an order past 10,000 lines, and nothing is
-- written when it would.
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('CHG-BULK', 'Bolt', 'widgets', 1);
SELECT id AS pbulk FROM salesorder.product WHERE sku = 'CHG-BULK' \gset
SELECT (salesorder.receive_stock(1, :pbulk, 20000)).on_hand;
SELECT regress.chg_order((SELECT jsonb_agg(jsonb_build_object('sku', 'CHG-BULK', 'qty', 1))
						  FROM generate_series(1, 9999))) AS bulk \gset
SELECT regress.fingerprint() AS before \gset
SET ROLE regress_rep_kim;
SELECT state, message, hint FROM regress.try(format(
	$$SELECT salesorder.request_change(%s, '{"add_lines": [{"sku": "CHG-BULK", "qty": 1}, {"sku": "CHG-BULK", "qty": 1}]}', 'more')$$, :bulk));
RESET ROLE;
SELECT regress.fingerprint() = :'before' AS nothing_written;
SELECT status FROM regress.change(:bulk, '{"add_lines": [{"sku": "CHG-BULK", "qty": 1}]}');
SELECT line_count FROM salesorder.sales_order WHERE id = :bulk;
-- An order over the limit (written before the limit was checked) is not
-- copied: here one line is slipped in the way a restore would.
SET session_replication_role = replica;
INSERT INTO salesorder.order_line (order_id, customer_id, line_no, product_id, qty, unit_price, amount)
VALUES (:bulk, :cust, 10001, :pbulk, 1, 1, 1);
RESET session_replication_role;
SELECT state, message, hint FROM regress.try(format('SELECT salesorder.copy_order(%s)', :bulk));
SET session_replication_role = replica;
DELETE FROM salesorder.order_line WHERE order_id = :bulk AND line_no = 10001;
RESET session_replication_role;
SELECT salesorder.cancel(:bulk, 'test done');
SELECT * FROM salesorder.verify_stock();
DROP OWNED BY regress_ann, regress_rep_kim;
DROP ROLE regress_ann, regress_rep_kim, regress_cfin, regress_cprod, regress_clog;

\i sql/include/leave_database.sql
