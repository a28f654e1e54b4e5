# Crash recovery: 8 pgbench clients create, ship, cancel, change, hold and
# receive orders at READ COMMITTED; the whole server is killed with SIGKILL in
# the middle of it (fsync on, as any TAP cluster), restarted, and then every
# invariant must hold: nothing committed is lost, no order is half-written,
# history and outbox agree, stock agrees with its ledger and the order lines,
# the rollup with the raw report, and the sequences go on where they were.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;
use Time::HiRes qw(time usleep);

my $db = 'postgres';
my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_connections = 50
});
$node->start;

$node->safe_psql($db, 'CREATE EXTENSION salesorder');
# Product 10 is short, so that orders of it fail (SO001) or are backordered
# and receipts fill backorders.
create_master_data($node, $db, customers => 50, products => 10,
	stock => 100000, scarce => { 10 => 20 });

# One random operation per call.  The refusals the workload provokes on
# purpose are caught: SO001 (short of stock, shipping a backordered line),
# SO002 (the order moved on meanwhile), 22023 (nothing open to ship, a change
# that changes nothing), SO006 (a quantity below what shipped).  Anything else
# aborts the pgbench client.
$node->safe_psql(
	$db, q{
CREATE FUNCTION crash_pick(statuses salesorder.order_status[]) RETURNS bigint
LANGUAGE sql AS $$
	SELECT id FROM salesorder.sales_order
	WHERE id >= (SELECT floor(random() * coalesce(max(id), 0)) FROM salesorder.sales_order)
	  AND status = ANY (statuses)
	ORDER BY id LIMIT 1
$$;

CREATE FUNCTION crash_step() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r integer := 1 + floor(random() * 100)::integer;
	what text;
	o bigint;
	lines jsonb;
BEGIN
	IF r <= 45 THEN
		what := 'create';
		SELECT jsonb_agg(jsonb_build_object(
				   'product_id', 1 + floor(random() * 10)::integer,
				   'qty', 1 + floor(random() * 5)::integer))
		INTO lines FROM generate_series(1, 1 + floor(random() * 3)::integer);
		o := salesorder.create_order(1 + floor(random() * 50)::integer, lines,
			CASE WHEN random() < 0.25 THEN '{"backorder": true}'
				 WHEN random() < 0.05 THEN '{"draft": true}'
				 ELSE '{}' END::jsonb);
	ELSIF r <= 62 THEN
		what := 'ship';
		o := crash_pick('{approved,in_production,partially_shipped}');
		IF o IS NOT NULL THEN
			IF random() < 0.5 THEN
				PERFORM salesorder.ship(o);
			ELSE
				PERFORM salesorder.ship(o, '[{"line_no": 1, "qty": 1}]');
			END IF;
		END IF;
	ELSIF r <= 72 THEN
		what := 'cancel';
		o := crash_pick('{draft,approved,in_production,on_hold}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.cancel(o, 'crash test: customer cancelled');
		END IF;
	ELSIF r <= 82 THEN
		what := 'change';
		o := crash_pick('{approved,in_production,partially_shipped}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.request_change(o,
				jsonb_build_object('lines', jsonb_build_array(jsonb_build_object(
					'line_no', 1, 'qty', 1 + floor(random() * 6)::integer))),
				'crash test: customer changed the quantity');
		END IF;
	ELSIF r <= 90 THEN
		what := 'receive';
		PERFORM salesorder.receive_stock(1, 1 + floor(random() * 10)::integer,
			1 + floor(random() * 40)::integer, 'crash test receipt');
	ELSIF r <= 93 THEN
		what := 'hold';
		o := crash_pick('{approved,in_production,partially_shipped}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.hold(o, 'crash test: customer asked to wait');
		END IF;
	ELSIF r <= 96 THEN
		what := 'release';
		o := crash_pick('{on_hold}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.release_hold(o);
		END IF;
	ELSIF r <= 98 THEN
		what := 'production';
		-- a plain UPDATE making a direct_ok move: the trigger writes the history
		UPDATE salesorder.sales_order SET status = 'in_production'
		WHERE id = crash_pick('{approved}') AND status = 'approved';
	ELSE
		what := 'submit';
		o := crash_pick('{draft}');
		IF o IS NOT NULL THEN
			PERFORM salesorder.submit_order(o);
		END IF;
	END IF;
	RETURN what;
EXCEPTION
	WHEN SQLSTATE 'SO001' OR SQLSTATE 'SO002' OR SQLSTATE '22023' OR SQLSTATE 'SO006' THEN
		RETURN what || ' ' || SQLSTATE;
END $$;
});

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $script = "$tmp/crash_traffic.pgbench";
open(my $fh, '>', $script) or die "could not write $script: $!";
print $fh "SELECT crash_step();\n";
close $fh;

# The traffic, in the background.
my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start(
	[
		'pgbench', '-n', '-c', '8', '-j', '2', '-T', '30',
		'-f', $script, $node->connstr($db)
	],
	'>', \$bench_out, '2>', \$bench_err);

# Let it run for at least 5 seconds and until a good number of orders have
# committed (a slow machine gets up to 60 seconds for that).
my $started = time;
my $seen_count = 0;
while (1)
{
	$seen_count = $node->safe_psql($db, 'SELECT count(*) FROM salesorder.sales_order');
	last if $seen_count >= 200 && time - $started >= 5;
	last if time - $started > 60;
	last unless $bench->pumpable;    # pgbench ended early: checked below
	$bench->pump_nb;
	usleep(200_000);
}
ok($bench->pumpable, 'pgbench still running when the server is killed');
cmp_ok($seen_count, '>=', 200,
	'at least 200 orders committed before the crash');

# What a client has seen committed must survive the crash.
my ($seen_orders, $seen_events) = split /\|/,
  $node->safe_psql($db,
	q{SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM salesorder.sales_order),
			 (SELECT string_agg(id::text, ',' ORDER BY id) FROM salesorder.order_event)});

# The crash: every server process at once, with SIGKILL.
my $killed = kill9_all($node);
my @seen_orders = split /,/, $seen_orders;
my @seen_events = split /,/, $seen_events;
note "killed $killed server processes with SIGKILL after "
  . sprintf('%.1f', time - $started)
  . " s of traffic; "
  . scalar(@seen_orders)
  . " orders and "
  . scalar(@seen_events)
  . " events seen committed just before";

# pgbench loses its connections and fails: give it a few seconds to notice
# and exit, stop it if it has not, and ignore its exit status.  An ERROR it
# reported (rather than a lost connection) means the workload met an error
# it does not expect.
my $deadline = time + 10;
while ($bench->pumpable && time < $deadline)
{
	$bench->pump_nb;
	usleep(100_000);
}
eval { $bench->kill_kill(grace => 2) if $bench->pumpable; };
eval { $bench->finish; };
my @bench_lines = grep { /\S/ } split /\n/, $bench_err;
note 'pgbench after the crash: '
  . join(' / ', @bench_lines[ 0 .. ($#bench_lines < 1 ? $#bench_lines : 1) ]);
my @sql_errors = grep { /ERROR:/ } split /\n/, $bench_err;
is(join("\n", @sql_errors[ 0 .. ($#sql_errors < 4 ? $#sql_errors : 4) ]),
	'', 'no pgbench client met an SQL error before the crash');

$node->start;
ok( $node->log_contains(
		qr/database system was not properly shut down; automatic recovery in progress/),
	'the restart ran crash recovery');

my ($orders, $max_id, $events, $max_event) = split /\|/,
  $node->safe_psql($db,
	q{SELECT (SELECT count(*) FROM salesorder.sales_order),
			 (SELECT coalesce(max(id), 0) FROM salesorder.sales_order),
			 (SELECT count(*) FROM salesorder.order_event),
			 (SELECT coalesce(max(id), 0) FROM salesorder.order_event)});
note "after recovery: $orders orders existed at the crash (max id $max_id), $events events";
note $node->safe_psql($db,
	q{SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
	  FROM (SELECT status, count(*) AS n FROM salesorder.sales_order GROUP BY 1) s});

is( $node->safe_psql($db,
		"SELECT count(*) FROM salesorder.sales_order WHERE id = ANY ('{$seen_orders}'::bigint[])"),
	scalar(@seen_orders),
	'every order seen committed before the crash survived it');
is( $node->safe_psql($db,
		"SELECT count(*) FROM salesorder.order_event WHERE id = ANY ('{$seen_events}'::bigint[])"),
	scalar(@seen_events),
	'every event seen committed before the crash survived it');

check_invariants($node, $db, 'after the crash');

# A consumer starting from 0 gets every committed event, in id order: no
# transaction holds back the horizon after the crash.
my ($consumed, $last_id, $in_order) = (0, 0, 1);
for (my $pages = 0; $pages < 1000; $pages++)
{
	my ($n, $lo, $hi) = split /\|/,
	  $node->safe_psql($db,
		"SELECT count(*), min(id), max(id) FROM salesorder.events_since($last_id, 10000)");
	last if $n == 0;
	$in_order = 0 if $lo <= $last_id;
	$consumed += $n;
	$last_id = $hi;
}
is($consumed, $events, 'events_since() hands out every event after recovery');
ok($in_order && $last_id == $max_event, 'in id order, up to the last one');

# The sequences go on after the last committed ids.
my $new_id = $node->safe_psql($db,
	q{SELECT salesorder.create_order(1, '[{"product_id": 1, "qty": 1}]')});
cmp_ok($new_id, '>', $max_id, "a new order gets a fresh id ($new_id)");
my $new_event = $node->safe_psql($db,
	"SELECT min(id) FROM salesorder.order_event WHERE order_id = $new_id");
cmp_ok($new_event, '>', $max_event,
	"its first event gets a fresh id ($new_event)");
is( $node->safe_psql($db,
		"SELECT status FROM salesorder.sales_order WHERE id = $new_id"),
	'approved',
	'the new order is approved');

# And the system keeps working under load after recovery: pgbench exits 0
# only if no client met an error the workload does not expect.
$node->command_ok(
	[
		'pgbench', '-n', '-c', '4', '-j', '2', '-T', '3',
		'-f', $script, $node->connstr($db)
	],
	'order traffic runs cleanly after recovery');
check_invariants($node, $db, 'after more traffic');

$node->stop;
done_testing();
