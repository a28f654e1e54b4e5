-- salesorder 1.2 -> 2.0: the lean data model (see CHANGELOG.md).

\echo Use "ALTER EXTENSION salesorder UPDATE TO '2.0'" to load this file. \quit
-- Objects changed in 2.0 are included from their files under udfs/ and
-- views/ (extension/include.awk), the same files the install script
-- includes; this file holds only what moves the data.
