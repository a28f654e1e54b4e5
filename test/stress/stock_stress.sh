#!/usr/bin/env bash
#
# Stock stress: 16 concurrent clients create, cancel, ship, receive and
# complete random orders over four hot SKUs for SALESORDER_STRESS_SECONDS
# (default 30), at READ COMMITTED.  Then the invariants must hold:
#   - verify_stock() is empty: stock = ledger = open order lines;
#   - the invariants of test/lib/invariants.sql: stock in range, no
#     half-written order, status and history and events agree, every
#     order line's ledger rows add up to its reserved and shipped quantities;
#   - every committed creation has its order;
#   - no client aborted: zero deadlocks, zero unexpected errors.
# Runs against the database in PGDATABASE (the harness creates it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bindir=${SALESORDER_BINDIR:-$(pg_config --bindir)}
seconds=${SALESORDER_STRESS_SECONDS:-30}
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

"${psql[@]}" -f "$here/stock_stress.sql" >/dev/null

echo "pgbench: 16 clients, ${seconds}s"
"$bindir/pgbench" -n -c 16 -j 2 -T "$seconds" -f "$here/stock_stress.pgbench" 2>&1 |
	grep -E "number of (transactions|failed)|tps|aborted|ERROR|error" || true
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
	echo "FAIL: pgbench exited with $status (a client aborted)"
	exit 1
fi

"${psql[@]}" -At <<'SQL'
SELECT format('operations: %s', string_agg(kind || ' ' || outcome || '=' || n, ', ' ORDER BY kind, outcome))
FROM (SELECT kind, outcome, count(*) AS n FROM stress_log GROUP BY 1, 2) c;
SELECT format('orders %s, lines %s, ledger rows %s, backorders open %s',
	(SELECT count(*) FROM salesorder.sales_order),
	(SELECT count(*) FROM salesorder.order_line),
	(SELECT count(*) FROM salesorder.stock_movement),
	(SELECT coalesce(sum(backorder_qty), 0) FROM salesorder.order_line));
SELECT format('stock %s: on_hand %s reserved %s', product_id, on_hand, reserved)
FROM salesorder.stock ORDER BY product_id;
SQL

# The invariants every run must keep (test/lib/invariants.sql), then what
# is particular to this one.
problems=$(
	"${psql[@]}" -At -f "$here/../lib/invariants.sql" || echo "the invariants query failed"
	"${psql[@]}" -At <<'SQL' || echo "the stress checks failed"
SELECT format('%s successful creations but %s orders',
	(SELECT count(*) FROM stress_log WHERE kind = 'create' AND outcome = 'ok'),
	(SELECT count(*) FROM salesorder.sales_order))
WHERE (SELECT count(*) FROM stress_log WHERE kind = 'create' AND outcome = 'ok')
	<> (SELECT count(*) FROM salesorder.sales_order)
UNION ALL
SELECT 'no order was created' WHERE NOT EXISTS (SELECT 1 FROM salesorder.sales_order)
UNION ALL
SELECT 'no shipment happened' WHERE NOT EXISTS (
	SELECT 1 FROM salesorder.stock_movement WHERE kind = 'shipment');
SQL
)
if [ -n "$problems" ]; then
	echo "FAIL:"
	echo "$problems" | head -20
	exit 1
fi
echo "invariants hold"
