--
-- setup: the extension, test helpers and a small fixture shared by the
-- regression tests that follow (they run in order in one database).
--
CREATE EXTENSION salesorder;

SELECT extname, extversion, extrelocatable, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'salesorder';

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
SELECT w.code, p.sku, r.on_hand, r.reserved
FROM salesorder.warehouse w
CROSS JOIN salesorder.product p
CROSS JOIN LATERAL salesorder.receive_stock(w.id, p.id, 1000, 'opening stock') r
WHERE w.code IN ('WH-N', 'WH-S') AND p.active
ORDER BY 1, 2;

SELECT regress.fingerprint();
