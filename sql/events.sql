--
-- events: the outbox (every kind, nothing for a rollback, events_since),
-- stages, health colours, delay detection.
--
\set test_db regress_events
\i sql/include/fresh_database.sql
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
VALUES ('EVT', 'Event Watchers', 'North', 'smb', 1000000, '3 Signal Rd', 1);
SELECT id AS cust FROM salesorder.customer WHERE code = 'EVT' \gset
INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('EVT-1', 'Beacon', 'signals', 50);
SELECT id AS p1 FROM salesorder.product WHERE sku = 'EVT-1' \gset
SELECT on_hand FROM salesorder.receive_stock(1, :p1, 10);

SELECT coalesce(max(id), 0) AS e0 FROM salesorder.order_event \gset
-- What happened to an order since a point: kind and a few payload fields.
CREATE FUNCTION regress.events_after(e bigint) RETURNS TABLE (n bigint, kind text,
	order_no_ok boolean, details text) LANGUAGE sql AS $$
	SELECT row_number() OVER (ORDER BY id), kind,
		   order_id IS NULL OR order_id > 0,
		   concat_ws(' ', payload ->> 'from', payload ->> 'to', payload ->> 'severity',
					 payload ->> 'reason', payload -> 'lines', payload ->> 'available')
	FROM salesorder.order_event WHERE id > e ORDER BY id
$$;

-- Creation and submission.
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 2}]',
	'{"promised_date": "2026-12-20"}') AS o \gset
SELECT * FROM regress.events_after(:e0);
SELECT max(id) AS e1 FROM salesorder.order_event \gset
-- A stage (which starts production), a hold and its release, a shipment,
-- delivery, completion.
SELECT salesorder.set_stage(:o, 'assembling', 'line 2');
SELECT salesorder.set_stage(:o, 'quality_check');
SELECT salesorder.hold(:o, 'paint issue');
SELECT salesorder.release_hold(:o);
SELECT salesorder.ship(:o, '[{"line_no": 1, "qty": 1}]');
SELECT salesorder.ship(:o);
SELECT salesorder.deliver(:o);
SELECT salesorder.complete(:o);
SELECT * FROM regress.events_after(:e1);

-- Approval decisions and change requests.
SELECT count(*) >= 0 AS roles FROM salesorder.create_roles();
CREATE ROLE regress_evt_approver LOGIN IN ROLE salesorder_approver;
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
VALUES ('evt big', 'amount_over', 200, 'finance', 'regress_evt_approver'),
	   ('evt change', 'change_amount_over', 10, 'finance', 'regress_evt_approver');
SELECT max(id) AS e2 FROM salesorder.order_event \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 5}]') AS a \gset
SET ROLE regress_evt_approver;
SELECT salesorder.approve(:a, 'fine');
RESET ROLE;
SELECT salesorder.request_change(:a, '{"lines": [{"line_no": 1, "qty": 6}]}', 'one more') AS c \gset
SET ROLE regress_evt_approver;
SELECT salesorder.approve_change(:c);
RESET ROLE;
SELECT salesorder.request_change(:a, '{"lines": [{"line_no": 1, "qty": 8}]}', 'two more') AS c2 \gset
SET ROLE regress_evt_approver;
SELECT salesorder.reject_change(:c2, 'not now');
RESET ROLE;
SELECT salesorder.cancel(:a, 'no longer needed');
SELECT * FROM regress.events_after(:e2);
UPDATE salesorder.approval_rule SET active = false;
DROP OWNED BY regress_evt_approver;
DROP ROLE regress_evt_approver;

-- A low-stock crossing: available drops below the reorder point.
UPDATE salesorder.stock SET reorder_point = 5 WHERE warehouse_id = 1 AND product_id = :p1;
SELECT max(id) AS e3 FROM salesorder.order_event \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 2}]') AS l1 \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 2}]') AS l2 \gset
SELECT * FROM regress.events_after(:e3);

-- A rolled-back change leaves no event.
SELECT max(id) AS e4 FROM salesorder.order_event \gset
BEGIN;
SELECT salesorder.hold(:l1, 'rolled back');
ROLLBACK;
SELECT count(*) AS events_after_rollback FROM salesorder.order_event WHERE id > :e4;
SELECT * FROM regress.try(format('SELECT salesorder.cancel(%s, NULL)', :l1));
SELECT count(*) AS events_after_error FROM salesorder.order_event WHERE id > :e4;

