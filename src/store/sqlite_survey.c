/*
 * Surveys and feedback in SQLite (tables of migration 0010).
 *
 * Each put finds the row by its natural key and compares in C, so that a re-import tells
 * added, updated and unchanged apart. feedback_fts is kept in step by the feedback writes, as
 * lesson_fts is by the lesson writes. Personal data are written, compared and never read back.
 */
#include "store/ops_survey.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

enum {
	S_Q_FIND = 0,
	S_Q_INS,
	S_Q_UPD,
	S_CH_FIND,
	S_CH_INS,
	S_CH_UPD,
	S_R_FIND,
	S_R_INS,
	S_R_UPD,
	S_R_SEEN,
	S_A_FIND,
	S_A_PUT,
	S_STALE_ANS,
	S_STALE_RESP,
	S_WAVES,
	S_LOAD,
	S_COUNT_R,
	S_COUNT_A,
	S_COUNT_F,
	S_F_FIND,
	S_F_INS,
	S_F_UPD,
	S_FTS_DEL,
	S_FTS_ADD,
	S_F_LIST,
	S_F_SEARCH,
	S_F_COUNT,
};

#define Q_COLS "id, mission_id, name, label, type, list_name"
#define F_COLS                                                                           \
	"f.id, f.mission_id, f.key, f.date, ifnull(f.area_id, 0), ifnull(a.pcode, ''), " \
	"ifnull(a.name, ''), f.channel, f.organisation, f.text, f.category, f.sentiment"
#define F_WHERE                                                                                   \
	"f.mission_id = ?1 AND (?2 IS NULL OR f.category = ?2) AND (?3 IS NULL OR a.pcode = ?3) " \
	"AND (?4 IS NULL OR f.date >= ?4) AND (?5 IS NULL OR f.date <= ?5) AND " F_VISIBLE
/*
 * Only the feedback the reader may see. The statements end in "LIMIT ?6", after the reader's
 * :v_ parameters: "?6 IS NOT NULL" (the limit always is) makes SQLite number ?6 before them,
 * else :v_op would take number 6 too (sqlite_visibility.h).
 */
#define F_VISIBLE "?6 IS NOT NULL AND " CC__SQ_VISIBLE("f", "feedback")

