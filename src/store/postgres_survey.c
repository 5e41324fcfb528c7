/*
 * Surveys and feedback on PostgreSQL: the tables of migration pg/0007, SQLite's statements
 * (sqlite_survey.c) in PostgreSQL's dialect.
 *
 * Respondents and answers are many (respondents × questions), so inside a write transaction
 * they are held and decided in C, as needs are (postgres_needs.c): the first respondent of a
 * wave is looked up alone, the second reads every respondent of the wave and their answers;
 * new respondents take the next id under the survey domain's advisory lock, as SQLite gives a
 * rowid; inserts, updates, "seen by this batch" marks and answers wait and go SEND_ROWS at a
 * time, one statement of each kind over unnest() of arrays.
 *
 * Who may see a respondent or a feedback item is decided in C by cc_visible() from the row's
 * marking (cc__pg_row_visible), never by a second copy of the rule in SQL.
 *
 * Feedback search gives SQLite's answer: the same items, in the same order, with the same
 * snippets. feedback_fts holds each item's tokens as SQLite's FTS5 makes them (its own porter
 * tokenizer, reached through the fts5 API of an in-memory SQLite), as a tsvector whose weights
 * A–D are the four columns; PostgreSQL finds the matching items and counts, over every item as
 * FTS5 does, the rows, tokens and items holding each phrase; the matching items the reader may
 * see are then ranked in an in-memory FTS5 table by FTS5's bm25 fed with those counts, and
 * their snippets made by FTS5's snippet().
 */
#include "store/ops_survey.h"
#include "store/lessons_rank.h"
#include "store/postgres_held.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>
#include <concord/visibility.h>

#include "core/banned.h"

#define SEND_ROWS   CC__HELD_SEND_ROWS
#define LOCK_KEY    "4242007" /* the survey domain's advisory lock */
#define LOCK_SURVEY "SELECT pg_advisory_xact_lock(" LOCK_KEY ")"

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static const char *str0(const char *s)
{
	return s ? s : "";
}

static int nomem(struct cc_err *err)
{
	return cc_err_set(err, CC_ENOMEM, "out of memory");
}

/* ---- questions and choices ---- */

#define Q_COLS "id, mission_id, name, label, type, list_name"

static void row_question(const PGresult *res, int r, struct cc_survey_question *q)
{
	memset(q, 0, sizeof(*q));
	q->id = cc__pg_col_i64(res, r, 0);
	q->mission_id = cc__pg_col_i64(res, r, 1);
	cc__pg_col_str(res, r, 2, q->name, sizeof(q->name));
	cc__pg_col_str(res, r, 3, q->label, sizeof(q->label));
	cc__pg_col_str(res, r, 4, q->type, sizeof(q->type));
	cc__pg_col_str(res, r, 5, q->list_name, sizeof(q->list_name));
}

static int pg_find_question(struct cc_store *st, int64_t mission_id, const char *name,
                            struct cc_survey_question *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	cc__pg_i64(&p, mission_id);
	cc__pg_str(&p, name);
	ret = cc__pg_exec(st,
	                  "SELECT " Q_COLS " FROM survey_question WHERE mission_id = $1 AND name "
	                  "= $2",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	if (PQntuples(res) < 1)
		ret = cc_err_set(err, CC_ENOTFOUND, "unknown survey question '%s'", name);
	else
		row_question(res, 0, out);
	PQclear(res);
	return ret;
}

static int pg_put_question(struct cc_store *st, struct cc_survey_question *q,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_survey_question old;
	struct cc_err cause = { 0 };
	PGresult *res = NULL;
	bool own;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = pg_find_question(st, q->mission_id, q->name, &old, &cause);
	if (ret < 0 && ret != CC_ENOTFOUND) {
		cc_err_wrap(err, &cause, "cannot look up question '%s'", q->name);
		goto out_leave;
	}
	if (ret == 0) {
		/* a plain CSV says nothing of labels and types: keep what a form said */
		if (!q->label[0] && !q->type[0] && !q->list_name[0]) {
			*q = old;
			*res_out = CC_PUT_UNCHANGED;
			goto out_leave;
		}
		if (!strcmp(old.label, q->label) && !strcmp(old.type, q->type) &&
		    !strcmp(old.list_name, q->list_name)) {
			q->id = old.id;
			*res_out = CC_PUT_UNCHANGED;
			goto out_leave;
		}
	}
	*res_out = ret == 0 ? CC_PUT_UPDATED : CC_PUT_ADDED;
	cc__pg_i64(&p, q->mission_id);
	cc__pg_str(&p, q->name);
	cc__pg_text(&p, q->label);
	cc__pg_text(&p, q->type);
	cc__pg_text(&p, q->list_name);
	if (ret == 0) {
		ret = cc__pg_exec(st,
		                  "UPDATE survey_question SET label = $3, type = $4, list_name = $5 "
		                  "WHERE mission_id = $1 AND name = $2",
		                  &p, false, NULL, err);
		q->id = old.id;
		goto out_leave;
	}
	/* the next id, as SQLite gives a rowid */
	if ((ret = cc__pg_exec(st, LOCK_SURVEY, NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st,
	                       "INSERT INTO survey_question (id, mission_id, name, label, type, "
	                       "list_name) SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4, $5 "
	                       "FROM survey_question RETURNING id",
	                       &p, false, &res, err)) < 0)
		goto out_leave;
	q->id = cc__pg_col_i64(res, 0, 0);
	PQclear(res);
out_leave:
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_put_choice(struct cc_store *st, int64_t question_id, const char *code,
                         const char *label, enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own, found;
	int ret;

	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, question_id);
	cc__pg_text(&p, code);
	if ((ret = cc__pg_exec(st,
	                       "SELECT coalesce(label, '') FROM survey_choice WHERE question_id = "
	                       "$1 AND code = $2",
	                       &p, false, &res, err)) < 0)
		goto out_leave;
	found = PQntuples(res) > 0;
	if (found && !strcmp(cc__pg_cstr(res, 0, 0), str0(label))) {
		*res_out = CC_PUT_UNCHANGED;
		goto out_leave;
	}
	*res_out = found ? CC_PUT_UPDATED : CC_PUT_ADDED;
	cc__pg_text(&p, label);
	ret = cc__pg_exec(st,
	                  found ? "UPDATE survey_choice SET label = $3 WHERE question_id = $1 AND "
	                          "code = $2"
	                        : "INSERT INTO survey_choice (question_id, code, label) VALUES ($1, "
	                          "$2, $3)",
	                  &p, false, NULL, err);
out_leave:
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- respondents and answers: held, decided in C, sent many at a time ---- */

struct resp {
	int64_t id, mission_id, source_id, area_id, batch;
	long line;
	double weight;
	char *personal; /* owned, NULL none */
	char wave[64];
	char key[128];
	bool answers_known; /* the answers below are all the store has */
};

struct ans {
	int64_t rid, qid;
	enum cc_answer_status status;
	double value;
	char *code; /* owned, NULL none */
};

struct wave_seen {
	int64_t mission_id;
	char wave[64];
	bool loaded;
};

/* The respondents and answers held: a table of each; a respondent's id finds it too. */
struct survey_held {
	struct cc__held_table rows; /* first: cc__held_put makes it */
	struct cc__held_table ans;
	struct cc_map by_id; /* respondent id → row */
	struct wave_seen *waves;
	size_t n_waves, cap_waves;
};

static uint64_t resp_hash(const void *row)
{
	const struct resp *r = row;
	uint64_t h = cc__held_mix(CC__HELD_HASH_SEED, (uint64_t)r->mission_id);

	return cc__held_mix_text(cc__held_mix_text(h, r->wave), r->key);
}

static bool resp_same(const void *row, const void *probe)
{
	const struct resp *a = row, *b = probe;

	return a->mission_id == b->mission_id && !strcmp(a->wave, b->wave) &&
	       !strcmp(a->key, b->key);
}

static uint64_t ans_hash(const void *row)
{
	const struct ans *a = row;

	return cc__held_mix(cc__held_mix(CC__HELD_HASH_SEED, (uint64_t)a->rid), (uint64_t)a->qid);
}

static bool ans_same(const void *row, const void *probe)
{
	const struct ans *a = row, *b = probe;

	return a->rid == b->rid && a->qid == b->qid;
}

static const struct cc__held_ops resp_ops = { .row_size = sizeof(struct resp),
	                                      .change_size = sizeof(struct cc__held_change),
	                                      .hash = resp_hash,
	                                      .same = resp_same };
static const struct cc__held_ops ans_ops = { .row_size = sizeof(struct ans),
	                                     .change_size = sizeof(struct cc__held_change),
	                                     .hash = ans_hash,
	                                     .same = ans_same };

static void survey_drop(void *p)
{
	struct survey_held *h = p;

	if (!h)
		return;
	for (size_t i = 0; i < h->rows.n_rows; i++)
		cc_free(((struct resp *)cc__held_row(&h->rows, i))->personal);
	for (size_t i = 0; i < h->ans.n_rows; i++)
		cc_free(((struct ans *)cc__held_row(&h->ans, i))->code);
	cc__held_release(&h->rows);
	cc__held_release(&h->ans);
	cc_free(h->waves);
	cc_map_release(&h->by_id);
	cc_free(h);
}

static void id_key(char buf[24], int64_t id)
{
	snprintf(buf, 24, "%lld", (long long)id);
}

static struct resp *find_resp(struct survey_held *h, int64_t mission_id, const char *wave,
                              const char *key)
{
	struct resp k = { .mission_id = mission_id };

	snprintf(k.wave, sizeof(k.wave), "%s", wave);
	snprintf(k.key, sizeof(k.key), "%s", key);
	return cc__held_find(&h->rows, &k);
}

static struct resp *find_resp_id(struct survey_held *h, int64_t id)
{
	char k[24];
	int64_t i;

	id_key(k, id);
	return cc_map_get(&h->by_id, k, &i) == 0 ? cc__held_row(&h->rows, (size_t)i) : NULL;
}

static struct ans *find_ans(struct survey_held *h, int64_t rid, int64_t qid)
{
	return cc__held_find(&h->ans, &(struct ans){ .rid = rid, .qid = qid });
}

/* Adds a row the table does not have (r->personal becomes the table's); NULL out of memory. */
static struct resp *add_resp(struct survey_held *h, struct resp *r)
{
	struct resp *x;
	char ik[24];

	if (!(x = cc__held_add(&h->rows, r)))
		return NULL;
	id_key(ik, r->id);
	if (cc_map_put(&h->by_id, ik, (int64_t)cc__held_index(&h->rows, x)) < 0) {
		x->personal = NULL; /* still the caller's */
		return NULL;
	}
	r->personal = NULL;
	return x;
}

/* Adds (or, replace, sets) the answer; code is copied. NULL when out of memory. */
static struct ans *set_ans(struct survey_held *h, int64_t rid, int64_t qid,
                           enum cc_answer_status status, double value, const char *code,
                           bool replace)
{
	struct ans *a = find_ans(h, rid, qid);
	char *c = code && *code ? cc_strdup(code) : NULL;

	if (code && *code && !c)
		return NULL;
	if (a && !replace) {
		cc_free(c);
		return a;
	}
	if (!a && !(a = cc__held_add(&h->ans, &(struct ans){ .rid = rid, .qid = qid }))) {
		cc_free(c);
		return NULL;
	}
	cc_free(a->code);
	a->code = c;
	a->status = status;
	a->value = value;
	return a;
}

#define R_COLS                                                                                \
	"r.id, r.mission_id, r.wave, r.key, coalesce(r.source_id, 0), coalesce(r.line, 0), " \
	"coalesce(r.batch, 0), coalesce(r.area_id, 0), r.weight, r.personal"
#define A_COLS "x.respondent_id, x.question_id, x.status, x.value, x.code"

static int add_resp_rows(struct survey_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct resp row = { .id = cc__pg_col_i64(res, r, 0),
			            .mission_id = cc__pg_col_i64(res, r, 1),
			            .source_id = cc__pg_col_i64(res, r, 4),
			            .line = (long)cc__pg_col_i64(res, r, 5),
			            .batch = cc__pg_col_i64(res, r, 6),
			            .area_id = cc__pg_col_i64(res, r, 7),
			            .weight = cc__pg_col_num(res, r, 8),
			            .answers_known = true };

		cc__pg_col_str(res, r, 2, row.wave, sizeof(row.wave));
		cc__pg_col_str(res, r, 3, row.key, sizeof(row.key));
		if (find_resp(h, row.mission_id, row.wave, row.key))
			continue; /* the table's is newer */
		if (!cc__pg_col_null(res, r, 9) && !(row.personal = cc_strdup(PQgetvalue(res, r, 9))))
			return nomem(err);
		if (!add_resp(h, &row)) {
			cc_free(row.personal);
			return nomem(err);
		}
	}
	return 0;
}

static int add_ans_rows(struct survey_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		enum cc_answer_status s;

		if (cc_answer_status_parse(cc__pg_cstr(res, r, 2), &s) < 0)
			s = CC_MISSING; /* the CHECK constraint keeps this out */
		if (!set_ans(h, cc__pg_col_i64(res, r, 0), cc__pg_col_i64(res, r, 1), s,
		             cc__pg_col_num(res, r, 3), cc__pg_cstr(res, r, 4), false))
			return nomem(err);
	}
	return 0;
}

