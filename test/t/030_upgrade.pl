# Upgrade path: create the previous release, fill it through the functions,
# ALTER EXTENSION salesorder UPDATE, and find every row and every invariant
# intact -- and the same objects as a fresh install of the current version.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# The version a fresh CREATE EXTENSION installs (the control file's default).
my $current;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

$current = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'salesorder'});
$node->safe_psql('postgres', 'CREATE DATABASE old');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('old', q{CREATE EXTENSION salesorder VERSION '1.0'});
is($node->safe_psql('old',
		q{SELECT extversion FROM pg_extension WHERE extname = 'salesorder'}),
	'1.0', 'the previous release installs');

# A working database: master data, stock, rules, and orders in many states.
$node->safe_psql('old', q{
	SELECT count(*) FROM salesorder.create_roles();
	DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'upgrade_finance') THEN
			CREATE ROLE upgrade_finance NOLOGIN;
		END IF;
	END $$;
	GRANT upgrade_finance TO CURRENT_USER;
	SET salesorder.allow_self_approval = on;
	INSERT INTO salesorder.warehouse (code, name, region) VALUES ('U1', 'Upgrade DC', 'North');
	INSERT INTO salesorder.product (sku, name, category, list_price)
	SELECT 'UP-' || i, 'Upgrade item ' || i, 'cat' || (i % 3), 10 + i FROM generate_series(1, 10) i;
	INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
		default_ship_to, default_warehouse_id)
	SELECT 'UC' || i, 'Upgrade customer ' || i, 'North', 'smb', 100000, i || ' Up St', 1
	FROM generate_series(1, 10) i;
	SELECT count(*) FROM salesorder.product p, LATERAL salesorder.receive_stock(1, p.id, 100) r;
	INSERT INTO salesorder.approval_rule (name, kind, threshold, department, approver_role)
	VALUES ('big', 'amount_over', 150, 'finance', 'upgrade_finance'),
		   ('dates', 'change_date', NULL, 'logistics', 'upgrade_finance');
	SELECT salesorder.create_order(c, jsonb_build_array(
		jsonb_build_object('sku', 'UP-' || (1 + c % 10), 'qty', 1 + c % 4),
		jsonb_build_object('sku', 'UP-' || (1 + (c * 3) % 10), 'qty', 2)))
	FROM generate_series(1, 10) c;
	SELECT salesorder.approve(id) FROM salesorder.sales_order WHERE status = 'pending_approval' AND id % 2 = 0;
	SELECT salesorder.ship(id, '[{"line_no": 1, "qty": 1}]') FROM salesorder.sales_order WHERE status = 'approved' AND id % 3 = 0;
	SELECT salesorder.cancel(id, 'upgrade test') FROM salesorder.sales_order WHERE id = 1;
	SELECT salesorder.request_change(2, '{"promised_date": "2030-01-01"}', 'later');
	SELECT salesorder.create_order(3, '[{"sku": "UP-1", "qty": 1}]', '{"draft": true}');
});

my $tables = q{
	SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
		SELECT 'customer' AS t, count(*) AS n FROM salesorder.customer
		UNION ALL SELECT 'product', count(*) FROM salesorder.product
		UNION ALL SELECT 'stock', count(*) FROM salesorder.stock
		UNION ALL SELECT 'stock_movement', count(*) FROM salesorder.stock_movement
			WHERE kind IN ('receipt', 'shipment', 'adjustment')
		UNION ALL SELECT 'sales_order', count(*) FROM salesorder.sales_order
		UNION ALL SELECT 'order_line', count(*) FROM salesorder.order_line
		UNION ALL SELECT 'history', count(*) FROM salesorder.order_status_history
		UNION ALL SELECT 'approval_rule', count(*) FROM salesorder.approval_rule
		UNION ALL SELECT 'approval_step', count(*) FROM salesorder.approval_step
		UNION ALL SELECT 'change_request', count(*) FROM salesorder.change_request
		UNION ALL SELECT 'order_event', count(*) FROM salesorder.order_event) c
};
my $content = q{
	SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
		SELECT (to_jsonb(o) - 'created_login')::text AS x FROM salesorder.sales_order o
		UNION ALL SELECT l::text FROM salesorder.order_line l
		UNION ALL SELECT s::text FROM salesorder.stock s
		UNION ALL SELECT row(m.id, m.warehouse_id, m.product_id, m.kind, m.on_hand_delta,
							 m.order_id, m.line_no, m.customer_id, m.note, m.created_by,
							 m.created_at)::text
				  FROM salesorder.stock_movement m
				  WHERE m.kind IN ('receipt', 'shipment', 'adjustment')) r
};
# The reservation and release rows of 1.x, wherever they are.
my $reservations = q{
	SELECT count(*) || ' ' || md5(string_agg(row(m.id, m.warehouse_id, m.product_id, m.kind,
		m.on_hand_delta, m.reserved_delta, m.order_id, m.line_no, m.customer_id, m.note,
		m.created_by, m.created_at)::text, '|' ORDER BY m.id))
	FROM salesorder.%s m WHERE m.kind IN ('reservation', 'release')
};
my $before = $node->safe_psql('old', $tables);
my $before_md5 = $node->safe_psql('old', $content);
note "before: $before";
like($before, qr/sales_order=11/, 'the old version holds the orders');

