-- The order state machine as data (in the manner of OFBiz's StatusValidChange).
--
-- A move from -> to is legal when a row exists.  on_hold is special: an order
-- on hold may return only to the state it came from (sales_order.hold_from),
-- or be cancelled where the held state itself could be cancelled.
--
-- A plain UPDATE of the status may make only the moves marked direct_ok:
-- those that touch nothing but the order row.  Every other move has effects
-- elsewhere (reserving or releasing stock, shipping, approval steps) and is
-- made by its function, named in made_by, which does all of it in one
-- transaction; the trigger refuses it from a plain UPDATE with SO006.  completed and cancelled have no
-- outgoing rows: they are terminal.  The C trigger salesorder.order_guard()
-- enforces this on every UPDATE, from the functions or from plain SQL.

CREATE TABLE salesorder.status_transition (
	from_status	salesorder.order_status NOT NULL,
	to_status	salesorder.order_status NOT NULL,
	description	text NOT NULL,
	made_by		text NOT NULL,
	direct_ok	boolean NOT NULL DEFAULT false,
	builtin		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (from_status, to_status),
	CHECK (from_status <> to_status),
	-- Terminal for good: report_pipeline's checkpoint folds closed orders
	-- once (src/pipeline.c).
	CONSTRAINT status_transition_terminal
		CHECK (from_status <> ALL (salesorder.statuses_closed()))
);
COMMENT ON TABLE salesorder.status_transition IS 'The legal status moves (the state machine as data)';

COMMENT ON COLUMN salesorder.status_transition.made_by IS
	'The function that makes the move (with its side effects: stock, approval steps)';
COMMENT ON COLUMN salesorder.status_transition.direct_ok IS
	'Whether a plain UPDATE of sales_order.status may make the move: only moves that touch nothing but the order row';

INSERT INTO salesorder.status_transition
	(from_status, to_status, description, made_by, direct_ok, builtin) VALUES
	('draft',             'pending_approval',  'submitted; approval rules fired',     'submit_order()',  false, true),
	('draft',             'approved',          'submitted; no approval needed',       'submit_order()',  false, true),
	('draft',             'cancelled',         'draft abandoned',                     'cancel()',        false, true),
	('pending_approval',  'approved',          'last approval step approved',         'approve()',       false, true),
	('pending_approval',  'rejected',          'an approver rejected',                'reject()',        false, true),
	('pending_approval',  'on_hold',           'held during review',                  'hold()',          true, true),
	('pending_approval',  'cancelled',         'cancelled during review',             'cancel()',        false, true),
	('rejected',          'draft',             'revised by the sales rep',            'revise()',        false, true),
	('rejected',          'cancelled',         'abandoned after rejection',           'cancel()',        false, true),
	('approved',          'in_production',     'released to production',              'UPDATE',          true, true),
	('approved',          'partially_shipped', 'first partial shipment',              'ship()',          false, true),
	('approved',          'shipped',           'shipped in full',                     'ship()',          false, true),
	('approved',          'on_hold',           'held',                                'hold()',          true, true),
	('approved',          'cancelled',         'cancelled before production',         'cancel()',        false, true),
	('in_production',     'partially_shipped', 'first partial shipment',              'ship()',          false, true),
	('in_production',     'shipped',           'shipped in full',                     'ship()',          false, true),
	('in_production',     'on_hold',           'held',                                'hold()',          true, true),
	('in_production',     'cancelled',         'cancelled in production',             'cancel()',        false, true),
	('partially_shipped', 'shipped',           'last shipment',                       'ship()',          false, true),
	('partially_shipped', 'on_hold',           'held',                                'hold()',          true, true),
	('partially_shipped', 'completed',         'short-closed: the rest is not shipped', 'complete()',    false, true),
	('shipped',           'delivered',         'delivery confirmed',                  'deliver()',       true, true),
	('shipped',           'completed',         'closed without delivery confirmation', 'complete()',     true, true),
	('delivered',         'completed',         'closed',                              'complete()',      true, true),
	('on_hold',           'pending_approval',  'hold released',                       'release_hold()',  true, true),
	('on_hold',           'approved',          'hold released',                       'release_hold()',  true, true),
	('on_hold',           'in_production',     'hold released',                       'release_hold()',  true, true),
	('on_hold',           'partially_shipped', 'hold released',                       'release_hold()',  true, true),
	('on_hold',           'cancelled',         'cancelled while on hold',             'cancel()',        false, true);

-- pg_dump keeps the moves an administrator added; the built-in ones come
-- with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('salesorder.status_transition', 'WHERE NOT builtin');

#include "udfs/status_sets/1.2.sql"

COMMENT ON FUNCTION salesorder.statuses_in_flight() IS
	'Statuses of an order submitted and not yet shipped in full, closed or rejected, held or not: it holds stock';
COMMENT ON FUNCTION salesorder.statuses_in_progress() IS
	'Statuses in flight and not on hold: an order in one (or held from one) adds to its customer''s credit exposure';
COMMENT ON FUNCTION salesorder.statuses_closed() IS
	'Terminal statuses: completed and cancelled';
COMMENT ON FUNCTION salesorder.statuses_not_closed() IS
	'Every status but the terminal ones';
COMMENT ON FUNCTION salesorder.statuses_in_report() IS
	'Statuses in which an order counts in the sales report: submitted, and not cancelled or rejected';
COMMENT ON FUNCTION salesorder.statuses_shippable() IS
	'Statuses in which ship() may ship an order';
