/*
 * bench/api/fixed.c: the ceiling of the API benchmark. A libmicrohttpd daemon started with the
 * same flags as `concord serve` (an internal polling thread pool on epoll, the same number of
 * threads, the same connection timeout) that answers every request with one fixed JSON body and
 * the same response headers, doing nothing else: no routing, no authentication, no store, no
 * JSON encoding, no request log.
 *
 *     fixed [--threads N] [--listen HOST:PORT] [--body FILE | --size BYTES]
 *
 * The body is FILE's bytes (run.sh passes a page the list endpoint answered, so both serve the
 * same bytes), or a generated JSON object of exactly BYTES bytes (default 2048). Prints
 * "listening on HOST:PORT" (PORT 0 picks a free one) and serves until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define MAX_BODY (16u << 20)

static struct MHD_Response *g_resp;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (!*state) { /* first call: headers only */
		*state = c;
		return MHD_YES;
	}
	if (*upload_size) { /* a body: read and drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, g_resp);
}

/* A JSON object of exactly n bytes (n >= 16), ending in a newline as Concord's bodies do. */
static char *make_body(size_t n)
{
	static const char head[] = "{\"padding\":\"", tail[] = "\"}\n";
	char *b = malloc(n);

	if (!b)
		return NULL;
	memcpy(b, head, sizeof(head) - 1);
	memset(b + sizeof(head) - 1, 'x', n - (sizeof(head) - 1) - (sizeof(tail) - 1));
	memcpy(b + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	return b;
}

static char *read_body(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = malloc(MAX_BODY);

	if (!f || !b) {
		fprintf(stderr, "fixed: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		free(b);
		return NULL;
	}
	*n = fread(b, 1, MAX_BODY, f);
	if (ferror(f) || *n == 0 || *n == MAX_BODY) {
		fprintf(stderr, "fixed: %s: unreadable, empty or larger than %u bytes\n", path,
		        MAX_BODY);
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	return b;
}

static int usage(void)
{
	fprintf(stderr, "usage: fixed [--threads N] [--listen HOST:PORT] "
	                "[--body FILE | --size BYTES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in bound;
	socklen_t blen = sizeof(bound);
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	const char *host = "127.0.0.1", *file = NULL;
	char hostbuf[INET_ADDRSTRLEN];
	unsigned long threads = 4, port = 0, size = 2048;
	sigset_t sigs;
	size_t n = 0;
	char *body;
	int sig;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!v)
			return usage();
		i++;
		if (strcmp(a, "--threads") == 0) {
			threads = strtoul(v, &end, 10);
			if (*end || threads < 1 || threads > 256)
				return usage();
		} else if (strcmp(a, "--size") == 0) {
			size = strtoul(v, &end, 10);
			if (*end || size < 16 || size > MAX_BODY)
				return usage();
		} else if (strcmp(a, "--body") == 0) {
			file = v;
		} else if (strcmp(a, "--listen") == 0) {
			const char *colon = strrchr(v, ':');

			if (!colon || (size_t)(colon - v) >= sizeof(hostbuf))
				return usage();
			memcpy(hostbuf, v, (size_t)(colon - v));
			hostbuf[colon - v] = '\0';
			host = hostbuf;
			port = strtoul(colon + 1, &end, 10);
			if (*end || port > 65535)
				return usage();
		} else {
			return usage();
		}
	}
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return usage();
	sin.sin_port = htons((unsigned short)port);

	body = file ? read_body(file, &n) : make_body(n = size);
	if (!body)
		return 1;
	g_resp = MHD_create_response_from_buffer_with_free_callback(n, body, free);
	if (!g_resp ||
	    MHD_add_response_header(g_resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") !=
	            MHD_YES ||
	    MHD_add_response_header(g_resp, "X-Request-Id", "1") != MHD_YES ||
	    MHD_add_response_header(g_resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES) {
		fprintf(stderr, "fixed: out of memory\n");
		return 1;
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                             MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
	                     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
	                     (struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
	                     (unsigned int)threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	                     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fixed: cannot listen on %s:%lu: %s\n", host, port, strerror(errno));
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) != 0) {
		fprintf(stderr, "fixed: cannot read the listening port: %s\n", strerror(errno));
		MHD_stop_daemon(d);
		return 1;
	}
	printf("listening on %s:%u\n", host, (unsigned)ntohs(bound.sin_port));
	fflush(stdout);
	while (sigwait(&sigs, &sig) != 0)
		;
	MHD_stop_daemon(d);
	MHD_destroy_response(g_resp);
	return 0;
}