/* Makes sure the table knows whether (mission, wave, key) is stored: one respondent and its
 * answers the first time a wave is met, every respondent of the wave and their answers the
 * second time. */
static int look_up(struct cc_store *st, struct survey_held *h, const struct cc_survey_respondent *r,
                   struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct wave_seen *seen = NULL;
	PGresult *res = NULL;
	int ret;

	if (find_resp(h, r->mission_id, r->wave, r->key))
		return 0;
	for (size_t i = 0; i < h->n_waves && !seen; i++)
		if (h->waves[i].mission_id == r->mission_id && !strcmp(h->waves[i].wave, r->wave))
			seen = &h->waves[i];
	if (seen && seen->loaded)
		return 0;
	cc__pg_i64(&p, r->mission_id);
	cc__pg_str(&p, r->wave);
	if (!seen) {
		if (cc__grow((void **)&h->waves, &h->cap_waves, h->n_waves, sizeof(*h->waves)) < 0)
			return nomem(err);
		seen = &h->waves[h->n_waves++];
		memset(seen, 0, sizeof(*seen));
		seen->mission_id = r->mission_id;
		snprintf(seen->wave, sizeof(seen->wave), "%s", r->wave);
		cc__pg_str(&p, r->key);
		if ((ret = cc__pg_exec(st,
		                       "SELECT " R_COLS " FROM survey_respondent r WHERE "
		                       "r.mission_id = $1 AND r.wave = $2 AND r.key = $3",
		                       &p, false, &res, err)) < 0)
			return ret;
		ret = add_resp_rows(h, res, err);
		PQclear(res);
		res = NULL;
		if (ret < 0)
			return ret;
		if (!find_resp(h, r->mission_id, r->wave, r->key))
			return 0;
		if ((ret = cc__pg_exec(st,
		                       "SELECT " A_COLS " FROM survey_answer x JOIN "
		                       "survey_respondent r ON r.id = x.respondent_id WHERE "
		                       "r.mission_id = $1 AND r.wave = $2 AND r.key = $3",
		                       &p, false, &res, err)) < 0)
			return ret;
	} else {
		seen->loaded = true;
		if ((ret = cc__pg_exec(st,
		                       "SELECT " R_COLS " FROM survey_respondent r WHERE "
		                       "r.mission_id = $1 AND r.wave = $2",
		                       &p, false, &res, err)) < 0)
			return ret;
		ret = add_resp_rows(h, res, err);
		PQclear(res);
		res = NULL;
		if (ret < 0)
			return ret;
		if ((ret = cc__pg_exec(st,
		                       "SELECT " A_COLS " FROM survey_answer x JOIN "
		                       "survey_respondent r ON r.id = x.respondent_id WHERE "
		                       "r.mission_id = $1 AND r.wave = $2",
		                       &p, false, &res, err)) < 0)
			return ret;
	}
	ret = add_ans_rows(h, res, err);
	PQclear(res);
	return ret;
}

/* The columns of a held respondent, in the order of the unnest() below. */
enum { RC_ID, RC_MISSION, RC_WAVE, RC_KEY, RC_SOURCE, RC_LINE, RC_BATCH, RC_AREA, RC_WEIGHT,
       RC_PERSONAL, RC_N };
enum { AC_RID, AC_QID, AC_STATUS, AC_VALUE, AC_CODE, AC_N };

/* ctx: the survey rows held */
static int resp_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct resp *r = cc__held_row_of(&((struct survey_held *)ctx)->rows, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[RC_ID], r->id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[RC_MISSION], r->mission_id, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[RC_WAVE], r->wave)) < 0 ||
	    (ret = cc__pg_arr_text(&a[RC_KEY], r->key)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[RC_SOURCE], r->source_id, !r->source_id)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[RC_LINE], r->line, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[RC_BATCH], r->batch, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[RC_AREA], r->area_id, !r->area_id)) < 0 ||
	    (ret = cc__pg_arr_num(&a[RC_WEIGHT], r->weight)) < 0)
		return ret;
	return cc__pg_arr_text(&a[RC_PERSONAL], r->personal);
}

