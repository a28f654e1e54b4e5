-- The order state machine as data (in the manner of OFBiz's StatusValidChange).
--
-- A move from -> to is legal when a row exists.  on_hold is special: an order
-- on hold may return only to the state it came from (sales_order.hold_from),
-- or be cancelled where the held state itself could be cancelled.  completed and cancelled have no
-- outgoing rows: they are terminal.  The C trigger salesorder.order_guard()
-- enforces this on every UPDATE, from the functions or from plain SQL.

CREATE TABLE salesorder.status_transition (
	from_status	salesorder.order_status NOT NULL,
	to_status	salesorder.order_status NOT NULL,
	description	text NOT NULL,
	PRIMARY KEY (from_status, to_status),
	CHECK (from_status <> to_status)
);

INSERT INTO salesorder.status_transition (from_status, to_status, description) VALUES
	('draft',             'pending_approval',  'submitted; approval rules fired'),
	('draft',             'approved',          'submitted; no approval needed'),
	('draft',             'cancelled',         'draft abandoned'),
	('pending_approval',  'approved',          'last approval step approved'),
	('pending_approval',  'rejected',          'an approver rejected'),
	('pending_approval',  'on_hold',           'held during review'),
	('pending_approval',  'cancelled',         'cancelled during review'),
	('rejected',          'draft',             'revised by the sales rep'),
	('rejected',          'cancelled',         'abandoned after rejection'),
	('approved',          'in_production',     'released to production'),
	('approved',          'partially_shipped', 'first partial shipment'),
	('approved',          'shipped',           'shipped in full'),
	('approved',          'on_hold',           'held'),
	('approved',          'cancelled',         'cancelled before production'),
	('in_production',     'partially_shipped', 'first partial shipment'),
	('in_production',     'shipped',           'shipped in full'),
	('in_production',     'on_hold',           'held'),
	('in_production',     'cancelled',         'cancelled in production'),
	('partially_shipped', 'shipped',           'last shipment'),
	('partially_shipped', 'on_hold',           'held'),
	('partially_shipped', 'completed',         'short-closed: the rest is not shipped'),
	('shipped',           'delivered',         'delivery confirmed'),
	('shipped',           'completed',         'closed without delivery confirmation'),
	('delivered',         'completed',         'closed'),
	('on_hold',           'pending_approval',  'hold released'),
	('on_hold',           'approved',          'hold released'),
	('on_hold',           'in_production',     'hold released'),
	('on_hold',           'partially_shipped', 'hold released'),
	('on_hold',           'cancelled',         'cancelled while on hold');
