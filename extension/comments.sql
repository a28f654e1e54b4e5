-- Documentation in the catalog, for \d+ and BI tools.  Every other object
-- has its COMMENT beside its CREATE, in the file of its domain.

COMMENT ON SCHEMA salesorder IS 'Sales-order engine: orders, approval, stock, change requests, tracking, reports';
