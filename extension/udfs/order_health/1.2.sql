-- salesorder.order_health() as of 1.2
-- The health colour of an order: green done, yellow in progress and on
-- time, red a problem (on hold, rejected, late, a problem stage), grey
-- cancelled.  In C (src/tracking.c): the views call it for every row they
-- return, and as SQL it cost 3.2 us a call against 0.7.  OR REPLACE: in
-- 1.1 it was a SQL function of the same signature.
CREATE OR REPLACE FUNCTION salesorder.order_health(
	status salesorder.order_status, promised_date date, stage text,
	as_of date DEFAULT CURRENT_DATE)
RETURNS text
AS 'MODULE_PATHNAME', 'so_order_health'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
