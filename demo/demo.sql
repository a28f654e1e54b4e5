-- demo/demo.sql -- `make demo`: the salesorder extension on a realistic data set.
--
-- Run by test/run.sh as superuser postgres in a fresh database "demo":
--     psql -X -v ON_ERROR_STOP=1 -d demo -f demo/demo.sql
-- It installs the extension, loads two years of order history (data.sql) and
-- then tells the life of an order in SQL, and what planning reads from it
-- (story.sql; the chart goes to demo/out/forecast.png when gnuplot is there).

\set QUIET on
\set ON_ERROR_STOP on
\pset footer off
\pset null '-'

\echo
\echo '================================================================='
\echo ' salesorder demo: a sales-order engine inside PostgreSQL'
\echo ' Orders, approvals, stock and history, enforced in the database'
\echo ' by C functions and triggers in the same transaction as the data.'
\echo '================================================================='
\echo

\echo 'Installing the extension (the DBA does this once):'
\echo '    CREATE EXTENSION salesorder;'
CREATE EXTENSION salesorder;
SELECT extversion AS "salesorder version"
FROM pg_catalog.pg_extension WHERE extname = 'salesorder';

\echo 'Creating the group roles (NOLOGIN; harmless when they exist already):'
\echo '    SELECT salesorder.create_roles();'
SELECT salesorder.create_roles() AS "created group role";

\ir data.sql
\ir story.sql
