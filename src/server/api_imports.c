/*
 * Imports by upload: POST /api/imports/{kind}?name=FILE runs the importer the command line
 * runs (`concord import KIND FILE`) on the uploaded file, in one transaction and idempotently
 * (the same file again changes nothing), and answers the summary with every rejected row as
 * {line, field, message}. When rows were rejected and nothing was stored (strict, or every row
 * bad) the status is 422, as the command line's exit status 3 says "look at the rejects".
 *
 * The importers read files, so the upload is written to a private temporary directory first
 * and removed after. The body is {"content": TEXT}, the file's text as a JSON string (the
 * server parses every body as JSON); the server's body limit applies to it (413).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concord/events.h>
#include <concord/feedback.h>
#include <concord/iati.h>
#include <concord/import.h>
#include <concord/indicators.h>
#include <concord/lessons.h>
#include <concord/needs.h>
#include <concord/survey.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "io/csv.h"
#include "server/server.h"

#include "core/banned.h"


#define MAX_REJECTS 1000 /* rejected rows listed in one answer; the count has them all */

/* An importer, with the request for the options only some kinds take. */
typedef int import_fn(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                      const struct cc__req *req, struct cc_import_report *rep, struct cc_err *err);

#define PLAIN(name, fn)                                                                           \
	static int name(struct cc_store *st, const char *path, const struct cc_import_opts *opts, \
	                const struct cc__req *req, struct cc_import_report *rep,                  \
	                struct cc_err *err)                                                       \
	{                                                                                         \
		(void)req;                                                                        \
		return fn(st, path, opts, rep, err);                                              \
	}
PLAIN(import_3w, cc_import_3w)
PLAIN(import_needs, cc_import_needs)
PLAIN(import_population, cc_import_population)
PLAIN(import_indicators, cc_import_indicators)
PLAIN(import_benchmarks, cc_import_benchmarks)
PLAIN(import_observations, cc_import_observations)
PLAIN(import_iati, cc_import_iati)
#undef PLAIN

static int import_events(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                         const struct cc__req *req, struct cc_import_report *rep,
                         struct cc_err *err)
{
	(void)req;
	return cc_import_events(st, path, opts, &(struct cc_events_opts){ 0 }, rep, err);
}

static int import_lessons(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                          const struct cc__req *req, struct cc_import_report *rep,
                          struct cc_err *err)
{
	(void)req;
	return cc_import_lessons(st, &path, 1, opts, rep, err);
}

static int import_feedback(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                           const struct cc__req *req, struct cc_import_report *rep,
                           struct cc_err *err)
{
	return cc_import_feedback(st, path, opts, cc__req_query(req, "personal"), rep, err);
}

static int import_survey(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                         const struct cc__req *req, struct cc_import_report *rep,
                         struct cc_err *err)
{
	struct cc_survey_import_opts so = { .wave = cc__req_query(req, "wave"),
		                            .weight_column = cc__req_query(req, "weight"),
		                            .area_columns = cc__req_query(req, "area_column"),
		                            .id_column = cc__req_query(req, "id_column"),
		                            .personal = cc__req_query(req, "personal") };

	return cc_import_survey(st, path, opts, &so, rep, err);
}

/*
 * T_ONE_HEADER: a CSV with one header row whose reader takes a header alone as a file of no
 * rows; the upload is then refused here, as `concord import` refuses it ("FILE: no rows after
 * the header"): an import of nothing is never what was meant.
 */
enum { T_MARKING = 1 << 0, T_PERSONAL = 1 << 1, T_SURVEY = 1 << 2, T_ONE_HEADER = 1 << 3 };

static const struct {
	const char *kind;
	import_fn *run;
	const char *ext; /* the file name's ending when ?name is not given */
	unsigned takes;  /* the query arguments it takes beyond the common ones */
} importers[] = {
	{ "3w", import_3w, ".csv", T_MARKING },
	{ "needs", import_needs, ".csv", 0 },
	{ "population", import_population, ".csv", 0 },
	{ "indicators", import_indicators, ".csv", T_ONE_HEADER },
	{ "benchmarks", import_benchmarks, ".csv", T_ONE_HEADER },
	{ "observations", import_observations, ".csv", T_ONE_HEADER },
	{ "events", import_events, ".csv", T_ONE_HEADER },
	{ "iati", import_iati, ".xml", 0 },
	{ "lessons", import_lessons, ".md", 0 },
	{ "feedback", import_feedback, ".csv", T_PERSONAL },
	{ "survey", import_survey, ".csv", T_SURVEY | T_PERSONAL },
};

/* The arguments only some kinds take, and which. */
static const struct {
	const char *name;
	unsigned flag;
} kind_args[] = {
	{ "releasability", T_MARKING }, { "owner", T_MARKING }, { "personal", T_PERSONAL },
	{ "wave", T_SURVEY },           { "weight", T_SURVEY }, { "area_column", T_SURVEY },
	{ "id_column", T_SURVEY },
};

