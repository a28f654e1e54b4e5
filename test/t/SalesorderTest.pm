# Shared helpers of the salesorder TAP tests (test/t/*.pl).
#
# A test finds this module next to itself:
#
#   use FindBin;
#   use lib $FindBin::RealBin;
#   use SalesorderTest;
#
# It only defines functions: master data for a database, the invariant checks
# every test runs after doing something drastic (a crash, a dump and
# restore), and a way to take a whole server down with SIGKILL.
package SalesorderTest;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(create_master_data problems check_invariants kill9_all);

# create_master_data($node, $db, %opt): one warehouse (id 1, or more with
# warehouses => N), customers 1..N (customers => 50) spread over three regions
# and three segments with a generous credit limit, products 1..N
# (products => 10) over four categories, and opening stock received through
# salesorder.receive_stock (stock => 10000 each; scarce => {product_id =>
# qty} for a few short ones).
sub create_master_data
{
	my ($node, $db, %opt) = @_;
	my $customers  = $opt{customers}  // 50;
	my $products   = $opt{products}   // 10;
	my $warehouses = $opt{warehouses} // 1;
	my $stock      = $opt{stock}      // 10000;
	my $scarce     = $opt{scarce}     // {};

	my $scarce_sql = join(' ',
		map { "WHEN $_ THEN $scarce->{$_}" } sort { $a <=> $b } keys %$scarce);
	$scarce_sql = $scarce_sql ? "CASE p.id $scarce_sql ELSE $stock END" : $stock;

	$node->safe_psql(
		$db, qq{
INSERT INTO salesorder.warehouse (code, name, region)
SELECT 'WH-' || i, 'Warehouse ' || i, (ARRAY['North', 'South', 'West'])[1 + (i - 1) % 3]
FROM generate_series(1, $warehouses) i;
INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
	default_ship_to, default_warehouse_id)
SELECT 'C' || lpad(i::text, 4, '0'), 'Customer ' || i,
	(ARRAY['North', 'South', 'West'])[1 + i % 3],
	(ARRAY['enterprise', 'smb', 'retail'])[1 + (i / 3) % 3],
	1e9, i || ' Harbour Rd', 1
FROM generate_series(1, $customers) i;
INSERT INTO salesorder.product (sku, name, category, list_price)
SELECT 'SKU-' || lpad(i::text, 3, '0'), 'Product ' || i,
	(ARRAY['shirts', 'jackets', 'shoes', 'bags'])[1 + i % 4], 5 + 7 * i + 0.25
FROM generate_series(1, $products) i;
SELECT count(*) FROM salesorder.warehouse w CROSS JOIN salesorder.product p,
	LATERAL salesorder.receive_stock(w.id, p.id, $scarce_sql, 'opening stock') r;
});
	return;
}

# problems($node, $db, $sql): $sql yields one text column, one row per
# problem found; returns the first ten, one a line ('' when there is none),
# so that a failing is(..., '') shows what is wrong.
# The whole history, hot and archived (archive_history() moves old rows of
# closed orders into the archives): what the invariants are about.
my $whole_history = q{(SELECT id, order_id, customer_id, from_status, to_status,
	changed_by, changed_at, reason, kind, changed_login
	FROM salesorder.order_status_history
	UNION ALL
	SELECT id, order_id, customer_id, from_status, to_status,
	changed_by, changed_at, reason, kind, changed_login
	FROM salesorder.order_status_history_archive)};
my $whole_ledger = q{(SELECT id, warehouse_id, product_id, kind, on_hand_delta,
	order_id, line_no, customer_id, note, created_by, created_at
	FROM salesorder.stock_movement
	UNION ALL
	SELECT id, warehouse_id, product_id, kind, on_hand_delta,
	order_id, line_no, customer_id, note, created_by, created_at
	FROM salesorder.stock_movement_archive)};

sub problems
{
	my ($node, $db, $sql) = @_;
	# (Named after the table where the query gives no alias.)
	my $bare = qr/(?=\s+(?:WHERE|GROUP|ORDER|JOIN|LEFT|ON)\b|\s*\))/;
	$sql =~ s/salesorder\.order_status_history\b(?!_)$bare/\x01H order_status_history/g;
	$sql =~ s/salesorder\.order_status_history\b(?!_)/\x01H/g;
	$sql =~ s/salesorder\.stock_movement\b(?!_)$bare/\x01L stock_movement/g;
	$sql =~ s/salesorder\.stock_movement\b(?!_)/\x01L/g;
	$sql =~ s/\x01H/$whole_history/g;
	$sql =~ s/\x01L/$whole_ledger/g;
	return $node->safe_psql($db,
		"SELECT coalesce(string_agg(p, E'\\n'), '') FROM (SELECT * FROM ($sql) q(p) LIMIT 10) x(p)"
	);
}

