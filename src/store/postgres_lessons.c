/*
 * The lessons register on PostgreSQL: tables lesson and lesson_link with SQLite's names,
 * columns and ids (migration pg/0005_learn.sql), as sqlite_lessons.c does on SQLite.
 *
 * Who sees a lesson is decided in C by cc_visible() from its marking (cc__pg_row_visible). The
 * search does not use PostgreSQL's text search: its stemming (Snowball), its parser and its
 * ranking differ from SQLite's FTS5 (porter, unicode61, bm25), so that the same words would
 * find other lessons in another order. The search reads every lesson's indexed text and ranks
 * it with FTS5 itself (lessons_rank.c), the function SQLite's store ranks with: the same hits,
 * order, ranks and snippets on both backends. A register is hundreds of lessons, not millions.
 */
#include "store/ops_lessons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/visibility.h>

#include "store/lessons_rank.h"
#include "store/postgres_int.h"

#include "core/banned.h"

/* every writer of lessons takes it, so that a new lesson's id (the highest plus one, as SQLite
   gives a rowid) is taken once */
#define LOCK_LESSON "SELECT pg_advisory_xact_lock(4242050)"

#define L_COLS                                                                                    \
	"l.id, l.mission_id, m.code, l.key, l.title, l.observation, l.discussion, l.conclusion, " \
	"l.recommendation, l.pillars, l.areas, l.tags, l.date, l.source, l.status, l.owner, "     \
	"l.releasability"
#define L_N_COLS 17
/* the columns cc__pg_row_visible reads, after L_COLS */
#define L_MARK   "l.id, l.mission_id, l.owner_id, l.releasability, l.deny, l.shared"
#define L_FROM   " FROM lesson l LEFT JOIN mission m ON m.id = l.mission_id "

static void read_lesson(const PGresult *res, int r, struct cc_lesson *l)
{
	int status = cc_lesson_status_parse(cc__pg_cstr(res, r, 14));

	memset(l, 0, sizeof(*l));
	l->id = cc__pg_col_i64(res, r, 0);
	l->mission_id = cc__pg_col_i64(res, r, 1);
	cc__pg_col_str(res, r, 2, l->mission, sizeof(l->mission));
	cc__pg_col_str(res, r, 3, l->key, sizeof(l->key));
	cc__pg_col_str(res, r, 4, l->title, sizeof(l->title));
	cc__pg_col_str(res, r, 5, l->observation, sizeof(l->observation));
	cc__pg_col_str(res, r, 6, l->discussion, sizeof(l->discussion));
	cc__pg_col_str(res, r, 7, l->conclusion, sizeof(l->conclusion));
	cc__pg_col_str(res, r, 8, l->recommendation, sizeof(l->recommendation));
	cc__pg_col_str(res, r, 9, l->pillars, sizeof(l->pillars));
	cc__pg_col_str(res, r, 10, l->areas, sizeof(l->areas));
	cc__pg_col_str(res, r, 11, l->tags, sizeof(l->tags));
	l->date = cc__pg_col_date(res, r, 12);
	cc__pg_col_str(res, r, 13, l->source, sizeof(l->source));
	l->status = (enum cc_lesson_status)(status < 0 ? 0 : status);
	cc__pg_col_str(res, r, 15, l->owner, sizeof(l->owner));
	cc__pg_col_str(res, r, 16, l->releasability, sizeof(l->releasability));
}

static void read_link(const PGresult *res, int r, struct cc_lesson_link *k)
{
	int kind = cc_evidence_kind_parse(cc__pg_cstr(res, r, 2));

	memset(k, 0, sizeof(*k));
	cc__pg_col_str(res, r, 0, k->key, sizeof(k->key));
	cc__pg_col_str(res, r, 1, k->title, sizeof(k->title));
	k->kind = (enum cc_evidence_kind)(kind < 0 ? 0 : kind);
	cc__pg_col_str(res, r, 3, k->ref, sizeof(k->ref));
}

/* ---- writes ---- */

