-- salesorder.checkpoint_ledger() as of 1.2
-- Folds the ledger into ledger_balance up to the ids taken so far (the
-- background worker does it every salesorder.checkpoint_interval).
CREATE FUNCTION salesorder.checkpoint_ledger()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_checkpoint_ledger'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
