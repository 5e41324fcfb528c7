/*
 * The learning endpoints of the API: the lessons register's full-text search and the survey
 * results. Each makes the same library calls as its command (`concord lesson search --json`,
 * `concord survey results --json`) and writes the same JSON object, read through the request's
 * store handle, whose viewer http.c has set to the caller: a search finds only the lessons the
 * caller may see, and the estimates count only the survey responses it may see.
 *
 * As GET /api/lessons, the search keeps to the lessons of the caller's mission and those of no
 * mission; its facets count those matches only, so that a lesson the caller may not see (or of
 * another mission) leaves no trace in the hits or the counts.
 *
 * Query arguments mirror the commands' options; a bad value answers 400 naming the argument.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/analyses.h>
#include <concord/lessons.h>
#include <concord/model.h>
#include <concord/report.h>
#include <concord/survey.h>
#include <concord/text.h>

#include "server/server.h"

#include "core/banned.h"


#define MAX_QUERY 1000 /* bytes of a search's words */
#define MAX_HITS  1000


/* A present, non-empty text argument of at most max bytes; NULL when absent. */
static int arg_text(const struct cc__req *req, const char *name, size_t max, const char **out,
                    struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	*out = v;
	if (!v)
		return 0;
	if (!*v)
		return cc__bad_arg(err, name, "%s: give a value", name);
	if (strlen(v) > max)
		return cc__bad_arg(err, name, "%s: longer than %zu bytes", name, max);
	return 0;
}

/* "true" or "false"; *out unchanged when absent. */
static int arg_bool(const struct cc__req *req, const char *name, bool *out, struct cc_err *err)
{
	const char *v = cc__req_query(req, name);

	if (!v)
		return 0;
	if (!strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "false"))
		*out = false;
	else
		return cc__bad_arg(err, name, "%s: '%s': choose one of true|false", name, v);
	return 0;
}

/* ---- GET /api/lessons/search ---- */

const struct cc__query_param cc__lessons_search_query[] = {
	{ .name = "q",
	  .type = "string",
	  .description = "the words to find (every word must match, stemmed, case and diacritics "
	                 "folded; \"word*\" a prefix)" },
	{ .name = "pillar",
	  .type = "string",
	  .description = "hits of this pillar only (the facets still count every match)" },
	{ .name = "status",
	  .type = "string",
	  .enum_values = "observed|analysed|action-assigned|implemented|validated",
	  .description = "hits in this status only (the facets still count every match)" },
	{ .name = "mission",
	  .type = "string",
	  .description = "hits of this mission code only, or \"none\" for lessons of no mission" },
	{ .name = "limit",
	  .type = "integer",
	  .description = "hits returned, 1 to 1000 (20); n_hits counts them all" },
	{ .name = NULL },
};

/* Whether the comma-separated list holds name. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p += len + (c ? 1 : 0);
	}
	return false;
}

/* One count of a facet, kept in order of first appearance as the library keeps them. */
struct facet {
	struct cc_facet *v;
	size_t n, cap;
};

static int facet_add(struct facet *f, const char *value)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].value, value)) {
			f->v[i].count++;
			return 0;
		}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct cc_facet *v = cc_realloc(f->v, cap * sizeof(*v));

		if (!v)
			return CC_ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	memset(&f->v[f->n], 0, sizeof(f->v[0]));
	snprintf(f->v[f->n].value, sizeof(f->v[0].value), "%s", value);
	f->v[f->n++].count = 1;
	return 0;
}

static int add_facet(struct cc_buf *b, const char *name, const struct facet *f)
{
	int ret = cc_buf_addf(b, "%s\"%s\":{", strcmp(name, "pillar") ? "," : "", name);

	for (size_t i = 0; i < f->n && ret == 0; i++) {
		ret = cc_buf_adds(b, i ? "," : "");
		if (ret == 0)
			ret = cc_buf_add_json_str(b, f->v[i].value);
		if (ret == 0)
			ret = cc_buf_addf(b, ":%zu", f->v[i].count);
	}
	return ret == 0 ? cc_buf_adds(b, "}") : ret;
}