static const char *const sql[] = {
	[S_Q_FIND] = "SELECT " Q_COLS " FROM survey_question WHERE mission_id = ?1 AND name = ?2",
	[S_Q_INS] = "INSERT INTO survey_question (mission_id, name, label, type, list_name) "
	            "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_Q_UPD] = "UPDATE survey_question SET label = ?3, type = ?4, list_name = ?5 "
	            "WHERE mission_id = ?1 AND name = ?2",
	[S_CH_FIND] = "SELECT ifnull(label, '') FROM survey_choice WHERE question_id = ?1 AND "
	              "code = ?2",
	[S_CH_INS] = "INSERT INTO survey_choice (question_id, code, label) VALUES (?1, ?2, ?3)",
	[S_CH_UPD] = "UPDATE survey_choice SET label = ?3 WHERE question_id = ?1 AND code = ?2",
	[S_R_FIND] = "SELECT id, ifnull(source_id, 0), ifnull(line, 0), ifnull(area_id, 0), "
	             "weight, ifnull(personal, '') FROM survey_respondent WHERE mission_id = ?1 "
	             "AND wave = ?2 AND key = ?3",
	[S_R_INS] = "INSERT INTO survey_respondent (mission_id, wave, key, source_id, line, batch, "
	            "area_id, weight, personal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_R_UPD] = "UPDATE survey_respondent SET source_id = ?2, line = ?3, batch = ?4, "
	            "area_id = ?5, weight = ?6, personal = ?7 WHERE id = ?1",
	[S_R_SEEN] = "UPDATE survey_respondent SET batch = ?2 WHERE id = ?1",
	[S_A_FIND] = "SELECT status, value, ifnull(code, '') FROM survey_answer "
	             "WHERE respondent_id = ?1 AND question_id = ?2",
	[S_A_PUT] = "INSERT INTO survey_answer (respondent_id, question_id, status, value, code) "
	            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (respondent_id, question_id) DO "
	            "UPDATE SET status = excluded.status, value = excluded.value, "
	            "code = excluded.code",
	[S_STALE_ANS] = "DELETE FROM survey_answer WHERE respondent_id IN (SELECT id FROM "
	                "survey_respondent WHERE source_id = ?1 AND ifnull(batch, 0) <> ?2)",
	[S_STALE_RESP] = "DELETE FROM survey_respondent WHERE source_id = ?1 AND "
	                 "ifnull(batch, 0) <> ?2",
	[S_WAVES] = "SELECT wave FROM survey_respondent WHERE mission_id = ?1 GROUP BY wave "
	            "ORDER BY min(id)",
	[S_LOAD] = "SELECT r.id, r.wave, ifnull(r.area_id, 0), ifnull(ar.pcode, ''), r.weight, "
	           "ifnull(x.status, 'missing'), x.value, ifnull(x.code, ''), "
	           "ifnull(g.code, ''), g.value FROM survey_respondent r "
	           "LEFT JOIN survey_answer x ON x.respondent_id = r.id AND x.question_id = ?2 "
	           "LEFT JOIN survey_answer g ON g.respondent_id = r.id AND g.question_id = ?3 "
	           "AND g.status = 'answered' "
	           "LEFT JOIN area ar ON ar.id = r.area_id "
	           "WHERE r.mission_id = ?1 AND (?4 IS NULL OR r.wave = ?4) AND "
	           CC__SQ_VISIBLE("r", "survey_respondent") " ORDER BY r.id",
	[S_COUNT_R] = "SELECT count(*) FROM survey_respondent WHERE mission_id = ?1",
	[S_COUNT_A] = "SELECT count(*) FROM survey_answer x JOIN survey_respondent r ON "
	              "r.id = x.respondent_id WHERE r.mission_id = ?1",
	[S_COUNT_F] = "SELECT count(*) FROM feedback WHERE mission_id = ?1",
	[S_F_FIND] = "SELECT id, date, ifnull(area_id, 0), ifnull(channel, ''), "
	             "ifnull(organisation, ''), text, ifnull(category, ''), "
	             "ifnull(sentiment, ''), ifnull(giver, '') FROM feedback WHERE "
	             "mission_id = ?1 AND key = ?2",
	[S_F_INS] = "INSERT INTO feedback (mission_id, key, date, area_id, channel, organisation, "
	            "text, category, sentiment, giver) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	            "?9, ?10)",
	[S_F_UPD] = "UPDATE feedback SET date = ?3, area_id = ?4, channel = ?5, organisation = ?6, "
	            "text = ?7, category = ?8, sentiment = ?9, giver = ?10 WHERE id = ?1",
	[S_FTS_DEL] = "DELETE FROM feedback_fts WHERE rowid = ?1",
	[S_FTS_ADD] = "INSERT INTO feedback_fts (rowid, text, category, channel, organisation) "
	              "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_F_LIST] = "SELECT " F_COLS ", '' FROM feedback f LEFT JOIN area a ON a.id = f.area_id "
	             "WHERE " F_WHERE " ORDER BY f.date, f.id LIMIT ?6",
	[S_F_SEARCH] =
	        "SELECT " F_COLS ", snippet(feedback_fts, 0, '[', ']', '...', 16) "
	        "FROM feedback_fts JOIN feedback f ON f.id = feedback_fts.rowid "
	        "LEFT JOIN area a ON a.id = f.area_id WHERE feedback_fts MATCH ?7 AND " F_WHERE
	        " ORDER BY bm25(feedback_fts, 4.0, 2.0, 1.0, 1.0), f.id LIMIT ?6",
	[S_F_COUNT] = "SELECT ifnull(f.category, ''), ifnull(a.pcode, ''), "
	              "strftime('%Y-%m', f.date * 86400, 'unixepoch') AS month, count(*), "
	              "sum(f.sentiment = 'negative') FROM feedback f LEFT JOIN area a ON "
	              "a.id = f.area_id WHERE " F_WHERE " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
	              "LIMIT ?6",
};

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_SURVEY, id, sql[id], out, err);
}

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static const char *str0(const char *s)
{
	return s ? s : "";
}

