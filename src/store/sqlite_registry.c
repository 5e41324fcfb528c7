/*
 * The registry on SQLite: every kind of record read as JSON objects built by SQLite's json1
 * functions, a keyset page at a time and only as far as the handle's viewer may see
 * (CC__SQ_VISIBLE), and removed one record at a time with what hangs on it.
 *
 * The statements use named parameters only (:mission, :id, :after, :limit), so that the
 * viewer's :v_ parameters never share a number with them (sqlite_visibility.h).
 */
#include "store/ops_registry.h"

#include <string.h>

#include <concord/alloc.h>
#include <concord/visibility.h>

#include "store/sqlite_int.h"
#include "store/sqlite_visibility.h"

#include "core/banned.h"

#define D(x)    "date(" x " * 86400, 'unixepoch')"
#define AREA(x) "(SELECT a_.pcode FROM area a_ WHERE a_.id = " x ".area_id)"
#define ORG(x)  "(SELECT k_.key FROM organisation k_ WHERE k_.id = " x ")"
#define MARK(x)                                                                             \
	"'releasability', " x ".releasability, 'owner', " ORG(x ".owner_id") ", 'deny', " x \
	".deny, 'shared', json(CASE " x ".shared WHEN 0 THEN 'false' ELSE 'true' END)"
/* the columns every list reads before the record's JSON: id, owner, mission, releasability */
#define HEAD(x) "SELECT " x ".id, " x ".owner_id, " x ".mission_id, " x ".releasability, "
#define PAGE(x) " AND (:id = 0 OR " x ".id = :id) AND " x ".id > :after"
#define TAIL(x) " ORDER BY " x ".id LIMIT :limit"
/* a marked table whose rows belong to one mission */
#define MARKED(t, x) " FROM " t " " x " WHERE " x ".mission_id = :mission" PAGE(x) \
	" AND " CC__SQ_VISIBLE(x, t) TAIL(x)

enum {
	S_LIST0,
	S_DEL0 = S_LIST0 + CC_N_REG_KINDS,
	S_UNSHARE = S_DEL0 + 3 * CC_N_REG_KINDS,
	S_LESSON_OWNER,
	S_N
};

