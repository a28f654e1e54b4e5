--
-- security: row-level security per role, views that follow it, what each
-- role may write, and a hostile search_path.
--
\set test_db regress_security
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles FROM salesorder.create_roles();
CREATE ROLE regress_sec_anna LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_sec_ben LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_sec_team NOLOGIN;
CREATE ROLE regress_sec_carl LOGIN IN ROLE salesorder_sales, regress_sec_team;
CREATE ROLE regress_sec_credit NOLOGIN;
CREATE ROLE regress_sec_dora LOGIN IN ROLE salesorder_approver, regress_sec_credit;
CREATE ROLE regress_sec_wh LOGIN IN ROLE salesorder_warehouse;
CREATE ROLE regress_sec_nobody LOGIN;
GRANT USAGE ON SCHEMA salesorder TO regress_sec_nobody;
GRANT SELECT ON salesorder.sales_order TO regress_sec_nobody;

INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep) VALUES
	('SEC-A', 'Anna''s customer', 'North', 'smb', 1000000, 'A St', 1, 'regress_sec_anna'),
	('SEC-B', 'Ben''s customer', 'North', 'smb', 1000000, 'B St', 1, 'regress_sec_ben'),
	('SEC-T', 'The team''s customer', 'North', 'smb', 1000000, 'T St', 1, 'regress_sec_team');
SELECT id AS ca FROM salesorder.customer WHERE code = 'SEC-A' \gset
SELECT id AS cb FROM salesorder.customer WHERE code = 'SEC-B' \gset
SELECT id AS ct FROM salesorder.customer WHERE code = 'SEC-T' \gset

SET ROLE regress_sec_anna;
SELECT salesorder.create_order(:ca, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS oa \gset
SELECT salesorder.request_change(:oa, '{"promised_date": "2027-01-10"}', 'date') > 0 AS changed;
RESET ROLE;
SET ROLE regress_sec_ben;
SELECT salesorder.create_order(:cb, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS ob \gset
RESET ROLE;
-- Ben's second order is large and goes to credit review (Dora).
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
VALUES ('sec large', 'amount_over', 1000, 'credit', 'regress_sec_credit');
SET ROLE regress_sec_ben;
SELECT salesorder.create_order(:cb, '[{"sku": "JKT-ALP-M", "qty": 10}]') AS ob2 \gset
RESET ROLE;
UPDATE salesorder.approval_rule SET active = false WHERE name = 'sec large';
SET ROLE regress_sec_carl;
SELECT salesorder.create_order(:ct, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS ot \gset
RESET ROLE;
-- Something of each order but the one in review has left the warehouse, so
-- that every such order has ledger rows (a reservation has none).
SELECT salesorder.ship(o, '[{"line_no": 1, "qty": 1}]') FROM unnest(ARRAY[:oa, :ob, :ot]) o;

-- What each user sees, table by table and through the views.
CREATE FUNCTION regress.seen(o bigint) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' ',
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.sales_order WHERE id = o) THEN 'order' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.order_line WHERE order_id = o) THEN 'lines' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.order_status_history WHERE order_id = o) THEN 'history' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.order_event WHERE order_id = o) THEN 'events' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.stock_movement WHERE order_id = o) THEN 'ledger' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.order_tracking WHERE order_id = o) THEN 'tracking' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.change_request WHERE order_id = o) THEN 'changes' END,
		CASE WHEN EXISTS (SELECT 1 FROM salesorder.approval_step WHERE order_id = o) THEN 'steps' END)
$$;
GRANT EXECUTE ON FUNCTION regress.seen(bigint) TO PUBLIC;
SELECT set_config('regress.oa', :'oa', false), set_config('regress.ob', :'ob', false),
	   set_config('regress.ob2', :'ob2', false), set_config('regress.ot', :'ot', false) \gset
CREATE TEMP TABLE seen (who text, anna text, ben text, ben_large text, team text);
GRANT ALL ON seen TO PUBLIC;
DO $$
DECLARE
	who text;