-- events_since: everything after a point, in order, in pages.
SELECT count(*) AS all_events, count(*) = (SELECT count(*) FROM salesorder.order_event
										   WHERE id > :e0) AS complete
FROM salesorder.events_since(:e0, 100000);
SELECT array_agg(id - :e0 ORDER BY id) AS first_page FROM salesorder.events_since(:e0, 3);
SELECT array_agg(id - :e0 ORDER BY id) AS second_page
FROM salesorder.events_since(:e0 + 3, 3);
-- With nobody writing, the horizon is the sequence's last value (ids of
-- rolled-back transactions included).
SELECT salesorder.event_horizon() >= (SELECT max(id) FROM salesorder.order_event) AS horizon_at_end;
SELECT * FROM regress.try('SELECT * FROM salesorder.events_since(0, 0)');
-- A NULL mark is an error, not "from the start" (0 is that); the other
-- arguments keep their NULL meaning (max_events: 1000, kinds and customer:
-- any).
SELECT * FROM regress.try('SELECT * FROM salesorder.events_since(NULL)');
SELECT * FROM regress.try('SELECT * FROM salesorder.events_since(NULL, 10, ARRAY[''created''])');
SELECT count(*) = (SELECT count(*) FROM salesorder.events_since(0)) AS null_max_events_is_1000,
	   count(*) = (SELECT count(*) FROM salesorder.order_event) AS null_filters_are_any
FROM salesorder.events_since(0, NULL, NULL, NULL);
-- A kind the extension never writes -- a typo -- is refused with the list
-- of kinds, where it would match nothing for ever; so is a NULL kind.  An
-- empty list still matches nothing.
SELECT state, message, detail
FROM regress.try($$SELECT * FROM salesorder.events_since(0, 1000, ARRAY['shipmnt'])$$);
SELECT state, message, detail
FROM regress.try($$SELECT * FROM salesorder.events_since(0, 1000, ARRAY['shipment', 'Created'])$$);
SELECT state, message, hint
FROM regress.try($$SELECT * FROM salesorder.events_since(0, 1000, ARRAY['shipment', NULL])$$);
SELECT count(*) AS no_kinds FROM salesorder.events_since(0, 1000, '{}');
SELECT count(*) AS shipments FROM salesorder.events_since(0, 1000, ARRAY['shipment']);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM regress.try('SELECT * FROM salesorder.events_since(0)');
ROLLBACK;

-- Health colours.
SELECT s AS status, d AS promised, st AS stage,
	   salesorder.order_health(s, d, st, '2026-12-10') AS health
FROM (VALUES
	('draft'::salesorder.order_status, NULL::date, NULL::text),
	('approved', '2026-12-20', NULL),
	('approved', '2026-12-09', NULL),
	('in_production', '2026-12-20', 'assembling'),
	('in_production', '2026-12-20', 'rework'),
	('partially_shipped', '2026-12-01', NULL),
	('shipped', '2026-12-01', NULL),
	('on_hold', '2026-12-20', NULL),
	('rejected', NULL, NULL),
	('delivered', '2026-12-01', NULL),
	('completed', NULL, NULL),
	('cancelled', NULL, NULL)) v(s, d, st);

-- Tracking: one row per order for every department.
SELECT regress.mask(order_no) AS order_no, status, stage, health, promised_date,
	   open_qty, last_event
FROM salesorder.order_tracking WHERE order_id IN (:o, :a, :l1) ORDER BY order_id;

-- Stages: only known ones, only in production.
SELECT * FROM regress.try(format('SELECT salesorder.set_stage(%s, %L)', :l1, 'painting'));
SELECT * FROM regress.try(format('SELECT salesorder.set_stage(%s, %L)', :o, 'packed'));
SELECT * FROM regress.try(format('SELECT salesorder.set_stage(%s, NULL)', :l1));
SELECT from_status, to_status, kind, reason FROM salesorder.order_status_history
WHERE order_id = :o AND kind = 'stage' ORDER BY id;

