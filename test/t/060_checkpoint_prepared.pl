# Checkpoints and prepared transactions (src/cut.c).  A transaction
# prepared before a checkpoint began may still commit ledger rows or close
# orders below the checkpoint's cut, whenever its transaction manager says
# so, so nobody waits for it:
#   - checkpoint_ledger() and checkpoint_pipeline() refuse at once with
#     55000, naming it, and write nothing;
#   - a transaction that prepares while a checkpoint waits for it is seen
#     within about a second, and refused the same way;
#   - once it is committed, the checkpoints are taken and hold its rows;
#   - the background worker logs it and goes on with its other tasks,
#     never waiting, and takes the checkpoints once it is finished -- also
#     for a transaction prepared before a restart (recovered from disk).
# Every call runs under a statement_timeout: a checkpoint that waited
# would fail the test with 57014 instead of hanging it.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('prepared');
$node->init;
$node->append_conf('postgresql.conf', "max_prepared_transactions = 5\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION salesorder');
create_master_data($node, 'postgres', customers => 3, products => 3);
# Orders to close inside the prepared transactions.
$node->safe_psql('postgres', q{
	SELECT salesorder.ship(salesorder.create_order(1, '[{"sku": "SKU-001", "qty": 1}]'))
	FROM generate_series(1, 3)});

# What a checkpoint writes: both checkpoints and their folds.
my $checkpoints = q{
	SELECT (SELECT format('%s %s', upto_id, taken_at) FROM salesorder.ledger_checkpoint),
		   (SELECT format('%s %s', folded_to, taken_at) FROM salesorder.pipeline_checkpoint),
		   (SELECT string_agg(format('%s/%s %s', warehouse_id, product_id, on_hand),
							  ',' ORDER BY warehouse_id, product_id)
			FROM salesorder.ledger_balance),
		   (SELECT string_agg(format('%s %s %s %s', status, health, orders, amount),
							  ',' ORDER BY status, health)
			FROM salesorder.pipeline_closed)};

# checkpoint($function): calls it under a statement_timeout, returns
# (stderr, seconds taken).
sub checkpoint
{
	my ($function) = @_;
	my $start = time;
	my ($rc, $stdout, $stderr) = $node->psql('postgres',
		"SET statement_timeout = '20s'; SELECT salesorder.$function()",
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return ($stderr, time - $start);
}

sub refused_at_once
{
	my ($function, $gid, $label) = @_;
	my ($stderr, $took) = checkpoint($function);
	like($stderr,
		qr/ERROR:  55000: a checkpoint cannot be taken while a prepared transaction is pending/,
		"$label: $function() refuses with 55000");
	like($stderr, qr/DETAIL:  Prepared transaction '$gid' began before the checkpoint/,
		"$label: the detail names the prepared transaction");
	like($stderr,
		qr/HINT:  Commit or roll back the prepared transactions \(COMMIT PREPARED or ROLLBACK PREPARED/,
		"$label: the hint says what to do");
	cmp_ok($took, '<', 5, "$label: $function() returns at once");
}

# A prepared transaction that received stock and closed an order.
$node->safe_psql('postgres', q{
	BEGIN;
	SELECT salesorder.receive_stock(1, 2, 7, 'prepared receipt');
	SELECT salesorder.complete(1);
	PREPARE TRANSACTION 'tx1';
});
my $before = $node->safe_psql('postgres', $checkpoints);
refused_at_once('checkpoint_ledger',   'tx1', 'pending');
refused_at_once('checkpoint_pipeline', 'tx1', 'pending');
is($node->safe_psql('postgres', $checkpoints), $before, 'pending: nothing written');
$node->safe_psql('postgres', q{COMMIT PREPARED 'tx1'});

# A transaction that is still running when the checkpoint begins, and
# prepares while the checkpoint waits for it.
my $tx2 = $node->background_psql('postgres');
$tx2->query_safe(q{BEGIN; SELECT salesorder.receive_stock(1, 3, 9, 'receipt to prepare')});
my ($out, $err) = ('', '');
my $call = 'SELECT salesorder.checkpoint_ledger()';
my $h = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-v', 'VERBOSITY=verbose',
		'-d', $node->connstr('postgres'),
		'-c', "SET statement_timeout = '20s'", '-c', $call
	],
	'>', \$out, '2>', \$err, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
ok( $node->poll_query_until('postgres', qq{
		SELECT count(*) = 1 FROM pg_stat_activity
		WHERE query = '$call' AND wait_event_type = 'Lock'}),
	'running: the checkpoint waits for the open transaction');
my $prepared_at = time;
$tx2->query_safe(q{PREPARE TRANSACTION 'tx2'});
$h->finish;
my $took = time - $prepared_at;
like($err, qr/ERROR:  55000: a checkpoint cannot be taken while a prepared transaction is pending/,
	'running, then prepared: refused with 55000');
like($err, qr/DETAIL:  Prepared transaction 'tx2' began before the checkpoint/,
	'running, then prepared: the detail names it');
cmp_ok($took, '<', 5, 'running, then prepared: refused within seconds of the PREPARE');
$tx2->quit;
is($node->safe_psql('postgres', $checkpoints), $before, 'running, then prepared: nothing written');

refused_at_once('checkpoint_pipeline', 'tx2', 'prepared during the wait');

# Committed: the checkpoints are taken, and hold the prepared rows.
$node->safe_psql('postgres', q{COMMIT PREPARED 'tx2'});
is($node->safe_psql('postgres', q{
	SET statement_timeout = '20s';
	SELECT salesorder.checkpoint_ledger() = (SELECT max(id) FROM salesorder.stock_movement),
		   salesorder.checkpoint_pipeline() IS NOT NULL;
	SELECT sum(orders) FROM salesorder.pipeline_closed WHERE status = 'completed'}),
	"t|t\n1", 'committed: both checkpoints are taken and hold the prepared rows');
check_invariants($node, 'postgres', 'after the prepared transactions');

# The worker: a transaction prepared before a restart is recovered from
# disk; the worker logs that it cannot checkpoint and goes on.
$node->safe_psql('postgres', q{
	BEGIN;
	SELECT salesorder.receive_stock(1, 1, 3, 'prepared before the restart');
	SELECT salesorder.complete(2);
	PREPARE TRANSACTION 'tx3';
});
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'postgres'
salesorder.checkpoint_interval = '1s'
salesorder.compact_interval = '200ms'
});
$node->restart;
my $offset = -s $node->logfile;
is($node->safe_psql('postgres', 'SELECT gid FROM pg_prepared_xacts'), 'tx3',
	'the prepared transaction survived the restart');
