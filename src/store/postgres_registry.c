/*
 * The registry on PostgreSQL (<concord/registry.h>): every kind of record read as the JSON
 * object SQLite's json1 functions make of it (sqlite_registry.c), byte for byte, so that a
 * record's version (a digest of its JSON) is the same on both backends; a keyset page at a
 * time, and only as far as the handle's viewer may see, decided in C by cc_visible() from each
 * row's marking (cc__pg_row_visible). Records are removed one at a time with what hangs on
 * them.
 *
 * The JSON is written here from the columns' types: float8 as SQLite writes a REAL ("%!.15g":
 * 100.0, 1.5, 1.0e+20), integers as integers, text quoted with SQLite's escapes, booleans as
 * true and false, day numbers as YYYY-MM-DD, SQL NULL as null.
 *
 * Lessons, feedback and survey responses are read only where their domains' operations are
 * set on this store (their tables are there): else CC_EUNSUPPORTED.
 */
#include "store/ops_registry.h"
#include "store/postgres_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>
#include <concord/visibility.h>

#include "core/banned.h"

#define OID_BOOL   16
#define OID_INT8   20
#define OID_INT2   21
#define OID_INT4   23
#define OID_FLOAT4 700
#define OID_FLOAT8 701

/* the columns before the record's values: its id (0), the marking the viewer is checked
   against (1 … 6: id, mission_id, owner_id, releasability, deny, shared), for an observation
   its indicator's (7 … 12), and whether the record (13) and the indicator (14) are shared by
   name with the viewer's organisation */
#define C_MARK    1
#define C_MARK2   7
#define C_SHARED  13
#define C_SHARED2 14
#define C_VALS    15
#define NO_MARK2  "NULL, NULL, NULL, NULL, NULL, NULL, "

#define AREA(x)   "(SELECT a_.pcode FROM area a_ WHERE a_.id = " x ".area_id)"
#define MARKS(x)  x ".id, " x ".mission_id, " x ".owner_id, " x ".releasability, " x ".deny, " x ".shared, "
/* the owner's key through a join (OWNER), not a subquery per row: the planner scans the few
   organisations whole for a subquery, once for every row of the page */
#define MARK(x)   x ".releasability, ow_.key, " x ".deny, " x ".shared <> 0"
#define OWNER(x)  " LEFT JOIN organisation ow_ ON ow_.id = " x ".owner_id"
#define MARK_KEYS "releasability", "owner", "deny", "shared"
/* x of table t shared by name with the viewer's organisation ($5, NULL for another viewer):
   asked in the page's statement rather than by one more statement per table */
#define SHARED(x, t) x ".shared <> 0 AND EXISTS (SELECT 1 FROM share sh_ WHERE sh_.tbl = '" t \
	"' AND sh_.record_id = " x ".id AND sh_.org_id = $5::bigint), "
#define NOT_SHARED "NULL, NULL, "
/* $1 mission, $2 id (0: all), $3 after, $4 how many rows, $5 the viewer's organisation */
#define PAGE(x) " AND ($2::bigint = 0 OR " x ".id = $2::bigint) AND " x ".id > $3::bigint " \
	"ORDER BY " x ".id LIMIT $4::bigint"

struct kind {
	const char *sql;
	const char *keys[32]; /* the JSON keys of the values, NULL-terminated; "@k": a day number */
	const char *share;    /* the table whose shares the marking names; NULL: no check */
	const char *share2;   /* an observation's indicator's */
};