/* ---- questions and choices ---- */

static void col_question(sqlite3_stmt *s, struct cc_survey_question *q)
{
	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(s, 0);
	q->mission_id = sqlite3_column_int64(s, 1);
	cc__sq_col_str(s, 2, q->name, sizeof(q->name));
	cc__sq_col_str(s, 3, q->label, sizeof(q->label));
	cc__sq_col_str(s, 4, q->type, sizeof(q->type));
	cc__sq_col_str(s, 5, q->list_name, sizeof(q->list_name));
}

static int sq_find_question(struct cc_store *st, int64_t mission_id, const char *name,
                            struct cc_survey_question *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_Q_FIND, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)) ||
	    (rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret > 0)
		return cc_err_set(err, CC_ENOTFOUND, "unknown survey question '%s'", name);
	if (ret < 0)
		return ret;
	col_question(s, out);
	sqlite3_reset(s);
	return 0;
}

static int sq_put_question(struct cc_store *st, struct cc_survey_question *q,
                           enum cc_put_result *res_out, struct cc_err *err)
{
	struct cc_survey_question old;
	struct cc_err cause = { 0 };
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	ret = sq_find_question(st, q->mission_id, q->name, &old, &cause);
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
	if ((ret = stmt(st, ret == 0 ? S_Q_UPD : S_Q_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, q->mission_id)) ||
	    (rc = cc__sq_bind_text(s, 2, q->name)) || (rc = cc__sq_bind_text(s, 3, q->label)) ||
	    (rc = cc__sq_bind_text(s, 4, q->type)) || (rc = cc__sq_bind_text(s, 5, q->list_name))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	q->id = *res_out == CC_PUT_UPDATED ? old.id : sqlite3_last_insert_rowid(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_put_choice(struct cc_store *st, int64_t question_id, const char *code,
                         const char *label, enum cc_put_result *res_out, struct cc_err *err)
{
	char old[256];
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_CH_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, question_id)) || (rc = cc__sq_bind_text(s, 2, code))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		cc__sq_col_str(s, 0, old, sizeof(old));
		sqlite3_reset(s);
		if (!strcmp(old, str0(label))) {
			*res_out = CC_PUT_UNCHANGED;
			ret = 0;
			goto out_leave;
		}
	}
	*res_out = ret == 0 ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = stmt(st, ret == 0 ? S_CH_UPD : S_CH_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, question_id)) || (rc = cc__sq_bind_text(s, 2, code)) ||
	    (rc = cc__sq_bind_text(s, 3, label))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_done(st, s, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- respondents and answers ---- */

static int sq_put_respondent(struct cc_store *st, struct cc_survey_respondent *r, int64_t batch,
                             enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_R_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, r->mission_id)) ||
	    (rc = sqlite3_bind_text(s, 2, r->wave, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 3, r->key, -1, SQLITE_STATIC))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		const char *pers = (const char *)sqlite3_column_text(s, 5);
		bool same;

		id = sqlite3_column_int64(s, 0);
		same = sqlite3_column_int64(s, 1) == r->source_id &&
		       sqlite3_column_int64(s, 2) == r->line &&
		       sqlite3_column_int64(s, 3) == r->area_id &&
		       sqlite3_column_double(s, 4) == r->weight &&
		       !strcmp(pers ? pers : "", str0(r->personal));
		sqlite3_reset(s);
		r->id = id;
		*res_out = same ? CC_PUT_UNCHANGED : CC_PUT_UPDATED;
		if ((ret = stmt(st, same ? S_R_SEEN : S_R_UPD, &s, err)) < 0)
			goto out_leave;
		if (same) {
			if ((rc = sqlite3_bind_int64(s, 1, id)) ||
			    (rc = sqlite3_bind_int64(s, 2, batch))) {
				ret = cc__sq_bind_fail(st, s, rc, err);
				goto out_leave;
			}
		} else if ((rc = sqlite3_bind_int64(s, 1, id)) ||
		           (rc = cc__sq_bind_id(s, 2, r->source_id)) ||
		           (rc = sqlite3_bind_int64(s, 3, r->line)) ||
		           (rc = sqlite3_bind_int64(s, 4, batch)) ||
		           (rc = cc__sq_bind_id(s, 5, r->area_id)) ||
		           (rc = sqlite3_bind_double(s, 6, r->weight)) ||
		           (rc = cc__sq_bind_text(s, 7, r->personal))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			goto out_leave;
		}
		ret = cc__sq_step_done(st, s, err);
		goto out_leave;
	}
	*res_out = CC_PUT_ADDED;
	if ((ret = stmt(st, S_R_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, r->mission_id)) ||
	    (rc = cc__sq_bind_text(s, 2, r->wave)) || (rc = cc__sq_bind_text(s, 3, r->key)) ||
	    (rc = cc__sq_bind_id(s, 4, r->source_id)) || (rc = sqlite3_bind_int64(s, 5, r->line)) ||
	    (rc = sqlite3_bind_int64(s, 6, batch)) || (rc = cc__sq_bind_id(s, 7, r->area_id)) ||
	    (rc = sqlite3_bind_double(s, 8, r->weight)) ||
	    (rc = cc__sq_bind_text(s, 9, r->personal))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	r->id = sqlite3_last_insert_rowid(cc__sq_db(st));
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_put_answer(struct cc_store *st, const struct cc_survey_answer *a,
                         enum cc_put_result *res_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_A_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, a->respondent_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, a->question_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		const char *status = (const char *)sqlite3_column_text(s, 0);
		const char *code = (const char *)sqlite3_column_text(s, 2);
		bool same = status && !strcmp(status, cc_answer_status_name(a->status)) &&
		            same_num(cc__sq_col_num(s, 1), a->value) &&
		            !strcmp(code ? code : "", str0(a->code));

		sqlite3_reset(s);
		if (same) {
			*res_out = CC_PUT_UNCHANGED;
			goto out_leave;
		}
	}
	*res_out = ret == 0 ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = stmt(st, S_A_PUT, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, a->respondent_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, a->question_id)) ||
	    (rc = cc__sq_bind_text(s, 3, cc_answer_status_name(a->status))) ||
	    (rc = cc__sq_bind_num(s, 4, a->value)) || (rc = cc__sq_bind_text(s, 5, a->code))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_done(st, s, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static int sq_remove_stale(struct cc_store *st, int64_t source_id, int64_t batch,
                           size_t *n_removed_out, struct cc_err *err)
{
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	*n_removed_out = 0;
	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	for (int id = S_STALE_ANS; id <= S_STALE_RESP && ret == 0; id++) {
		if ((ret = stmt(st, id, &s, err)) < 0)
			break;
		if ((rc = sqlite3_bind_int64(s, 1, source_id)) ||
		    (rc = sqlite3_bind_int64(s, 2, batch))) {
			ret = cc__sq_bind_fail(st, s, rc, err);
			break;
		}
		ret = cc__sq_step_done(st, s, err);
		if (ret == 0 && id == S_STALE_RESP)
			*n_removed_out = (size_t)sqlite3_changes(cc__sq_db(st));
	}
	return cc__sq_tx_leave(st, own, ret, err);
}

/* ---- reads ---- */

static int sq_load(struct cc_store *st, const struct cc_survey_query *q, int64_t question_id,
                   int64_t group_id, struct cc_survey_data *out, struct cc_err *err)
{
	size_t cap_w = 0, cap_r = 0;
	sqlite3_stmt *s;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_WAVES, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, q->mission_id))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		if ((ret = cc__sq_grow((void **)&out->waves, &cap_w, out->n_waves,
		                       sizeof(*out->waves))) < 0) {
			sqlite3_reset(s);
			goto out;
		}
		cc__sq_col_str(s, 0, out->waves[out->n_waves++], sizeof(*out->waves));
	}
	if (ret < 0)
		goto out;
	if ((ret = stmt(st, S_LOAD, &s, err)) < 0)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, q->mission_id)) ||
	    (rc = sqlite3_bind_int64(s, 2, question_id)) ||
	    (rc = sqlite3_bind_int64(s, 3, group_id)) ||
	    (rc = q->wave ? sqlite3_bind_text(s, 4, q->wave, -1, SQLITE_STATIC)
	                  : sqlite3_bind_null(s, 4))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_survey_row *r;
		char status[16];

		if ((ret = cc__sq_grow((void **)&out->rows, &cap_r, out->n_rows,
		                       sizeof(*out->rows))) < 0) {
			sqlite3_reset(s);
			goto out;
		}
		r = &out->rows[out->n_rows++];
		memset(r, 0, sizeof(*r));
		r->respondent_id = sqlite3_column_int64(s, 0);
		cc__sq_col_str(s, 1, r->wave, sizeof(r->wave));
		r->area_id = sqlite3_column_int64(s, 2);
		cc__sq_col_str(s, 3, r->area, sizeof(r->area));
		r->weight = sqlite3_column_double(s, 4);
		cc__sq_col_str(s, 5, status, sizeof(status));
		if (cc_answer_status_parse(status, &r->status) < 0)
			r->status = CC_MISSING; /* the CHECK constraint keeps this out */
		r->value = cc__sq_col_num(s, 6);
		cc__sq_col_str(s, 7, r->code, sizeof(r->code));
		cc__sq_col_str(s, 8, r->group, sizeof(r->group));
		if (!r->group[0] && sqlite3_column_type(s, 9) != SQLITE_NULL)
			snprintf(r->group, sizeof(r->group), "%.15g", sqlite3_column_double(s, 9));
	}
