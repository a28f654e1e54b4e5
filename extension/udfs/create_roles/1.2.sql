-- salesorder.create_roles() as of 1.2
-- Creates the group roles that role_grant names and grants them its rows.
-- OR REPLACE: 1.1 has it too, with its grants written out in the body.
CREATE OR REPLACE FUNCTION salesorder.create_roles()
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r text;
	g record;
BEGIN
	-- The roles are those role_grant names: constants of the extension,
	-- never user input, as are the objects (each checked by its reg* cast).
	FOR r IN SELECT DISTINCT x.role FROM salesorder.role_grant x ORDER BY 1
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
			RETURN NEXT r;
		END IF;
	END LOOP;

	-- Only the extension's own objects (its schemas salesorder and
	-- salesorder_bi), whoever wrote the rows.
	IF EXISTS (SELECT 1 FROM salesorder.role_grant x
			   CROSS JOIN LATERAL (SELECT CASE x.on_kind
						 WHEN 'FUNCTION' THEN (SELECT p.pronamespace FROM pg_catalog.pg_proc p
											   WHERE p.oid = x.object::pg_catalog.regprocedure)
						 WHEN 'TABLE' THEN (SELECT c.relnamespace FROM pg_catalog.pg_class c
											WHERE c.oid = x.object::pg_catalog.regclass)
						 ELSE (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = x.object)
					 END AS ns) o
			   WHERE o.ns IS NULL
				  OR o.ns OPERATOR(pg_catalog.<>) ALL (ARRAY['salesorder'::pg_catalog.regnamespace,
						 'salesorder_bi'::pg_catalog.regnamespace]::pg_catalog.oid[])) THEN
		RAISE EXCEPTION 'salesorder.role_grant names an object outside schemas salesorder and salesorder_bi'
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	FOR g IN SELECT x.role, x.privilege, x.on_kind,
				 CASE x.on_kind
					 WHEN 'FUNCTION' THEN x.object::pg_catalog.regprocedure::text
					 WHEN 'TABLE' THEN x.object::pg_catalog.regclass::text
					 ELSE pg_catalog.quote_ident(x.object) END AS object
			 FROM salesorder.role_grant x
			 ORDER BY x.role, x.on_kind, x.object
	LOOP
		EXECUTE pg_catalog.format('GRANT %s ON %s %s TO %I',
								  g.privilege, g.on_kind, g.object, g.role);
	END LOOP;

	-- Admin: everything the others can do (plus its own rows above).
	FOR r IN SELECT DISTINCT x.role FROM salesorder.role_grant x
			 WHERE x.role <> 'salesorder_admin' ORDER BY 1
	LOOP
		IF NOT pg_catalog.pg_has_role('salesorder_admin', r, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO salesorder_admin', r);
		END IF;
	END LOOP;
	RETURN;
END
$fn$;
COMMENT ON FUNCTION salesorder.create_roles() IS 'Creates the salesorder_* group roles if missing and grants them; run once by a DBA';

REVOKE EXECUTE ON FUNCTION salesorder.create_roles() FROM PUBLIC;
