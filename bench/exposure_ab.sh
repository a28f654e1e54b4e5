#!/usr/bin/env bash
#
# bench/exposure_ab.sh -- what keeping each customer's credit exposure as a
# running figure (customer_exposure, src/exposure.c) costs create_order.
# Against a running server with PGHOST/PGPORT/PGUSER set:
#
#     bash bench/exposure_ab.sh
#
# In a database of its own with the master data of bench/setup.sql, the
# order-entry script of make bench (10 uniform lines, BEGIN/COMMIT) runs in
# rounds with the table present (the figure kept) and renamed away (the
# library then keeps nothing, as over the previous release's schema), the
# two alternating so that drift hits both alike; 8 and 1 clients.  Prints
# every round and the medians: tps and WAL per order.
#
# Knobs: EXPOSURE_AB_SECONDS (15), EXPOSURE_AB_PAIRS (3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=${SALESORDER_BINDIR:-/usr/lib/postgresql/15/bin}
db=bench_exposure
secs=${EXPOSURE_AB_SECONDS:-15}
pairs=${EXPOSURE_AB_PAIRS:-3}
. "$here/lib.sh"

say "a fresh database with the master data of bench/setup.sql"
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -f "$here/setup.sql" >/dev/null
script=$(mktemp)
trap 'rm -f "$script"; "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
cat "$here/draw_uniform.pgbench" "$here/create_order.pgbench" >"$script"
"$bindir/pgbench" -n -M prepared -c 8 -j 2 -T 5 -f "$script" "$db" >/dev/null 2>&1

kept() { qc "ALTER TABLE salesorder.customer_exposure_off RENAME TO customer_exposure" >/dev/null; }
summed() { qc "ALTER TABLE salesorder.customer_exposure RENAME TO customer_exposure_off" >/dev/null; }

declare -A TPS=() WAL=()
round() {
	local side=$1 clients=$2 l0 l1 out n tps
	qc "CHECKPOINT" >/dev/null
	l0=$(qc "SELECT pg_current_wal_lsn()")
	out=$("$bindir/pgbench" -n -M prepared -c "$clients" -j "$((clients < 2 ? clients : 2))" \
		-T "$secs" -f "$script" "$db" 2>&1)
	l1=$(qc "SELECT pg_current_wal_lsn()")
	tps=$(grep -oP 'tps = \K[0-9.]+' <<<"$out" | head -n 1)
	n=$(grep -oP 'actually processed: \K[0-9]+' <<<"$out")
	TPS[$side/$clients]="${TPS[$side/$clients]:-} $tps"
	WAL[$side/$clients]="${WAL[$side/$clients]:-} $(qc "SELECT round(pg_wal_lsn_diff('$l1', '$l0') / $n)")"
	printf '    %-7s c=%-2s %8.1f tps\n' "$side" "$clients" "$tps"
}

for clients in 8 1; do
	say "$clients client(s), $pairs pairs of ${secs}s rounds"
	for ((r = 1; r <= pairs; r++)); do
		if ((r % 2)); then
			round kept "$clients"; summed; round summed "$clients"; kept
		else
			summed; round summed "$clients"; kept; round kept "$clients"
		fi
	done
done

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
echo
echo "| clients | kept: tps | not kept: tps | ratio | kept: WAL/order | not kept: WAL/order |"
echo "|---|---|---|---|---|---|"
for clients in 8 1; do
	a=$(med "${TPS[kept/$clients]}") b=$(med "${TPS[summed/$clients]}")
	wa=$(med "${WAL[kept/$clients]}") wb=$(med "${WAL[summed/$clients]}")
	awk -v c="$clients" -v a="$a" -v b="$b" -v wa="$wa" -v wb="$wb" \
		'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.0f B | %.0f B |\n", c, a, b, a / b, wa, wb }'
done