out:
	cc__sq_rx_leave(st, own);
	if (ret < 0) {
		if (ret == CC_ENOMEM)
			cc_err_set(err, ret, "out of memory reading survey answers");
		return ret;
	}
	return 0;
}

static int count1(struct cc_store *st, int id, int64_t mission_id, int64_t *out, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	*out = 0;
	if ((ret = stmt(st, id, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, mission_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	ret = cc__sq_step_row(st, s, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

static int sq_counts(struct cc_store *st, int64_t mission_id, int64_t *respondents_out,
                     int64_t *answers_out, int64_t *feedback_out, struct cc_err *err)
{
	int ret;

	if ((ret = count1(st, S_COUNT_R, mission_id, respondents_out, err)) < 0 ||
	    (ret = count1(st, S_COUNT_A, mission_id, answers_out, err)) < 0)
		return ret;
	return count1(st, S_COUNT_F, mission_id, feedback_out, err);
}

/* ---- feedback ---- */

static int write_fts(struct cc_store *st, const struct cc_feedback *f, struct cc_err *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	if ((ret = stmt(st, S_FTS_DEL, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, f->id)))
		return cc__sq_bind_fail(st, s, rc, err);
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_FTS_ADD, &s, err)) < 0)
		return ret;
	if ((rc = sqlite3_bind_int64(s, 1, f->id)) || (rc = cc__sq_bind_text(s, 2, f->text)) ||
	    (rc = cc__sq_bind_text(s, 3, f->category)) ||
	    (rc = cc__sq_bind_text(s, 4, f->channel)) ||
	    (rc = cc__sq_bind_text(s, 5, f->organisation)))
		return cc__sq_bind_fail(st, s, rc, err);
	return cc__sq_step_done(st, s, err);
}

static bool same_feedback(sqlite3_stmt *s, const struct cc_feedback *f)
{
	static const int text_cols[] = { 3, 4, 5, 6, 7, 8 };
	const char *mine[] = { f->channel,  f->organisation, f->text,
		               f->category, f->sentiment,    str0(f->giver) };

	if (cc__sq_col_date(s, 1) != f->date || sqlite3_column_int64(s, 2) != f->area_id)
		return false;
	for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++) {
		const char *t = (const char *)sqlite3_column_text(s, text_cols[i]);

		if (strcmp(t ? t : "", mine[i]) != 0)
			return false;
	}
	return true;
}

static int sq_put_feedback(struct cc_store *st, struct cc_feedback *f, enum cc_put_result *res_out,
                           struct cc_err *err)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_tx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_F_FIND, &s, err)) < 0)
		goto out_leave;
	if ((rc = sqlite3_bind_int64(s, 1, f->mission_id)) ||
	    (rc = sqlite3_bind_text(s, 2, f->key, -1, SQLITE_STATIC))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	ret = cc__sq_step_row(st, s, err);
	if (ret < 0)
		goto out_leave;
	if (ret == 0) {
		bool same = same_feedback(s, f);

		id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		f->id = id;
		if (same) {
			*res_out = CC_PUT_UNCHANGED;
			ret = 0;
			goto out_leave;
		}
	}
	*res_out = id ? CC_PUT_UPDATED : CC_PUT_ADDED;
	if ((ret = stmt(st, id ? S_F_UPD : S_F_INS, &s, err)) < 0)
		goto out_leave;
	if ((rc = id ? sqlite3_bind_int64(s, 1, id) : sqlite3_bind_int64(s, 1, f->mission_id)) ||
	    (rc = id ? SQLITE_OK : cc__sq_bind_text(s, 2, f->key)) ||
	    (rc = cc__sq_bind_date(s, 3, f->date)) || (rc = cc__sq_bind_id(s, 4, f->area_id)) ||
	    (rc = cc__sq_bind_text(s, 5, f->channel)) ||
	    (rc = cc__sq_bind_text(s, 6, f->organisation)) ||
	    (rc = sqlite3_bind_text(s, 7, f->text, -1, SQLITE_STATIC)) ||
	    (rc = cc__sq_bind_text(s, 8, f->category)) ||
	    (rc = cc__sq_bind_text(s, 9, f->sentiment)) ||
	    (rc = cc__sq_bind_text(s, 10, f->giver))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out_leave;
	}
	if ((ret = cc__sq_step_done(st, s, err)) < 0)
		goto out_leave;
	if (!id)
		f->id = sqlite3_last_insert_rowid(cc__sq_db(st));
	ret = write_fts(st, f, err);
out_leave:
	return cc__sq_tx_leave(st, own, ret, err);
}

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

