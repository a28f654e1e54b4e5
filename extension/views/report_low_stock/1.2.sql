-- salesorder.report_low_stock as of 1.2
CREATE VIEW salesorder.report_low_stock AS
	SELECT w.code AS warehouse, p.sku, p.name AS product, s.warehouse_id, s.product_id,
		   s.on_hand, s.reserved, (s.on_hand - s.reserved)::numeric(14,3) AS available,
		   s.reorder_point,
		   coalesce(b.backorder_qty, 0)::numeric(20,3) AS backorder_qty,
		   coalesce(b.waiting_orders, 0) AS waiting_orders,
		   (greatest(s.reorder_point - (s.on_hand - s.reserved), 0)
			   + coalesce(b.backorder_qty, 0))::numeric(20,3) AS shortfall
	FROM salesorder.stock s
	JOIN salesorder.warehouse w ON w.id = s.warehouse_id
	JOIN salesorder.product p ON p.id = s.product_id
	LEFT JOIN (SELECT o.warehouse_id, l.product_id,
					  pg_catalog.sum(l.backorder_qty) AS backorder_qty,
					  pg_catalog.count(DISTINCT o.id) AS waiting_orders
			   FROM salesorder.order_line l
			   JOIN salesorder.sales_order o ON o.id = l.order_id
			   WHERE l.backorder_qty > 0
				 AND o.status = ANY (salesorder.statuses_in_flight())
			   GROUP BY o.warehouse_id, l.product_id) b
		ON b.warehouse_id = s.warehouse_id AND b.product_id = s.product_id
	WHERE s.on_hand - s.reserved < s.reorder_point OR b.backorder_qty > 0;
