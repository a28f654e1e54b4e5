-- salesorder.archive_guard() as of 1.2
-- The archives are read by admins; only archive_history() writes them
-- (a DBA may detach and drop whole months).
CREATE FUNCTION salesorder.archive_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_archive_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER archive_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.stock_movement_archive
	FOR EACH ROW EXECUTE FUNCTION salesorder.archive_guard();
CREATE TRIGGER archive_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.order_status_history_archive
	FOR EACH ROW EXECUTE FUNCTION salesorder.archive_guard();
