-- salesorder.ack_events() as of 1.2
CREATE FUNCTION salesorder.ack_events(consumer text, last_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_ack_events'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