static const char *const sql[S_N] = {
	[S_LIST0 + CC_REG_MISSION] =
	        "SELECT m.id, 0, m.id, 'public', json_object('id', m.id, 'code', m.code, 'name', "
	        "m.name, 'country', m.country, 'start', " D("m.start_date") ", 'end', "
	        D("m.end_date") ") FROM mission m WHERE m.id = :mission" PAGE("m") TAIL("m"),
	[S_LIST0 + CC_REG_ORG] =
	        "SELECT o.id, o.id, o.mission_id, 'public', json_object('id', o.id, 'key', o.key, "
	        "'name', o.name, 'acronym', o.acronym, 'type', o.type, 'kind', o.kind, 'local', "
	        "json(CASE o.is_local WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END), "
	        "'nation', o.nation, 'member', json(CASE WHEN EXISTS (SELECT 1 FROM "
	        "mission_member mm WHERE mm.mission_id = o.mission_id AND mm.org_id = o.id) THEN "
	        "'true' ELSE 'false' END)) FROM organisation o WHERE o.mission_id = :mission"
	        PAGE("o") TAIL("o"),
	[S_LIST0 + CC_REG_NEED] =
	        HEAD("n") "json_object('id', n.id, 'area', " AREA("n") ", 'sector', (SELECT "
	        "s.code FROM sector s WHERE s.id = n.sector_id), 'period_from', "
	        D("n.period_from") ", 'period_to', " D("n.period_to") ", 'total', "
	        "json(CASE n.is_total WHEN 1 THEN 'true' ELSE 'false' END), 'sex', n.sex, "
	        "'age_group', n.age_group, 'pop_group', n.pop_group, 'disability', n.disability, "
	        "'label', n.label, 'population', n.population, 'in_need', n.in_need, 'targeted', "
	        "n.targeted, 'affected', n.affected, 'reached', n.reached, 'severity', n.severity, "
	        "'source', (SELECT src.name FROM source src WHERE src.id = n.source_id), 'line', "
	        "n.line, " MARK("n") ")" MARKED("need", "n"),
	[S_LIST0 + CC_REG_INCIDENT] =
	        HEAD("e") "json_object('id', e.id, 'source', e.source, 'source_id', e.source_id, "
	        "'date', " D("e.date") ", 'date_end', " D("e.date_end") ", 'type', e.type, "
	        "'sub_type', e.sub_type, 'actor1', e.actor1, 'actor2', e.actor2, 'lat', e.lat, "
	        "'lon', e.lon, 'area', " AREA("e") ", 'fatalities', e.fatalities, 'notes', "
	        "e.notes, 'date_prec', e.date_prec, 'geo_prec', e.geo_prec, 'fat_low', e.fat_low, "
	        "'fat_high', e.fat_high, 'revised', e.revised, "
	        MARK("e") ") FROM incident e WHERE (e.mission_id IS NULL OR "
	        "e.mission_id = :mission)" PAGE("e") " AND " CC__SQ_VISIBLE("e", "incident")
	        TAIL("e"),
	[S_LIST0 + CC_REG_INDICATOR] =
	        HEAD("i") "json_object('id', i.id, 'code', i.code, 'name', i.name, 'pillar', "
	        "i.pillar, 'unit', i.unit, 'measure', i.measure, 'higher_is_better', json(CASE "
	        "i.higher_is_better WHEN 1 THEN 'true' ELSE 'false' END), 'aggregation', "
	        "i.aggregation, 'period_days', i.period_days, 'goal_min', i.goal_min, 'goal_max', "
	        "i.goal_max, " MARK("i") ")" MARKED("indicator", "i"),
	/* a benchmark is seen with its indicator */
	[S_LIST0 + CC_REG_BENCHMARK] =
	        "SELECT b.id, i.owner_id, i.mission_id, i.releasability, json_object('id', b.id, "
	        "'indicator', i.code, 'area', " AREA("b") ", 'sex', b.sex, 'age_group', "
	        "b.age_group, 'kind', b.kind, 'date', " D("b.date") ", 'value', b.value) "
	        "FROM benchmark b JOIN indicator i ON i.id = b.indicator_id WHERE "
	        "i.mission_id = :mission" PAGE("b") " AND " CC__SQ_VISIBLE("i", "indicator")
	        TAIL("b"),
	[S_LIST0 + CC_REG_OBSERVATION] =
	        HEAD("o") "json_object('id', o.id, 'indicator', (SELECT i.code FROM indicator i "
	        "WHERE i.id = o.indicator_id), 'area', " AREA("o") ", 'sex', o.sex, 'age_group', "
	        "o.age_group, 'period_start', " D("o.period_start") ", 'period_end', "
	        D("o.period_end") ", 'value', o.value, 'source', o.source, 'confidence', "
	        /* an observation is seen only with its indicator (it names it) */
	        "o.confidence, " MARK("o") ") FROM observation o WHERE o.mission_id = :mission"
	        PAGE("o") " AND " CC__SQ_VISIBLE("o", "observation") " AND EXISTS (SELECT 1 FROM "
	        "indicator i WHERE i.id = o.indicator_id AND " CC__SQ_VISIBLE("i", "indicator")
	        ")" TAIL("o"),
	[S_LIST0 + CC_REG_LESSON] =
	        HEAD("l") "json_object('id', l.id, 'key', l.key, 'title', l.title, 'observation', "
	        "l.observation, 'discussion', l.discussion, 'conclusion', l.conclusion, "
	        "'recommendation', l.recommendation, 'pillars', l.pillars, 'areas', l.areas, "
	        "'tags', l.tags, 'date', " D("l.date") ", 'source', l.source, 'status', l.status, "
	        MARK("l") ") FROM lesson l WHERE (l.mission_id IS NULL OR l.mission_id = "
	        ":mission)" PAGE("l") " AND " CC__SQ_VISIBLE("l", "lesson") TAIL("l"),
	/* the giver's personal data never leave the store this way */
	[S_LIST0 + CC_REG_FEEDBACK] =
	        HEAD("f") "json_object('id', f.id, 'key', f.key, 'date', " D("f.date") ", 'area', "
	        AREA("f") ", 'channel', f.channel, 'organisation', f.organisation, 'text', "
	        "f.text, 'category', f.category, 'sentiment', f.sentiment, " MARK("f") ")"
	        MARKED("feedback", "f"),
	/* nor a respondent's */
	[S_LIST0 + CC_REG_RESPONDENT] =
	        HEAD("r") "json_object('id', r.id, 'wave', r.wave, 'key', r.key, 'area', "
	        AREA("r") ", 'weight', r.weight, 'source', (SELECT src.name FROM source src WHERE "
	        "src.id = r.source_id), 'line', r.line, 'answers', (SELECT json_group_object("
	        "q.name, CASE a.status WHEN 'answered' THEN coalesce(a.code, a.value) ELSE "
	        "a.status END) FROM survey_answer a JOIN survey_question q ON q.id = "
	        "a.question_id WHERE a.respondent_id = r.id), " MARK("r") ")"
	        MARKED("survey_respondent", "r"),
	[S_DEL0 + 3 * CC_REG_NEED] = "DELETE FROM need WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_INCIDENT] = "DELETE FROM incident WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_INDICATOR] = "DELETE FROM benchmark WHERE indicator_id = :id",
	[S_DEL0 + 3 * CC_REG_INDICATOR + 1] = "DELETE FROM observation WHERE indicator_id = :id",
	[S_DEL0 + 3 * CC_REG_INDICATOR + 2] = "DELETE FROM indicator WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_BENCHMARK] = "DELETE FROM benchmark WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_OBSERVATION] = "DELETE FROM observation WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_LESSON] = "DELETE FROM lesson_link WHERE lesson_id = :id",
	[S_DEL0 + 3 * CC_REG_LESSON + 1] = "DELETE FROM lesson_fts WHERE rowid = :id",
	[S_DEL0 + 3 * CC_REG_LESSON + 2] = "DELETE FROM lesson WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_FEEDBACK] = "DELETE FROM feedback_fts WHERE rowid = :id",
	[S_DEL0 + 3 * CC_REG_FEEDBACK + 1] = "DELETE FROM feedback WHERE id = :id",
	[S_DEL0 + 3 * CC_REG_RESPONDENT] = "DELETE FROM survey_answer WHERE respondent_id = :id",
	[S_DEL0 + 3 * CC_REG_RESPONDENT + 1] = "DELETE FROM survey_respondent WHERE id = :id",
	/* a later record of the same id must not inherit the named shares of a removed one */
	[S_UNSHARE] = "DELETE FROM share WHERE tbl = :tbl AND record_id = :id",
	[S_LESSON_OWNER] = "UPDATE lesson SET owner_id = nullif(:owner, 0) WHERE id = :id",
};