# check_invariants($node, $db, $label): every invariant of the manual that
# must hold in any committed state, one is() each:
#   - verify_stock() is empty; 0 <= reserved <= on_hand;
#   - verify_credit_exposure() is empty: each customer's running exposure
#     is the sum over its orders;
#   - every order is whole: at least one line, line_count and the amounts
#     agree with its lines;
#   - every order has exactly one creation row in its history and one
#     'created' event;
#   - per order, the status moves of the history (status rows with a from
#     state) and the submitted/status_changed events are as many, and the
#     order's status is the to-state of its last status row;
#   - every event that names a history row (payload history_id) names an
#     existing row of the same order with the same from and to, no two
#     events name the same row, and no event belongs to a missing order;
#   - every order line's shipments in the ledger add up to its shipped
#     quantity (a reservation is no ledger row: verify_stock() checks
#     stock.reserved against the lines);
#   - report_sales (the rollup) equals report_sales_raw.
sub check_invariants
{
	my ($node, $db, $label) = @_;

	is( problems(
			$node, $db,
			q{SELECT format('%s/%s: %s', warehouse_id, product_id, problem)
			  FROM salesorder.verify_stock()}),
		'',
		"$label: verify_stock() returns no rows");

	is( problems(
			$node, $db,
			q{SELECT format('customer %s: kept %s, orders %s',
					customer_id, open_amount, orders_open_amount)
			  FROM salesorder.verify_credit_exposure()}),
		'',
		"$label: verify_credit_exposure() returns no rows");

	is( problems(
			$node, $db,
			q{SELECT format('stock %s/%s: on_hand %s reserved %s',
					warehouse_id, product_id, on_hand, reserved)
			  FROM salesorder.stock
			  WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand}),
		'',
		"$label: no negative stock, reserved <= on_hand");

	is( problems(
			$node, $db,
			q{SELECT format('order %s: line_count %s, %s lines; total %s, lines sum %s; gross %s, lines gross %s; discount %s',
					o.id, o.line_count, coalesce(l.n, 0), o.total_amount, l.amount,
					o.gross_amount, l.gross, o.discount_amount)
			  FROM salesorder.sales_order o
			  LEFT JOIN (SELECT order_id, count(*) AS n, sum(amount) AS amount,
							 sum(round(qty * unit_price, 2)) AS gross
						 FROM salesorder.order_line GROUP BY order_id) l
				ON l.order_id = o.id
			  WHERE l.n IS NULL OR o.line_count <> l.n
				 OR o.total_amount <> l.amount OR o.gross_amount <> l.gross
				 OR o.discount_amount <> o.gross_amount - o.total_amount
			  ORDER BY o.id}),
		'',
		"$label: every order has lines, and its line_count and amounts match them");

	is( problems(
			$node, $db,
			q{SELECT format('order %s: %s creation history rows, %s created events',
					o.id,
					(SELECT count(*) FROM salesorder.order_status_history h
					 WHERE h.order_id = o.id AND h.from_status IS NULL),
					(SELECT count(*) FROM salesorder.order_event e
					 WHERE e.order_id = o.id AND e.kind = 'created'))
			  FROM salesorder.sales_order o
			  WHERE (SELECT count(*) FROM salesorder.order_status_history h
					 WHERE h.order_id = o.id AND h.from_status IS NULL) <> 1
				 OR (SELECT count(*) FROM salesorder.order_event e
					 WHERE e.order_id = o.id AND e.kind = 'created') <> 1
			  ORDER BY o.id}),
		'',
		"$label: every order has one creation history row and one created event");

	is( problems(
			$node, $db,
			q{SELECT format('order %s: %s status moves in the history, %s submitted/status_changed events',
					o.id, coalesce(h.n, 0), coalesce(e.n, 0))
			  FROM salesorder.sales_order o
			  LEFT JOIN (SELECT order_id, count(*) AS n FROM salesorder.order_status_history
						 WHERE kind = 'status' AND from_status IS NOT NULL
						 GROUP BY order_id) h ON h.order_id = o.id
			  LEFT JOIN (SELECT order_id, count(*) AS n FROM salesorder.order_event
						 WHERE kind IN ('submitted', 'status_changed')
						 GROUP BY order_id) e ON e.order_id = o.id
			  WHERE coalesce(h.n, 0) <> coalesce(e.n, 0)
			  ORDER BY o.id}),
		'',
		"$label: every status move of the history has its event");

	is( problems(
			$node, $db,
			q{SELECT format('order %s: status %s, last status row says %s', o.id, o.status,
					coalesce(h.to_status::text, 'nothing'))
			  FROM salesorder.sales_order o
			  LEFT JOIN LATERAL (SELECT to_status FROM salesorder.order_status_history h
								 WHERE h.order_id = o.id AND h.kind = 'status'
								 ORDER BY h.id DESC LIMIT 1) h ON true
			  WHERE h.to_status IS DISTINCT FROM o.status
			  ORDER BY o.id}),
		'',
		"$label: every order's status is the to-state of its last status row");

	is( problems(
			$node, $db,
			q{SELECT format('event %s (%s, order %s): history row %s %s', e.id, e.kind,
					e.order_id, e.payload ->> 'history_id',
					CASE WHEN h.id IS NULL THEN 'missing'
						 ELSE format('is of order %s, %s -> %s', h.order_id,
									 h.from_status, h.to_status) END)
			  FROM salesorder.order_event e
			  LEFT JOIN salesorder.order_status_history h
				ON h.id = (e.payload ->> 'history_id')::bigint
			  WHERE e.payload ? 'history_id'
				AND (h.id IS NULL OR h.order_id IS DISTINCT FROM e.order_id
					 OR h.from_status::text IS DISTINCT FROM e.payload ->> 'from'
					 OR h.to_status::text IS DISTINCT FROM e.payload ->> 'to')
			  UNION ALL
			  SELECT format('history row %s is named by %s events', payload ->> 'history_id', count(*))
			  FROM salesorder.order_event WHERE payload ? 'history_id'
			  GROUP BY payload ->> 'history_id' HAVING count(*) > 1
			  UNION ALL
			  SELECT format('event %s (%s) of missing order %s', e.id, e.kind, e.order_id)
			  FROM salesorder.order_event e
			  WHERE e.order_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM salesorder.sales_order o WHERE o.id = e.order_id)}),
		'',
		"$label: events name existing history rows of their own order, once each");

	is( problems(
			$node, $db,
			q{SELECT format('line %s/%s: ledger shipped %s vs line %s',
					l.order_id, l.line_no, coalesce(-m.s, 0), l.shipped_qty)
			  FROM salesorder.order_line l
			  LEFT JOIN (SELECT order_id, line_no,
								sum(on_hand_delta) FILTER (WHERE kind = 'shipment') AS s
						 FROM salesorder.stock_movement WHERE order_id IS NOT NULL
						 GROUP BY 1, 2) m ON m.order_id = l.order_id AND m.line_no = l.line_no
			  WHERE coalesce(-m.s, 0) <> l.shipped_qty
			  ORDER BY l.order_id, l.line_no}),
		'',
		"$label: every line's shipments in the ledger add up to its shipped quantity");

	is( problems(
			$node, $db,
			q{SELECT 'only in report_sales: ' || d::text
			  FROM (SELECT * FROM salesorder.report_sales
					EXCEPT ALL
					SELECT * FROM salesorder.report_sales_raw) d
			  UNION ALL
			  SELECT 'only in report_sales_raw: ' || d::text
			  FROM (SELECT * FROM salesorder.report_sales_raw
					EXCEPT ALL
					SELECT * FROM salesorder.report_sales) d}),
		'',
		"$label: report_sales (rollup) equals report_sales_raw");

	return;
}

