--
-- order_guard: what direct writes to the order tables may and may not do.
--
\set test_db regress_order_guard
\i sql/include/fresh_database.sql

-- Orders are created by the functions only.
SELECT * FROM regress.try($$INSERT INTO salesorder.sales_order
	(order_no, customer_id, warehouse_id, ship_to, created_by)
	VALUES ('X-1', 1, 1, 'here', 'me')$$);

-- A draft's header and lines can be edited directly.
SELECT regress.new_order(true) AS d \gset
UPDATE salesorder.sales_order SET notes = 'edited', ship_to = 'Gate 2' WHERE id = :d;
INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (:d, 3, 2);
INSERT INTO salesorder.order_line (order_id, product_id, qty, unit_price, discount_pct, note)
	VALUES (:d, 2, 4, 9.00, 10, 'promo');
UPDATE salesorder.order_line SET qty = 3 WHERE order_id = :d AND line_no = 1;
SELECT line_no, product_id, qty, unit_price, discount_pct, amount, note, customer_id
FROM salesorder.order_line WHERE order_id = :d ORDER BY line_no;
-- The totals follow every direct edit.
SELECT line_count, gross_amount, discount_amount, total_amount,
	   total_amount = (SELECT sum(amount) FROM salesorder.order_line WHERE order_id = :d) AS consistent
FROM salesorder.sales_order WHERE id = :d;
DELETE FROM salesorder.order_line WHERE order_id = :d AND line_no = 3;
SELECT line_count, gross_amount, discount_amount, total_amount
FROM salesorder.sales_order WHERE id = :d;

-- Rules for draft lines.
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty, reserved_qty) VALUES (%s, 1, 1, 1)', :d));
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (%s, 999, 1)', :d));
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (%s, 5, 1)', :d));
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (%s, 1, 0)', :d));
SELECT * FROM regress.try(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (999999, 1, 1)');
SELECT * FROM regress.try(format(
	'UPDATE salesorder.order_line SET line_no = 7 WHERE order_id = %s AND line_no = 1', :d));
SELECT * FROM regress.try(format(
	'UPDATE salesorder.order_line SET order_id = 1 WHERE order_id = %s AND line_no = 1', :d));
-- Computed columns of the header are never written directly.
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET total_amount = 1 WHERE id = %s', :d));
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET order_no = %L WHERE id = %s', 'SO-1', :d));
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET customer_id = 2 WHERE id = %s', :d));
SELECT regress.fingerprint() = :'before' AS nothing_written;

-- After submission, neither the header nor the lines can be edited directly.
SELECT salesorder.submit_order(:d);
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format(
	'UPDATE salesorder.sales_order SET ship_to = %L WHERE id = %s', 'elsewhere', :d));
SELECT * FROM regress.try(format(
	'INSERT INTO salesorder.order_line (order_id, product_id, qty) VALUES (%s, 1, 1)', :d));
SELECT * FROM regress.try(format(
	'UPDATE salesorder.order_line SET qty = 99 WHERE order_id = %s', :d));
SELECT * FROM regress.try(format(
	'DELETE FROM salesorder.order_line WHERE order_id = %s', :d));
SELECT * FROM regress.try(format(
	'DELETE FROM salesorder.sales_order WHERE id = %s', :d));
SELECT regress.fingerprint() = :'before' AS nothing_written;

-- A draft can be deleted, with its lines and history.
SELECT regress.new_order(true) AS gone \gset
DELETE FROM salesorder.sales_order WHERE id = :gone;
SELECT count(*) AS lines_left FROM salesorder.order_line WHERE order_id = :gone;
SELECT count(*) AS history_left FROM salesorder.order_status_history WHERE order_id = :gone;

-- Lines have no foreign key to their order (2.0): a trigger takes them with
-- it, for a delete of several drafts at once and for a TRUNCATE ... CASCADE
-- of the orders, and leaves the lines of other orders alone.
SELECT regress.new_order(true) AS gone1, regress.new_order(true) AS gone2 \gset
SELECT count(*) AS other_lines FROM salesorder.order_line
WHERE order_id NOT IN (:gone1, :gone2) \gset
DELETE FROM salesorder.sales_order WHERE id IN (:gone1, :gone2);
SELECT count(*) FILTER (WHERE order_id IN (:gone1, :gone2)) AS lines_left,
	   count(*) FILTER (WHERE order_id NOT IN (:gone1, :gone2)) = :other_lines AS others_kept
FROM salesorder.order_line;
BEGIN;
TRUNCATE salesorder.sales_order CASCADE;
SELECT count(*) AS lines_after_truncate FROM salesorder.order_line;
ROLLBACK;

-- Stock moves only through the stock functions, and the ledger with it.
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(
	'INSERT INTO salesorder.stock_movement (warehouse_id, product_id, kind, on_hand_delta, created_by) VALUES (1, 1, ''receipt'', 5, current_user)');