static const struct kind kinds[CC_N_REG_KINDS] = {
	[CC_REG_MISSION] = {
	        "SELECT m.id, m.id, m.id, 0, 'public', 0, 0, " NO_MARK2 NOT_SHARED "m.id, m.code, "
	        "m.name, m.country, m.start_date, m.end_date FROM mission m WHERE m.id = $1::bigint"
	        PAGE("m"),
	        { "id", "code", "name", "country", "@start", "@end" }, NULL, NULL },
	[CC_REG_ORG] = {
	        "SELECT o.id, o.id, o.mission_id, o.id, 'public', 0, 0, " NO_MARK2 NOT_SHARED
	        "o.id, o.key, o.name, o.acronym, o.type, o.kind, CASE o.is_local WHEN 1 THEN true "
	        "WHEN 0 THEN false END, o.nation, EXISTS (SELECT 1 FROM mission_member mm WHERE "
	        "mm.mission_id = o.mission_id AND mm.org_id = o.id) FROM organisation o WHERE "
	        "o.mission_id = $1::bigint" PAGE("o"),
	        { "id", "key", "name", "acronym", "type", "kind", "local", "nation", "member" },
	        NULL, NULL },
	[CC_REG_NEED] = {
	        "SELECT n.id, " MARKS("n") NO_MARK2 SHARED("n", "need") "NULL, n.id, " AREA("n")
	        ", (SELECT s.code FROM sector s WHERE s.id = n.sector_id), n.period_from, "
	        "n.period_to, n.is_total = 1, n.sex, n.age_group, n.pop_group, n.disability, "
	        "n.label, n.population, n.in_need, n.targeted, n.affected, n.reached, n.severity, "
	        "(SELECT src.name FROM source src WHERE src.id = n.source_id), n.line, " MARK("n")
	        " FROM need n" OWNER("n") " WHERE n.mission_id = $1::bigint" PAGE("n"),
	        { "id", "area", "sector", "@period_from", "@period_to", "total", "sex", "age_group",
	          "pop_group", "disability", "label", "population", "in_need", "targeted",
	          "affected", "reached", "severity", "source", "line", MARK_KEYS },
	        "need", NULL },
	/* the statement is kept in a function (pg/0011_list_pages.sql), for its plan */
	[CC_REG_INCIDENT] = {
	        "SELECT * FROM concord_page_incident($1::bigint, $2::bigint, $3::bigint, $4::bigint, "
	        "$5::bigint)",
	        { "id", "source", "source_id", "@date", "@date_end", "type", "sub_type", "actor1",
	          "actor2", "lat", "lon", "area", "fatalities", "notes", "date_prec", "geo_prec",
	          "fat_low", "fat_high", "revised", MARK_KEYS },
	        "incident", NULL },
	[CC_REG_INDICATOR] = {
	        "SELECT i.id, " MARKS("i") NO_MARK2 SHARED("i", "indicator") "NULL, i.id, i.code, "
	        "i.name, i.pillar, i.unit, i.measure, i.higher_is_better = 1, i.aggregation, "
	        "i.period_days, i.goal_min, i.goal_max, " MARK("i") " FROM indicator i" OWNER("i")
	        " WHERE i.mission_id = $1::bigint" PAGE("i"),
	        { "id", "code", "name", "pillar", "unit", "measure", "higher_is_better",
	          "aggregation", "period_days", "goal_min", "goal_max", MARK_KEYS },
	        "indicator", NULL },
	/* a benchmark is seen with its indicator */
	[CC_REG_BENCHMARK] = {
	        "SELECT b.id, " MARKS("i") NO_MARK2 SHARED("i", "indicator") "NULL, b.id, i.code, "
	        AREA("b") ", b.sex, b.age_group, b.kind, b.date, b.value FROM benchmark b JOIN "
	        "indicator i ON i.id = b.indicator_id WHERE i.mission_id = $1::bigint" PAGE("b"),
	        { "id", "indicator", "area", "sex", "age_group", "kind", "@date", "value" },
	        "indicator", NULL },
	/* an observation is seen only with its indicator (it names it); the statement is kept in
	   a function (pg/0011_list_pages.sql), for its plan */
	[CC_REG_OBSERVATION] = {
	        "SELECT * FROM concord_page_observation($1::bigint, $2::bigint, $3::bigint, "
	        "$4::bigint, $5::bigint)",
	        { "id", "indicator", "area", "sex", "age_group", "@period_start", "@period_end",
	          "value", "source", "confidence", MARK_KEYS },
	        "observation", "indicator" },
	[CC_REG_LESSON] = {
	        "SELECT l.id, " MARKS("l") NO_MARK2 SHARED("l", "lesson") "NULL, l.id, l.key, "
	        "l.title, l.observation, l.discussion, l.conclusion, l.recommendation, l.pillars, "
	        "l.areas, l.tags, l.date, l.source, l.status, " MARK("l") " FROM lesson l"
	        OWNER("l") " WHERE (l.mission_id IS NULL OR l.mission_id = $1::bigint)" PAGE("l"),
	        { "id", "key", "title", "observation", "discussion", "conclusion", "recommendation",
	          "pillars", "areas", "tags", "@date", "source", "status", MARK_KEYS },
	        "lesson", NULL },
	/* the giver's personal data never leave the store this way */
	[CC_REG_FEEDBACK] = {
	        "SELECT f.id, " MARKS("f") NO_MARK2 SHARED("f", "feedback") "NULL, f.id, f.key, "
	        "f.date, " AREA("f") ", f.channel, f.organisation, f.text, f.category, "
	        "f.sentiment, " MARK("f") " FROM feedback f" OWNER("f") " WHERE f.mission_id = "
	        "$1::bigint" PAGE("f"),
	        { "id", "key", "@date", "area", "channel", "organisation", "text", "category",
	          "sentiment", MARK_KEYS },
	        "feedback", NULL },
	/* nor a respondent's; the answers ("&") are read apart (respondent_answers) */
	[CC_REG_RESPONDENT] = {
	        "SELECT r.id, " MARKS("r") NO_MARK2 SHARED("r", "survey_respondent") "NULL, r.id, "
	        "r.wave, r.key, " AREA("r") ", r.weight, (SELECT src.name FROM source src WHERE "
	        "src.id = r.source_id), r.line, r.id, " MARK("r") " FROM survey_respondent r"
	        OWNER("r") " WHERE r.mission_id = $1::bigint" PAGE("r"),
	        { "id", "wave", "key", "area", "weight", "source", "line", "&answers", MARK_KEYS },
	        "survey_respondent", NULL },
};

