-- The transactional outbox, production stages, delay detection and the
-- tracking view.

-- CACHE 1 (the default) matters: ids must be handed out in time order
-- across backends for the consumer horizon of events_since() to hold.
CREATE SEQUENCE salesorder.order_event_id_seq CACHE 1;

CREATE TABLE salesorder.order_event (
	id			bigint PRIMARY KEY
		DEFAULT pg_catalog.nextval('salesorder.order_event_id_seq'::pg_catalog.regclass),
	order_id	bigint,
	customer_id	bigint,
	kind		text NOT NULL,
	payload		jsonb NOT NULL DEFAULT '{}',
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE salesorder.order_event_id_seq OWNED BY salesorder.order_event.id;
-- The primary key is the consumers' cursor (events_since); by order, in
-- order: an order's last event (order_tracking) and its events.
CREATE INDEX order_event_order_idx ON salesorder.order_event (order_id, id)
	WHERE order_id IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('salesorder.order_event', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_event_id_seq', '');

#include "udfs/events_since/1.2.sql"

CREATE FUNCTION salesorder.event_horizon()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_event_horizon'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

#include "views/event_horizon_holders/1.2.sql"

-- Production and fulfilment sub-stages, as data.
CREATE TABLE salesorder.production_stage (
	stage		text PRIMARY KEY CHECK (stage ~ '^[a-z][a-z0-9_]*$'),
	description	text NOT NULL,
	sort_order	integer NOT NULL DEFAULT 0,
	problem		boolean NOT NULL DEFAULT false,
	builtin		boolean NOT NULL DEFAULT false
);
INSERT INTO salesorder.production_stage (stage, description, sort_order, problem, builtin) VALUES
	('waiting_for_material', 'waiting for material', 10, false, true),
	('assembling', 'assembling', 20, false, true),
	('quality_check', 'quality check', 30, false, true),
	('rework', 'rework after a failed check', 35, true, true),
	('packed', 'packed, ready to ship', 40, false, true);
-- The stages an administrator added are dumped; the built-in ones come
-- with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('salesorder.production_stage', 'WHERE NOT builtin');

ALTER TABLE salesorder.sales_order
	ADD COLUMN stage text REFERENCES salesorder.production_stage (stage),
	ADD COLUMN stage_changed_at timestamptz;

CREATE FUNCTION salesorder.set_stage(order_id bigint, stage text, note text DEFAULT NULL)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_set_stage'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- One row per order, promised date and severity flagged by flag_delays().
CREATE TABLE salesorder.delay_flag (
	order_id		bigint NOT NULL,
	customer_id		bigint NOT NULL,
	promised_date	date NOT NULL,
	severity		text NOT NULL CHECK (severity IN ('at_risk', 'late')),
	flagged_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	as_of			timestamptz NOT NULL,
	event_id		bigint,
	PRIMARY KEY (order_id, promised_date, severity),
	FOREIGN KEY (order_id) REFERENCES salesorder.sales_order (id) ON DELETE CASCADE
);
SELECT pg_catalog.pg_extension_config_dump('salesorder.delay_flag', '');

CREATE FUNCTION salesorder.flag_delays(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS integer
AS 'MODULE_PATHNAME', 'so_flag_delays'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.at_risk_days()
RETURNS integer
AS 'MODULE_PATHNAME', 'so_at_risk_days_fn'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

#include "udfs/order_health/1.2.sql"

#include "udfs/tracking_since/1.2.sql"

#include "views/order_tracking_all/1.2.sql"

#include "views/order_tracking/1.2.sql"

-- Outbox retention (src/retention.c): the consumers that record how far
-- they have read, and trimming what every one of them has read once it is
-- older than salesorder.event_retention.
CREATE TABLE salesorder.event_consumer (
	consumer		text PRIMARY KEY CHECK (consumer <> ''),
	owner_role		text NOT NULL,
	last_id			bigint NOT NULL DEFAULT 0 CHECK (last_id >= 0),
	registered_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	acked_at		timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('salesorder.event_consumer', '');

#include "udfs/ack_events/1.2.sql"

#include "udfs/drop_event_consumer/1.2.sql"

#include "udfs/trim_events/1.2.sql"

COMMENT ON TABLE salesorder.event_consumer IS
	'Consumers of the outbox and the last event id each has read (ack_events()); trim_events() keeps what they have not read';
COMMENT ON FUNCTION salesorder.ack_events(text, bigint) IS
	'Records that a consumer has read every event up to last_id (registering it on the first call); returns its mark, which never moves back';
COMMENT ON FUNCTION salesorder.drop_event_consumer(text) IS
	'Forgets an event consumer, whose unread events then age out like any other';
COMMENT ON FUNCTION salesorder.trim_events(interval, integer) IS
	'Deletes at most max_events events that every registered consumer has read and that are older than keep (NULL: salesorder.event_retention); returns how many';
COMMENT ON TABLE salesorder.order_event IS
	'The outbox: one row per event, written in the same transaction as the change; read with events_since()';
COMMENT ON FUNCTION salesorder.events_since(bigint, integer, text[], bigint) IS
	'Outbox rows after last_id, in id order, up to the horizon no running transaction can still precede; of the given kinds and customer when set';
COMMENT ON FUNCTION salesorder.event_horizon() IS
	'The largest event id events_since() would hand out now';
COMMENT ON VIEW salesorder.event_horizon_holders IS
	'Sessions whose open transaction wrote an event and so holds back what events_since() hands out';
COMMENT ON TABLE salesorder.production_stage IS 'Production and fulfilment sub-stages that set_stage() accepts';
COMMENT ON FUNCTION salesorder.set_stage(bigint, text, text) IS
	'Records a production sub-stage of an order (an approved order moves to in_production)';
COMMENT ON TABLE salesorder.delay_flag IS 'Late and at-risk orders flagged by flag_delays(), one row per order, promised date and severity';
COMMENT ON FUNCTION salesorder.at_risk_days() IS
	'The session''s salesorder.at_risk_days: an order promised within this many days is at risk';
COMMENT ON FUNCTION salesorder.flag_delays(timestamptz) IS
	'Flags late and at-risk orders, one delayed event per order, promised date and severity; returns how many it flagged';
COMMENT ON FUNCTION salesorder.order_health(salesorder.order_status, date, text, date) IS
	'Health colour: green done, yellow in progress, red a problem, grey cancelled';
COMMENT ON VIEW salesorder.order_tracking IS
	'Where every order in flight stands, for every department, with the orders completed or cancelled in the last salesorder.tracking_days';
COMMENT ON VIEW salesorder.order_tracking_all IS
	'order_tracking over every order ever written: filter it by order, customer, status or creation time';
COMMENT ON FUNCTION salesorder.tracking_since() IS
	'order_tracking shows the orders completed or cancelled since this time: salesorder.tracking_days ago';

-- Every column of the views, for the remarks BI tools show.
COMMENT ON COLUMN salesorder.order_tracking.order_id IS 'Order';
COMMENT ON COLUMN salesorder.order_tracking.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.order_tracking.customer_code IS 'Customer code';
COMMENT ON COLUMN salesorder.order_tracking.customer IS 'Customer name';
COMMENT ON COLUMN salesorder.order_tracking.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.order_tracking.status IS 'Order status';
COMMENT ON COLUMN salesorder.order_tracking.stage IS 'Production or fulfilment sub-stage, if any';
COMMENT ON COLUMN salesorder.order_tracking.hold_from IS 'While on hold: the status the order returns to';
COMMENT ON COLUMN salesorder.order_tracking.health IS 'Health colour: green done, yellow in progress, red a problem, grey cancelled';
COMMENT ON COLUMN salesorder.order_tracking.at_risk IS 'Open, not late yet, and promised within salesorder.at_risk_days';
COMMENT ON COLUMN salesorder.order_tracking.requested_date IS 'Delivery date the customer asked for';
COMMENT ON COLUMN salesorder.order_tracking.promised_date IS 'Delivery date promised';
COMMENT ON COLUMN salesorder.order_tracking.days_late IS 'Days past the promised date while not shipped (0 otherwise)';
COMMENT ON COLUMN salesorder.order_tracking.open_qty IS 'Quantity not yet shipped (0 for closed orders)';
COMMENT ON COLUMN salesorder.order_tracking.needs_stock IS 'Some quantity is backordered';
COMMENT ON COLUMN salesorder.order_tracking.total_amount IS 'Order total after discount';
COMMENT ON COLUMN salesorder.order_tracking.sales_rep IS 'Sales rep of the order';
COMMENT ON COLUMN salesorder.order_tracking.last_event IS 'Kind of the order''s latest outbox event (empty once trimmed)';
COMMENT ON COLUMN salesorder.order_tracking.last_event_at IS 'Time of that event';
COMMENT ON COLUMN salesorder.order_tracking.status_changed_at IS 'When the order got its status';
COMMENT ON COLUMN salesorder.order_tracking.created_at IS 'When the order was created (indexed: filter order_tracking_all by it)';
COMMENT ON COLUMN salesorder.order_tracking_all.order_id IS 'Order';
COMMENT ON COLUMN salesorder.order_tracking_all.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.order_tracking_all.customer_code IS 'Customer code';
COMMENT ON COLUMN salesorder.order_tracking_all.customer IS 'Customer name';
COMMENT ON COLUMN salesorder.order_tracking_all.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.order_tracking_all.status IS 'Order status';
COMMENT ON COLUMN salesorder.order_tracking_all.stage IS 'Production or fulfilment sub-stage, if any';
COMMENT ON COLUMN salesorder.order_tracking_all.hold_from IS 'While on hold: the status the order returns to';
COMMENT ON COLUMN salesorder.order_tracking_all.health IS 'Health colour: green done, yellow in progress, red a problem, grey cancelled';
COMMENT ON COLUMN salesorder.order_tracking_all.at_risk IS 'Open, not late yet, and promised within salesorder.at_risk_days';
COMMENT ON COLUMN salesorder.order_tracking_all.requested_date IS 'Delivery date the customer asked for';
COMMENT ON COLUMN salesorder.order_tracking_all.promised_date IS 'Delivery date promised';
COMMENT ON COLUMN salesorder.order_tracking_all.days_late IS 'Days past the promised date while not shipped (0 otherwise)';
COMMENT ON COLUMN salesorder.order_tracking_all.open_qty IS 'Quantity not yet shipped (0 for closed orders)';
COMMENT ON COLUMN salesorder.order_tracking_all.needs_stock IS 'Some quantity is backordered';
COMMENT ON COLUMN salesorder.order_tracking_all.total_amount IS 'Order total after discount';
COMMENT ON COLUMN salesorder.order_tracking_all.sales_rep IS 'Sales rep of the order';
COMMENT ON COLUMN salesorder.order_tracking_all.last_event IS 'Kind of the order''s latest outbox event (empty once trimmed)';
COMMENT ON COLUMN salesorder.order_tracking_all.last_event_at IS 'Time of that event';
COMMENT ON COLUMN salesorder.order_tracking_all.status_changed_at IS 'When the order got its status';
COMMENT ON COLUMN salesorder.order_tracking_all.created_at IS 'When the order was created (indexed: filter order_tracking_all by it)';
COMMENT ON COLUMN salesorder.event_horizon_holders.pid IS 'Backend process id (pg_terminate_backend ends it)';
COMMENT ON COLUMN salesorder.event_horizon_holders.login IS 'Login of the session';
COMMENT ON COLUMN salesorder.event_horizon_holders.application_name IS 'Its application_name';
COMMENT ON COLUMN salesorder.event_horizon_holders.client_addr IS 'Its client address';
COMMENT ON COLUMN salesorder.event_horizon_holders.holds_horizon_at IS 'events_since() hands out nothing after this id while the transaction is open';
COMMENT ON COLUMN salesorder.event_horizon_holders.xact_start IS 'When its transaction began';
COMMENT ON COLUMN salesorder.event_horizon_holders.held_for IS 'How long it has been open';
COMMENT ON COLUMN salesorder.event_horizon_holders.held_seconds IS 'The same in seconds';
COMMENT ON COLUMN salesorder.event_horizon_holders.state IS 'Session state (idle in transaction: it waits for its client)';
COMMENT ON COLUMN salesorder.event_horizon_holders.wait_event_type IS 'What it waits for, if anything';
COMMENT ON COLUMN salesorder.event_horizon_holders.wait_event IS 'What it waits for, if anything';
