# The background worker, with salesorder in shared_preload_libraries:
#   - a listener is woken within a second of a commit, by the worker (the
#     payload is the outbox horizon, no order data);
#   - the worker killed with SIGKILL comes back (after the crash restart of
#     the whole server), and a consumer that reconnects and reads
#     events_since(its last id) on each wake-up has every event, once;
#   - the report rollup is compacted with no compact_rollup() call, and the
#     report stays equal to the raw GROUP BY; the deltas' partitions take
#     turns and are emptied by TRUNCATE, no delta row is deleted; a
#     REPEATABLE READ reader sees one report throughout, and holds the
#     cycle back only until the deltas are folded by deleting them;
#   - a late order gets its delayed event with no flag_delays() call;
#   - the outbox is trimmed with no trim_events() call, but never past what
#     a registered consumer has acknowledged;
#   - the stock ledger is checkpointed with no checkpoint_ledger() call, and
#     verify_stock() agrees with its full check;
#   - closed orders are folded with no checkpoint_pipeline() call, and
#     report_pipeline stays equal to the raw GROUP BY;
#   - SIGTERM stops the worker cleanly, and the launcher starts it again;
#     SIGTERM stops the launcher and its worker, and the postmaster starts
#     the launcher again, which starts the worker.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('worker');
$node->init;
$node->start;

# The database exists before the worker starts serving it.
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', q{
	CREATE EXTENSION salesorder;
	INSERT INTO salesorder.warehouse (code, name, region) VALUES ('W1', 'Main', 'North');
	INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
		default_ship_to, default_warehouse_id)
	SELECT 'C' || i, 'Customer ' || i, CASE WHEN i % 2 = 0 THEN 'North' ELSE 'South' END,
		'smb', 10000000, i || ' Main St', 1
	FROM generate_series(1, 5) i;
	INSERT INTO salesorder.product (sku, name, category, list_price)
	SELECT 'P' || i, 'Product ' || i, 'cat' || (i % 3), 10 + i FROM generate_series(1, 6) i;
	SELECT count(*) FROM salesorder.product p, LATERAL salesorder.receive_stock(1, p.id, 100000) r;
});

$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'shop'
salesorder.compact_interval = '200ms'
salesorder.flag_delays_interval = '1s'
salesorder.checkpoint_interval = '1s'
restart_after_crash = on
});
$node->restart;

my $worker_pid = q{
	SELECT pid FROM pg_stat_activity WHERE backend_type = 'salesorder worker' AND datname = 'shop'};
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($worker_pid) w"),
	'the worker serves its database');

sub new_orders
{
	my ($n) = @_;
	$node->safe_psql('shop', qq{
		SELECT count(salesorder.create_order(1 + i % 5, jsonb_build_array(
			jsonb_build_object('sku', 'P' || (1 + i % 6), 'qty', 1 + i % 3),
			jsonb_build_object('sku', 'P' || (1 + (i + 2) % 6), 'qty', 2))))
		FROM generate_series(1, $n) i});
}

# The consumer: remembers the last id it saw, reads events_since() on
# every wake-up, and keeps every id it got, to check for gaps and repeats.
my @got;
my $last = 0;
sub consume
{
	my $rows = $node->safe_psql('shop',
		"SELECT string_agg(id::text, ',' ORDER BY id) FROM salesorder.events_since($last, 100000)");
	return 0 if $rows eq '';
	my @ids = split /,/, $rows;
	push @got, @ids;
	$last = $ids[-1];
	return scalar @ids;
}

