/*
 * bench/listener.c -- a LISTEN client for the wake-up latency benchmark.
 *
 *   listener CONNINFO SECONDS OUTFILE
 *
 * LISTENs on salesorder_events for SECONDS and writes one line per
 * notification to OUTFILE: the payload (the outbox horizon the background
 * worker announced) and the wall-clock time it arrived, in microseconds
 * since the epoch.  bench/run.sh compares the arrival times with the commit
 * timestamps of the events (track_commit_timestamp) to get the latency from
 * a commit to a consumer's wake-up.  Built by bench/run.sh with libpq.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "libpq-fe.h"

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;
	FILE	   *out;
	long long	deadline;
	long		count = 0;

	if (argc != 4)
	{
		fprintf(stderr, "usage: %s CONNINFO SECONDS OUTFILE\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "listener: %s", PQerrorMessage(conn));
		return 1;
	}
	res = PQexec(conn, "LISTEN salesorder_events");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "listener: LISTEN failed: %s", PQerrorMessage(conn));
		return 1;
	}
	PQclear(res);
	out = fopen(argv[3], "w");
	if (out == NULL)
	{
		fprintf(stderr, "listener: cannot write %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	/* Ready: whoever started us may begin writing. */
	printf("listening\n");
	fflush(stdout);

	deadline = now_us() + atoll(argv[2]) * 1000000LL;
	while (now_us() < deadline)
	{
		int			sock = PQsocket(conn);
		fd_set		in;
		struct timeval tv = {0, 100000};
		PGnotify   *n;

		FD_ZERO(&in);
		FD_SET(sock, &in);
		if (select(sock + 1, &in, NULL, NULL, &tv) < 0 && errno != EINTR)
		{
			fprintf(stderr, "listener: select: %s\n", strerror(errno));
			return 1;
		}
		if (!PQconsumeInput(conn))
		{
			fprintf(stderr, "listener: %s", PQerrorMessage(conn));
			return 1;
		}
		while ((n = PQnotifies(conn)) != NULL)
		{
			fprintf(out, "%s\t%lld\n", n->extra, now_us());
			count++;
			PQfreemem(n);
		}
	}
	fclose(out);
	PQfinish(conn);
	fprintf(stderr, "listener: %ld notifications\n", count);
	return 0;
}