refused_at_once('checkpoint_pipeline', 'tx3', 'recovered');
$offset = $node->wait_for_log(
	qr/LOG:  a checkpoint cannot be taken while a prepared transaction is pending\n.*DETAIL:  Prepared transaction 'tx3' began before the checkpoint.*\n.*HINT:  .*the worker looks again in its next round/,
	$offset);
ok(1, 'the worker logs that it cannot checkpoint, naming the transaction');
$before = $node->safe_psql('postgres', $checkpoints);
# It goes on: the orders of the next seconds are compacted into the report.
$node->safe_psql('postgres',
	q{SELECT salesorder.create_order(3, '[{"sku": "SKU-002", "qty": 1}]')});
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM salesorder.sales_rollup_delta'),
	'the worker goes on with its other tasks');
$node->wait_for_log(qr/LOG:  a checkpoint cannot be taken while a prepared transaction is pending/,
	$offset);
ok(1, 'and logs it again in its next round');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND wait_event_type = 'Lock'}),
	'0', 'the worker does not wait for the prepared transaction');
is($node->safe_psql('postgres', $checkpoints), $before, 'the worker wrote no checkpoint');
# Finished: the worker takes the checkpoints.
$node->safe_psql('postgres', q{COMMIT PREPARED 'tx3'});
ok( $node->poll_query_until('postgres', q{
		SELECT (SELECT upto_id FROM salesorder.ledger_checkpoint)
			   >= (SELECT max(id) FROM salesorder.stock_movement)
		   AND (SELECT sum(orders) FROM salesorder.pipeline_closed WHERE status = 'completed') = 2}),
	'committed: the worker takes both checkpoints');
check_invariants($node, 'postgres', 'after the worker');

$node->stop;
done_testing();