# Wake-ups: after a commit, the listener's next round trip (a one-second
# sleep) brings the notification.
my $listener = $node->background_psql('shop');
$listener->query_safe('LISTEN salesorder_events');
$listener->query_safe('SELECT pg_sleep(0.5)');	# the worker's first notice
consume();
new_orders(1);
my $horizon = $node->safe_psql('shop', 'SELECT salesorder.event_horizon()');
my $heard = $listener->query_safe('SELECT pg_sleep(1)');
my @payloads = $heard =~ /Asynchronous notification "salesorder_events" with payload "([^"]*)"/g;
ok(@payloads >= 1, 'a listener is woken within a second of a commit');
ok((grep { /^\d+$/ } @payloads) == @payloads, 'the payload is a number and nothing else');
ok((grep { $_ >= $horizon } @payloads) >= 1, 'it names the new horizon');
my $server_pid = $node->safe_psql('shop', $worker_pid);
like($heard, qr/from server process with PID $server_pid/, 'the worker sent it, not the writer');
ok(consume() > 0, 'the consumer reads the new events');

# SIGKILL the worker: the postmaster restarts the server, the worker comes
# back; orders made meanwhile are not missed.
new_orders(3);
my $old_pid = $node->safe_psql('shop', $worker_pid);
kill 'KILL', $old_pid;
$listener->{run}->finish;	# its backend goes with the crash restart
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM ($worker_pid) w WHERE pid <> $old_pid"),
	'the worker comes back after SIGKILL');
$listener = $node->background_psql('shop');
$listener->query_safe('LISTEN salesorder_events');
consume();	# what a reconnecting consumer does first
new_orders(3);
$heard = $listener->query_safe('SELECT pg_sleep(1)');
like($heard, qr/Asynchronous notification "salesorder_events"/,
	'a listener is woken by the restarted worker');
consume();
my $all = $node->safe_psql('shop',
	q{SELECT string_agg(id::text, ',' ORDER BY id) FROM salesorder.order_event});
is(join(',', @got), $all, 'the consumer has every event, in order');
my %seen;
is(scalar(grep { $seen{$_}++ } @got), 0, 'and none twice');
$listener->quit;

# Sustained order entry: the deltas are folded without a compact_rollup()
# call, and the report stays exact.
new_orders(300);
ok($node->poll_query_until('shop',
		'SELECT count(*) = 0 FROM salesorder.sales_rollup_delta'),
	'the worker compacts the report rollup');
