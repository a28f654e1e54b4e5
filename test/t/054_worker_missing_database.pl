# salesorder.database naming a database that does not exist (yet): the
# launcher says so once, with a hint -- no line a second, no FATAL -- and
# looks for it every second, so that the worker serves it within a couple
# of seconds of CREATE DATABASE and CREATE EXTENSION.  A database dropped
# later is said once again; one that takes no connections is said once and
# served once it does.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SalesorderTest;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('missing_database');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'salesorder'
salesorder.database = 'shop'
salesorder.compact_interval = '100ms'
});
$node->start;

my $missing = qr/LOG:  database "shop" named in salesorder.database does not exist\n.*HINT:  Create it with CREATE DATABASE/;
sub count_in_log
{
	my ($re) = @_;
	my $log = slurp_file($node->logfile);
	my @found = $log =~ /$re/g;
	return scalar @found;
}

ok($node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE backend_type = 'salesorder launcher' AND datname IS NULL}),
	'the launcher runs, connected to no database');
$node->wait_for_log($missing);
# A few seconds, in which the launcher looks every second.
sleep 3;
is(count_in_log($missing), 1, 'the missing database is logged once, with a hint');
is(count_in_log(qr/FATAL:.*"shop"/), 0, 'and no worker fails connecting to it');

# Made: served within a couple of seconds.
my $worker = q{SELECT count(*) = 1 FROM pg_stat_activity
	WHERE backend_type = 'salesorder worker' AND datname = 'shop'};
my $t0 = time;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
ok($node->poll_query_until('postgres', $worker), 'a worker serves the new database');
my $connected = time - $t0;
ok($connected < 4, "within a couple of seconds (took ${\ sprintf '%.1f', $connected} s)");

$t0 = time;
$node->safe_psql('shop', 'CREATE EXTENSION salesorder');
create_master_data($node, 'shop', customers => 2, products => 2);
$node->safe_psql('shop', q{SELECT salesorder.create_order(1, '[{"sku": "SKU-001", "qty": 1}]')});
ok($node->poll_query_until('shop', q{
	SELECT NOT EXISTS (SELECT 1 FROM salesorder.sales_rollup_delta)
	   AND (SELECT compacted_at > rebuilt_at FROM salesorder.rollup_config)}),
	'and works there once the extension is installed');
my $working = time - $t0;
ok($working < 4, "within a couple of seconds too (took ${\ sprintf '%.1f', $working} s)");
is(count_in_log($missing), 1, 'the missing database was not logged again');

# Dropped: said once more.
$node->safe_psql('postgres', 'DROP DATABASE shop');
$node->wait_for_log($missing) if count_in_log($missing) < 2;
sleep 2;
is(count_in_log($missing), 2, 'dropped, it is logged once again');

# A database that takes no connections: said once, served once it does.
$node->safe_psql('postgres', 'CREATE DATABASE shop ALLOW_CONNECTIONS false');
my $noconn = qr/LOG:  database "shop" named in salesorder.database does not allow connections\n.*HINT:  ALTER DATABASE/;
$node->wait_for_log($noconn);
sleep 2;
is(count_in_log($noconn), 1, 'a database that takes no connections is logged once');
is(count_in_log(qr/FATAL:.*"shop"/), 0, 'and no worker fails connecting to it');
$node->safe_psql('postgres', 'ALTER DATABASE shop ALLOW_CONNECTIONS true');
ok($node->poll_query_until('postgres', $worker), 'served once it takes them');

$node->stop;
done_testing();
