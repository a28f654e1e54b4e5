--
-- exposure: each customer's credit exposure as a running figure --
-- every function that moves it, a user's own status UPDATE, what a credit
-- check reads, failed calls that move nothing, verify and rebuild.
--
\set test_db regress_exposure
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
CREATE ROLE regress_expo_fin NOLOGIN;
CREATE ROLE regress_expo_ann LOGIN IN ROLE salesorder_approver, regress_expo_fin;
CREATE ROLE regress_expo_rep LOGIN IN ROLE salesorder_sales;

-- Only this file's rule is active here; the others come back at the end.
CREATE TEMP TABLE saved_rules AS SELECT id, active FROM salesorder.approval_rule;
UPDATE salesorder.approval_rule SET active = false;
INSERT INTO salesorder.approval_rule (name, kind, department, approver_role, active)
VALUES ('expo credit', 'credit_exceeded', 'finance', 'regress_expo_fin', true);

INSERT INTO salesorder.warehouse (code, name, region) VALUES ('WH-EXPO', 'Exposure DC', 'North');
SELECT id AS wh FROM salesorder.warehouse WHERE code = 'WH-EXPO' \gset
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id, sales_rep)
VALUES ('EXPO', 'Exposure Ltd', 'North', 'smb', 1000, '3 Ledger Way', :wh, 'regress_expo_rep');
SELECT id AS cust FROM salesorder.customer WHERE code = 'EXPO' \gset
INSERT INTO salesorder.product (sku, name, category, list_price)
VALUES ('EXP-A', 'Exposure A', 'widgets', 10), ('EXP-B', 'Exposure B', 'widgets', 3.33);
SELECT count(*) AS received FROM salesorder.product p,
	LATERAL salesorder.receive_stock(:wh, p.id, 500) r
WHERE p.sku LIKE 'EXP-%';

-- The running figure, the sum it replaces, and whether verify agrees.
CREATE FUNCTION regress.exposure(customer bigint)
RETURNS TABLE (kept numeric, credit_exposure numeric, verified boolean)
LANGUAGE sql AS $$
	SELECT (SELECT e.open_amount FROM salesorder.customer_exposure e WHERE e.customer_id = customer),
		   salesorder.credit_exposure(customer),
		   NOT EXISTS (SELECT 1 FROM salesorder.verify_credit_exposure())
$$;

-- A draft adds nothing; submitting adds its total.
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 2}]', '{"draft": true}') AS o1 \gset
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.submit_order(:o1);
SELECT * FROM regress.exposure(:cust);

-- An order submitted at creation adds its total: 3 x 3.33 + 10.
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-B", "qty": 3}, {"sku": "EXP-A", "qty": 1}]') AS o2 \gset
SELECT * FROM regress.exposure(:cust);

-- A partial shipment leaves what is open of each line: round(9.99 * 2/3, 2) + 10.
SELECT salesorder.ship(:o2, '[{"line_no": 1, "qty": 1}]');
SELECT * FROM regress.exposure(:cust);

-- Holds, releases and production move nothing.
SELECT salesorder.hold(:o2, 'customer called');
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.release_hold(:o2);
SELECT salesorder.set_stage(:o1, 'assembling');
SELECT * FROM regress.exposure(:cust);

-- A change request applied to the partially shipped order: line 2 doubles.
SELECT salesorder.request_change(:o2, '{"lines": [{"line_no": 2, "qty": 2}]}', 'more') AS cr \gset
SELECT status FROM salesorder.change_request WHERE id = :cr;
SELECT * FROM regress.exposure(:cust);

-- Short-closing takes the open rest away; cancelling the whole total.
SELECT salesorder.complete(:o2);
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 5}]') AS o3 \gset
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.cancel(:o3, 'duplicate');
SELECT * FROM regress.exposure(:cust);

-- The credit check reads the running figure: 20 open plus 990 is above
-- the limit of 1,000, and the step shows the figures.
SET ROLE regress_expo_rep;
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 99}]') AS o4 \gset
RESET ROLE;
SELECT status FROM salesorder.sales_order WHERE id = :o4;
SELECT s.reason, s.figures ->> 'exposure' AS exposure
FROM salesorder.approval_step s WHERE s.order_id = :o4;
SELECT * FROM regress.exposure(:cust);
-- Under review it counts; rejected it does not.
SET ROLE regress_expo_ann;
SELECT salesorder.reject(:o4, 'over the limit');
RESET ROLE;
SELECT * FROM regress.exposure(:cust);
-- The same amount again, now within the limit: nothing fires.
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 98}]') AS o5 \gset
SELECT status FROM salesorder.sales_order WHERE id = :o5;
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.cancel(:o5, 'not needed');

-- A failed call moves nothing: shipping more than is open, an unknown
-- line.
SELECT salesorder.set_stage(:o1, 'packed');
SELECT * FROM regress.try(format($$SELECT salesorder.ship(%s, '[{"line_no": 1, "qty": 3}]')$$, :o1));
SELECT * FROM regress.try(format($$SELECT salesorder.ship(%s, '[{"line_no": 9, "qty": 1}]')$$, :o1));
SELECT * FROM regress.exposure(:cust);

