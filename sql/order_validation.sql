--
-- order_validation: every bad argument of create_order is refused with a
-- stable SQLSTATE and a clear message, and nothing is written.
--
\set test_db regress_order_validation
\i sql/include/fresh_database.sql
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
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": "five"}]')$$);
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
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"product_id": "1 ", "qty": 1}]')$$);
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
-- Dates are strict YYYY-MM-DD: no infinities or words (they broke every
-- report for everyone), no DateStyle-dependent order, no time part silently
-- dropped (a UTC timestamp from a client lands on another day), and the
-- error names the key.
SELECT d AS promised_date, t.state, t.message
FROM unnest(ARRAY['-infinity', 'infinity', 'today', 'epoch', '12/24/2026', '24.12.2026',
				  '2026-12-24T23:30:00Z', '2026-12-24 00:00', '2026-1-5', ' 2026-12-24',
				  '20261224', '2026-13-01', '2026-00-10', '2025-02-29', '0000-01-01']) d,
	LATERAL regress.try(format($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', %L)$$,
		jsonb_build_object('promised_date', d))) t;
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"requested_date": 20261224}')$$);
-- A leap day is a date: the call gets past the options and fails on the
-- unknown product after them.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "NO-SUCH-SKU", "qty": 1}]', '{"requested_date": "2028-02-29", "promised_date": "2028-03-01"}')$$);

-- An unknown key is quoted whole characters only: cut at 100 bytes on a
-- character boundary, so that a client in another encoding reads the
-- message (a cut inside a character failed with 22021 under LATIN1).
SET client_encoding = 'LATIN1';
SELECT * FROM regress.try(format($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', %L)$$,
	jsonb_build_object(repeat('x', 99) || repeat(chr(233), 5), 1)));
SELECT * FROM regress.try(format($$SELECT salesorder.create_order(1, %L)$$,
	jsonb_build_array(jsonb_build_object('sku', 'TEE-BLK-M', 'qty', 1,
		repeat('y', 99) || repeat(chr(233), 5), 1))));
RESET client_encoding;
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

\i sql/include/leave_database.sql
