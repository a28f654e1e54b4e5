#!/usr/bin/env bash
#
# bench/run.sh -- the salesorder benchmark, run by `make bench` (test/run.sh
# bench) against its throwaway cluster, with PGHOST/PGPORT/PGUSER exported.
#
#   1. order entry: create_order() against the bare writes of the same order
#      in plain SQL (bench_base), uniform products, 1, 4 and 8 clients;
#   2. contention: the same at 8 clients with Zipfian products and with one
#      hot SKU in every order: TPS, retries, deadlocks;
#   3. calibration: pgbench's built-in tpcb-like, scale 10, 8 clients;
#   4. aggregates: sales_trend / sales_forecast against regr_slope over 10
#      million rows in memory, 0 and 2 parallel workers;
#   5. reports: the rollup-backed report_sales against the raw GROUP BY over
#      millions of order lines, p50/p95;
#   6. the write cost of the rules: WAL per order, create_order vs baseline;
#   7. wake-ups: the latency from an order's commit to a LISTENer's wake-up
#      by the background worker, at 8 writing clients (bench/listener.c,
#      commit times from track_commit_timestamp);
#   8. growth: the daily operations at two sizes of history, 30x apart, in a
#      database of their own (bench/growth.sh).
#
# Order entry runs with pgbench -r and BEGIN/COMMIT on both sides, so that
# the commit's own latency is reported: a commit that queues (a lock held
# across commit, such as NOTIFY's) shows there.
#
# Every pair runs interleaved in rounds (A B, B A, A B, ...), so that drift
# of a shared machine hits both sides alike; the median of the rounds is
# reported.  Results go to stdout and bench/RESULTS.md, raw pgbench output to
# bench/out/.  A benchmark is not a test: no speed is asserted, but the run
# fails when something is functionally wrong (verify_stock() not empty, a
# deadlock, a failed or aborted pgbench transaction, baseline stock that does
# not add up).
#
# Budget on a 2-core machine, about 16 minutes in all: order entry 34 rounds
# of 15 s (~8.5 min), the two bulk loads side by side (~1.5 min), the
# aggregates (~1 min), the reports (~1.5 min; the raw GROUP BY takes seconds
# a run), the growth part (~2 min).  The server is restarted once with a larger shared_buffers (see
# restart_with_shared_buffers), max_wal_size and checkpoint_timeout are
# raised with ALTER SYSTEM so that checkpoints happen only where this script
# asks for them.
#
# Knobs (environment):
#   BENCH_ROUND_SECONDS  length of one order-entry round (15)
#   BENCH_ROUNDS         rounds per 8-client pair, both sides together (6)
#   BENCH_ROUNDS_FEW     rounds per 1- and 4-client pair (4)
#   BENCH_AGG_ROWS       rows of the aggregate table (10000000)
#   BENCH_AGG_RUNS       timed runs of each aggregate query (3)
#   BENCH_HISTORY_ORDERS bulk-loaded orders for the reports (200000, ~2M lines)
#   BENCH_REPORT_ROUNDS  report rounds of 10 rollup runs + 1 raw run (5)
#   BENCH_SHARED_BUFFERS shared_buffers to restart with (4GB)
#   BENCH_OWN_CLUSTER    1: the server may be reconfigured and restarted even
#                        if it is not a test/run.sh throwaway cluster
#   BENCH_GROWTH_*       the growth part's knobs (see bench/growth.sh)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=${SALESORDER_BINDIR:-/usr/lib/postgresql/15/bin}
out=$here/out
db=bench

round_s=${BENCH_ROUND_SECONDS:-15}
rounds=${BENCH_ROUNDS:-6}
rounds_few=${BENCH_ROUNDS_FEW:-4}
agg_rows=${BENCH_AGG_ROWS:-10000000}
agg_runs=${BENCH_AGG_RUNS:-3}
history_orders=${BENCH_HISTORY_ORDERS:-200000}
report_rounds=${BENCH_REPORT_ROUNDS:-5}
want_sb=${BENCH_SHARED_BUFFERS:-4GB}
seed0=20251127

. "$here/lib.sh"
pgbench=("$bindir/pgbench")
# Forcing parallel plans for the aggregates: no cost may keep them serial.
parallel_opts="-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0"

PROBLEMS=()		# functional failures: the run exits 1 if there are any
NOTES=()		# things worth knowing that are not failures

problem() {
	PROBLEMS+=("$*")
	echo "PROBLEM: $*" >&2
}

# percentile P: of the numbers on stdin, nearest-rank.
percentile() {
	sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1; print v[r] }'
}

# calc EXPR: floating-point arithmetic with awk, printf-formatted by FMT.
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

# pgb_field FILE REGEX: the first number after REGEX in pgbench output, or 0.
pgb_field() {
	sed -n -E "s/^$2[^0-9]*([0-9.]+).*/\1/p" "$1" | head -n 1 | grep . || echo 0
}

###########################################################################
# Server settings
###########################################################################

