/*
 * The server in-process: start and stop on 127.0.0.1 port 0 with a request over a plain socket,
 * every route's handler called directly under allocation failures (each failure is CC_ENOMEM
 * with no output, no leak, the store unchanged), and the OpenAPI document against the table.
 * The HTTP behaviour seen by clients is tested end to end in tests/cli/cli-serve.sh.
 */
#include <concord/alloc.h>
#include <concord/auth.h>
#include <concord/import.h>
#include <concord/server.h>
#include <concord/store.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "server/server.h"
#include "tap.h"

static char tmpdir[64];
static char db[160];
static struct cc_store *st;
static struct cc_principal admin;
static char admin_token[CC_TOKEN_HEX];

__attribute__((destructor)) static void cleanup(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[200];

	if (!tmpdir[0])
		return;
	for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
		snprintf(p, sizeof(p), "%s%s", db, suffix[k]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static const char *data(const char *rel, char buf[static 512])
{
	const char *root = getenv("CC_SOURCE_ROOT");

	snprintf(buf, 512, "%s/%s", root ? root : ".", rel);
	return buf;
}

/* Lines of a file minus its header line: the rows of a CSV without quoted newlines. */
static long csv_rows(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n - 1;
}

TEST(setup)
{
	struct cc_err err = { 0 };
	struct cc_mission m = { .code = "AFG",
		                .name = "Afghanistan",
		                .country = "AFG",
		                .start_date = CC_DATE_NONE,
		                .end_date = CC_DATE_NONE };
	struct cc_org org = { .key = "local:CCC",
		              .name = "Civil Coordination Cell",
		              .is_local = 1 };
	struct cc_import_opts o = { .level = -1,
		                    .period_from = CC_DATE_NONE,
		                    .period_to = CC_DATE_NONE };
	struct cc_import_report rep;
	struct cc_user u;
	char path[512];
	int64_t id;
	int ret;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/t-server-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(db, sizeof(db), "%s/server.db", tmpdir);
	ret = cc_store_open(&st, db, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);
	if (ret == 0 && (ret = cc_store_begin(st, &err)) == 0 &&
	    (ret = cc_import_codelists(st, &err)) == 0 &&
	    (ret = cc_store_put_mission(st, &m, &err)) == 0)
		ret = cc_store_commit(st, &err);
	org.mission_id = m.id;
	if (ret == 0)
		ret = cc_store_put_org(st, &org, &err);
	if (ret == 0)
		ret = cc_import_areas(
		        st, data("data/cases/afghanistan/afg_global_pcodes_subset.csv", path), &o,
		        &rep, &err);
	o.level = 0;
	o.source = "partners";
	if (ret == 0)
		ret = cc_import_3w(st, data("tests/data/3w/small.csv", path), &o, &rep, &err);
	if (ret == 0)
		ret = cc_auth_add_user(st,
		                       &(struct cc_user_spec){ .org = "local:CCC",
		                                               .name = "admin",
		                                               .role = CC_ROLE_ADMIN },
		                       &u, &err);
	if (ret == 0)
		ret = cc_auth_create_token(st, u.id, 0, 0, admin_token, &id, &err);
	if (ret == 0)
		ret = cc_auth_check_token(st, admin_token, 0, &admin, &err);
	if (!check_int(ret, ==, 0)) {
		printf("# setup: %s\n", err.msg);
		exit(1);
	}
}

/* Sends one raw request to the server, returns what came back (owned, free()). */
static char *http(uint16_t port, const char *request)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t len = 0, cap = 65536;
	char *buf = calloc(1, cap);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
		close(fd);
		return buf;
	}
	while (len + 1 < cap && (n = read(fd, buf + len, cap - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

TEST(start_request_stop)
{
	struct cc_server *srv = NULL;
	struct cc_err err = { 0 };
	char req[256], *resp;

	check_int(cc_server_start(
	                  &srv, &(struct cc_server_opts){ .store = db, .host = "localhost" }, &err),
	          ==, CC_EUSAGE);
	check_int(cc_server_start(&srv, &(struct cc_server_opts){ .store = "" }, &err), ==,
	          CC_EUSAGE);
	check_int(cc_server_start(&srv, &(struct cc_server_opts){ .store = "/nonexistent/x.db" },
	                          &err),
	          ==, CC_ENOTFOUND);
	check(srv == NULL);
	if (!check_int(cc_server_start(&srv, &(struct cc_server_opts){ .store = db, .threads = 2 },
	                               &err),
	               ==, 0))
		return;
	check_int(cc_server_port(srv), >, 0);
	resp = http(cc_server_port(srv), "GET /api/health HTTP/1.1\r\nHost: t\r\n"
	                                 "Connection: close\r\n\r\n");
	check(strncmp(resp, "HTTP/1.1 200 ", 13) == 0);
	check(strstr(resp, "\r\n\r\n{\"status\":\"ok\",\"version\":\"" CC_VERSION "\"}\n") != NULL);
	free(resp);
	snprintf(req, sizeof(req),
	         "GET /api/areas/AF01 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
	         "Connection: close\r\n\r\n",
	         admin_token);
	resp = http(cc_server_port(srv), req);
	check(strncmp(resp, "HTTP/1.1 200 ", 13) == 0);
	check(strstr(resp, "\"name\":\"Kabul\"") != NULL);
	free(resp);
	cc_server_stop(srv);
	cc_server_stop(NULL);
}

TEST(start_allocation_failures)
{
	struct cc_server *srv = NULL;
	struct cc_err err = { 0 };
	long n;
	int ret = -1;

	for (n = 0; n < 10000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_server_start(&srv, &(struct cc_server_opts){ .store = db, .threads = 1 },
		                      &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		if (!check_int(ret, ==, CC_ENOMEM) || !check(srv == NULL))
			break;
	}
	printf("# cc_server_start succeeded after %ld failures\n", n);
	check_int(ret, ==, 0);
	cc_server_stop(srv);
}

/* Calls a route's handler for method and path as admin, failing allocation n first. */
static int call(const char *method, const char *path, const char *body, long n, struct cc_buf *out,
                struct cc_err *err)
{
	struct cc__req req = { .method = method, .path = path, .st = st, .who = &admin };
	struct cc_buf allow = CC_BUF_INIT(256);
	const struct cc__route *r;
	bool known;
	int ret;

	r = cc__route_find(method, path, &req, &known, &allow);
	cc_buf_release(&allow);
	if (!check(r != NULL))
		return CC_ENOTFOUND;
	if (body)
		req.body = json_loads(body, 0, NULL);
	cc_test_fail_alloc_after(n);
	ret = r->run(&req, out, err);
	cc_test_fail_alloc_after(-1);
	json_decref(req.body);
	return ret;
}

/* Runs a handler with allocation n = 0, 1, … failing until it succeeds; output parsed. */
static json_t *until_success(const char *method, const char *path, const char *body)
{
	char d0[65], d[65];
	struct cc_err err;
	long n;
	int ret = -1;
	json_t *j = NULL;

	check_int(cc_store_digest(st, d0, NULL), ==, 0);
	for (n = 0; n < 100000; n++) {
		struct cc_buf out = CC_BUF_INIT(0);

		memset(&err, 0, sizeof(err));
		ret = call(method, path, body, n, &out, &err);
		if (ret == 0) {
			json_error_t je;

			j = json_loadb(out.buf, out.len, 0, &je);
			if (!j)
				printf("# %s %s: %s: %.60s\n", method, path, je.text, out.buf);
			cc_buf_release(&out);
			break;
		}
		if (!check_int(ret, ==, CC_ENOMEM) || !check_int(out.len, ==, 0)) {
			printf("# %s %s n=%ld: %s\n", method, path, n, err.msg);
			cc_buf_release(&out);
			break;
		}
		cc_buf_release(&out);
		if (strcmp(method, "GET") == 0)
			continue; /* reads: the digest of a whole store per failure is too slow */
		check_int(cc_store_digest(st, d, NULL), ==, 0);
		if (!check_str(d, d0))
			break;
	}
	printf("# %s %s succeeded after %ld failures\n", method, path, n);
	check_int(ret, ==, 0);
	check(j != NULL);
	return j;
}

TEST(handlers_under_allocation_failures)
{
	char gaz[512], hex[CC_TOKEN_HEX], path[64];
	int64_t id = 0;
	json_t *j;

	/* jansson allocates through cc_malloc once a server has started */
	j = until_success("GET", "/api/health", NULL);
	check_str(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);

	j = until_success("GET", "/api/areas", NULL);
	/* every row of the gazetteer, plus AFG, the country its provinces name as parent */
	check_int(json_integer_value(json_object_get(j, "count")), ==,
	          csv_rows(data("data/cases/afghanistan/afg_global_pcodes_subset.csv", gaz)) + 1);
	json_decref(j);

	j = until_success("GET", "/api/areas/AF0101", NULL);
	check_str(json_string_value(json_object_get(j, "name")), "Kabul");
	check_str(json_string_value(json_object_get(j, "parent")), "AF01");
	json_decref(j);

	/* small.csv: UNICEF runs 2 WASH activities and one education activity in Kabul */
	j = until_success("GET", "/api/coverage", NULL);
	check_int(json_integer_value(json_object_get(j, "level")), ==, 1);
	json_decref(j);

	j = until_success("GET", "/api/me", NULL);
	check_str(json_string_value(json_object_get(j, "user")), "admin");
	check_str(json_string_value(json_object_get(j, "role")), "admin");
	json_decref(j);

	j = until_success("GET", "/api/openapi.json", NULL);
	check_str(json_string_value(json_object_get(j, "openapi")), "3.0.3");
	json_decref(j);

	j = until_success("POST", "/api/tokens", "{\"user\": \"admin\", \"expires_days\": 2}");
	check_int(strspn(json_string_value(json_object_get(j, "token")) ?: "", "0123456789abcdef"),
	          ==, 64);
	json_decref(j);

	check_int(cc_auth_create_token(st, admin.user.id, 0, 0, hex, &id, NULL), ==, 0);
	snprintf(path, sizeof(path), "/api/tokens/%lld", (long long)id);
	j = until_success("DELETE", path, NULL);
	check(json_is_true(json_object_get(j, "revoked")));
	json_decref(j);
	check_int(cc_auth_check_token(st, hex, 0, &(struct cc_principal){ 0 }, NULL), ==,
	          CC_EDENIED);
}

TEST(openapi_lists_the_table)
{
	struct cc_buf out = CC_BUF_INIT(0);
	size_t n_ops = 0;
	const char *path, *method;
	json_t *doc, *item, *op;

	check_int(cc_server_openapi(&out, NULL), ==, 0);
	doc = json_loadb(out.buf, out.len, 0, NULL);
	cc_buf_release(&out);
	if (!check(doc != NULL))
		return;
	json_object_foreach(json_object_get(doc, "paths"), path, item)
	{
		json_object_foreach(item, method, op)
		{
			bool found = false;

			n_ops++;
			for (size_t i = 0; i < cc__n_routes; i++)
				found |= strcmp(cc__routes[i].path, path) == 0 &&
				         strcasecmp(cc__routes[i].method, method) == 0;
			if (!check(found))
				printf("# %s %s is not in the table\n", method, path);
		}
	}
	check_int(n_ops, ==, cc__n_routes);
	json_decref(doc);
	check_int(cc_server_routes_text(&out, NULL), ==, 0);
	check(strstr(out.buf, "GET /api/areas/{pcode} viewer\n") != NULL);
	check(strncmp(out.buf, "GET /api/health none\n", 21) == 0);
	cc_buf_release(&out);
}

TEST(teardown)
{
	cc_store_close(st);
}
