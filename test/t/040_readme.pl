# README runs as shown: every sql block of it, in order (from "Getting
# started" on; a block README marks as not run says why), is executed
# statement by statement in a fresh database, and every result printed in
# README (a psql table in comment lines right after a statement, or an
# "-- ERROR:" line) is compared with what the statement really returns.
#
# Session state: SET and RESET statements are replayed before each later
# statement, which otherwise runs in a session of its own (so that its
# output and its error, if any, are told apart exactly).  SET ROLE to a
# role that can log in connects as that role instead, as its application
# would: segregation of duties tells people apart by their login.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $readme = "$ENV{TESTDIR}/README.md";
open(my $fh, '<', $readme) or die "cannot read $readme: $!";
my $text = do { local $/; <$fh> };
close($fh);

# Every sql block, in order, except those right after a line
# "<!-- not run by the README test: why -->".
my @blocks;
my $skipped = 0;
while ($text =~ /^(<!-- not run by the README test: [^\n]+ -->\n)?```sql\n(.*?)^```$/msg)
{
	if (defined $1) { $skipped++; next; }
	push @blocks, $2;
}
ok(@blocks >= 10, 'README has sql examples (' . scalar(@blocks) . " run, $skipped not run)");
my $block = join("\n", @blocks);

# Statements, each with the comment lines right after it (no blank line in
# between): that is where README prints a result.
my @steps;
my $sql = '';
my $open = 0;	# are comment lines still the last statement's?
for my $line (split /\n/, $block)
{
	if ($sql eq '')
	{
		if ($line =~ /^--/)
		{
			push @{ $steps[-1]{after} }, $line if $open;
			next;
		}
		if ($line =~ /^\s*$/)
		{
			$open = 0;
			next;
		}
	}
	$sql .= "$line\n";
	if ($line =~ /;\s*(--.*)?$/)
	{
		push @steps, { sql => $sql, after => [] };
		$sql = '';
		$open = 1;
	}
}
die "unterminated statement in README: $sql" if $sql ne '';

# What README shows after a statement: a psql table (a header, a rule of
# dashes, rows) or an error; other comment lines are prose.
sub expected_of
{
	my ($after) = @_;
	my @lines = map { (my $l = $_) =~ s/^-- ?//; $l } @$after;
	return { error => $1 } if @lines && $lines[0] =~ /^ERROR:\s+(.*)$/;
	return undef unless @lines >= 2 && $lines[1] =~ /^-+(\+-+)*$/;
	my @table;
	for my $l (@lines)
	{
		last unless $l =~ /\S/ && ($l =~ /\|/ || $l =~ /^-+(\+-+)*$/ || @table < 3);
		push @table, $l;
	}
	return { table => join("\n", @table) };
}

# Compared modulo spacing, and the year of order numbers.
sub normalize
{
	my ($s) = @_;
	$s =~ s/SO-\d{4}-/SO-YYYY-/g;
	my @l = map { s/\s+/ /gr =~ s/^ | $//gr } split /\n/, $s;
	return join("\n", grep { $_ ne '' } @l);
}

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE readme');

my @session;
my $checked = 0;
for my $step (@steps)
{
	my $stmt = $step->{sql};
	(my $head = $stmt) =~ s/\s+/ /g;
	$head = substr($head, 0, 70);
	if ($stmt =~ /^\s*(SET|RESET)\s+(\w+)/i)
	{
		my $what = lc $2;
		@session = grep { !/^\s*SET\s+\Q$what\E\b/i } @session;
		push @session, $stmt if uc($1) eq 'SET';
		next;
	}
	my ($stdout, $stderr) = ('', '');
	my @login;
	my @set = @session;
	for my $i (0 .. $#set)
	{
		next unless $set[$i] =~ /^\s*SET\s+ROLE\s+(\w+)\s*;/i;
		my $role = $1;
		next unless $node->safe_psql('readme',
			"SELECT rolcanlogin FROM pg_roles WHERE rolname = '$role'") eq 't';
		@login = ('-U', $role);
		splice(@set, $i, 1);
		last;
	}
	$node->psql('readme',
		join('', "\\set VERBOSITY terse\n\\pset format aligned\n\\pset tuples_only off\n\\pset footer off\n", @set, $stmt),
		stdout => \$stdout, stderr => \$stderr,
		on_error_stop => 1, extra_params => ['-q', @login]);
	if ($ENV{README_DUMP})
	{
		open(my $dump, '>>', $ENV{README_DUMP}) or die;
		print $dump "=== $stmt--- stdout\n$stdout\n--- stderr\n$stderr\n";
		close($dump);
	}
	my $expected = expected_of($step->{after});
	if ($expected && exists $expected->{error})
	{
		(my $got = $stderr) =~ s/^.*?ERROR:\s+//s;
		$got =~ s/\n.*//s;
		is(normalize($got), normalize($expected->{error}), "fails as shown: $head");
		$checked++;
		next;
	}
	is($stderr, '', "runs: $head");
	if ($expected)
	{
		is(normalize($stdout), normalize($expected->{table}), "returns what README shows: $head");
		$checked++;
	}
}
cmp_ok($checked, '>=', 10, "README's results were checked ($checked)");

$node->stop;
done_testing();