/* $1 … $15 the lesson's fields as SQLite's statements bind them, $16 its digest */
static void lesson_params(struct cc__pg_params *p, const struct cc_lesson *l, const char *digest)
{
	cc__pg_id(p, l->mission_id);
	cc__pg_text(p, l->key);
	cc__pg_text(p, l->title);
	cc__pg_text(p, l->observation);
	cc__pg_text(p, l->discussion);
	cc__pg_text(p, l->conclusion);
	cc__pg_text(p, l->recommendation);
	cc__pg_text(p, l->pillars);
	cc__pg_text(p, l->areas);
	cc__pg_text(p, l->tags);
	cc__pg_date(p, l->date);
	cc__pg_text(p, l->source);
	cc__pg_text(p, cc_lesson_status_name((int)l->status));
	cc__pg_text(p, l->owner);
	cc__pg_text(p, l->releasability);
	cc__pg_text(p, digest);
}

static const char sql_insert[] =
        "INSERT INTO lesson (id, mission_id, key, title, observation, discussion, conclusion, "
        "recommendation, pillars, areas, tags, date, source, status, owner, releasability, "
        "digest) VALUES ($17::bigint, $1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11::integer, $12, $13, $14, coalesce($15, 'public'), $16)";
static const char sql_update[] =
        "UPDATE lesson SET mission_id = $1::bigint, title = $3, observation = $4, "
        "discussion = $5, conclusion = $6, recommendation = $7, pillars = $8, areas = $9, "
        "tags = $10, date = $11::integer, source = $12, status = $13, owner = $14, "
        "releasability = coalesce($15, 'public'), digest = $16 WHERE key = $2";

static int log_put(struct cc_store *st, const struct cc_lesson *l, const char *table,
                   const char *op, struct cc_err *err)
{
	char detail[128];
	struct cc_change c = { .table = table,
		               .op = op,
		               .record_id = l->id,
		               .count = 1,
		               .mission_id = l->mission_id,
		               .releasability = l->releasability[0] ? l->releasability : NULL,
		               .detail = detail };

	snprintf(detail, sizeof(detail), "lesson %s", l->key);
	return cc_store_log_change(st, &c, err);
}

/* The stored lesson with key: 0 found (id, digest, status), 1 none, < 0 error. */
static int find(struct cc_store *st, const char *key, int64_t *id, char digest[static 65],
                int *status, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	if (!key[0])
		return 1;
	cc__pg_str(&p, key);
	if ((ret = cc__pg_exec(st, "SELECT id, digest, status FROM lesson WHERE key = $1", &p,
	                       false, &res, err)) < 0)
		return ret;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 1;
	}
	*id = cc__pg_col_i64(res, 0, 0);
	cc__pg_col_str(res, 0, 1, digest, 65);
	*status = cc_lesson_status_parse(cc__pg_cstr(res, 0, 2));
	PQclear(res);
	return 0;
}

static bool has_link(const struct cc_lesson_link *links, size_t n, const char *kind,
                     const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cc_evidence_kind_name((int)links[i].kind), kind) &&
		    !strcmp(links[i].ref, ref))
			return true;
	return false;
}

/* True when the stored links of lesson id are exactly links (as sets). */
static int same_links(struct cc_store *st, int64_t id, const struct cc_lesson_link *links,
                      size_t n_links, bool *same_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret, n;

	cc__pg_i64(&p, id);
	if ((ret = cc__pg_exec(st, "SELECT kind, ref FROM lesson_link WHERE lesson_id = $1", &p,
	                       false, &res, err)) < 0)
		return ret;
	n = PQntuples(res);
	/* links has no duplicates (the caller's set may: then the counts differ and we rewrite) */
	*same_out = (size_t)n == n_links;
	for (int r = 0; r < n && *same_out; r++)
		*same_out = has_link(links, n_links, cc__pg_cstr(res, r, 0), cc__pg_cstr(res, r, 1));
	PQclear(res);
	return 0;
}