/* The list of kinds, "3w, needs, …", for the OpenAPI document and messages. */
#define KINDS                                                                         \
	"3w, needs, population, indicators, benchmarks, observations, events, iati, " \
	"lessons, feedback, survey"

const struct cc__query_param cc__imports_query[] = {
	{ .name = "name",
	  .type = "string",
	  .description = "the file's name: the source the rows belong to (a re-import of the same "
	                 "name updates them); default upload.csv" },
	{ .name = "releasability",
	  .type = "string",
	  .enum_values = "public|partners|org",
	  .description = "3w: who may see the rows stored (default public)" },
	{ .name = "owner",
	  .type = "string",
	  .description = "3w: the organisation that holds the rows (default the caller's; "
	                 "another only for a coordinator)" },
	{ .name = "personal",
	  .type = "string",
	  .description =
	          "feedback, survey: columns of personal data, kept apart (\"name,phone\")" },
	{ .name = "wave", .type = "string", .description = "survey: the wave (default 1)" },
	{ .name = "weight", .type = "string", .description = "survey: the weight column" },
	{ .name = "area_column",
	  .type = "string",
	  .description = "survey: the area column(s), \"province\" or \"province,district\"" },
	{ .name = "id_column",
	  .type = "string",
	  .description = "survey: the respondent id column" },
	{ .name = "strict",
	  .type = "boolean",
	  .description = "store nothing if a row is rejected" },
	{ .name = "dry_run", .type = "boolean", .description = "validate only, store nothing" },
	{ .name = NULL },
};

struct rejects {
	json_t *list;
	size_t n;
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;
	json_t *one;

	if (r->n++ >= MAX_REJECTS || !r->list)
		return;
	one = json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)why->line, "field",
	                why->field[0] ? why->field : NULL, "message", why->msg);
	if (json_array_append_new(r->list, one) < 0) {
		json_decref(r->list);
		r->list = NULL;
	}
}

/* Whether a file name is plain: letters, digits, '.', '-', '_' and not starting with '.'. */
static bool plain_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 100 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool flag(const struct cc__req *req, const char *name)
{
	const char *v = cc__req_query(req, name);

	return v && (strcmp(v, "") == 0 || strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* The uploaded file's bytes: the body as it came, or {"content": TEXT}. */
static int upload_bytes(const struct cc__req *req, const char **data, size_t *len,
                        struct cc_err *err)
{
	json_t *b = req->body;

	if (req->raw) {
		*data = req->raw;
		*len = req->raw_len;
		return 0;
	}
	if (b && json_is_object(b))
		b = json_object_get(b, "content");
	if (!b || !json_is_string(b))
		return cc__bad_arg(err, "body", "send the file as {\"content\": TEXT}%s", "");
	*data = json_string_value(b);
	*len = json_string_length(b);
	return 0;
}

/* Writes the upload to dir/name; 0 or CC_EIO. */
static int write_upload(const char *path, const char *data, size_t len, struct cc_err *err)
{
	FILE *f = fopen(path, "wbx");

	if (!f)
		return cc_err_set(err, CC_EIO, "cannot keep the upload: %s", strerror(errno));
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return cc_err_set(err, CC_EIO, "cannot keep the upload: %s", strerror(errno));
	}
	if (fclose(f) != 0)
		return cc_err_set(err, CC_EIO, "cannot keep the upload: %s", strerror(errno));
	return 0;
}

static json_t *summary_json(const char *kind, const char *name, const struct cc_import_report *rep,
                            bool stored, json_t *rejects, size_t n_rejects)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:s, s:o, s:b}",
	                 "kind", kind, "name", name, "read", (json_int_t)rep->n_read, "added",
	                 (json_int_t)rep->n_added, "updated", (json_int_t)rep->n_updated, "removed",
	                 (json_int_t)rep->n_removed, "unchanged", (json_int_t)rep->n_unchanged,
	                 "rejected", (json_int_t)rep->n_rejected, "stored", stored, "same_file",
	                 rep->same_file, "kept_stale", rep->kept_stale, "digest", rep->digest,
	                 "rejects", rejects, "rejects_truncated", n_rejects > MAX_REJECTS);
}

/*
 * A name of the caller's organisation that the importers' --owner resolves (they look it up
 * as an alias): its key, the key without "local:", or its name; NULL when none does.
 */
static const char *own_org_ref(const struct cc__req *req)
{
	const char *key = req->who->org_key;
	const char *refs[] = { key, strncmp(key, "local:", 6) == 0 ? key + 6 : NULL,
		               req->who->org_name };
	struct cc_mission m;
	const char *found = NULL;

	if (cc_store_get_mission(req->st, req->who->mission_code, &m, NULL) < 0)
		return NULL;
	for (size_t i = 0; !found && i < sizeof(refs) / sizeof(refs[0]); i++) {
		struct cc_buf norm = CC_BUF_INIT(0);
		struct cc_org org;

		if (refs[i] && cc_text_norm(refs[i], &norm) == 0 &&
		    cc_store_find_org(req->st, m.id, norm.buf, &org, NULL) == 0 &&
		    org.id == req->who->user.org_id)
			found = refs[i];
		cc_buf_release(&norm);
	}
	return found;
}

