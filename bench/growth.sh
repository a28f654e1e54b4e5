#!/usr/bin/env bash
#
# bench/growth.sh -- part 8 of the benchmark: what the daily operations cost
# as history piles up.  Run by bench/run.sh (and on its own against a
# running server, with PGHOST/PGPORT/PGUSER set: bash bench/growth.sh).
#
# Loads BENCH_GROWTH_SMALL orders (bench/growth.sql: 4,000 of them open, the
# rest closed history, 200 closed orders a day going back in time; 5 % of
# one busy customer, 10 % reviewed by role bench_reviewer, 50 more waiting
# for review; a credit rule weighs every submission), times each operation, grows
# the closed history to BENCH_GROWTH_LARGE orders (the open ones stay what
# they were: what is in flight does not grow with the years), times them
# again, and prints a markdown table: operation, median at each size,
# ratio.  The target for every operation is a ratio within 1.5; the table
# says which are not there yet.  Then it archives the large history older
# than 30 days and says what stays hot and what the month partitions hold.
# Writes all of it to bench/out/growth.md.
#
# Knobs: BENCH_GROWTH_SMALL (10000), BENCH_GROWTH_LARGE (300000),
# BENCH_GROWTH_RUNS (timed runs per operation, 9; the slow ones 5),
# BENCH_GROWTH_KEEP (1: keep database bench_growth afterwards).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=${SALESORDER_BINDIR:-/usr/lib/postgresql/15/bin}
out=$here/out
db=bench_growth
small=${BENCH_GROWTH_SMALL:-10000}
large=${BENCH_GROWTH_LARGE:-300000}
runs=${BENCH_GROWTH_RUNS:-9}
open=4000
# The business closes 200 orders a day: the small history is about a month
# of it, the large one about four years (older orders, not more of them a
# day -- what is in flight and what closed lately stay the same).
closed_per_day=200
slow_runs=$(((runs + 1) / 2))

. "$here/lib.sh"
mkdir -p "$out"

# What 1.1 computed for every credit check: the customer's open orders
# summed (one heap page per open order), for comparison with the running
# figure that replaced it.
sum_exposure="SELECT sum(salesorder.order_exposure(o.status, o.hold_from, o.total_amount, o.id))
	FROM salesorder.sales_order o WHERE o.customer_id = g - g + 1 AND o.status IN
	('pending_approval', 'approved', 'in_production', 'partially_shipped', 'on_hold')"
