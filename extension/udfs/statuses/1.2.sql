-- salesorder.statuses_in_flight() and the other statuses_*() functions as of 1.2
-- (One file for the six: they are one family, changed together.)

-- The sets of statuses the rules speak of, each written once.  IMMUTABLE:
-- the planner folds a call into its array, so that a query saying
-- status = ANY (salesorder.statuses_in_flight()) matches the partial index
-- that says the same, and reads index ranges.  The C side has the same sets
-- as predicates (src/status.c); regression test status_sets checks that the
-- two agree.
--
-- In flight: submitted and not yet shipped in full, closed or rejected, held
-- or not.  Such an order holds its stock reservations.
CREATE FUNCTION salesorder.statuses_in_flight()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{pending_approval,approved,in_production,partially_shipped,on_hold}'::salesorder.order_status[];

-- In progress: in flight and not on hold.  What an order adds to its
-- customer's credit exposure is decided by the state it is in or was held
-- from being one of these; an order is at risk of being late only in one.
CREATE FUNCTION salesorder.statuses_in_progress()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{pending_approval,approved,in_production,partially_shipped}'::salesorder.order_status[];

-- Closed: terminal, no move leaves them (status_transition_terminal).
CREATE FUNCTION salesorder.statuses_closed()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{completed,cancelled}'::salesorder.order_status[];

-- Not closed: every other status (order_tracking, report_pipeline read them
-- as index ranges).
CREATE FUNCTION salesorder.statuses_not_closed()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{draft,pending_approval,approved,rejected,in_production,partially_shipped,shipped,delivered,on_hold}'::salesorder.order_status[];

-- In the sales report: every order once submitted, unless cancelled or
-- rejected (what the rollup sums).
CREATE FUNCTION salesorder.statuses_in_report()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{pending_approval,approved,in_production,partially_shipped,shipped,delivered,completed,on_hold}'::salesorder.order_status[];

-- Shippable: ship() takes reserved stock out for these.
CREATE FUNCTION salesorder.statuses_shippable()
RETURNS salesorder.order_status[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN '{approved,in_production,partially_shipped}'::salesorder.order_status[];
