/*
 * The dashboard's side of the server: its files (the bundle the build writes from web/) and
 * the one API route only the map needs, the admin areas' boundaries as GeoJSON.
 *
 * Files: GET or HEAD of a path outside /api/ answers the file of that name under the web
 * directory ("/" is index.html). Only plain names are served: letters, digits, '.', '-', '_'
 * and '/', no empty segment and no segment starting with '.', so neither "..", hidden files nor
 * a percent-encoded way around them (libmicrohttpd decodes the path before this sees it) can
 * leave the directory; the file itself must be a regular file and not a symbolic link. Every
 * answer carries the Content-Type of its extension, an ETag made of size and modification time
 * (If-None-Match answers 304), no-cache (so a rebuilt bundle is fetched again) and a
 * Content-Security-Policy that lets the page load only from this server: it makes no other
 * request at run time.
 */
#include <concord/server.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include <concord/alloc.h>
#include <concord/geojson.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"

/* The page may load scripts, styles, images and data from this server only. */
#define CSP                                                                               \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "     \
	"form-action 'self'; frame-ancestors 'none'"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".map", "application/json" },
	{ ".geojson", "application/geo+json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/vnd.microsoft.icon" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *content_type(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

bool cc__static_path_ok(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return false;
	while (*p) {
		/* at a '/': the segment after it must be non-empty and not start with '.' */
		p++;
		if (*p == '/' || *p == '.')
			return false;
		if (*p == '\0')
			return p == path + 1; /* "/" alone is the index; "/a/" is not a file */
		for (; *p && *p != '/'; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
				return false;
	}
	return true;
}

/* Queues the response with the headers every file answer has; 1, or -1 when MHD refuses. */
static int queue(struct MHD_Connection *c, struct MHD_Response *resp, unsigned status,
                 const char *type, const char *tag)
{
	enum MHD_Result ok;

	if ((type &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES) ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, tag) != MHD_YES ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") != MHD_YES ||
	    MHD_add_response_header(resp, "Content-Security-Policy", CSP) != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES) {
		MHD_destroy_response(resp);
		return -1;
	}
	ok = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ok == MHD_YES ? 1 : -1;
}

int cc__static_answer(struct MHD_Connection *c, const char *dir, const char *method,
                      const char *path, int *status, size_t *bytes)
{
	const char *inm;
	struct MHD_Response *resp;
	struct stat sb;
	char file[PATH_MAX], tag[64];
	int fd, n;

	if (!dir || !*dir || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
	    strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	    !cc__static_path_ok(path))
		return 0;
	n = snprintf(file, sizeof(file), "%s%s", dir, strcmp(path, "/") ? path : "/index.html");
	if (n < 0 || (size_t)n >= sizeof(file))
		return 0;
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	snprintf(tag, sizeof(tag), "\"%llx-%llx.%lx\"", (unsigned long long)sb.st_size,
	         (unsigned long long)sb.st_mtim.tv_sec, (unsigned long)sb.st_mtim.tv_nsec);
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && (strstr(inm, tag) || strcmp(inm, "*") == 0)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
		*bytes = 0;
		return resp ? queue(c, resp, MHD_HTTP_NOT_MODIFIED, NULL, tag) : -1;
	}
	/* the response owns fd from here, and closes it */
	resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (!resp) {
		close(fd);
		return -1;
	}
	*status = MHD_HTTP_OK;
	*bytes = (size_t)sb.st_size;
	return queue(c, resp, MHD_HTTP_OK, content_type(file), tag);
}

/* Whether dir/index.html is a regular file. */
static bool has_index(const char *dir)
{
	char file[PATH_MAX];
	struct stat sb;
	int n = snprintf(file, sizeof(file), "%s/index.html", dir);

	return n > 0 && (size_t)n < sizeof(file) && stat(file, &sb) == 0 && S_ISREG(sb.st_mode);
}

int cc_server_default_web_dir(char *out, size_t n)
{
	/* a build directory holds concord and web/ side by side; an installed program finds
	 * it in ../share/concord/web (meson install's bindir and datadir) */
	static const char *const rel[] = { "/web", "/../share/concord/web" };
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n)
		out[0] = '\0';
	if (len <= 0)
		return CC_ENOTFOUND;
	exe[len] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return CC_ENOTFOUND;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		int w = snprintf(out, n, "%s%s", exe, rel[i]);

		if (w > 0 && (size_t)w < n && has_index(out))
			return 0;
	}
	if (n)
		out[0] = '\0';
	return CC_ENOTFOUND;
}

/* ---- GET /api/areas.geojson ---- */

int cc__api_areas_geojson(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, "level");
	struct cc_area *areas = NULL;
	struct cc_geojson gj = { 0 };
	size_t n_areas = 0;
	int64_t level = 1;
	int ret;

	if (v && cc_parse_i64(v, 0, 5, &level, NULL) < 0) {
		cc_err_set(err, CC_EUSAGE, "level: '%s' is not a whole number from 0 to 5", v);
		cc_err_at(err, NULL, 0, "level");
		return CC_EUSAGE;
	}
	ret = cc_store_list_areas(req->st, &(struct cc_area_filter){ .level = (int)level }, &areas,
	                          &n_areas, err);
	if (ret < 0)
		return ret;
	ret = cc_geojson_begin(&gj, out, req->st);
	for (size_t i = 0; ret == 0 && i < n_areas; i++) {
		const struct cc_area *a = &areas[i];

		/* the map draws boundaries: an area without one has nothing to draw */
		if (!a->has_geom)
			continue;
		ret = cc_geojson_feature(&gj);
		if (ret == 0 && (ret = cc_geojson_area(&gj, a->id, err)) < 0)
			break;
		if (ret == 0)
			ret = cc_geojson_properties(&gj);
		if (ret == 0)
			ret = cc_buf_adds(out, "{\"pcode\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, a->pcode);
		if (ret == 0)
			ret = cc_buf_adds(out, ",\"name\":");
		if (ret == 0)
			ret = cc_buf_add_json_str(out, a->name);
		if (ret == 0)
			ret = a->population >= 0
			              ? cc_buf_addf(out, ",\"level\":%d,\"population\":%lld}",
			                            a->level, (long long)a->population)
			              : cc_buf_addf(out, ",\"level\":%d,\"population\":null}",
			                            a->level);
		if (ret == 0)
			ret = cc_geojson_feature_end(&gj);
	}
	if (ret == 0)
		ret = cc_geojson_end(&gj);
	if (ret == 0)
		ret = cc_buf_addch(out, '\n');
	cc_geojson_release(&gj);
	cc_free(areas);
	if (ret < 0 && !err->code)
		cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "answer too large");
	return ret;
}