# Each release in turn, as a DBA who skipped none would, then the rest at once.
$node->safe_psql('old', q{ALTER EXTENSION salesorder UPDATE TO '1.1'});
is($node->safe_psql('old',
		q{SELECT extversion FROM pg_extension WHERE extname = 'salesorder'}),
	'1.1', 'updated to 1.1');
is($node->safe_psql('old', $tables), $before, 'every row is still there at 1.1');
$node->safe_psql('old', q{ALTER EXTENSION salesorder UPDATE TO '1.2'});
is($node->safe_psql('old',
		q{SELECT extversion FROM pg_extension WHERE extname = 'salesorder'}),
	'1.2', 'updated to 1.2');
is($node->safe_psql('old', $tables), $before, 'every row is still there at 1.2');

# 1.x wrote a ledger row for every reservation and release, and shipments
# took their quantity out of the ledger's reserved sum too.  The library
# under test is 2.0's, which writes neither whatever the schema, so the
# rows 1.2 would have written are written here -- and 1.2's own
# verify_stock(), which checks stock.reserved against them, proves them
# right before the update.
$node->safe_psql('old', q{
	SET session_replication_role = replica;
	UPDATE salesorder.stock_movement SET reserved_delta = on_hand_delta WHERE kind = 'shipment';
	INSERT INTO salesorder.stock_movement (warehouse_id, product_id, kind, reserved_delta,
		order_id, line_no, customer_id, note, created_by, created_at)
	SELECT o.warehouse_id, l.product_id, r.kind, r.qty, o.id, l.line_no, o.customer_id,
		   r.note, o.created_by, o.created_at + r.after
	FROM salesorder.order_line l
	JOIN salesorder.sales_order o ON o.id = l.order_id
	CROSS JOIN LATERAL (VALUES
		('reservation', CASE WHEN o.status = 'cancelled' THEN l.qty
							 ELSE l.reserved_qty + l.shipped_qty END, NULL, interval '0'),
		('release', CASE WHEN o.status = 'cancelled' THEN -l.qty ELSE 0 END,
		 'order cancelled', interval '1 second')) r(kind, qty, note, after)
	WHERE o.status <> 'draft' AND r.qty <> 0
	ORDER BY o.id, l.line_no, r.after;
});
is($node->safe_psql('old', 'SELECT count(*) FROM salesorder.verify_stock(true)'),
	'0', "1.2's ledger balances, reservations included, before the update to 2.0");
my $reservations_before = $node->safe_psql('old', sprintf($reservations, 'stock_movement'));
like($reservations_before, qr/^[1-9]\d* /, '1.2 has reservation and release rows');

$node->safe_psql('old', 'ALTER EXTENSION salesorder UPDATE');
# As README's Upgrading says: create_roles() again grants 1.2's new functions.
$node->safe_psql('old', 'SELECT count(*) FROM salesorder.create_roles()');
is($node->safe_psql('old',
		q{SELECT extversion FROM pg_extension WHERE extname = 'salesorder'}),
	$current, "updated to $current");
is($node->safe_psql('old', $tables), $before, 'every row is still there');
is($node->safe_psql('old', $content), $before_md5, 'orders, lines, stock and ledger unchanged');
is($node->safe_psql('old', 'SELECT count(*) FROM salesorder.verify_stock()'),
	'0', 'the ledger balances after the update');
is($node->safe_psql('old', 'SELECT count(*) FROM salesorder.verify_stock(true)'),
	'0', 'and from the beginning, with the checkpoint and the closed orders');
is($node->safe_psql('old', q{SELECT count(*) || ' ' || (SELECT count(*) > 0 FROM salesorder.sales_rollup)
	FROM salesorder.sales_rollup_delta}),
	'0 true', 'the update folded the report deltas of 1.2 into the rollup');
is($node->safe_psql('old', 'SELECT count(*) FROM salesorder.stock_movement WHERE on_hand_delta = 0'),
	'0', 'the hot ledger holds physical movements only');
is($node->safe_psql('old', sprintf($reservations, 'stock_movement_archive')),
	$reservations_before, "1.2's reservation and release rows are in the archive, unchanged");
is($node->safe_psql('old', q{
	SELECT count(*) FROM pg_inherits i JOIN pg_depend d ON d.objid = i.inhrelid AND d.deptype = 'e'
	WHERE i.inhparent = 'salesorder.stock_movement_archive'::regclass}),
	'0', 'the archive months the update made are data, not extension members');
