# bench/lib.sh -- helpers shared by bench/run.sh and bench/growth.sh, which
# set bindir and db before sourcing it.

psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

say() { printf '==> [%4ds] %s\n' "$SECONDS" "$*"; }

# q SQL...: run statements in the database $db, print tuples only, fields
# separated by one space.
q() { "${psql[@]}" -At -F ' ' -d "$db" "$@"; }
qc() { q -c "$1"; }

# log_latencies PREFIX: the latencies (ms, one per line) of the transactions
# in pgbench's --log files PREFIX.<pid>[.<thread>] (client, transaction,
# latency in microseconds, ...), which it then removes.
log_latencies() {
	cat "$1".[0-9]* | awk '{ printf "%.3f\n", $3 / 1000 }'
	rm -f "$1".[0-9]*
}

# median: of the numbers on stdin (one per line).
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
