-- Every invariant the extension promises, as rows of problems: no rows
-- when healthy.  The history and the ledger are read whole: what is still
-- in their tables and what archive_history() moved to the archives.  Used by the soak test every minute and at the end, and by
-- the stock stress test after its run.
SELECT 'verify_stock: ' || problem AS problem FROM salesorder.verify_stock()
UNION ALL
SELECT 'credit exposure of customer ' || customer_id || ': kept ' || open_amount
	   || ', orders ' || orders_open_amount
FROM salesorder.verify_credit_exposure()
UNION ALL
SELECT 'stock out of range: ' || warehouse_id || '/' || product_id
FROM salesorder.stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand
UNION ALL
SELECT 'half-written order ' || o.id FROM salesorder.sales_order o
WHERE o.line_count <> (SELECT count(*) FROM salesorder.order_line l WHERE l.order_id = o.id)
   OR o.total_amount <> (SELECT coalesce(sum(l.amount), 0) FROM salesorder.order_line l WHERE l.order_id = o.id)
UNION ALL
SELECT 'status and history disagree for order ' || o.id FROM salesorder.sales_order o
WHERE o.status IS DISTINCT FROM (SELECT h.to_status FROM (SELECT id, order_id, to_status, from_status, kind, reason FROM salesorder.order_status_history
	  UNION ALL
	  SELECT id, order_id, to_status, from_status, kind, reason FROM salesorder.order_status_history_archive) h
								 WHERE h.order_id = o.id AND h.kind = 'status' ORDER BY h.id DESC LIMIT 1)
UNION ALL
SELECT 'history row without its event: ' || h.id FROM (SELECT id, order_id, to_status, from_status, kind, reason FROM salesorder.order_status_history
	  UNION ALL
	  SELECT id, order_id, to_status, from_status, kind, reason FROM salesorder.order_status_history_archive) h
WHERE h.from_status IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM salesorder.order_event e
				  WHERE e.order_id = h.order_id AND (e.payload ->> 'history_id')::bigint = h.id)
  AND NOT EXISTS (SELECT 1 FROM salesorder.order_event e
				  WHERE e.order_id = h.order_id AND e.kind = 'submitted' AND h.from_status = 'draft'
					AND h.reason = e.payload ->> 'reason')
UNION ALL
SELECT 'ledger and line disagree: ' || l.order_id || '/' || l.line_no
FROM salesorder.order_line l
LEFT JOIN (SELECT order_id, line_no,
				  -sum(on_hand_delta) FILTER (WHERE kind = 'shipment') AS s
		   FROM (SELECT order_id, line_no, kind, on_hand_delta FROM salesorder.stock_movement
			UNION ALL
			SELECT order_id, line_no, kind, on_hand_delta FROM salesorder.stock_movement_archive) m0 WHERE order_id IS NOT NULL GROUP BY 1, 2) m
	ON m.order_id = l.order_id AND m.line_no = l.line_no
WHERE coalesce(m.s, 0) <> l.shipped_qty
UNION ALL
SELECT 'report differs from the raw GROUP BY' WHERE EXISTS (
	(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
	UNION ALL
	(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales))
UNION ALL
SELECT 'report_pipeline differs from the raw GROUP BY' WHERE EXISTS (
	(SELECT * FROM salesorder.report_pipeline
	 EXCEPT ALL
	 SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage),
			count(*), sum(o.total_amount), min(o.created_at), max(o.created_at)
	 FROM salesorder.sales_order o GROUP BY 1, 2)
	UNION ALL
	(SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage),
			count(*), sum(o.total_amount), min(o.created_at), max(o.created_at)
	 FROM salesorder.sales_order o GROUP BY 1, 2
	 EXCEPT ALL
	 SELECT * FROM salesorder.report_pipeline));
