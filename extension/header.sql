-- salesorder install script, generated from extension/*.sql by the Makefile.
-- Every object is schema-qualified and every function pins search_path, so a
-- hostile search_path in the installing or calling session changes nothing.

\echo Use "CREATE EXTENSION salesorder" to load this file. \quit

