# The outbox horizon only advances, under concurrent writers, for every
# caller: event_horizon() polled in a loop never returns less than it
# returned before, the worker's NOTIFY payloads never go back, and a
# consumer polling events_since(its last id) meanwhile gets every event,
# once, in order.
#
# The horizon went back in two ways.  A transaction's first event took its
# lock one below the sequence's last value, so the horizon fell by one each
# time a writer began on a quiet outbox (test/isolation/specs/
# events_horizon.spec shows that step by step).  And a writer between
# reading the sequence and taking its lock is invisible: when others took
# ids meanwhile and a consumer handed out a horizon above the value it had
# read, its lock pulled the next horizon back.  Nothing in between those
# two steps waits for anything SQL can hold, so no isolation spec can stage
# the second; under load it is frequent (thousands of times in ten seconds
# on two cores, writers queueing for the lock table inside that window
# while the pollers scan it), which is what this test makes.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use SalesorderTest;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $seconds = 8;

my $node = PostgreSQL::Test::Cluster->new('horizon');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', 'CREATE EXTENSION salesorder');
create_master_data($node, 'shop', customers => 20, products => 5, stock => 1000000);
# One approved order per writer, whose stage it sets again and again: a
# short transaction with one event.
$node->safe_psql('shop', q{
	SELECT count(salesorder.create_order(i, '[{"product_id": 1, "qty": 1}]'))
	FROM generate_series(1, 20) i;
	CREATE TABLE got (n bigserial PRIMARY KEY, id bigint NOT NULL);

	-- event_horizon() in a loop: how often it returned less than the
	-- most it had returned before, and by how much at worst.
	CREATE FUNCTION horizon_watch(seconds float8, OUT calls bigint, OUT decreases bigint,
		OUT worst bigint) LANGUAGE plpgsql AS $$
	DECLARE
		h bigint;
		most bigint := -1;
		stop timestamptz := clock_timestamp() + seconds * interval '1 second';
	BEGIN
		calls := 0; decreases := 0; worst := 0;
		WHILE clock_timestamp() < stop LOOP
			h := salesorder.event_horizon();
			calls := calls + 1;
			IF h < most THEN
				decreases := decreases + 1;
				worst := greatest(worst, most - h);
			END IF;
			most := greatest(most, h);
		END LOOP;
	END $$;

	-- A consumer: events_since(its last id) in a loop, every id it gets
	-- kept in got, in the order it got them; for at least that long, then
	-- until a poll brings nothing.
	CREATE FUNCTION consume(seconds float8) RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE
		last_id bigint := coalesce((SELECT max(id) FROM got), 0);
		e record;
		polls bigint := 0;
		n integer;
		stop timestamptz := clock_timestamp() + seconds * interval '1 second';
	BEGIN
		LOOP
			n := 0;
			FOR e IN SELECT id FROM salesorder.events_since(last_id, 1000) LOOP
				INSERT INTO got (id) VALUES (e.id);
				last_id := e.id;
				n := n + 1;
			END LOOP;
			polls := polls + 1;
			EXIT WHEN n = 0 AND clock_timestamp() >= stop;
		END LOOP;
		RETURN polls;
	END $$;
});

$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'shop'
salesorder.notify_interval = '10ms'
});
$node->restart;
ok($node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND datname = 'shop'}),
	'the worker serves its database');

my $listener = $node->background_psql('shop');
$listener->query_safe('LISTEN salesorder_events');

my $tmp = PostgreSQL::Test::Utils::tempdir;
open(my $fh, '>', "$tmp/stage.pgbench") or die $!;
print $fh "SELECT salesorder.set_stage(1 + :client_id % 20, 'assembling');\n";
close $fh;
open($fh, '>', "$tmp/order.pgbench") or die $!;
print $fh "SELECT salesorder.create_order(1 + :client_id % 20, '[{\"product_id\": 2, \"qty\": 1}, {\"product_id\": 3, \"qty\": 2}]');\n";
close $fh;

my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start(
	[
		'pgbench', '-n', '-c', '6', '-j', '2', '-T', $seconds,
		'-f', "$tmp/stage.pgbench\@3", '-f', "$tmp/order.pgbench\@1",
		$node->connstr('shop')
	],
	'>', \$bench_out, '2>', \$bench_err);

# Two pollers and a consumer alongside, for a little less than the writers.
my $watch = $seconds - 2;
my @sessions;
for my $sql ("SELECT * FROM horizon_watch($watch)", "SELECT * FROM horizon_watch($watch)",
	"SELECT consume($watch)")
{
	my ($out, $err) = ('', '');
	push @sessions, [
		IPC::Run::start(
			[ 'psql', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', $sql, $node->connstr('shop') ],
			'>', \$out, '2>', \$err),
		\$out, \$err ];
}
ok($bench->finish, 'pgbench ran') or diag($bench_err);
$_->[0]->finish for @sessions;
like($bench_out, qr/number of failed transactions: 0 /, 'every writer transaction committed');

for my $i (0, 1)
{
	my ($calls, $decreases, $worst) = split /\|/, ${ $sessions[$i][1] };
	chomp $worst if defined $worst;
	note "poller $i: " . ${ $sessions[$i][2] } if ${ $sessions[$i][2] } ne '';
	note "poller $i: $calls calls, $decreases below an earlier horizon";
	cmp_ok($calls // 0, '>', 100, "poller $i called event_horizon() many times");
	is($decreases, 0, "poller $i: the horizon never went back (worst by $worst)");
}

# The consumer catches up once the writers are done, and has every event,
# in order, once.
$node->safe_psql('shop', 'SELECT consume(0)');
is($node->safe_psql('shop', q{
	SELECT (SELECT count(*) FROM salesorder.order_event e
			WHERE NOT EXISTS (SELECT 1 FROM got g WHERE g.id = e.id))
		 + (SELECT count(*) FROM got g
			WHERE NOT EXISTS (SELECT 1 FROM salesorder.order_event e WHERE e.id = g.id))}),
	'0', 'the consumer got every event there is, and nothing else');
is($node->safe_psql('shop', q{
	SELECT count(*) FROM (SELECT id, lag(id) OVER (ORDER BY n) AS before FROM got) x
	WHERE id <= before}),
	'0', 'in increasing id order, none twice');

# The worker's wake-ups: every payload larger than the one before.
usleep(300_000);
my $heard = $listener->query_safe('SELECT 1');
$listener->quit;
my @payloads = $heard =~ /Asynchronous notification "salesorder_events" with payload "(\d+)"/g;
cmp_ok(scalar(@payloads), '>', 10, 'the worker notified many advances');
my @back = grep { $payloads[$_] <= $payloads[ $_ - 1 ] } 1 .. $#payloads;
is(scalar(@back), 0, 'the NOTIFY payloads never went back')
  or diag('e.g. ' . join(', ', map { "$payloads[$_ - 1] then $payloads[$_]" } @back[0 .. ($#back < 4 ? $#back : 4)]));
my $horizon = $node->safe_psql('shop', 'SELECT salesorder.event_horizon()');
is($payloads[-1], $horizon, 'the last one is the horizon');

$node->stop;
done_testing();
