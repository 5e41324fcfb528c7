/*
 * The HTTP JSON API: Concord as a server (libmicrohttpd, JSON through jansson).
 *
 * One const route table (src/server/routes.c) lists every endpoint with its method, path
 * pattern, handler and minimum role; the dispatcher, `concord serve --routes` and the OpenAPI 3
 * document served at GET /api/openapi.json are all generated from those rows. Each handler
 * calls the same library function as the matching CLI command and formats the same result
 * struct.
 *
 * Lifecycle: cc_server_start() binds, starts the worker threads and returns;
 * cc_server_stop() stops accepting, lets requests in flight finish (up to a grace period),
 * then joins the threads and frees everything. The server opens its own store handles from
 * opts->store (one per worker, pooled: SQLite handles are never shared between threads).
 * cc_server_start() routes jansson's allocator through cc_malloc/cc_free (process-wide).
 *
 * A successful GET carries an ETag (BLAKE2b-128 of the body; If-None-Match answers 304) and is
 * gzip-compressed when the client accepts it and the body is 1 KiB or more. Query arguments a
 * route does not document are refused (400 naming the argument), as are bodies over max_body
 * (413) and malformed JSON bodies (400 naming line, column and byte).
 *
 * Errors are JSON bodies {"error":{"code":"ENOTFOUND","message":"…","field":"…"|null}} with the
 * HTTP status that the code maps to; a bad or missing token is 401, a role too low 403.
 */
#ifndef CONCORD_SERVER_H
#define CONCORD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>

struct cc_server;

/* Called once per finished request with one log line (no newline), from a worker thread. */
typedef void cc_server_log_fn(void *ctx, const char *line);

struct cc_server_opts {
	const char *store;     /* store URI, as for cc_store_open (required) */
	const char *host;      /* IPv4 address to bind; NULL: "127.0.0.1" */
	uint16_t port;         /* 0: any free port (read it back with cc_server_port) */
	unsigned threads;      /* worker threads; 0: 4 */
	size_t max_body;       /* bytes of request body; 0: CC_SERVER_MAX_BODY */
	unsigned timeout_s;    /* idle connection timeout; 0: 30 */
	unsigned grace_ms;     /* how long stop waits for requests in flight; 0: 30000 */
	cc_server_log_fn *log; /* NULL: no request log */
	void *log_ctx;
	bool webhook_any_host; /* deliver webhooks to any host, not only the loopback */
	/* the dashboard's files, served at / (borrowed until stop); NULL: none */
	const char *web_dir;
	/*
	 * Connections served at once (live-feed subscribers included); a connection beyond them
	 * is answered 503 with Retry-After and closed, a few more are refused outright: the
	 * requests waiting for a worker are bounded by this number. 0: CC_SERVER_MAX_CONNECTIONS.
	 */
	unsigned max_connections;
	unsigned per_ip; /* connections from one address at once; 0: no limit of its own */
	/*
	 * The composite index GET /api/index computes: a definition file as `concord index
	 * --config` reads (borrowed until stop); NULL: every indicator with goalposts, equally.
	 */
	const char *index_config;
};

#define CC_SERVER_MAX_CONNECTIONS 512
#define CC_SERVER_RETRY_AFTER_S   1 /* the Retry-After of an overload answer, in seconds */

#define CC_SERVER_MAX_BODY (1u << 20) /* default request body cap: 1 MiB */

/*
 * Starts the server. Returns 0 and *out, CC_EUSAGE for a bad host or missing store,
 * CC_EIO when the address cannot be bound (message says why), CC_ENOMEM, or the error of
 * opening the store (checked once at start so that a bad store fails here, not per request).
 */
CC_API int cc_server_start(struct cc_server **out, const struct cc_server_opts *opts,
                           struct cc_err *err);
/* The port the server listens on (the one chosen when opts->port was 0). */
CC_API uint16_t cc_server_port(const struct cc_server *srv);
/*
 * Stops accepting connections, waits until the requests in flight have been answered (at most
 * grace_ms), then stops the workers and frees the server. Accepts NULL.
 */
CC_API void cc_server_stop(struct cc_server *srv);

/*
 * The directory of the built dashboard: web/ next to the program (a build directory), else the
 * installed data directory; one that holds index.html. 0 with the path in out (size n), or
 * CC_ENOTFOUND with out "" when neither has it.
 */
CC_API int cc_server_default_web_dir(char *out, size_t n);

/* One line per route of the table, "METHOD PATH ROLE\n", in table order. */
CC_API int cc_server_routes_text(struct cc_buf *out, struct cc_err *err);
/* The OpenAPI 3 document of the route table, as served at /api/openapi.json. */
CC_API int cc_server_openapi(struct cc_buf *out, struct cc_err *err);

#endif