/* Words to an FTS5 query: each word quoted (never an operator), '*' after it a prefix; AND. */
static int match_expr(const char *q, struct cc_buf *b, struct cc_err *err)
{
	const unsigned char *p = (const unsigned char *)q;
	size_t n = 0;
	int ret = 0;

	while (*p && ret == 0) {
		const unsigned char *w = p;

		while (*p && word_byte(*p))
			p++;
		if (p == w) {
			p++;
			continue;
		}
		ret = cc_buf_addf(b, "%s\"%.*s\"", n++ ? " " : "", (int)(p - w), (const char *)w);
		if (ret == 0 && *p == '*') {
			ret = cc_buf_addch(b, '*');
			p++;
		}
	}
	if (ret < 0)
		return cc_err_set(err, ret, "%s", cc_code_text(ret));
	if (!n)
		return cc_err_set(err, CC_EUSAGE, "'%s' has no word to search for", q);
	return 0;
}

static int bind_fq(struct cc_store *st, sqlite3_stmt *s, const struct cc_feedback_query *q,
                   struct cc_err *err)
{
	int rc;

	if ((rc = sqlite3_bind_int64(s, 1, q->mission_id)) ||
	    (rc = q->category ? sqlite3_bind_text(s, 2, q->category, -1, SQLITE_STATIC)
	                      : sqlite3_bind_null(s, 2)) ||
	    (rc = q->area ? sqlite3_bind_text(s, 3, q->area, -1, SQLITE_STATIC)
	                  : sqlite3_bind_null(s, 3)) ||
	    (rc = cc__sq_bind_date(s, 4, q->from)) || (rc = cc__sq_bind_date(s, 5, q->to)) ||
	    (rc = sqlite3_bind_int64(s, 6, q->limit ? (int64_t)q->limit : -1)))
		return cc__sq_bind_fail(st, s, rc, err);
	return 0;
}

