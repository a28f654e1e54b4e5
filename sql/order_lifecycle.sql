--
-- order_lifecycle: the state machine through the functions and through
-- plain UPDATEs, which the same trigger checks.
--

-- The graph (the data the trigger enforces).
SELECT from_status, string_agg(to_status::text, ', ' ORDER BY to_status) AS legal_next
FROM salesorder.status_transition GROUP BY from_status ORDER BY from_status;

-- A helper: a fresh submitted (approved) order of customer ACME.
CREATE FUNCTION regress.new_order(draft boolean DEFAULT false) RETURNS bigint
LANGUAGE sql AS $$
	SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]',
		jsonb_build_object('draft', draft))
$$;
CREATE FUNCTION regress.status(order_id bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT status::text || coalesce(' (held from ' || hold_from || ')', '')
	FROM salesorder.sales_order WHERE id = order_id
$$;

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

-- Shipping states (set directly until the stock functions exist), delivery,
-- completion.
UPDATE salesorder.sales_order SET status = 'shipped', status_reason = 'truck 7' WHERE id = :o;
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
SELECT regress.new_order() AS c3 \gset
UPDATE salesorder.sales_order SET status = 'partially_shipped' WHERE id = :c3;
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c3, 'stop'));
SELECT salesorder.hold(:c3, 'dispute');
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, %L)', :c3, 'stop'));
SELECT salesorder.release_hold(:c3);
-- Short close.
SELECT salesorder.complete(:c3);

-- Every pair of states, through plain UPDATEs: exactly the moves in
-- status_transition are accepted (on_hold is tried from each held state).
CREATE TEMP TABLE moves (from_status text, hold_from text, to_status text,
						 accepted boolean, state text);
DO $$
DECLARE
	path constant jsonb := '{
		"draft": [],
		"pending_approval": ["pending_approval"],
		"approved": ["approved"],
		"rejected": ["pending_approval", "rejected"],
		"in_production": ["approved", "in_production"],
		"partially_shipped": ["approved", "partially_shipped"],
		"shipped": ["approved", "shipped"],
		"delivered": ["approved", "shipped", "delivered"],
		"completed": ["approved", "shipped", "delivered", "completed"],
		"cancelled": ["cancelled"]}';
	held constant text[] := ARRAY['pending_approval', 'approved', 'in_production',
								  'partially_shipped'];
	f text; h text; t text; step text; oid_ bigint;
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
					FOR step IN SELECT jsonb_array_elements_text(path -> coalesce(h, f)) LOOP
						UPDATE salesorder.sales_order
						SET status = step::salesorder.order_status WHERE id = oid_;
					END LOOP;
					IF f = 'on_hold' THEN
						UPDATE salesorder.sales_order SET status = 'on_hold' WHERE id = oid_;
					END IF;
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
-- Accepted moves that are not in the graph, and moves in the graph refused:
-- both lists must be empty.
SELECT m.* FROM moves m
WHERE accepted <> (EXISTS (SELECT 1 FROM salesorder.status_transition t
		WHERE t.from_status::text = m.from_status AND t.to_status::text = m.to_status)
	AND (m.from_status <> 'on_hold' OR m.to_status = m.hold_from
		 OR m.to_status = 'cancelled' AND EXISTS (SELECT 1 FROM salesorder.status_transition t
			WHERE t.from_status::text = m.hold_from AND t.to_status::text = m.to_status)));
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

-- NULL arguments.
SELECT * FROM regress.try('SELECT salesorder.cancel(NULL, ''x'')');
SELECT salesorder.deliver(NULL) IS NULL AS strict_null;
