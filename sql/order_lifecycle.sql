--
-- order_lifecycle: the state machine through the functions and through
-- plain UPDATEs, which the same trigger checks.
--
\set test_db regress_order_lifecycle
\i sql/include/fresh_database.sql

-- The graph (the data the trigger enforces).
SELECT from_status, string_agg(to_status::text, ', ' ORDER BY to_status) AS legal_next
FROM salesorder.status_transition GROUP BY from_status ORDER BY from_status;


-- submit_order: draft -> approved (no approval rules yet), once only.
SELECT regress.new_order(true) AS o \gset
SELECT salesorder.submit_order(:o);
SELECT regress.status(:o), submitted_at IS NOT NULL AS submitted
FROM salesorder.sales_order WHERE id = :o;
SELECT * FROM regress.try(format('SELECT salesorder.submit_order(%s)', :o));
SELECT * FROM regress.try('SELECT salesorder.submit_order(999999)');
-- A draft without lines cannot be submitted.
SELECT regress.new_order(true) AS empty \gset
DELETE FROM salesorder.order_line WHERE order_id = :empty;
SELECT * FROM regress.try(format('SELECT salesorder.submit_order(%s)', :empty));
SELECT regress.status(:empty);

-- hold / release_hold: the hold remembers where it came from.
SELECT salesorder.hold(:o, 'customer asked to wait');
SELECT regress.status(:o), status_reason FROM salesorder.sales_order WHERE id = :o;
SELECT * FROM regress.try(format('SELECT salesorder.hold(%s, %L)', :o, 'again'));
SELECT salesorder.release_hold(:o);
SELECT regress.status(:o), status_reason FROM salesorder.sales_order WHERE id = :o;
SELECT * FROM regress.try(format('SELECT salesorder.release_hold(%s)', :o));
SELECT * FROM regress.try(format('SELECT salesorder.hold(%s, NULL)', :o));
SELECT * FROM regress.try(format('SELECT salesorder.hold(%s, %L)', :o, '   '));

-- Held in production, released back to production.
UPDATE salesorder.sales_order SET status = 'in_production' WHERE id = :o;
SELECT salesorder.hold(:o, 'material shortage');
SELECT regress.status(:o);
SELECT salesorder.release_hold(:o);
SELECT regress.status(:o);

-- A held order cannot skip ahead: only back, or cancelled where the held
-- state could be cancelled.
SELECT salesorder.hold(:o, 'quality check');
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'shipped' WHERE id = %s$$, :o));
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'approved' WHERE id = %s$$, :o));
SELECT salesorder.release_hold(:o);

-- A plain UPDATE cannot make a move that has effects elsewhere (shipping
-- takes stock out): such moves are made by their function.
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'shipped' WHERE id = %s$$, :o));
SELECT salesorder.ship(:o);
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :o, 'too late'));
SELECT salesorder.deliver(:o);
SELECT * FROM regress.try(format('SELECT salesorder.deliver(%s)', :o));
SELECT salesorder.complete(:o);
SELECT * FROM regress.try(format('SELECT salesorder.complete(%s)', :o));
SELECT * FROM regress.try(format('SELECT salesorder.hold(%s, %L)', :o, 'audit'));

-- The whole story is in the history, with who and why.
SELECT from_status, to_status, changed_by = current_user AS by_caller, reason
FROM salesorder.order_status_history WHERE order_id = :o ORDER BY id;

-- cancel: needs a reason; allowed from draft, approved, in production,
-- pending approval and on hold; never from a partly shipped order.
SELECT regress.new_order(true) AS c1 \gset
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, NULL)', :c1));
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c1, ''));
SELECT salesorder.cancel(:c1, 'duplicate entry');
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c1, 'twice'));
SELECT regress.new_order() AS c2 \gset
SELECT salesorder.hold(:c2, 'check credit');
SELECT salesorder.cancel(:c2, 'credit refused');
SELECT regress.status(:c2);
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS c3 \gset
SELECT salesorder.ship(:c3, '[{"line_no": 1, "qty": 1}]');
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c3, 'stop'));
SELECT salesorder.hold(:c3, 'dispute');
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c3, 'stop'));
SELECT salesorder.release_hold(:c3);
-- Short close.
SELECT salesorder.complete(:c3);

-- Every pair of states, through plain UPDATEs.  Each test order is brought
-- to its starting state with the triggers off (session_replication_role),
-- then the move is tried with them on: a move not in status_transition is
-- refused with SO002, a legal one that has effects beyond the order row
-- with SO006 (its function must make it), the others are accepted.
CREATE TEMP TABLE moves (from_status text, hold_from text, to_status text,
						 accepted boolean, state text);
DO $$
DECLARE
	held constant text[] := ARRAY['pending_approval', 'approved', 'in_production',
								  'partially_shipped'];
	f text; h text; t text; oid_ bigint;
	starts text[];
	ok boolean;
	state_ text;