static int ans_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct ans *x = cc__held_row_of(&((struct survey_held *)ctx)->ans, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[AC_RID], x->rid, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[AC_QID], x->qid, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[AC_STATUS], cc_answer_status_name(x->status))) < 0 ||
	    (ret = cc__pg_arr_num(&a[AC_VALUE], x->value)) < 0)
		return ret;
	return cc__pg_arr_text(&a[AC_CODE], x->code);
}

#define R_UNNEST                                                                             \
	"unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], " \
	"$7::bigint[], $8::bigint[], $9::float8[], $10::text[]) AS v(id, mission_id, wave, key, " \
	"source_id, line, batch, area_id, weight, personal)"

static const struct cc__held_stmt resp_stmts[] = {
	{ .kinds = 1u << CC__HELD_INSERT,
	  .n_cols = RC_N,
	  .sql = "INSERT INTO survey_respondent (id, mission_id, wave, key, source_id, line, batch, "
	         "area_id, weight, personal) SELECT v.id, v.mission_id, v.wave, v.key, v.source_id, "
	         "v.line, v.batch, v.area_id, v.weight, v.personal FROM " R_UNNEST,
	  .what = "respondents",
	  .cols = resp_elements },
	{ .kinds = 1u << CC__HELD_UPDATE,
	  .n_cols = RC_N,
	  .sql = "UPDATE survey_respondent t SET (source_id, line, batch, area_id, weight, "
	         "personal) = (v.source_id, v.line, v.batch, v.area_id, v.weight, v.personal) FROM "
	         R_UNNEST " WHERE t.id = v.id",
	  .what = "respondents",
	  .cols = resp_elements },
	{ .kinds = 1u << CC__HELD_SEEN,
	  .n_cols = RC_N,
	  .sql = "UPDATE survey_respondent t SET batch = v.batch FROM " R_UNNEST
	         " WHERE t.id = v.id",
	  .what = "respondents",
	  .cols = resp_elements },
};

static const struct cc__held_stmt ans_stmt = {
	.kinds = 1u << CC__HELD_INSERT,
	.n_cols = AC_N,
	.sql = "INSERT INTO survey_answer (respondent_id, question_id, status, value, code) SELECT "
	       "* FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[], $5::text[]) ON "
	       "CONFLICT (respondent_id, question_id) DO UPDATE SET status = excluded.status, value "
	       "= excluded.value, code = excluded.code",
	.what = "answers",
	.cols = ans_elements,
};

/* Sends every held change (respondents first: the answers refer to them); the tables stay. */
static int survey_send(struct cc_store *st, void *held, struct cc_err *err)
{
	struct survey_held *h = held;
	int ret = cc__held_send(st, &h->rows, resp_stmts, sizeof(resp_stmts) / sizeof(resp_stmts[0]),
	                        h, err);

	if (ret == 0)
		ret = cc__held_send(st, &h->ans, &ans_stmt, 1, h, err);
	cc__held_forget(&h->rows);
	cc__held_forget(&h->ans);
	return ret;
}

static const char *const survey_tables[] = { "survey_respondent", "survey_answer", NULL };
static const struct cc__pg_holder survey_holder = { .flush = survey_send,
	                                            .drop = survey_drop,
	                                            .tables = survey_tables };

/* A new struct's table of answers (its table of respondents is made). */
static int survey_made(void *held, struct cc_err *err)
{
	(void)err;
	cc__held_init(&((struct survey_held *)held)->ans, &ans_ops);
	return 0;
}

static const struct cc__held_domain survey_domain = {
	.holder = &survey_holder,
	.lock_sql = LOCK_SURVEY,
	.max_sql = "SELECT coalesce(max(id), 0) FROM survey_respondent",
	.size = sizeof(struct survey_held),
	.ops = &resp_ops,
	.made = survey_made,
};

static int put_resp(struct cc_store *st, void *held, void *put, int64_t batch,
                    enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct survey_held *h = held;
	struct cc_survey_respondent *r = put;
	struct resp *old;
	int ret;

	(void)dup_line_out;
	if ((ret = look_up(st, h, r, err)) < 0)
		return ret;
	old = find_resp(h, r->mission_id, r->wave, r->key);
	if (old) {
		bool same = old->source_id == r->source_id && old->line == r->line &&
		            old->area_id == r->area_id && old->weight == r->weight &&
		            !strcmp(str0(old->personal), str0(r->personal));

		r->id = old->id;
		old->batch = batch;
		*res_out = same ? CC_PUT_UNCHANGED : CC_PUT_UPDATED;
		if (!same) {
			char *pers = r->personal && *r->personal ? cc_strdup(r->personal) : NULL;

			if (r->personal && *r->personal && !pers)
				return nomem(err);
			cc_free(old->personal);
			old->personal = pers;
			old->source_id = r->source_id;
			old->line = r->line;
			old->area_id = r->area_id;
			old->weight = r->weight;
		}
		if (!cc__held_mark(&h->rows, old, same ? CC__HELD_SEEN : CC__HELD_UPDATE))
			return nomem(err);
	} else {
		struct resp row = { .id = h->rows.next_id, .mission_id = r->mission_id,
			            .source_id = r->source_id, .area_id = r->area_id, .batch = batch,
			            .line = r->line, .weight = r->weight, .answers_known = true };

		snprintf(row.wave, sizeof(row.wave), "%s", r->wave);
		snprintf(row.key, sizeof(row.key), "%s", r->key);
		if (r->personal && *r->personal && !(row.personal = cc_strdup(r->personal)))
			return nomem(err);
		if (!(old = add_resp(h, &row))) {
			cc_free(row.personal);
			return nomem(err);
		}
		r->id = h->rows.next_id++;
		*res_out = CC_PUT_ADDED;
		if (!cc__held_mark(&h->rows, old, CC__HELD_INSERT))
			return nomem(err);
	}
	if (h->rows.n_changes < SEND_ROWS)
		return 0;
	return survey_send(st, h, err);
}

static int pg_put_respondent(struct cc_store *st, struct cc_survey_respondent *r, int64_t batch,
                             enum cc_put_result *res_out, struct cc_err *err)
{
	return cc__held_put(st, &survey_domain, put_resp, r, batch, res_out, NULL, err);
}

static int put_answer(struct cc_store *st, void *held, void *put, int64_t batch,
                      enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct survey_held *h = held;
	const struct cc_survey_answer *a = put;
	struct resp *r = find_resp_id(h, a->respondent_id);
	struct ans *old = NULL;
	int ret;

	(void)batch;
	(void)dup_line_out;
	if (r && r->answers_known) {
		old = find_ans(h, a->respondent_id, a->question_id);
	} else {
		/* a respondent this transaction has not met: its answer from the store */
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		PGresult *res = NULL;

		cc__pg_i64(&p, a->respondent_id);
		cc__pg_i64(&p, a->question_id);
		if ((ret = cc__pg_exec(st,
		                       "SELECT " A_COLS " FROM survey_answer x WHERE respondent_id "
		                       "= $1 AND question_id = $2",
		                       &p, false, &res, err)) < 0)
			return ret;
		ret = add_ans_rows(h, res, err);
		PQclear(res);
		if (ret < 0)
			return ret;
		old = find_ans(h, a->respondent_id, a->question_id);
	}
	if (old && old->status == a->status && same_num(old->value, a->value) &&
	    !strcmp(str0(old->code), str0(a->code))) {
		*res_out = CC_PUT_UNCHANGED;
		return 0;
	}
	*res_out = old ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if (!(old = set_ans(h, a->respondent_id, a->question_id, a->status, a->value, a->code,
	                    true)))
		return nomem(err);
	if (!cc__held_mark(&h->ans, old, CC__HELD_INSERT)) /* sent as an upsert */
		return nomem(err);
	if (h->ans.n_changes < SEND_ROWS)
		return 0;
	return survey_send(st, h, err);
}

static int pg_put_answer(struct cc_store *st, const struct cc_survey_answer *a,
                         enum cc_put_result *res_out, struct cc_err *err)
{
	/* put_answer only reads it */
	return cc__held_put(st, &survey_domain, put_answer, (void *)a, 0, res_out, NULL, err);
}

