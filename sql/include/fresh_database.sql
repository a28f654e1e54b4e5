\set ECHO none
-- A database of the test's own (:test_db), with the extension, the test
-- helpers and the fixture of setup.sql, so that every test file runs the
-- same alone (make installcheck REGRESS=stock) as after the others.  Quiet:
-- a test's expected output starts with its own statements.
SET client_min_messages = warning;
SELECT session_user AS login, current_database() AS regress_home \gset
DROP DATABASE IF EXISTS :"test_db";
CREATE DATABASE :"test_db";
\c :"test_db"
SET client_min_messages = warning;
CREATE EXTENSION salesorder;

-- regress.try(sql): runs a statement and reports its SQLSTATE and messages
-- instead of failing, with the year in order numbers masked so that the
-- expected output does not depend on the date.
CREATE SCHEMA regress;
CREATE FUNCTION regress.mask(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT regexp_replace(t, 'SO-\d{4}-', 'SO-YYYY-', 'g') $$;

CREATE FUNCTION regress.try(sql text,
	OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE sql;
	state := '00000';
	message := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	message := regress.mask(message);
	-- A failing row shows timestamps of the moment: keep only its shape.
	detail := nullif(regexp_replace(regress.mask(detail),
		'^Failing row contains \(.*\)\.$', 'Failing row contains (...).'), '');
	hint := nullif(regress.mask(hint), '');
END $$;

GRANT USAGE ON SCHEMA regress TO PUBLIC;

-- The suite plays every person through the one login it connects with, by
-- SET ROLE, as an application pool does: for segregation of duties that
-- login is a pool login, and the role it set is the person (sod.sql tests
-- logins that are people).
SELECT format('ALTER DATABASE %I SET salesorder.pool_logins = %L',
			  current_database(), session_user) \gexec
SET salesorder.pool_logins = :'login';

-- The helpers keep their own search_path, so that tests of a hostile one
-- exercise the extension and not them.
ALTER FUNCTION regress.mask(text) SET search_path = pg_catalog;
ALTER FUNCTION regress.try(text) SET search_path = pg_catalog, public;

-- regress.fingerprint(): row counts of every table a function writes, to
-- show that a failed call left nothing behind.
CREATE FUNCTION regress.fingerprint() RETURNS text LANGUAGE sql AS $$
	SELECT format('orders=%s lines=%s history=%s ledger=%s stock_reserved=%s',
		(SELECT count(*) FROM salesorder.sales_order),
		(SELECT count(*) FROM salesorder.order_line),
		(SELECT count(*) FROM salesorder.order_status_history),
		(SELECT count(*) FROM salesorder.stock_movement),
		(SELECT coalesce(sum(reserved), 0) FROM salesorder.stock))
$$;

-- Helpers several tests use: an order of ACME, an order's status, stock
-- and lines at a glance.
CREATE FUNCTION regress.new_order(draft boolean DEFAULT false) RETURNS bigint
LANGUAGE sql AS $$
	SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]',
		jsonb_build_object('draft', draft))
