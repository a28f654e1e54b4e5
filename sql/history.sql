--
-- history: what the daily views cost must not grow with the years of
-- closed orders.  order_tracking shows the orders in flight and those
-- closed lately (order_tracking_all every order); report_pipeline reads the
-- closed orders from a checkpoint and stays equal to the raw GROUP BY.
--
\set test_db regress_history
\i sql/include/fresh_database.sql
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();

-- The pipeline computed from the raw table, and whether the view equals it.
CREATE VIEW regress.pipeline_raw AS
	SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   count(*) AS orders, sum(o.total_amount) AS amount,
		   min(o.created_at) AS oldest, max(o.created_at) AS newest
	FROM salesorder.sales_order o GROUP BY 1, 2;
CREATE FUNCTION regress.pipeline_matches() RETURNS boolean LANGUAGE sql AS $$
	SELECT NOT EXISTS (
		(TABLE regress.pipeline_raw EXCEPT ALL TABLE salesorder.report_pipeline)
		UNION ALL
		(TABLE salesorder.report_pipeline EXCEPT ALL TABLE regress.pipeline_raw))
$$;

-- completed and cancelled are terminal, and stay so: the checkpoint folds
-- a closed order once.
SELECT array_agg(s ORDER BY s) AS terminal
FROM unnest(enum_range(NULL::salesorder.order_status)) s
WHERE NOT EXISTS (SELECT 1 FROM salesorder.status_transition t WHERE t.from_status = s);
SELECT * FROM regress.try($$INSERT INTO salesorder.status_transition
	(from_status, to_status, description, made_by)
	VALUES ('completed', 'draft', 'reopened', 'UPDATE')$$);
SELECT count(*) AS moves_out_of_completed
FROM salesorder.status_transition WHERE from_status = 'completed';

-- Orders in every status, as a suite leaves them.
SELECT regress.some_history() AS history;

-- A customer with four orders: one in flight, one cancelled and one
-- completed today, and one cancelled long ago.
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
SELECT 'HIST', 'History Ltd', 'North', 'smb', 100000, '2 Archive Rd', w.id
FROM salesorder.warehouse w WHERE w.code = 'WH-N';
SELECT id AS hist FROM salesorder.customer WHERE code = 'HIST' \gset
SELECT salesorder.create_order(:hist, '[{"sku": "TEE-BLK-M", "qty": 1}]') AS live \gset
SELECT salesorder.create_order(:hist, '[{"sku": "TEE-BLK-M", "qty": 2}]') AS gone \gset
SELECT salesorder.create_order(:hist, '[{"sku": "TEE-BLK-M", "qty": 3}]') AS done \gset
SELECT salesorder.create_order(:hist, '[{"sku": "TEE-BLK-M", "qty": 4}]') AS old \gset
SELECT salesorder.cancel(:gone, 'customer changed plans');
SELECT salesorder.ship(:done);
SELECT salesorder.complete(:done);
SELECT salesorder.cancel(:old, 'customer changed plans');
-- History as a migration loads it: the last one was cancelled 400 days ago.
SET session_replication_role = replica;
UPDATE salesorder.sales_order
SET created_at = now() - interval '410 days', status_changed_at = now() - interval '400 days'
WHERE id = :old;
RESET session_replication_role;

-- order_tracking: what is in flight and what closed in the last
-- salesorder.tracking_days (30); order_tracking_all has every order.
SHOW salesorder.tracking_days;
SELECT status, total_amount,
	   order_id IN (SELECT order_id FROM salesorder.order_tracking) AS tracked,
	   order_id IN (SELECT order_id FROM salesorder.order_tracking_all) AS in_all