is($node->safe_psql('old', q{
	SELECT count(*) FROM (
		(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
		UNION ALL
		(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d}),
	'0', 'the report still equals the raw GROUP BY');

# Rows written before 1.2 have no login on record (NULL), not the login of
# whoever ran the update; orders written after it have one.
is($node->safe_psql('old', q{
	SELECT count(*) FILTER (WHERE created_login IS NOT NULL) || '/' || count(*)
	FROM salesorder.sales_order}),
	'0/11', 'orders written before 1.2 keep an unknown login');

# The updated extension works: a new order, the pending change request.
ok($node->safe_psql('old', q{
	SELECT salesorder.create_order(4, '[{"sku": "UP-2", "qty": 1}]') > 11}),
	'orders can be created after the update');
is($node->safe_psql('old', q{
	SET salesorder.allow_self_approval = on;
	SELECT salesorder.approve_change(id) FROM salesorder.change_request WHERE status = 'pending'}),
	'applied', 'a change request made before the update is approved after it');
is($node->safe_psql('old', q{SELECT count(*) FROM pg_indexes
	WHERE schemaname = 'salesorder' AND indexname = 'sales_order_open_by_customer_idx'}),
	'1', 'the update added what 1.1 adds');
is($node->safe_psql('old', q{
	SELECT created_login = session_user FROM salesorder.sales_order ORDER BY id DESC LIMIT 1}),
	't', 'a new order records its login');

# The updated database has exactly the objects of a fresh install.
$node->safe_psql('fresh', 'CREATE EXTENSION salesorder; SELECT count(*) FROM salesorder.create_roles()');
my $members = q{
	SELECT string_agg(pg_describe_object(classid, objid, objsubid), E'\n'
					  ORDER BY pg_describe_object(classid, objid, objsubid))
	FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'salesorder')
};
is($node->safe_psql('old', $members), $node->safe_psql('fresh', $members),
	'the updated extension has the same objects as a fresh install');
# The archive's months (its data: the update to 2.0 moves 1.2's reservation
# rows there) are no part of the comparison.
my $months = q{(SELECT c.relname FROM pg_class c WHERE c.relispartition)};
my $indexes = qq{SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'salesorder'
	AND tablename NOT IN $months};
is($node->safe_psql('old', $indexes), $node->safe_psql('fresh', $indexes),
	'and the same indexes');

my $functions = q{
	SELECT string_agg(p.oid::regprocedure::text || ' '
					  || md5(pg_get_functiondef(p.oid)) || ' '
					  || coalesce((SELECT array_agg(a::text ORDER BY a::text) FROM unnest(p.proacl) a)::text, ''), E'\n'
					  ORDER BY p.oid::regprocedure::text)
	FROM pg_proc p WHERE p.pronamespace = 'salesorder'::regnamespace AND p.prokind IN ('f', 'p')};
is($node->safe_psql('old', $functions), $node->safe_psql('fresh', $functions),
	'and the same function definitions and privileges');
my $views = q{
	SELECT string_agg(c.relname || ' ' || coalesce(c.reloptions::text, '') || ' '
					  || md5(pg_get_viewdef(c.oid)), E'\n' ORDER BY c.relname)
	FROM pg_class c WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind = 'v'};
is($node->safe_psql('old', $views), $node->safe_psql('fresh', $views),
	'and the same view definitions and options');

my $columns = q{
	SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || ' '
					  || coalesce(column_default, '') || ' ' || is_nullable, E'\n'
					  ORDER BY table_name, column_name)
	FROM information_schema.columns WHERE table_schema = 'salesorder'
	  AND table_name NOT IN } . $months;
is($node->safe_psql('old', $columns), $node->safe_psql('fresh', $columns),
	'and the same columns, types and defaults');
my $constraints = q{
	SELECT string_agg(conrelid::regclass || ' ' || pg_get_constraintdef(oid), E'\n'
					  ORDER BY conrelid::regclass::text, pg_get_constraintdef(oid))
	FROM pg_constraint WHERE connamespace = 'salesorder'::regnamespace};
is($node->safe_psql('old', $constraints), $node->safe_psql('fresh', $constraints),
	'and the same constraints');
my $policies = q{
	SELECT string_agg(tablename || ' ' || policyname || ' ' || coalesce(qual, ''), E'\n'
					  ORDER BY tablename, policyname)
	FROM pg_policies WHERE schemaname = 'salesorder'};
is($node->safe_psql('old', $policies), $node->safe_psql('fresh', $policies),
	'and the same row-level security policies');
my $triggers = q{
	SELECT string_agg(pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgrelid::regclass::text, t.tgname)
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	WHERE c.relnamespace = 'salesorder'::regnamespace AND NOT t.tgisinternal AND NOT c.relispartition};
is($node->safe_psql('old', $triggers), $node->safe_psql('fresh', $triggers),
	'and the same triggers');
my $grants = q{
	SELECT string_agg(c.relname || ' '
		|| coalesce((SELECT array_agg(a::text ORDER BY a::text) FROM unnest(c.relacl) a)::text, ''),
		E'\n' ORDER BY c.relname)
	FROM pg_class c WHERE c.relnamespace = 'salesorder'::regnamespace AND NOT c.relispartition
	  AND NOT EXISTS (SELECT 1 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
					  WHERE x.indexrelid = c.oid AND t.relispartition)};
is($node->safe_psql('old', $grants), $node->safe_psql('fresh', $grants),
	'and the same table, view and sequence privileges');

$node->stop;
done_testing();
