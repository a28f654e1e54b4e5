--
-- clients: what drivers send and read.  Python's Decimal and node-postgres
-- return numeric columns as strings; sent back inside the lines' JSON they
-- are exact decimals, as JSON numbers are.
--
SELECT id AS acme FROM salesorder.customer WHERE code = 'ACME' \gset

-- Strings holding exact decimals: quantity, price, discount, ids.
SELECT salesorder.create_order(:acme,
	'[{"sku": "TEE-BLK-M", "qty": "2", "unit_price": "12.50", "discount_pct": "10"},
	  {"product_id": "3", "qty": "1.5", "unit_price": "1.2E+2"}]') AS strings \gset
SELECT line_no, product_id, qty, unit_price, discount_pct, amount
FROM salesorder.order_line WHERE order_id = :strings ORDER BY line_no;
-- The same order written with JSON numbers is the same order.
SELECT salesorder.create_order(:acme,
	'[{"sku": "TEE-BLK-M", "qty": 2, "unit_price": 12.50, "discount_pct": 10},
	  {"product_id": 3, "qty": 1.5, "unit_price": 120}]') AS numbers \gset
SELECT (SELECT array_agg((product_id, qty, unit_price, discount_pct, amount) ORDER BY line_no)
		FROM salesorder.order_line WHERE order_id = :strings)
	 = (SELECT array_agg((product_id, qty, unit_price, discount_pct, amount) ORDER BY line_no)
		FROM salesorder.order_line WHERE order_id = :numbers) AS same_lines;
-- A float's binary noise is refused, its exact decimal string is not.
SELECT * FROM regress.try($$SELECT salesorder.create_order(1,
	'[{"sku": "TEE-BLK-M", "qty": 1, "unit_price": 0.30000000000000004}]')$$);
-- Strings that are not exact decimals, each refused with nothing written.
SELECT regress.fingerprint() AS before \gset
SELECT v AS sent, t.state, t.message, t.hint
FROM unnest(ARRAY['""', '" 1"', '"1 "', '"1,5"', '"NaN"', '"Infinity"', '"-"', '"."',
				  '"1e"', '"1e1000"', '"0x10"', '"1.2.3"', '"12.5%"']) v
CROSS JOIN LATERAL regress.try(format(
	$$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": %s}]')$$, v)) t;
SELECT * FROM regress.try($$SELECT salesorder.create_order(1,
	'[{"sku": "TEE-BLK-M", "qty": "1.0005"}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1,
	'[{"sku": "TEE-BLK-M", "qty": "-2"}]')$$);
SELECT * FROM regress.try($$SELECT salesorder.create_order(1,
	'[{"sku": "TEE-BLK-M", "qty": "1e15"}]')$$);
SELECT regress.fingerprint() = :'before' AS nothing_written;