_Static_assert(S_N <= CC__SQ_MODULE_STMTS, "too many statements for one module");

static int stmt(struct cc_store *st, int id, sqlite3_stmt **out, struct cc_err *err)
{
	return cc__sq_stmt(st, CC__SQ_REGISTRY, id, sql[id], out, err);
}

/* Binds v to the named parameter when the statement has it. */
static int bind(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	return i == 0 ? SQLITE_OK : sqlite3_bind_int64(s, i, v);
}

static int sq_list(struct cc_store *st, const struct cc_reg_query *q, struct cc_reg_page *out,
                   struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t limit = q->limit ? q->limit : 100;
	bool own;
	int rc, ret;

	if ((ret = cc__sq_rx_enter(st, &own, err)) < 0)
		return ret;
	if ((ret = stmt(st, S_LIST0 + (int)q->kind, &s, err)) < 0)
		goto out;
	/* one more than the page: whether there is a next one */
	if ((rc = bind(s, ":mission", q->mission_id)) || (rc = bind(s, ":id", q->id)) ||
	    (rc = bind(s, ":after", q->after)) || (rc = bind(s, ":limit", (int64_t)limit + 1))) {
		ret = cc__sq_bind_fail(st, s, rc, err);
		goto out;
	}
	ret = cc_buf_addch(&out->rows, '[');
	while (ret == 0 && (ret = cc__sq_step_row(st, s, err)) == 0) {
		const char *json = (const char *)sqlite3_column_text(s, 4);
		char rel[16];

		if (out->n_rows == limit) {
			out->next_after = out->last_id;
			sqlite3_reset(s);
			ret = 1;
			break;
		}
		out->last_id = sqlite3_column_int64(s, 0);
		out->last_owner = sqlite3_column_int64(s, 1);
		out->last_mission = sqlite3_column_int64(s, 2);
		cc__sq_col_str(s, 3, rel, sizeof(rel));
		memcpy(out->last_rel, rel, sizeof(rel));
		if ((out->n_rows && cc_buf_addch(&out->rows, ',') < 0) ||
		    cc_buf_adds(&out->rows, json ? json : "null") < 0) {
			sqlite3_reset(s);
			ret = cc_err_set(err, CC_ENOMEM, "out of memory");
			break;
		}
		out->n_rows++;
	}
	if (ret > 0)
		ret = cc_buf_addch(&out->rows, ']') < 0 ? cc_err_set(err, CC_ENOMEM, "out of memory")
		                                         : 0;
	else if (ret < 0 && !err->code)
		cc_err_set(err, ret, "out of memory");
out:
	cc__sq_rx_leave(st, own);
	return ret;
}

