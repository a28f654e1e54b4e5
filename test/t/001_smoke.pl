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
is($node->safe_psql('postgres', $version_sql), '2.0', 'extension version is 2.0');

cmp_ok($node->safe_psql('postgres',
		'SELECT count(*) FROM salesorder.status_transition'),
	'>', 0, 'status_transition has rows');

# Without the library preloaded (this cluster), a fresh session that has
# called no function of the extension yet -- a BI tool's new connection --
# still sees an order at risk: the views read salesorder.at_risk_days
# through the library, which loads it.
$node->safe_psql('postgres', q{
	INSERT INTO salesorder.warehouse (code, name, region) VALUES ('W', 'W', 'North');
	INSERT INTO salesorder.customer (code, name, region, segment, credit_limit,
		default_ship_to, default_warehouse_id) VALUES ('C', 'C', 'North', 'smb', 100000, 'x', 1);
	INSERT INTO salesorder.product (sku, name, category, list_price) VALUES ('P', 'P', 'c', 1);
	SELECT salesorder.receive_stock(1, 1, 10);
	SELECT salesorder.create_order(1, '[{"sku": "P", "qty": 1}]',
		jsonb_build_object('promised_date', current_date + 2));
});
is($node->safe_psql('postgres', q{
	SELECT current_setting('salesorder.at_risk_days', true) IS NULL;
	SELECT (SELECT at_risk FROM salesorder.report_delayed),
		   (SELECT at_risk FROM salesorder.order_tracking)}),
	"t\nt|t", 'a fresh session without the library loaded sees the order at risk');

$node->restart;

is($node->safe_psql('postgres', $version_sql),
	'2.0', 'extension still installed after restart');

$node->stop;
done_testing();
