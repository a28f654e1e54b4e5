# shellcheck shell=bash
#
# Helpers for test/run.sh (and anything else that needs a throwaway
# PostgreSQL 15 server): install missing Debian packages, build and install
# the extension, start and stop a private cluster.  Sourcing this file only
# defines functions and variables; it runs nothing.
#
# The cluster lives in a fresh temp dir, listens on a Unix socket only (in
# that dir, so it can never clash with a Debian "main" cluster or another
# run), and is owned by an unprivileged user because postgres refuses root.

# The Debian path, not whatever `pg_config` is on PATH: postgresql-common
# installs a wrapper there that may pick another major version.
PG_CONFIG=${SALESORDER_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
SO_PORT=${SALESORDER_PGPORT:-54329}
SO_TMP=""		# temp dir holding data/, sock/, log/, scratch dirs
SO_DATA=""
SO_SERVER_LOG=""
SO_LOG_SAVED=""		# copy of the server log kept after SO_TMP is removed
SO_LOG_SHOWN=0
SO_KEEP=0		# 1: leave the cluster running on exit (demo keep)

# The full output of a run (package installs, suites, TAP logs) goes to
# SO_RUN_LOG; the terminal gets what a user needs.
SO_RUN_LOG=${SO_RUN_LOG:-/dev/null}

so_say() {
	printf '==> %s\n' "$*"
	printf '==> %s\n' "$*" >>"$SO_RUN_LOG"
}
so_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root can do everything itself; anyone else needs sudo for apt and install.
if [ "$(id -u)" -eq 0 ]; then SO_SUDO=(); else SO_SUDO=(sudo); fi

# Run a command as the cluster owner.  runuser only works for root; a
# non-root caller is already unprivileged and owns the cluster itself.  The
# owner may not be allowed into the checkout (e.g. under /root), so commands
# run from the temp dir unless the caller is already somewhere inside it.
so_as_owner() {
	(
		case $PWD in "$SO_TMP" | "$SO_TMP"/*) ;; *) cd "$SO_TMP" || exit ;; esac
		if [ "$(id -u)" -eq 0 ]; then
			exec runuser -u "$SO_OWNER" -- "$@"
		else
			exec "$@"
		fi
	)
}

so_pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Install only what is missing, so a machine that has everything never
# touches the network.  build-essential is judged by its tools, since a
# machine may have gcc and make without the meta-package.  Arguments are
# optional extras of one mode (the demo's gnuplot-nox for its chart): they
# are installed with the rest, but failing to get them only warns.
# SO_REQUIRED_EXTRA names packages one mode cannot do without (the tests'
# libfaketime, for the suite run with the clock moved).
SO_REQUIRED_EXTRA=()
so_install_deps() {
	local missing=() optional=() pkg updated=0
	if ! command -v gcc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
		missing+=(build-essential)
	fi
	for pkg in perl libipc-run-perl postgresql-15 postgresql-client-15 postgresql-server-dev-15 \
		"${SO_REQUIRED_EXTRA[@]}"; do
		so_pkg_installed "$pkg" || missing+=("$pkg")
	done
	for pkg in "$@"; do
		so_pkg_installed "$pkg" || optional+=("$pkg")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		so_say "installing: ${missing[*]}"
		# Installing postgresql-15 may create and start Debian's "main" cluster on
		# port 5432; it is left alone, this script never uses or stops it.
		"${SO_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
			>>"$SO_RUN_LOG" 2>&1 || so_die "apt-get update failed; see $SO_RUN_LOG"
		"${SO_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$SO_RUN_LOG" 2>&1 ||
			so_die "could not install ${missing[*]}; see $SO_RUN_LOG"
		updated=1
	fi
	if [ ${#optional[@]} -gt 0 ]; then
		so_say "installing: ${optional[*]}"
		if ! { [ "$updated" -eq 1 ] ||
			"${SO_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
				>>"$SO_RUN_LOG" 2>&1; } ||
			! "${SO_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends "${optional[@]}" >>"$SO_RUN_LOG" 2>&1; then
			so_say "could not install ${optional[*]}; going on without"
		fi
	fi
	return 0
}

so_build() {
	[ -x "$PG_CONFIG" ] || so_die "$PG_CONFIG missing after install"
	BINDIR=$("$PG_CONFIG" --bindir)
	PGXS_DIR=$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")
	export BINDIR PGXS_DIR
	so_say "building salesorder"
	make -s --no-print-directory PG_CONFIG="$PG_CONFIG" >>"$SO_RUN_LOG" 2>&1 ||
		{ tail -n 30 "$SO_RUN_LOG" >&2; so_die "the build failed; see $SO_RUN_LOG"; }
	"${SO_SUDO[@]}" make -s --no-print-directory install PG_CONFIG="$PG_CONFIG" \
		>>"$SO_RUN_LOG" 2>&1 || so_die "make install failed; see $SO_RUN_LOG"
}

# The postgres user comes with postgresql-common; fall back to a system user
# of our own if it was removed.
so_pick_owner() {
	if [ "$(id -u)" -ne 0 ]; then
		SO_OWNER=$(id -un)
	elif id postgres >/dev/null 2>&1; then
		SO_OWNER=postgres
	else
		id salesorder_test >/dev/null 2>&1 ||
			useradd --system --no-create-home --shell /usr/sbin/nologin salesorder_test
		SO_OWNER=salesorder_test
	fi
}

# so_cluster_start TAG: initdb + start, and export the client environment.
so_cluster_start() {
	so_pick_owner
	# Under /tmp rather than $TMPDIR: the owner must be able to traverse every
	# parent directory, which a caller's private TMPDIR may not allow.
	SO_TMP=$(mktemp -d "/tmp/salesorder-$1.XXXXXX")
	chmod 755 "$SO_TMP"
	SO_DATA=$SO_TMP/data
	SO_SOCK=$SO_TMP/sock
	SO_SERVER_LOG=$SO_TMP/log/server.log
	install -d -o "$SO_OWNER" -m 700 "$SO_DATA"
	install -d -o "$SO_OWNER" -m 755 "$SO_SOCK" "$SO_TMP/log"
	SO_LOG_SAVED=/tmp/salesorder-$1-server.log

	so_say "starting a throwaway cluster in $SO_TMP (owner $SO_OWNER, port $SO_PORT)"
	if ! so_as_owner "$BINDIR/initdb" -D "$SO_DATA" --auth=trust -U postgres \
		--no-sync -E UTF8 --locale=C >"$SO_TMP/initdb.log" 2>&1; then
		cat "$SO_TMP/initdb.log" >&2
		so_die "initdb failed"
	fi
	# The port only names the socket file inside our private socket dir (no
	# TCP listener), so it cannot collide with any other server.
	# pg_ctl hands -o to a shell, so it must stay on one line.
	local opts="-c listen_addresses='' -k $SO_SOCK -p $SO_PORT"
	# Tests and the demo need no durability; the benchmark measures with
	# durable commits, as a DBA runs a server (fsync and synchronous_commit
	# on, the defaults), unless SALESORDER_BENCH_FSYNC=off asks for the
	# labelled fsync=off run.
	if [ "$1" != bench ] || [ "${SALESORDER_BENCH_FSYNC:-on}" = off ]; then
		opts+=" -c fsync=off"
	fi
	opts+=" -c max_prepared_transactions=10 -c shared_buffers=256MB -c max_connections=100"
	# The library is preloaded, as in production, so that its background
	# worker runs: for the demo, the benchmark and the soak in their own
	# database; for the tests in postgres, which has no extension (the
	# worker only waits there; test/t/050_worker.pl tests it at work, and
	# the other TAP clusters run without it: the polling path).
	local worker_db=postgres
	case $1 in demo | bench | soak) worker_db=$1 ;; esac
	opts+=" -c shared_preload_libraries=salesorder -c salesorder.database=$worker_db"
	# The test cluster's backends fill memory with a pattern when glibc
	# allocates and frees it, so that a value read after its memory context
	# was released (say, after SPI_finish) shows up as garbage or a crash
	# instead of passing by luck.  Benchmarks run without it.
	SO_SERVER_OPTS=$opts
	SO_SERVER_ENV=(env)
	[ "$1" != test ] || SO_SERVER_ENV+=("MALLOC_PERTURB_=${SALESORDER_MALLOC_PERTURB:-165}")
	so_server_start

	export PGHOST=$SO_SOCK PGPORT=$SO_PORT PGUSER=postgres PGDATABASE=postgres
	export SALESORDER_BINDIR=$BINDIR
}

# so_server_start [ENV=VALUE...]: start the initialised cluster with the
# options and environment of so_cluster_start, plus the given variables.
so_server_start() {
	so_as_owner "${SO_SERVER_ENV[@]}" "$@" "$BINDIR/pg_ctl" -D "$SO_DATA" -l "$SO_SERVER_LOG" \
		-w -t 120 -o "$SO_SERVER_OPTS" start >/dev/null || so_die "the server did not start"
}

# so_server_restart_with_clock OFFSET: restart the cluster with its clock
# moved by OFFSET (libfaketime's syntax: "+400d"), for the backends and the
# worker alike; the monotonic clock that timeouts and latches use is left
# alone.  What a test prints must not move with it.
SO_FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
so_server_restart_with_clock() {
	local lib
	lib=$(dpkg -L libfaketime 2>/dev/null | grep -m 1 '/libfaketime\.so\.1$') || lib=$SO_FAKETIME_LIB
	[ -f "$lib" ] || so_die "libfaketime is missing ($lib)"
	so_as_owner "$BINDIR/pg_ctl" -D "$SO_DATA" -m fast -w stop >/dev/null ||
		so_die "the server did not stop"
	so_server_start "LD_PRELOAD=$lib" "FAKETIME=$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		FAKETIME_DONT_RESET=1
}

# so_wait_for_worker DB: the launcher starts the worker of a database
# created after the server started within a second or so; wait (up to 30 s)
# until it serves DB, so that what follows sees its wake-ups.
so_wait_for_worker() {
	local i
	for ((i = 0; i < 60; i++)); do
		if "$BINDIR/psql" -X -At -d postgres -c "SELECT 1 FROM pg_stat_activity
			WHERE backend_type = 'salesorder worker' AND datname = '$1'" | grep -q 1; then
			return 0
		fi
		sleep 0.5
	done
	so_say "the salesorder background worker does not serve database $1 yet; going on without it"
}

so_cluster_stop() {
	if [ -n "$SO_TMP" ] && [ -f "$SO_DATA/postmaster.pid" ]; then
		so_as_owner "$BINDIR/pg_ctl" -D "$SO_DATA" -m immediate stop >/dev/null 2>&1 || true
	fi
	if [ -n "$SO_TMP" ] && [ -f "$SO_SERVER_LOG" ]; then
		cp "$SO_SERVER_LOG" "$SO_LOG_SAVED" 2>/dev/null || true
	fi
}

so_show_log() {
	[ "$SO_LOG_SHOWN" -eq 0 ] || return 0
	SO_LOG_SHOWN=1
	local log=$SO_SERVER_LOG
	[ -f "$log" ] || log=$SO_LOG_SAVED
	[ -n "$log" ] && [ -f "$log" ] || return 0
	echo "---- last 50 lines of the server log (kept in $SO_LOG_SAVED) ----"
	tail -n 50 "$log"
	echo "---- end of server log ----"
}

# EXIT trap: stop the cluster we started and nothing else, and remove its dir.
so_cleanup() {
	local rc=$?
	set +e
	[ "$SO_KEEP" -eq 1 ] && return "$rc"
	so_cluster_stop
	[ "$rc" -ne 0 ] && so_show_log >&2
	[ -n "$SO_TMP" ] && rm -rf "$SO_TMP"
	return "$rc"
}
