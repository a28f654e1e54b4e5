--
-- sod: segregation of duties holds for the person, not the role name.  A
-- person is their login (session_user) and the role they act as
-- (current_user); SET ROLE to a group role, acting through two group
-- roles, or deciding under another role name is still the same person.  An
-- application pool's login (salesorder.pool_logins) is no person: the role
-- it sets is.
--
\set test_db regress_sod
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
SELECT current_setting('salesorder.pool_logins') = session_user AS suite_login_is_a_pool;
-- Department roles are approver groups, so that SET ROLE to one keeps the
-- approver's rights.
CREATE ROLE regress_sod_fin NOLOGIN IN ROLE salesorder_approver;
CREATE ROLE regress_sod_dir NOLOGIN IN ROLE salesorder_approver;
CREATE ROLE regress_sod_log NOLOGIN IN ROLE salesorder_approver;
-- alice sells and also sits in finance and logistics; bob is in finance and
-- a director; carol is in finance; dave is a director and in logistics.
CREATE ROLE regress_sod_alice LOGIN IN ROLE salesorder_sales, salesorder_approver,
	regress_sod_fin, regress_sod_log;
CREATE ROLE regress_sod_bob LOGIN IN ROLE salesorder_approver, regress_sod_fin, regress_sod_dir;
CREATE ROLE regress_sod_carol LOGIN IN ROLE salesorder_approver, regress_sod_fin;
CREATE ROLE regress_sod_dave LOGIN IN ROLE salesorder_approver, regress_sod_dir, regress_sod_log;
-- The login of an application pool, which SET ROLEs to its users.
CREATE ROLE regress_sod_pool LOGIN IN ROLE regress_sod_alice, regress_sod_carol, regress_sod_fin;

INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep)
VALUES ('SOD', 'Duties Ltd', 'North', 'smb', 1000000, '2 Audit Way', 1, 'regress_sod_alice');
SELECT id AS cust FROM salesorder.customer WHERE code = 'SOD' \gset
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('SOD-1', 'Ledger', 'books', 100);
SELECT id AS p FROM salesorder.product WHERE sku = 'SOD-1' \gset
SELECT (salesorder.receive_stock(1, :p, 1000)).on_hand;
UPDATE salesorder.approval_rule SET active = false WHERE active;
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role, level) VALUES
	('sod large', 'amount_over', 500, 'finance', 'regress_sod_fin', 1),
	('sod very large', 'amount_over', 1000, 'director', 'regress_sod_dir', 2),
	('sod dates', 'change_date', NULL, 'logistics', 'regress_sod_log', 1);

-- 1. alice creates an order, then decides it as finance: through SET ROLE
-- to the group, or as herself through her membership.  Refused both ways.
SET SESSION AUTHORIZATION regress_sod_alice;
SELECT salesorder.create_order(:cust, '[{"sku": "SOD-1", "qty": 6}]') AS o1 \gset
SET ROLE regress_sod_fin;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o1));
SELECT * FROM regress.try(format('SELECT salesorder.reject(%s, %L)', :o1, 'no'));
RESET ROLE;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o1));
RESET SESSION AUTHORIZATION;
SELECT status, decided_by FROM salesorder.approval_step WHERE order_id = :o1;
-- Another person decides it; the step records the role and the login.
SET SESSION AUTHORIZATION regress_sod_carol;
SELECT salesorder.approve(:o1, 'checked');
RESET SESSION AUTHORIZATION;
SELECT status, decided_by, decided_login FROM salesorder.approval_step WHERE order_id = :o1;

-- 2. bob approves level 1 as finance and then level 2 as director: two
-- group roles, one person.
SET SESSION AUTHORIZATION regress_sod_alice;
SELECT salesorder.create_order(:cust, '[{"sku": "SOD-1", "qty": 12}]') AS o2 \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sod_bob;
SET ROLE regress_sod_fin;
SELECT salesorder.approve(:o2);
SET ROLE regress_sod_dir;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o2));
RESET ROLE;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o2));
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sod_dave;
SELECT salesorder.approve(:o2);
RESET SESSION AUTHORIZATION;
SELECT level, department, status, decided_by, decided_login
FROM salesorder.approval_step WHERE order_id = :o2 ORDER BY level;

-- 3. alice requests a change and approves it as logistics: refused.
SET SESSION AUTHORIZATION regress_sod_alice;
SELECT salesorder.request_change(:o1, '{"promised_date": "2027-03-01"}', 'customer asked') AS c1 \gset
SELECT status, requested_by, requested_login FROM salesorder.change_request WHERE id = :c1;
SET ROLE regress_sod_log;
SELECT * FROM regress.try(format('SELECT salesorder.approve_change(%s)', :c1));
SELECT * FROM regress.try(format('SELECT salesorder.reject_change(%s, %L)', :c1, 'no'));
RESET ROLE;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sod_dave;
SELECT salesorder.approve_change(:c1);
RESET SESSION AUTHORIZATION;
SELECT status, decided_by, decided_login FROM salesorder.change_request WHERE id = :c1;

-- 4. A pool login is no person: the role it sets is.  Declared by a
-- superuser (ALTER ROLE/DATABASE ... SET, or here SET), never by the pool.
SET salesorder.pool_logins = 'regress_sod_pool';
SET SESSION AUTHORIZATION regress_sod_pool;
SELECT * FROM regress.try($$SET salesorder.pool_logins = 'regress_sod_pool, regress_sod_bob'$$);
SET ROLE regress_sod_alice;
SELECT salesorder.create_order(:cust, '[{"sku": "SOD-1", "qty": 7}]') AS o3 \gset
SET ROLE regress_sod_carol;
SELECT salesorder.approve(:o3);
-- Through the pool, a group role the creator belongs to is the creator.
SET ROLE regress_sod_alice;
SELECT salesorder.create_order(:cust, '[{"sku": "SOD-1", "qty": 9}]') AS o5 \gset
SET ROLE regress_sod_fin;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o5));
SET ROLE regress_sod_carol;
SELECT salesorder.approve(:o5);
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT from_status, to_status, changed_by, changed_login
FROM salesorder.order_status_history WHERE order_id = :o3 ORDER BY id;
-- The same login, not declared a pool, is one person whatever role it sets.
SET salesorder.pool_logins = '';
SET SESSION AUTHORIZATION regress_sod_pool;
SET ROLE regress_sod_alice;
SELECT salesorder.create_order(:cust, '[{"sku": "SOD-1", "qty": 8}]') AS o4 \gset
SET ROLE regress_sod_carol;
SELECT * FROM regress.try(format('SELECT salesorder.approve(%s)', :o4));
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT * FROM regress.try($$SET salesorder.pool_logins = 'bad list,'$$);
RESET salesorder.pool_logins;

-- salesorder.allow_self_approval (superuser only) relaxes the rule for the
-- creator, as before.
SET salesorder.allow_self_approval = on;
SET SESSION AUTHORIZATION regress_sod_alice;
SELECT salesorder.approve(:o4, 'one-person company');
RESET SESSION AUTHORIZATION;
RESET salesorder.allow_self_approval;

UPDATE salesorder.approval_rule SET active = false WHERE name LIKE 'sod %';
DROP OWNED BY regress_sod_alice, regress_sod_bob, regress_sod_carol, regress_sod_dave,
	regress_sod_pool;
DROP ROLE regress_sod_alice, regress_sod_bob, regress_sod_carol, regress_sod_dave,
	regress_sod_pool, regress_sod_fin, regress_sod_dir, regress_sod_log;

\i sql/include/leave_database.sql