BEGIN
	FOREACH who IN ARRAY ARRAY['regress_sec_anna', 'regress_sec_ben', 'regress_sec_carl',
							   'regress_sec_dora', 'regress_sec_wh']
	LOOP
		EXECUTE format('SET ROLE %I', who);
		INSERT INTO seen SELECT who,
			regress.seen(current_setting('regress.oa')::bigint),
			regress.seen(current_setting('regress.ob')::bigint),
			regress.seen(current_setting('regress.ob2')::bigint),
			regress.seen(current_setting('regress.ot')::bigint);
		RESET ROLE;
	END LOOP;
END $$;
SELECT * FROM seen ORDER BY who;

-- Somebody with a table grant but no salesorder role sees nothing.
SET ROLE regress_sec_nobody;
SELECT count(*) AS orders_seen FROM salesorder.sales_order;
RESET ROLE;

-- The approver's queue and the change view follow the same rules.
SET ROLE regress_sec_dora;
SELECT regress.mask(order_no) AS order_no, department FROM salesorder.approval_queue;
SELECT count(*) AS changes_seen FROM salesorder.order_changes;
RESET ROLE;
SET ROLE regress_sec_anna;
SELECT count(*) AS changes_seen FROM salesorder.order_changes;
SELECT count(*) AS queue_seen FROM salesorder.approval_queue;
RESET ROLE;

-- Writes: a rep cannot touch another rep's orders, nor stock; the warehouse
-- ships but cannot change prices or request changes.
SELECT regress.fingerprint() AS before \gset
SET ROLE regress_sec_anna;
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :ob, 'not mine'));
SELECT * FROM regress.try(format('SELECT salesorder.request_change(%s, %L, %L)', :ob, '{"ship_to": "x"}', 'x'));
SELECT * FROM regress.try('UPDATE salesorder.stock SET reserved = 0');
SELECT * FROM regress.try('UPDATE salesorder.order_line SET unit_price = 0');
RESET ROLE;
SET ROLE regress_sec_wh;
SELECT * FROM regress.try(format('UPDATE salesorder.order_line SET unit_price = 1 WHERE order_id = %s', :ob));
SELECT * FROM regress.try(format('SELECT salesorder.request_change(%s, %L, %L)', :ob, '{"lines": [{"line_no": 1, "unit_price": 1}]}', 'cheaper'));
SELECT * FROM regress.try('INSERT INTO salesorder.stock_movement (warehouse_id, product_id, kind, created_by) VALUES (1, 1, ''receipt'', ''me'')');
RESET ROLE;
SELECT regress.fingerprint() = :'before' AS nothing_written;
SET ROLE regress_sec_wh;
SELECT salesorder.ship(:ob);
RESET ROLE;

-- Every SECURITY DEFINER function pins its search_path.
SELECT p.proname FROM pg_proc p
WHERE p.pronamespace = 'salesorder'::regnamespace AND p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp')
ORDER BY 1;
SELECT count(*) > 0 AS has_security_definer FROM pg_proc p
WHERE p.pronamespace = 'salesorder'::regnamespace AND p.prosecdef;

-- A hostile search_path: a schema ahead of pg_catalog with its own now()
-- and an equality operator on text that is always true changes nothing --
-- neither in the functions nor in the triggers of a plain UPDATE.
CREATE SCHEMA regress_hostile;
CREATE FUNCTION regress_hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '1999-01-01'::timestamptz $$;
CREATE FUNCTION regress_hostile.always(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR regress_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_hostile.always);
CREATE FUNCTION regress_hostile.always_int(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR regress_hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_hostile.always_int);
SET search_path = regress_hostile, pg_catalog, public;
SELECT 'a'::text = 'b'::text AS hostile_operator_active;
SELECT salesorder.create_order(:ca, '[{"sku": "TEE-BLK-L", "qty": 2}]') AS oh \gset
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, NULL)', :oh));
SELECT salesorder.hold(:oh, 'hostile test');
SELECT * FROM regress.try(format($q$UPDATE salesorder.sales_order SET status = 'delivered' WHERE id = %s$q$, :oh));
RESET search_path;
SELECT status, created_at > '2000-01-01' AS real_time, total_amount,
	   (SELECT count(*) FROM salesorder.order_line WHERE order_id = :oh) AS lines
