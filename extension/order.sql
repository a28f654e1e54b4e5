-- Order lifecycle: the C entry points and the triggers that guard the tables.
--
-- The functions are not SECURITY DEFINER at the SQL level: the C code captures
-- the caller's current_user as the acting user (so an application pool that
-- SET ROLEs per request is recorded correctly), checks what that user may do,
-- and only then switches to the extension owner for its own writes.

CREATE FUNCTION salesorder.create_order(
	customer_id bigint,
	lines jsonb,
	options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_create_order'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.create_order(bigint, jsonb, jsonb) IS 'Creates an order from the customer''s defaults and submits it unless options.draft; returns its id';

CREATE FUNCTION salesorder.copy_order(
	order_id bigint,
	options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_copy_order'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.copy_order(bigint, jsonb) IS 'Reorder: a new order with the lines of an earlier one at today''s prices; returns its id';

CREATE FUNCTION salesorder.submit_order(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_submit_order'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.submit_order(bigint) IS 'Submits a draft order for approval';

CREATE FUNCTION salesorder.hold(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.hold(bigint, text) IS 'Puts an order on hold with a reason';

CREATE FUNCTION salesorder.release_hold(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_release_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.release_hold(bigint) IS 'Returns a held order to the state it was held in';

CREATE FUNCTION salesorder.cancel(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_cancel'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.cancel(bigint, text) IS 'Cancels an order with a reason';

CREATE FUNCTION salesorder.deliver(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_deliver'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.deliver(bigint) IS 'Records delivery of a shipped order';

CREATE FUNCTION salesorder.complete(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_complete'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.complete(bigint) IS 'Closes an order';

-- Trigger functions.

CREATE FUNCTION salesorder.order_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_order_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.order_guard() IS 'Trigger: state machine and direct-write rules of sales_order';

CREATE FUNCTION salesorder.order_history()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_order_history'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.order_history() IS 'Trigger: writes order_status_history for every status move';

CREATE FUNCTION salesorder.line_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_line_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.line_guard() IS 'Trigger: lines are edited directly only in draft; keeps amounts and totals';

CREATE TRIGGER order_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.sales_order
	FOR EACH ROW EXECUTE FUNCTION salesorder.order_guard();

CREATE TRIGGER order_history
	AFTER UPDATE OF status ON salesorder.sales_order
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION salesorder.order_history();

CREATE TRIGGER line_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.order_line
	FOR EACH ROW EXECUTE FUNCTION salesorder.line_guard();

#include "udfs/order_lines_cascade/2.0.sql"

-- Stock quantities move only through the stock functions, with a ledger row.
CREATE FUNCTION salesorder.stock_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_stock_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.stock_guard() IS 'Trigger: stock quantities change only through the stock functions; a stock row with ledger rows stays, and stock is never truncated';

#include "udfs/stock_guard/2.0.sql"
CREATE TRIGGER stock_no_truncate
	BEFORE TRUNCATE ON salesorder.stock
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.stock_guard();

#include "udfs/product_guard/1.2.sql"

#include "udfs/warehouse_guard/1.2.sql"

-- The ledger is written by the stock functions only, and append-only for
-- everybody, the extension included.
CREATE FUNCTION salesorder.ledger_append_only()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_ledger_append_only'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.ledger_append_only() IS 'Trigger: the stock ledger is written by the stock functions only and never updated, deleted or truncated';

CREATE TRIGGER ledger_append_only
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.stock_movement
	FOR EACH ROW EXECUTE FUNCTION salesorder.ledger_append_only();
CREATE TRIGGER ledger_no_truncate
	BEFORE TRUNCATE ON salesorder.stock_movement
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.ledger_append_only();

#include "udfs/ledger_reset/1.2.sql"

