/*
 * The logic both store backends share, apart from their database: see backend_common.h.
 */
#include "store/backend_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>

#include "core/digest.h"
#include "core/limits.h"

#include "core/banned.h"

int cc__grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	void *p;

	if (n < *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 64;
	if (new_cap > SIZE_MAX / size)
		return CC_ENOMEM;
	p = cc_realloc(*arr, new_cap * size);
	if (!p)
		return CC_ENOMEM;
	*arr = p;
	*cap = new_cap;
	return 0;
}

/* ---- the schema ---- */

int cc__migrations_count(const struct cc__blob *list, struct cc_err *err)
{
	int n = 0;

	for (const struct cc__blob *m = list; m->name; m++, n++) {
		int v = 0;

		for (int i = 0; i < 4; i++) {
			if (m->name[i] < '0' || m->name[i] > '9') {
				v = -1;
				break;
			}
			v = v * 10 + (m->name[i] - '0');
		}
		if (v != n + 1 || m->name[4] != '_')
			return cc_err_set(err, CC_ESTORE,
			                  "migration '%s' is out of order (want %04d_)", m->name,
			                  n + 1);
	}
	return n;
}

int cc__schema_newer(int have, int want, struct cc_err *err)
{
	return cc_err_set(err, CC_ESCHEMA,
	                  "database schema version %d is newer than this program's %d; "
	                  "upgrade concord",
	                  have, want);
}

int cc__schema_usable(int have, int want, unsigned flags, struct cc_err *err)
{
	if (have > want)
		return cc__schema_newer(have, want, err);
	if (have < want && !(flags & CC_STORE_ANY_SCHEMA))
		return cc_err_set(err, CC_ESCHEMA,
		                  "database schema version %d is older than this program's %d; "
		                  "run 'concord migrate'",
		                  have, want);
	return 0;
}

/* ---- the change log ---- */

static void hash_field(struct cc_sha256 *h, const char *s)
{
	static const char sep = 0x1f; /* unit separator: ("ab","c") and ("a","bc") differ */

	if (s)
		cc_sha256_update(h, s, strlen(s));
	cc_sha256_update(h, &sep, 1);
}

static void hash_int(struct cc_sha256 *h, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	hash_field(h, buf);
}

void cc__change_hash(const struct cc__change_entry *e, char out[static 65])
{
	struct cc_sha256 h;

	cc_sha256_init(&h);
	hash_field(&h, e->prev_hash);
	hash_int(&h, e->id);
	hash_field(&h, e->at);
	hash_field(&h, e->who);
	hash_field(&h, e->tbl);
	hash_field(&h, e->op);
	hash_int(&h, e->record_id);
	hash_int(&h, e->first_id);
	hash_int(&h, e->last_id);
	hash_int(&h, e->batch);
	hash_int(&h, e->count);
	hash_int(&h, e->mission_id);
	hash_field(&h, e->releasability);
	hash_field(&h, e->detail);
	cc_sha256_final_hex(&h, out);
}

