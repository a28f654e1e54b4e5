# pg_upgrade between two clusters that both preload the library, with
# salesorder installed in the databases the worker serves (postgres among
# them, which pg_upgrade drops and makes anew in the new cluster): no
# worker may run in binary-upgrade mode, where it would hold a connection
# to the database being dropped.  Afterwards the new cluster
# has the orders and its worker serves them.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;

my $conf = q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'postgres, shop'
salesorder.compact_interval = '100ms'
};

my $old = PostgreSQL::Test::Cluster->new('old');
$old->init;
$old->append_conf('postgresql.conf', $conf);
$old->start;
$old->safe_psql('postgres', 'CREATE DATABASE shop');
foreach my $db ('postgres', 'shop')
{
	$old->safe_psql($db, 'CREATE EXTENSION salesorder');
	create_master_data($old, $db, customers => 3, products => 2);
	$old->safe_psql($db, q{
		SELECT salesorder.create_order(1 + i % 3, '[{"sku": "SKU-001", "qty": 1}]')
		FROM generate_series(1, 5) i});
}
my $workers = q{SELECT count(*) = 2 FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND datname IN ('postgres', 'shop')};
ok($old->poll_query_until('postgres', $workers), 'the old cluster\'s worker serves both');
my %orders = map { $_ => $old->safe_psql($_, 'SELECT count(*) FROM salesorder.sales_order') }
  ('postgres', 'shop');
$old->stop;

my $new = PostgreSQL::Test::Cluster->new('new');
$new->init;
$new->append_conf('postgresql.conf', $conf);

# pg_upgrade writes its files into the current directory.
my $bindir = $old->config_data('--bindir');
chdir $PostgreSQL::Test::Utils::tmp_check;
command_ok(
	[
		'pg_upgrade', '--no-sync',
		'-d', $old->data_dir, '-D', $new->data_dir,
		'-b', $bindir, '-B', $bindir,
		'-s', $new->host,
		'-p', $old->port, '-P', $new->port
	],
	'pg_upgrade succeeds with the library preloaded');

$new->start;
foreach my $db ('postgres', 'shop')
{
	is($new->safe_psql($db, 'SELECT count(*) FROM salesorder.sales_order'),
		$orders{$db}, "$db: the orders are there");
	is($new->safe_psql($db, 'SELECT count(*) FROM salesorder.verify_stock()'),
		'0', "$db: stock and ledger agree");
}
ok($new->poll_query_until('postgres', $workers), 'the new cluster\'s worker serves both');
$new->safe_psql('shop', q{SELECT salesorder.create_order(1, '[{"sku": "SKU-001", "qty": 1}]')});
ok($new->poll_query_until('shop', 'SELECT NOT EXISTS (SELECT 1 FROM salesorder.sales_rollup_delta)'),
	'and compacts the rollup');
$new->stop;
done_testing();