/* Whether ref (a key or alias) names the caller's organisation. */
static bool is_own_org(const struct cc__req *req, const char *ref)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	struct cc_mission m;
	struct cc_org org;
	bool own = cc_store_get_mission(req->st, req->who->mission_code, &m, NULL) == 0 &&
	           cc_text_norm(ref, &norm) == 0 &&
	           cc_store_find_org(req->st, m.id, norm.buf, &org, NULL) == 0 &&
	           org.id == req->who->user.org_id;

	cc_buf_release(&norm);
	return own;
}

/* POST /api/imports/{kind}?name=FILE */
int cc__api_import(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *kind = cc__req_param(req, "kind"), *name = cc__req_query(req, "name");
	const char *rel = cc__req_query(req, "releasability"), *owner = cc__req_query(req, "owner");
	const char *tmp = getenv("TMPDIR"), *data = NULL;
	char dir[512], path[640], fname[128];
	struct rejects rj = { .list = json_array() };
	struct cc_import_report rep = { 0 };
	struct cc_import_opts o = { .period_from = CC_DATE_NONE,
		                    .period_to = CC_DATE_NONE,
		                    .level = -1 };
	size_t len = 0, k;
	enum cc_rel r;
	int ret;

	for (k = 0; k < sizeof(importers) / sizeof(importers[0]); k++)
		if (strcmp(importers[k].kind, kind) == 0)
			break;
	if (k == sizeof(importers) / sizeof(importers[0])) {
		json_decref(rj.list);
		cc_err_set(err, CC_ENOTFOUND, "no importer '%s'; the kinds are " KINDS, kind);
		cc_err_at(err, NULL, 0, "kind");
		return CC_ENOTFOUND;
	}
	ret = 0;
	if (name && !plain_name(name))
		ret = cc__bad_arg(err, "name", "name: '%s': a plain file name (letters, digits, . - _)",
		              name);
	for (size_t a = 0; ret == 0 && a < sizeof(kind_args) / sizeof(kind_args[0]); a++)
		if (!(importers[k].takes & kind_args[a].flag) &&
		    cc__req_query(req, kind_args[a].name))
			ret = cc__bad_arg(err, kind_args[a].name, "imports of %s do not take %s", kind,
			              kind_args[a].name);
	if (ret == 0 && rel && cc_rel_parse(rel, &r, NULL) < 0)
		ret = cc__bad_arg(err, "releasability",
		              "releasability: '%s': choose public, partners "
		              "or org",
		              rel);
	else if (ret == 0 && owner && req->who->user.role < CC_ROLE_COORDINATOR &&
	         !is_own_org(req, owner))
		ret = cc_err_set(err, CC_EDENIED,
		                 "only a coordinator imports rows for another "
		                 "organisation");
	if (ret == 0)
		ret = upload_bytes(req, &data, &len, err);
	if (ret < 0) {
		json_decref(rj.list);
		return ret;
	}
	snprintf(fname, sizeof(fname), "%s%s", name ? name : "upload",
	         name ? "" : importers[k].ext);
	snprintf(dir, sizeof(dir), "%s/concord-upload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		json_decref(rj.list);
		return cc_err_set(err, CC_EIO, "cannot keep the upload: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	ret = write_upload(path, data, len, err);
	if (ret == 0) {
		if (flag(req, "strict"))
			o.flags |= CC_IMPORT_STRICT;
		if (flag(req, "dry_run"))
			o.flags |= CC_IMPORT_DRY_RUN;
		o.mission = req->who->mission_code;
		o.source = fname;
		o.display_name = fname;
		o.on_reject = on_reject;
		o.reject_ctx = &rj;
		if (importers[k].takes & T_MARKING) {
			o.marking.releasability = rel;
			/* an editor's rows are its organisation's */
			o.marking.owner = owner ? owner : own_org_ref(req);
		}
		if ((importers[k].takes & T_ONE_HEADER) && cc_csv_header_only(path, NULL, fname, err) < 0)
			ret = CC_EPARSE;
		else
			ret = importers[k].run(req->st, path, &o, req, &rep, err);
	}
	unlink(path);
	rmdir(dir);
	if (ret < 0 && ret != CC_EREJECTED) {
		json_decref(rj.list);
		return ret;
	}
	/* rows rejected and nothing stored: the client must look at the rejects */
	if (rep.n_rejected && !rep.stored && !rep.same_file)
		req->status = 422;
	return cc__reply_json(
	        out, rj.list ? summary_json(kind, fname, &rep, rep.stored, rj.list, rj.n) : NULL,
	        err);
}