FROM salesorder.order_tracking_all WHERE customer_code = 'HIST' ORDER BY order_id;
SET salesorder.tracking_days = 500;
SELECT count(*) AS tracked_with_500_days FROM salesorder.order_tracking WHERE customer_code = 'HIST';
SET salesorder.tracking_days = 0;
SELECT count(*) AS tracked_with_0_days FROM salesorder.order_tracking WHERE customer_code = 'HIST';
RESET salesorder.tracking_days;
-- Every order in flight, in whatever status the suite left it, is tracked.
SELECT (SELECT count(*) FROM salesorder.order_tracking_all
		WHERE status NOT IN ('completed', 'cancelled'))
	 = (SELECT count(*) FROM salesorder.order_tracking
		WHERE status NOT IN ('completed', 'cancelled')) AS every_order_in_flight,
	   (SELECT count(DISTINCT status) FROM salesorder.order_tracking) > 5 AS many_statuses;
-- Filtered by created_at, as README tells users to (an index range): the
-- order created 410 days ago and nothing else of that time.
SELECT count(*) AS created_over_a_year_ago,
	   bool_and(order_id = :old) AS is_the_old_order
FROM salesorder.order_tracking_all WHERE created_at < now() - interval '1 year';
SELECT (SELECT count(*) FROM salesorder.order_tracking_all WHERE created_at >= now() - interval '1 day')
	 = (SELECT count(*) FROM salesorder.sales_order WHERE created_at >= now() - interval '1 day')
	   AS created_today_all_there;