BEGIN
	FOR f IN SELECT unnest(enum_range(NULL::salesorder.order_status))::text LOOP
		starts := CASE WHEN f = 'on_hold' THEN held ELSE ARRAY[NULL] END;
		FOREACH h IN ARRAY starts LOOP
			FOR t IN SELECT unnest(enum_range(NULL::salesorder.order_status))::text LOOP
				CONTINUE WHEN t = f;
				BEGIN
					oid_ := regress.new_order(true);
					SET LOCAL session_replication_role = replica;
					UPDATE salesorder.sales_order
					SET status = coalesce(h, f)::salesorder.order_status WHERE id = oid_;
					IF f = 'on_hold' THEN
						UPDATE salesorder.sales_order
						SET status = 'on_hold', hold_from = h::salesorder.order_status
						WHERE id = oid_;
					END IF;
					SET LOCAL session_replication_role = origin;
					BEGIN
						UPDATE salesorder.sales_order
						SET status = t::salesorder.order_status WHERE id = oid_;
						ok := true;
						state_ := '00000';
					EXCEPTION WHEN OTHERS THEN
						ok := false;
						state_ := SQLSTATE;
					END;
					-- Roll the test order back, keeping only the result.
					RAISE SQLSTATE 'XX999';
				EXCEPTION WHEN SQLSTATE 'XX999' THEN
					INSERT INTO moves VALUES (f, h, t, ok, state_);
				END;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;

SELECT count(*) AS pairs_tried,
	   count(*) FILTER (WHERE accepted) AS accepted,
	   count(*) FILTER (WHERE NOT accepted) AS refused,
	   string_agg(DISTINCT state, ',') FILTER (WHERE NOT accepted) AS refusal_sqlstates
FROM moves;
-- Every outcome against the graph: the list of mismatches must be empty.
CREATE TEMP VIEW judged AS
SELECT m.*, t.direct_ok,
	   t.from_status IS NOT NULL
	   AND (m.from_status <> 'on_hold' OR m.to_status = m.hold_from
			OR m.to_status = 'cancelled' AND EXISTS (SELECT 1 FROM salesorder.status_transition h
				WHERE h.from_status::text = m.hold_from AND h.to_status::text = m.to_status)) AS legal
FROM moves m
LEFT JOIN salesorder.status_transition t
	ON t.from_status::text = m.from_status AND t.to_status::text = m.to_status;
SELECT * FROM judged
WHERE state <> CASE WHEN NOT legal THEN 'SO002' WHEN NOT direct_ok THEN 'SO006' ELSE '00000' END;
SELECT state, count(*) FROM judged GROUP BY state ORDER BY state;
-- The accepted moves out of on_hold, by held state.
SELECT hold_from, string_agg(to_status, ', ' ORDER BY to_status) AS accepted
FROM moves WHERE from_status = 'on_hold' AND accepted GROUP BY hold_from ORDER BY hold_from;

-- An illegal plain UPDATE leaves the row and the history as they were.
SELECT regress.new_order() AS u \gset
SELECT regress.fingerprint() AS before \gset
SELECT * FROM regress.try(format(
	$$UPDATE salesorder.sales_order SET status = 'delivered' WHERE id = %s$$, :u));
SELECT regress.status(:u), regress.fingerprint() = :'before' AS nothing_written;

-- A plain UPDATE writes history with its own reason, or none.
UPDATE salesorder.sales_order SET status = 'in_production', status_reason = 'line 3 free'
WHERE id = :u;
UPDATE salesorder.sales_order SET status = 'on_hold' WHERE id = :u;
SELECT from_status, to_status, reason FROM salesorder.order_status_history
WHERE order_id = :u ORDER BY id;
SELECT status_reason FROM salesorder.sales_order WHERE id = :u;

-- One clock reading for a move: every order's status_changed_at is the
-- changed_at of its last status row (the demo's health check, invariant 3),
-- and an order's history never goes back in time -- moves by the functions,
-- by a user's UPDATE, in one transaction or several.
BEGIN;
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]', '{"draft": true}') AS t \gset
SELECT salesorder.submit_order(:t);
SELECT pg_catalog.pg_sleep(0.01);
SELECT salesorder.hold(:t, 'checking the address');
SELECT salesorder.release_hold(:t);
COMMIT;
SELECT count(*) AS orders_checked,
	   count(*) FILTER (WHERE o.status_changed_at IS DISTINCT FROM h.last_at) AS stamp_differs
FROM salesorder.sales_order o
LEFT JOIN LATERAL (SELECT changed_at AS last_at FROM salesorder.order_status_history
				   WHERE order_id = o.id AND kind = 'status'
				   ORDER BY id DESC LIMIT 1) h ON true;
SELECT count(*) AS history_goes_back
FROM (SELECT changed_at < pg_catalog.lag(changed_at) OVER (PARTITION BY order_id ORDER BY id) AS back
	  FROM salesorder.order_status_history) h
WHERE h.back;

-- NULL arguments.
SELECT * FROM regress.try('SELECT salesorder.cancel(NULL, ''x'')');
-- Every function that takes an order id refuses NULL (22004) rather than
-- returning NULL as if something had happened.
SELECT f, (regress.try(format('SELECT salesorder.%s(NULL)', f))).*
FROM unnest(ARRAY['submit_order', 'release_hold', 'revise', 'deliver', 'complete']) f;

\i sql/include/leave_database.sql