static int pg_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                           size_t *n_removed_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool own;
	int ret;

	*n_removed_out = 0;
	/* the held rows first (and the table of what is stored goes: rows leave it now) */
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, source_id);
	cc__pg_i64(&p, batch);
	ret = cc__pg_exec(st,
	                  "DELETE FROM survey_answer WHERE respondent_id IN (SELECT id FROM "
	                  "survey_respondent WHERE source_id = $1 AND coalesce(batch, 0) <> $2)",
	                  &p, false, NULL, err);
	if (ret == 0)
		ret = cc__pg_exec(st,
		                  "DELETE FROM survey_respondent WHERE source_id = $1 AND "
		                  "coalesce(batch, 0) <> $2",
		                  &p, false, &res, err);
	if (ret == 0)
		*n_removed_out = (size_t)cc__pg_changes(res);
	PQclear(res);
	return cc__pg_tx_leave(st, own, ret, err);
}

/* ---- reads ---- */

/* $1 mission, $2 question, $3 group question, $4 wave (NULL all); the marking from 10 */
static const char load_sql[] =
        "SELECT r.id, r.wave, coalesce(r.area_id, 0), coalesce(ar.pcode, ''), r.weight, "
        "coalesce(x.status, 'missing'), x.value, coalesce(x.code, ''), coalesce(g.code, ''), "
        "g.value, r.id, r.mission_id, r.owner_id, r.releasability, r.deny, r.shared "
        "FROM survey_respondent r "
        "LEFT JOIN survey_answer x ON x.respondent_id = r.id AND x.question_id = $2 "
        "LEFT JOIN survey_answer g ON g.respondent_id = r.id AND g.question_id = $3 "
        "AND g.status = 'answered' "
        "LEFT JOIN area ar ON ar.id = r.area_id "
        "WHERE r.mission_id = $1 AND ($4::text IS NULL OR r.wave = $4::text) ORDER BY r.id";

