-- The schema for BI tools: its report views (as of 1.2).
#include "views/salesorder_bi/1.2.sql"