-- flag_delays: late and at-risk orders, one event per order, promised
-- date and severity; a second call flags nothing new.
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]',
	'{"promised_date": "2026-12-05"}') AS late \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]',
	'{"promised_date": "2026-12-12"}') AS soon \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]',
	'{"promised_date": "2027-01-30"}') AS later \gset
DELETE FROM salesorder.delay_flag;
SELECT max(id) AS e5 FROM salesorder.order_event \gset
SET salesorder.at_risk_days = 3;
SELECT salesorder.flag_delays('2026-12-10 12:00+00') > 0 AS flagged_some;
SELECT salesorder.flag_delays('2026-12-10 12:00+00') AS flagged_again;
SELECT order_id = :late AS is_late_order, order_id = :soon AS is_soon_order, severity,
	   event_id IS NOT NULL AS has_event
FROM salesorder.delay_flag WHERE order_id IN (:late, :soon, :later) ORDER BY order_id;
SELECT kind, payload ->> 'severity' AS severity, (payload ->> 'days_late')::int AS days_late
FROM salesorder.order_event WHERE id > :e5 AND order_id IN (:late, :soon, :later) ORDER BY id;
-- Days later the soon one is late too: one more event, for it only.
SELECT salesorder.flag_delays('2026-12-14 12:00+00') >= 1 AS flagged_more;
SELECT severity FROM salesorder.delay_flag WHERE order_id = :soon ORDER BY severity;
-- A new promised date is a new delay to report.
SELECT salesorder.request_change(:late, '{"promised_date": "2026-12-16"}', 'new date') IS NOT NULL AS moved;
SELECT salesorder.flag_delays('2026-12-14 12:00+00') >= 1 AS flagged_new_date;
SELECT promised_date, severity FROM salesorder.delay_flag WHERE order_id = :late ORDER BY promised_date;
-- An order on hold is still late (whatever it was held from), as
-- report_delayed shows it.
SELECT (salesorder.receive_stock(1, :p1, 10, 'restock')).on_hand > 0 AS restocked;
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]',
	'{"promised_date": "2026-12-08"}') AS held \gset
SELECT salesorder.hold(:held, 'customer asked to wait');
SELECT salesorder.flag_delays('2026-12-14 12:00+00') >= 1 AS flagged_held;
SELECT severity FROM salesorder.delay_flag WHERE order_id = :held;
RESET salesorder.at_risk_days;

-- A fresh session that has called no function of the extension yet (a BI
-- tool's new connection) still sees the orders at risk: the views read
-- salesorder.at_risk_days through the library, which loads it.  (Where the
-- library is preloaded it is always loaded; test/t/001_smoke.pl checks a
-- server without preload.)
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]',
	pg_catalog.jsonb_build_object('promised_date', CURRENT_DATE + 2)) AS due_soon \gset
\c
SELECT pg_catalog.current_setting('salesorder.at_risk_days', true) IS NULL
	OR pg_catalog.current_setting('shared_preload_libraries') ~ 'salesorder' AS fresh_or_preloaded;
SELECT at_risk, days_late FROM salesorder.report_delayed WHERE order_id = :due_soon;
SELECT at_risk, health FROM salesorder.order_tracking WHERE order_id = :due_soon;
SET salesorder.at_risk_days = 1;
SELECT count(*) AS delayed_with_one_day FROM salesorder.report_delayed WHERE order_id = :due_soon;
RESET salesorder.at_risk_days;

-- One history row and one event per operation: an order created and
-- submitted in one call -- also one that may backorder, which is submitted
-- as a draft would be -- has one history row, from no status to where it
-- landed, and one created event carrying that status; a draft submitted
-- later has its created event, then its submitted one.
SELECT max(id) AS e_one FROM salesorder.order_event \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]', '{"backorder": true}') AS one_call \gset
SELECT salesorder.create_order(:cust, '[{"sku": "EVT-1", "qty": 1}]', '{"draft": true}') AS later \gset
SELECT salesorder.submit_order(:later);
SELECT order_id = :one_call AS one_call, from_status, to_status, reason
FROM salesorder.order_status_history WHERE order_id IN (:one_call, :later) ORDER BY id;
-- ... at the order's creation, which is when it got its status.
SELECT o.status_changed_at = o.created_at AS status_since_creation,
	   h.changed_at = o.created_at AS history_at_creation
