-- salesorder.drop_event_consumer() as of 1.2
CREATE FUNCTION salesorder.drop_event_consumer(consumer text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'so_drop_event_consumer'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
