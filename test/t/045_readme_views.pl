# README's views are the views: every column README lists for a view
# exists, every column of the view is listed, and every report view README
# names can be read by the role README says reads them (the functions the
# views call included), while that role reads no table.  And what BI tools
# read of every view: a comment on every column, numerics with precision
# and scale.
#
# Column lists are read from README's report views table (the columns
# cell) and from the paragraphs that document the operational views; a
# backticked word there that is not a column must be one of the few named
# below as prose.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $readme = "$ENV{TESTDIR}/README.md";
open(my $fh, '<', $readme) or die "cannot read $readme: $!";
my $text = do { local $/; <$fh> };
close($fh);

my $node = PostgreSQL::Test::Cluster->new('views');
$node->init;
$node->start;
$node->safe_psql('postgres',
	'CREATE EXTENSION salesorder; SELECT salesorder.create_roles();');

sub columns_of
{
	my ($view) = @_;
	return [
		split /\n/,
		$node->safe_psql(
			'postgres', qq{
			SELECT attname FROM pg_attribute
			WHERE attrelid = 'salesorder.$view'::regclass AND attnum > 0
			  AND NOT attisdropped ORDER BY attnum})
	];
}

# The backticked identifiers of a piece of README.
sub words
{
	my ($piece) = @_;
	my %seen;
	return [ grep { !$seen{$_}++ } $piece =~ /`([a-z_][a-z0-9_]*)`/g ];
}

sub check_documented
{
	my ($view, $piece, @prose) = @_;
	my %cols = map { $_ => 1 } @{ columns_of($view) };
	my %doc = map { $_ => 1 } @{ words($piece) };
	my %prose = map { $_ => 1 } @prose;
	my @undocumented = grep { !$doc{$_} } @{ columns_of($view) };
	my @unknown = grep { !$cols{$_} && !$prose{$_} } @{ words($piece) };
	is("@undocumented", '', "$view: every column is in README");
	is("@unknown", '', "$view: every column README lists exists");
}

# The report views table.
my ($table) = $text =~ /^### Report views\n\n(\|.*?)\n\n/ms
  or die 'README has no report views table';
my %report;
for my $row (split /\n/, $table)
{
	next unless $row =~ /^\| `(report_[a-z_]+)` \| ([^|]*) \| (.*) \|$/;
	$report{$1} = $3;
}
ok(scalar(keys %report) >= 8, 'README lists the report views');

my %prose_of = (
	report_sales => [qw(draft cancelled rejected)],
	report_pipeline => [qw(sales_order)],
	report_forecast_region => [],
	report_approvals => [],
	report_delayed => [],);
for my $view (sort keys %prose_of)
{
	check_documented($view, $report{$view}, @{ $prose_of{$view} });
}
like($report{report_low_stock}, qr/as `low_stock`/,
	'report_low_stock is documented as low_stock');
is( join(',', sort @{ columns_of('report_low_stock') }),
	join(',', sort @{ columns_of('low_stock') }),
	'report_low_stock has the columns of low_stock');

# The operational views, by the paragraph that documents each.
my %paragraph = (
	approval_queue => [ qr/^(\*\*The reviewer's queue\*\*.*?)(?=\n\n)/ms, qw(order change) ],
	low_stock => [ qr/^(\*\*View `low_stock`\*\*.*?)(?=\n\n)/ms, qw(low_stock) ],
	order_tracking => [
		qr/^(\*\*View `salesorder\.order_tracking`\*\*.*?)(?=\n\n)/ms,
		qw(completed cancelled order_tracking_all complete order_tracking report_pipeline)
	],);
for my $view (sort keys %paragraph)
{
	my ($re, @prose) = @{ $paragraph{$view} };
	my ($piece) = $text =~ $re;
	ok(defined $piece, "README documents $view");
	check_documented($view, $piece // '', @prose);
}

# Every report view README names is readable by salesorder_reporting, which
# reads no table.
for my $view (sort keys %report)
{
	my ($rc, $out, $err) = $node->psql('postgres',
		"SET ROLE salesorder_reporting; SELECT count(*) >= 0 FROM salesorder.$view");
	is($rc, 0, "salesorder_reporting reads $view") or diag($err);
}
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
		WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind IN ('r', 'p')
		  AND has_table_privilege('salesorder_reporting', c.oid, 'SELECT')}),
	'', 'salesorder_reporting reads no table');

# For BI tools: every column of a report view has a comment (JDBC and ODBC
# show it as the remarks), and no amount or quantity is a bare numeric
# (size 0, scale 0 over JDBC).
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
		WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind = 'v'
		  AND col_description(c.oid, a.attnum) IS NULL}),
	'', 'every column of every view has a comment');
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
		WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind = 'v'
		  AND a.atttypid = 'numeric'::regtype AND a.atttypmod < 0}),
	'', 'every numeric column of a view declares its precision and scale');

$node->stop;
done_testing();
