# A database the background worker serves can be dropped, renamed and
# copied (CREATE DATABASE ... TEMPLATE) while the worker runs.  Those wait
# up to 5 seconds for every other backend to leave the database and fail
# otherwise ("... is being accessed by other users"); the worker leaves in
# time, says so, and afterwards serves again what salesorder.database
# names: the copy, the database made anew under the old name, the database
# renamed back.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('database_ddl');
$node->init;
$node->start;

sub make_shop
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION salesorder');
	create_master_data($node, $db, customers => 3, products => 2);
	return;
}
make_shop('shop');

$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'shop, shop_copy'
salesorder.compact_interval = '100ms'
});
$node->restart;

my $worker_of = q{SELECT pid FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND datname = '%s'};

# Served: a worker is connected, and it folds a new order's rollup delta.
sub served
{
	my ($db) = @_;
	my $worker = sprintf $worker_of, $db;
	return 0
	  unless $node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($worker) w");
	$node->safe_psql($db, q{
		SELECT salesorder.create_order(1, '[{"sku": "SKU-001", "qty": 1}]')});
	return $node->poll_query_until($db,
		'SELECT NOT EXISTS (SELECT 1 FROM salesorder.sales_rollup_delta)');
}

sub worker_pid
{
	my ($db) = @_;
	return $node->safe_psql('postgres', sprintf $worker_of, $db);
}

ok(served('shop'), 'the worker serves shop');

# CREATE DATABASE ... TEMPLATE of a served database.
my $pid = worker_pid('shop');
my ($rc, $out, $err) = $node->psql('postgres', 'CREATE DATABASE shop_copy TEMPLATE shop');
is($rc, 0, 'CREATE DATABASE ... TEMPLATE of a served database succeeds');
is($err, '', 'with no error');
ok($node->log_contains(
		'salesorder worker for database "shop" leaving: the database is being dropped, renamed or copied'),
	'the worker said why it left');
ok(served('shop_copy'), 'the worker serves the copy, which salesorder.database names');
ok(served('shop'), 'and the template again');
isnt(worker_pid('shop'), $pid, '(a new worker)');

# ALTER DATABASE ... RENAME: the name is no longer configured, so nothing
# serves it; renamed back, it is served again.
($rc, $out, $err) = $node->psql('postgres', 'ALTER DATABASE shop_copy RENAME TO shop_old');
is($rc, 0, 'ALTER DATABASE ... RENAME of a served database succeeds');
ok($node->poll_query_until('postgres', sprintf('SELECT count(*) = 0 FROM (%s) w', sprintf $worker_of, 'shop_old')),
	'the worker does not serve the renamed database');
($rc, $out, $err) = $node->psql('postgres', 'ALTER DATABASE shop_old RENAME TO shop_copy');
is($rc, 0, 'renamed back');
ok(served('shop_copy'), 'it is served again');

# DROP DATABASE of a served database, and made anew.
($rc, $out, $err) = $node->psql('postgres', 'DROP DATABASE shop');
is($rc, 0, 'DROP DATABASE of a served database succeeds');
is($err, '', 'with no error');
make_shop('shop');
ok(served('shop'), 'the worker serves the database made anew under the name');

# The copy was served all along.
ok(served('shop_copy'), 'and the copy still');

$node->stop;
done_testing();