# The cluster of test/run.sh passes shared_buffers=256MB on the command line,
# which beats ALTER SYSTEM, so a bigger one takes a restart with the same
# command line plus ours (postmaster.opts has it, quoted for the shell that
# pg_ctl starts the server with).  Only done to a throwaway cluster.
restart_with_shared_buffers() {
	local data opts pid log owner run=()
	data=$("${psql[@]}" -At -d postgres -c "SHOW data_directory")
	case $data in
	/tmp/salesorder-bench.*/data) ;;
	*)
		if [ "${BENCH_OWN_CLUSTER:-0}" != 1 ]; then
			NOTES+=("shared_buffers left as it is: $data is not a throwaway bench cluster (BENCH_OWN_CLUSTER=1 allows a restart)")
			return 0
		fi
		;;
	esac
	if [ ! -r "$data/postmaster.opts" ] || [ ! -r "$data/postmaster.pid" ]; then
		NOTES+=("shared_buffers left as it is: cannot read $data/postmaster.opts")
		return 0
	fi
	opts=$(cut -d ' ' -f 2- "$data/postmaster.opts")
	pid=$(head -n 1 "$data/postmaster.pid")
	# The server log is wherever pg_ctl -l pointed the postmaster's stderr.
	log=$(readlink "/proc/$pid/fd/2" 2>/dev/null || echo /dev/null)
	owner=$(stat -c %U "$data")
	[ "$(id -u)" -ne 0 ] || run=(runuser -u "$owner" --)
	say "restarting the server with shared_buffers=$want_sb"
	(cd / && "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 120 -m fast \
		-o "$opts -c shared_buffers=$want_sb" restart >/dev/null)
}

configure_server() {
	local have want
	# Checkpoints only where the script asks for them (before each timed
	# order-entry run), so that none lands in the middle of one round.
	"${psql[@]}" -d postgres <<-SQL
		ALTER SYSTEM SET max_wal_size = '16GB';
		ALTER SYSTEM SET checkpoint_timeout = '30min';
		ALTER SYSTEM SET track_commit_timestamp = on;
		SELECT pg_reload_conf() \gset
	SQL
	have=$("${psql[@]}" -At -d postgres -c "SELECT pg_size_bytes(current_setting('shared_buffers'))")
	want=$("${psql[@]}" -At -d postgres -c "SELECT pg_size_bytes('$want_sb')")
	# track_commit_timestamp (for the wake-up latencies) needs a restart too.
	if [ "$have" -lt "$want" ] ||
		[ "$("${psql[@]}" -At -d postgres -c "SHOW track_commit_timestamp")" != on ]; then
		restart_with_shared_buffers
	fi
}

###########################################################################
# Part 1, 2, 6: order entry
###########################################################################

declare -A TPS=() TXNS=() WAL=() RETRIES=() FAILED=() DEADLOCKS=() ROUNDS_DONE=() COMMITLAT=() ROWS=()