FROM salesorder.sales_order o JOIN salesorder.order_status_history h ON h.order_id = o.id
WHERE o.id = :one_call;
SELECT order_id = :one_call AS one_call, kind, payload ->> 'from' AS "from", payload ->> 'to' AS "to",
	   EXISTS (SELECT 1 FROM salesorder.order_status_history h
			   WHERE h.id = (e.payload ->> 'history_id')::bigint AND h.order_id = e.order_id
				 AND h.from_status::text IS NOT DISTINCT FROM e.payload ->> 'from'
				 AND h.to_status::text = e.payload ->> 'to') AS names_its_row
FROM salesorder.order_event e WHERE id > :e_one AND order_id IN (:one_call, :later) ORDER BY id;

-- Every kind the outbox holds by now -- the suite wrote each of them -- is
-- a kind the filter knows.
SELECT string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kinds_written FROM salesorder.order_event;
SELECT count(*) = (SELECT count(*) FROM salesorder.order_event) AS every_kind_accepted
FROM salesorder.events_since(0, 100000, (SELECT array_agg(DISTINCT kind) FROM salesorder.order_event));

-- Inside a transaction that wrote an event, the horizon stops below it for
-- this session too, as for every other: nobody is told more than another.
BEGIN;
SELECT salesorder.event_horizon() AS horizon_before \gset
SELECT salesorder.release_hold(:held) AS released;
SELECT salesorder.event_horizon() = :horizon_before AS own_event_held_back,
	   (SELECT holds_horizon_at FROM salesorder.event_horizon_holders
		WHERE pid = pg_backend_pid()) = :horizon_before AS held_at_the_last_id,
	   (SELECT count(*) FROM salesorder.events_since(:horizon_before)) AS own_event_not_handed_out;
ROLLBACK;

