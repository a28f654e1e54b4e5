#!/usr/bin/env bash
#
# Stock stress: 16 concurrent clients create, cancel, ship, receive and
# complete random orders over four hot SKUs for SALESORDER_STRESS_SECONDS
# (default 30), at READ COMMITTED.  Then the invariants must hold:
#   - verify_stock() is empty: stock = ledger = open order lines;
#   - no on_hand or reserved is negative, reserved <= on_hand;
#   - every order line's ledger rows add up to its reserved and shipped
#     quantities, and every committed creation has its order;
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

problems=$("${psql[@]}" -At <<'SQL'
SELECT 'verify_stock: ' || problem FROM salesorder.verify_stock()
UNION ALL
SELECT 'negative or over-reserved stock for product ' || product_id
FROM salesorder.stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand
UNION ALL
SELECT format('line %s/%s: ledger reserved %s vs line %s, ledger shipped %s vs line %s',
	l.order_id, l.line_no, coalesce(m.r, 0), l.reserved_qty, coalesce(-m.s, 0), l.shipped_qty)
FROM salesorder.order_line l
LEFT JOIN (SELECT order_id, line_no, sum(reserved_delta) AS r,
				  sum(on_hand_delta) FILTER (WHERE kind = 'shipment') AS s
		   FROM salesorder.stock_movement WHERE order_id IS NOT NULL
		   GROUP BY 1, 2) m ON m.order_id = l.order_id AND m.line_no = l.line_no
WHERE coalesce(m.r, 0) <> l.reserved_qty OR coalesce(-m.s, 0) <> l.shipped_qty
UNION ALL
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
