-- salesorder 1.1 -> 1.2

\echo Use "ALTER EXTENSION salesorder UPDATE TO '1.2'" to load this file. \quit
