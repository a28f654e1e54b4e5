-- salesorder.stock_guard()'s triggers as of 2.0
-- Inserts and deletes are checked before the row is written; updates after
-- it.  A BEFORE UPDATE row trigger makes the server lock the row before it
-- calls the trigger, which is a WAL record per row -- ten for a ten-line
-- order, whose reservation is one UPDATE that takes each row lock anyway
-- (src/stock_reserve.c).  An AFTER trigger refuses a direct change just as
-- well: its error undoes the statement.
CREATE TRIGGER stock_guard
	BEFORE INSERT OR DELETE ON salesorder.stock
	FOR EACH ROW EXECUTE FUNCTION salesorder.stock_guard();
CREATE TRIGGER stock_quantity_guard
	AFTER UPDATE ON salesorder.stock
	FOR EACH ROW EXECUTE FUNCTION salesorder.stock_guard();
