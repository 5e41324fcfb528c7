/*
 * The survey and feedback domain's backend operations (internal): one const table per
 * backend, reached through struct cc_store_ops.survey. store_survey.c checks arguments and
 * dispatches; the backend behaves as <concord/survey.h> and <concord/feedback.h> document.
 */
#ifndef CC_STORE_OPS_SURVEY_H
#define CC_STORE_OPS_SURVEY_H

#include <concord/feedback.h>
#include <concord/survey.h>

struct cc__survey_ops {
	int (*put_question)(struct cc_store *st, struct cc_survey_question *q,
	                    enum cc_put_result *res_out, struct cc_err *err);
	int (*find_question)(struct cc_store *st, int64_t mission_id, const char *name,
	                     struct cc_survey_question *out, struct cc_err *err);
	int (*put_choice)(struct cc_store *st, int64_t question_id, const char *code,
	                  const char *label, enum cc_put_result *res_out, struct cc_err *err);
	int (*put_respondent)(struct cc_store *st, struct cc_survey_respondent *r, int64_t batch,
	                      enum cc_put_result *res_out, struct cc_err *err);
	int (*put_answer)(struct cc_store *st, const struct cc_survey_answer *a,
	                  enum cc_put_result *res_out, struct cc_err *err);
	int (*remove_stale)(struct cc_store *st, int64_t source_id, int64_t batch,
	                    size_t *n_removed_out, struct cc_err *err);
	/* rows of q (area_cell left empty: store_survey.c fills it), waves in import order */
	int (*load)(struct cc_store *st, const struct cc_survey_query *q, int64_t question_id,
	            int64_t group_id, struct cc_survey_data *out, struct cc_err *err);
	int (*counts)(struct cc_store *st, int64_t mission_id, int64_t *respondents_out,
	              int64_t *answers_out, int64_t *feedback_out, struct cc_err *err);

	int (*put_feedback)(struct cc_store *st, struct cc_feedback *f, enum cc_put_result *res_out,
	                    struct cc_err *err);
	int (*list_feedback)(struct cc_store *st, const struct cc_feedback_query *q,
	                     struct cc_feedback **out, size_t *n_out, struct cc_err *err);
	int (*count_feedback)(struct cc_store *st, const struct cc_feedback_query *q,
	                      struct cc_feedback_count **out, size_t *n_out, struct cc_err *err);
};

extern const struct cc__survey_ops cc__sqlite_survey; /* src/store/sqlite_survey.c */

#endif