/* Whether the kind's tables are on this store (their domain's operations are). */
static bool kind_here(struct cc_store *st, enum cc_reg_kind k)
{
	switch (k) {
	case CC_REG_LESSON:
		return st->ops->lessons != NULL;
	case CC_REG_FEEDBACK:
	case CC_REG_RESPONDENT:
		return st->ops->survey != NULL;
	case CC_REG_MISSION:
	case CC_REG_ORG:
	case CC_REG_NEED:
	case CC_REG_INCIDENT:
	case CC_REG_INDICATOR:
	case CC_REG_BENCHMARK:
	case CC_REG_OBSERVATION:
	case CC_N_REG_KINDS:
		break;
	}
	return kinds[k].sql != NULL;
}

/* ---- JSON as SQLite's json1 writes it ---- */

static int add_str(struct cc_buf *b, const char *s)
{
	static const char special[32] = { ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
		                          ['\f'] = 'f', ['\r'] = 'r' };
	int ret = cc_buf_addch(b, '"');

	while (ret == 0 && *s) {
		/* the characters written as they are, at once: most text is nothing else */
		size_t n = 0;
		unsigned char c;

		while ((c = (unsigned char)s[n]) >= 0x20 && c != '"' && c != '\\')
			n++;
		if (n && (ret = cc_buf_add(b, s, n)) < 0)
			break;
		s += n;
		if (!c)
			break;
		if (c == '"' || c == '\\')
			ret = cc_buf_addf(b, "\\%c", c);
		else if (special[c])
			ret = cc_buf_addf(b, "\\%c", special[c]);
		else
			ret = cc_buf_addf(b, "\\u%04x", c);
		s++;
	}
	return ret < 0 ? ret : cc_buf_addch(b, '"');
}