$$;
CREATE FUNCTION regress.status(order_id bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT status::text || coalesce(' (held from ' || hold_from || ')', '')
	FROM salesorder.sales_order WHERE id = order_id
$$;
CREATE FUNCTION regress.stock(w bigint, p bigint) RETURNS text LANGUAGE sql AS $$
	SELECT format('on_hand=%s reserved=%s available=%s', s.on_hand, s.reserved,
				  s.on_hand - s.reserved)
	FROM salesorder.stock s WHERE s.warehouse_id = w AND s.product_id = p
$$;
CREATE FUNCTION regress.lines(o bigint) RETURNS TABLE (line_no int, qty numeric,
	reserved numeric, backorder numeric, shipped numeric) LANGUAGE sql AS $$
	SELECT line_no, qty, reserved_qty, backorder_qty, shipped_qty
	FROM salesorder.order_line WHERE order_id = o ORDER BY line_no
$$;

-- regress.some_history(): what a suite leaves behind, for the tests that
-- check the reports and the checkpoints over varied orders: 27 orders of
-- ACME and BOB in every status (shipped, partly shipped, delivered,
-- completed, cancelled, in production, on hold, changed, approved, pending,
-- rejected, draft).
CREATE FUNCTION regress.some_history() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	o bigint;
	i integer;
BEGIN
	PERFORM pg_catalog.set_config('salesorder.allow_self_approval', 'on', true);
	INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
	VALUES ('history review', 'amount_over', 1000, 'finance', current_user);
	FOR i IN 1..24 LOOP
		o := salesorder.create_order(CASE WHEN i % 2 = 0 THEN 1 ELSE 2 END,
			jsonb_build_array(
				jsonb_build_object('sku', 'TEE-BLK-M', 'qty', 1 + i % 5),
				jsonb_build_object('sku', CASE WHEN i % 3 = 0 THEN 'JKT-ALP-M' ELSE 'CAP-RED' END,
								   'qty', 1 + i % 4)));
		CASE i % 12
			WHEN 1 THEN PERFORM salesorder.ship(o);
			WHEN 2 THEN PERFORM salesorder.ship(o, '[{"line_no": 1, "qty": 1}]');
			WHEN 3 THEN PERFORM salesorder.cancel(o, 'history');
			WHEN 4 THEN PERFORM salesorder.ship(o); PERFORM salesorder.deliver(o);
			WHEN 5 THEN PERFORM salesorder.ship(o); PERFORM salesorder.complete(o);
			WHEN 6 THEN PERFORM salesorder.set_stage(o, 'assembling');
			WHEN 7 THEN PERFORM salesorder.hold(o, 'history');
			WHEN 8 THEN PERFORM salesorder.request_change(o,
								'{"lines": [{"line_no": 1, "qty": 9}]}', 'history');
			ELSE NULL;
		END CASE;
	END LOOP;
	o := salesorder.create_order(1, '[{"sku": "JKT-ALP-M", "qty": 10}]');
	o := salesorder.create_order(2, '[{"sku": "JKT-ALP-M", "qty": 9}]');
	PERFORM salesorder.reject(o, 'history');
	o := salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}');
	UPDATE salesorder.approval_rule SET active = false WHERE name = 'history review';
	RETURN (SELECT pg_catalog.count(*) || ' orders' FROM salesorder.sales_order);
END $$;

-- Fixture.
INSERT INTO salesorder.warehouse (code, name, region) VALUES
	('WH-N', 'North DC', 'North'),
	('WH-S', 'South DC', 'South'),
	('WH-X', 'Closed DC', 'East');
UPDATE salesorder.warehouse SET active = false WHERE code = 'WH-X';

INSERT INTO salesorder.customer
	(code, name, region, segment, credit_limit, on_credit_hold,
	 default_ship_to, default_warehouse_id, sales_rep) VALUES
	('ACME', 'Acme Corp', 'North', 'enterprise', 100000, false,
	 '1 Main St, Northtown', 1, 'regress_rep_alice'),
	('BOB', 'Bob''s Shop', 'South', 'retail', 5000, false,
	 '9 Side Rd, Southville', 2, 'regress_rep_bob'),
	('HOLD', 'Late Payer Ltd', 'North', 'smb', 1000, true,
	 '7 Debt Ln', 1, 'regress_rep_alice'),
	('BARE', 'No Defaults Inc', 'East', 'smb', 1000, false,
	 NULL, NULL, NULL),
	('GONE', 'Former Customer', 'South', 'retail', 0, false,
	 '1 Old Rd', 2, 'regress_rep_bob');
UPDATE salesorder.customer SET active = false WHERE code = 'GONE';

INSERT INTO salesorder.product (sku, name, category, list_price, attributes) VALUES
	('TEE-BLK-M', 'Tee black M', 'shirts', 9.50, '{"colour": "black", "size": "M"}'),
	('TEE-BLK-L', 'Tee black L', 'shirts', 9.90, '{"colour": "black", "size": "L"}'),
	('JKT-ALP-M', 'Alpine jacket M', 'jackets', 120.00, '{"model": "alpine", "size": "M"}'),
	('CAP-RED', 'Red cap', 'accessories', 0.3333, '{}'),
	('OLD-1', 'Discontinued', 'shirts', 5.00, '{}');
UPDATE salesorder.product SET active = false WHERE sku = 'OLD-1';

-- Stock: plenty of everything in the North and South warehouses.
SELECT count(*) AS stocked
FROM salesorder.warehouse w
CROSS JOIN salesorder.product p
CROSS JOIN LATERAL salesorder.receive_stock(w.id, p.id, 1000, 'opening stock') r
WHERE w.code IN ('WH-N', 'WH-S') AND p.active \gset

RESET client_min_messages;
\set ECHO all
