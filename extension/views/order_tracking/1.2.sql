-- salesorder.order_tracking as of 1.2
-- The orders in flight -- every status but completed and cancelled -- and
-- those completed or cancelled in the last salesorder.tracking_days: what
-- the departments work on, at a cost that does not grow with the years of
-- closed orders (both parts are ranges of sales_order_status_idx).
CREATE VIEW salesorder.order_tracking AS
	SELECT t.* FROM salesorder.order_tracking_all t
	WHERE t.status = ANY (salesorder.statuses_not_closed())
	UNION ALL
	SELECT t.* FROM salesorder.order_tracking_all t
	WHERE t.status = ANY (salesorder.statuses_closed())
	  AND t.status_changed_at >= salesorder.tracking_since();
