-- salesorder.rule_kinds() as of 1.2
-- The kinds the C code weighs, one row a subject: for the test that
-- compares them with approval_rule_kind.
CREATE FUNCTION salesorder.rule_kinds()
RETURNS TABLE (subject text, kinds text)
AS 'MODULE_PATHNAME', 'so_rule_kinds'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