void cc__store_now_iso(char out[static 32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

void cc__change_entry_make(struct cc__change_entry *e, int64_t id, const struct cc_change *c,
                           const char *who, const char *prev, char at[static 32])
{
	cc__store_now_iso(at);
	e->id = id;
	e->at = at;
	e->who = who;
	e->tbl = c->table;
	e->op = c->op;
	e->record_id = c->record_id;
	e->first_id = c->first_id;
	e->last_id = c->last_id;
	e->batch = c->batch;
	e->count = c->count;
	e->mission_id = c->mission_id;
	e->releasability = c->releasability && *c->releasability ? c->releasability : "public";
	e->detail = c->detail && *c->detail ? c->detail : NULL;
	e->prev_hash = prev;
}

int cc__change_check(const struct cc__change_entry *e, const char *stored_hash,
                     char prev[static 65], struct cc_err *err)
{
	char hash[65];

	if (strcmp(e->prev_hash, prev) != 0)
		return cc_err_set(err, CC_EINVALID,
		                  "change log entry %lld does not follow the entry before it",
		                  (long long)e->id);
	cc__change_hash(e, hash);
	if (strcmp(hash, stored_hash) != 0)
		return cc_err_set(err, CC_EINVALID, "change log entry %lld does not match its hash",
		                  (long long)e->id);
	memcpy(prev, hash, sizeof(hash));
	return 0;
}

/* ---- the columns of the coverage read ---- */

static const char *const pillar_titles[CC_N_PILLARS] = {
	[CC_PILLAR_SECURITY] = "Security",
	[CC_PILLAR_GOVERNANCE] = "Governance",
	[CC_PILLAR_INFRASTRUCTURE] = "Infrastructure",
	[CC_PILLAR_ECONOMY] = "Economy",
	[CC_PILLAR_HUMANITARIAN] = "Humanitarian",
	[CC_PILLAR_OTHER] = "Other",
};

/* Index of sector_id in seen[0..n) (sorted by id), or where it would go as -(pos + 1). */
static long seen_find(const struct cc__cov_seen *seen, size_t n, int64_t sector_id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (seen[mid].sector_id < sector_id)
			lo = mid + 1;
		else if (seen[mid].sector_id > sector_id)
			hi = mid;
		else
			return (long)mid;
	}
	return -(long)lo - 1;
}

static int cmp_seen_code(const void *a, const void *b)
{
	const struct cc__cov_seen *x = *(const struct cc__cov_seen *const *)a;
	const struct cc__cov_seen *y = *(const struct cc__cov_seen *const *)b;

	return strcmp(x->col.code, y->col.code);
}

struct cc_coverage_record *cc__cov_add(struct cc__cov_read *r)
{
	if (cc__grow((void **)&r->recs, &r->cap_recs, r->n_recs, sizeof(*r->recs)) < 0)
		return NULL;
	return &r->recs[r->n_recs++];
}

/* Notes sector_id in r->seen, once; 0 or CC_ENOMEM. */
static int note_sector(struct cc__cov_read *r, int64_t sector_id, const char *vocabulary,
                       const char *code, const char *name)
{
	long at = seen_find(r->seen, r->n_seen, sector_id);
	size_t pos;
	struct cc__cov_seen *e;

	if (at >= 0)
		return 0;
	if (cc__grow((void **)&r->seen, &r->cap_seen, r->n_seen, sizeof(*r->seen)) < 0)
		return CC_ENOMEM;
	pos = (size_t)(-at - 1);
	memmove(&r->seen[pos + 1], &r->seen[pos], (r->n_seen - pos) * sizeof(*r->seen));
	r->n_seen++;
	e = &r->seen[pos];
	memset(e, 0, sizeof(*e));
	e->sector_id = sector_id;
	e->cluster = vocabulary && strcmp(vocabulary, "10") == 0;
	snprintf(e->col.code, sizeof(e->col.code), "%s", code);
	snprintf(e->col.name, sizeof(e->col.name), "%s", name ? name : "");
	return 0;
}

int cc__cov_place(struct cc__cov_read *r, struct cc_coverage_record *rec, enum cc_coverage_by by,
                  const char *pillar, const char *vocabulary, const char *code, const char *name)
{
	int p;

	if (by == CC_BY_PILLAR) {
		p = pillar ? cc_pillar_parse(pillar) : -1;
		rec->column = p < 0 ? CC_PILLAR_OTHER : p;
	} else if (!code) {
		r->sectorless = true;
	} else if (note_sector(r, rec->sector_id, vocabulary, code, name) < 0) {
		return CC_ENOMEM;
	}
	return 0;
}

int cc__cov_columns(struct cc__cov_read *r, enum cc_coverage_by by, struct cc_coverage_column **out,
                    size_t *n_out, struct cc_err *err)
{
	struct cc_coverage_column *cols = NULL;
	struct cc__cov_seen **order = NULL;
	size_t n_cols = 0, n_named = 0, other;
	int ret = 0;

	if (by == CC_BY_PILLAR) {
		cols = cc_alloc_array(CC_N_PILLARS, sizeof(*cols));
		if (!cols)
			return cc_err_set(err, CC_ENOMEM, "out of memory");
		for (int i = 0; i < CC_N_PILLARS; i++) {
			snprintf(cols[i].code, sizeof(cols[i].code), "%s", cc_pillar_name(i));
			snprintf(cols[i].name, sizeof(cols[i].name), "%s", pillar_titles[i]);
		}
		*out = cols;
		*n_out = CC_N_PILLARS;
		return 0;
	}

	order = cc_alloc_array(r->n_seen, sizeof(*order));
	if (!order)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n_seen; i++)
		if (by == CC_BY_SECTOR || r->seen[i].cluster)
			order[n_named++] = &r->seen[i];
	qsort(order, n_named, sizeof(*order), cmp_seen_code);
	cols = cc_alloc_array(n_named + 1, sizeof(*cols));
	if (!cols) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	other = n_named;
	for (size_t i = 0; i < r->n_seen; i++)
		r->seen[i].column = (int)other;
	for (size_t i = 0; i < n_named; i++) {
		order[i]->column = (int)i;
		cols[n_cols++] = order[i]->col;
	}
	if (by == CC_BY_CLUSTER || r->sectorless) {
		snprintf(cols[n_cols].code, sizeof(cols[n_cols].code), "other");
		snprintf(cols[n_cols].name, sizeof(cols[n_cols].name), "Other");
		n_cols++;
	}
	for (size_t i = 0; i < r->n_recs; i++) {
		long at = r->recs[i].sector_id ? seen_find(r->seen, r->n_seen, r->recs[i].sector_id)
		                               : -1;

		r->recs[i].column = at >= 0 ? r->seen[at].column : (int)other;
	}
	*out = cols;
	*n_out = n_cols;
	cols = NULL;
out_free:
	cc_free(cols);
	cc_free(order);
	return ret;
}

void cc__cov_release(struct cc__cov_read *r)
{
	cc_free(r->recs);
	cc_free(r->seen);
	r->recs = NULL;
	r->seen = NULL;
	r->n_recs = r->n_seen = 0;
	r->cap_recs = r->cap_seen = 0;
}

/* ---- pages of activities ---- */

