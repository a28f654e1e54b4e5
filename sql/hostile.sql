--
-- hostile: thousands of malformed and extreme arguments to the functions
-- that take JSON.  Each call either succeeds or fails with a documented
-- SQLSTATE; the backend never crashes; failed calls write nothing (the
-- counts and the ledger balance at the end).
--
\set test_db regress_hostile
\i sql/include/fresh_database.sql
SELECT setseed(0.4242);
-- The orders of this file (the outbox of earlier ones may have been trimmed:
-- see the retention part of events.sql).
SELECT coalesce(max(id), 0) AS hostile_start FROM salesorder.sales_order \gset

CREATE FUNCTION regress.rnd(n integer) RETURNS integer LANGUAGE sql AS
$$ SELECT floor(random() * n)::integer $$;

-- A random JSON value: scalars of every kind and size, unicode, nesting.
CREATE FUNCTION regress.junk(depth integer DEFAULT 0) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k integer := regress.rnd(CASE WHEN depth > 3 THEN 14 ELSE 18 END);
	keys constant text[] := ARRAY['sku', 'product_id', 'qty', 'unit_price', 'discount_pct',
		'note', 'line_no', 'lines', 'add_lines', 'remove_lines', 'ship_to', 'draft',
		'backorder', 'warehouse_id', 'requested_date', 'promised_date',
		'idempotency_key', 'special_requirements', 'notes', 'x', '', 'qty ', 'SKU',
		'ñandú', '🙂', repeat('k', 300)];
BEGIN
	RETURN CASE k
		WHEN 0 THEN 'null'::jsonb
		WHEN 1 THEN to_jsonb(random() < 0.5)
		WHEN 2 THEN to_jsonb(regress.rnd(20) - 5)
		WHEN 3 THEN to_jsonb((random() * 1000)::numeric(12, 5))
		WHEN 4 THEN (ARRAY['1e400', '-1e400', '1e-400', '-0', '0.0000001', '99999999999.999',
						   '100000000000', '9223372036854775807', '9223372036854775808',
						   '1.5', '0', '-1'])[1 + regress.rnd(12)]::jsonb
		WHEN 5 THEN to_jsonb((ARRAY['', 'TEE-BLK-M', 'JKT-ALP-M', 'nope', 'ñandú 🙂',
								   E'tab\tnewline\n', repeat('x', 5000), '2026-12-24',
								   '2026-02-30', 'NaN', 'Infinity', '1', '-', '∞'])[1 + regress.rnd(14)])
		WHEN 6 THEN '[]'::jsonb
		WHEN 7 THEN '{}'::jsonb
		WHEN 8 THEN to_jsonb(regress.rnd(3) + 1)
		WHEN 9 THEN to_jsonb('TEE-BLK-M'::text)
		WHEN 10 THEN to_jsonb(1 + regress.rnd(3))
		WHEN 11 THEN to_jsonb(regress.rnd(100000))
		WHEN 12 THEN to_jsonb(-regress.rnd(100))
		WHEN 13 THEN to_jsonb(repeat('[', 50) || repeat(']', 50))
		WHEN 14 THEN jsonb_build_array(regress.junk(depth + 1), regress.junk(depth + 1))
		WHEN 15 THEN jsonb_build_object(keys[1 + regress.rnd(array_length(keys, 1))], regress.junk(depth + 1),
										keys[1 + regress.rnd(array_length(keys, 1))], regress.junk(depth + 1))
		WHEN 16 THEN (repeat('[', 200) || '1' || repeat(']', 200))::jsonb
		ELSE jsonb_build_object('sku', 'TEE-BLK-M', 'qty', regress.junk(depth + 1))
	END;
END $$;

-- A line that is nearly right, with one thing wrong (or nothing).
CREATE FUNCTION regress.line() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	l jsonb := jsonb_build_object('sku', (ARRAY['TEE-BLK-M', 'TEE-BLK-L', 'CAP-RED'])[1 + regress.rnd(3)],
								  'qty', 1 + regress.rnd(3));
	keys constant text[] := ARRAY['sku', 'product_id', 'qty', 'unit_price', 'discount_pct', 'note', 'bogus'];
BEGIN
	IF random() < 0.7 THEN
		l := l || jsonb_build_object(keys[1 + regress.rnd(7)], regress.junk());
	END IF;
	IF random() < 0.1 THEN
		l := l - 'sku';
	END IF;
	RETURN l;
END $$;

CREATE TABLE regress.hostile_log (fn text, state text, order_id bigint);
SELECT coalesce(max(id), 0) AS maxo FROM salesorder.sales_order \gset

