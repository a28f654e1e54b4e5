# Dump and restore: a database with orders in every state (drafts, pending
# approval, approved, rejected and revised, partially shipped, shipped,
# delivered, completed, cancelled, on hold, in production with a built-in and
# an admin-added stage, a backorder, an applied and a pending change request,
# delay flags, stock adjustments, an admin-added status transition, archived
# ledger rows and status history) is dumped
# with pg_dump -Fc and restored with pg_restore --exit-on-error, in replica
# mode as the README says, into a fresh
# database.  The copy must have the same rows in every table of the
# extension, the same sequences and privileges, hold every invariant, give
# the same report once the rollup is rebuilt, and keep working: new ids come
# after the old ones, the pending approvals can be decided.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;

my @tables = qw(customer product warehouse stock stock_movement sales_order
  order_line order_status_history approval_rule approval_step change_request
  order_revision order_event delay_flag production_stage status_transition
  stock_movement_archive order_status_history_archive ledger_archive_balance);

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
# The test plays every person through its one login with SET ROLE, as an
# application pool does: that login is a pool login for segregation of duties.
$node->safe_psql('postgres', q{
	SELECT format('ALTER ROLE %I SET salesorder.pool_logins = %L', current_user, current_user) \gexec
});

# $node->psql that does not die: the output, or undef (and a diag) on error,
# so that a broken restore fails the checks instead of ending the test.
sub query
{
	my ($db, $sql) = @_;
	my ($out, $err);
	my $rc = $node->psql($db, $sql, stdout => \$out, stderr => \$err,
		on_error_stop => 1);
	if ($rc != 0)
	{
		diag("query failed in $db: $sql\n$err");
		return undef;
	}
	return $out;
}

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', q{
CREATE EXTENSION salesorder;
SELECT salesorder.create_roles();
CREATE ROLE dump_finance NOLOGIN;
CREATE ROLE dump_logistics NOLOGIN;
CREATE ROLE dump_ann NOLOGIN;
GRANT salesorder_approver, dump_finance, dump_logistics TO dump_ann;
});
create_master_data($node, 'src', customers => 8, products => 6,
	warehouses => 2, stock => 1000, scarce => { 6 => 3 });