static int sq_remove(struct cc_store *st, enum cc_reg_kind kind, int64_t id, struct cc_err *err)
{
	static const char *const tables[CC_N_REG_KINDS] = {
		[CC_REG_NEED] = "need",          [CC_REG_INCIDENT] = "incident",
		[CC_REG_INDICATOR] = "indicator", [CC_REG_OBSERVATION] = "observation",
		[CC_REG_LESSON] = "lesson",      [CC_REG_FEEDBACK] = "feedback",
		[CC_REG_RESPONDENT] = "survey_respondent",
	};
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if (tables[kind]) {
		if ((ret = stmt(st, S_UNSHARE, &s, err)) < 0)
			return ret;
		if ((rc = sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":tbl"), tables[kind],
		                            -1, SQLITE_STATIC)) ||
		    (rc = bind(s, ":id", id)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	for (int i = 0; i < 3; i++) {
		int n = S_DEL0 + 3 * (int)kind + i;

		if (!sql[n])
			break;
		if ((ret = stmt(st, n, &s, err)) < 0)
			return ret;
		if ((rc = bind(s, ":id", id)))
			return cc__sq_bind_fail(st, s, rc, err);
		if ((ret = cc__sq_step_done(st, s, err)) < 0)
			return ret;
	}
	return 0;
}

static int sq_lesson_owner(struct cc_store *st, int64_t id, int64_t owner_id,
                           struct cc_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(st, S_LESSON_OWNER, &s, err)) < 0)
		return ret;
	if ((rc = bind(s, ":id", id)) || (rc = bind(s, ":owner", owner_id)))
		return cc__sq_bind_fail(st, s, rc, err);
	return cc__sq_step_done(st, s, err);
}

const struct cc__registry_ops cc__sqlite_registry = {
	.list = sq_list,
	.remove = sq_remove,
	.lesson_owner = sq_lesson_owner,
};
