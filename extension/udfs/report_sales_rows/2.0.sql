-- salesorder.report_sales_rows() as of 2.0: a delta row holds its
-- categories in arrays, and a folded partition of the deltas is skipped.

-- The report rows: from the rollup and its deltas while the rollup is in the
-- session's report time zone, else from the raw tables.  A function and not
-- a UNION of both behind opposite filters, because the planner costs the
-- raw branch it will never run at millions of rows, and that cost alone
-- makes every call JIT-compile the plan and start parallel workers (about
-- a second, against milliseconds for the rollup).
CREATE OR REPLACE FUNCTION salesorder.report_sales_rows()
RETURNS TABLE (month date, region text, segment text, category text,
			   orders bigint, lines bigint, quantity numeric, amount numeric)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF salesorder.rollup_current() THEN
		RETURN QUERY
		SELECT r.month, r.region, r.segment, r.category,
			   pg_catalog.sum(r.orders)::bigint, pg_catalog.sum(r.lines)::bigint,
			   pg_catalog.sum(r.quantity), pg_catalog.sum(r.amount)
		FROM (SELECT u.month, u.region, u.segment, u.category, u.orders, u.lines,
					 u.quantity, u.amount
			  FROM salesorder.sales_rollup u
			  UNION ALL
			  SELECT d.month, d.region, d.segment, u.category, u.orders, u.lines,
					 u.quantity, u.amount
			  FROM salesorder.sales_rollup_delta d
			  CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(d.category),
					pg_catalog.unnest(d.orders), pg_catalog.unnest(d.lines),
					pg_catalog.unnest(d.quantity), pg_catalog.unnest(d.amount))
				  AS u(category, orders, lines, quantity, amount)
			  -- The partition the worker has folded but not yet emptied.
			  WHERE d.slot IS DISTINCT FROM
					(SELECT c.folded_slot FROM salesorder.rollup_config c)) r
		GROUP BY r.month, r.region, r.segment, r.category
		HAVING pg_catalog.sum(r.orders) <> 0 OR pg_catalog.sum(r.lines) <> 0;
	ELSE
		RETURN QUERY
		SELECT w.month, w.region, w.segment, w.category, w.orders, w.lines,
			   w.quantity, w.amount
		FROM salesorder.report_sales_raw w;
	END IF;
END
$fn$;
