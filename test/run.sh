#!/usr/bin/env bash
#
# test/run.sh MODE -- MODE is test, demo or bench (make test/demo/bench).
#
# Works on a fresh Debian 12 as root as well as on a ready machine: installs
# the missing packages, builds and installs the extension, starts a throwaway
# cluster as an unprivileged user, runs MODE against it, and always stops the
# cluster again (see test/lib/cluster.sh).
#
#   test   pg_regress + isolation (make installcheck), TAP (test/t/*.pl),
#          stress (executable test/stress/*.sh); ends with "N passed, N failed"
#   demo   runs demo/demo.sql in database "demo" (installs gnuplot-nox for
#          its chart); SALESORDER_DEMO_KEEP=1 leaves the cluster running
#          afterwards
#   bench  runs bench/run.sh if there is one
#   soak   runs test/soak/soak.sh in database "soak" (16 clients,
#          SALESORDER_SOAK_SECONDS, default 600)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=test/lib/cluster.sh
. "$REPO/test/lib/cluster.sh"

MODE=${1:-}
case $MODE in
test | demo | bench | soak) ;;
*)
	echo "usage: $0 test|demo|bench|soak" >&2
	exit 2
	;;
esac
cd "$REPO"

# Everything the run prints in full goes here; the terminal gets a line per
# test and the summary.
SO_RUN_LOG=${SALESORDER_RUN_LOG:-/tmp/salesorder-$MODE.log}
: >"$SO_RUN_LOG"

SUITES=(regress isolation shifted tap stress)
# The clock of the "shifted" suite: regress and isolation again, with the
# server's clock 400 days ahead, so that no test depends on the calendar.
SO_SHIFTED_CLOCK=${SALESORDER_SHIFTED_CLOCK:-+400d}
declare -A PASSED=() FAILED=()
FAILURES=()

# count SUITE NAME ok|fail
count() {
	if [ "$3" = ok ]; then
		PASSED[$1]=$((${PASSED[$1]:-0} + 1))
	else
		FAILED[$1]=$((${FAILED[$1]:-0} + 1))
		FAILURES+=("$1/$2")
	fi
}

# run_installcheck SUITE DIFFS MAKE-OVERRIDES... (DIFFS: space-separated): one half of `make
# installcheck`, so that a failing regress run does not stop isolation from
# running and each half is counted on its own.  PGXS supplies the arguments.
run_installcheck() {
	local suite=$1 diffs=$2 out=$SO_TMP/$1.out rc=0 line before name result
	shift 2
	so_say "$suite${SO_SUITE_NOTE:+ ($SO_SUITE_NOTE)}"
	make --no-print-directory installcheck PG_CONFIG="$PG_CONFIG" "$@" >"$out" 2>&1 || rc=$?
	cat "$out" >>"$SO_RUN_LOG"
	# One line per test, as pg_regress prints it.
	grep -E '^[[:space:]]*(test[[:space:]]+)?[^[:space:]]+[[:space:]]+\.\.\.[[:space:]]' "$out" |
		sed -E 's/^[[:space:]]*(test[[:space:]]+)?/    /' || true
	before=$((${PASSED[$suite]:-0} + ${FAILED[$suite]:-0}))
	while IFS= read -r line; do
		# PG <= 15: "test name ... ok 12 ms" (indented inside parallel groups);
		# anything but ok there ("FAILED", "diff: ...") is a failure.
		if [[ $line =~ ^[[:space:]]*(test[[:space:]]+)?([^[:space:]]+)[[:space:]]+\.\.\.[[:space:]]+(.*) ]]; then
			name=${BASH_REMATCH[2]} result=fail
			[[ ! ${BASH_REMATCH[3]} =~ ^(ok|failed\ \(ignored\)) ]] || result=ok
			count "$suite" "$name" "$result"
		# PG >= 16 prints TAP: "ok 1 - name 12 ms" / "not ok 2 + name"
		elif [[ $line =~ ^(not[[:space:]]+)?ok[[:space:]]+[0-9]+[[:space:]]+[-+][[:space:]]+([^[:space:]]+) ]]; then
			result=fail
			[ -n "${BASH_REMATCH[1]}" ] || result=ok
			count "$suite" "${BASH_REMATCH[2]}" "$result"
		fi
	done <"$out"
	# A driver that dies before running any test still has to fail the run.
	if [ "$rc" -ne 0 ] && [ "${FAILED[$suite]:-0}" -eq 0 ]; then
		count "$suite" "installcheck-exit-$rc" fail
	fi
	local d
	for d in $diffs; do
		if [ "$rc" -ne 0 ] && [ -f "$d" ]; then
			echo "---- $d (first 200 lines) ----"
			head -n 200 "$d"
		fi
	done
	[ $((${PASSED[$suite]:-0} + ${FAILED[$suite]:-0})) -gt "$before" ] || echo "    (no $suite tests)"
}

# Regress and isolation once more, with the server's clock moved (see
# so_server_restart_with_clock); counted as suite "shifted".
run_shifted() {
	local today
	so_server_restart_with_clock "$SO_SHIFTED_CLOCK"
	today=$("$BINDIR/psql" -X -At -c "SELECT current_date")
	# Two runs, as for the other suites, so that a regress failure does not
	# keep isolation from running.
	SO_SUITE_NOTE="regress, the server's clock at $SO_SHIFTED_CLOCK: $today" \
		run_installcheck shifted regression.diffs ISOLATION=
	SO_SUITE_NOTE="isolation, the server's clock at $SO_SHIFTED_CLOCK: $today" \
		run_installcheck shifted output_iso/regression.diffs REGRESS=
}

