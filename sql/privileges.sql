--
-- privileges: every documented function called by every role README's
-- reference says may call it (Roles and grants; Security), succeeding, and
-- a sample of refusals for roles that may not.  Each group role is played
-- by a login of its own, as an application pool would SET ROLE to it.
--
\set test_db regress_privileges
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles FROM salesorder.create_roles();
CREATE ROLE regress_pv_finance NOLOGIN;
CREATE ROLE regress_pv_board NOLOGIN;
CREATE ROLE regress_pv_rep LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_pv_appr LOGIN IN ROLE salesorder_approver, regress_pv_finance;
CREATE ROLE regress_pv_clerk LOGIN IN ROLE salesorder_warehouse;
CREATE ROLE regress_pv_analyst LOGIN IN ROLE salesorder_reporting;
CREATE ROLE regress_pv_feed LOGIN IN ROLE salesorder_consumer;
CREATE ROLE regress_pv_boss LOGIN IN ROLE salesorder_admin, regress_pv_board;

INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep)
VALUES ('PV', 'Privileged Ltd', 'North', 'smb', 1000000, '1 Grant St', 1, 'regress_pv_rep');
SELECT id AS pv FROM salesorder.customer WHERE code = 'PV' \gset
-- Orders above 1,000 go to finance (the approver), above 5,000 also to the
-- board (the admin); changes by more than 20 to finance, by more than
-- 1,000 also to the board.
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role, level) VALUES
	('pv large', 'amount_over', 1000, 'finance', 'regress_pv_finance', 1),
	('pv huge', 'amount_over', 5000, 'board', 'regress_pv_board', 1),
	('pv change', 'change_amount_over', 20, 'finance', 'regress_pv_finance', 1),
	('pv big change', 'change_amount_over', 1000, 'board', 'regress_pv_board', 1);