DO $$
DECLARE
	i integer;
	fn text;
	arg jsonb;
	o bigint;
	st text;
	lines jsonb;
	made bigint;
BEGIN
	FOR i IN 1 .. 3000 LOOP
		fn := (ARRAY['create_order', 'create_order', 'create_order', 'copy_order',
					 'ship', 'request_change', 'events_since'])[1 + regress.rnd(7)];
		made := NULL;
		BEGIN
			IF fn = 'create_order' THEN
				IF random() < 0.5 THEN
					SELECT jsonb_agg(regress.line()) INTO lines FROM generate_series(1, 1 + regress.rnd(4));
				ELSE
					lines := regress.junk();
				END IF;
				arg := CASE WHEN random() < 0.5 THEN '{}'::jsonb ELSE regress.junk() END;
				made := salesorder.create_order(1 + regress.rnd(3), lines, arg);
			ELSIF fn = 'copy_order' THEN
				SELECT id INTO o FROM salesorder.sales_order ORDER BY random() LIMIT 1;
				made := salesorder.copy_order(o, regress.junk());
			ELSIF fn = 'ship' THEN
				SELECT id INTO o FROM salesorder.sales_order ORDER BY random() LIMIT 1;
				PERFORM salesorder.ship(o, CASE WHEN random() < 0.3
					THEN jsonb_build_array(jsonb_build_object('line_no', regress.junk(), 'qty', regress.junk()))
					ELSE regress.junk() END);
			ELSIF fn = 'request_change' THEN
				SELECT id INTO o FROM salesorder.sales_order ORDER BY random() LIMIT 1;
				PERFORM salesorder.request_change(o, CASE WHEN random() < 0.5
					THEN jsonb_build_object((ARRAY['lines', 'add_lines', 'remove_lines', 'promised_date',
												   'ship_to', 'special_requirements'])[1 + regress.rnd(6)],
											regress.junk())
					ELSE regress.junk() END, 'fuzz');
			ELSE
				PERFORM count(*) FROM salesorder.events_since(regress.rnd(1000) - 500, 1 + regress.rnd(5));
			END IF;
			st := '00000';
			-- Keep the successes: roll back nothing, but keep the data set small.
		EXCEPTION WHEN OTHERS THEN
			st := SQLSTATE;
		END;
		INSERT INTO regress.hostile_log VALUES (fn, st, made);
	END LOOP;
END $$;

-- Every outcome is a success or a documented SQLSTATE.
SELECT count(*) AS calls FROM regress.hostile_log;
SELECT state, count(*) > 0 AS seen FROM regress.hostile_log
WHERE state NOT IN ('00000', '22023', '22003', '22004', '22007', '22008', '22P02',
					'54000', 'SO001', 'SO002', 'SO005', 'SO006', 'SO010', 'SO011')
GROUP BY state;
SELECT count(DISTINCT state) >= 6 AS many_kinds_of_refusal,
	   count(*) FILTER (WHERE state = '00000') > 0 AS some_succeeded
FROM regress.hostile_log;

-- Only successful calls made orders (an idempotency key may return one
-- made before).
SELECT (SELECT count(*) FROM salesorder.sales_order WHERE id > :maxo)
	   = (SELECT count(DISTINCT order_id) FROM regress.hostile_log WHERE order_id > :maxo)
	   AS only_successes_made_orders;

-- Nothing half-written: every order has its lines and totals, the ledger
-- balances, every order has its creation history and event.
SELECT count(*) AS broken_orders FROM salesorder.sales_order o
WHERE o.line_count <> (SELECT count(*) FROM salesorder.order_line l WHERE l.order_id = o.id)
   OR o.total_amount <> (SELECT coalesce(sum(amount), 0) FROM salesorder.order_line l WHERE l.order_id = o.id)
   OR NOT EXISTS (SELECT 1 FROM salesorder.order_status_history h WHERE h.order_id = o.id AND h.from_status IS NULL);
SELECT count(*) AS orders_without_created_event FROM salesorder.sales_order o
WHERE o.id > :hostile_start
  AND NOT EXISTS (SELECT 1 FROM salesorder.order_event e WHERE e.order_id = o.id AND e.kind = 'created');
SELECT * FROM salesorder.verify_stock();

-- Extreme but valid: deep nesting inside a note is just text to us.
SELECT salesorder.create_order(1, jsonb_build_array(jsonb_build_object('sku', 'TEE-BLK-M', 'qty', 1,
	'note', repeat('[', 1000)))) > 0 AS deep_note_ok;
SELECT * FROM regress.try(format('SELECT salesorder.create_order(1, %L)',
	repeat('[', 10000) || repeat(']', 10000)));

\i sql/include/leave_database.sql