# run_entry CASE WRITER CLIENTS SEED: one timed pgbench round of WRITER
# (create_order or baseline) over the draws of CASE (uniform, zipf, hot).
run_entry() {
	local case=$1 writer=$2 clients=$3 seed=$4 key=$1/$2/$3
	local script=$out/$1-$2.pgbench log=$out/$1-$2-c$3-s$4.txt
	local rc=0 lsn0 lsn1 dl0 dl1 tps txns failed retries
	# The draws and the writer in one script: both writers see the same
	# \set lines and so, with the same seed, make the same orders.
	# The notify and floor cases draw like the uniform one.
	local draws=$case
	case $case in notify | floor) draws=uniform ;; esac
	cat "$here/draw_$draws.pgbench" "$here/$writer.pgbench" >"$script"
	qc "CHECKPOINT"
	# Rows written: inserted, updated and deleted tuples of every table (the
	# backends report them as they exit, just after pgbench).
	read -r lsn0 dl0 rows0 < <(qc "SELECT pg_current_wal_lsn(), deadlocks,
		(SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables)
		FROM pg_stat_database WHERE datname = current_database()")
	"${pgbench[@]}" -n -r -M prepared -c "$clients" -j "$((clients < 2 ? clients : 2))" \
		-T "$round_s" --max-tries=10 --failures-detailed --random-seed="$seed" \
		-f "$script" "$db" >"$log" 2>&1 || rc=$?
	# Backends report their deadlock counts as they exit, just after pgbench.
	sleep 0.5
	read -r lsn1 dl1 rows1 < <(qc "SELECT pg_current_wal_lsn(), deadlocks,
		(SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables)
		FROM pg_stat_database WHERE datname = current_database()")
	tps=$(pgb_field "$log" 'tps = ')
	txns=$(pgb_field "$log" 'number of transactions actually processed: ')
	failed=$(pgb_field "$log" 'number of failed transactions: ')
	retries=$(pgb_field "$log" 'total number of retries: ')
	printf '    %-8s %-12s c=%s seed=%s: %8.1f tps, %s failed, %s retries, %s deadlocks\n' \
		"$case" "$writer" "$clients" "$seed" "$tps" "$failed" "$retries" "$((dl1 - dl0))"
	if [ "$rc" -ne 0 ] || [ "$txns" = 0 ]; then
		problem "pgbench $key (seed $seed) exited with $rc after $txns transactions; see $log"
		grep -iE 'error|abort' "$log" | head -n 5 >&2 || true
	fi
	[ "$failed" = 0 ] || problem "pgbench $key (seed $seed): $failed failed transactions; see $log"
	TPS[$key]="${TPS[$key]:-} $tps"
	# pgbench -r: the latency (ms) of the script's COMMIT statement.
	COMMITLAT[$key]="${COMMITLAT[$key]:-} $(awk '/^ +[0-9.]+ .* (COMMIT|END);$/ { print $1 }' "$log" | head -n 1)"
	TXNS[$key]=$((${TXNS[$key]:-0} + txns))
	WAL[$key]=$((${WAL[$key]:-0} + $(qc "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint")))
	ROWS[$key]=$((${ROWS[$key]:-0} + rows1 - rows0))
	RETRIES[$key]=$((${RETRIES[$key]:-0} + retries))
	FAILED[$key]=$((${FAILED[$key]:-0} + failed))
	DEADLOCKS[$key]=$((${DEADLOCKS[$key]:-0} + dl1 - dl0))
	ROUNDS_DONE[$key]=$((${ROUNDS_DONE[$key]:-0} + 1))
}

# warm_up: a few unmeasured seconds of both writers, so that the first
# measured round (always create_order's) does not pay for cold caches,
# catalog lookups and the first extension of every table alone.
warm_up() {
	local writer script
	say "warm-up: 5s of each writer at 8 clients, not measured"
	for writer in create_order baseline; do
		script=$out/uniform-$writer.pgbench
		cat "$here/draw_uniform.pgbench" "$here/$writer.pgbench" >"$script"
		"${pgbench[@]}" -n -M prepared -c 8 -j 2 -T 5 --max-tries=10 --random-seed="$seed0" \
			-f "$script" "$db" >"$out/warm-up-$writer.txt" 2>&1 ||
			problem "the $writer warm-up failed; see $out/warm-up-$writer.txt"
	done
}

# run_pair CASE CLIENTS ROUNDS: create_order and baseline in alternating
# order; round r of both sides uses the seed seed0 + r.
run_pair() {
	local case=$1 clients=$2 n=$3 r
	say "order entry: $case, $clients client(s), $n rounds of ${round_s}s"
	for ((r = 1; r <= n / 2; r++)); do
		if ((r % 2)); then
			run_entry "$case" create_order "$clients" $((seed0 + r))
			run_entry "$case" baseline "$clients" $((seed0 + r))
		else
			run_entry "$case" baseline "$clients" $((seed0 + r))
			run_entry "$case" create_order "$clients" $((seed0 + r))
		fi
	done
}

med_tps() { tr ' ' '\n' <<<"${TPS[$1]:-}" | grep . | median | xargs printf '%.1f'; }
med_commit() { tr ' ' '\n' <<<"${COMMITLAT[$1]:-}" | grep . | median | xargs printf '%.3f'; }

# wake_up_latency: one more 8-client create_order round with a LISTENer;
# for every event of the round, the time from its commit to the first
# notification whose horizon covers it.  Sets WAKE_P50 WAKE_P99 WAKE_MAX
# WAKE_N WAKE_TPS.
wake_up_latency() {
	local bin=$out/listener log=$out/wake-listener.tsv first last script=$out/uniform-create_order.pgbench
	local incdir libdir
	WAKE_P50=- WAKE_P99=- WAKE_MAX=- WAKE_N=0 WAKE_TPS=-
	incdir=$("$bindir/pg_config" --includedir 2>/dev/null || echo /usr/include/postgresql)
	libdir=$("$bindir/pg_config" --libdir 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)
	if ! gcc -O2 -Wall -I"$incdir" -o "$bin" "$here/listener.c" -L"$libdir" -lpq 2>"$out/listener-build.txt"; then
		problem "could not build bench/listener.c; see $out/listener-build.txt"
		return 0
	fi
	if ! "${psql[@]}" -At -d postgres -c "SELECT 1 FROM pg_stat_activity
			WHERE backend_type = 'salesorder worker' AND datname = '$db'" | grep -q 1; then
		problem "no salesorder worker serves database $db (salesorder in shared_preload_libraries, salesorder.database = $db?)"
		return 0
	fi
	first=$(qc "SELECT coalesce(max(id), 0) FROM salesorder.order_event")
	coproc LISTENER { "$bin" "dbname=$db" "$((round_s + 3))" "$log" 2>"$out/wake-listener.err"; }
	read -r _ <&"${LISTENER[0]}"
	cat "$here/draw_uniform.pgbench" "$here/create_order.pgbench" >"$script"
	"${pgbench[@]}" -n -M prepared -c 8 -j 2 -T "$round_s" --max-tries=10 --random-seed="$seed0" \
		-f "$script" "$db" >"$out/wake-pgbench.txt" 2>&1 ||
		problem "the wake-up round failed; see $out/wake-pgbench.txt"
	WAKE_TPS=$(pgb_field "$out/wake-pgbench.txt" 'tps = ' | xargs printf '%.1f')
	wait "$LISTENER_PID" || problem "the listener failed; see $out/wake-listener.err"
	last=$(qc "SELECT coalesce(max(id), 0) FROM salesorder.order_event")
	local missed
	# An event no notification covers has no arrival: NULL ms, counted as missed.
	read -r WAKE_N WAKE_P50 WAKE_P99 WAKE_MAX missed < <(q <<-SQL
		CREATE TEMP TABLE wake (horizon bigint, arrived_us bigint);
		\copy wake FROM '$log'
		SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
			   round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
			   round(max(ms)::numeric, 1), count(*) - count(ms)
		FROM (SELECT (SELECT min(w.arrived_us) FROM wake w WHERE w.horizon >= e.id) / 1000.0
					 - extract(epoch FROM pg_xact_commit_timestamp(e.xmin)) * 1000 AS ms
			  FROM salesorder.order_event e WHERE e.id > $first AND e.id <= $last) x;
	SQL
	)
	[ "$missed" = 0 ] || NOTES+=("wake-ups: $missed event(s) of the round were not covered by a notification before the listener stopped")
	echo "    wake-up latency over $WAKE_N events at $WAKE_TPS tps: p50 $WAKE_P50 ms, p99 $WAKE_P99 ms, max $WAKE_MAX ms"
}
wal_per_txn() { calc "${WAL[$1]:-0} / (${TXNS[$1]:-0} > 0 ? ${TXNS[$1]} : 1)" '%.0f'; }
rows_per_txn() { calc "${ROWS[$1]:-0} / (${TXNS[$1]:-0} > 0 ? ${TXNS[$1]} : 1)" '%.1f'; }

# The baseline's bookkeeping must add up: every line took one unit, and the
# guarded UPDATE skipped none (which it would only do for lack of stock).
check_baseline() {
	local bad
	bad=$(qc "SELECT format('bench_base: %s lines but %s units taken from stock', l, t)
		FROM (SELECT (SELECT count(*) FROM bench_base.order_lines) AS l,
					 (SELECT sum(opening - on_hand) FROM bench_base.stock) AS t) x
		WHERE l <> t OR EXISTS (SELECT 1 FROM bench_base.stock WHERE on_hand < 0)")
	[ -z "$bad" ] || problem "$bad"
	bad=$(qc "SELECT format('bench_floor: %s lines but %s units reserved', l, t)
		FROM (SELECT (SELECT count(*) FROM bench_floor.order_line) AS l,
					 (SELECT sum(reserved) FROM bench_floor.stock) AS t) x
		WHERE l <> t")
	[ -z "$bad" ] || problem "$bad"
}

###########################################################################
# Part 4 and 5: single queries timed with pgbench
###########################################################################

# time_query FILE TX OPTIONS: run FILE TX times in one pgbench session with
# PGOPTIONS; append each run's latency (ms) to $out/FILE-OPTIONS.lat.
time_query() {
	local file=$1 tx=$2 opts=$3 tag prefix rc=0
	tag=$(basename "$file" .sql)-$(tr -c 'a-z0-9' '_' <<<"$opts" | cut -c 1-60)
	prefix=$out/log-$tag-$$-$RANDOM
	PGOPTIONS="$opts" "${pgbench[@]}" -n -t "$tx" -f "$here/$file" \
		--log --log-prefix="$prefix" "$db" >"$prefix.txt" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		problem "pgbench $file ($opts) exited with $rc; see $prefix.txt"
		return 0
	fi
	log_latencies "$prefix" >>"$out/$tag.lat"
}
lat_file() { echo "$out/$(basename "$1" .sql)-$(tr -c 'a-z0-9' '_' <<<"$2" | cut -c 1-60).lat"; }

# plan_workers FILE OPTIONS: the parallel workers the plan asks for.
plan_workers() {
	PGOPTIONS="$2" "${psql[@]}" -At -d "$db" -c "EXPLAIN $(grep -v '^--' "$here/$1")" |
		sed -n -E 's/.*Workers Planned: ([0-9]+).*/\1/p' | head -n 1 | grep . || echo 0
}

###########################################################################
# Run
###########################################################################

rm -rf "$out"
mkdir -p "$out"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)

say "configuring the server"
configure_server
"${psql[@]}" -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS bench_tpcb"
"$bindir/createdb" "$db"

say "loading the master data: 3 warehouses, 10,000 customers, 10,000 products, stock"
q -f "$here/setup.sql" >/dev/null

# --- part 3 first: it places the machine before anything else has run
say "calibration: pgbench -i -s 10, tpcb-like, 8 clients, 15 s"
"$bindir/createdb" bench_tpcb
"${pgbench[@]}" -i -q -s 10 bench_tpcb >"$out/tpcb-init.txt" 2>&1
"${pgbench[@]}" -c 8 -j 2 -T 15 bench_tpcb >"$out/tpcb.txt" 2>&1 ||
	problem "the tpcb-like calibration failed; see $out/tpcb.txt"
tpcb_tps=$(pgb_field "$out/tpcb.txt" 'tps = ' | xargs printf '%.1f')
tpcb_lat=$(pgb_field "$out/tpcb.txt" 'latency average = ')
"${psql[@]}" -d postgres -c "DROP DATABASE bench_tpcb"
echo "    tpcb-like: $tpcb_tps tps, latency $tpcb_lat ms"

# --- parts 1, 2, 6
dl_start=$(qc "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
warm_up
run_pair uniform 8 "$rounds"
run_pair zipf 8 "$rounds"
run_pair hot 8 "$rounds"
# Where a hot SKU's row lock would become the queue: more clients than cores.
run_pair uniform 16 "$rounds_few"
run_pair hot 16 "$rounds_few"
run_pair uniform 1 "$rounds_few"
run_pair uniform 4 "$rounds_few"
# What 1.1 did: a NOTIFY in the order's own transaction, which takes the
# global notify lock at commit.  Against create_order as it is, alternating.
say "order entry: create_order with and without a NOTIFY in its transaction, 8 clients, $rounds_few rounds of ${round_s}s"
for ((r = 1; r <= rounds_few / 2; r++)); do
	run_entry notify create_order_notify 8 $((seed0 + r))
	run_entry notify create_order 8 $((seed0 + r))
done
# The contract's floor: the rows and index entries create_order writes
# (order, lines, ledger, history, events, rollup deltas, stock), in plain
# SQL into tables of the same shape without triggers, foreign keys or
# checks.  What no implementation of the same data model can beat.
say "order entry: create_order against the contract's floor, 8 clients, $rounds_few rounds of ${round_s}s"
for ((r = 1; r <= rounds_few / 2; r++)); do
	run_entry floor floor 8 $((seed0 + r))
	run_entry floor create_order 8 $((seed0 + r))
done
say "wake-ups: create_order at 8 clients for ${round_s}s with a LISTENer"
wake_up_latency
dl_total=$(($(qc "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") - dl_start))
[ "$dl_total" -eq 0 ] || problem "$dl_total deadlock(s) during order entry (pg_stat_database)"
check_baseline
entry_orders=$(qc "SELECT count(*) FROM salesorder.sales_order")

# --- part 5, before the bulk load: the report with the deltas that order
# entry appended and nobody compacted yet.
delta_rows=$(qc "SELECT count(*) FROM salesorder.sales_rollup_delta")
say "reports: report_sales over $delta_rows uncompacted delta rows, 10 runs"
time_query report_rollup.sql 10 ""
mv "$(lat_file report_rollup.sql "")" "$out/report_rollup_deltas.lat"

# The two bulk loads are not timed and need not wait for each other: one
# session each, one per core.
say "loading $history_orders historical orders and $agg_rows aggregate rows (in parallel)"
q -v closed_orders="$history_orders" -v open_orders=0 -f "$here/growth.sql" >"$out/history.txt" 2>&1 &
hist_pid=$!
q -v agg_rows="$agg_rows" -f "$here/lines.sql" >"$out/lines.txt" 2>&1 &
lines_pid=$!
wait "$hist_pid" || { cat "$out/history.txt" >&2; problem "loading the order history failed"; exit 1; }
wait "$lines_pid" || { cat "$out/lines.txt" >&2; problem "loading bench_lines failed"; exit 1; }
say "rebuilding the rollup, vacuum"
groups=$(qc "SELECT salesorder.rebuild_rollup()")
qc "SELECT salesorder.rebuild_credit_exposure()" >/dev/null
# Hint bits and statistics now, not during the first timed raw report.
qc "VACUUM (ANALYZE) salesorder.sales_order, salesorder.order_line, salesorder.sales_rollup,
	salesorder.sales_rollup_delta, salesorder.customer, salesorder.product"
read -r n_orders n_lines < <(qc "SELECT (SELECT count(*) FROM salesorder.sales_order),
	(SELECT count(*) FROM salesorder.order_line)")
echo "    $n_orders orders, $n_lines order lines, $groups rollup groups"

# --- part 4
say "aggregates over $agg_rows rows: $agg_runs rounds of sales_trend, regr_slope, sales_forecast at 0 and 2 workers"
# From memory: whatever the bulk loads pushed out goes back into shared_buffers.
qc "CREATE EXTENSION IF NOT EXISTS pg_prewarm"
qc "SELECT pg_prewarm('bench_lines')" >/dev/null
w0="-c max_parallel_workers_per_gather=0 $parallel_opts"
w2="-c max_parallel_workers_per_gather=2 $parallel_opts"
for f in agg_trend.sql agg_regr.sql agg_forecast.sql; do
	[ "$(plan_workers $f "$w0")" = 0 ] || NOTES+=("$f plans parallel workers with max_parallel_workers_per_gather=0")
	[ "$(plan_workers $f "$w2")" = 2 ] || NOTES+=("$f does not plan 2 parallel workers when forced")
done
for ((r = 1; r <= agg_runs; r++)); do
	for f in agg_trend.sql agg_regr.sql agg_forecast.sql; do
		time_query $f 1 "$w0"
		time_query $f 1 "$w2"
	done
	echo "    round $r done"
done

# --- part 5
say "reports: $report_rounds rounds of 10 rollup + 1 raw report over $n_lines lines"
qc "SELECT sum(pg_prewarm(t)) FROM unnest('{salesorder.order_line, salesorder.sales_order,
	salesorder.customer, salesorder.product, salesorder.sales_rollup}'::regclass[]) t" >/dev/null
# report_sales also with jit=off: the view's raw branch (never executed
# while the rollup is current) is costed at millions of rows, which makes
# the default jit settings compile the whole plan on every call.
for ((r = 1; r <= report_rounds; r++)); do
	time_query report_rollup.sql 10 ""
	time_query report_rollup.sql 10 "-c jit=off"
	time_query report_raw.sql 1 ""
done

# --- part 8
say "growth: the daily operations at two sizes of history (bench/growth.sh)"
bash "$here/growth.sh" >"$out/growth.txt" 2>&1 || problem "bench/growth.sh failed; see $out/growth.txt"
sed -n 's/^    /    /p' "$out/growth.txt"

say "checking the stock: verify_stock()"
bad_stock=$(qc "SELECT count(*) FROM salesorder.verify_stock()")
if [ "$bad_stock" != 0 ]; then
	problem "verify_stock() returned $bad_stock row(s)"
	qc "SELECT * FROM salesorder.verify_stock() LIMIT 10" >&2
fi
elapsed=$SECONDS

###########################################################################
# Results
###########################################################################

ms() { median <"$(lat_file "$1" "$2")" | xargs printf '%.1f'; }
pct() { percentile "$1" <"$2" | xargs printf '%.1f'; }
rows_per_s() { calc "$agg_rows / ($1 / 1000) / 1e6" '%.1f'; }
ratio() { awk "BEGIN { if (($2) == 0) print \"-\"; else printf \"${3:-%.2f}\", ($1) / ($2) }"; }
# verdict OK MISSED-TEXT: the target column.
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "missed: $2"; fi; }
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }

u8c=$(med_tps uniform/create_order/8) u8b=$(med_tps uniform/baseline/8)
u4c=$(med_tps uniform/create_order/4) u4b=$(med_tps uniform/baseline/4)
u1c=$(med_tps uniform/create_order/1) u1b=$(med_tps uniform/baseline/1)
k8c=$(med_commit uniform/create_order/8) k8b=$(med_commit uniform/baseline/8)
k4c=$(med_commit uniform/create_order/4) k4b=$(med_commit uniform/baseline/4)
k1c=$(med_commit uniform/create_order/1) k1b=$(med_commit uniform/baseline/1)
n8n=$(med_tps notify/create_order_notify/8) k8n=$(med_commit notify/create_order_notify/8)
n8c=$(med_tps notify/create_order/8) k8cn=$(med_commit notify/create_order/8)
z8c=$(med_tps zipf/create_order/8) z8b=$(med_tps zipf/baseline/8)
h8c=$(med_tps hot/create_order/8) h8b=$(med_tps hot/baseline/8)
u16c=$(med_tps uniform/create_order/16) u16b=$(med_tps uniform/baseline/16)
h16c=$(med_tps hot/create_order/16) h16b=$(med_tps hot/baseline/16)
fl8c=$(med_tps floor/create_order/8) fl8f=$(med_tps floor/floor/8)
wal_fc=$(wal_per_txn floor/create_order/8) wal_ff=$(wal_per_txn floor/floor/8)
wal_c=$(wal_per_txn uniform/create_order/8) wal_b=$(wal_per_txn uniform/baseline/8)
rows_c=$(rows_per_txn uniform/create_order/8) rows_b=$(rows_per_txn uniform/baseline/8)

t0=$(ms agg_trend.sql "$w0") t2=$(ms agg_trend.sql "$w2")
r0=$(ms agg_regr.sql "$w0") r2=$(ms agg_regr.sql "$w2")
f0=$(ms agg_forecast.sql "$w0") f2=$(ms agg_forecast.sql "$w2")
rl=$(lat_file report_rollup.sql "") rw=$(lat_file report_raw.sql "")
rj=$(lat_file report_rollup.sql "-c jit=off")
rj50=$(pct 50 "$rj") rj95=$(pct 95 "$rj")
rl50=$(pct 50 "$rl") rl95=$(pct 95 "$rl") rw50=$(pct 50 "$rw") rw95=$(pct 95 "$rw")
rd50=$(pct 50 "$out/report_rollup_deltas.lat") rd95=$(pct 95 "$out/report_rollup_deltas.lat")

retries_of() { echo "$((${RETRIES[$1/create_order/8]:-0})) / $((${RETRIES[$1/baseline/8]:-0}))"; }
deadlocks_of() { echo "$((${DEADLOCKS[$1/create_order/8]:-0} + ${DEADLOCKS[$1/baseline/8]:-0}))"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
pgver=$(qc "SELECT version()")
settings=$(qc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit',
		'full_page_writes', 'wal_level', 'max_wal_size', 'checkpoint_timeout', 'work_mem',
		'jit', 'max_worker_processes', 'max_parallel_workers', 'autovacuum', 'max_connections')")

{
	cat <<-EOF
		# salesorder benchmark results

		- date: $started; \`make bench\` run time: ${elapsed}s of bench/run.sh (plus build and cluster start)
		- machine: $(nproc) CPUs ($cpu), $mem RAM, load average at the start $load_start, at the end $(cut -d ' ' -f 1-3 /proc/loadavg) (other work shares the machine)
		- server: $pgver
		- settings: $settings (fsync=on: durable commits, as a DBA runs a server; an fsync=off run says fsync=off here)
		- order entry: pgbench -M prepared, --max-tries=10, 5s unmeasured warm-up of each writer, ${round_s}s rounds, A/B alternating,
		  same --random-seed for both sides of a round, CHECKPOINT before each round, median of
		  the rounds ($rounds rounds per 8-client pair, $rounds_few per 1- and 4-client pair);
		  10 lines of qty 1 per order; baseline = bench_base plain tables (insert order, insert
		  lines, one guarded UPDATE of stock), no triggers
		- data: 10,000 customers, 10,000 products, 3 warehouses; $entry_orders orders created
		  by the order-entry runs; reports over $n_lines order lines ($n_orders orders);
		  aggregates over $agg_rows rows in shared_buffers

		| part | case | salesorder | reference | ratio | target |
		|---|---|---|---|---|---|
		| 1 order entry | uniform, 1 client | $u1c tps | baseline $u1b tps | $(ratio "$u1c" "$u1b") | >= 0.6: $(verdict "$(ge "$(ratio "$u1c" "$u1b")" 0.6)" "$(ratio "$u1c" "$u1b")") |
		| 1 order entry | uniform, 4 clients | $u4c tps | baseline $u4b tps | $(ratio "$u4c" "$u4b") | |
		| 1 order entry | uniform, 8 clients | $u8c tps | baseline $u8b tps | $(ratio "$u8c" "$u8b") | >= 0.5: $(verdict "$(ge "$(ratio "$u8c" "$u8b")" 0.5)" "$(ratio "$u8c" "$u8b")"); stretch >= 0.8: $(verdict "$(ge "$(ratio "$u8c" "$u8b")" 0.8)" "$(ratio "$u8c" "$u8b")") |
		| 1 order entry | the 2.0 model's floor: the same rows and index entries in plain SQL (no triggers, foreign keys, checks), 8 clients | create_order $fl8c tps, WAL $wal_fc bytes/order | floor $fl8f tps ($(ratio "$fl8f" "$u8b") of the baseline), WAL $wal_ff bytes/order ($(ratio "$wal_ff" "$wal_b" %.1f)x the baseline), $(rows_per_txn floor/floor/8) rows/order | $(ratio "$fl8c" "$fl8f") of the floor | |
		| 1 commit latency | uniform, 1 / 4 clients (pgbench -r, COMMIT) | $k1c / $k4c ms | baseline $k1b / $k4b ms | $(ratio "$k1c" "$k1b") / $(ratio "$k4c" "$k4b") | |
		| 1 commit latency | uniform, 8 clients (pgbench -r, COMMIT: includes waiting for a CPU) | $k8c ms | baseline $k8b ms | $(ratio "$k8c" "$k8b") | <= 2: $(verdict "$(ge 2 "$(ratio "$k8c" "$k8b")")" "$(ratio "$k8c" "$k8b")x") |
		| 1 NOTIFY in the writer (as 1.1 did) | uniform, 8 clients: create_order + NOTIFY / create_order | $n8n tps, COMMIT $k8n ms | $n8c tps, COMMIT $k8cn ms | $(ratio "$n8n" "$n8c") of the throughput | |
		| 7 wake-ups | commit to LISTENer wake-up, create_order at 8 clients ($WAKE_TPS tps, $WAKE_N events) | p50 $WAKE_P50 ms, p99 $WAKE_P99 ms, max $WAKE_MAX ms | | | p99 <= 250 ms: $(verdict "$(ge 250 "${WAKE_P99/-/99999}")" "$WAKE_P99 ms") |
		| 2 contention | Zipfian s=1.1, 8 clients | $z8c tps ($(ratio "$z8c" "$u8c") of uniform) | baseline $z8b tps ($(ratio "$z8b" "$u8b") of uniform) | $(ratio "$z8c" "$z8b") | |
		| 2 contention | one hot SKU, 8 clients | $h8c tps ($(ratio "$h8c" "$u8c") of uniform) | baseline $h8b tps ($(ratio "$h8b" "$u8b") of uniform) | $(ratio "$h8c" "$h8b") | >= 0.5 of uniform: $(verdict "$(ge "$h8c" "$(calc "$u8c / 2")")" "$(ratio "$h8c" "$u8c") of uniform") |
		| 2 contention | uniform, 16 clients | $u16c tps | baseline $u16b tps | $(ratio "$u16c" "$u16b") | |
		| 2 contention | one hot SKU, 16 clients | $h16c tps ($(ratio "$h16c" "$u16c") of uniform) | baseline $h16b tps ($(ratio "$h16b" "$u16b") of uniform) | $(ratio "$h16c" "$h16b") | >= 0.5 of uniform: $(verdict "$(ge "$h16c" "$(calc "$u16c / 2")")" "$(ratio "$h16c" "$u16c") of uniform") |
		| 2 contention | retries create_order / baseline | Zipfian $(retries_of zipf), hot $(retries_of hot), uniform $(retries_of uniform) | | | |
		| 2 contention | deadlocks (pg_stat_database) | $dl_total in all order entry | | | 0: $(verdict "$([ "$dl_total" -eq 0 ] && echo 1 || echo 0)" "$dl_total") |
		| 2 contention | oversell: verify_stock() rows | $bad_stock | | | 0: $(verdict "$([ "$bad_stock" = 0 ] && echo 1 || echo 0)" "$bad_stock rows") |
		| 3 calibration | pgbench tpcb-like, scale 10, 8 clients | | $tpcb_tps tps, latency $tpcb_lat ms | | |
		| 4 aggregates | sales_trend, 0 workers | $t0 ms, $(rows_per_s "$t0") M rows/s | regr_slope $r0 ms, $(rows_per_s "$r0") M rows/s | $(ratio "$t0" "$r0") of the time | <= 1.5: $(verdict "$(ge 1.5 "$(ratio "$t0" "$r0")")" "$(ratio "$t0" "$r0")") |
		| 4 aggregates | sales_trend, 2 workers | $t2 ms, $(rows_per_s "$t2") M rows/s | regr_slope $r2 ms, $(rows_per_s "$r2") M rows/s | speed-up $(ratio "$t0" "$t2") (regr_slope $(ratio "$r0" "$r2")) | >= 1.7: $(verdict "$(ge "$(ratio "$t0" "$t2")" 1.7)" "$(ratio "$t0" "$t2")") |
		| 4 aggregates | sales_forecast(6, 12), 0 / 2 workers | $f0 / $f2 ms, $(rows_per_s "$f0") / $(rows_per_s "$f2") M rows/s | | speed-up $(ratio "$f0" "$f2") | |
		| 5 reports | report_sales (rollup) vs raw GROUP BY, p50 | $rl50 ms | raw $rw50 ms | $(ratio "$rw50" "$rl50" %.0f)x faster | >= 100x: $(verdict "$(ge "$(ratio "$rw50" "$rl50")" 100)" "$(ratio "$rw50" "$rl50" %.0f)x") |
		| 5 reports | p95 ($(wc -l <"$rl") rollup runs, $(wc -l <"$rw") raw runs) | $rl95 ms | raw $rw95 ms | | < 20 ms: $(verdict "$(ge 20 "$rl95")" "$rl95 ms") |
		| 5 reports | report_sales with jit=off, p50 / p95 | $rj50 / $rj95 ms | raw (jit on) $rw50 ms | $(ratio "$rw50" "$rj50" %.0f)x faster | |
		| 5 reports | report_sales over $delta_rows uncompacted deltas (before the bulk load), p50 / p95 | $rd50 / $rd95 ms | | | |
		| 6 write cost | WAL per order, 8 clients | $wal_c bytes | baseline $wal_b bytes | $(ratio "$wal_c" "$wal_b" %.1f)x | <= 2x: $(verdict "$(ge 2 "$(ratio "$wal_c" "$wal_b")")" "$(ratio "$wal_c" "$wal_b" %.1f)x"); goal <= 1.5x: $(verdict "$(ge 1.5 "$(ratio "$wal_c" "$wal_b")")" "$(ratio "$wal_c" "$wal_b" %.1f)x") |
		| 6 write cost | rows written per order (inserted, updated, deleted; with the worker's compaction), 8 clients | $rows_c | baseline $rows_b | $(ratio "$rows_c" "$rows_b" %.1f)x | <= 25: $(verdict "$(ge 25 "$rows_c")" "$rows_c") |
		| 6 write cost | TPS with rollups, events, history, 8 clients | $u8c tps | baseline $u8b tps | $(ratio "$u8c" "$u8b") | |

		Per pair (rounds' TPS in run order, retries, failed transactions, deadlocks, WAL per transaction):

		| case | clients | writer | TPS per round | median | COMMIT ms (median) | retries | failed | deadlocks | WAL bytes/txn | rows/txn |
		|---|---|---|---|---|---|---|---|---|---|---|
	EOF
	for key in uniform/create_order/1 uniform/baseline/1 uniform/create_order/4 uniform/baseline/4 \
		uniform/create_order/8 uniform/baseline/8 zipf/create_order/8 zipf/baseline/8 \
		hot/create_order/8 hot/baseline/8 uniform/create_order/16 uniform/baseline/16 \
		hot/create_order/16 hot/baseline/16 notify/create_order_notify/8 notify/create_order/8 \
		floor/floor/8 floor/create_order/8; do
		IFS=/ read -r c w n <<<"$key"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$n" "$w" \
			"$(for t in ${TPS[$key]:-}; do printf '%.1f ' "$t"; done | sed 's/ $//')" "$(med_tps "$key")" "$(med_commit "$key")" "${RETRIES[$key]:-0}" \
			"${FAILED[$key]:-0}" "${DEADLOCKS[$key]:-0}" "$(wal_per_txn "$key")" "$(rows_per_txn "$key")"
	done
	if [ -s "$out/growth.md" ]; then
		echo
		echo "Part 8, growth: median latency of each operation with the history at two sizes (bench/growth.sh;"
		echo "4,000 open orders at both sizes, the rest closed history):"
		echo
		cat "$out/growth.md"
	fi
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		printf -- '- note: %s\n' "${NOTES[@]}"
	fi
	if [ ${#PROBLEMS[@]} -gt 0 ]; then
		echo
		printf -- '- PROBLEM: %s\n' "${PROBLEMS[@]}"
	fi
} >"$out/RESULTS.md"

echo
cat "$out/RESULTS.md"
cp "$out/RESULTS.md" "$here/RESULTS.md"
echo
echo "results saved to bench/RESULTS.md, raw output in bench/out/; bench/run.sh took ${elapsed}s"
[ ${#PROBLEMS[@]} -eq 0 ]