/* A REAL as SQLite's "%!.15g": always a decimal point, 100.0 and 1.0e+20. */
static int add_real(struct cc_buf *b, double v)
{
	char s[64];
	char *e;

	if (isnan(v))
		return cc_buf_adds(b, "null");
	if (isinf(v))
		return cc_buf_adds(b, v > 0 ? "9.0e+999" : "-9.0e+999");
	snprintf(s, sizeof(s), "%.15g", v);
	if (strchr(s, '.'))
		return cc_buf_adds(b, s);
	if (!(e = strchr(s, 'e')))
		return cc_buf_addf(b, "%s.0", s);
	return cc_buf_addf(b, "%.*s.0%s", (int)(e - s), s, e);
}

/*
 * A respondent's answers as SQLite's json_group_object() makes them: by question, in the order
 * of the answers' key (respondent, question); an answer's code, else its value, when answered,
 * else its status. ans holds the answers of the page's respondents in that order (columns
 * respondent, name, status, code, value); *at is where the respondent's begin.
 */
static int add_answers(struct cc_buf *b, int64_t id, const PGresult *ans, int *at)
{
	int n = ans ? PQntuples(ans) : 0, k = 0, ret = cc_buf_addch(b, '{');

	while (*at < n && cc__pg_col_i64(ans, *at, 0) < id)
		(*at)++;
	for (; ret == 0 && *at < n && cc__pg_col_i64(ans, *at, 0) == id; (*at)++, k++) {
		const char *status = cc__pg_cstr(ans, *at, 2);

		if ((k && (ret = cc_buf_addch(b, ',')) < 0) ||
		    (ret = add_str(b, cc__pg_cstr(ans, *at, 1))) < 0 ||
		    (ret = cc_buf_addch(b, ':')) < 0)
			break;
		if (strcmp(status, "answered") != 0)
			ret = add_str(b, status);
		else if (!cc__pg_col_null(ans, *at, 3))
			ret = add_str(b, cc__pg_cstr(ans, *at, 3));
		else if (!cc__pg_col_null(ans, *at, 4))
			ret = add_real(b, cc__pg_col_num(ans, *at, 4));
		else
			ret = cc_buf_adds(b, "null");
	}
	return ret < 0 ? ret : cc_buf_addch(b, '}');
}

/* The answers of the respondents of res (column 0), in the order add_answers reads them. */
static int respondent_answers(struct cc_store *st, const PGresult *res, PGresult **out,
                              struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;
	struct cc_buf ids = CC_BUF_INIT(0);
	int ret = 0;

	for (int r = 0; r < PQntuples(res) && ret == 0; r++)
		ret = cc__pg_arr_i64(&ids, cc__pg_col_i64(res, r, 0), false);
	if (ret < 0 || cc__pg_arr_close(&ids) < 0) {
		cc_buf_release(&ids);
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	}
	cc__pg_str(&p, ids.buf);
	ret = cc__pg_exec(st,
	                  "SELECT a.respondent_id, q.name, a.status, a.code, a.value FROM "
	                  "survey_answer a JOIN survey_question q ON q.id = a.question_id WHERE "
	                  "a.respondent_id = ANY ($1::bigint[]) ORDER BY a.respondent_id, "
	                  "a.question_id",
	                  &p, false, out, err);
	cc_buf_release(&ids);
	return ret;
}

/* The values of row r (from column C_VALS) as the object of kind k; ans and *at: the
 * answers of a respondent (add_answers). */
