# The background worker runs as a superuser, in a database whose owner need
# not be one.  The owner of a database owns its schema public (PostgreSQL
# 15), and the server's default search_path names public: a role that owns
# the served database can put operators there for the extension's types
# that win over pg_catalog's (which has only anyenum = anyenum), and have
# them do what only a superuser may when a superuser runs them.  The worker
# must never run them.  Here such a role arms every operator on
# salesorder.order_status, also through the database's own search_path,
# and every task of the worker runs -- notify, compaction, delay flagging,
# outbox trimming, both checkpoints, archiving -- each shown by its effect;
# after each one the role is still no superuser.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hostile_owner');
$node->init;
$node->start;

# mallory can log in, owns the database (so its schema public), and sells:
# salesorder_sales lets her name the extension's types.
$node->safe_psql('postgres', q{
	CREATE ROLE mallory LOGIN;
	CREATE DATABASE shop OWNER mallory;
});
$node->safe_psql('shop', q{
	CREATE EXTENSION salesorder;
	SELECT count(*) FROM salesorder.create_roles();
	GRANT salesorder_sales TO mallory;
});
create_master_data($node, 'shop', customers => 5, products => 3);

sub as_mallory
{
	my ($sql) = @_;
	return $node->safe_psql('shop', $sql, extra_params => [ '-U', 'mallory' ]);
}

# Every comparison operator on the enum, in public and in a schema of her
# own that she puts first in the database's search_path: each one makes
# her superuser when a superuser calls it, and compares correctly, so that
# nothing else shows.
my $trap = q{
	CREATE FUNCTION %1$s.evil_%2$s(a salesorder.order_status, b salesorder.order_status)
	RETURNS boolean LANGUAGE plpgsql AS $fn$
	BEGIN
		IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
			WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
			EXECUTE 'ALTER ROLE mallory SUPERUSER';
		END IF;
		RETURN pg_catalog.enum_cmp(a, b) OPERATOR(pg_catalog.%3$s) 0;
	END $fn$;
	CREATE OPERATOR %1$s.%3$s (LEFTARG = salesorder.order_status,
		RIGHTARG = salesorder.order_status, FUNCTION = %1$s.evil_%2$s);
};
my %ops = (eq => '=', ne => '<>', lt => '<', le => '<=', gt => '>', ge => '>=');
as_mallory('CREATE SCHEMA trapdoor');
foreach my $schema ('public', 'trapdoor')
{
	as_mallory(join '', map { sprintf $trap, $schema, $_, $ops{$_} } sort keys %ops);
}
as_mallory('ALTER DATABASE shop SET search_path = trapdoor, public');
# (A superuser comparing statuses under that path would be caught: the test
# below never does, and shows at the end that the trap works.)

sub mallory_is_superuser
{
	return $node->safe_psql('postgres',
		q{SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'});
}
is(mallory_is_superuser(), 'f', 'mallory is no superuser');

# A consumer that must not miss anything, so that nothing is trimmed until
# it says so.
$node->safe_psql('shop', q{SELECT salesorder.ack_events('erp', 0)});

# Every task of the worker often.
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'shop'
salesorder.notify_interval = '50ms'
salesorder.compact_interval = '100ms'
salesorder.flag_delays_interval = '1s'
salesorder.checkpoint_interval = '1s'
salesorder.archive_after = '1s'
salesorder.event_retention = '1s'
});
$node->restart;
ok($node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND datname = 'shop'}),
	'the worker serves the database');

# Orders: two open, one late, one cancelled (closed orders are what the
# pipeline checkpoint folds and what the archive takes).
my $open = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(1, '[{"sku": "SKU-001", "qty": 1}]')});
my $late = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(2, '[{"sku": "SKU-002", "qty": 2}]',
		jsonb_build_object('promised_date', current_date - 1))});
my $cancelled = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(3, '[{"sku": "SKU-003", "qty": 1}]')});
$node->safe_psql('shop', "SELECT salesorder.cancel($cancelled, 'changed plans')");
# ... and one shipped and completed, whose shipment is a ledger row (a
# reservation is none).
my $completed = $node->safe_psql('shop', q{
	SELECT salesorder.create_order(3, '[{"sku": "SKU-003", "qty": 1}]')});