CREATE FUNCTION regress.plan_uses(query text, index_name text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		IF strpos(line, index_name) > 0 THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END $$;
SET enable_seqscan = off;
SELECT regress.plan_uses($$SELECT order_id FROM salesorder.order_tracking_all
						   WHERE created_at >= now() - interval '1 day'$$,
						 'sales_order_created_at_idx') AS uses_the_created_at_index;
RESET enable_seqscan;

-- report_pipeline equals the raw GROUP BY before any checkpoint, after one,
-- and after orders closed since.
SELECT folded_to FROM salesorder.pipeline_checkpoint;
SELECT regress.pipeline_matches() AS before_checkpoint;
SELECT salesorder.checkpoint_pipeline() > now() - interval '1 minute' AS checkpointed;
SELECT status, health, orders > 0 AS has_orders FROM salesorder.pipeline_closed ORDER BY 1, 2;
SELECT regress.pipeline_matches() AS after_checkpoint;
SELECT salesorder.cancel(:live, 'closed after the checkpoint');
SELECT regress.pipeline_matches() AS closed_since;
SELECT salesorder.checkpoint_pipeline() > (SELECT taken_at - interval '1 minute'
										   FROM salesorder.pipeline_checkpoint) AS checkpointed_again;
SELECT regress.pipeline_matches() AS after_second_checkpoint;
SELECT count(*) AS cancelled_after_checkpoint FROM salesorder.sales_order
WHERE status = 'cancelled'
  AND status_changed_at >= (SELECT folded_to FROM salesorder.pipeline_checkpoint);

-- A replica session's writes (a restore, logical replication) keep stamps
-- and ids no cut accounted for: both checkpoints start again.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE salesorder.sales_order SET notes = notes WHERE id = :gone;
INSERT INTO salesorder.stock_movement (warehouse_id, product_id, kind, on_hand_delta, created_by)
SELECT s.warehouse_id, s.product_id, 'adjustment', d.delta, 'restore'
FROM (SELECT * FROM salesorder.stock LIMIT 1) s, (VALUES (1), (-1)) d(delta);
SELECT (SELECT folded_to FROM salesorder.pipeline_checkpoint) AS pipeline_folded_to,
	   (SELECT upto_id FROM salesorder.ledger_checkpoint) AS ledger_upto,
	   (SELECT count(*) FROM salesorder.ledger_balance) AS ledger_balances,
	   regress.pipeline_matches() AS still_matches;
SELECT count(*) AS quick_problems_after_reset FROM salesorder.verify_stock();
ROLLBACK;

-- The checkpoint must see what committed while it waited: not under a
-- transaction snapshot.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM regress.try('SELECT salesorder.checkpoint_pipeline()');
ROLLBACK;

-- Admins take checkpoints; others may not.
SET ROLE salesorder_sales;
SELECT * FROM regress.try('SELECT salesorder.checkpoint_pipeline()');
RESET ROLE;

-- TRUNCATE forgets the fold with the orders (rolled back here).
BEGIN;
SET LOCAL client_min_messages = warning;
TRUNCATE salesorder.sales_order CASCADE;
SELECT folded_to, (SELECT count(*) FROM salesorder.pipeline_closed) AS folded_groups
FROM salesorder.pipeline_checkpoint;
SELECT count(*) AS pipeline_rows FROM salesorder.report_pipeline;
ROLLBACK;
SELECT regress.pipeline_matches() AS after_rollback;

-- The archive: old ledger rows and status history of closed orders move
-- into tables partitioned by month; stock still balances, and still does
-- once an archived month is dropped.
-- A stock row received and then adjusted to nothing: its ledger rows (no
-- order) are archived below, the row stays.
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('HIST-EMPTY', 'Emptied', 'misc', 1);
SELECT on_hand FROM salesorder.receive_stock(1, (SELECT id FROM salesorder.product WHERE sku = 'HIST-EMPTY'), 5);
SELECT on_hand FROM salesorder.adjust_stock(1, (SELECT id FROM salesorder.product WHERE sku = 'HIST-EMPTY'), -5, 'written off');
SHOW salesorder.archive_after;
SELECT salesorder.archive_history() AS moved_with_archiving_off;
SELECT * FROM regress.try('SELECT salesorder.archive_history(interval ''-1 day'')');
SELECT count(*) AS ledger_rows, sum(on_hand_delta) AS on_hand
FROM salesorder.stock_movement \gset before_
SELECT count(*) AS history_rows FROM salesorder.order_status_history \gset before_
SELECT salesorder.checkpoint_ledger() > 0 AS checkpointed;
-- Everything up to the checkpoint counts as old enough here (keep 0).
SELECT salesorder.archive_history('0', 5) AS first_batch;
DO $$ BEGIN
	WHILE salesorder.archive_history('0', 5000) > 0 LOOP END LOOP;
END $$;
SELECT salesorder.archive_history('0') AS nothing_left;
-- Nothing lost: hot plus archived is what there was.
SELECT (SELECT count(*) FROM salesorder.stock_movement)
	 + (SELECT count(*) FROM salesorder.stock_movement_archive) = :before_ledger_rows AS ledger_kept,
	   (SELECT sum(on_hand) FROM salesorder.ledger_archive_balance)
	 + (SELECT sum(on_hand_delta) FROM salesorder.stock_movement) = :before_on_hand AS on_hand_kept,
	   (SELECT count(*) FROM salesorder.order_status_history)
	 + (SELECT count(*) FROM salesorder.order_status_history_archive) = :before_history_rows AS history_kept;
-- What stayed: open orders' ledger rows and their history; what moved:
-- receipts and adjustments, and closed orders'.
SELECT count(*) FILTER (WHERE o.status NOT IN ('completed', 'cancelled')) > 0 AS open_rows_stay,
	   count(*) FILTER (WHERE m.order_id IS NULL OR o.status IN ('completed', 'cancelled')) AS closed_rows_left
FROM salesorder.stock_movement m LEFT JOIN salesorder.sales_order o ON o.id = m.order_id
WHERE m.id <= (SELECT upto_id FROM salesorder.ledger_checkpoint);
SELECT count(*) AS closed_history_left
FROM salesorder.order_status_history h JOIN salesorder.sales_order o ON o.id = h.order_id
WHERE o.status IN ('completed', 'cancelled');
SELECT count(*) AS quick_problems FROM salesorder.verify_stock();
SELECT count(*) AS full_problems FROM salesorder.verify_stock(true);
-- The archives are partitioned by month, and written by archive_history() only.
SELECT count(*) > 0 AS month_partitions FROM pg_inherits
WHERE inhparent = 'salesorder.stock_movement_archive'::regclass;
SELECT * FROM regress.try('DELETE FROM salesorder.stock_movement_archive');
SELECT * FROM regress.try($$INSERT INTO salesorder.order_status_history_archive
	(id, order_id, customer_id, to_status, changed_by, changed_at, kind)
	VALUES (0, 0, 0, 'draft', 'me', now(), 'status')$$);
SELECT * FROM regress.try('DELETE FROM salesorder.stock_movement');
-- A DBA drops the archived months (after dumping them): stock still balances.
-- (Which months there are depends on the day the test runs: it prints how
-- many were dropped, not their names.)
SELECT count(*) >= 1 AS has_archived_months FROM pg_inherits
WHERE inhparent = 'salesorder.stock_movement_archive'::regclass;
DO $$
DECLARE
	part regclass;
BEGIN
	FOR part IN SELECT inhrelid::regclass FROM pg_inherits
				WHERE inhparent = 'salesorder.stock_movement_archive'::regclass
	LOOP
		EXECUTE format('DROP TABLE %s', part);
	END LOOP;
END $$;
SELECT count(*) AS months_left FROM pg_inherits
WHERE inhparent = 'salesorder.stock_movement_archive'::regclass;
SELECT count(*) AS archived_rows_left FROM salesorder.stock_movement_archive;
SELECT count(*) AS full_problems_after_drop FROM salesorder.verify_stock(true);
-- A stock row whose ledger rows are all archived still cannot be deleted.
SELECT count(*) AS empty_stock_rows_with_archived_ledger_only FROM salesorder.stock s
WHERE s.on_hand = 0 AND NOT EXISTS (SELECT 1 FROM salesorder.stock_movement m
	 WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id);
SELECT * FROM regress.try($$DELETE FROM salesorder.stock s WHERE s.on_hand = 0 AND NOT EXISTS
	(SELECT 1 FROM salesorder.stock_movement m
	 WHERE m.warehouse_id = s.warehouse_id AND m.product_id = s.product_id)$$);
-- Order entry goes on.
SELECT salesorder.create_order(:hist, '[{"sku": "TEE-BLK-M", "qty": 1}]') > 0 AS ordered;
SELECT count(*) AS full_problems_at_the_end FROM salesorder.verify_stock(true);

-- order_health() in C gives what its definition in SQL gives, for every
-- status, a promise before, on and after the day, no promise, no stage, a
-- normal stage, a problem stage (rework) and an unknown one, and a NULL
-- status or day.
CREATE FUNCTION regress.health_sql(status salesorder.order_status, promised_date date,
								   stage text, as_of date) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN status = 'cancelled' THEN 'grey'
		WHEN status IN ('delivered', 'completed') THEN 'green'
		WHEN status IN ('on_hold', 'rejected') THEN 'red'
		WHEN status <> 'shipped' AND promised_date < as_of THEN 'red'
		WHEN EXISTS (SELECT 1 FROM salesorder.production_stage s
					 WHERE s.stage = health_sql.stage AND s.problem) THEN 'red'
		ELSE 'yellow'
	END
$$;
SELECT count(*) AS combinations,
	   count(*) FILTER (WHERE salesorder.order_health(st, pd, sg, d)
						IS DISTINCT FROM regress.health_sql(st, pd, sg, d)) AS differ,
	   count(DISTINCT salesorder.order_health(st, pd, sg, d)) AS colours
FROM (SELECT s AS st FROM unnest(enum_range(NULL::salesorder.order_status)) s
	  UNION ALL SELECT NULL) a
CROSS JOIN (VALUES (date '2026-06-01'), ('2026-06-02'), ('2026-06-03'), (NULL)) b(pd)
CROSS JOIN (VALUES ('assembling'), ('rework'), ('no_such_stage'), (NULL)) c(sg)
CROSS JOIN (VALUES (date '2026-06-02'), (NULL)) e(d);
-- As a reporting user, who may not read production_stage.
SET ROLE salesorder_reporting;
SELECT salesorder.order_health('approved', NULL, 'rework') AS rework_as_reporting;
RESET ROLE;

\i sql/include/leave_database.sql
