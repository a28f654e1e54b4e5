-- salesorder.order_lines_cascade() as of 2.0
-- An order's lines go with it, as the foreign key order_line -> sales_order
-- (ON DELETE CASCADE) did until 1.2.  That key cost every line a
-- referential-integrity query and its row lock on the order, ten per
-- ten-line order, for an order the same transaction had just inserted; the
-- writers of lines hold the order already (create_order inserts it, a
-- change request locks it, line_guard locks it for a user's edit of a draft
-- and refuses a line of an order that does not exist).  What the key did
-- when orders go is done here: a DELETE takes the orders' lines with it, a
-- TRUNCATE of sales_order truncates order_line too (as TRUNCATE ... CASCADE
-- did; a plain TRUNCATE still fails on the other tables' keys).
CREATE FUNCTION salesorder.order_lines_cascade()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		IF EXISTS (SELECT 1 FROM salesorder.order_line) THEN
			TRUNCATE salesorder.order_line;
		END IF;
	ELSE
		DELETE FROM salesorder.order_line l USING gone g WHERE l.order_id = g.id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER order_lines_cascade
	AFTER DELETE ON salesorder.sales_order
	REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.order_lines_cascade();
CREATE TRIGGER order_lines_truncate
	AFTER TRUNCATE ON salesorder.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.order_lines_cascade();
REVOKE EXECUTE ON FUNCTION salesorder.order_lines_cascade() FROM PUBLIC;
COMMENT ON FUNCTION salesorder.order_lines_cascade() IS
	'Trigger: the lines of deleted or truncated orders go with them (what order_line''s foreign key did until 1.2)';