static int pg_load(struct cc_store *st, const struct cc_survey_query *q, int64_t question_id,
                   int64_t group_id, struct cc_survey_data *out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	PGresult *res = NULL;
	size_t n = 0;
	bool own;
	int ret;

	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	cc__pg_i64(&p, q->mission_id);
	if ((ret = cc__pg_rows(st,
	                       "SELECT wave FROM survey_respondent WHERE mission_id = $1 GROUP BY "
	                       "wave ORDER BY min(id)",
	                       &p, sizeof(*out->waves), &res, (void **)&out->waves, &n, err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		cc__pg_col_str(res, (int)i, 0, out->waves[i], sizeof(*out->waves));
	out->n_waves = n;
	PQclear(res);
	res = NULL;
	if ((ret = cc__pg_load_shares(st, "survey_respondent", &sh, err)) < 0)
		goto out;
	cc__pg_i64(&p, question_id);
	cc__pg_i64(&p, group_id);
	cc__pg_text(&p, q->wave);
	if ((ret = cc__pg_rows(st, load_sql, &p, sizeof(*out->rows), &res, (void **)&out->rows, &n,
	                       err)) < 0)
		goto out;
	out->n_rows = 0;
	for (size_t i = 0; i < n; i++) {
		struct cc_survey_row *r = &out->rows[out->n_rows];
		int k = (int)i;

		if (!cc__pg_row_visible(st, &sh, res, k, 10, NULL))
			continue;
		out->n_rows++;
		r->respondent_id = cc__pg_col_i64(res, k, 0);
		cc__pg_col_str(res, k, 1, r->wave, sizeof(r->wave));
		r->area_id = cc__pg_col_i64(res, k, 2);
		cc__pg_col_str(res, k, 3, r->area, sizeof(r->area));
		r->weight = cc__pg_col_num(res, k, 4);
		if (cc_answer_status_parse(cc__pg_cstr(res, k, 5), &r->status) < 0)
			r->status = CC_MISSING; /* the CHECK constraint keeps this out */
		r->value = cc__pg_col_num(res, k, 6);
		cc__pg_col_str(res, k, 7, r->code, sizeof(r->code));
		cc__pg_col_str(res, k, 8, r->group, sizeof(r->group));
		if (!r->group[0] && !cc__pg_col_null(res, k, 9))
			snprintf(r->group, sizeof(r->group), "%.15g", cc__pg_col_num(res, k, 9));
	}
	if (!out->n_rows) {
		cc_free(out->rows);
		out->rows = NULL;
	}
out:
	PQclear(res);
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_counts(struct cc_store *st, int64_t mission_id, int64_t *respondents_out,
                     int64_t *answers_out, int64_t *feedback_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	*respondents_out = *answers_out = *feedback_out = 0;
	if ((ret = cc__pg_flush(st, err)) < 0)
		return ret;
	cc__pg_i64(&p, mission_id);
	ret = cc__pg_exec(st,
	                  "SELECT (SELECT count(*) FROM survey_respondent WHERE mission_id = $1), "
	                  "(SELECT count(*) FROM survey_answer x JOIN survey_respondent r ON "
	                  "r.id = x.respondent_id WHERE r.mission_id = $1), (SELECT count(*) FROM "
	                  "feedback WHERE mission_id = $1)",
	                  &p, false, &res, err);
	if (ret < 0)
		return ret;
	*respondents_out = cc__pg_col_i64(res, 0, 0);
	*answers_out = cc__pg_col_i64(res, 0, 1);
	*feedback_out = cc__pg_col_i64(res, 0, 2);
	PQclear(res);
	return 0;
}

/* ---- FTS5's tokens, through an in-memory SQLite ---- */

struct fts {
	sqlite3 *db;
	fts5_api *api;
	fts5_tokenizer tok;
	Fts5Tokenizer *t;
};

static void fts_close(struct fts *f)
{
	if (f->t)
		f->tok.xDelete(f->t);
	sqlite3_close(f->db);
	memset(f, 0, sizeof(*f));
}

/* An in-memory SQLite with FTS5's porter tokenizer as feedback_fts is made (0010_surveys). */
static int fts_open(struct fts *f, struct cc_err *err)
{
	const char *args[] = { "unicode61", "remove_diacritics", "2" };
	sqlite3_stmt *s = NULL;
	void *ud = NULL;

	memset(f, 0, sizeof(*f));
	if (sqlite3_open_v2(":memory:", &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(f->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_pointer(s, 1, (void *)&f->api, "fts5_api_ptr", NULL) != SQLITE_OK)
		goto fail;
	sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (!f->api || f->api->xFindTokenizer(f->api, "porter", &ud, &f->tok) != SQLITE_OK ||
	    f->tok.xCreate(ud, args, 3, &f->t) != SQLITE_OK) {
		f->t = NULL;
		goto fail;
	}
	return 0;
fail:
	sqlite3_finalize(s);
	fts_close(f);
	return cc_err_set(err, CC_ESTORE, "cannot start SQLite's full-text tokenizer");
}

struct tokens {
	struct cc_buf *out; /* the tsvector, or the query's phrase */
	int col;            /* weight: the column */
	int pos;            /* the position of the next token */
	int n;              /* tokens so far */
	bool prefix;        /* a query: the last token is a prefix */
	int ret;
};

static int add_lexeme(struct cc_buf *b, const char *t, int n)
{
	int ret = cc_buf_addch(b, '\'');

	for (int i = 0; i < n && ret == 0; i++)
		ret = t[i] == '\'' || t[i] == '\\' ? cc_buf_addf(b, "%c%c", t[i] == '\'' ? '\'' : '\\',
		                                                 t[i])
		                                   : cc_buf_addch(b, t[i]);
	return ret < 0 ? ret : cc_buf_addch(b, '\'');
}

/* Each token of a document: 'lexeme':position + the column's weight. */
static int doc_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
	struct tokens *k = ctx;

	(void)start;
	(void)end;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	k->pos++;
	k->n++;
	if (n <= 0 || n > 2046)
		return SQLITE_OK; /* counted, not indexed (PostgreSQL's limit on a lexeme) */
	if ((k->ret = cc_buf_addch(k->out, ' ')) < 0 || (k->ret = add_lexeme(k->out, t, n)) < 0 ||
	    (k->ret = cc_buf_addf(k->out, ":%d%c", k->pos < 16383 ? k->pos : 16383,
	                          "ABCD"[k->col])) < 0)
		return SQLITE_NOMEM;
	return SQLITE_OK;
}

/* Each token of a query phrase, '<->' between them. */
static int query_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
	struct tokens *k = ctx;

	(void)start;
	(void)end;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if ((k->n && (k->ret = cc_buf_adds(k->out, " <-> ")) < 0) ||
	    (k->ret = add_lexeme(k->out, t, n)) < 0)
		return SQLITE_NOMEM;
	k->n++;
	return SQLITE_OK;
}

/* The tsvector of an item's four columns (weights A–D) and its number of tokens. */
static int fts_doc(struct fts *f, const struct cc_feedback *fb, struct cc_buf *out, int *ntok,
                   struct cc_err *err)
{
	const char *cols[] = { fb->text, fb->category, fb->channel, fb->organisation };
	struct tokens k = { .out = out };

	for (int c = 0; c < 4; c++) {
		int rc;

		k.col = c;
		rc = f->tok.xTokenize(f->t, &k, FTS5_TOKENIZE_DOCUMENT, cols[c], (int)strlen(cols[c]),
		                      doc_token);
		if (rc != SQLITE_OK || k.ret < 0)
			return nomem(err);
		k.pos++; /* a gap: no phrase spans two columns */
	}
	*ntok = k.n;
	return 0;
}

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

/*
 * The search words as sqlite_survey.c makes them (each word a quoted phrase, '*' after it a
 * prefix), as the FTS5 expression fts5q and one tsquery per phrase (phrases, a C string each,
 * one after the other; *n_out of them). FTS5 tokenizes a quoted phrase with the query flag and
 * makes its last token the prefix; the same here.
 */
static int match_expr(struct fts *f, const char *q, struct cc_buf *fts5q, struct cc_buf *phrases,
                      int *n_out, struct cc_err *err)
{
	const unsigned char *p = (const unsigned char *)q;
	struct cc_buf one = CC_BUF_INIT(0);
	int n_words = 0, n = 0, ret = 0;

	while (*p && ret == 0) {
		const unsigned char *w = p;
		struct tokens k = { .out = &one };
		bool prefix = false;
		int rc, len;

		while (*p && word_byte(*p))
			p++;
		if (p == w) {
			p++;
			continue;
		}
		len = (int)(p - w);
		if (*p == '*') {
			prefix = true;
			p++;
		}
		n_words++;
		cc_buf_clear(&one);
		rc = f->tok.xTokenize(f->t, &k,
		                      FTS5_TOKENIZE_QUERY | (prefix ? FTS5_TOKENIZE_PREFIX : 0),
		                      (const char *)w, len, query_token);
		if (rc != SQLITE_OK || k.ret < 0) {
			ret = CC_ENOMEM;
			break;
		}
		/* a word of no token is no phrase: FTS5 leaves it out of the AND */
		if (!k.n)
			continue;
		if ((ret = cc_buf_addf(fts5q, "%s\"%.*s\"%s", n++ ? " " : "", len, (const char *)w,
		                       prefix ? "*" : "")) < 0 ||
		    (ret = cc_buf_add(phrases, one.buf, one.len)) < 0 ||
		    (prefix && (ret = cc_buf_adds(phrases, ":*")) < 0))
			break;
		ret = cc_buf_add(phrases, "", 1); /* the phrase's end */
	}
	cc_buf_release(&one);
	if (ret < 0)
		return nomem(err);
	if (!n_words)
		return cc_err_set(err, CC_EUSAGE, "'%s' has no word to search for", q);
	*n_out = n;
	return 0;
}

/* ---- feedback ---- */

/*
 * Items are held as respondents are: inside a write transaction the first put takes the survey
 * domain's lock and the highest id; a mission's first item is looked up alone, its second reads
 * every item of the mission; the rest are decided in C as SQLite decides (unchanged, updated,
 * added with the next id), and the new and changed items with their index rows wait and go
 * SEND_ROWS at a time. The tokenizer stays open while they are held.
 */
#define FB_COLS                                                                                \
	"id, mission_id, key, date, coalesce(area_id, 0), coalesce(channel, ''), "            \
	"coalesce(organisation, ''), text, coalesce(category, ''), coalesce(sentiment, ''), " \
	"coalesce(giver, '')"
enum { FV_CHANNEL, FV_ORG, FV_TEXT, FV_CATEGORY, FV_SENTIMENT, FV_GIVER, FV_N };

struct fb_row {
	int64_t id, mission_id, area_id;
	int32_t date;
	char key[128];
	char *v[FV_N]; /* owned; "" none */
	char *doc;     /* held: the index row's tsvector, owned */
	int ntok;
};

/* The items held: the table (a group is a mission), the next id and the tokenizer. */
struct fb_held {
	struct cc__held_table t; /* first: cc__held_put makes it */
	struct fts fts;
};

static uint64_t fb_hash(const void *row)
{
	const struct fb_row *r = row;

	return cc__held_mix_text(cc__held_mix(CC__HELD_HASH_SEED, (uint64_t)r->mission_id), r->key);
}

static bool fb_same(const void *row, const void *probe)
{
	const struct fb_row *a = row, *b = probe;

	return a->mission_id == b->mission_id && !strcmp(a->key, b->key);
}

static const struct cc__held_ops fb_ops = { .row_size = sizeof(struct fb_row),
	                                    .change_size = sizeof(struct cc__held_change),
	                                    .hash = fb_hash,
	                                    .same = fb_same };

static void fb_drop(void *p)
{
	struct fb_held *h = p;

	if (!h)
		return;
	for (size_t i = 0; i < h->t.n_rows; i++) {
		struct fb_row *r = cc__held_row(&h->t, i);

		for (int k = 0; k < FV_N; k++)
			cc_free(r->v[k]);
		cc_free(r->doc);
	}
	cc__held_release(&h->t);
	fts_close(&h->fts);
	cc_free(h);
}

static struct fb_row *fb_find(struct fb_held *h, int64_t mission_id, const char *key)
{
	struct fb_row k = { .mission_id = mission_id };

	snprintf(k.key, sizeof(k.key), "%s", key);
	return cc__held_find(&h->t, &k);
}

/* Sets the values of r from the strings given (copied); CC_ENOMEM. */
static int fb_set(struct fb_row *r, const char *const vals[FV_N])
{
	for (int k = 0; k < FV_N; k++) {
		char *c = cc_strdup(str0(vals[k]));

		if (!c)
			return CC_ENOMEM;
		cc_free(r->v[k]);
		r->v[k] = c;
	}
	return 0;
}

/* Adds a row the table does not have; NULL out of memory. */
static struct fb_row *fb_add(struct fb_held *h, const struct fb_row *r,
                             const char *const vals[FV_N])
{
	struct fb_row row = *r;
	struct fb_row *x;

	memset(row.v, 0, sizeof(row.v));
	row.doc = NULL;
	if (fb_set(&row, vals) < 0 || !(x = cc__held_add(&h->t, &row))) {
		for (int i = 0; i < FV_N; i++)
			cc_free(row.v[i]);
		return NULL;
	}
	return x;
}

static int fb_add_rows(struct fb_held *h, const PGresult *res, struct cc_err *err)
{
	for (int r = 0; r < PQntuples(res); r++) {
		struct fb_row row = { .id = cc__pg_col_i64(res, r, 0),
			              .mission_id = cc__pg_col_i64(res, r, 1),
			              .date = cc__pg_col_date(res, r, 3),
			              .area_id = cc__pg_col_i64(res, r, 4) };
		const char *vals[FV_N];

		cc__pg_col_str(res, r, 2, row.key, sizeof(row.key));
		if (fb_find(h, row.mission_id, row.key))
			continue; /* the table's is newer */
		for (int k = 0; k < FV_N; k++)
			vals[k] = cc__pg_cstr(res, r, 5 + k);
		if (!fb_add(h, &row, vals))
			return nomem(err);
	}
	return 0;
}

/* Makes sure the table knows whether (mission, key) is stored: the item alone the first time
 * a mission is met, every item of the mission the second time. */
static int fb_look_up(struct cc_store *st, struct fb_held *h, const struct cc_feedback *f,
                      struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	PGresult *res = NULL;
	int ret;

	if (fb_find(h, f->mission_id, f->key))
		return 0;
	if ((ret = cc__held_look_up(&h->t, f->mission_id, 1)) < 0)
		return nomem(err);
	if (ret == CC__HELD_KNOWN)
		return 0;
	cc__pg_i64(&p, f->mission_id);
	if (ret == CC__HELD_READ_ALL) {
		ret = cc__pg_exec(st, "SELECT " FB_COLS " FROM feedback WHERE mission_id = $1", &p,
		                  false, &res, err);
	} else {
		cc__pg_str(&p, f->key);
		ret = cc__pg_exec(st,
		                  "SELECT " FB_COLS " FROM feedback WHERE mission_id = $1 AND key = $2",
		                  &p, false, &res, err);
	}
	if (ret < 0)
		return ret;
	ret = fb_add_rows(h, res, err);
	PQclear(res);
	return ret;
}

enum { FC_ID, FC_MISSION, FC_KEY, FC_DATE, FC_AREA, FC_V0, FC_N = FC_V0 + FV_N };

/* ctx: the items held */
static int fb_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct fb_row *r = cc__held_row_of(&((struct fb_held *)ctx)->t, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[FC_ID], r->id, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[FC_MISSION], r->mission_id, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[FC_KEY], r->key)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[FC_DATE], r->date, false)) < 0 ||
	    (ret = cc__pg_arr_i64(&a[FC_AREA], r->area_id, !r->area_id)) < 0)
		return ret;
	for (int k = 0; k < FV_N && ret == 0; k++)
		ret = cc__pg_arr_text(&a[FC_V0 + k], r->v[k]);
	return ret;
}

