-- salesorder.rls_reads_outbox() as of 1.2
-- Whether the current user consumes events (a member of
-- salesorder_consumer, which need not exist): such a user reads the whole
-- outbox -- and, granted nothing else, nothing more.
CREATE FUNCTION salesorder.rls_reads_outbox()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
				   WHERE r.rolname = 'salesorder_consumer'
					 AND pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'MEMBER'))
$$;
