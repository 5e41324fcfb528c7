/* The public face of the survey and feedback domain: checks, then the backend's table. */
#include <concord/feedback.h>
#include <concord/survey.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/text.h>

#include "store/backend.h"
#include "store/ops_survey.h"

#include "core/banned.h"

static int unsupported(struct cc_err *err)
{
	return cc_err_set(err, CC_EUNSUPPORTED, "this store has no surveys or feedback");
}

int cc_store_put_survey_question(struct cc_store *st, struct cc_survey_question *q,
                                 enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	if (!q->mission_id || !q->name[0])
		return cc_err_set(err, CC_EINVALID, "a survey question needs a mission and a name");
	return st->ops->survey->put_question(st, q, res_out, err);
}

int cc_store_find_survey_question(struct cc_store *st, int64_t mission_id, const char *name,
                                  struct cc_survey_question *out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	return st->ops->survey->find_question(st, mission_id, name, out, err);
}

int cc_store_put_survey_choice(struct cc_store *st, int64_t question_id, const char *code,
                               const char *label, enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	if (!question_id || !code || !code[0])
		return cc_err_set(err, CC_EINVALID, "a choice needs a question and a code");
	return st->ops->survey->put_choice(st, question_id, code, label, res_out, err);
}

int cc_store_put_survey_respondent(struct cc_store *st, struct cc_survey_respondent *r,
                                   int64_t batch, enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	if (!r->mission_id || !r->wave[0] || !r->key[0])
		return cc_err_set(err, CC_EINVALID,
		                  "a respondent needs a mission, a wave and a key");
	if (!(r->weight >= 0) || isinf(r->weight))
		return cc_err_set(err, CC_EINVALID, "weight %g is not a number >= 0", r->weight);
	return st->ops->survey->put_respondent(st, r, batch, res_out, err);
}

int cc_store_put_survey_answer(struct cc_store *st, const struct cc_survey_answer *a,
                               enum cc_put_result *res_out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	if (!a->respondent_id || !a->question_id)
		return cc_err_set(err, CC_EINVALID, "an answer needs a respondent and a question");
	return st->ops->survey->put_answer(st, a, res_out, err);
}

int cc_store_remove_stale_respondents(struct cc_store *st, int64_t source_id, int64_t batch,
                                      size_t *n_removed_out, struct cc_err *err)
{
	*n_removed_out = 0;
	if (!st->ops->survey)
		return unsupported(err);
	return st->ops->survey->remove_stale(st, source_id, batch, n_removed_out, err);
}

int cc_store_survey_counts(struct cc_store *st, int64_t mission_id, int64_t *respondents_out,
                           int64_t *answers_out, int64_t *feedback_out, struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	return st->ops->survey->counts(st, mission_id, respondents_out, answers_out, feedback_out,
	                               err);
}

/* Each row's ancestor at level: walks the parents of every stored area once. */
static int fill_area_cells(struct cc_store *st, int level, struct cc_survey_data *d,
                           struct cc_err *err)
{
	struct cc_area *areas = NULL;
	struct cc_map ix = CC_MAP_INIT;
	size_t n = 0;
	char key[24];
	int ret;

	if ((ret = cc_store_list_areas(st, &(struct cc_area_filter){ .level = -1 }, &areas, &n,
	                               err)) < 0)
		return ret;
	for (size_t i = 0; i < n && ret == 0; i++) {
		snprintf(key, sizeof(key), "%lld", (long long)areas[i].id);
		ret = cc_map_put(&ix, key, (int64_t)i);
	}
	if (ret < 0) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < d->n_rows; r++) {
		int64_t id = d->rows[r].area_id, i;

		for (size_t hops = 0; id && hops < 16; hops++) {
			snprintf(key, sizeof(key), "%lld", (long long)id);
			if (cc_map_get(&ix, key, &i) != 0)
				break;
			if (areas[i].level == level) {
				snprintf(d->rows[r].area_cell, sizeof(d->rows[r].area_cell),
				         "%s %s", areas[i].pcode, areas[i].name);
				break;
			}
			if (areas[i].level < level)
				break;
			id = areas[i].parent_id;
		}
	}
out:
	cc_map_release(&ix);
	cc_free(areas);
	return ret;
}

int cc_store_load_survey(struct cc_store *st, const struct cc_survey_query *q,
                         struct cc_survey_data *out, struct cc_err *err)
{
	struct cc_survey_question g = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st->ops->survey)
		return unsupported(err);
	if (!q->question || !q->question[0])
		return cc_err_set(err, CC_EUSAGE, "name the question");
	if ((ret = cc_store_find_survey_question(st, q->mission_id, q->question, &out->question,
	                                         err)) < 0)
		return ret;
	if (q->group &&
	    (ret = cc_store_find_survey_question(st, q->mission_id, q->group, &g, err)) < 0)
		return ret;
	ret = st->ops->survey->load(st, q, out->question.id, g.id, out, err);
	if (ret == 0 && q->wave) {
		bool known = false;

		for (size_t i = 0; i < out->n_waves && !known; i++)
			known = !strcmp(out->waves[i], q->wave);
		if (!known)
			ret = cc_err_set(err, CC_ENOTFOUND, "unknown wave '%s'", q->wave);
	}
	if (ret == 0 && q->level >= 0)
		ret = fill_area_cells(st, q->level, out, err);
	if (ret < 0)
		cc_survey_data_release(out);
	return ret;
}

void cc_survey_data_release(struct cc_survey_data *d)
{
	if (!d)
		return;
	cc_free(d->rows);
	cc_free(d->waves);
	memset(d, 0, sizeof(*d));
}

/* ---- feedback ---- */

int cc_feedback_sentiment(const char *s, char out[static 16], struct cc_err *err)
{
	static const char *const names[] = { "positive", "neutral", "negative" };

	out[0] = '\0';
	if (!s || !s[0])
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i])) {
			snprintf(out, 16, "%s", names[i]);
			return 0;
		}
	}
	return cc_err_set(err, CC_EINVALID,
	                  "unknown sentiment '%s' (positive, neutral or negative)", s);
}

int cc_store_put_feedback(struct cc_store *st, struct cc_feedback *f, enum cc_put_result *res_out,
                          struct cc_err *err)
{
	if (!st->ops->survey)
		return unsupported(err);
	if (!f->mission_id || f->date == CC_DATE_NONE || !f->text[0])
		return cc_err_set(err, CC_EINVALID, "feedback needs a mission, a date and a text");
	if (!f->key[0])
		return cc_err_set(err, CC_EINVALID, "feedback needs a key");
	return st->ops->survey->put_feedback(st, f, res_out, err);
}

int cc_store_list_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                           struct cc_feedback **out, size_t *n_out, struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	if (!st->ops->survey)
		return unsupported(err);
	return st->ops->survey->list_feedback(st, q, out, n_out, err);
}

int cc_store_count_feedback(struct cc_store *st, const struct cc_feedback_query *q,
                            struct cc_feedback_count **out, size_t *n_out, struct cc_err *err)
{
	*out = NULL;
	*n_out = 0;
	if (!st->ops->survey)
		return unsupported(err);
	return st->ops->survey->count_feedback(st, q, out, n_out, err);
}