static int write_links(struct cc_store *st, int64_t id, const struct cc_lesson_link *links,
                       size_t n_links, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int ret;

	cc__pg_i64(&p, id);
	if ((ret = cc__pg_write(st, "DELETE FROM lesson_link WHERE lesson_id = $1", &p, err)) < 0)
		return ret;
	for (size_t i = 0; i < n_links; i++) {
		p = (struct cc__pg_params)CC__PG_PARAMS_INIT;
		cc__pg_i64(&p, id);
		cc__pg_str(&p, cc_evidence_kind_name((int)links[i].kind));
		cc__pg_str(&p, links[i].ref);
		ret = cc__pg_write(st,
		                   "INSERT INTO lesson_link (lesson_id, kind, ref) VALUES ($1, $2, "
		                   "$3) ON CONFLICT DO NOTHING",
		                   &p, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A new lesson: its id the highest plus one (under LOCK_LESSON), its key LL-NNNN if none. */
static int insert(struct cc_store *st, struct cc_lesson *l, const char *digest,
                  struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	if ((ret = cc__pg_exec(st, "SELECT coalesce(max(id), 0) + 1 FROM lesson", NULL, false,
	                       &res, err)) < 0)
		return ret;
	l->id = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	if (!l->key[0])
		snprintf(l->key, sizeof(l->key), "LL-%04lld", (long long)l->id);
	lesson_params(&p, l, digest);
	cc__pg_i64(&p, l->id);
	return cc__pg_write(st, sql_insert, &p, err);
}

static int put_in_tx(struct cc_store *st, struct cc_lesson *l, const char *digest,
                     const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                     enum cc_lesson_put *res, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	char old_digest[65];
	int64_t id = 0;
	int old_status = 0, ret;
	bool same = true;

	if ((ret = cc__pg_exec(st, LOCK_LESSON, NULL, false, NULL, err)) < 0)
		return ret;
	ret = find(st, l->key, &id, old_digest, &old_status, err);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		l->id = id;
		if (old_status >= 0 && !cc_lesson_transition_ok(old_status, (int)l->status)) {
			ret = cc_err_set(err, CC_EINVALID,
			                 "lesson '%s' cannot move from '%s' to '%s'", l->key,
			                 cc_lesson_status_name(old_status),
			                 cc_lesson_status_name((int)l->status));
			cc_err_at(err, NULL, 0, "status");
			return ret;
		}
		if (!keep_links && (ret = same_links(st, id, links, n_links, &same, err)) < 0)
			return ret;
		if (!strcmp(old_digest, digest) && same) {
			*res = CC_LESSON_UNCHANGED;
			return 0;
		}
		if (strcmp(old_digest, digest) != 0) {
			lesson_params(&p, l, digest);
			if ((ret = cc__pg_write(st, sql_update, &p, err)) < 0 ||
			    (ret = log_put(st, l, "lesson", "update", err)) < 0)
				return ret;
		}
		*res = CC_LESSON_UPDATED;
	} else {
		if ((ret = insert(st, l, digest, err)) < 0 ||
		    (ret = log_put(st, l, "lesson", "insert", err)) < 0)
			return ret;
		*res = CC_LESSON_ADDED;
		same = n_links == 0;
	}
	if (!keep_links && !same) {
		if ((ret = write_links(st, l->id, links, n_links, err)) < 0 ||
		    (ret = log_put(st, l, "lesson_link", "update", err)) < 0)
			return ret;
	}
	return 0;
}

static int pg_put(struct cc_store *st, struct cc_lesson *l, const char *digest,
                  const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                  enum cc_lesson_put *res_out, struct cc_err *err)
{
	enum cc_lesson_put res = CC_LESSON_UNCHANGED;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = put_in_tx(st, l, digest, links, n_links, keep_links, &res, err);
	ret = cc__pg_tx_leave(st, own, ret, err);
	if (ret == 0 && res_out)
		*res_out = res;
	return ret;
}

/* ---- reads ---- */

static int pg_get(struct cc_store *st, const char *key, struct cc_lesson *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	bool own, found;
	int ret;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "lesson", &sh, err)) < 0)
		goto out;
	cc__pg_str(&p, key);
	if ((ret = cc__pg_exec(st, "SELECT " L_COLS ", " L_MARK L_FROM "WHERE l.key = $1", &p,
	                       false, &res, err)) < 0)
		goto out;
	found = PQntuples(res) == 1 && cc__pg_row_visible(st, &sh, res, 0, L_N_COLS, NULL);
	if (found)
		read_lesson(res, 0, out);
	else
		ret = cc_err_set(err, CC_ENOTFOUND, "no lesson '%s'", key);
	PQclear(res);
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_list(struct cc_store *st, const struct cc_lesson_filter *f, struct cc_lesson **out,
                   size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_lesson *v = NULL;
	PGresult *res = NULL;
	size_t n_rows = 0, n = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "lesson", &sh, err)) < 0)
		goto out;
	cc__pg_text(&p, f->pillar >= 0 ? cc_pillar_name(f->pillar) : NULL);
	cc__pg_text(&p, f->status >= 0 ? cc_lesson_status_name(f->status) : NULL);
	cc__pg_id(&p, f->mission_id);
	ret = cc__pg_rows(st,
	                  "SELECT " L_COLS ", " L_MARK L_FROM
	                  "WHERE ($1::text IS NULL OR strpos(',' || l.pillars || ',', ',' || $1 "
	                  "|| ',') > 0) AND ($2::text IS NULL OR l.status = $2) AND ($3::bigint "
	                  "IS NULL OR l.mission_id = $3) ORDER BY l.key",
	                  &p, sizeof(*v), &res, (void **)&v, &n_rows, err);
	if (ret < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++)
		if (cc__pg_row_visible(st, &sh, res, (int)r, L_N_COLS, NULL))
			read_lesson(res, (int)r, &v[n++]);
	PQclear(res);
	if (!n) {
		cc_free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_links(struct cc_store *st, const char *key, struct cc_lesson_link **out,
                    size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_lesson_link *v = NULL;
	PGresult *res = NULL;
	size_t n = 0;
	int ret;

	cc__pg_str(&p, key);
	ret = cc__pg_rows(st,
	                  "SELECT l.key, l.title, k.kind, k.ref FROM lesson_link k JOIN lesson l "
	                  "ON l.id = k.lesson_id WHERE l.key = $1 ORDER BY k.kind, k.ref",
	                  &p, sizeof(*v), &res, (void **)&v, &n, err);
	if (ret < 0)
		return ret;
	for (size_t r = 0; r < n; r++)
		read_link(res, (int)r, &v[r]);
	PQclear(res);
	*out = v;
	*n_out = n;
	return 0;
}

static int pg_evidence(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                       struct cc_lesson_link **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_lesson_link *v = NULL;
	PGresult *res = NULL;
	size_t n_rows = 0, n = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "lesson", &sh, err)) < 0)
		goto out;
	cc__pg_str(&p, cc_evidence_kind_name((int)kind));
	cc__pg_str(&p, ref);
	ret = cc__pg_rows(st,
	                  "SELECT l.key, l.title, k.kind, k.ref, " L_MARK " FROM lesson_link k "
	                  "JOIN lesson l ON l.id = k.lesson_id WHERE k.kind = $1 AND k.ref = $2 "
	                  "ORDER BY l.key",
	                  &p, sizeof(*v), &res, (void **)&v, &n_rows, err);
	if (ret < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++)
		if (cc__pg_row_visible(st, &sh, res, (int)r, 4, NULL))
			read_link(res, (int)r, &v[n++]);
	PQclear(res);
	if (!n) {
		cc_free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/* Is ref a whole decimal number? Its value in *id. */
static bool ref_id(const char *ref, int64_t *id)
{
	int64_t v = 0;

	if (!ref[0] || strlen(ref) > 18)
		return false;
	for (const char *p = ref; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return true;
}

/* The activity numbered id, if the viewer sees it. */
static int activity_seen(struct cc_store *st, int64_t id, bool *found, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "activity", &sh, err)) < 0)
		goto out;
	cc__pg_i64(&p, id);
	if ((ret = cc__pg_exec(st,
	                       "SELECT x.id, x.mission_id, x.owner_id, x.releasability, x.deny, "
	                       "x.shared FROM activity x WHERE x.id = $1",
	                       &p, false, &res, err)) < 0)
		goto out;
	*found = PQntuples(res) == 1 && cc__pg_row_visible(st, &sh, res, 0, 0, NULL);
	PQclear(res);
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_evidence_exists(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                              bool *found, struct cc_err *err)
{
	/* as sqlite_lessons.c's S_HAS_*: $1 the ref (and for incidents $2 it as a number) */
	static const char *const by_kind[CC_N_EVIDENCE_KINDS] = {
		[CC_EVIDENCE_INDICATOR] = "SELECT 1 FROM indicator WHERE code = $1",
		[CC_EVIDENCE_INCIDENT] = "SELECT 1 FROM incident WHERE id = $2::bigint OR (source "
		                         "IN ('acled', 'ucdp') AND source_id = $1)",
		[CC_EVIDENCE_AREA] = "SELECT 1 FROM area WHERE pcode = $1",
		[CC_EVIDENCE_REPORT] = "SELECT 1 FROM source WHERE name = $1 UNION ALL SELECT 1 "
		                       "FROM lesson_link WHERE kind = 'report' AND ref = $1",
	};
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int64_t id = -1;
	int ret;

	*found = false;
	if ((int)kind < 0 || kind >= CC_N_EVIDENCE_KINDS)
		return cc_err_set(err, CC_EINVALID, "unknown evidence kind %d", (int)kind);
	if (kind == CC_EVIDENCE_ACTIVITY)
		return ref_id(ref, &id) ? activity_seen(st, id, found, err)
		                        : 0; /* an activity is cited by its number */
	if (kind == CC_EVIDENCE_INCIDENT)
		ref_id(ref, &id);
	if ((ret = cc__pg_flush(st, err)) < 0)
		return ret;
	cc__pg_str(&p, ref);
	if (kind == CC_EVIDENCE_INCIDENT)
		cc__pg_i64(&p, id);
	if ((ret = cc__pg_exec(st, by_kind[kind], &p, false, &res, err)) < 0)
		return ret;
	*found = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

/* ---- search ---- */

/* hits by rank, then key, as SQLite's ORDER BY r, l.key */
static int hit_cmp(const void *pa, const void *pb)
{
	const struct cc_lesson_hit *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->lesson.key, b->lesson.key);
}