static int sq_list_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                            struct cc_feedback **out, size_t *n_out, struct cc_err *err)
{
	struct cc_buf m = CC_BUF_INIT(4096);
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc, ret;

	*out = NULL;
	*n_out = 0;
	if (q->words && (ret = match_expr(q->words, &m, err)) < 0)
		goto out;
	if ((ret = stmt(st, q->words ? S_F_SEARCH : S_F_LIST, &s, err)) < 0 ||
	    (ret = bind_fq(st, s, q, err)) < 0)
		goto out;
	if (q->words && (rc = sqlite3_bind_text(s, 7, m.buf, -1, SQLITE_STATIC))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_feedback *f;

		if ((ret = cc__sq_grow((void **)out, &cap, *n_out, sizeof(**out))) < 0) {
			sqlite3_reset(s);
			cc_err_set(err, ret, "out of memory reading feedback");
			goto out;
		}
		f = &(*out)[(*n_out)++];
		memset(f, 0, sizeof(*f));
		f->id = sqlite3_column_int64(s, 0);
		f->mission_id = sqlite3_column_int64(s, 1);
		cc__sq_col_str(s, 2, f->key, sizeof(f->key));
		f->date = cc__sq_col_date(s, 3);
		f->area_id = sqlite3_column_int64(s, 4);
		cc__sq_col_str(s, 5, f->area, sizeof(f->area));
		cc__sq_col_str(s, 6, f->area_name, sizeof(f->area_name));
		cc__sq_col_str(s, 7, f->channel, sizeof(f->channel));
		cc__sq_col_str(s, 8, f->organisation, sizeof(f->organisation));
		cc__sq_col_str(s, 9, f->text, sizeof(f->text));
		cc__sq_col_str(s, 10, f->category, sizeof(f->category));
		cc__sq_col_str(s, 11, f->sentiment, sizeof(f->sentiment));
		cc__sq_col_str(s, 12, f->snippet, sizeof(f->snippet));
	}
	if (ret > 0)
		ret = 0;
out:
	cc_buf_release(&m);
	if (ret < 0) {
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

static int sq_count_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                             struct cc_feedback_count **out, size_t *n_out, struct cc_err *err)
{
	size_t cap = 0;
	sqlite3_stmt *s;
	int ret;

	*out = NULL;
	*n_out = 0;
	if ((ret = stmt(st, S_F_COUNT, &s, err)) < 0 || (ret = bind_fq(st, s, q, err)) < 0)
		return ret;
	while ((ret = cc__sq_step_row(st, s, err)) == 0) {
		struct cc_feedback_count *c;

		if ((ret = cc__sq_grow((void **)out, &cap, *n_out, sizeof(**out))) < 0) {
			sqlite3_reset(s);
			cc_err_set(err, ret, "out of memory counting feedback");
			break;
		}
		c = &(*out)[(*n_out)++];
		memset(c, 0, sizeof(*c));
		cc__sq_col_str(s, 0, c->category, sizeof(c->category));
		cc__sq_col_str(s, 1, c->area, sizeof(c->area));
		cc__sq_col_str(s, 2, c->month, sizeof(c->month));
		c->n = sqlite3_column_int64(s, 3);
		c->negative = sqlite3_column_int64(s, 4);
	}
	if (ret < 0) {
		cc_free(*out);
		*out = NULL;
		*n_out = 0;
		return ret;
	}
	return 0;
}

const struct cc__survey_ops cc__sqlite_survey = {
	.put_question = sq_put_question,
	.find_question = sq_find_question,
	.put_choice = sq_put_choice,
	.put_respondent = sq_put_respondent,
	.put_answer = sq_put_answer,
	.remove_stale = sq_remove_stale,
	.load = sq_load,
	.counts = sq_counts,
	.put_feedback = sq_put_feedback,
	.list_feedback = sq_list_feedback,
	.count_feedback = sq_count_feedback,
};