static int add_hit(struct cc_buf *b, const struct cc_lesson_hit *h, bool first)
{
	const struct cc_lesson *l = &h->lesson;
	int ret = cc_buf_adds(b, first ? "{\"key\":" : ",{\"key\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, l->key);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"title\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, l->title);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"mission\":");
	if (ret == 0)
		ret = l->mission[0] ? cc_buf_add_json_str(b, l->mission) : cc_buf_adds(b, "null");
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"pillars\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, l->pillars);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"status\":\"%s\",\"rank\":%.6f,\"snippet\":",
		                  cc_lesson_status_name((int)l->status), h->rank);
	if (ret == 0)
		ret = cc_buf_add_json_str(b, h->snippet);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"source\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, l->source);
	return ret == 0 ? cc_buf_adds(b, "}") : ret;
}

/*
 * The same search and JSON as `concord lesson search WORDS --json` (with --pillar, --status,
 * --limit), the hits being the caller's: visible to it, of its mission or of none.
 */
int cc__api_lessons_search(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	const char *q, *pillar, *status, *mission;
	struct cc_lesson_search s;
	struct facet fp = { 0 }, fm = { 0 }, fs = { 0 };
	struct cc_mission m;
	int64_t limit = 20;
	size_t n_matched = 0, n_hits = 0, shown = 0;
	int want_pillar = -1, want_status = -1, ret;

	if ((ret = arg_text(req, "q", MAX_QUERY, &q, err)) < 0 ||
	    (ret = arg_text(req, "pillar", 64, &pillar, err)) < 0 ||
	    (ret = arg_text(req, "status", 64, &status, err)) < 0 ||
	    (ret = arg_text(req, "mission", 31, &mission, err)) < 0 ||
	    (ret = cc__arg_int(req, "limit", 1, MAX_HITS, &limit, err)) < 0)
		return ret;
	if (!q)
		return cc__bad_arg(err, "q", "q: give the words to search for");
	if (pillar && (want_pillar = cc_pillar_parse(pillar)) < 0)
		return cc__bad_arg(err, "pillar", "pillar: unknown pillar '%s'", pillar);
	if (status && (want_status = cc_lesson_status_parse(status)) < 0)
		return cc__bad_arg(err, "status", "status: unknown status '%s'", status);
	if ((ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	/* every match the caller may see; the filters are applied below, after the facets */
	ret = cc_lessons_search(req->st, q,
	                        &(struct cc_lesson_filter){ .pillar = -1, .status = -1 }, &s, err);
	if (ret < 0) {
		if (ret == CC_EUSAGE && !err->field[0])
			cc_err_at(err, NULL, 0, "q");
		return ret;
	}
	/* the caller's matches, in rank order: its mission's lessons and those of none */
	for (size_t i = 0; i < s.n_hits; i++) {
		const struct cc_lesson *l = &s.hits[i].lesson;

		if (l->mission_id && l->mission_id != m.id)
			continue;
		if (n_matched != i)
			s.hits[n_matched] = s.hits[i];
		n_matched++;
	}
	for (size_t i = 0; i < n_matched && ret == 0; i++) {
		const struct cc_lesson *l = &s.hits[i].lesson;

		for (int p = 0; p < CC_N_PILLARS && ret == 0; p++)
			if (in_list(l->pillars, cc_pillar_name(p)))
				ret = facet_add(&fp, cc_pillar_name(p));
		if (ret == 0)
			ret = facet_add(&fm, l->mission);
		if (ret == 0)
			ret = facet_add(&fs, cc_lesson_status_name((int)l->status));
	}
	for (size_t i = 0; i < n_matched && ret == 0; i++) {
		const struct cc_lesson *l = &s.hits[i].lesson;

		if (want_pillar >= 0 && !in_list(l->pillars, cc_pillar_name(want_pillar)))
			continue;
		if (want_status >= 0 && (int)l->status != want_status)
			continue;
		if (mission && strcmp(l->mission, strcmp(mission, "none") ? mission : ""))
			continue;
		if (n_hits != i)
			s.hits[n_hits] = s.hits[i];
		n_hits++;
	}
	if (ret == 0)
		ret = cc_buf_adds(out, "{\"query\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(out, q);
	if (ret == 0)
		ret = cc_buf_addf(out, ",\"n_matched\":%zu,\"n_hits\":%zu,\"hits\":[", n_matched,
		                  n_hits);
	for (; shown < n_hits && shown < (size_t)limit && ret == 0; shown++)
		ret = add_hit(out, &s.hits[shown], shown == 0);
	if (ret == 0)
		ret = cc_buf_adds(out, "],\"facets\":{");
	if (ret == 0)
		ret = add_facet(out, "pillar", &fp);
	if (ret == 0)
		ret = add_facet(out, "mission", &fm);
	if (ret == 0)
		ret = add_facet(out, "status", &fs);
	if (ret == 0)
		ret = cc_buf_adds(out, "}}\n");
	cc_free(fp.v);
	cc_free(fm.v);
	cc_free(fs.v);
	cc_lesson_search_release(&s);
	return ret < 0 ? cc_err_set(err, ret, "%s", cc_code_text(ret)) : 0;
}

/* ---- GET /api/survey ---- */

const struct cc__query_param cc__survey_query[] = {
	{ .name = "question",
	  .type = "string",
	  .description = "the question tabulated (required)" },
	{ .name = "by",
	  .type = "string",
	  .enum_values = "all|area|group|wave",
	  .description =
	          "one row per answer of all respondents, or per area, group or wave (all)" },
	{ .name = "group",
	  .type = "string",
	  .description = "with by=group: the question whose answer groups the respondents" },
	{ .name = "level",
	  .type = "integer",
	  .description = "with by=area: the admin level of the areas, 0 to 5 (1)" },
	{ .name = "wave", .type = "string", .description = "this wave only (every wave)" },
	{ .name = "cluster",
	  .type = "string",
	  .description = "a question naming each respondent's cluster (village): the variance is "
	                 "then linearised by cluster" },
	{ .name = "likert",
	  .type = "integer",
	  .description = "also the Likert index on a scale 1..K, K from 2 to 11" },
	{ .name = "reverse",
	  .type = "string",
	  .enum_values = "true|false",
	  .description = "with likert: the item is reverse-coded (false)" },
	{ .name = "multiple",
	  .type = "string",
	  .enum_values = "true|false",
	  .description = "answers are space-separated sets (select_multiple; false unless the "
	                 "form says so)" },
	{ .name = "confidence",
	  .type = "number",
	  .description = "confidence level of the intervals, in (0, 1) (0.95)" },
	{ .name = "min_neff",
	  .type = "number",
	  .description = "cells with an effective n below are flagged small, > 0 (30)" },
	{ .name = NULL },
};

static const char *const by_names[] = { "all", "area", "group", "wave" };

static int survey_args(const struct cc__req *req, struct cc_survey_results_query *a,
                       struct cc_err *err)
{
	const char *v;
	int64_t level = 1, k = 0;
	int ret;

	if ((ret = arg_text(req, "question", 127, &a->question, err)) < 0 ||
	    (ret = arg_text(req, "group", 127, &a->group, err)) < 0 ||
	    (ret = arg_text(req, "cluster", 127, &a->cluster, err)) < 0 ||
	    (ret = arg_text(req, "wave", 63, &a->wave, err)) < 0 ||
	    (ret = cc__arg_int(req, "level", 0, 5, &level, err)) < 0 ||
	    (ret = cc__arg_int(req, "likert", 2, 11, &k, err)) < 0 ||
	    (ret = arg_bool(req, "reverse", &a->reverse, err)) < 0 ||
	    (ret = arg_bool(req, "multiple", &a->multiple, err)) < 0)
		return ret;
	a->level = (int)level;
	a->likert_k = (int)k;
	if ((v = cc__req_query(req, "by"))) {
		size_t i = 0;

		while (i < sizeof(by_names) / sizeof(by_names[0]) && strcmp(v, by_names[i]))
			i++;
		if (i == sizeof(by_names) / sizeof(by_names[0]))
			return cc__bad_arg(err, "by", "by: '%s': choose one of all|area|group|wave", v);
		a->by = (enum cc_survey_by)i;
	}
	if ((v = cc__req_query(req, "confidence")) &&
	    (cc_parse_double(v, &a->conf, NULL) < 0 || !(a->conf > 0 && a->conf < 1)))
		return cc__bad_arg(err, "confidence", "confidence: '%s' is not a number in (0, 1)", v);
	if ((v = cc__req_query(req, "min_neff")) && (cc_parse_double(v, &a->min_neff, NULL) < 0 ||
	                                             !(a->min_neff > 0) || isinf(a->min_neff)))
		return cc__bad_arg(err, "min_neff", "min_neff: '%s' is not a number > 0", v);
	if (!a->question)
		return cc__bad_arg(err, "question", "question: say which question is tabulated");
	if (a->by == CC_SURVEY_BY_GROUP && !a->group)
		return cc__bad_arg(err, "group", "group: by=group needs the question to group by");
	if (a->group && a->by != CC_SURVEY_BY_GROUP)
		return cc__bad_arg(err, "group", "group goes with by=group");
	if (a->reverse && !a->likert_k)
		return cc__bad_arg(err, "reverse", "reverse goes with likert");
	return 0;
}

/* An unknown question, group or cluster answers 404 naming its argument. */
static int check_questions(struct cc__req *req, const struct cc_survey_results_query *a,
                           int64_t mission_id,
                           struct cc_err *err)
{
	const char *const names[] = { "question", "group", "cluster" };
	const char *const values[] = { a->question, a->group, a->cluster };
	struct cc_survey_question q;

	for (size_t i = 0; i < 3; i++) {
		int ret;

		if (!values[i])
			continue;
		ret = cc_store_find_survey_question(req->st, mission_id, values[i], &q, err);
		if (ret < 0) {
			cc_err_at(err, NULL, 0, names[i]);
			return ret;
		}
	}
	return 0;
}

/* The same calls and estimates as `concord survey results --json` with the same options. */
int cc__api_survey(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_survey_results_query q = { .level = 1,
		                             .conf = CC_SURVEY_LEVEL,
		                             .min_neff = CC_SURVEY_MIN_NEFF };
	struct cc_survey_results r;
	struct cc_mission m;
	int ret;

	if ((ret = survey_args(req, &q, err)) < 0 || (ret = cc__caller_mission(req, &m, err)) < 0 ||
	    (ret = check_questions(req, &q, m.id, err)) < 0)
		return ret;
	q.mission_id = m.id;
	ret = cc_survey_results_load(req->st, &q, &r, err);
	if (ret == CC_ENOTFOUND && !err->field[0])
		cc_err_at(err, NULL, 0, q.wave ? "wave" : "question");
	if (ret < 0)
		return ret;
	ret = cc_survey_format_json(&q, &r, out, err);
	cc_survey_results_release(&r);
	return ret;
}

/* ---- GET /api/survey/alpha ---- */

const struct cc__query_param cc__survey_alpha_query[] = {
	{ .name = "items",
	  .type = "string",
	  .description = "the questions of the scale, comma-separated (required, at most 32)" },
	{ .name = "wave", .type = "string", .description = "this wave only (every wave)" },
	{ .name = NULL },
};

/* The same call and JSON as `concord survey alpha --json`; an unknown item answers 404 naming it. */
int cc__api_survey_alpha(struct cc__req *req, struct cc_buf *out, struct cc_err *err)
{
	struct cc_survey_alpha_run a;
	const char *items, *wave;
	struct cc_mission m;
	int ret;

	if ((ret = arg_text(req, "items", 32 * 128, &items, err)) < 0 ||
	    (ret = arg_text(req, "wave", 63, &wave, err)) < 0 ||
	    (ret = cc__caller_mission(req, &m, err)) < 0)
		return ret;
	if (!items)
		return cc__bad_arg(err, "items", "items: name the questions of the scale%s", "");
	ret = cc_survey_alpha_load(req->st, m.id, items, wave, &a, err);
	if (ret == CC_ENOTFOUND && !err->field[0])
		cc_err_at(err, NULL, 0, wave ? "wave" : "items");
	if (ret < 0)
		return ret;
	return cc_survey_alpha_format_json(&a, out, err);
}