static int pg_search(struct cc_store *st, const char *query, struct cc_lesson_hit **out,
                     size_t *n_out, struct cc_err *err)
{
	struct cc_buf q = CC_BUF_INIT(4096);
	struct cc__pg_shares sh = { 0 };
	struct cc__lesson_doc *docs = NULL;
	struct cc__lesson_rank *ranks = NULL;
	struct cc_lesson_hit *v = NULL;
	PGresult *res = NULL;
	size_t n_ranks = 0, n = 0;
	int n_rows;
	bool own = false, in_rx = false;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = cc__lessons_fts_query(query, &q, err)) < 0)
		goto out;
	if ((ret = cc__pg_rx_enter(st, &own, err)) < 0)
		goto out;
	in_rx = true;
	if ((ret = cc__pg_load_shares(st, "lesson", &sh, err)) < 0)
		goto out;
	/* every lesson (bm25 reads the whole index), in id order as lesson_fts holds them */
	if ((ret = cc__pg_exec(st, "SELECT " L_COLS ", " L_MARK L_FROM "ORDER BY l.id", NULL,
	                       false, &res, err)) < 0)
		goto out;
	n_rows = PQntuples(res);
	if (n_rows > 0) {
		docs = cc_alloc_array((size_t)n_rows, sizeof(*docs));
		if (!docs) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (int r = 0; r < n_rows; r++)
		docs[r] = (struct cc__lesson_doc){
			.id = cc__pg_col_i64(res, r, 0),
			.title = cc__pg_text_or_null(res, r, 4),
			.observation = cc__pg_text_or_null(res, r, 5),
			.discussion = cc__pg_text_or_null(res, r, 6),
			.conclusion = cc__pg_text_or_null(res, r, 7),
			.recommendation = cc__pg_text_or_null(res, r, 8),
			.tags = cc__pg_text_or_null(res, r, 11),
		};
	if ((ret = cc__lessons_rank(docs, (size_t)n_rows, q.buf, &ranks, &n_ranks, err)) < 0)
		goto out;
	if (n_ranks) {
		v = cc_alloc_array(n_ranks, sizeof(*v));
		if (!v) {
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < n_ranks; i++) {
		int r = (int)ranks[i].doc;

		if (!cc__pg_row_visible(st, &sh, res, r, L_N_COLS, NULL))
			continue;
		read_lesson(res, r, &v[n].lesson);
		v[n].rank = ranks[i].rank;
		memcpy(v[n].snippet, ranks[i].snippet, sizeof(v[n].snippet));
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), hit_cmp);
	else {
		cc_free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	PQclear(res);
	cc_free(v);
	cc_free(ranks);
	cc_free(docs);
	cc_free(sh.ids);
	if (in_rx)
		cc__pg_rx_leave(st, own);
	cc_buf_release(&q);
	return ret;
}

const struct cc__lessons_ops cc__pg_lessons = {
	.put = pg_put,
	.get = pg_get,
	.list = pg_list,
	.links = pg_links,
	.evidence = pg_evidence,
	.search = pg_search,
	.evidence_exists = pg_evidence_exists,
};