static int add_object(struct cc_buf *b, const struct kind *k, const PGresult *res, int r,
                      const PGresult *ans, int *at)
{
	int ret = cc_buf_addch(b, '{');

	for (int i = 0; ret == 0 && k->keys[i]; i++) {
		const char *key = k->keys[i];
		bool day = key[0] == '@';
		int c = C_VALS + i;
		const char *v = cc__pg_text_or_null(res, r, c);

		if ((i && (ret = cc_buf_addch(b, ',')) < 0) ||
		    (ret = add_str(b, key[0] == '@' || key[0] == '&' ? key + 1 : key)) < 0 ||
		    (ret = cc_buf_addch(b, ':')) < 0)
			break;
		if (key[0] == '&') {
			ret = add_answers(b, cc__pg_col_i64(res, r, c), ans, at);
		} else if (!v) {
			ret = cc_buf_adds(b, "null");
		} else if (day) {
			char d[11];

			ret = cc_buf_adds(b, "\"");
			if (ret == 0)
				ret = cc_buf_adds(b, cc_date_format(cc__pg_col_date(res, r, c), d));
			if (ret == 0)
				ret = cc_buf_adds(b, "\"");
		} else {
			switch (PQftype(res, c)) {
			case OID_BOOL:
				ret = cc_buf_adds(b, v[0] == 't' ? "true" : "false");
				break;
			case OID_INT2:
			case OID_INT4:
			case OID_INT8:
				ret = cc_buf_adds(b, v);
				break;
			case OID_FLOAT4:
			case OID_FLOAT8:
				ret = add_real(b, cc__pg_col_num(res, r, c));
				break;
			default:
				ret = add_str(b, v);
			}
		}
	}
	return ret < 0 ? ret : cc_buf_addch(b, '}');
}

/* ---- the operations ---- */

/*
 * Whether the viewer sees the record whose marking is in columns c … c + 5 of row r, named in
 * the shares of its organisation when the query found it so (column c_shared).
 */
static bool visible_at(struct cc_store *st, const PGresult *res, int r, int c, int c_shared)
{
	int64_t id = cc__pg_col_i64(res, r, c);
	struct cc__pg_shares sh = { NULL, 0 };

	if (cc__pg_col_i64(res, r, c_shared)) {
		sh.ids = &id;
		sh.n = 1;
	}
	return cc__pg_row_visible(st, &sh, res, r, c, NULL);
}

static bool row_visible(struct cc_store *st, const struct kind *k, const PGresult *res, int r)
{
	if (!k->share)
		return true;
	if (!visible_at(st, res, r, C_MARK, C_SHARED))
		return false;
	/* an observation is seen only with its indicator (none: not at all) */
	return !k->share2 || (!cc__pg_col_null(res, r, C_MARK2) &&
	                      visible_at(st, res, r, C_MARK2, C_SHARED2));
}

static int pg_list(struct cc_store *st, const struct cc_reg_query *q, struct cc_reg_page *out,
                   struct cc_err *err)
{
	const struct kind *k = &kinds[q->kind];
	const struct cc_viewer *v = &st->viewer;
	size_t limit = q->limit ? q->limit : 100;
	int64_t after = q->after;
	bool own, more = true, full = false;
	int ret;

	if (!kind_here(st, q->kind))
		return cc__pg_unsupported(err, cc_reg_kind_name(q->kind));
	if ((ret = cc__pg_flush(st, err)) < 0 || (ret = cc__pg_rx_enter(st, &own, err)) < 0)
		return ret;
	if (cc_buf_addch(&out->rows, '[') < 0) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out;
	}
	/* candidate rows in id order, a batch at a time, until the page and one more are seen */
	while (ret == 0 && more && !full) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;
		int64_t want = (int64_t)limit + 1;
		PGresult *res = NULL, *ans = NULL;
		int n, at = 0;

		cc__pg_i64(&p, q->mission_id);
		cc__pg_i64(&p, q->id);
		cc__pg_i64(&p, after);
		cc__pg_i64(&p, want);
		if (k->share) /* shares name organisations: another viewer has none */
			cc__pg_id(&p, v->kind == CC_VIEWER_ORG ? v->org_id : 0);
		if ((ret = cc__pg_exec(st, k->sql, &p, false, &res, err)) < 0)
			break;
		n = PQntuples(res);
		more = n == want;
		if (q->kind == CC_REG_RESPONDENT && n &&
		    (ret = respondent_answers(st, res, &ans, err)) < 0) {
			PQclear(res);
			break;
		}
		for (int r = 0; r < n && ret == 0; r++) {
			after = cc__pg_col_i64(res, r, 0);
			if (!row_visible(st, k, res, r))
				continue;
			if (out->n_rows == limit) {
				out->next_after = out->last_id;
				full = true;
				break;
			}
			out->last_id = after;
			out->last_mission = cc__pg_col_i64(res, r, C_MARK + 1);
			out->last_owner = cc__pg_col_i64(res, r, C_MARK + 2);
			cc__pg_col_str(res, r, C_MARK + 3, out->last_rel, sizeof(out->last_rel));
			if ((out->n_rows && cc_buf_addch(&out->rows, ',') < 0) ||
			    add_object(&out->rows, k, res, r, ans, &at) < 0)
				ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			else
				out->n_rows++;
		}
		PQclear(ans);
		PQclear(res);
	}
	if (ret == 0 && cc_buf_addch(&out->rows, ']') < 0)
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
out:
	cc__pg_rx_leave(st, own);
	return ret;
}