# The scenario.  Orders are created by the superuser and decided by dump_ann
# (the creator may not decide its own order's steps).
$node->safe_psql(
	'src', q{
INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role, level)
VALUES ('large order', 'amount_over', 5000, 'finance', 'dump_finance', 1),
	   ('date change', 'change_date', NULL, 'logistics', 'dump_logistics', 1);

-- Admin additions to the configuration tables (builtin defaults to false).
INSERT INTO salesorder.production_stage (stage, description, sort_order)
VALUES ('painting', 'in the paint shop', 25);
INSERT INTO salesorder.status_transition (from_status, to_status, description, made_by, direct_ok)
VALUES ('in_production', 'approved', 'sent back to planning', 'UPDATE', true);

CREATE TEMP TABLE o (name text PRIMARY KEY, id bigint);
GRANT SELECT ON o TO dump_ann;

-- a draft
INSERT INTO o SELECT 'draft', salesorder.create_order(1,
	'[{"product_id": 1, "qty": 2, "note": "gift wrap"}]', '{"draft": true}');
-- approved at once, with dates
INSERT INTO o SELECT 'approved', salesorder.create_order(2,
	'[{"product_id": 1, "qty": 3}, {"product_id": 2, "qty": 1, "discount_pct": 5}]',
	jsonb_build_object('promised_date', current_date + 30, 'requested_date', current_date + 28,
					   'special_requirements', NULL, 'notes', 'call before delivery',
					   'idempotency_key', 'web-cart-1'));
-- pending approval (a large order)
INSERT INTO o SELECT 'pending', salesorder.create_order(3, '[{"product_id": 5, "qty": 200}]');
-- large, approved by dump_ann
INSERT INTO o SELECT 'large_approved', salesorder.create_order(4, '[{"product_id": 5, "qty": 150}]');
-- large, rejected by dump_ann
INSERT INTO o SELECT 'rejected', salesorder.create_order(5, '[{"product_id": 4, "qty": 200}]');
-- large, rejected, revised, made smaller and resubmitted (a second round)
INSERT INTO o SELECT 'resubmitted', salesorder.create_order(6, '[{"product_id": 4, "qty": 180}]');
-- partially shipped, shipped and delivered, completed, short-closed
INSERT INTO o SELECT 'partial', salesorder.create_order(6,
	'[{"product_id": 1, "qty": 5}, {"product_id": 2, "qty": 5}]');
INSERT INTO o SELECT 'delivered', salesorder.create_order(7, '[{"product_id": 3, "qty": 2}]');
INSERT INTO o SELECT 'completed', salesorder.create_order(8, '[{"product_id": 3, "qty": 1}]');
INSERT INTO o SELECT 'short_closed', salesorder.create_order(8,
	'[{"product_id": 2, "qty": 4}]', '{"warehouse_id": 2}');
-- cancelled
INSERT INTO o SELECT 'cancelled', salesorder.create_order(1, '[{"product_id": 2, "qty": 4}]');
-- a backorder: 3 on hand, 10 wanted; a receipt of 2 fills part of it
INSERT INTO o SELECT 'backorder', salesorder.create_order(2,
	'[{"product_id": 6, "qty": 10}]', '{"backorder": true}');
-- change requests: one applied at once, one pending (a date change is routed)
INSERT INTO o SELECT 'changed', salesorder.create_order(3, '[{"product_id": 1, "qty": 4}]');
INSERT INTO o SELECT 'change_pending', salesorder.create_order(4,
	'[{"product_id": 2, "qty": 2}]', jsonb_build_object('promised_date', current_date + 20));
-- on hold, in production (a built-in and an admin-added stage)
INSERT INTO o SELECT 'on_hold', salesorder.create_order(5, '[{"product_id": 1, "qty": 1}]');
INSERT INTO o SELECT 'assembling', salesorder.create_order(6, '[{"product_id": 3, "qty": 1}]');
INSERT INTO o SELECT 'painting', salesorder.create_order(7, '[{"product_id": 3, "qty": 2}]');
-- through the admin-added transition: in_production -> approved
INSERT INTO o SELECT 'replanned', salesorder.create_order(8, '[{"product_id": 4, "qty": 1}]');
-- late and at risk, for flag_delays()
INSERT INTO o SELECT 'late', salesorder.create_order(1, '[{"product_id": 2, "qty": 1}]',
	jsonb_build_object('promised_date', current_date - 5));
INSERT INTO o SELECT 'at_risk', salesorder.create_order(2, '[{"product_id": 4, "qty": 1}]',
	jsonb_build_object('promised_date', current_date + 1));
-- a reorder
INSERT INTO o SELECT 'copy', salesorder.copy_order((SELECT id FROM o WHERE name = 'approved'));

SET ROLE dump_ann;
SELECT salesorder.approve((SELECT id FROM o WHERE name = 'large_approved'), 'margin checked');
SELECT salesorder.reject((SELECT id FROM o WHERE name = 'rejected'), 'too large for this customer');
SELECT salesorder.reject((SELECT id FROM o WHERE name = 'resubmitted'), 'split it');
RESET ROLE;
SELECT salesorder.revise((SELECT id FROM o WHERE name = 'resubmitted'));
UPDATE salesorder.order_line SET qty = 160 WHERE order_id = (SELECT id FROM o WHERE name = 'resubmitted');
INSERT INTO salesorder.order_line (order_id, product_id, qty)
SELECT id, 1, 2 FROM o WHERE name = 'resubmitted';
SELECT salesorder.submit_order((SELECT id FROM o WHERE name = 'resubmitted'));
SET ROLE dump_ann;
SELECT salesorder.approve((SELECT id FROM o WHERE name = 'resubmitted'), 'second round');
RESET ROLE;

SELECT salesorder.ship((SELECT id FROM o WHERE name = 'partial'), '[{"line_no": 1, "qty": 2}]');
SELECT salesorder.ship((SELECT id FROM o WHERE name = 'delivered'));
SELECT salesorder.deliver((SELECT id FROM o WHERE name = 'delivered'));
SELECT salesorder.ship((SELECT id FROM o WHERE name = 'completed'));
SELECT salesorder.complete((SELECT id FROM o WHERE name = 'completed'));
SELECT salesorder.ship((SELECT id FROM o WHERE name = 'short_closed'), '[{"line_no": 1, "qty": 1}]');
SELECT salesorder.complete((SELECT id FROM o WHERE name = 'short_closed'));
SELECT salesorder.cancel((SELECT id FROM o WHERE name = 'cancelled'), 'customer changed plans');
SELECT salesorder.receive_stock(1, 6, 2, 'partial delivery from the supplier');
SELECT salesorder.request_change((SELECT id FROM o WHERE name = 'changed'),
	'{"lines": [{"line_no": 1, "qty": 6}]}', 'customer needs more');
SELECT salesorder.request_change((SELECT id FROM o WHERE name = 'change_pending'),
	jsonb_build_object('promised_date', current_date + 25), 'customer asks for later');
SELECT salesorder.hold((SELECT id FROM o WHERE name = 'on_hold'), 'customer asked to wait');
SELECT salesorder.set_stage((SELECT id FROM o WHERE name = 'assembling'), 'assembling', 'line 2');
SELECT salesorder.set_stage((SELECT id FROM o WHERE name = 'painting'), 'painting');
UPDATE salesorder.sales_order SET status = 'in_production'
WHERE id = (SELECT id FROM o WHERE name = 'replanned');
UPDATE salesorder.sales_order SET status = 'approved', status_reason = 'material missing'
WHERE id = (SELECT id FROM o WHERE name = 'replanned');
SELECT salesorder.flag_delays();

SELECT salesorder.adjust_stock(1, 1, -3, 'breakage');
SELECT salesorder.adjust_stock(1, 2, 7, 'found in aisle 3');
UPDATE salesorder.stock SET reorder_point = 995 WHERE warehouse_id = 1 AND product_id = 1;
SELECT salesorder.ship((SELECT id FROM o WHERE name = 'copy'));
SELECT salesorder.compact_rollup();
});