SELECT * FROM regress.try('UPDATE salesorder.stock_movement SET note = ''x''');
SELECT * FROM regress.try('DELETE FROM salesorder.stock_movement');
SELECT * FROM regress.try('TRUNCATE salesorder.stock_movement');
SELECT * FROM regress.try('UPDATE salesorder.stock SET on_hand = on_hand + 1');
SELECT * FROM regress.try('UPDATE salesorder.stock SET reserved = 0');
SELECT * FROM regress.try('INSERT INTO salesorder.stock (warehouse_id, product_id, on_hand) VALUES (3, 1, 5)');
SELECT * FROM regress.try('DELETE FROM salesorder.stock WHERE warehouse_id = 1');
SELECT regress.fingerprint() = :'before' AS nothing_written;
-- What a user may do: set a reorder point, add and drop an empty stock row.
UPDATE salesorder.stock SET reorder_point = 10 WHERE warehouse_id = 1 AND product_id = 1;
INSERT INTO salesorder.stock (warehouse_id, product_id, reorder_point) VALUES (3, 1, 5);
DELETE FROM salesorder.stock WHERE warehouse_id = 3;
SELECT * FROM salesorder.verify_stock();

-- What the state machine records of a move is never written directly: with
-- hold_from writable, a held order could be "released" into a status it
-- never had (past its approval steps).  status_reason goes with a move only.
SELECT regress.new_order() AS h \gset
UPDATE salesorder.sales_order SET status = 'on_hold', status_reason = 'checking' WHERE id = :h;
SELECT regress.status(:h);
SELECT regress.fingerprint() AS before \gset
SELECT hold_from, status_reason, status_changed_at AS changed_at_before
FROM salesorder.sales_order WHERE id = :h \gset
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET hold_from = 'in_production' WHERE id = %s$$, :h));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET hold_from = NULL WHERE id = %s$$, :h));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status_changed_at = '2020-01-01' WHERE id = %s$$, :h));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status_reason = 'rewritten' WHERE id = %s$$, :h));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'approved', hold_from = 'in_production' WHERE id = %s$$, :h));
SELECT regress.status(:h), status_reason,
	status_changed_at = :'changed_at_before' AS changed_at_kept
FROM salesorder.sales_order WHERE id = :h;
SELECT regress.fingerprint() = :'before' AS nothing_written;
-- A legal move with its reason is still a plain UPDATE away.
UPDATE salesorder.sales_order SET status = 'approved', status_reason = 'checked' WHERE id = :h;
SELECT regress.status(:h), status_reason FROM salesorder.sales_order WHERE id = :h;

-- References that order entry checks itself instead of by foreign key (see
-- src/reference_guard.c): a product that order lines name is not deleted,
-- product ids never change, a stock row with ledger rows stays, stock is
-- never truncated -- and verify_stock() reports what a bypass breaks.
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES
	('REF-1', 'Referenced', 'test', 5), ('REF-2', 'Never ordered', 'test', 5);
SELECT id AS ref1 FROM salesorder.product WHERE sku = 'REF-1' \gset
SELECT id AS ref2 FROM salesorder.product WHERE sku = 'REF-2' \gset
SELECT (salesorder.receive_stock(2, :ref1, 3)).on_hand;
SELECT salesorder.create_order(1, '[{"sku": "REF-1", "qty": 1}]', '{"warehouse_id": 2}') AS refo \gset
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format('DELETE FROM salesorder.product WHERE id = %s', :ref1));
SELECT * FROM regress.try(format('UPDATE salesorder.product SET id = 999999 WHERE id = %s', :ref2));
SELECT * FROM regress.try('TRUNCATE salesorder.stock');
SELECT * FROM regress.try('TRUNCATE salesorder.product CASCADE');
SELECT salesorder.cancel(:refo, 'test');
SELECT (salesorder.adjust_stock(2, :ref1, -3, 'emptied')).on_hand;
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format('DELETE FROM salesorder.stock WHERE warehouse_id = 2 AND product_id = %s', :ref1));
SELECT regress.fingerprint() = :'before' AS nothing_written,
	(SELECT count(*) FROM salesorder.product WHERE sku LIKE 'REF-%') AS products_left;