FROM salesorder.sales_order WHERE id = :oh;
SELECT * FROM salesorder.verify_stock();
DROP SCHEMA regress_hostile CASCADE;

-- Functions act only on orders their caller sees, as the tables show them.
-- Dora (an approver) is routed to Ben's large order only: she may hold and
-- release that one, not Anna's.  The warehouse sees every order.
SET ROLE regress_sec_dora;
SELECT * FROM regress.try(format('SELECT salesorder.hold(%s, %L)', :oa, 'looks odd'));
SELECT * FROM regress.try(format('SELECT salesorder.release_hold(%s)', :oa));
SELECT salesorder.hold(:ob2, 'checking the customer');
SELECT salesorder.release_hold(:ob2);
RESET ROLE;
SET ROLE regress_sec_wh;
SELECT salesorder.hold(:oa, 'inventory count');
SELECT salesorder.release_hold(:oa);
RESET ROLE;
SELECT id = :oa AS anna_s, status FROM salesorder.sales_order WHERE id IN (:oa, :ob2) ORDER BY id;

-- The predicates of the policies answer for their caller only: they take
-- no user name to ask about somebody else.
SELECT * FROM regress.try('SELECT salesorder.rls_customers(''regress_sec_ben'')');
SET ROLE regress_sec_anna;
SELECT array_agg(c) = ARRAY[:ca]::bigint[] AS anna_customers, salesorder.rls_sees_all() AS sees_all
FROM salesorder.rls_customers() c;
RESET ROLE;
SET ROLE regress_sec_dora;
SELECT array_agg(order_id) = ARRAY[:ob2]::bigint[] AS dora_routed FROM salesorder.rls_routes;
RESET ROLE;
SET ROLE regress_sec_wh;
SELECT salesorder.rls_sees_all() AS warehouse_sees_all;
RESET ROLE;

-- Credit exposure is for the customer's rep, the approvers of its orders
-- and admins: Ben could otherwise difference two calls into the amount of
-- an order of Anna's.  The computation behind it is not granted at all.
SET ROLE regress_sec_ben;
SELECT salesorder.credit_exposure(:cb) > 0 AS own_customer;
SELECT * FROM regress.try(format('SELECT salesorder.credit_exposure(%s)', :ca));
SELECT * FROM regress.try(format('SELECT salesorder.credit_exposure(%s, %s)', :ca, :oa));
SELECT * FROM regress.try(format('SELECT salesorder.credit_exposure_of(%s)', :ca));
RESET ROLE;
SET ROLE regress_sec_dora;
SELECT salesorder.credit_exposure(:cb) > 0 AS routed_customer;
SELECT * FROM regress.try(format('SELECT salesorder.credit_exposure(%s)', :ca));
RESET ROLE;
SELECT * FROM regress.try('SELECT salesorder.credit_exposure(-1)');
SELECT salesorder.credit_exposure(NULL) IS NULL AS null_customer;