-- Every call is recorded: who made it, the function (as role_grant names
-- it) and the outcome; each prints its SQLSTATE, and the message when it
-- failed.
CREATE TEMP TABLE sweep (n serial, who name, fn text, state text);
GRANT ALL ON sweep, sweep_n_seq TO PUBLIC;
CREATE FUNCTION regress.call(fn text, sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	SELECT * INTO r FROM regress.try(sql);
	INSERT INTO pg_temp.sweep (who, fn, state) VALUES (current_user, fn, r.state);
	RETURN r.state || CASE WHEN r.state <> '00000' THEN ': ' || r.message ELSE '' END;
END $$;
GRANT EXECUTE ON FUNCTION regress.call(text, text) TO PUBLIC;

-- salesorder_sales: orders of their own customers.
SET ROLE regress_pv_rep;
SELECT salesorder.create_order(:pv, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS o_small \gset
SELECT regress.call('salesorder.create_order(bigint, jsonb, jsonb)',
	format($$SELECT salesorder.create_order(%s, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}')$$, :pv));
SELECT max(id) AS o_draft FROM salesorder.sales_order WHERE status = 'draft' AND customer_id = :pv \gset
SELECT regress.call('salesorder.submit_order(bigint)', format('SELECT salesorder.submit_order(%s)', :o_draft));
SELECT regress.call('salesorder.copy_order(bigint, jsonb)', format('SELECT salesorder.copy_order(%s)', :o_small));
SELECT regress.call('salesorder.hold(bigint, text)', format('SELECT salesorder.hold(%s, %L)', :o_draft, 'wait'));
SELECT regress.call('salesorder.release_hold(bigint)', format('SELECT salesorder.release_hold(%s)', :o_draft));
SELECT regress.call('salesorder.request_change(bigint, jsonb, text)',
	format('SELECT salesorder.request_change(%s, %L, %L)', :o_draft, '{"ship_to": "2 Grant St"}', 'moved'));
SELECT regress.call('salesorder.cancel(bigint, text)', format('SELECT salesorder.cancel(%s, %L)', :o_draft, 'not needed'));
SELECT regress.call('salesorder.credit_exposure(bigint, bigint)', format('SELECT salesorder.credit_exposure(%s)', :pv));
SELECT regress.call('salesorder.order_snapshot(bigint)', format('SELECT salesorder.order_snapshot(%s)', :o_small));
SELECT regress.call('salesorder.order_at_revision(bigint, integer)', format('SELECT salesorder.order_at_revision(%s, 1)', :o_small));
-- For the approver: one order for finance, one for finance and the board,
-- one to be rejected (and revised), one for the board to reject.
SELECT salesorder.create_order(:pv, '[{"sku": "JKT-ALP-M", "qty": 10}]') AS o_large \gset
SELECT salesorder.create_order(:pv, '[{"sku": "JKT-ALP-M", "qty": 50}]') AS o_huge \gset
SELECT salesorder.create_order(:pv, '[{"sku": "JKT-ALP-M", "qty": 11}]') AS o_no \gset
SELECT salesorder.create_order(:pv, '[{"sku": "JKT-ALP-M", "qty": 51}]') AS o_board_no \gset
RESET ROLE;

-- salesorder_approver: the steps routed to their roles.
SET ROLE regress_pv_appr;
SELECT regress.call('salesorder.approve(bigint, text)', format('SELECT salesorder.approve(%s, %L)', :o_large, 'ok'));
SELECT regress.call('salesorder.approve(bigint, text)', format('SELECT salesorder.approve(%s)', :o_huge));
SELECT regress.call('salesorder.reject(bigint, text)', format('SELECT salesorder.reject(%s, %L)', :o_no, 'too much'));
SELECT regress.call('salesorder.hold(bigint, text)', format('SELECT salesorder.hold(%s, %L)', :o_large, 'checking'));
SELECT regress.call('salesorder.release_hold(bigint)', format('SELECT salesorder.release_hold(%s)', :o_large));
SELECT regress.call('salesorder.credit_exposure(bigint, bigint)', format('SELECT salesorder.credit_exposure(%s)', :pv));
SELECT regress.call('salesorder.order_snapshot(bigint)', format('SELECT salesorder.order_snapshot(%s)', :o_large));
SELECT regress.call('salesorder.order_at_revision(bigint, integer)', format('SELECT salesorder.order_at_revision(%s, 1)', :o_large));
RESET ROLE;

SET ROLE regress_pv_rep;
SELECT regress.call('salesorder.revise(bigint)', format('SELECT salesorder.revise(%s)', :o_no));
-- Changes of the large order for finance to decide.
SELECT salesorder.request_change(:o_large, '{"lines": [{"line_no": 1, "qty": 11}]}', 'one more') AS c_yes \gset
RESET ROLE;
SET ROLE regress_pv_appr;
SELECT regress.call('salesorder.approve_change(bigint, text)', format('SELECT salesorder.approve_change(%s, %L)', :c_yes, 'fine'));
RESET ROLE;
SET ROLE regress_pv_rep;
SELECT salesorder.request_change(:o_large, '{"lines": [{"line_no": 1, "qty": 13}]}', 'two more') AS c_no \gset
RESET ROLE;
SET ROLE regress_pv_appr;
SELECT regress.call('salesorder.reject_change(bigint, text)', format('SELECT salesorder.reject_change(%s, %L)', :c_no, 'enough'));
RESET ROLE;

-- salesorder_warehouse: stages, fulfilment, stock and its check.
SET ROLE regress_pv_clerk;
SELECT regress.call('salesorder.receive_stock(bigint, bigint, numeric, text)', 'SELECT salesorder.receive_stock(1, 1, 10, ''delivery'')');
SELECT regress.call('salesorder.adjust_stock(bigint, bigint, numeric, text)', 'SELECT salesorder.adjust_stock(1, 1, -1, ''counted'')');
SELECT regress.call('salesorder.set_stage(bigint, text, text)', format('SELECT salesorder.set_stage(%s, %L)', :o_small, 'assembling'));
SELECT regress.call('salesorder.hold(bigint, text)', format('SELECT salesorder.hold(%s, %L)', :o_small, 'dock full'));
SELECT regress.call('salesorder.release_hold(bigint)', format('SELECT salesorder.release_hold(%s)', :o_small));
SELECT regress.call('salesorder.ship(bigint, jsonb)', format('SELECT salesorder.ship(%s)', :o_small));
SELECT regress.call('salesorder.deliver(bigint)', format('SELECT salesorder.deliver(%s)', :o_small));
SELECT regress.call('salesorder.complete(bigint)', format('SELECT salesorder.complete(%s)', :o_small));
SELECT regress.call('salesorder.verify_stock(boolean)', 'SELECT count(*) FROM salesorder.verify_stock()');
SELECT regress.call('salesorder.verify_stock(boolean)', 'SELECT count(*) FROM salesorder.verify_stock(true)');
SELECT regress.call('salesorder.order_snapshot(bigint)', format('SELECT salesorder.order_snapshot(%s)', :o_small));
SELECT regress.call('salesorder.order_at_revision(bigint, integer)', format('SELECT salesorder.order_at_revision(%s, 1)', :o_small));
SELECT regress.call('salesorder.credit_exposure(bigint, bigint)', format('SELECT salesorder.credit_exposure(%s)', :pv));
SELECT * FROM salesorder.verify_stock();
RESET ROLE;

-- salesorder_consumer: the outbox, and nothing else.
SET ROLE regress_pv_feed;
SELECT regress.call('salesorder.events_since(bigint, integer, text[], bigint)', 'SELECT count(*) FROM salesorder.events_since(0, 10)');
SELECT regress.call('salesorder.event_horizon()', 'SELECT salesorder.event_horizon()');
SELECT regress.call('salesorder.ack_events(text, bigint)', 'SELECT salesorder.ack_events(''regress_pv_erp'', 1)');
SELECT regress.call('salesorder.drop_event_consumer(text)', 'SELECT salesorder.drop_event_consumer(''regress_pv_erp'')');
RESET ROLE;

-- The outbox functions granted to the operational roles too (reading only:
-- registering a consumer is the consumer's and the admin's, see the
-- refusals below).
DO $$
DECLARE
	who text;
BEGIN
	FOREACH who IN ARRAY ARRAY['regress_pv_rep', 'regress_pv_appr', 'regress_pv_clerk']
	LOOP
		EXECUTE format('SET ROLE %I', who);
		PERFORM regress.call('salesorder.events_since(bigint, integer, text[], bigint)', 'SELECT count(*) FROM salesorder.events_since(0, 10)');
		PERFORM regress.call('salesorder.event_horizon()', 'SELECT salesorder.event_horizon()');
		RESET ROLE;
	END LOOP;
END $$;

-- The report helpers and aggregates, for reporting and the operational
-- roles (the views call them).
DO $$
DECLARE
	who text;
	fn text;
BEGIN
	FOREACH who IN ARRAY ARRAY['regress_pv_analyst', 'regress_pv_rep', 'regress_pv_appr', 'regress_pv_clerk', 'regress_pv_boss']
	LOOP
		EXECUTE format('SET ROLE %I', who);
		FOREACH fn IN ARRAY ARRAY['salesorder.rollup_current()', 'salesorder.report_current_month()',
			'salesorder.at_risk_days()', 'salesorder.tracking_since()', 'salesorder.pipeline_folded_to()']
		LOOP
			PERFORM regress.call(fn, 'SELECT ' || fn);
		END LOOP;
		PERFORM regress.call('salesorder.order_health(salesorder.order_status, date, text, date)',
			'SELECT salesorder.order_health(''approved'', current_date, NULL)');
		PERFORM regress.call('salesorder.bucket_start(timestamptz, text)', 'SELECT salesorder.bucket_start(now(), ''week'')');
		PERFORM regress.call('salesorder.sales_trend(timestamptz, numeric)', 'SELECT salesorder.sales_trend(now(), 1)');
		PERFORM regress.call('salesorder.sales_trend(timestamptz, numeric, text)', 'SELECT salesorder.sales_trend(now(), 1, ''day'')');
		PERFORM regress.call('salesorder.sales_forecast(timestamptz, numeric, text, integer)',
			'SELECT salesorder.sales_forecast(d, 1, ''day'', 2) FROM generate_series(now() - interval ''9 days'', now(), interval ''1 day'') d');
		PERFORM regress.call('salesorder.sales_forecast(timestamptz, numeric, text, integer, integer)',
			'SELECT salesorder.sales_forecast(d, 1, ''day'', 2, 0) FROM generate_series(now() - interval ''9 days'', now(), interval ''1 day'') d');
		RESET ROLE;
	END LOOP;
END $$;
SET ROLE regress_pv_analyst;
SELECT regress.call('salesorder.report_sales_rows()', 'SELECT count(*) FROM salesorder.report_sales_rows()');
SET ROLE regress_pv_boss;
SELECT regress.call('salesorder.report_sales_rows()', 'SELECT count(*) FROM salesorder.report_sales_rows()');
RESET ROLE;

-- salesorder_admin: everything the others may, for every customer, and the
-- maintenance.
SET ROLE regress_pv_boss;
SELECT regress.call('salesorder.approve(bigint, text)', format('SELECT salesorder.approve(%s, %L)', :o_huge, 'board ok'));
SELECT regress.call('salesorder.reject(bigint, text)', format('SELECT salesorder.reject(%s, %L)', :o_board_no, 'board says no'));
SELECT regress.call('salesorder.revise(bigint)', format('SELECT salesorder.revise(%s)', :o_board_no));
SELECT regress.call('salesorder.submit_order(bigint)', format('SELECT salesorder.submit_order(%s)', :o_no));
SELECT regress.call('salesorder.create_order(bigint, jsonb, jsonb)', 'SELECT salesorder.create_order(1, ''[{"sku": "TEE-BLK-M", "qty": 1}]'')');
SELECT max(id) AS o_acme FROM salesorder.sales_order WHERE customer_id = 1 \gset
SELECT regress.call('salesorder.copy_order(bigint, jsonb)', format('SELECT salesorder.copy_order(%s)', :o_acme));
SELECT regress.call('salesorder.hold(bigint, text)', format('SELECT salesorder.hold(%s, %L)', :o_acme, 'audit'));
SELECT regress.call('salesorder.release_hold(bigint)', format('SELECT salesorder.release_hold(%s)', :o_acme));
SELECT regress.call('salesorder.request_change(bigint, jsonb, text)',
	format('SELECT salesorder.request_change(%s, %L, %L)', :o_acme, '{"ship_to": "Dock 2"}', 'dock'));
SELECT regress.call('salesorder.set_stage(bigint, text, text)', format('SELECT salesorder.set_stage(%s, %L)', :o_acme, 'packed'));
SELECT regress.call('salesorder.ship(bigint, jsonb)', format('SELECT salesorder.ship(%s)', :o_acme));
SELECT regress.call('salesorder.deliver(bigint)', format('SELECT salesorder.deliver(%s)', :o_acme));
SELECT regress.call('salesorder.complete(bigint)', format('SELECT salesorder.complete(%s)', :o_acme));
SELECT regress.call('salesorder.cancel(bigint, text)', format('SELECT salesorder.cancel(%s, %L)', :o_board_no, 'dropped'));
RESET ROLE;
SET ROLE regress_pv_rep;
SELECT salesorder.request_change(:o_huge, '{"lines": [{"line_no": 1, "qty": 70}]}', 'twenty more') AS c_board \gset
RESET ROLE;
SET ROLE regress_pv_boss;
SELECT regress.call('salesorder.approve_change(bigint, text)', format('SELECT salesorder.approve_change(%s)', :c_board));
RESET ROLE;
SET ROLE regress_pv_rep;
SELECT salesorder.request_change(:o_huge, '{"lines": [{"line_no": 1, "qty": 90}]}', 'forty more') AS c_board_no \gset
RESET ROLE;
SET ROLE regress_pv_boss;
SELECT regress.call('salesorder.reject_change(bigint, text)', format('SELECT salesorder.reject_change(%s, %L)', :c_board_no, 'no'));
SELECT regress.call('salesorder.receive_stock(bigint, bigint, numeric, text)', 'SELECT salesorder.receive_stock(1, 2, 10, ''delivery'')');
SELECT regress.call('salesorder.adjust_stock(bigint, bigint, numeric, text)', 'SELECT salesorder.adjust_stock(1, 2, -1, ''counted'')');
SELECT regress.call('salesorder.verify_stock(boolean)', 'SELECT count(*) FROM salesorder.verify_stock()');
SELECT regress.call('salesorder.verify_stock(boolean)', 'SELECT count(*) FROM salesorder.verify_stock(true)');
SELECT regress.call('salesorder.credit_exposure(bigint, bigint)', format('SELECT salesorder.credit_exposure(%s)', :pv));
SELECT regress.call('salesorder.order_snapshot(bigint)', format('SELECT salesorder.order_snapshot(%s)', :o_acme));
SELECT regress.call('salesorder.order_at_revision(bigint, integer)', format('SELECT salesorder.order_at_revision(%s, 1)', :o_acme));
SELECT regress.call('salesorder.events_since(bigint, integer, text[], bigint)', 'SELECT count(*) FROM salesorder.events_since(0, 10)');
SELECT regress.call('salesorder.event_horizon()', 'SELECT salesorder.event_horizon()');
SELECT regress.call('salesorder.ack_events(text, bigint)', 'SELECT salesorder.ack_events(''regress_pv_audit'', 1)');
SELECT regress.call('salesorder.drop_event_consumer(text)', 'SELECT salesorder.drop_event_consumer(''regress_pv_audit'')');
SELECT regress.call('salesorder.flag_delays(timestamptz)', 'SELECT salesorder.flag_delays()');
SELECT regress.call('salesorder.trim_events(interval, integer)', 'SELECT salesorder.trim_events(''30 days'')');
SELECT regress.call('salesorder.checkpoint_ledger()', 'SELECT salesorder.checkpoint_ledger()');
SELECT regress.call('salesorder.checkpoint_pipeline()', 'SELECT salesorder.checkpoint_pipeline()');
SELECT regress.call('salesorder.archive_history(interval, integer)', 'SELECT salesorder.archive_history(''30 days'')');
SELECT regress.call('salesorder.verify_credit_exposure()', 'SELECT count(*) FROM salesorder.verify_credit_exposure()');
SELECT regress.call('salesorder.rebuild_credit_exposure()', 'SELECT salesorder.rebuild_credit_exposure()');
SELECT regress.call('salesorder.compact_rollup()', 'SELECT salesorder.compact_rollup()');
SELECT regress.call('salesorder.rebuild_rollup()', 'SELECT salesorder.rebuild_rollup()');
SELECT * FROM salesorder.verify_stock(true);
RESET ROLE;

-- Every table and view a role is granted, read by its login.
DO $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT x.role, x.object,
				 CASE x.role WHEN 'salesorder_sales' THEN 'regress_pv_rep'
							 WHEN 'salesorder_approver' THEN 'regress_pv_appr'
							 WHEN 'salesorder_warehouse' THEN 'regress_pv_clerk'
							 WHEN 'salesorder_reporting' THEN 'regress_pv_analyst'
							 WHEN 'salesorder_consumer' THEN 'regress_pv_feed'
							 ELSE 'regress_pv_boss' END AS login
			 FROM salesorder.role_grant x
			 WHERE x.on_kind = 'TABLE' AND x.privilege LIKE 'SELECT%'
			 ORDER BY 1, 2
	LOOP
		EXECUTE format('SET ROLE %I', g.login);
		PERFORM regress.call('SELECT ' || g.object, 'SELECT count(*) FROM ' || g.object);
		-- And by the admin, a member of every role.
		SET ROLE regress_pv_boss;
		PERFORM regress.call('SELECT ' || g.object, 'SELECT count(*) FROM ' || g.object);
		RESET ROLE;
	END LOOP;
END $$;

-- Nothing failed, and every function and table a role is granted was used
-- by its login and by the admin.
SELECT who, fn, state FROM sweep WHERE state <> '00000' ORDER BY n;
SELECT x.role, x.on_kind, x.object, l.login
FROM salesorder.role_grant x
CROSS JOIN LATERAL (VALUES (CASE x.role WHEN 'salesorder_sales' THEN 'regress_pv_rep'
							 WHEN 'salesorder_approver' THEN 'regress_pv_appr'
							 WHEN 'salesorder_warehouse' THEN 'regress_pv_clerk'
							 WHEN 'salesorder_reporting' THEN 'regress_pv_analyst'
							 WHEN 'salesorder_consumer' THEN 'regress_pv_feed'
							 ELSE 'regress_pv_boss' END), ('regress_pv_boss')) l(login)
WHERE (x.on_kind = 'FUNCTION' OR (x.on_kind = 'TABLE' AND x.privilege LIKE 'SELECT%'))
  AND NOT EXISTS (SELECT 1 FROM sweep s
				  WHERE s.who = l.login AND s.state = '00000'
					AND s.fn = CASE x.on_kind WHEN 'TABLE' THEN 'SELECT ' || x.object ELSE x.object END)
ORDER BY 1, 2, 3, 4;
SELECT count(*) AS calls, count(DISTINCT fn) FILTER (WHERE fn NOT LIKE 'SELECT %') AS functions,
	   count(DISTINCT fn) FILTER (WHERE fn LIKE 'SELECT %') AS relations
FROM sweep;

-- Refusals: each role calling what it may not is refused with 42501, and
-- nothing is written.
SELECT regress.fingerprint() AS before \gset
SET ROLE regress_pv_analyst;
SELECT regress.call('create_order', format($$SELECT salesorder.create_order(%s, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$, :pv));
SELECT regress.call('sales_order', 'SELECT count(*) FROM salesorder.sales_order');
SELECT regress.call('verify_stock', 'SELECT count(*) FROM salesorder.verify_stock()');
RESET ROLE;
SET ROLE regress_pv_feed;
SELECT regress.call('sales_order', 'SELECT count(*) FROM salesorder.sales_order');
SELECT regress.call('order_snapshot', format('SELECT salesorder.order_snapshot(%s)', :o_large));
SELECT regress.call('report_sales', 'SELECT count(*) FROM salesorder.report_sales');
RESET ROLE;
SET ROLE regress_pv_rep;
SELECT regress.call('ship', format('SELECT salesorder.ship(%s)', :o_large));
SELECT regress.call('approve', format('SELECT salesorder.approve(%s)', :o_no));
SELECT regress.call('verify_stock', 'SELECT count(*) FROM salesorder.verify_stock()');
SELECT regress.call('checkpoint_ledger', 'SELECT salesorder.checkpoint_ledger()');
SELECT regress.call('receive_stock', 'SELECT salesorder.receive_stock(1, 1, 1)');
SELECT regress.call('report_sales', 'SELECT count(*) FROM salesorder.report_sales');
-- (and acts for their own customers only)
SELECT regress.call('cancel', format('SELECT salesorder.cancel(%s, %L)', :o_acme, 'not mine'));
RESET ROLE;
SET ROLE regress_pv_appr;
SELECT regress.call('receive_stock', 'SELECT salesorder.receive_stock(1, 1, 1)');
SELECT regress.call('cancel', format('SELECT salesorder.cancel(%s, %L)', :o_large, 'no'));
SELECT regress.call('create_order', format($$SELECT salesorder.create_order(%s, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$, :pv));
RESET ROLE;
SET ROLE regress_pv_clerk;
SELECT regress.call('approve', format('SELECT salesorder.approve(%s)', :o_no));
SELECT regress.call('create_order', format($$SELECT salesorder.create_order(%s, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$, :pv));
SELECT regress.call('archive_history', 'SELECT salesorder.archive_history(''1 day'')');
SELECT regress.call('trim_events', 'SELECT salesorder.trim_events()');
SELECT regress.call('checkpoint_pipeline', 'SELECT salesorder.checkpoint_pipeline()');
SELECT regress.call('flag_delays', 'SELECT salesorder.flag_delays()');
RESET ROLE;
SET ROLE regress_pv_boss;
SELECT regress.call('create_roles', 'SELECT salesorder.create_roles()');
SELECT regress.call('credit_exposure_of', format('SELECT salesorder.credit_exposure_of(%s)', :pv));
RESET ROLE;
-- Only consumers and admins register, move or drop a consumer's mark.
SELECT count(*) AS consumers_before FROM salesorder.event_consumer \gset
DO $$
DECLARE
	who text;
BEGIN
	FOREACH who IN ARRAY ARRAY['regress_pv_rep', 'regress_pv_appr', 'regress_pv_clerk']
	LOOP
		EXECUTE format('SET ROLE %I', who);
		PERFORM regress.call('refused ack_events', format('SELECT salesorder.ack_events(%L, 0)', who));
		PERFORM regress.call('refused drop_event_consumer',
							 format('SELECT salesorder.drop_event_consumer(%L)', who));
		RESET ROLE;
	END LOOP;
END $$;
SELECT who, fn, state FROM sweep WHERE fn LIKE 'refused %' ORDER BY n;
SELECT count(*) = :consumers_before AS no_consumer_registered FROM salesorder.event_consumer;
SELECT regress.fingerprint() = :'before' AS nothing_written;

DROP OWNED BY regress_pv_rep, regress_pv_appr, regress_pv_clerk, regress_pv_analyst,
	regress_pv_feed, regress_pv_boss, regress_pv_finance, regress_pv_board;
DROP ROLE regress_pv_rep, regress_pv_appr, regress_pv_clerk, regress_pv_analyst,
	regress_pv_feed, regress_pv_boss, regress_pv_finance, regress_pv_board;

\i sql/include/leave_database.sql