-- A product nobody ordered goes.
DELETE FROM salesorder.product WHERE id = :ref2;
-- Should a superuser bypass the guards, verify_stock(true) names the damage
-- (the full check: the quick one reads only open orders and the ledger's tail).
SET session_replication_role = replica;
DELETE FROM salesorder.product WHERE id = :ref1;
RESET session_replication_role;
SELECT warehouse_id, product_id = :ref1 AS the_product, problem FROM salesorder.verify_stock(true);
SET session_replication_role = replica;
INSERT INTO salesorder.product (id, sku, name, category, list_price) VALUES (:ref1, 'REF-1', 'Referenced', 'test', 5);
RESET session_replication_role;
SELECT count(*) AS problems FROM salesorder.verify_stock();

-- The same for warehouses, which orders name without a foreign key: a
-- warehouse that orders name stays, ids never change, a draft's warehouse
-- can only be set to one that exists, and an unused warehouse goes.
-- (Ids of their own, so that the warehouses of later files keep theirs.)
INSERT INTO salesorder.warehouse (id, code, name, region) VALUES
	(901, 'REF-W1', 'Named by an order', 'North'), (902, 'REF-W2', 'Never used', 'North');
SELECT id AS refw1 FROM salesorder.warehouse WHERE code = 'REF-W1' \gset
SELECT id AS refw2 FROM salesorder.warehouse WHERE code = 'REF-W2' \gset
SELECT salesorder.create_order(1, '[{"sku": "REF-1", "qty": 1}]',
	format('{"warehouse_id": %s, "draft": true}', :refw1)::jsonb) AS refwo \gset
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format('DELETE FROM salesorder.warehouse WHERE id = %s', :refw1));
SELECT * FROM regress.try(format('UPDATE salesorder.warehouse SET id = 999999 WHERE id = %s', :refw2));
SELECT * FROM regress.try(format('UPDATE salesorder.sales_order SET warehouse_id = 999999 WHERE id = %s', :refwo));
SELECT * FROM regress.try(format('SELECT salesorder.create_order(1, %L, %L)',
	'[{"sku": "REF-1", "qty": 1}]', '{"warehouse_id": 999999, "draft": true}'));
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM regress.try(format('DELETE FROM salesorder.warehouse WHERE id = %s', :refw2));
ROLLBACK;
SELECT regress.fingerprint() = :'before' AS nothing_written;
-- A draft moves to another existing warehouse; the unused one goes.
UPDATE salesorder.sales_order SET warehouse_id = :refw2 WHERE id = :refwo;
SELECT warehouse_id = :refw2 AS moved FROM salesorder.sales_order WHERE id = :refwo;
DELETE FROM salesorder.warehouse WHERE id = :refw1;
-- A bypass shows in verify_stock(true).
SET session_replication_role = replica;
DELETE FROM salesorder.warehouse WHERE id = :refw2;
RESET session_replication_role;
SELECT warehouse_id = :refw2 AS the_warehouse, product_id = :ref1 AS the_product, problem
FROM salesorder.verify_stock(true);
SET session_replication_role = replica;
INSERT INTO salesorder.warehouse (id, code, name, region) VALUES (:refw2, 'REF-W2', 'Never used', 'North');
RESET session_replication_role;
SELECT count(*) AS problems FROM salesorder.verify_stock();

-- A plain UPDATE's move does what the same move does when a function makes
-- it (one table, src/transition.c): an administrator who lets a cancel be
-- made by UPDATE gets its release of the stock, its report row out and its
-- change request closed, as cancel() does.
BEGIN;
INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
VALUES ('guard dates', 'change_date', 'logistics', current_user);
UPDATE salesorder.status_transition SET direct_ok = true
WHERE from_status = 'approved' AND to_status = 'cancelled';
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS direct_cancel \gset
SELECT salesorder.request_change(:direct_cancel, '{"promised_date": "2030-01-02"}', 'later') AS direct_cr \gset
SELECT reserved AS reserved_before FROM salesorder.stock s JOIN salesorder.product p ON p.id = s.product_id
WHERE p.sku = 'TEE-BLK-M' AND s.warehouse_id = (SELECT warehouse_id FROM salesorder.sales_order WHERE id = :direct_cancel) \gset
UPDATE salesorder.sales_order SET status = 'cancelled', status_reason = 'cancelled by hand'
WHERE id = :direct_cancel;
SELECT :reserved_before - s.reserved AS released, l.reserved_qty AS line_reserved
FROM salesorder.stock s JOIN salesorder.product p ON p.id = s.product_id
JOIN salesorder.order_line l ON l.order_id = :direct_cancel AND l.product_id = p.id
WHERE p.sku = 'TEE-BLK-M' AND s.warehouse_id = (SELECT warehouse_id FROM salesorder.sales_order WHERE id = :direct_cancel);
SELECT r.status AS request, r.decision_comment, s.status AS step
FROM salesorder.change_request r JOIN salesorder.approval_step s ON s.change_request_id = r.id
WHERE r.id = :direct_cr;
SELECT count(*) AS report_differs FROM (
	(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
	UNION ALL
	(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d;
SELECT count(*) AS stock_problems FROM salesorder.verify_stock();
ROLLBACK;

\i sql/include/leave_database.sql
