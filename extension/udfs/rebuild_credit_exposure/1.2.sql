-- salesorder.rebuild_credit_exposure() as of 1.2
-- Recompute every customer's running exposure from its orders, for after
-- writes that bypassed the functions (a logical replica that received the
-- orders but not customer_exposure).  Returns how many customers changed.
-- The table lock waits for the functions writing it and holds new ones
-- back; the sum is read after it, on a fresh snapshot.
CREATE FUNCTION salesorder.rebuild_credit_exposure()
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	n bigint;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'rebuild_credit_exposure() must run at READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				  HINT = 'Its sum must be read after its lock, on a fresh snapshot.';
	END IF;
	LOCK TABLE salesorder.customer_exposure IN EXCLUSIVE MODE;
	WITH wrong AS (
		SELECT v.customer_id, v.orders_open_amount
		FROM salesorder.verify_credit_exposure() v),
	fixed AS (
		INSERT INTO salesorder.customer_exposure AS e (customer_id, open_amount)
		SELECT w.customer_id, w.orders_open_amount FROM wrong w
		ON CONFLICT (customer_id) DO UPDATE SET open_amount = excluded.open_amount
		RETURNING 1)
	SELECT pg_catalog.count(*) INTO n FROM fixed;
	RETURN n;
END
$fn$;
