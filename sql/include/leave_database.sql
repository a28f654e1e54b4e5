\set ECHO none
-- Back to the database pg_regress made, and the test's own dropped.
\c :"regress_home"
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"test_db";
RESET client_min_messages;
\set ECHO all
