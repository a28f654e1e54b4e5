# Expands the SQL sources into an extension script: every line
#	#include "udfs/<name>/<version>.sql"
# is replaced by that file (relative to extension/), recursively, so that an
# object changed in a release is defined once, in its own file per version,
# and the install script and the upgrade script of that release both include
# it.  A line that is not expanded is a syntax error in SQL: nothing can
# slip through unexpanded.
#
#	awk -v dir=extension -f extension/include.awk FILE... > script.sql
function expand(file, depth,	line, path, rc)
{
	if (depth > 8)
		fail(file ": includes nested too deep");
	while ((rc = (getline line < file)) > 0)
	{
		if (line ~ /^#include "[^"]+"[ \t]*$/)
		{
			path = line;
			sub(/^#include "/, "", path);
			sub(/"[ \t]*$/, "", path);
			expand(dir "/" path, depth + 1);
		}
		else if (line ~ /^#include/)
			fail(file ": malformed include: " line);
		else
			print line;
	}
	if (rc < 0)
		fail("cannot read " file);
	close(file);
}
function fail(msg)
{
	print "include.awk: " msg > "/dev/stderr";
	failed = 1;
	exit 1;
}
BEGIN {
	if (dir == "")
		dir = "extension";
	for (i = 1; i < ARGC; i++)
		expand(ARGV[i], 0);
	exit failed;
}
