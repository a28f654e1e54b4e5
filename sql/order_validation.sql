--
-- order_validation: every bad argument of create_order is refused with a
-- stable SQLSTATE and a clear message, and nothing is written.
--
SELECT regress.fingerprint() AS before \gset

-- The shape of lines.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '{"sku": "TEE-BLK-M"}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '5')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[1, 2]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[[{"sku": "TEE-BLK-M", "qty": 1}]]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "product_id": 1, "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M"}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1, "colour": "red"}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": 42, "qty": 1}]')$$);

-- Quantities.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 0}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": -3}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": "5"}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": null}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1.0005}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1e20}]')$$);

-- Prices and discounts.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": -0.01}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": 1.00001}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1, "discount_pct": 100.5}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1, "discount_pct": -1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 99999999999, "unit_price": 9999999999}]')$$);

-- Products.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"product_id": 1.5, "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"product_id": "1", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"product_id": 0, "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"product_id": 1e30, "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}, {"product_id": 999, "qty": 1}, {"sku": "NOPE", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "OLD-1", "qty": 1}]')$$);

-- Customers.
SELECT * FROM regress.try($$SELECT salesorder.create_order(999, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(NULL, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, NULL)$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order((SELECT id FROM salesorder.customer WHERE code = 'GONE'), '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order((SELECT id FROM salesorder.customer WHERE code = 'HOLD'), '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order((SELECT id FROM salesorder.customer WHERE code = 'BARE'), '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order((SELECT id FROM salesorder.customer WHERE code = 'BARE'), '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"warehouse_id": 1}')$$);

-- Options.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '[]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"rush": true}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"requested_date": "next tuesday"}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"requested_date": "2026-02-30"}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": "yes"}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"idempotency_key": ""}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"warehouse_id": 99}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"warehouse_id": 3}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"ship_to": ""}')$$);

-- Malformed JSON never reaches the function: the jsonb input rejects it.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": NaN}]')$$);

-- Too many lines.
SELECT * FROM regress.try(format('SELECT salesorder.create_order(1, %L)',
	(SELECT jsonb_agg(jsonb_build_object('sku', 'TEE-BLK-M', 'qty', 1)) FROM generate_series(1, 10001))));

-- Nothing of all this was written.
SELECT regress.fingerprint() = :'before' AS nothing_written;

-- The largest order that fits is accepted: 10,000 lines in one call.
SELECT salesorder.create_order(1,
	(SELECT jsonb_agg(jsonb_build_object('sku', 'TEE-BLK-L', 'qty', 1)) FROM generate_series(1, 10000)),
	'{"draft": true}') AS big_id
\gset
SELECT o.line_count, o.total_amount,
	(SELECT count(*) FROM salesorder.order_line l WHERE l.order_id = o.id) AS lines
FROM salesorder.sales_order o WHERE o.id = :big_id;