# Part of the history archived: month partitions made at run time (not
# members of the extension) and the ledger's archived sums.
$node->safe_psql('src', 'SELECT salesorder.checkpoint_ledger()');
$node->safe_psql('src', q{SELECT salesorder.archive_history('0')});
is($node->safe_psql('src', q{
	SELECT (SELECT count(*) FROM salesorder.stock_movement_archive) > 0
	   AND (SELECT count(*) FROM salesorder.order_status_history_archive) > 0}),
	't', 'src has archived ledger rows and status history');

# The scenario reached every state it meant to.
is( $node->safe_psql(
		'src',
		q{SELECT string_agg(DISTINCT status::text, ',' ORDER BY status::text)
		  FROM salesorder.sales_order}),
	'approved,cancelled,completed,delivered,draft,in_production,on_hold,'
	  . 'partially_shipped,pending_approval,rejected,shipped',
	'src has orders in every state');
is( $node->safe_psql(
		'src',
		q{SELECT (SELECT count(*) FROM salesorder.change_request WHERE status = 'applied')
			  || ' applied, '
			  || (SELECT count(*) FROM salesorder.change_request WHERE status = 'pending')
			  || ' pending, backordered '
			  || (SELECT sum(backorder_qty) FROM salesorder.order_line)
			  || ', delay flags '
			  || (SELECT string_agg(severity, ',' ORDER BY severity) FROM salesorder.delay_flag)
			  || ', rounds '
			  || (SELECT max(round) FROM salesorder.approval_step)}),
	'1 applied, 1 pending, backordered 5.000, delay flags at_risk,late, rounds 2',
	'src has change requests, a backorder, delay flags and a second approval round');