/* the index row of an item: id, doc, ntok */
static int fb_index_elements(void *ctx, const void *change, struct cc_buf *a)
{
	const struct fb_row *r = cc__held_row_of(&((struct fb_held *)ctx)->t, change);
	int ret;

	if ((ret = cc__pg_arr_i64(&a[0], r->id, false)) < 0 ||
	    (ret = cc__pg_arr_text(&a[1], r->doc)) < 0)
		return ret;
	return cc__pg_arr_i64(&a[2], r->ntok, false);
}

#define FB_UNNEST                                                                               \
	"unnest($1::bigint[], $2::bigint[], $3::text[], $4::integer[], $5::bigint[], $6::text[], " \
	"$7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS v(id, mission_id, key, " \
	"date, area_id, channel, organisation, text, category, sentiment, giver)"

/* the items, then their index rows (inserted or replaced) */
static const struct cc__held_stmt fb_stmts[] = {
	{ .kinds = 1u << CC__HELD_INSERT,
	  .n_cols = FC_N,
	  .sql = "INSERT INTO feedback (id, mission_id, key, date, area_id, channel, organisation, "
	         "text, category, sentiment, giver) SELECT v.id, v.mission_id, v.key, v.date, "
	         "v.area_id, v.channel, v.organisation, v.text, v.category, v.sentiment, v.giver "
	         "FROM " FB_UNNEST,
	  .what = "feedback items",
	  .cols = fb_elements },
	{ .kinds = 1u << CC__HELD_UPDATE,
	  .n_cols = FC_N,
	  .sql = "UPDATE feedback t SET (date, area_id, channel, organisation, text, category, "
	         "sentiment, giver) = (v.date, v.area_id, v.channel, v.organisation, v.text, "
	         "v.category, v.sentiment, v.giver) FROM " FB_UNNEST " WHERE t.id = v.id",
	  .what = "feedback items",
	  .cols = fb_elements },
	{ .kinds = 1u << CC__HELD_INSERT | 1u << CC__HELD_UPDATE,
	  .n_cols = 3,
	  .sql = "INSERT INTO feedback_fts (id, doc, ntok) SELECT v.id, coalesce(v.doc, "
	         "'')::tsvector, v.ntok FROM unnest($1::bigint[], $2::text[], $3::integer[]) AS "
	         "v(id, doc, ntok) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, ntok = "
	         "excluded.ntok",
	  .what = "feedback index rows",
	  .cols = fb_index_elements },
};

/* Sends every held item; the table stays (it is what is stored). */
static int fb_send(struct cc_store *st, void *held, struct cc_err *err)
{
	struct fb_held *h = held;
	int ret = cc__held_send(st, &h->t, fb_stmts, sizeof(fb_stmts) / sizeof(fb_stmts[0]), h, err);

	for (size_t i = 0; i < h->t.n_changes; i++) {
		const struct cc__held_change *c = cc__held_change(&h->t, i);
		struct fb_row *r = cc__held_row(&h->t, c->row);

		cc_free(r->doc);
		r->doc = NULL;
	}
	cc__held_forget(&h->t);
	return ret;
}

static const char *const fb_tables[] = { "feedback", "feedback_fts", NULL };
static const struct cc__pg_holder fb_holder = { .flush = fb_send,
	                                        .drop = fb_drop,
	                                        .tables = fb_tables };

/* A new struct's tokenizer, open while the items are held. */
static int fb_made(void *held, struct cc_err *err)
{
	return fts_open(&((struct fb_held *)held)->fts, err);
}

static const struct cc__held_domain fb_domain = {
	.holder = &fb_holder,
	.lock_sql = LOCK_SURVEY,
	.max_sql = "SELECT coalesce(max(id), 0) FROM feedback",
	.size = sizeof(struct fb_held),
	.ops = &fb_ops,
	.made = fb_made,
};

static int put_feedback(struct cc_store *st, void *held, void *put, int64_t batch,
                        enum cc_put_result *res_out, long *dup_line_out, struct cc_err *err)
{
	struct fb_held *h = held;
	struct cc_feedback *f = put;
	const char *vals[FV_N] = { f->channel,  f->organisation, f->text,
		                   f->category, f->sentiment,    f->giver };
	struct cc_buf doc = CC_BUF_INIT(0);
	struct fb_row *r;
	int ret, n = 0;

	(void)batch;
	(void)dup_line_out;
	if ((ret = fb_look_up(st, h, f, err)) < 0)
		return ret;
	r = fb_find(h, f->mission_id, f->key);
	if (r) {
		bool same = r->date == f->date && r->area_id == f->area_id;

		for (int k = 0; k < FV_N && same; k++)
			same = !strcmp(r->v[k], str0(vals[k]));
		f->id = r->id;
		if (same) {
			*res_out = CC_PUT_UNCHANGED;
			return 0;
		}
		*res_out = CC_PUT_UPDATED;
		r->date = f->date;
		r->area_id = f->area_id;
		if (fb_set(r, vals) < 0)
			return nomem(err);
	} else {
		struct fb_row row = { .id = h->t.next_id, .mission_id = f->mission_id,
			              .area_id = f->area_id, .date = f->date };

		snprintf(row.key, sizeof(row.key), "%s", f->key);
		if (!(r = fb_add(h, &row, vals)))
			return nomem(err);
		f->id = h->t.next_id++;
		*res_out = CC_PUT_ADDED;
	}
	if ((ret = fts_doc(&h->fts, f, &doc, &n, err)) < 0)
		return ret;
	cc_free(r->doc);
	r->doc = cc_buf_detach(&doc, NULL);
	r->ntok = n;
	if (!r->doc)
		return nomem(err);
	/* a held insert or update stays one, with the new values */
	if (!cc__held_mark(&h->t, r, *res_out == CC_PUT_ADDED ? CC__HELD_INSERT : CC__HELD_UPDATE))
		return nomem(err);
	if (h->t.n_changes < SEND_ROWS)
		return 0;
	return fb_send(st, h, err);
}

static int pg_put_feedback(struct cc_store *st, struct cc_feedback *f, enum cc_put_result *res_out,
                           struct cc_err *err)
{
	return cc__held_put(st, &fb_domain, put_feedback, f, 0, res_out, NULL, err);
}

#define F_COLS                                                                                \
	"f.id, f.mission_id, f.key, f.date, coalesce(f.area_id, 0), coalesce(a.pcode, ''), "  \
	"coalesce(a.name, ''), f.channel, f.organisation, f.text, f.category, f.sentiment, " \
	"f.id, f.mission_id, f.owner_id, f.releasability, f.deny, f.shared"
enum { F_MARK = 12 };
#define F_WHERE                                                                               \
	"f.mission_id = $1 AND ($2::text IS NULL OR f.category = $2::text) AND ($3::text IS "  \
	"NULL OR a.pcode = $3::text) AND ($4::integer IS NULL OR f.date >= $4::integer) AND " \
	"($5::integer IS NULL OR f.date <= $5::integer)"

static void fq_params(struct cc__pg_params *p, const struct cc_feedback_query *q)
{
	cc__pg_i64(p, q->mission_id);
	cc__pg_text(p, q->category);
	cc__pg_text(p, q->area);
	cc__pg_date(p, q->from);
	cc__pg_date(p, q->to);
}

static void row_feedback(const PGresult *res, int r, struct cc_feedback *f)
{
	memset(f, 0, sizeof(*f));
	f->id = cc__pg_col_i64(res, r, 0);
	f->mission_id = cc__pg_col_i64(res, r, 1);
	cc__pg_col_str(res, r, 2, f->key, sizeof(f->key));
	f->date = cc__pg_col_date(res, r, 3);
	f->area_id = cc__pg_col_i64(res, r, 4);
	cc__pg_col_str(res, r, 5, f->area, sizeof(f->area));
	cc__pg_col_str(res, r, 6, f->area_name, sizeof(f->area_name));
	cc__pg_col_str(res, r, 7, f->channel, sizeof(f->channel));
	cc__pg_col_str(res, r, 8, f->organisation, sizeof(f->organisation));
	cc__pg_col_str(res, r, 9, f->text, sizeof(f->text));
	cc__pg_col_str(res, r, 10, f->category, sizeof(f->category));
	cc__pg_col_str(res, r, 11, f->sentiment, sizeof(f->sentiment));
}

