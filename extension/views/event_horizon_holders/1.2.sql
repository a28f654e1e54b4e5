-- salesorder.event_horizon_holders as of 1.2
-- The sessions whose open transaction holds the outbox horizon back: a
-- transaction that took an event id keeps events_since() from handing out
-- any later id until it ends (src/events.c takes a share lock on an
-- advisory tag of field 4 = 0x534F, which SQL cannot produce, keyed by the
-- sequence's last value when it took its first id: the last id handed out
-- while it is open).  No query text: consumers read this view.
CREATE VIEW salesorder.event_horizon_holders AS
	SELECT a.pid, a.usename AS login, a.application_name, a.client_addr,
		   (l.classid::bigint << 32 | l.objid::bigint) AS holds_horizon_at,
		   a.xact_start, pg_catalog.now() - a.xact_start AS held_for,
		   pg_catalog.round(EXTRACT(epoch FROM pg_catalog.now() - a.xact_start), 1)::numeric(12,1)
			AS held_seconds,
		   a.state, a.wait_event_type, a.wait_event
	FROM pg_catalog.pg_locks l
	JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
	WHERE l.locktype = 'advisory' AND l.objsubid = 21327 AND l.granted
	  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
						WHERE d.datname = pg_catalog.current_database());