# kill9_all($node): takes the server down the way a crash does: stops the
# postmaster (SIGSTOP, so it forks nothing and reacts to nothing), kills every
# one of its child processes with SIGKILL, then the postmaster itself
# ($node->kill9), and waits until they are all gone so that the node can be
# started again.  Killing only the postmaster would let the backends finish
# (and commit) their current transactions and the auxiliary processes exit
# in an orderly way, which is not a crash.  Every process killed here was
# started by this test's node.  Returns the number of processes killed.
sub kill9_all
{
	my ($node) = @_;
	my $pid = $node->{_pid};
	die "node " . $node->name . " is not running" unless defined $pid;

	kill 'STOP', $pid;
	my @children;
	if (opendir(my $proc, '/proc'))
	{
		foreach my $p (grep { /^\d+$/ } readdir $proc)
		{
			open(my $fh, '<', "/proc/$p/stat") or next;
			my $stat = <$fh>;
			close $fh;
			# pid (comm) state ppid ...; comm may contain spaces and parens
			next unless defined $stat && $stat =~ /\)\s+\S+\s+(\d+)/;
			push @children, $p if $1 == $pid;
		}
		closedir $proc;
	}
	kill 'KILL', @children if @children;
	$node->kill9;

	# Wait (up to three minutes) until they are gone, zombies included: a
	# postmaster.pid naming a live (or not yet reaped) process keeps the next
	# postmaster from starting.
	my $deadline = time + 180;
	foreach my $p ($pid, @children)
	{
		while (-e "/proc/$p" || kill(0, $p))
		{
			last if time > $deadline;
			usleep(50_000);
		}
	}
	return 1 + scalar @children;
}

1;
