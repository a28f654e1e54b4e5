#!/usr/bin/env bash
#
# make soak: the whole order process -- creation, approval and rejection,
# revision, change requests, shipments, cancellations, receipts, closing,
# rollup compaction, delay flagging, checkpoints and archiving (by the
# worker, every few seconds) -- from 16 concurrent clients for
# SALESORDER_SOAK_SECONDS (default 600), with every invariant checked every
# minute while it runs and once more at the end.  Not part of make test.
# Runs against the database in PGDATABASE (test/run.sh soak creates it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bindir=${SALESORDER_BINDIR:-$(pg_config --bindir)}
seconds=${SALESORDER_SOAK_SECONDS:-600}
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

check() {
	local problems
	problems=$("${psql[@]}" -At -f "$here/../lib/invariants.sql" || echo "the invariants query failed")
	if [ -n "$problems" ]; then
		echo "FAIL ($1):"
		echo "$problems" | head -20
		return 1
	fi
	echo "    invariants hold ($1)"
}

"${psql[@]}" -f "$here/soak.sql" >/dev/null
# The worker checkpoints and archives while the clients work, as fast as it
# can: closed orders' history moves to the archives under the invariants.
"${psql[@]}" <<'SQL' >/dev/null
ALTER SYSTEM SET salesorder.checkpoint_interval = '2s';
ALTER SYSTEM SET salesorder.archive_after = '20s';
SELECT pg_reload_conf();
SQL
echo "soak: 16 clients for ${seconds}s"
"$bindir/pgbench" -n -c 16 -j 2 -T "$seconds" -f "$here/soak.pgbench" >"$here/../../soak-pgbench.log" 2>&1 &
bench=$!

failed=0
elapsed=0
while kill -0 "$bench" 2>/dev/null; do
	sleep 5
	elapsed=$((elapsed + 5))
	if [ $((elapsed % 60)) -eq 0 ] && kill -0 "$bench" 2>/dev/null; then
		check "after ${elapsed}s" || failed=1
	fi
done
status=0
wait "$bench" || status=$?
grep -E "number of (transactions|failed)|tps|aborted" "$here/../../soak-pgbench.log" || true
if [ "$status" -ne 0 ]; then
	echo "FAIL: pgbench exited with $status (a client aborted)"
	tail -20 "$here/../../soak-pgbench.log"
	failed=1
fi
"${psql[@]}" -At -c "SELECT salesorder.compact_rollup()" >/dev/null
check "at the end" || failed=1
"${psql[@]}" -At <<'SQL'
SELECT format('operations: %s', string_agg(kind || ' ' || outcome || '=' || n, ', ' ORDER BY kind, outcome))
FROM (SELECT kind, outcome, count(*) AS n FROM soak_log GROUP BY 1, 2) c;
SELECT format('orders by status: %s', string_agg(status || '=' || n, ', ' ORDER BY status))
FROM (SELECT status, count(*) AS n FROM salesorder.sales_order GROUP BY 1) s;
SELECT format('events %s, ledger rows %s (%s archived), history rows archived %s, change requests %s',
	(SELECT count(*) FROM salesorder.order_event), (SELECT count(*) FROM salesorder.stock_movement),
	(SELECT count(*) FROM salesorder.stock_movement_archive),
	(SELECT count(*) FROM salesorder.order_status_history_archive),
	(SELECT count(*) FROM salesorder.change_request));
SQL
[ "$failed" -eq 0 ] && echo "soak passed" || echo "soak FAILED"
exit "$failed"
