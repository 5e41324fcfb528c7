#include <concord/store.h>

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/crosswalk.h>
#include <concord/text.h>

#include "store/backend.h"
#include "store/ops_rounds.h"

#include "core/banned.h"

/* cc_store_open() picks a backend by the URI's scheme; a plain path is SQLite. */
static const struct cc_store_ops *const backends[] = {
	&cc__store_sqlite,
#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
	&cc__store_postgres,
#endif
};

/* Schemes Concord knows of but this build lacks: a clear answer instead of "unknown scheme". */
static const struct {
	const char *scheme;
	const char *why;
} unbuilt[] = {
	{ .scheme = "postgresql", .why = "PostgreSQL backend not built yet" },
	{ .scheme = "postgres", .why = "PostgreSQL backend not built yet" },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool is_scheme_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

/* Length of "scheme" when uri starts with "scheme:" (two or more characters), else 0. */
static size_t scheme_len(const char *uri)
{
	size_t n = 0;

	while (is_scheme_char(uri[n], n == 0))
		n++;
	/* "C:" is a drive letter, not a scheme */
	return n >= 2 && uri[n] == ':' ? n : 0;
}

static bool scheme_is(const char *uri, size_t n, const char *scheme)
{
	return strlen(scheme) == n && strncmp(uri, scheme, n) == 0;
}

/* "64M" → 67108864; -1 when not a positive size. */
static int64_t parse_size(const char *v, size_t n)
{
	int64_t x = 0, unit = 1;

	if (n > 0) {
		switch (v[n - 1]) {
		case 'K': case 'k': unit = INT64_C(1) << 10; n--; break;
		case 'M': case 'm': unit = INT64_C(1) << 20; n--; break;
		case 'G': case 'g': unit = INT64_C(1) << 30; n--; break;
		default: break;
		}
	}
	if (n == 0 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x > 0 ? x * unit : -1;
}

/* The options after '?' of a "sqlite:PATH?k=v&k=v" URI, into o. */
static int parse_options(const char *q, struct cc_store_opts *o, struct cc_err *err)
{
	while (*q) {
		size_t len = strcspn(q, "&"), klen = strcspn(q, "=&");
		const char *v = q + klen + 1;
		size_t vlen = klen < len ? len - klen - 1 : 0;

		if (klen >= len)
			return cc_err_set(err, CC_EUSAGE, "store option '%.*s' has no value", (int)len, q);
		if (klen == 8 && !strncmp(q, "max_size", klen)) {
			if ((o->max_bytes = parse_size(v, vlen)) < 0)
				return cc_err_set(err, CC_EUSAGE,
				                  "store option max_size: '%.*s' is not a size "
				                  "(bytes, or a number with K, M or G)",
				                  (int)vlen, v);
		} else if (klen == 11 && !strncmp(q, "synchronous", klen)) {
			if (vlen == 4 && !strncmp(v, "full", 4))
				o->sync_full = true;
			else if (vlen == 6 && !strncmp(v, "normal", 6))
				o->sync_full = false;
			else
				return cc_err_set(err, CC_EUSAGE,
				                  "store option synchronous: '%.*s' is not normal or full",
				                  (int)vlen, v);
		} else {
			return cc_err_set(err, CC_EUSAGE,
			                  "unknown store option '%.*s' (known: max_size, synchronous)",
			                  (int)klen, q);
		}
		q += len + (q[len] == '&');
	}
	return 0;
}

int cc_store_open(struct cc_store **out, const char *uri, const struct cc_store_opts *opts,
                  struct cc_err *err)
{
	struct cc_store_opts o = opts ? *opts : (struct cc_store_opts){ 0 };
	size_t n;

	*out = NULL;
	if (!uri || !*uri)
		return cc_err_set(err, CC_EUSAGE, "no store given");
	if (o.busy_timeout_ms <= 0)
		o.busy_timeout_ms = 5000;
	if (!o.who || !*o.who)
		o.who = "cli";
	if ((o.flags & CC_STORE_CREATE) && (o.flags & CC_STORE_READONLY))
		return cc_err_set(err, CC_EUSAGE, "cannot create a store read-only");

	n = scheme_len(uri);
	if (n == 0)
		return backends[0]->open(out, uri, &o, err);
#if defined(CC_WITH_POSTGRES) && CC_WITH_POSTGRES
	/* libpq's short scheme */
	if (scheme_is(uri, n, "postgres"))
		return cc__store_postgres.open(out, uri + n + 1, &o, err);
#endif
	for (size_t i = 0; i < N_OF(backends); i++) {
		if (!scheme_is(uri, n, backends[i]->scheme))
			continue;
		/* "sqlite:PATH"; "sqlite://PATH" is accepted too */
		uri += n + 1;
		if (strcmp(backends[i]->scheme, "sqlite") == 0 && strncmp(uri, "//", 2) == 0)
			uri += 2;
		if (!*uri)
			return cc_err_set(err, CC_EUSAGE, "no path after '%s:'",
			                  backends[i]->scheme);
		if (strcmp(backends[i]->scheme, "sqlite") == 0 && strchr(uri, '?')) {
			char path[4096];
			size_t plen = (size_t)(strchr(uri, '?') - uri);
			int ret;

			if (plen == 0 || plen >= sizeof(path))
				return cc_err_set(err, CC_EUSAGE, "store path of %zu bytes", plen);
			memcpy(path, uri, plen);
			path[plen] = '\0';
			if ((ret = parse_options(uri + plen + 1, &o, err)) < 0)
				return ret;
			return backends[i]->open(out, path, &o, err);
		}
		return backends[i]->open(out, uri, &o, err);
	}
	for (size_t i = 0; i < N_OF(unbuilt); i++)
		if (scheme_is(uri, n, unbuilt[i].scheme))
			return cc_err_set(err, CC_EUNSUPPORTED, "%s", unbuilt[i].why);
	return cc_err_set(err, CC_EUSAGE, "unknown store scheme '%.*s' (known: sqlite, postgresql)",
	                  (int)n, uri);
}

void cc_store_close(struct cc_store *st)
{
	if (st)
		st->ops->close(st);
}

int cc_store_schema_version(struct cc_store *st, int *have_out, int *want_out, struct cc_err *err)
{
	return st->ops->schema_version(st, have_out, want_out, err);
}

int cc_store_migrate(struct cc_store *st, int *from_out, int *to_out, struct cc_err *err)
{
	int from, to;

	return st->ops->migrate(st, from_out ? from_out : &from, to_out ? to_out : &to, err);
}

int cc_store_begin(struct cc_store *st, struct cc_err *err)
{
	int ret;

	if (!st->in_request)
		return st->ops->begin(st, err);
	if ((ret = st->ops->savepoint(st, 0, err)) == 0)
		st->nest++;
	return ret;
}

int cc_store_commit(struct cc_store *st, struct cc_err *err)
{
	if (!st->in_request)
		return st->ops->commit(st, err);
	if (st->nest == 0)
		return cc_err_set(err, CC_EUSAGE, "no transaction is open");
	st->nest--;
	return st->ops->savepoint(st, 1, err);
}

void cc_store_rollback(struct cc_store *st)
{
	if (!st)
		return;
	if (!st->in_request) {
		st->ops->rollback(st);
	} else if (st->nest > 0) {
		st->nest--;
		(void)st->ops->savepoint(st, 2, NULL);
	}
}

int cc_store_begin_request(struct cc_store *st, struct cc_err *err)
{
	int ret;

	if (st->in_request)
		return cc_err_set(err, CC_EUSAGE, "a request is already open");
	if (!st->ops->savepoint)
		return cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no savepoints");
	if ((ret = st->ops->begin(st, err)) < 0)
		return ret;
	if (st->ops->lock_writers && (ret = st->ops->lock_writers(st, err)) < 0) {
		st->ops->rollback(st);
		return ret;
	}
	st->in_request = true;
	st->nest = 0;
	return 0;
}

bool cc_store_in_request(const struct cc_store *st)
{
	return st && st->in_request;
}

int cc_store_end_request(struct cc_store *st, bool commit, struct cc_err *err)
{
	if (!st->in_request)
		return cc_err_set(err, CC_EUSAGE, "no request is open");
	st->in_request = false;
	st->nest = 0;
	if (commit)
		return st->ops->commit(st, err);
	st->ops->rollback(st);
	return 0;
}

int cc_store_digest(struct cc_store *st, char out[static 65], struct cc_err *err)
{
	out[0] = '\0';
	return st->ops->digest(st, out, err);
}

int cc_store_count(struct cc_store *st, const char *table, int64_t *n_out, struct cc_err *err)
{
	*n_out = 0;
	if (!table)
		return cc_err_set(err, CC_EUSAGE, "no table given");
	return st->ops->count(st, table, n_out, err);
}

/* ---- missions ---- */

int cc_store_put_mission(struct cc_store *st, struct cc_mission *m, struct cc_err *err)
{
	if (!m->code[0])
		return cc_err_set(err, CC_EINVALID, "mission without a code");
	return st->ops->put_mission(st, m, err);
}

int cc_store_get_mission(struct cc_store *st, const char *code, struct cc_mission *out,
                         struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	return st->ops->get_mission(st, code, out, err);
}

/* ---- code lists ---- */

/* The code lists whose codes are also sectors, and their IATI SectorVocabulary codes. */
static const struct {
	const char *list;
	const char *vocabulary;
} sector_lists[] = {
	{ .list = "Sector", .vocabulary = "1" },
	{ .list = "SectorCategory", .vocabulary = "2" },
	{ .list = "IASCCluster", .vocabulary = "10" },
};

int cc_store_put_code(struct cc_store *st, const char *list, const char *code, const char *name,
                      const char *category, struct cc_err *err)
{
	const char *vocabulary = NULL;

	if (!list || !*list || !code || !*code)
		return cc_err_set(err, CC_EINVALID, "code list entry without a list or a code");
	for (size_t i = 0; i < N_OF(sector_lists); i++)
		if (strcmp(list, sector_lists[i].list) == 0)
			vocabulary = sector_lists[i].vocabulary;
	return st->ops->put_code(st, list, vocabulary, code, name, category, err);
}

int cc_store_put_code_alias(struct cc_store *st, const char *alias, const char *list,
                            const char *code, const char *scope, const char *source,
                            struct cc_err *err)
{
	if (!alias || !*alias || !list || !*list || !code || !*code)
		return cc_err_set(err, CC_EINVALID,
		                  "code alias without an alias, a list or a code");
	return st->ops->put_code_alias(st, alias, list, code, scope ? scope : "", source, err);
}

int cc_store_put_pillar(struct cc_store *st, int64_t mission_id, const char *vocabulary,
                        const char *code, enum cc_pillar pillar, struct cc_err *err)
{
	if (!cc_pillar_name((int)pillar))
		return cc_err_set(err, CC_EINVALID, "pillar %d out of range", (int)pillar);
	if (!vocabulary || !*vocabulary || !code || !*code)
		return cc_err_set(err, CC_EINVALID,
		                  "pillar mapping without a vocabulary or a code");
	return st->ops->put_pillar(st, mission_id, vocabulary, code, pillar, err);
}

int cc_store_resolve_code(struct cc_store *st, const char *list, const char *text,
                          const char *scope, char *code_out, size_t n, struct cc_err *err)
{
	if (n == 0)
		return cc_err_set(err, CC_EUSAGE, "no room for the code");
	code_out[0] = '\0';
	if (!text || !*text)
		return cc_err_set(err, CC_ENOTFOUND, "empty code in list '%s'", list);
	return st->ops->resolve_code(st, list, text, scope ? scope : "", code_out, n, err);
}

int cc_store_sector_id(struct cc_store *st, const char *vocabulary, const char *code,
                       int64_t *id_out, struct cc_err *err)
{
	*id_out = 0;
	return st->ops->sector_id(st, vocabulary, code, id_out, err);
}

/* ---- areas ---- */

int cc_store_put_area(struct cc_store *st, struct cc_area *a, const void *wkb, size_t len,
                      struct cc_err *err)
{
	struct cc_buf norm = CC_BUF_INIT(0);
	int ret;

	if (!a->pcode[0])
		return cc_err_set(err, CC_EINVALID, "area without a P-code");
	ret = cc_text_norm(a->name, &norm);
	if (ret == CC_EPARSE)
		ret = cc_err_set(err, ret, "name of area '%s' is not valid UTF-8", a->pcode);
	else if (ret < 0)
		ret = cc_err_set(err, ret, "out of memory");
	if (ret < 0)
		goto out_release;
	ret = st->ops->put_area(st, a, norm.buf, wkb, wkb ? len : 0, err);
out_release:
	cc_buf_release(&norm);
	return ret;
}

int cc_store_find_area(struct cc_store *st, const char *pcode, struct cc_area *out,
                       struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	return st->ops->find_area(st, pcode, out, err);
}

int cc_store_find_area_by_name(struct cc_store *st, int64_t parent_id, int level,
                               const char *name_norm, struct cc_area *out, struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	return st->ops->find_area_by_name(st, parent_id, level, name_norm, out, err);
}

int cc_store_put_area_alias(struct cc_store *st, int64_t area_id, const char *alias_norm,
                            const char *source, struct cc_err *err)
{
	if (!alias_norm || !*alias_norm)
		return cc_err_set(err, CC_EINVALID, "empty area alias");
	return st->ops->put_area_alias(st, area_id, alias_norm, source, err);
}

int cc_store_set_area_parent(struct cc_store *st, int64_t area_id, int64_t parent_id,
                             struct cc_err *err)
{
	if (area_id == parent_id && area_id != 0)
		return cc_err_set(err, CC_EINVALID, "area %lld cannot be its own parent",
		                  (long long)area_id);
	return st->ops->set_area_parent(st, area_id, parent_id, err);
}

int cc_store_list_areas(struct cc_store *st, const struct cc_area_filter *f, struct cc_area **out,
                        size_t *n_out, struct cc_err *err)
{
	struct cc_area_filter any = { .level = -1 };

	*out = NULL;
	*n_out = 0;
	return st->ops->list_areas(st, f ? f : &any, out, n_out, err);
}

int cc_store_area_geometry(struct cc_store *st, int64_t area_id, void **wkb_out, size_t *len_out,
                           struct cc_err *err)
{
	*wkb_out = NULL;
	*len_out = 0;
	return st->ops->area_geometry(st, area_id, wkb_out, len_out, err);
}

/* ---- organisations ---- */

void cc_store_set_actor(struct cc_store *st, const char *who)
{
	snprintf(st->actor, sizeof(st->actor), "%s", who ? who : "");
}

int cc_store_put_org(struct cc_store *st, struct cc_org *o, struct cc_err *err)
{
	if (!o->key[0])
		return cc_err_set(err, CC_EINVALID, "organisation without a key");
	return st->ops->put_org(st, o, err);
}

int cc_store_find_org(struct cc_store *st, int64_t mission_id, const char *alias_norm,
                      struct cc_org *out, struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	return st->ops->find_org(st, mission_id, alias_norm, out, err);
}

int cc_store_put_org_alias(struct cc_store *st, int64_t mission_id, int64_t org_id,
                           const char *alias_norm, struct cc_err *err)
{
	if (!alias_norm || !*alias_norm)
		return cc_err_set(err, CC_EINVALID, "empty organisation alias");
	return st->ops->put_org_alias(st, mission_id, org_id, alias_norm, err);
}

/* ---- sources and imports ---- */

int cc_store_get_source(struct cc_store *st, int64_t mission_id, const char *name,
                        struct cc_source *out, struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	return st->ops->get_source(st, mission_id, name, out, err);
}

int cc_store_put_source(struct cc_store *st, struct cc_source *s, struct cc_err *err)
{
	if (!s->name[0])
		return cc_err_set(err, CC_EINVALID, "source without a name");
	return st->ops->put_source(st, s, err);
}

int cc_store_list_sources(struct cc_store *st, int64_t mission_id, struct cc_source **out,
                          size_t *n_out, struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	return st->ops->list_sources(st, mission_id, out, n_out, err);
}

int cc_store_new_batch(struct cc_store *st, int64_t *batch_out, struct cc_err *err)
{
	*batch_out = 0;
	return st->ops->new_batch(st, batch_out, err);
}

int cc_store_put_activity(struct cc_store *st, struct cc_activity *a, int64_t batch,
                          enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	long dup_line = 0;
	enum cc_put_result res;

	return st->ops->put_activity(st, a, batch, res_out ? res_out : &res,
	                             dup_line_out ? dup_line_out : &dup_line, err);
}

int cc_store_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                          size_t *n_removed_out, struct cc_err *err)
{
	size_t n;

	return st->ops->remove_stale(st, source_id, batch, n_removed_out ? n_removed_out : &n, err);
}

int cc_store_log_change(struct cc_store *st, const struct cc_change *c, struct cc_err *err)
{
	if (!c->table || !*c->table || !c->op || !*c->op)
		return cc_err_set(err, CC_EUSAGE, "change without a table or an operation");
	return st->ops->log_change(st, c, err);
}

int cc_store_verify_log(struct cc_store *st, int64_t *n_entries_out, struct cc_err *err)
{
	int64_t n;

	return st->ops->verify_log(st, n_entries_out ? n_entries_out : &n, err);
}

/* ---- reads for analyses ---- */

/* The date whose admin layout coverage is shown on (struct cc_coverage_query.layout). */
static int32_t coverage_layout(const struct cc_coverage_query *q)
{
	if (q->layout != 0)
		return q->layout;
	if (q->to != 0 && q->to != CC_DATE_NONE)
		return q->to;
	if (q->as_of != 0 && q->as_of != CC_DATE_NONE)
		return q->as_of;
	return CC_DATE_NONE;
}

int cc_store_load_coverage(struct cc_store *st, const struct cc_coverage_query *q,
                           struct cc_coverage_record **records_out, size_t *n_records_out,
                           struct cc_coverage_column **columns_out, size_t *n_columns_out,
                           struct cc_area **areas_out, size_t *n_areas_out, struct cc_err *err)
{
	*records_out = NULL;
	*n_records_out = 0;
	*columns_out = NULL;
	*n_columns_out = 0;
	*areas_out = NULL;
	*n_areas_out = 0;
	if (q->n_carried)
		*q->n_carried = 0;
	switch (q->by) {
	case CC_BY_PILLAR:
	case CC_BY_SECTOR:
	case CC_BY_CLUSTER:
		break;
	default:
		return cc_err_set(err, CC_EUSAGE, "unknown coverage column kind %d", (int)q->by);
	}
	size_t n_carried = 0;
	int ret = st->ops->load_coverage(st, q, records_out, n_records_out, columns_out,
	                                 n_columns_out, areas_out, n_areas_out, err);
	/* reporting rounds: only each organisation's latest submission for a period counts */
	if (ret == 0)
		ret = cc__rounds_filter_coverage(st, q->mission_id, q->as_of, *records_out,
		                                 n_records_out, err);
	/* across a re-districting: records of retired areas carried onto the layout of the date */
	if (ret == 0)
		ret = cc_store_crosswalk_coverage(st, coverage_layout(q), records_out,
		                                  n_records_out, areas_out, n_areas_out, &n_carried,
		                                  err);
	if (q->n_carried)
		*q->n_carried = ret == 0 ? n_carried : 0;
	if (ret < 0) {
		cc_free(*records_out);
		cc_free(*columns_out);
		cc_free(*areas_out);
		*records_out = NULL;
		*columns_out = NULL;
		*areas_out = NULL;
		*n_records_out = *n_columns_out = *n_areas_out = 0;
	}
	return ret;
}