/* What a removal deletes, in order ($1 the id): what hangs on the record, then the record. */
static const char *const removals[CC_N_REG_KINDS][3] = {
	[CC_REG_NEED] = { "DELETE FROM need WHERE id = $1::bigint" },
	/* the key goes with its incident, so that a re-import adds it again */
	[CC_REG_INCIDENT] = { "DELETE FROM incident_key WHERE id = $1::bigint",
	                      "DELETE FROM incident WHERE id = $1::bigint" },
	[CC_REG_INDICATOR] = { "DELETE FROM benchmark WHERE indicator_id = $1::bigint",
	                       "DELETE FROM observation WHERE indicator_id = $1::bigint",
	                       "DELETE FROM indicator WHERE id = $1::bigint" },
	[CC_REG_BENCHMARK] = { "DELETE FROM benchmark WHERE id = $1::bigint" },
	[CC_REG_OBSERVATION] = { "DELETE FROM observation WHERE id = $1::bigint" },
	[CC_REG_LESSON] = { "DELETE FROM lesson_link WHERE lesson_id = $1::bigint",
	                    "DELETE FROM lesson WHERE id = $1::bigint" },
	[CC_REG_FEEDBACK] = { "DELETE FROM feedback WHERE id = $1::bigint" },
	[CC_REG_RESPONDENT] = { "DELETE FROM survey_answer WHERE respondent_id = $1::bigint",
	                        "DELETE FROM survey_respondent WHERE id = $1::bigint" },
};

static int pg_remove(struct cc_store *st, enum cc_reg_kind kind, int64_t id, struct cc_err *err)
{
	bool own;
	int ret;

	if (!kind_here(st, kind))
		return cc__pg_unsupported(err, cc_reg_kind_name(kind));
	if ((ret = cc__pg_tx_enter(st, &own, err)) < 0)
		return ret;
	/* a later record of the same id must not inherit the named shares of a removed one */
	if (cc_reg_kind_marked(kind)) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;

		cc__pg_str(&p, cc_reg_kind_table(kind));
		cc__pg_i64(&p, id);
		ret = cc__pg_exec(st, "DELETE FROM share WHERE tbl = $1 AND record_id = $2::bigint",
		                  &p, false, NULL, err);
	}
	for (int i = 0; ret == 0 && i < 3 && removals[kind][i]; i++) {
		struct cc__pg_params p = CC__PG_PARAMS_INIT;

		cc__pg_i64(&p, id);
		ret = cc__pg_exec(st, removals[kind][i], &p, false, NULL, err);
	}
	return cc__pg_tx_leave(st, own, ret, err);
}

static int pg_lesson_owner(struct cc_store *st, int64_t id, int64_t owner_id,
                           struct cc_err *err)
{
	struct cc__pg_params p = CC__PG_PARAMS_INIT;

	if (!kind_here(st, CC_REG_LESSON))
		return cc__pg_unsupported(err, "lessons");
	cc__pg_i64(&p, id);
	cc__pg_id(&p, owner_id);
	return cc__pg_write(st, "UPDATE lesson SET owner_id = $2::bigint WHERE id = $1::bigint", &p,
	                    err);
}

const struct cc__registry_ops cc__pg_registry = {
	.list = pg_list,
	.remove = pg_remove,
	.lesson_owner = pg_lesson_owner,
};