is($node->safe_psql('shop', q{
	SELECT count(*) FROM (
		(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
		UNION ALL
		(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d}),
	'0', 'report_sales equals the raw GROUP BY');
is($node->safe_psql('shop', 'SELECT compacted_at > rebuilt_at FROM salesorder.rollup_config'),
	't', 'the compaction is recorded');

# The worker's cycle (src/rollup_compact.c): the two partitions take turns,
# each is folded and then emptied by TRUNCATE, and no delta row is deleted,
# while orders come in one transaction each.
my $one_by_one = q{
	DO $$ BEGIN
		FOR i IN 1..40 LOOP
			PERFORM salesorder.create_order(1 + i % 5, jsonb_build_array(
				jsonb_build_object('sku', 'P' || (1 + i % 6), 'qty', 1)));
			COMMIT;
			PERFORM pg_sleep(0.05);
		END LOOP;
	END $$};
my $report_exact = q{
	SELECT count(*) FROM (
		(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
		UNION ALL
		(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d};
my $deleted = q{
	SELECT count(*) FILTER (WHERE n_tup_ins > 0) || ' ' || sum(n_tup_del)
	FROM pg_stat_user_tables
	WHERE relname IN ('sales_rollup_delta_0', 'sales_rollup_delta_1')};
$node->safe_psql('shop', 'SELECT pg_stat_reset()');
$node->safe_psql('shop', $one_by_one);
ok($node->poll_query_until('shop',
		'SELECT count(*) = 0 FROM salesorder.sales_rollup_delta'),
	'the cycle folds and empties the deltas');
ok($node->poll_query_until('shop', "SELECT ($deleted) = '2 0'"),
	'both partitions were written, and no delta row was deleted');
is($node->safe_psql('shop', $report_exact), '0',
	'report_sales equals the raw GROUP BY after the cycle');

# A REPEATABLE READ reader holds the cycle back (its snapshot might still
# read a folded partition): the deltas that come meanwhile are folded by
# deleting them after a while, the reader keeps seeing one report, equal to
# the raw GROUP BY of its snapshot, and the cycle goes on once it ends.
my $reader = $node->background_psql('shop');
$reader->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
my $report_sql = q{SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', month, region, segment,
	category, orders, lines, quantity, amount), ';' ORDER BY month, region, segment, category)
	FROM salesorder.report_sales};
my $seen = $reader->query_safe($report_sql);
$node->safe_psql('shop', $one_by_one);
ok($node->poll_query_until('shop', q{
		SELECT count(*) = 0 FROM salesorder.sales_rollup_delta d
		WHERE d.slot IS DISTINCT FROM (SELECT folded_slot FROM salesorder.rollup_config)}),
	'held back, the worker folds the deltas all the same');
is($node->safe_psql('shop', $report_exact), '0', 'report_sales stays exact meanwhile');
is($reader->query_safe($report_sql), $seen,
	'the REPEATABLE READ reader sees the same report throughout');
is($reader->query_safe($report_exact), '0', 'equal to the raw GROUP BY of its snapshot');
$reader->query_safe('COMMIT');
$reader->quit;
ok($node->poll_query_until('shop',
		'SELECT count(*) = 0 FROM salesorder.sales_rollup_delta'),
	'the reader gone, the cycle empties its partitions again');
is($node->safe_psql('shop', $report_exact), '0', 'and report_sales is exact');

# A late order: its delayed event comes without a flag_delays() call.
my $late = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(2, '[{"sku": "P1", "qty": 1}]',
		jsonb_build_object('promised_date', current_date - 1))});
ok($node->poll_query_until('shop', qq{
	SELECT count(*) = 1 FROM salesorder.order_event
	WHERE order_id = $late AND kind = 'delayed'}),
	'a late order gets its delayed event from the worker');
# Many orders late at once: all flagged, in batches of 200 a transaction
# (each flag holds a key-share lock on its order until its commit).
$node->safe_psql('shop', q{
	SELECT count(salesorder.create_order(1 + i % 5, '[{"sku": "P2", "qty": 1}]',
		jsonb_build_object('promised_date', current_date - 2)))
	FROM generate_series(1, 450) i});
ok($node->poll_query_until('shop', q{
	SELECT count(*) = 0 FROM salesorder.sales_order o
	WHERE o.promised_date = current_date - 2
	  AND NOT EXISTS (SELECT 1 FROM salesorder.delay_flag f WHERE f.order_id = o.id)}),
	'450 orders late at once are all flagged');
is($node->safe_psql('shop', q{
	SELECT count(DISTINCT f.flagged_at) >= 3 FROM salesorder.delay_flag f
	JOIN salesorder.sales_order o ON o.id = f.order_id
	WHERE o.promised_date = current_date - 2}),
	't', 'in batches, a transaction each');
is($node->safe_psql('shop', 'SELECT count(*) FROM salesorder.verify_stock()'),
	'0', 'stock and ledger agree');

# Outbox retention: with a retention of 2 s the worker trims what every
# registered consumer has read; a consumer that acknowledged only part of
# it keeps the rest.
my $mark = $node->safe_psql('shop', q{
	SELECT salesorder.ack_events('erp', (SELECT min(id) + 10 FROM salesorder.order_event))});
$node->append_conf('postgresql.conf', "salesorder.event_retention = '2s'\n");
$node->reload;
ok($node->poll_query_until('shop', qq{
	SELECT NOT EXISTS (SELECT 1 FROM salesorder.order_event WHERE id <= $mark)}),
	'the worker trims the events the registered consumer has read');
is($node->safe_psql('shop', qq{
	SELECT count(*) > 0 FROM salesorder.order_event WHERE id > $mark}),
	't', 'and keeps the ones it has not');
my $read_all = $node->safe_psql('shop', 'SELECT salesorder.event_horizon()');
$node->safe_psql('shop', "SELECT salesorder.ack_events('erp', $read_all)");
ok($node->poll_query_until('shop', qq{
	SELECT count(*) = 0 FROM salesorder.order_event WHERE id <= $read_all}),
	'and the rest once it has read them');
is($node->safe_psql('shop', 'SELECT count(*) FROM salesorder.verify_stock()'),
	'0', 'stock and ledger still agree');

# Ledger checkpoints: the worker folds the ledger up to its last row by
# itself (in two rounds, never waiting for a transaction).
my $last_ledger = $node->safe_psql('shop', 'SELECT max(id) FROM salesorder.stock_movement');
ok($node->poll_query_until('shop', qq{
	SELECT upto_id >= $last_ledger FROM salesorder.ledger_checkpoint}),
	'the worker checkpoints the ledger');
is($node->safe_psql('shop', q{
	SELECT (SELECT count(*) FROM salesorder.verify_stock())
		 + (SELECT count(*) FROM salesorder.verify_stock(true))}),
	'0', 'and the quick and full checks agree with it');

# Pipeline checkpoints: an order cancelled now is folded by the worker
# within a few rounds, and the report still equals the raw GROUP BY.
my $cancelled = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(2, '[{"sku": "P1", "qty": 1}]')});
$node->safe_psql('shop', "SELECT salesorder.cancel($cancelled, 'changed plans')");
ok($node->poll_query_until('shop', qq{
	SELECT k.folded_to > o.status_changed_at
	FROM salesorder.pipeline_checkpoint k, salesorder.sales_order o
	WHERE o.id = $cancelled}),
	'the worker folds closed orders into the pipeline checkpoint');
