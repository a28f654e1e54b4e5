--
-- roles: create_roles(), the grants, identity through SET ROLE, and the
-- rule that a sales rep acts only for the customers assigned to them.
--
\set test_db regress_roles
\i sql/include/fresh_database.sql

-- The roles may already exist on a shared server; the second call creates none.
SELECT count(*) >= 0 AS created FROM salesorder.create_roles();
SELECT count(*) AS created_again FROM salesorder.create_roles();
-- The grants are rows of role_grant; create_roles() grants only objects of
-- schema salesorder, whoever wrote the rows, and grants nothing then.
SELECT count(*) > 200 AS grant_rows FROM salesorder.role_grant;
BEGIN;
INSERT INTO salesorder.role_grant (role, privilege, on_kind, object)
VALUES ('salesorder_sales', 'SELECT', 'TABLE', 'pg_catalog.pg_authid');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.create_roles()');
SELECT has_table_privilege('salesorder_sales', 'pg_catalog.pg_authid', 'SELECT') AS sales_reads_authid;
ROLLBACK;
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'salesorder\_%' ORDER BY rolname;
-- Nothing is granted to PUBLIC but the row-level security helpers and the
-- status sets (constants the views use).
SELECT p.proname AS public_execute FROM pg_proc p
WHERE p.pronamespace = 'salesorder'::regnamespace
  AND has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY 1;
-- Every function pins its search_path -- but aggregates (which cannot) and
-- their C support functions, which run no SQL and take internal state (a
-- pinned path would cost a configuration switch on every row).
SELECT p.proname FROM pg_proc p
WHERE p.pronamespace = 'salesorder'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
  AND p.prokind <> 'a'
  AND NOT ('internal'::regtype = ANY (p.proargtypes) OR p.prorettype = 'internal'::regtype)
ORDER BY 1;
SELECT p.proname, p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AS is_c
FROM pg_proc p
WHERE p.pronamespace = 'salesorder'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
  AND p.prokind <> 'a'
ORDER BY 1, 2;

CREATE ROLE regress_rep_alice LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_rep_bob LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_clerk LOGIN IN ROLE salesorder_warehouse;
CREATE ROLE regress_boss LOGIN IN ROLE salesorder_admin;
CREATE ROLE regress_outsider LOGIN;

-- Identity: SET ROLE is enough, as an application pool does per request.
SET ROLE regress_rep_alice;
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS alice_order \gset
SELECT created_by, sales_rep FROM salesorder.sales_order WHERE id = :alice_order;
SELECT changed_by, to_status FROM salesorder.order_status_history
WHERE order_id = :alice_order ORDER BY id;
SELECT salesorder.hold(:alice_order, 'waiting for PO');
SELECT changed_by, to_status, reason FROM salesorder.order_status_history
WHERE order_id = :alice_order ORDER BY id DESC LIMIT 1;
SELECT salesorder.release_hold(:alice_order);

-- Alice cannot act for Bob's customer, by any path.
RESET ROLE;
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}') AS bob_order \gset
SELECT regress.fingerprint() AS before \gset
SET ROLE regress_rep_alice;
SELECT * FROM regress.try($$SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :bob_order, 'mine now'));
SELECT * FROM regress.try(format('SELECT salesorder.copy_order(%s)', :bob_order));
SELECT * FROM regress.try(format('SELECT salesorder.submit_order(%s)', :bob_order));
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET notes = %L WHERE id = %s', 'x', :bob_order));
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (%s, 1, 1)', :bob_order));
-- Nor write what the functions maintain, nor deliver.
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET total_amount = 0 WHERE id = %s', :alice_order));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'cancelled' WHERE id = %s$$, :alice_order));
SELECT * FROM regress.try('UPDATE salesorder.stock SET reserved = 0');
SELECT * FROM regress.try(format('SELECT salesorder.deliver(%s)', :alice_order));
RESET ROLE;
SELECT regress.fingerprint() = :'before' AS nothing_written;
-- (Row-level security hides Bob's order from Alice: her UPDATE matched nothing.)
SELECT notes IS NULL AS notes_untouched FROM salesorder.sales_order WHERE id = :bob_order;

-- Bob can work on his own customer's draft directly.
SET ROLE regress_rep_bob;
INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (:bob_order, 2, 1);
SELECT salesorder.submit_order(:bob_order);
RESET ROLE;

-- The warehouse delivers and completes; it cannot create orders.
SELECT salesorder.ship(:alice_order);
SET ROLE regress_clerk;
SELECT salesorder.deliver(:alice_order);
SELECT salesorder.complete(:alice_order);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
RESET ROLE;
SELECT changed_by, from_status, to_status FROM salesorder.order_status_history
WHERE order_id = :alice_order ORDER BY id DESC LIMIT 2;

-- An admin acts for every customer and manages master data.
SET ROLE regress_boss;
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-M", "qty": 1}]') IS NOT NULL AS admin_ok;
UPDATE salesorder.customer SET credit_limit = 6000 WHERE code = 'BOB';
RESET ROLE;

-- Somebody without a salesorder role can do nothing.
SET ROLE regress_outsider;
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.sales_order');
RESET ROLE;

-- A hostile search_path changes nothing: the functions pin theirs.
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
CREATE FUNCTION regress_evil.lpad(text, integer, text) RETURNS text LANGUAGE sql AS $$ SELECT 'EVIL' $$;
SET search_path = regress_evil, public;
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]') AS evil_order \gset
RESET search_path;
SELECT order_no LIKE 'SO-' || to_char(now(), 'YYYY') || '-%' AS real_order_no,
	   created_at > '2001-01-01' AS real_now
FROM salesorder.sales_order WHERE id = :evil_order;
DROP SCHEMA regress_evil CASCADE;

DROP OWNED BY regress_rep_alice, regress_rep_bob, regress_clerk, regress_boss, regress_outsider;
DROP ROLE regress_rep_alice, regress_rep_bob, regress_clerk, regress_boss, regress_outsider;

\i sql/include/leave_database.sql