struct act_page_priv {
	struct cc_buf strings;
	size_t *offs; /* CC__AT_N per row */
};

int cc__act_page_init(struct cc_activity_page *out, size_t limit, struct cc_err *err)
{
	struct act_page_priv *p = cc_alloc_array(1, sizeof(*p));

	out->rows = cc_alloc_array(limit, sizeof(*out->rows));
	if (p)
		p->offs = cc_alloc_array(limit * CC__AT_N, sizeof(*p->offs));
	out->priv = p;
	if (!p || !out->rows || !p->offs)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	/* room for every text of every row: the page's size is set by its row count */
	cc_buf_init(&p->strings, limit * CC__AT_N * CC_LIMIT_CSV_FIELD);
	return 0;
}

int cc__act_page_text(struct cc_activity_page *out, size_t i, enum cc__act_text f, const char *t,
                      size_t n)
{
	struct act_page_priv *p = out->priv;

	p->offs[i * CC__AT_N + f] = p->strings.len;
	if (t && cc_buf_add(&p->strings, t, n) < 0)
		return CC_ENOMEM;
	return cc_buf_addch(&p->strings, '\0');
}

void cc__act_page_fix(struct cc_activity_page *out)
{
	struct act_page_priv *p = out->priv;
	const char *b = (const char *)p->strings.buf;

	for (size_t i = 0; i < out->n_rows; i++) {
		struct cc_activity_row *r = &out->rows[i];
		const size_t *o = &p->offs[i * CC__AT_N];

		r->title = b + o[CC__AT_TITLE];
		r->description = b + o[CC__AT_DESC];
		r->status = b + o[CC__AT_STATUS];
		r->org_key = b + o[CC__AT_ORG_KEY];
		r->org_name = b + o[CC__AT_ORG_NAME];
		r->impl_name = b + o[CC__AT_IMPL];
		r->funder_name = b + o[CC__AT_FUNDER];
		r->sector_vocabulary = b + o[CC__AT_VOC];
		r->sector_code = b + o[CC__AT_CODE];
		r->sector_name = b + o[CC__AT_SECTOR];
		r->area_pcode = b + o[CC__AT_PCODE];
		r->area_name = b + o[CC__AT_AREA];
		r->currency = b + o[CC__AT_CURRENCY];
		r->owner_key = b + o[CC__AT_OWNER];
		r->source = b + o[CC__AT_SOURCE];
	}
}

void cc__act_version(struct cc_activity_page *out, size_t i, const void *digest, size_t len,
                     const char *rel)
{
	static const char hex[] = "0123456789abcdef";
	struct act_page_priv *p = out->priv;
	struct cc_activity_row *r = &out->rows[i];
	struct cc_hash128 h;
	unsigned char v[16];

	cc_hash128_init(&h);
	if (digest)
		crypto_generichash_update(&h.st, digest, len);
	cc_hash128_str(&h, rel);
	cc_hash128_i64(&h, (int64_t)r->deny);
	cc_hash128_i64(&h, r->shared);
	cc_hash128_str(&h, (const char *)p->strings.buf + p->offs[i * CC__AT_N + CC__AT_OWNER]);
	cc_hash128_final(&h, v);
	for (int k = 0; k < 16; k++) {
		r->version[2 * k] = hex[v[k] >> 4];
		r->version[2 * k + 1] = hex[v[k] & 15];
	}
	r->version[32] = '\0';
}

void cc_activity_page_release(struct cc_activity_page *page)
{
	struct act_page_priv *p = page->priv;

	if (p) {
		cc_buf_release(&p->strings);
		cc_free(p->offs);
		cc_free(p);
	}
	cc_free(page->rows);
	memset(page, 0, sizeof(*page));
}

/* ---- edits of one record ---- */

int cc__edit_activity_done(struct cc_store *st, const struct cc_activity *a, int ret, int64_t other,
                           struct cc_err *err)
{
	if (ret < 0)
		return ret;
	if (other)
		return cc_err_set(err, CC_EEXIST,
		                  "activity %lld of the same source has this organisation, area, "
		                  "sector, activity and start date",
		                  (long long)other);
	return cc_store_log_change(st,
	                           &(struct cc_change){ .table = "activity",
	                                                .op = "update",
	                                                .record_id = a->id,
	                                                .count = 1,
	                                                .mission_id = a->mission_id,
	                                                .releasability = a->releasability,
	                                                .detail = "edited one record" },
	                           err);
}

int cc__edit_observation_done(struct cc_store *st, int64_t mission_id,
                              const struct cc_observation *o, int ret, int64_t other,
                              struct cc_err *err)
{
	if (ret < 0)
		return ret;
	if (other)
		return cc_err_set(err, CC_EEXIST,
		                  "observation %lld has this indicator, area, sex, age group and "
		                  "period_end",
		                  (long long)other);
	return cc_store_log_change(st,
	                           &(struct cc_change){ .table = "observation",
	                                                .op = "update",
	                                                .record_id = o->id,
	                                                .count = 1,
	                                                .mission_id = mission_id,
	                                                .detail = "edited one record" },
	                           err);
}
