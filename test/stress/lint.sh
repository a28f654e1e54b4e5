#!/usr/bin/env bash
#
# Source checks that keep the security rules true as the code grows:
#   - every SQL statement the C code runs goes through so_execute() in
#     spi_util.c: a kept plan with constant text and typed parameters, so no
#     SQL is ever built from user values;
#   - every function of the install script pins its search_path, except
#     aggregates and their internal-state support functions (checked on the
#     installed catalog by the regression suite as well).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail=0

if git grep -nE '\bSPI_(execute|exec|prepare|prepare_params|cursor_open|execute_with_args|execute_extended)\b' -- 'src/*.c' |
	grep -v '^src/spi_util.c:'; then
	echo "FAIL: SPI called outside src/spi_util.c (use a static SoPlan and so_execute)"
	fail=1
fi

# A plan's SQL must be a literal: the first member of every SoPlan
# initializer is a string (or a macro of strings), never a variable.
if git grep -nA1 -E 'static SoPlan [a-z_]+(\[\])? = \{' -- 'src/*.c' |
	grep -E '^src/[a-z_]+\.c-[0-9]+-' | grep -vE '^\S+-\s+("|[A-Z_]+_SQL|\{)'; then
	echo "FAIL: a SoPlan whose SQL is not a string literal"
	fail=1
fi

# CREATE FUNCTION ... LANGUAGE without SET search_path, outside aggregate
# support functions (which take or return internal): in the domain files
# and in the functions' own files they include.
awk '
	/^CREATE (OR REPLACE )?FUNCTION/ { inside = 1; text = ""; start = FNR; file = FILENAME }
	inside { text = text $0 "\n" }
	inside && /(\$\$;|LANGUAGE C[^;]*;|SET search_path[^;]*;)$/ {
		if (text !~ /SET search_path/ && text !~ /internal/) {
			printf "FAIL: %s:%d: function without a pinned search_path\n", file, start
			bad = 1
		}
		inside = 0
	}
	END { exit bad }
' extension/*.sql extension/udfs/*/*.sql || fail=1

[ "$fail" -eq 0 ] && echo "lint: SPI only through kept plans, search_path pinned everywhere"
exit "$fail"
