-- salesorder.exposure_follow_rules() as of 2.0
-- customer_exposure follows the credit rules: when a statement adds,
-- changes or removes a credit_exceeded rule, the figure is rebuilt from
-- the open orders if an active credit rule reads it now, and emptied if
-- none does.  The ShareLock on sales_order waits for every transaction
-- that writes orders (each holds its RowExclusiveLock from before it
-- decides whether to keep the figure, src/exposure.c) and keeps new ones
-- out until this one commits; the sum is read after it, on a fresh
-- snapshot, hence READ COMMITTED only.  Order entry waits for as long as
-- the rebuild takes, which sums the orders in flight.
CREATE FUNCTION salesorder.exposure_follow_rules()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	credit boolean;
BEGIN
	IF TG_OP = 'INSERT' THEN
		credit := EXISTS (SELECT 1 FROM new_rules r WHERE r.kind = 'credit_exceeded');
	ELSIF TG_OP = 'UPDATE' THEN
		credit := EXISTS (SELECT 1 FROM new_rules r WHERE r.kind = 'credit_exceeded')
			   OR EXISTS (SELECT 1 FROM old_rules r WHERE r.kind = 'credit_exceeded');
	ELSE
		credit := EXISTS (SELECT 1 FROM old_rules r WHERE r.kind = 'credit_exceeded');
	END IF;
	IF NOT credit THEN
		RETURN NULL;
	END IF;
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'credit rules can be changed only at READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				  HINT = 'The credit exposure is rebuilt with them, from a snapshot taken after its lock.';
	END IF;
	LOCK TABLE salesorder.sales_order IN SHARE MODE;
	LOCK TABLE salesorder.customer_exposure IN EXCLUSIVE MODE;
	DELETE FROM salesorder.customer_exposure;
	IF salesorder.credit_exposure_kept() THEN
		INSERT INTO salesorder.customer_exposure (customer_id, open_amount)
		SELECT o.customer_id,
			   sum(salesorder.order_exposure(o.status, o.hold_from, o.total_amount, o.id))
		FROM salesorder.sales_order o
		WHERE o.status = ANY (salesorder.statuses_in_flight())
		GROUP BY o.customer_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER exposure_follow_rules_insert
	AFTER INSERT ON salesorder.approval_rule
	REFERENCING NEW TABLE AS new_rules
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.exposure_follow_rules();
CREATE TRIGGER exposure_follow_rules_update
	AFTER UPDATE ON salesorder.approval_rule
	REFERENCING OLD TABLE AS old_rules NEW TABLE AS new_rules
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.exposure_follow_rules();
CREATE TRIGGER exposure_follow_rules_delete
	AFTER DELETE ON salesorder.approval_rule
	REFERENCING OLD TABLE AS old_rules
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.exposure_follow_rules();
REVOKE EXECUTE ON FUNCTION salesorder.exposure_follow_rules() FROM PUBLIC;
COMMENT ON FUNCTION salesorder.exposure_follow_rules() IS
	'Trigger: customer_exposure is rebuilt when a credit rule appears or changes, and emptied when none is active';
