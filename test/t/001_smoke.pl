# Smoke test: the extension installs into a fresh cluster, reports the
# expected version, ships its status-transition rules, and is still there
# after a restart (so nothing depends on per-backend state set at create time).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('smoke');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION salesorder');

my $version_sql =
  q{SELECT extversion FROM pg_extension WHERE extname = 'salesorder'};
is($node->safe_psql('postgres', $version_sql), '1.2', 'extension version is 1.2');

cmp_ok($node->safe_psql('postgres',
		'SELECT count(*) FROM salesorder.status_transition'),
	'>', 0, 'status_transition has rows');

$node->restart;

is($node->safe_psql('postgres', $version_sql),
	'1.2', 'extension still installed after restart');

$node->stop;
done_testing();
