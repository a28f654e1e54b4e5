--
-- setup: the extension installs, and what every test file starts from --
-- a database of its own with the extension, the test helpers and a small
-- fixture (sql/include/fresh_database.sql) -- so that each file runs the
-- same alone (make installcheck REGRESS=stock) as after the others.
--
\set test_db regress_setup
\i sql/include/fresh_database.sql

SELECT extname, extversion, extrelocatable, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'salesorder';

-- The fixture: three warehouses (one closed), five customers (one on credit
-- hold, one without defaults, one inactive), five products (one inactive),
-- plenty of stock of every active product in the North and South.
SELECT code, active FROM salesorder.warehouse ORDER BY id;
SELECT code, credit_limit, on_credit_hold, default_warehouse_id, sales_rep, active
FROM salesorder.customer ORDER BY id;
SELECT sku, list_price, active FROM salesorder.product ORDER BY id;
SELECT w.code, p.sku, s.on_hand, s.reserved
FROM salesorder.stock s
JOIN salesorder.warehouse w ON w.id = s.warehouse_id
JOIN salesorder.product p ON p.id = s.product_id
ORDER BY 1, 2;
SELECT regress.fingerprint();

-- The helpers answer: a failing statement is reported, not raised.
SELECT * FROM regress.try('SELECT 1 / 0');

\i sql/include/leave_database.sql