-- Every role that is granted events_since() and event_horizon() can call
-- them (the horizon reads the event sequence with the owner's rights), and
-- reads the events its row-level security lets it see.
CREATE ROLE regress_evt_sales LOGIN IN ROLE salesorder_sales;
CREATE ROLE regress_evt_approver LOGIN IN ROLE salesorder_approver;
CREATE ROLE regress_evt_warehouse LOGIN IN ROLE salesorder_warehouse;
CREATE ROLE regress_evt_admin LOGIN IN ROLE salesorder_admin;
SELECT salesorder.event_horizon() AS superuser_horizon \gset
SELECT r AS role,
	(SELECT message FROM regress.try(format(
		'SET ROLE %I; SELECT salesorder.event_horizon(); SELECT count(*) FROM salesorder.events_since(0, 10); RESET ROLE', r))) AS calls
FROM unnest(ARRAY['regress_evt_sales', 'regress_evt_approver', 'regress_evt_warehouse',
				  'regress_evt_admin']) r;
SET ROLE regress_evt_warehouse;
SELECT salesorder.event_horizon() = :superuser_horizon AS same_horizon,
	(SELECT count(*) FROM salesorder.events_since(0, 100000))
	= (SELECT count(*) FROM salesorder.order_event WHERE id <= :superuser_horizon) AS sees_every_event;
SET ROLE regress_evt_sales;
SELECT count(*) AS unassigned_rep_sees FROM salesorder.events_since(0, 100000);
RESET ROLE;

-- Outbox retention: a consumer registers by acknowledging what it has
-- read, and trim_events() deletes only what every registered consumer has
-- read, older than keep.  A mark never moves back nor past the horizon,
-- and belongs to the role that registered it (or an admin).  Consumers are
-- members of salesorder_consumer.
CREATE ROLE regress_evt_erp LOGIN IN ROLE salesorder_consumer;
CREATE ROLE regress_evt_mobile LOGIN IN ROLE salesorder_consumer;
SELECT salesorder.event_horizon() AS h, min(id) AS first_event FROM salesorder.order_event \gset
SET ROLE regress_evt_erp;
SELECT salesorder.ack_events('erp', :first_event + 2) - :first_event AS erp_mark;
SELECT salesorder.ack_events('erp', :first_event) - :first_event AS erp_mark_never_moves_back;
SELECT state, regexp_replace(message, '[0-9]+', 'N') AS message, hint
FROM regress.try(format('SELECT salesorder.ack_events(%L, %s)', 'erp', :h + 1000));
SELECT state, message FROM regress.try('SELECT salesorder.ack_events(NULL, 1)');
SELECT state, message FROM regress.try('SELECT salesorder.ack_events('''', 1)');
SELECT state, message FROM regress.try('SELECT salesorder.ack_events(''erp'', -1)');
SELECT state, message FROM regress.try('SELECT salesorder.trim_events(''0'')');
SELECT state, message FROM regress.try('SELECT * FROM salesorder.event_consumer');
RESET ROLE;
SET ROLE regress_evt_mobile;
SELECT state, message, detail FROM regress.try(format('SELECT salesorder.ack_events(%L, %s)', 'erp', :h));
SELECT state, message FROM regress.try('SELECT salesorder.drop_event_consumer(''erp'')');
SELECT salesorder.ack_events('mobile', :first_event + 5) - :first_event AS mobile_mark;
RESET ROLE;
SELECT consumer, owner_role, last_id - :first_event AS mark, acked_at IS NOT NULL AS acked
FROM salesorder.event_consumer ORDER BY consumer;
-- The order roles neither register a consumer (a mark at 0 would hold
-- trimming back for ever, and the name would be theirs) nor move or drop
-- one: 42501, and nothing written.
CREATE FUNCTION regress.consumers() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(format('%s:%s:%s:%s', consumer, owner_role, last_id, acked_at),
					  ' ' ORDER BY consumer)
	FROM salesorder.event_consumer
$$;
SELECT regress.consumers() AS consumers_before, regress.fingerprint() AS before \gset
SELECT r AS role, c.what, t.state, t.message
FROM unnest(ARRAY['regress_evt_sales', 'regress_evt_approver', 'regress_evt_warehouse']) r,
	 (VALUES (1, 'register stall at 0', 'ack_events(''stall'', 0)'),
			 (2, 'move erp''s mark', format('ack_events(''erp'', %s)', :h)),
			 (3, 'drop erp', 'drop_event_consumer(''erp'')')) c(n, what, call),
	 LATERAL regress.try(format('SET ROLE %I; SELECT salesorder.%s', r, c.call)) t
ORDER BY r, c.n;
RESET ROLE;
SELECT regress.consumers() = :'consumers_before' AS no_consumer_written,
	   regress.fingerprint() = :'before' AS nothing_written;
-- Nothing is older than the default retention (30 days); with keep 0 what
-- both consumers read goes: up to erp's mark, the lower one.
SELECT regress.fingerprint() AS before \gset
SELECT salesorder.trim_events() AS trimmed_by_default;
SELECT regress.fingerprint() = :'before' AS nothing_written;
SELECT state, message FROM regress.try('SELECT salesorder.trim_events(''-1 day'')');
SELECT state, message FROM regress.try('SELECT salesorder.trim_events(''0'', 0)');
SELECT salesorder.trim_events('0') AS trimmed;
SELECT min(id) - :first_event AS first_kept FROM salesorder.order_event;
-- An admin moves any mark, and registers a consumer of its own; a batch
-- stops at max_events.
SET ROLE regress_evt_admin;
SELECT salesorder.ack_events('erp', :first_event + 4) - :first_event AS admin_moved_erp;
SELECT salesorder.ack_events('admin_feed', :h) = :h AS admin_registered;
SELECT salesorder.drop_event_consumer('admin_feed') AS admin_dropped;
RESET ROLE;
SELECT salesorder.trim_events('0', 1) AS one_batch;
SELECT min(id) - :first_event AS first_kept FROM salesorder.order_event;
SELECT (SELECT min(id) FROM salesorder.events_since(0, 10)) - :first_event AS events_since_starts_at;
SET ROLE regress_evt_erp;
SELECT salesorder.drop_event_consumer('erp') AS dropped, salesorder.drop_event_consumer('nobody') AS not_there;
RESET ROLE;
SELECT salesorder.drop_event_consumer('mobile') AS superuser_dropped;
SELECT count(*) AS consumers_left FROM salesorder.event_consumer;
DROP ROLE regress_evt_sales, regress_evt_approver, regress_evt_warehouse, regress_evt_admin,
	regress_evt_erp, regress_evt_mobile;

\i sql/include/leave_database.sql
