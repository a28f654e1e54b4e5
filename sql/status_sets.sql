--
-- status_sets: each set of statuses the rules speak of is written once on
-- each side -- the IMMUTABLE salesorder.statuses_*() functions for SQL, the
-- predicates of src/status.c for C -- and the two agree.
--
\set test_db regress_status_sets
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();

-- Every set, as the C side has it and as the SQL function returns it: no
-- row differs.
SELECT c.set_name, c.statuses AS c_side, s.statuses AS sql_side
FROM salesorder.status_sets() c
JOIN LATERAL (SELECT array_to_string(CASE c.set_name
		WHEN 'in_flight' THEN salesorder.statuses_in_flight()
		WHEN 'in_progress' THEN salesorder.statuses_in_progress()
		WHEN 'closed' THEN salesorder.statuses_closed()
		WHEN 'in_report' THEN salesorder.statuses_in_report()
		WHEN 'shippable' THEN salesorder.statuses_shippable() END, ',') AS statuses) s ON true
ORDER BY c.set_name;
SELECT count(*) AS sets_that_differ
FROM salesorder.status_sets() c
WHERE c.statuses IS DISTINCT FROM array_to_string(CASE c.set_name
		WHEN 'in_flight' THEN salesorder.statuses_in_flight()
		WHEN 'in_progress' THEN salesorder.statuses_in_progress()
		WHEN 'closed' THEN salesorder.statuses_closed()
		WHEN 'in_report' THEN salesorder.statuses_in_report()
		WHEN 'shippable' THEN salesorder.statuses_shippable() END, ',');

-- How the sets relate: closed and not closed split the statuses; in
-- progress is in flight without on_hold; shippable is in progress without
-- review; the ones in the report are those submitted, less cancelled and
-- rejected.
SELECT (SELECT array_agg(s ORDER BY s) FROM unnest(enum_range(NULL::salesorder.order_status)) s)
	   = (SELECT array_agg(s ORDER BY s) FROM unnest(salesorder.statuses_closed()
			|| salesorder.statuses_not_closed()) s) AS closed_and_not_closed_split_all,
	   NOT salesorder.statuses_closed() && salesorder.statuses_not_closed() AS disjoint,
	   salesorder.statuses_in_progress() || '{on_hold}'::salesorder.order_status[]
		   = salesorder.statuses_in_flight() AS in_flight_is_in_progress_or_held,
	   salesorder.statuses_shippable() <@ salesorder.statuses_in_progress() AS shippable_in_progress,
	   NOT 'pending_approval' = ANY (salesorder.statuses_shippable()) AS review_not_shippable,
	   NOT salesorder.statuses_in_report() && '{draft,cancelled,rejected}' AS report_leaves_out;

-- Every closed status is terminal, every status in flight has a way out.
SELECT s AS status, s = ANY (salesorder.statuses_closed()) AS closed,
	   EXISTS (SELECT 1 FROM salesorder.status_transition t WHERE t.from_status = s) AS has_moves
FROM unnest(enum_range(NULL::salesorder.order_status)) s
ORDER BY s;

-- The planner folds a set into its array: a query saying the same as the
-- partial index uses it, and order_tracking reads ranges of the status
-- index.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT o.id FROM salesorder.sales_order o
WHERE o.customer_id = 1 AND o.status = ANY (salesorder.statuses_in_flight());
EXPLAIN (COSTS OFF)
SELECT count(*) FROM salesorder.sales_order o
WHERE o.status = ANY (salesorder.statuses_not_closed());
RESET enable_seqscan;
RESET enable_bitmapscan;

-- Anybody may read the sets; the C side's listing is internal.
SET ROLE salesorder_reporting;
SELECT salesorder.statuses_closed() AS reporting_reads;
SELECT * FROM regress.try('SELECT * FROM salesorder.status_sets()');
RESET ROLE;

\i sql/include/leave_database.sql