# TAP tests start their own clusters with initdb, which refuses root, so they
# run as the cluster owner from a copy the owner can read (the checkout may be
# somewhere like /root).
run_tap() {
	local dir=$SO_TMP/tap f name rc out subtests
	so_say "tap"
	if ! compgen -G "test/t/*.pl" >/dev/null; then
		echo "    (no tap tests)"
		return 0
	fi
	mkdir -p "$dir"
	cp -r test/t "$dir/t"
	# The README doctest (040_readme.pl) reads the README itself.
	cp README.md "$dir/"
	chown -R "$SO_OWNER" "$dir"
	for f in "$dir"/t/*.pl; do
		name=$(basename "$f")
		out=$SO_TMP/tap-$name.out
		rc=0
		(cd "$dir" && so_as_owner env PATH="$BINDIR:$PATH" \
			PERL5LIB="$PGXS_DIR/src/test/perl${PERL5LIB:+:$PERL5LIB}" \
			TESTDIR="$dir" PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			PG_CONFIG="$PG_CONFIG" prove -v "t/$name") >"$out" 2>&1 || rc=$?
		cat "$out" >>"$SO_RUN_LOG"
		subtests=$(grep -o 'Tests=[0-9]*' "$out" | tail -n 1 | cut -d= -f2 || true)
		if [ "$rc" -eq 0 ]; then
			echo "    $name: passed (${subtests:-?} subtests)"
			count tap "$name" ok
		else
			echo "    $name: FAILED (prove exit $rc, ${subtests:-?} subtests)"
			count tap "$name" fail
			local rlog=$dir/tmp_check/log/regress_log_${name%.pl}
			if [ -f "$rlog" ]; then
				echo "---- last 50 lines of $name's regress_log ----"
				tail -n 50 "$rlog"
			fi
		fi
	done
}

# Stress scripts get the cluster env, a database of their own (the cluster is
# new, so it cannot exist yet) and SALESORDER_BINDIR to find pgbench.  Each is
# bounded by a timeout so CI cannot hang.
run_stress() {
	local f name db rc
	so_say "stress"
	if ! compgen -G "test/stress/*.sh" >/dev/null; then
		echo "    (no stress tests)"
		return 0
	fi
	for f in test/stress/*.sh; do
		name=$(basename "$f" .sh)
		if [ ! -x "$f" ]; then
			echo "    $name: skipped, not executable"
			continue
		fi
		db=stress_${name//[^A-Za-z0-9_]/_}
		"$BINDIR/createdb" "$db"
		rc=0
		PGDATABASE=$db timeout "${SALESORDER_STRESS_TIMEOUT:-1200}" "$REPO/$f" 2>&1 |
			tee -a "$SO_RUN_LOG" | sed 's/^/    /' || rc=$?
		echo "    $name: exit $rc"
		if [ "$rc" -eq 0 ]; then count stress "$name" ok; else count stress "$name" fail; fi
	done
}

mode_test() {
	local s p f tp=0 tf=0
	run_installcheck regress regression.diffs ISOLATION=
	run_installcheck isolation output_iso/regression.diffs REGRESS=
	run_shifted
	run_tap
	run_stress

	so_cluster_stop
	# A failing test says what failed in its diff or TAP log; the server's
	# log is kept, not printed.
	SO_LOG_SHOWN=1
	[ ${#FAILURES[@]} -eq 0 ] || echo "the server log is kept in $SO_LOG_SAVED"

	echo
	printf '%-10s %7s %7s\n' suite passed failed
	for s in "${SUITES[@]}"; do
		p=${PASSED[$s]:-0} f=${FAILED[$s]:-0}
		printf '%-10s %7d %7d\n' "$s" "$p" "$f"
		tp=$((tp + p)) tf=$((tf + f))
	done
	printf '%-10s %7d %7d\n' total "$tp" "$tf"
	[ ${#FAILURES[@]} -eq 0 ] || echo "failed: ${FAILURES[*]}"
	echo "elapsed: ${SECONDS}s; the full output is in $SO_RUN_LOG"
	echo "$tp passed, $tf failed"
	[ "$tf" -eq 0 ]
}

mode_demo() {
	"$BINDIR/createdb" demo
	so_wait_for_worker demo
	"$BINDIR/psql" -X -v ON_ERROR_STOP=1 -d demo -f demo/demo.sql
	if [ "${SALESORDER_DEMO_KEEP:-0}" = 1 ]; then
		SO_KEEP=1 # read by so_cleanup
		cat <<-EOF

			The demo cluster is still running. Connect with:
			    PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=postgres $BINDIR/psql demo
			Stop it and remove its files with:
			    runuser -u $SO_OWNER -- $BINDIR/pg_ctl -D $SO_DATA -m fast stop && rm -rf $SO_TMP
		EOF
	fi
}

mode_bench() {
	if [ ! -f bench/run.sh ]; then
		echo "benchmarks are not there yet (no bench/run.sh)"
		return 0
	fi
	bash bench/run.sh
}

mode_soak() {
	"$BINDIR/createdb" soak
	PGDATABASE=soak SALESORDER_BINDIR="$BINDIR" bash test/soak/soak.sh
}

# Checked before anything is installed or started: there is nothing to show.
[ "$MODE" != demo ] || [ -f demo/demo.sql ] || so_die "demo/demo.sql does not exist yet"

# The demo draws its forecast chart with gnuplot when it is there.
[ "$MODE" != test ] || SO_REQUIRED_EXTRA=(libfaketime)
if [ "$MODE" = demo ]; then so_install_deps gnuplot-nox; else so_install_deps; fi
so_build
trap so_cleanup EXIT
trap 'echo interrupted >&2; exit 130' INT
trap 'exit 143' TERM
so_cluster_start "$MODE"
"mode_$MODE"
