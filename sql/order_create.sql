--
-- order_create: create_order with customer defaults, prices, amounts,
-- options, drafts, idempotency, and copy_order.
--
\set test_db regress_order_create
\i sql/include/fresh_database.sql

-- An order from the customer's defaults: ship-to, warehouse and sales rep
-- come from the customer; prices default to the list price.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'ACME'),
	'[{"sku": "TEE-BLK-M", "qty": 5},
	  {"product_id": 3, "qty": 2, "discount_pct": 5, "note": "gift wrap"}]') AS first_id
\gset

SELECT order_no ~ '^SO-\d{4}-\d{6}$' AS order_no_ok,
	   order_no = 'SO-' || to_char(now(), 'YYYY') || '-' || lpad(o.id::text, 6, '0') AS order_no_from_id,
	   status, status_reason, revision, ship_to, w.code AS warehouse, o.sales_rep,
	   line_count, gross_amount, discount_amount, total_amount,
	   created_by = current_user AS created_by_caller,
	   submitted_at IS NOT NULL AS submitted, requested_date, notes
FROM salesorder.sales_order o JOIN salesorder.warehouse w ON w.id = o.warehouse_id
WHERE o.id = :first_id;

SELECT line_no, p.sku, qty, unit_price, discount_pct, amount, note,
	   reserved_qty, backorder_qty, shipped_qty, l.customer_id = o.customer_id AS customer_ok
FROM salesorder.order_line l
JOIN salesorder.product p ON p.id = l.product_id
JOIN salesorder.sales_order o ON o.id = l.order_id
WHERE l.order_id = :first_id ORDER BY line_no;

SELECT from_status, to_status, changed_by = current_user AS by_caller, reason
FROM salesorder.order_status_history WHERE order_id = :first_id ORDER BY id;

-- Options override the defaults; explicit prices win over list prices.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'ACME'),
	'[{"sku": "TEE-BLK-L", "qty": 1.5, "unit_price": 8}]',
	'{"warehouse_id": 2, "ship_to": "Dock 4, Harbour Rd", "requested_date": "2026-12-24",
	  "promised_date": "2026-12-20", "special_requirements": "call before delivery",
	  "notes": "rush"}') AS opt_id
\gset
SELECT w.code AS warehouse, ship_to, requested_date, promised_date,
	   special_requirements, notes, total_amount
FROM salesorder.sales_order o JOIN salesorder.warehouse w ON w.id = o.warehouse_id
WHERE o.id = :opt_id;

-- Rounding: each line is rounded once, half away from zero, after the
-- discount: 3 x 0.3333 = 0.9999 -> gross 1.00; x (100 - 33.33)% = 0.66663 -> 0.67.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'ACME'),
	'[{"sku": "CAP-RED", "qty": 3, "discount_pct": 33.33},
	  {"sku": "CAP-RED", "qty": 0.015, "unit_price": 1},
	  {"sku": "CAP-RED", "qty": 0.005, "unit_price": 1}]') AS round_id
\gset
SELECT line_no, qty, unit_price, discount_pct, amount,
	   amount = round(qty * unit_price * (100 - discount_pct) / 100, 2) AS formula
FROM salesorder.order_line WHERE order_id = :round_id ORDER BY line_no;
SELECT gross_amount, discount_amount, total_amount,
	   total_amount = (SELECT sum(amount) FROM salesorder.order_line WHERE order_id = :round_id) AS total_is_sum
FROM salesorder.sales_order WHERE id = :round_id;

-- The same product on two lines stays two lines.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'BOB'),
	'[{"sku": "TEE-BLK-M", "qty": 1}, {"sku": "TEE-BLK-M", "qty": 2}]') AS twice_id
\gset
SELECT line_no, qty FROM salesorder.order_line WHERE order_id = :twice_id ORDER BY line_no;

-- A draft is not submitted: no submission time, one history row.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'ACME'),
	'[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}') AS draft_id
\gset
SELECT status, status_reason, submitted_at IS NULL AS not_submitted
FROM salesorder.sales_order WHERE id = :draft_id;
SELECT from_status, to_status, reason FROM salesorder.order_status_history
WHERE order_id = :draft_id ORDER BY id;

-- A customer on credit hold may still save drafts.
SELECT salesorder.create_order(
	(SELECT id FROM salesorder.customer WHERE code = 'HOLD'),
	'[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}') AS hold_draft_id
\gset
SELECT status FROM salesorder.sales_order WHERE id = :hold_draft_id;

-- Idempotency: the same key for the same customer returns the same order
-- and writes nothing the second time.
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]',
	'{"idempotency_key": "req-42"}') AS idem_id
\gset
SELECT regress.fingerprint() AS before \gset
SELECT salesorder.create_order(1, '[{"sku": "JKT-ALP-M", "qty": 9}]',
	'{"idempotency_key": "req-42"}') = :idem_id AS same_order;
SELECT regress.fingerprint() = :'before' AS nothing_written;
SELECT count(*) FROM salesorder.sales_order WHERE idempotency_key = 'req-42';
-- Another key, or the same key for another customer, is another request.
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]',
	'{"idempotency_key": "req-43"}') <> :idem_id AS other_key_new_order;
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-M", "qty": 1}]',
	'{"idempotency_key": "req-42"}') <> :idem_id AS other_customer_new_order;

-- copy_order: a reorder takes the source's customer, warehouse, ship-to,
-- notes and lines, at today's list prices; dates are not copied.
UPDATE salesorder.product SET list_price = 10.00 WHERE sku = 'TEE-BLK-M';
SELECT salesorder.copy_order(:first_id) AS copy_id
\gset
SELECT o.customer_id = s.customer_id AS same_customer,
	   o.warehouse_id = s.warehouse_id AS same_warehouse,
	   o.ship_to = s.ship_to AS same_ship_to,
	   o.source_order_id = s.id AS linked, o.status, o.requested_date,
	   o.total_amount AS new_total, s.total_amount AS old_total
FROM salesorder.sales_order o JOIN salesorder.sales_order s ON s.id = :first_id
WHERE o.id = :copy_id;
SELECT line_no, p.sku, qty, unit_price, discount_pct, amount, note
FROM salesorder.order_line l JOIN salesorder.product p ON p.id = l.product_id
WHERE order_id = :copy_id ORDER BY line_no;

-- Options apply to a copy too.
SELECT salesorder.copy_order(:opt_id,
	'{"draft": true, "ship_to": "New dock", "notes": null, "warehouse_id": 1}') AS copy2_id
\gset
SELECT o.status, o.ship_to, o.notes, o.special_requirements, w.code AS warehouse
FROM salesorder.sales_order o JOIN salesorder.warehouse w ON w.id = o.warehouse_id
WHERE o.id = :copy2_id;

-- Errors of copy_order, and nothing written.
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try('SELECT salesorder.copy_order(999999)');
SELECT * FROM regress.try($$SELECT salesorder.copy_order(1, '{"colour": "red"}')$$);
SELECT * FROM regress.try('SELECT salesorder.copy_order(NULL)');
UPDATE salesorder.product SET active = false WHERE sku = 'JKT-ALP-M';
SELECT * FROM regress.try(format('SELECT salesorder.copy_order(%s)', :first_id));
UPDATE salesorder.product SET active = true WHERE sku = 'JKT-ALP-M';
SELECT regress.fingerprint() = :'before' AS nothing_written;

\i sql/include/leave_database.sql
