-- salesorder.events_since() as of 1.2
CREATE FUNCTION salesorder.events_since(last_id bigint, max_events integer DEFAULT 1000,
	kinds text[] DEFAULT NULL, customer_id bigint DEFAULT NULL)
RETURNS SETOF salesorder.order_event
AS 'MODULE_PATHNAME', 'so_events_since'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100
SET search_path = pg_catalog, pg_temp;