$node->safe_psql('shop', "SELECT salesorder.ship($completed), salesorder.deliver($completed),
	salesorder.complete($completed)");

# notify: a listener hears of the new horizon.
my $listener = $node->background_psql('shop', extra_params => [ '-U', 'mallory' ]);
$listener->query_safe('LISTEN salesorder_events');
$node->safe_psql('shop', q{
	SELECT salesorder.create_order(4, '[{"sku": "SKU-001", "qty": 1}]')});
my $heard = 0;
foreach (1 .. 600)
{
	my $out = $listener->query_safe('SELECT pg_sleep(0.1)');
	if ($out =~ /Asynchronous notification "salesorder_events"/)
	{
		$heard = 1;
		last;
	}
}
ok($heard, 'notify: the worker wakes a listener');
$listener->quit;
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# compaction
ok($node->poll_query_until('shop', q{
	SELECT NOT EXISTS (SELECT 1 FROM salesorder.sales_rollup_delta)
	   AND (SELECT compacted_at > rebuilt_at FROM salesorder.rollup_config)}),
	'compaction: the worker folds the rollup deltas');
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# delay flagging
ok($node->poll_query_until('shop', qq{
	SELECT count(*) = 1 FROM salesorder.delay_flag WHERE order_id = $late}),
	'delay flagging: the worker flags the late order');
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# checkpoints: the ledger up to its last row, the cancelled order folded
my $last_ledger = $node->safe_psql('shop', q{SELECT max(id) FROM (
	SELECT id FROM salesorder.stock_movement
	UNION ALL SELECT id FROM salesorder.stock_movement_archive) m});
ok($node->poll_query_until('shop', qq{
	SELECT upto_id >= $last_ledger FROM salesorder.ledger_checkpoint}),
	'checkpoints: the worker checkpoints the ledger');
ok($node->poll_query_until('shop', qq{
	SELECT k.folded_to > o.status_changed_at
	FROM salesorder.pipeline_checkpoint k, salesorder.sales_order o
	WHERE o.id = $cancelled}),
	'checkpoints: the worker folds the cancelled order');
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# archiving: the closed orders' ledger rows and history, the receipts
ok($node->poll_query_until('shop', qq{
	SELECT EXISTS (SELECT 1 FROM salesorder.stock_movement_archive WHERE order_id = $completed)
	   AND EXISTS (SELECT 1 FROM salesorder.order_status_history_archive
				   WHERE order_id = $cancelled)
	   AND EXISTS (SELECT 1 FROM salesorder.stock_movement_archive WHERE order_id IS NULL)}),
	'archiving: the worker archives the closed order\'s history');
is($node->safe_psql('shop', qq{
	SELECT count(*) FROM salesorder.order_status_history_archive WHERE order_id = $open}),
	'0', 'and leaves the open one\'s');
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# outbox trimming, once the consumer has read everything
my $horizon = $node->safe_psql('shop', 'SELECT salesorder.event_horizon()');
$node->safe_psql('shop', "SELECT salesorder.ack_events('erp', $horizon)");
ok($node->poll_query_until('shop', qq{
	SELECT NOT EXISTS (SELECT 1 FROM salesorder.order_event WHERE id <= $horizon)}),
	'trimming: the worker trims what the consumer has read');
is(mallory_is_superuser(), 'f', 'and mallory is no superuser');

# Everything still adds up.
is($node->safe_psql('shop', 'SELECT count(*) FROM salesorder.verify_stock()'),
	'0', 'stock and ledger agree');

# The trap was armed all along: a superuser session that compares statuses
# under the database's search_path springs it.
$node->safe_psql('shop', q{
	SELECT count(*) FROM salesorder.sales_order WHERE status = 'approved'});
is(mallory_is_superuser(), 't',
	'(the trap works: a superuser comparing statuses under that search_path is caught)');

$node->stop;
done_testing();