sum_exposure=${sum_exposure//$'\n'/ }

# The operations: name, user (- for the superuser), runs, SQL.  Each runs
# in its own transaction; create_order rolls back, so both sizes time the
# same history.  :routed is an order routed to bench_reviewer.
ops=(
	"approver reads one order by primary key|bench_approver|$runs|SELECT * FROM salesorder.sales_order WHERE id = :routed"
	"approval_queue, 50 pending, as an approver|bench_approver|$runs|SELECT * FROM salesorder.approval_queue"
	"create_order for a busy customer (5 % of the orders)|-|$runs|BEGIN; SELECT salesorder.create_order(1, '[{\"product_id\": 7, \"qty\": 1}]', '{}'); ROLLBACK"
	"the busy customer's credit exposure 100 times, kept (customer_exposure)|-|$runs|SELECT count(salesorder.credit_exposure_of(1)) FROM generate_series(1, 100)"
	"the same summed over its open orders, as 1.1 did|-|$runs|SELECT count(($sum_exposure)) FROM generate_series(1, 100) g WHERE g > 0"
	"order_tracking, SELECT *|-|$slow_runs|SELECT * FROM salesorder.order_tracking"
	"order_tracking, count(*)|-|$slow_runs|SELECT count(*) FROM salesorder.order_tracking"
	"report_pipeline|-|$slow_runs|SELECT * FROM salesorder.report_pipeline"
	"verify_stock()|-|$runs|SELECT count(*) FROM salesorder.verify_stock()"
	"verify_stock(true), the full check|-|$slow_runs|SELECT count(*) FROM salesorder.verify_stock(true)"
	"flag_delays() with nothing new|-|$runs|SELECT salesorder.flag_delays()"
	"events_since(), 100 events|-|$runs|SELECT count(*) FROM salesorder.events_since(:horizon - 100, 100)"
)

declare -A MS=()

# time_op SIZE OP: the median latency (ms) of the op's runs, by pgbench's
# per-transaction log.
time_op() {
	local size=$1 name user n sql file prefix
	IFS='|' read -r name user n sql <<<"$2"
	file=$out/growth-op-$RANDOM.sql
	sed -e "s/:routed/$routed/g" -e "s/:horizon/$horizon/g" <<<"$sql;" >"$file"
	prefix=$out/growth-log-$$-$RANDOM
	local who=()
	[ "$user" = - ] || who=(-U "$user")
	# One unmeasured run first: plans and caches, as in daily use.
	"$bindir/pgbench" -n "${who[@]}" -t 1 -f "$file" "$db" >/dev/null 2>&1 || true
	if ! "$bindir/pgbench" -n "${who[@]}" -t "$n" -f "$file" --log --log-prefix="$prefix" \
		"$db" >"$prefix.txt" 2>&1; then
		echo "growth: '$name' failed at $size orders; see $prefix.txt" >&2
		MS[$size/$name]=-
		return 0
	fi
	MS[$size/$name]=$(log_latencies "$prefix" | median | xargs printf "%.2f")
	rm -f "$file"
	printf '    %-55s %10.2f ms\n' "$name" "${MS[$size/$name]}"
}

load() {
	local closed=$1 open=$2 pending=$3
	q -v closed_orders="$closed" -v open_orders="$open" -v pending="$pending" \
		-v closed_per_day="$closed_per_day" -f "$here/growth.sql" >/dev/null
	qc "SELECT salesorder.rebuild_rollup()" >/dev/null
	qc "SELECT salesorder.rebuild_credit_exposure()" >/dev/null
	# What the worker does every few minutes: the checkpoints.
	qc "SELECT salesorder.checkpoint_ledger()" >/dev/null
	qc "SELECT salesorder.checkpoint_pipeline()" >/dev/null
	qc "VACUUM (ANALYZE)"
	# Everything late is flagged once; the timed calls find nothing new.
	qc "SELECT salesorder.flag_delays()" >/dev/null
}

measure() {
	local size=$1 op
	routed=$(qc "SELECT max(order_id) FROM salesorder.approval_step WHERE status = 'approved'")
	horizon=$(qc "SELECT salesorder.event_horizon()")
	BYTES[$size]=$(qc "SELECT round(sum(pg_total_relation_size(c.oid)) / (SELECT count(*) FROM salesorder.sales_order))
		FROM pg_class c WHERE c.relnamespace = 'salesorder'::regnamespace AND c.relkind IN ('r', 'm')")
	for op in "${ops[@]}"; do
		time_op "$size" "$op"
	done
}

declare -A BYTES=()
routed=0 horizon=0

say "growth: a fresh database with the master data of bench/setup.sql"
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -f "$here/setup.sql" >/dev/null
q <<-'SQL' >/dev/null
	SELECT salesorder.create_roles();
	DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_reviewer') THEN
			CREATE ROLE bench_reviewer NOLOGIN;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_approver') THEN
			CREATE ROLE bench_approver LOGIN;
		END IF;
	END $$;
	GRANT salesorder_approver, bench_reviewer TO bench_approver;
	-- Every submission weighs the customer's credit (the limits of
	-- setup.sql are far above what anybody orders, so it never fires).
	INSERT INTO salesorder.approval_rule (name, kind, department, approver_role)
	VALUES ('credit', 'credit_exceeded', 'credit', 'bench_reviewer');
SQL
say "growth: $small orders of history"
load "$((small - open))" "$open" 50
measure "$small"
say "growth: $large orders of history"
load "$((large - small))" 0 0
measure "$large"

{
	echo "| operation | $small orders | $large orders | ratio | target |"
	echo "|---|---|---|---|---|"
	for op in "${ops[@]}"; do
		IFS='|' read -r name _ _ _ <<<"$op"
		a=${MS[$small/$name]} b=${MS[$large/$name]}
		awk -v name="$name" -v a="$a" -v b="$b" 'BEGIN {
			if (a == "-" || b == "-" || a + 0 == 0) { r = "-"; v = "missed" }
			else { r = sprintf("%.2f", b / a); v = (b / a <= 1.5) ? "met" : "missed" }
			printf "| %s | %s ms | %s ms | %s | <= 1.5: %s |\n", name, a, b, r, v }'
	done
	printf '| storage per order (every salesorder table and its indexes) | %s bytes | %s bytes | %s | |\n' \
		"${BYTES[$small]}" "${BYTES[$large]}" "$(awk "BEGIN { printf \"%.2f\", ${BYTES[$large]} / ${BYTES[$small]} }")"
} >"$out/growth.md"

# The archive at the large size: everything older than 30 days that may
# move (archive_history(), 100,000 rows of each table a transaction), what
# stays hot, what went to the month partitions, and stock still balancing.
say "growth: archiving the history older than 30 days"
start=$(date +%s.%N)
qc "SELECT salesorder.checkpoint_ledger()" >/dev/null
q <<-'SQL' >/dev/null
	DO $$ BEGIN
		WHILE salesorder.archive_history('30 days', 100000) > 0 LOOP COMMIT; END LOOP;
	END $$;
SQL
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
qc "VACUUM" >/dev/null
read -r hot_rows archived_rows months archive_bytes problems <<<"$(qc "
	SELECT (SELECT count(*) FROM salesorder.stock_movement)
		 + (SELECT count(*) FROM salesorder.order_status_history),
		   (SELECT count(*) FROM salesorder.stock_movement_archive)
		 + (SELECT count(*) FROM salesorder.order_status_history_archive),
		   (SELECT count(*) FROM pg_inherits
			WHERE inhparent = 'salesorder.stock_movement_archive'::regclass),
		   (SELECT round(sum(pg_total_relation_size(i.inhrelid))
						 / (SELECT count(*) FROM salesorder.sales_order))
			FROM pg_inherits i
			WHERE i.inhparent IN ('salesorder.stock_movement_archive'::regclass,
								  'salesorder.order_status_history_archive'::regclass)),
		   (SELECT count(*) FROM salesorder.verify_stock())
		 + (SELECT count(*) FROM salesorder.verify_stock(true))")"
{
	echo
	echo "Archiving the $large orders' history older than 30 days: $archived_rows ledger and status history rows moved in ${secs}s into the archives' month partitions ($months of them for the ledger; $archive_bytes bytes per order, which detaching the months frees); $hot_rows rows stay hot (open orders and the last 30 days); verify_stock() and verify_stock(true) afterwards: $problems problems."
} >>"$out/growth.md"
cat "$out/growth.md"
# BENCH_GROWTH_KEEP=1 keeps the database, to look into a figure.
[ "${BENCH_GROWTH_KEEP:-0}" = 1 ] || "${psql[@]}" -d postgres -c "DROP DATABASE $db"