is($node->safe_psql('shop', q{
	SELECT (SELECT count(*) FROM salesorder.pipeline_closed) > 0
	   AND NOT EXISTS (
		(SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage),
				count(*), sum(o.total_amount), min(o.created_at), max(o.created_at)
		 FROM salesorder.sales_order o GROUP BY 1, 2
		 EXCEPT ALL TABLE salesorder.report_pipeline)
		UNION ALL
		(TABLE salesorder.report_pipeline
		 EXCEPT ALL
		 SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage),
				count(*), sum(o.total_amount), min(o.created_at), max(o.created_at)
		 FROM salesorder.sales_order o GROUP BY 1, 2))}),
	't', 'and report_pipeline equals the raw GROUP BY');

# SIGTERM: a clean stop, no crash restart.  The launcher starts the worker
# again at once, so its old pid is what goes.
my $pid = $node->safe_psql('shop', $worker_pid);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM ($worker_pid) w WHERE pid = $pid"),
	'SIGTERM stops the worker');
ok($node->log_contains('salesorder worker for database "shop" stopping'),
	'and it says so');
ok(!$node->log_contains("PID $pid\\) was terminated by signal"), 'with no crash');
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM ($worker_pid) w WHERE pid <> $pid"),
	'and the launcher starts it again');

# SIGTERM to the launcher: it stops its worker, and the postmaster starts
# it again, which starts a new worker.
my $launcher = q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'salesorder launcher'};
my $launcher_pid = $node->safe_psql('postgres', $launcher);
$pid = $node->safe_psql('shop', $worker_pid);
$node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher_pid)");
ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM ($worker_pid) w WHERE pid = $pid"),
	'SIGTERM to the launcher stops the worker too');
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM ($launcher) l WHERE pid <> $launcher_pid"),
	'the postmaster starts the launcher again');
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM ($worker_pid) w WHERE pid <> $pid"),
	'and it starts one worker again');
ok(!$node->log_contains("PID $launcher_pid\\) was terminated by signal"), 'with no crash');

$node->stop;
done_testing();