/* ---- the ranking: FTS5's bm25 with the counts of every item ---- */

struct rank {
	int n;        /* phrases */
	double avgdl; /* tokens per item */
	double *idf;  /* per phrase */
	double *freq; /* per phrase, for each row */
};

/* fts5_aux.c's bm25(feedback_fts, 4.0, 2.0, 1.0, 1.0), its IDF and average length given */
static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int n_val,
                    sqlite3_value **vals)
{
	static const double w[4] = { 4.0, 2.0, 1.0, 1.0 };
	const double k1 = 1.2, b = 0.75;
	const struct rank *rk = api->xUserData(fts);
	double *freq = rk->freq, score = 0.0, d;
	int n_inst = 0, n_tok = 0;

	(void)n_val;
	(void)vals;
	for (int i = 0; i < rk->n; i++)
		freq[i] = 0.0;
	if (api->xInstCount(fts, &n_inst) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, SQLITE_ERROR);
		return;
	}
	for (int i = 0; i < n_inst; i++) {
		int ip, ic, io;

		if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK && ip >= 0 && ip < rk->n &&
		    ic >= 0 && ic < 4)
			freq[ip] += w[ic];
	}
	if (api->xColumnSize(fts, -1, &n_tok) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, SQLITE_ERROR);
		return;
	}
	d = (double)n_tok;
	for (int i = 0; i < rk->n; i++)
		score += rk->idf[i] *
		         ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * d / rk->avgdl)));
	sqlite3_result_double(ctx, -1.0 * score);
}

/* The counts FTS5 keeps over every item: rows, tokens and, per phrase, the items holding it. */
static int fts_stats(struct cc_store *st, const struct cc_buf *phrases, int n, struct rank *rk,
                     struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf arr = CC_BUF_INIT(0);
	PGresult *res = NULL;
	int64_t n_row, n_tok;
	const char *ph = phrases->buf;
	int ret = 0;

	for (int i = 0; i < n && ret == 0; i++, ph += strlen(ph) + 1)
		ret = cc__pg_arr_text(&arr, ph);
	if (ret == 0)
		ret = cc__pg_arr_close(&arr);
	if (ret < 0)
		return nomem(err);
	cc__pg_str(&p, arr.buf);
	ret = cc__pg_exec(st,
	                  "SELECT (SELECT count(*) FROM feedback_fts), (SELECT coalesce(sum(ntok), "
	                  "0) FROM feedback_fts), (SELECT count(*) FROM feedback_fts WHERE doc @@ "
	                  "q.q::tsquery) FROM unnest($1::text[]) WITH ORDINALITY AS q(q, i) ORDER "
	                  "BY q.i",
	                  &p, false, &res, err);
	cc_buf_release(&arr);
	if (ret < 0)
		return ret;
	if (PQntuples(res) != n) {
		PQclear(res);
		return cc_err_set(err, CC_ESTORE, "cannot count the search's phrases");
	}
	n_row = cc__pg_col_i64(res, 0, 0);
	n_tok = cc__pg_col_i64(res, 0, 1);
	rk->avgdl = n_row > 0 ? (double)n_tok / (double)n_row : 1.0;
	for (int i = 0; i < n; i++) {
		int64_t hit = cc__pg_col_i64(res, i, 2);
		double idf = log(((double)(n_row - hit) + 0.5) / ((double)hit + 0.5));

		rk->idf[i] = idf <= 0.0 ? 1e-6 : idf;
	}
	PQclear(res);
	return 0;
}

/* The reader's matching items as the ranking's documents (rows of res), and its hits. */
struct fb_rank {
	PGresult *res;
	int *rows; /* the rows the reader may see, in id order */
	struct cc_feedback *v;
	size_t n, cap;
};

static int64_t fb_doc_id(const void *ctx, size_t doc)
{
	const struct fb_rank *fr = ctx;

	return cc__pg_col_i64(fr->res, fr->rows[doc], 0);
}

/* feedback_fts's columns: text, category, channel, organisation */
static const char *fb_doc_text(const void *ctx, size_t doc, int col)
{
	static const int cols[] = { 9, 10, 7, 8 };
	const struct fb_rank *fr = ctx;

	return cc__pg_cstr(fr->res, fr->rows[doc], cols[col]);
}

static int fb_hit(void *ctx, size_t doc, double rank, const char *snippet, struct cc_err *err)
{
	struct fb_rank *fr = ctx;
	struct cc_feedback *f;

	(void)rank;
	if (cc__grow((void **)&fr->v, &fr->cap, fr->n, sizeof(*fr->v)) < 0)
		return nomem(err);
	f = &fr->v[fr->n++];
	row_feedback(fr->res, fr->rows[doc], f);
	/* an empty text is indexed as NULL, as SQLite's store does: its snippet is NULL, not "" */
	snprintf(f->snippet, sizeof(f->snippet), "%s", str0(snippet));
	return 0;
}

/*
 * The search: PostgreSQL's matching items (the filters, every phrase) read for the reader,
 * ranked and cut in an in-memory FTS5 table of them alone, with the counts of all items.
 */
static int search_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                           struct cc_feedback **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_buf fq = CC_BUF_INIT(4096), phrases = CC_BUF_INIT(0), tsq = CC_BUF_INIT(0);
	struct rank rk = { 0 };
	struct fts fts = { 0 };
	struct fb_rank fr = { 0 };
	/* the reader's items in FTS5, as feedback_fts holds them */
	const struct cc__fts_spec spec = {
		.create = "CREATE VIRTUAL TABLE t USING fts5(text, category, channel, organisation, "
		          "tokenize = 'porter unicode61 remove_diacritics 2')",
		.insert = "INSERT INTO t (rowid, text, category, channel, organisation) VALUES (?1, "
		          "?2, ?3, ?4, ?5)",
		.match = "SELECT rowid, cc_rank(t), snippet(t, 0, '[', ']', '...', 16) FROM t WHERE "
		         "t MATCH ?1 ORDER BY cc_rank(t), rowid LIMIT ?2",
		.n_cols = 4,
		.fn_name = "cc_rank",
		.fn = rank_fn,
		.fn_data = &rk,
	};
	struct cc__fts_docs docs = { .id = fb_doc_id, .text = fb_doc_text, .ctx = &fr };
	int n_ph = 0, ret;
	const char *ph;
	bool own = false, rx = false;

	if ((ret = fts_open(&fts, err)) < 0)
		return ret;
	if ((ret = match_expr(&fts, q->words, &fq, &phrases, &n_ph, err)) < 0)
		goto out;
	if (!n_ph)
		goto out; /* no word that makes a token: nothing matches */
	ph = phrases.buf;
	for (int i = 0; i < n_ph && ret == 0; i++, ph += strlen(ph) + 1)
		ret = cc_buf_addf(&tsq, "%s(%s)", i ? " & " : "", ph);
	if (ret < 0 || !(rk.idf = cc_alloc_array((size_t)n_ph + 1, sizeof(*rk.idf))) ||
	    !(rk.freq = cc_alloc_array((size_t)n_ph + 1, sizeof(*rk.freq)))) {
		ret = nomem(err);
		goto out;
	}
	rk.n = n_ph;
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		goto out;
	rx = true;
	if ((ret = fts_stats(st, &phrases, n_ph, &rk, err)) < 0 ||
	    (ret = cc__pg_load_shares(st, "feedback", &sh, err)) < 0)
		goto out;
	fq_params(&p, q);
	cc__pg_str(&p, tsq.buf);
	if ((ret = cc__pg_exec(st,
	                       "SELECT " F_COLS " FROM feedback_fts t JOIN feedback f ON f.id = "
	                       "t.id LEFT JOIN area a ON a.id = f.area_id WHERE t.doc @@ "
	                       "$6::tsquery AND " F_WHERE " ORDER BY f.id",
	                       &p, false, &fr.res, err)) < 0)
		goto out;
	if (!(fr.rows = cc_alloc_array((size_t)PQntuples(fr.res), sizeof(*fr.rows)))) {
		ret = nomem(err);
		goto out;
	}
	for (int r = 0; r < PQntuples(fr.res); r++)
		if (cc__pg_row_visible(st, &sh, fr.res, r, F_MARK, NULL))
			fr.rows[docs.n++] = r;
	ret = cc__fts_rank(&spec, &docs, fq.buf, q->limit ? (int64_t)q->limit : -1, fb_hit, &fr,
	                   err);
	if (ret == 0) {
		*out = fr.v;
		*n_out = fr.n;
		fr.v = NULL;
	}