check_invariants($node, 'src', 'src');

# Dump, and restore into a fresh database.
my $tmp  = PostgreSQL::Test::Utils::tempdir;
my $dump = "$tmp/src.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'src' ],
	'pg_dump -Fc src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
my ($restore_out, $restore_err) = ('', '');

# A plain restore is refused by the guards, with a message that says how.
$node->safe_psql('postgres', 'CREATE DATABASE refused');
IPC::Run::run(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('refused'), $dump ],
	'>', \$restore_out, '2>', \$restore_err);
like($restore_err, qr/session_replication_role = replica/,
	'a restore with the guards on fails and says to use replica mode');
is(query('refused', 'SELECT count(*) FROM salesorder.sales_order'),
	'0', 'and wrote no order');
($restore_out, $restore_err) = ('', '');

# The documented way: the restore session runs as a replica, so the guard
# triggers (and the rollup triggers) do not fire on the copied rows.
local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
my $restored = IPC::Run::run(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ],
	'>', \$restore_out, '2>', \$restore_err);
ok($restored, 'pg_restore --exit-on-error into dst succeeds')
  or diag("pg_restore failed:\n$restore_err");
is($restore_err, '', 'pg_restore reports nothing on stderr');
delete $ENV{PGOPTIONS};

# The same rows in every table, and the same content.
foreach my $t (@tables)
{
	my $count_sql = "SELECT count(*) FROM salesorder.$t";
	is(query('dst', $count_sql), query('src', $count_sql),
		"$t: same number of rows in dst");
}
foreach my $t (@tables)
{
	my $md5_sql =
	  "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM salesorder.$t t";
	is(query('dst', $md5_sql), query('src', $md5_sql),
		"$t: same content in dst");
}

my $seq_sql = q{SELECT string_agg(format('%s=%s', sequencename, last_value), ', '
				ORDER BY sequencename) FROM pg_sequences WHERE schemaname = 'salesorder'};
is(query('dst', $seq_sql), query('src', $seq_sql),
	'every sequence of the extension is where it was');

my $acl_sql = q{
	SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT format('%s %s', c.relname, c.relacl) FROM pg_class c
		WHERE c.relnamespace = 'salesorder'::regnamespace
		UNION ALL
		SELECT format('%s %s', p.oid::regprocedure, p.proacl) FROM pg_proc p
		WHERE p.pronamespace = 'salesorder'::regnamespace
		UNION ALL
		SELECT format('schema %s', n.nspacl) FROM pg_namespace n WHERE n.nspname = 'salesorder') s(x)};
is(query('dst', $acl_sql), query('src', $acl_sql),
	'the grants of create_roles() are restored');

is( query(
		'dst',
		q{SELECT count(*) FROM salesorder.production_stage WHERE stage = 'painting' AND NOT builtin}),
	'1',
	'the admin-added stage is there exactly once');
is( query(
		'dst',
		q{SELECT count(*) FROM salesorder.status_transition
		  WHERE from_status = 'in_production' AND to_status = 'approved' AND NOT builtin}),
	'1',
	'the admin-added transition is there exactly once');
is( query(
		'dst',
		q{SELECT count(*) FILTER (WHERE builtin) || '/' || count(*) FROM salesorder.status_transition}),
	query(
		'src',
		q{SELECT count(*) FILTER (WHERE builtin) || '/' || count(*) FROM salesorder.status_transition}),
	'the built-in transitions are there once, as in src');

# The raw report is the same; the rollup is derived data (not dumped) and
# equals it again once rebuilt, as the manual says to do after a restore.
my $raw_sql =
  q{SELECT md5(string_agg(r::text, E'\n' ORDER BY r::text)) FROM salesorder.report_sales_raw r};
is(query('dst', $raw_sql), query('src', $raw_sql),
	'report_sales_raw is the same in dst');