-- The report views are security barriers: a reporting user's function in
-- the WHERE clause (here a cheap one that counts the rows it is shown)
-- sees only the rows the view shows, never the ones it filters out.
CREATE ROLE regress_sec_bi LOGIN IN ROLE salesorder_reporting;
CREATE FUNCTION regress.peek(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
	PERFORM set_config('regress.peeked', (current_setting('regress.peeked')::int + 1)::text, false);
	RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION regress.peek(text) TO PUBLIC;
SET regress.peeked = 0;
SET ROLE regress_sec_bi;
SELECT count(*) AS shown FROM salesorder.report_delayed WHERE regress.peek(order_no) \gset
RESET ROLE;
SELECT current_setting('regress.peeked')::int = :shown AS peeked_only_at_shown_rows,
	(SELECT count(*) FROM salesorder.sales_order) > :shown AS the_view_filters;
SELECT count(*) AS report_views_without_barrier FROM pg_class c
WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind = 'v'
  AND c.relname LIKE 'report\_%'
  AND NOT coalesce('security_barrier=true' = ANY (c.reloptions), false);
DROP FUNCTION regress.peek(text);
DROP ROLE regress_sec_bi;

-- rls_routes is readable by everybody (the policies read it as the user who
-- queries), and is a security barrier too: a rep's function in the WHERE
-- clause is shown the rep's own routes, never the order ids routed to
-- others (Anna has none; Dora has Ben's large order).
CREATE FUNCTION regress.peek_order(o bigint) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS $$
BEGIN
	PERFORM set_config('regress.peeked', concat_ws(',', nullif(current_setting('regress.peeked'), ''), o), false);
	RETURN true;
END $$;
GRANT EXECUTE ON FUNCTION regress.peek_order(bigint) TO PUBLIC;
SET regress.peeked = '';
SET ROLE regress_sec_anna;
SELECT count(*) AS anna_routes FROM salesorder.rls_routes WHERE regress.peek_order(order_id);
RESET ROLE;
SELECT current_setting('regress.peeked') AS anna_was_shown;
SET regress.peeked = '';
SET ROLE regress_sec_dora;
SELECT count(*) AS dora_routes FROM salesorder.rls_routes WHERE regress.peek_order(order_id);
RESET ROLE;
SELECT current_setting('regress.peeked') = :'ob2' AS dora_was_shown_her_route;
SELECT 'security_barrier=true' = ANY (reloptions) AS rls_routes_is_a_barrier
FROM pg_class WHERE oid = 'salesorder.rls_routes'::regclass;
DROP FUNCTION regress.peek_order(bigint);

-- The barrier keeps the approver's check one index probe per order read:
-- with many steps routed elsewhere, Dora reading one order by its key
-- probes approval_step by that order id, never scans it (rolled back).
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO salesorder.approval_step (order_id, customer_id, level, department,
	approver_role, status, reason, decided_at)
SELECT -g, :cb, 1, 'credit', 'regress_sec_someone', 'approved', 'history', now()
FROM generate_series(1, 20000) g;
SET LOCAL session_replication_role = origin;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
GRANT EXECUTE ON FUNCTION pg_temp.plan_of(text) TO PUBLIC;
SET LOCAL ROLE regress_sec_dora;
SELECT bool_or(p ~ 'Index Cond: \(order_id = sales_order\.id\)') AS probes_by_the_order_id,
	   NOT bool_or(p ~ 'Seq Scan on approval_step') AS never_scans_the_steps
FROM pg_temp.plan_of(format('SELECT id FROM salesorder.sales_order WHERE id = %s', :ob2)) p;
SELECT count(*) AS dora_reads_her_order FROM salesorder.sales_order WHERE id = :ob2;
ROLLBACK;

-- No SQL is built from user values: every statement the C code runs is a
-- kept plan of constant text (checked at the source in make test, see
-- test/stress/lint.sh).

REVOKE SELECT ON salesorder.sales_order FROM regress_sec_nobody;
REVOKE USAGE ON SCHEMA salesorder FROM regress_sec_nobody;
DROP OWNED BY regress_sec_anna, regress_sec_ben, regress_sec_carl, regress_sec_dora,
	regress_sec_wh, regress_sec_nobody;
DROP ROLE regress_sec_anna, regress_sec_ben, regress_sec_carl, regress_sec_dora,
	regress_sec_wh, regress_sec_nobody, regress_sec_team, regress_sec_credit;

\i sql/include/leave_database.sql