out:
	fts_close(&fts);
	PQclear(fr.res);
	cc_free(fr.rows);
	cc_free(fr.v);
	cc_free(rk.idf);
	cc_free(rk.freq);
	cc_free(sh.ids);
	cc_buf_release(&fq);
	cc_buf_release(&phrases);
	cc_buf_release(&tsq);
	if (rx)
		cc__pg_rx_leave(st, own);
	return ret;
}

static int pg_list_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                            struct cc_feedback **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_feedback *v = NULL;
	PGresult *res = NULL;
	size_t n_rows = 0, n = 0;
	bool own;
	int ret;

	*out = NULL;
	*n_out = 0;
	if (q->words)
		return search_feedback(st, q, out, n_out, err);
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "feedback", &sh, err)) < 0)
		goto out;
	fq_params(&p, q);
	if ((ret = cc__pg_rows(st,
	                       "SELECT " F_COLS " FROM feedback f LEFT JOIN area a ON a.id = "
	                       "f.area_id WHERE " F_WHERE " ORDER BY f.date, f.id",
	                       &p, sizeof(*v), &res, (void **)&v, &n_rows, err)) < 0)
		goto out;
	for (size_t r = 0; r < n_rows && (!q->limit || n < q->limit); r++)
		if (cc__pg_row_visible(st, &sh, res, (int)r, F_MARK, NULL))
			row_feedback(res, (int)r, &v[n++]);
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

static int cmp_count(const void *a, const void *b)
{
	const struct cc_feedback_count *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	if (!c)
		c = strcmp(x->area, y->area);
	return c ? c : strcmp(x->month, y->month);
}

static int pg_count_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                             struct cc_feedback_count **out, size_t *n_out, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc__pg_shares sh = { 0 };
	struct cc_feedback_count *v = NULL;
	PGresult *res = NULL;
	size_t n_rows = 0, n = 0, g = 0;
	bool own;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = cc__pg_load_shares(st, "feedback", &sh, err)) < 0)
		goto out;
	fq_params(&p, q);
	/* the month of the day number as SQLite's strftime('%Y-%m') gives it */
	if ((ret = cc__pg_rows(st,
	                       "SELECT coalesce(f.category, ''), coalesce(a.pcode, ''), "
	                       "to_char(date '1970-01-01' + f.date, 'YYYY-MM'), "
	                       "f.sentiment = 'negative', f.id, f.mission_id, f.owner_id, "
	                       "f.releasability, f.deny, f.shared FROM feedback f LEFT JOIN area a "
	                       "ON a.id = f.area_id WHERE " F_WHERE,
	                       &p, sizeof(*v), &res, (void **)&v, &n_rows, err)) < 0)
		goto out;
	for (size_t r = 0; r < n_rows; r++) {
		struct cc_feedback_count *c = &v[n];

		if (!cc__pg_row_visible(st, &sh, res, (int)r, 4, NULL))
			continue;
		cc__pg_col_str(res, (int)r, 0, c->category, sizeof(c->category));
		cc__pg_col_str(res, (int)r, 1, c->area, sizeof(c->area));
		cc__pg_col_str(res, (int)r, 2, c->month, sizeof(c->month));
		c->n = 1;
		c->negative = cc__pg_col_i64(res, (int)r, 3);
		n++;
	}
	PQclear(res);
	if (n)
		qsort(v, n, sizeof(*v), cmp_count);
	for (size_t i = 0; i < n; i++) {
		if (g && !cmp_count(&v[g - 1], &v[i])) {
			v[g - 1].n += v[i].n;
			v[g - 1].negative += v[i].negative;
		} else {
			v[g++] = v[i];
		}
	}
	if (q->limit && g > q->limit)
		g = q->limit;
	if (!g) {
		cc_free(v);
		v = NULL;
	}
	*out = v;
	*n_out = g;
out:
	cc_free(sh.ids);
	cc__pg_rx_leave(st, own);
	return ret;
}

/* Sends the rows of feedback_fts gathered in ids, docs and ntoks (open arrays), then empties them. */
static int fts_rows_send(struct cc_store *st, struct cc_buf *ids, struct cc_buf *docs,
                         struct cc_buf *ntoks, struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	int ret;

	if (cc__pg_arr_close(ids) < 0 || cc__pg_arr_close(docs) < 0 || cc__pg_arr_close(ntoks) < 0)
		return nomem(err);
	cc__pg_str(&p, ids->buf);
	cc__pg_str(&p, docs->buf);
	cc__pg_str(&p, ntoks->buf);
	ret = cc__pg_exec(st,
	                  "INSERT INTO feedback_fts (id, doc, ntok) SELECT v.id, coalesce(v.doc, "
	                  "'')::tsvector, v.ntok FROM unnest($1::bigint[], $2::text[], "
	                  "$3::integer[]) AS v(id, doc, ntok)",
	                  &p, false, NULL, err);
	cc_buf_clear(ids);
	cc_buf_clear(docs);
	cc_buf_clear(ntoks);
	return ret;
}

/*
 * feedback_fts made again from feedback, each item's tokens as its write makes them: after a
 * restore (postgres_backup.c), since an archive from SQLite does not carry it (FTS5's tables
 * are SQLite's own). Nothing to do in a store without the survey domain.
 */
int cc__pg_feedback_fts_rebuild(struct cc_store *st, struct cc_err *err)
{
	struct cc_buf ids = CC_BUF_INIT(0), docs = CC_BUF_INIT(0), ntoks = CC_BUF_INIT(0);
	struct cc_buf doc = CC_BUF_INIT(0);
	struct cc_feedback *fb = NULL;
	struct fts fts = { 0 };
	PGresult *res = NULL;
	int ret, rows, n = 0;

	ret = cc__pg_exec(st, "SELECT to_regclass('feedback_fts') IS NOT NULL", NULL, false, &res,
	                  err);
	if (ret < 0)
		return ret;
	rows = (int)cc__pg_col_i64(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (!rows)
		return 0;
	if ((ret = cc__pg_exec(st, "DELETE FROM feedback_fts", NULL, false, NULL, err)) < 0 ||
	    (ret = cc__pg_exec(st,
	                       "SELECT id, coalesce(text, ''), coalesce(category, ''), "
	                       "coalesce(channel, ''), coalesce(organisation, '') FROM feedback "
	                       "ORDER BY id",
	                       NULL, false, &res, err)) < 0)
		return ret;
	rows = PQntuples(res);
	if (!rows)
		goto out;
	if (!(fb = cc_alloc_array(1, sizeof(*fb)))) {
		ret = nomem(err);
		goto out;
	}
	if ((ret = fts_open(&fts, err)) < 0)
		goto out;
	for (int i = 0; i < rows && ret == 0; i++) {
		int ntok = 0;

		snprintf(fb->text, sizeof(fb->text), "%s", cc__pg_cstr(res, i, 1));
		snprintf(fb->category, sizeof(fb->category), "%s", cc__pg_cstr(res, i, 2));
		snprintf(fb->channel, sizeof(fb->channel), "%s", cc__pg_cstr(res, i, 3));
		snprintf(fb->organisation, sizeof(fb->organisation), "%s", cc__pg_cstr(res, i, 4));
		cc_buf_clear(&doc);
		if ((ret = fts_doc(&fts, fb, &doc, &ntok, err)) < 0)
			break;
		if (cc__pg_arr_i64(&ids, cc__pg_col_i64(res, i, 0), false) < 0 ||
		    cc__pg_arr_text(&docs, doc.buf) < 0 || cc__pg_arr_i64(&ntoks, ntok, false) < 0) {
			ret = nomem(err);
			break;
		}
		if (++n == SEND_ROWS || i + 1 == rows) {
			ret = fts_rows_send(st, &ids, &docs, &ntoks, err);
			n = 0;
		}
	}
	fts_close(&fts);
out:
	PQclear(res);
	cc_free(fb);
	cc_buf_release(&doc);
	cc_buf_release(&ids);
	cc_buf_release(&docs);
	cc_buf_release(&ntoks);
	return ret;
}

const struct cc__survey_ops cc__pg_survey = {
	.put_question = pg_put_question,
	.find_question = pg_find_question,
	.put_choice = pg_put_choice,
	.put_respondent = pg_put_respondent,
	.put_answer = pg_put_answer,
	.remove_stale = pg_remove_stale,
	.load = pg_load,
	.counts = pg_counts,
	.put_feedback = pg_put_feedback,
	.list_feedback = pg_list_feedback,
	.count_feedback = pg_count_feedback,
};