my $report_diff_sql = q{SELECT count(*) FROM (
	(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
	UNION ALL
	(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d};
note 'before rebuild_rollup(), report_sales and report_sales_raw differ in '
  . (query('dst', $report_diff_sql) // '?') . ' rows in dst';
ok(defined query('dst', 'SELECT salesorder.rebuild_rollup()'),
	'rebuild_rollup() in dst');
is(query('dst', $report_diff_sql), '0',
	'after rebuild_rollup(), report_sales equals report_sales_raw in dst');

check_invariants($node, 'dst', 'dst');

# The copy keeps working: new ids come after the restored ones.
my ($max_order, $max_event, $max_history, $max_movement) = split /\|/,
  (query(
		'dst',
		q{SELECT (SELECT coalesce(max(id), 0) FROM salesorder.sales_order),
				 (SELECT coalesce(max(id), 0) FROM salesorder.order_event),
				 (SELECT coalesce(max(id), 0) FROM salesorder.order_status_history),
				 (SELECT coalesce(max(id), 0) FROM salesorder.stock_movement)})
	  // '');
my $new = query('dst',
	q{SELECT salesorder.create_order(3, '[{"product_id": 2, "qty": 1}]')});
# (A reservation is no ledger row: a receipt is.)
query('dst', q{SELECT salesorder.receive_stock(1, 2, 1)});
ok(defined $new && $new > $max_order,
	'a new order in dst gets an id after the restored ones (' . ($new // 'none') . " > $max_order)");
is( query(
		'dst',
		"SELECT (SELECT min(id) > $max_event FROM salesorder.order_event WHERE order_id = "
		  . ($new // 0) . ")
		   AND (SELECT min(id) > $max_history FROM salesorder.order_status_history WHERE order_id = "
		  . ($new // 0) . ")
		   AND (SELECT max(id) > $max_movement FROM salesorder.stock_movement)"),
	't',
	'its events and history, and a new receipt in the ledger, get ids after the restored ones');
is( query(
		'dst',
		q{SELECT order_no <> ALL (SELECT order_no FROM salesorder.sales_order o2 WHERE o2.id <> o.id)
		  FROM salesorder.sales_order o ORDER BY id DESC LIMIT 1}),
	't',
	'and a new order number');

# The pending decisions can be taken in dst.
my $pending_change = query('src',
	q{SELECT id FROM salesorder.change_request WHERE status = 'pending'});
is( query(
		'dst',
		qq{SELECT count(*) FROM salesorder.approval_step
		   WHERE change_request_id = $pending_change AND status = 'pending'}),
	'1',
	'the pending change request has its open approval step in dst');
is( query(
		'dst',
		qq{SET ROLE dump_ann; SELECT salesorder.approve_change($pending_change, 'ok after the move')}),
	'applied',
	'the pending change request is approved and applied in dst');
is( query(
		'dst',
		qq{SELECT o.promised_date::text = cr.changes ->> 'promised_date'
		   FROM salesorder.sales_order o JOIN salesorder.change_request cr ON cr.order_id = o.id
		   WHERE cr.id = $pending_change}),
	't',
	'the change is applied to the order');
my $pending_order = query('src',
	q{SELECT id FROM salesorder.sales_order WHERE status = 'pending_approval'});
is( query(
		'dst',
		qq{SET ROLE dump_ann; SELECT salesorder.approve($pending_order, 'ok after the move')}),
	'approved',
	'the order pending approval is approved in dst');
is( query(
		'dst',
		q{SELECT salesorder.set_stage(id, 'painting') FROM salesorder.sales_order
		  WHERE status = 'approved' ORDER BY id LIMIT 1}),
	'in_production',
	'the admin-added stage can be used in dst');
is(query('dst', 'SELECT salesorder.flag_delays()'),
	'0', 'flag_delays() in dst flags nothing it flagged in src');

check_invariants($node, 'dst', 'dst after more work');

$node->stop;
done_testing();