-- A user's own status UPDATE is followed as well.  No built-in move that a
-- plain UPDATE may make changes the exposure; an administrator's may.
BEGIN;
INSERT INTO salesorder.status_transition (from_status, to_status, description, made_by, direct_ok)
VALUES ('in_production', 'approved', 'back to the queue', 'UPDATE', true);
UPDATE salesorder.status_transition SET direct_ok = true
WHERE from_status = 'approved' AND to_status = 'shipped';
UPDATE salesorder.sales_order SET status = 'approved' WHERE id = :o1;
SELECT * FROM regress.exposure(:cust);
UPDATE salesorder.sales_order SET status = 'shipped' WHERE id = :o1;
SELECT * FROM regress.exposure(:cust);
ROLLBACK;
SELECT * FROM regress.exposure(:cust);

-- Inside a savepoint that is rolled back, the figure rolls back with the
-- order; the next call in the transaction is counted once.
BEGIN;
SAVEPOINT s;
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 4}]') IS NOT NULL AS created;
SELECT * FROM regress.exposure(:cust);
ROLLBACK TO SAVEPOINT s;
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-A", "qty": 3}]') AS o6 \gset
SELECT * FROM regress.exposure(:cust);
COMMIT;
SELECT salesorder.cancel(:o6, 'test');

-- A TRUNCATE of the orders takes their exposure with them (rolled back).
BEGIN;
SET LOCAL client_min_messages = warning;
TRUNCATE salesorder.sales_order CASCADE;
SELECT count(*) AS exposure_rows, (SELECT count(*) FROM salesorder.verify_credit_exposure()) AS problems
FROM salesorder.customer_exposure;
ROLLBACK;

-- verify_credit_exposure() finds a figure written around the functions,
-- and rebuild_credit_exposure() puts it right.
UPDATE salesorder.customer_exposure SET open_amount = 5 WHERE customer_id = :cust;
SELECT customer_id = :cust AS this_customer, open_amount, orders_open_amount
FROM salesorder.verify_credit_exposure();
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM regress.try('SELECT salesorder.rebuild_credit_exposure()');
ROLLBACK;
SELECT salesorder.rebuild_credit_exposure() AS customers_fixed;
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.rebuild_credit_exposure() AS customers_fixed;

-- Only administrators read the figure and run the checks; everybody else
-- asks credit_exposure(), which checks who may see the customer.
SET ROLE regress_expo_rep;
SELECT * FROM regress.try('SELECT * FROM salesorder.customer_exposure');
SELECT * FROM regress.try('SELECT * FROM salesorder.verify_credit_exposure()');
SELECT * FROM regress.try('SELECT salesorder.rebuild_credit_exposure()');
SELECT * FROM regress.try(format('SELECT salesorder.order_exposure(%L, NULL, 1, 1)', 'approved'));
SELECT salesorder.credit_exposure(:cust) AS rep_sees;
RESET ROLE;
SET ROLE salesorder_admin;
SELECT count(*) AS admin_problems FROM salesorder.verify_credit_exposure();
RESET ROLE;

-- Every customer, not just this one.
SELECT count(*) AS problems FROM salesorder.verify_credit_exposure();

-- The figure is kept only while an active credit rule reads it (2.0).
-- Without one, orders write no exposure row, credit_exposure() sums the
-- open orders, and there is nothing to verify; a credit rule that becomes
-- active again rebuilds the figure from the orders, as it stands.
SELECT salesorder.credit_exposure(:cust) AS exposure_before \gset
UPDATE salesorder.approval_rule SET active = false WHERE name = 'expo credit';
SELECT count(*) AS rows_without_rule, salesorder.credit_exposure(:cust) = :exposure_before AS summed_the_same
FROM salesorder.customer_exposure;
SELECT salesorder.create_order(:cust, '[{"sku": "EXP-B", "qty": 3}]') AS unkept \gset
SELECT count(*) AS rows_after_an_order, salesorder.credit_exposure(:cust) - :exposure_before AS added
FROM salesorder.customer_exposure;
SELECT count(*) AS nothing_to_verify FROM salesorder.verify_credit_exposure();
UPDATE salesorder.approval_rule SET active = true WHERE name = 'expo credit';
SELECT * FROM regress.exposure(:cust);
SELECT salesorder.cancel(:unkept, 'kept again');
SELECT * FROM regress.exposure(:cust);
-- A rule of another kind leaves the figure alone; changing a credit rule
-- must run at READ COMMITTED, and writes nothing otherwise.
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role, active)
VALUES ('expo big', 'amount_over', 1e9, 'finance', 'regress_expo_fin', false);
SELECT * FROM regress.exposure(:cust);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM regress.try($$UPDATE salesorder.approval_rule SET threshold = 5
	WHERE name = 'expo credit'$$);
ROLLBACK;
SELECT threshold IS NULL AS threshold_unchanged FROM salesorder.approval_rule WHERE name = 'expo credit';

-- Leave the rules as they were; the rule stays (its steps name it).
UPDATE salesorder.approval_rule SET active = false WHERE name = 'expo credit';
UPDATE salesorder.approval_rule r SET active = s.active FROM saved_rules s WHERE s.id = r.id;
DROP OWNED BY regress_expo_ann, regress_expo_rep;
DROP ROLE regress_expo_ann, regress_expo_rep, regress_expo_fin;

\i sql/include/leave_database.sql
