--
-- clients: what drivers send and read.  Python's Decimal and node-postgres
-- return numeric columns as strings; sent back inside the lines' JSON they
-- are exact decimals, as JSON numbers are.
--
\set test_db regress_clients
\i sql/include/fresh_database.sql
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
-- What comes back in JSON is the exact decimal, as text: a parser told to
-- read decimals gets the column's value.
SELECT (SELECT count(*) FROM jsonb_array_elements(salesorder.order_snapshot(:strings) -> 'lines') j
		JOIN salesorder.order_line l ON l.order_id = :strings AND l.line_no = (j ->> 'line_no')::int
		WHERE (j ->> 'unit_price') = l.unit_price::text
		  AND (j ->> 'amount') = l.amount::text AND (j ->> 'qty') = l.qty::text) AS exact_lines,
	   salesorder.order_snapshot(:strings) -> 'header' ->> 'total_amount' AS total_text;
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

-- Orders in every status, as a suite leaves them.
SELECT regress.some_history() AS history;

-- Event consumers: salesorder_consumer reads the whole outbox -- every
-- customer's events -- and nothing else.
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
CREATE ROLE regress_erp LOGIN IN ROLE salesorder_consumer;
SET ROLE regress_erp;
SELECT count(DISTINCT customer_id) > 1 AS every_customer,
	   count(*) = 50 AS a_page
FROM salesorder.events_since(0, 50);
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.sales_order');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.order_tracking');
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
-- Filters: by kind, by customer, both; the page is of matching events.
SELECT count(*) AS shipments, bool_and(kind = 'shipment') AS only_shipments
FROM salesorder.events_since(0, 100000, ARRAY['shipment']);
SELECT count(*) = (SELECT count(*) FROM salesorder.order_event WHERE kind = 'shipment')
	   AS every_shipment
FROM salesorder.events_since(0, 100000, ARRAY['shipment']);
SELECT bool_and(customer_id = :acme) AS only_acme, count(*) > 0 AS some
FROM salesorder.events_since(0, 100000, NULL, :acme);
SELECT count(*) = 3 AS page_of_three, bool_and(kind IN ('created', 'submitted')) AS kinds
FROM salesorder.events_since(0, 3, ARRAY['created', 'submitted'], :acme);
-- A kind that is not one (a typo) is refused, not silently matched by nothing.
SELECT state, message, detail
FROM regress.try($$SELECT count(*) FROM salesorder.events_since(0, 100, ARRAY['no_such_kind'])$$);
-- A consumer registers and acknowledges, as retention needs.
SELECT salesorder.ack_events('regress_erp', (SELECT max(id) FROM salesorder.events_since(0, 10))) > 0 AS acked;
RESET ROLE;
SELECT salesorder.drop_event_consumer('regress_erp');

-- Who holds the horizon back: a transaction that wrote an event, until it
-- ends.
SELECT count(*) AS holders_when_idle FROM salesorder.event_horizon_holders;
BEGIN;
SELECT salesorder.create_order(:acme, '[{"sku": "TEE-BLK-M", "qty": 1}]') > 0 AS ordered;
SELECT count(*) AS holders, bool_and(pid = pg_backend_pid()) AS this_session,
	   bool_and(holds_horizon_at < salesorder.event_horizon() + 1) AS at_or_below_horizon,
	   bool_and(state = 'active') AS state_known
FROM salesorder.event_horizon_holders;
ROLLBACK;
SELECT count(*) AS holders_after_rollback FROM salesorder.event_horizon_holders;
SET ROLE regress_erp;
SELECT count(*) >= 0 AS consumer_reads_holders FROM salesorder.event_horizon_holders;
RESET ROLE;
DROP ROLE regress_erp;

\i sql/include/leave_database.sql
