/*
 * CSV importers for indicators, benchmarks and observations (columns in
 * <concord/indicators.h>). One transaction per file; every bad row is reported as
 * FILE:LINE: FIELD: reason and the good rows are stored by natural key, so importing the same
 * file again changes nothing.
 */
#include <concord/indicators.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/text.h>

#include "core/limits.h"
#include "io/csv.h"
#include "io/import_util.h"
#include "io/row_check.h"

#include "core/banned.h"

enum kind { K_INDICATORS, K_BENCHMARKS, K_OBSERVATIONS };

/* Columns of all three files; a file uses its own subset. */
enum col {
	C_CODE, C_NAME, C_PILLAR, C_UNIT, C_MEASURE, C_DIRECTION, C_AGGREGATION, C_PERIOD_DAYS,
	C_GOAL_MIN, C_GOAL_MAX,
	C_INDICATOR, C_AREA, C_SEX, C_AGE_GROUP, C_KIND, C_DATE, C_VALUE, C_PERIOD_START,
	C_PERIOD_END, C_SOURCE, C_CONFIDENCE,
	C_N
};

static const char *const col_names[C_N] = {
	[C_CODE] = "code", [C_NAME] = "name", [C_PILLAR] = "pillar", [C_UNIT] = "unit",
	[C_MEASURE] = "measure", [C_DIRECTION] = "direction", [C_AGGREGATION] = "aggregation",
	[C_PERIOD_DAYS] = "period_days", [C_GOAL_MIN] = "goal_min", [C_GOAL_MAX] = "goal_max",
	[C_INDICATOR] = "indicator", [C_AREA] = "area", [C_SEX] = "sex",
	[C_AGE_GROUP] = "age_group", [C_KIND] = "kind", [C_DATE] = "date", [C_VALUE] = "value",
	[C_PERIOD_START] = "period_start", [C_PERIOD_END] = "period_end", [C_SOURCE] = "source",
	[C_CONFIDENCE] = "confidence",
};

/* Which columns each kind reads, and which it requires. */
static const struct {
	const char *table;
	enum col cols[12];
	size_t n_cols;
	enum col required[6];
	size_t n_required;
} kinds[] = {
	[K_INDICATORS] = { .table = "indicator",
	                   .cols = { C_CODE, C_NAME, C_PILLAR, C_UNIT, C_MEASURE, C_DIRECTION,
	                             C_AGGREGATION, C_PERIOD_DAYS, C_GOAL_MIN, C_GOAL_MAX },
	                   .n_cols = 10,
	                   .required = { C_CODE, C_NAME, C_MEASURE, C_DIRECTION, C_AGGREGATION },
	                   .n_required = 5 },
	[K_BENCHMARKS] = { .table = "benchmark",
	                   .cols = { C_INDICATOR, C_AREA, C_SEX, C_AGE_GROUP, C_KIND, C_DATE,
	                             C_VALUE },
	                   .n_cols = 7,
	                   .required = { C_INDICATOR, C_KIND, C_DATE, C_VALUE },
	                   .n_required = 4 },
	[K_OBSERVATIONS] = { .table = "observation",
	                     .cols = { C_INDICATOR, C_AREA, C_SEX, C_AGE_GROUP, C_PERIOD_START,
	                               C_PERIOD_END, C_VALUE, C_SOURCE, C_CONFIDENCE },
	                     .n_cols = 9,
	                     .required = { C_INDICATOR, C_PERIOD_END, C_VALUE },
	                     .n_required = 3 },
};

struct imp {
	struct cc_store *st;
	const struct cc_import_opts *o;
	struct cc_import_report *rep;
	enum kind kind;
	const char *fname;
	struct cc_mission mission;
	int col[C_N];          /* column index, -1 absent */
	struct cc_csv_row *row;
	size_t n_header;         /* fields of the header row */
	struct cc_indicator ind; /* the last indicator looked up (rows come grouped) */
	FILE *rejects;           /* opts->rejects_path, or NULL */
	struct cc_map seen;      /* natural keys of this file's rows → their line */
};

/*
 * A second row with the natural key of an earlier row of the same file is rejected: storing it
 * would silently overwrite the first.
 */
static int unique(struct imp *im, enum col c, struct cc_err *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int unique(struct imp *im, enum col c, struct cc_err *why, const char *fmt, ...)
{
	char key[512];
	int64_t line;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (cc_map_get(&im->seen, key, &line) == 0) {
		cc_err_set(why, CC_EINVALID, "duplicate of line %lld", (long long)line);
		cc_err_at(why, NULL, 0, col_names[c]);
		return CC_EINVALID;
	}
	if ((ret = cc_map_put(&im->seen, key, im->row->line)) < 0)
		return cc_err_set(why, ret, "out of memory");
	return 0;
}

/* One record (the header or a rejected row) and a last column to the rejects file. */
static int write_rejected(struct imp *im, const struct cc_csv_row *row, const char *last)
{
	struct cc_buf line = CC_BUF_INIT(CC_LIMIT_CSV_RECORD * 2);
	int ret = 0;

	for (size_t i = 0; i < row->n_fields && ret == 0; i++) {
		ret = cc_buf_add_csv(&line, row->fields[i]);
		if (ret == 0)
			ret = cc_buf_addch(&line, ',');
	}
	if (ret == 0)
		ret = cc_buf_add_csv(&line, last);
	if (ret == 0)
		ret = cc_buf_addch(&line, '\n');
	if (ret == 0 && fwrite(line.buf, 1, line.len, im->rejects) != line.len)
		ret = CC_EIO;
	cc_buf_release(&line);
	return ret;
}

static const char *cell(const struct imp *im, enum col c)
{
	return cc__csv_cell(im->row, im->col[c]);
}

/* A row-level problem: sets why (message, field) and returns CC_EINVALID. */
__attribute__((format(printf, 4, 5))) static int bad(struct imp *im, struct cc_err *why,
                                                     enum col c, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(why->msg)];

	(void)im;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_set(why, CC_EINVALID, "%s", msg);
	cc_err_at(why, NULL, 0, col_names[c]);
	return CC_EINVALID;
}

static int number(struct imp *im, enum col c, bool required, double *out, struct cc_err *why)
{
	const char *s = cell(im, c);
	struct cc_err e = { 0 };

	*out = (double)NAN;
	if (!s[0])
		return required ? bad(im, why, c, "%s is empty", col_names[c]) : 0;
	if (cc_parse_double(s, out, &e) < 0)
		return bad(im, why, c, "'%s' is not a number", s);
	return 0;
}

/*
 * A value of the current indicator (im->ind), typed by its measure: a percentage is 0..100 and
 * may end in '%'; nominal and ordinal values are whole numbers (codes, ranks).
 */
static int value(struct imp *im, bool required, double *out, struct cc_err *why)
{
	const char *s = cell(im, C_VALUE);
	size_t len = strlen(s);
	char num[64];
	struct cc_err e = { 0 };

	*out = (double)NAN;
	if (!s[0])
		return required ? bad(im, why, C_VALUE, "value is empty") : 0;
	if (im->ind.measure == CC_MEASURE_PERCENTAGE && len > 1 && len < sizeof(num) &&
	    s[len - 1] == '%') {
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		s = num;
	}
	if (cc_parse_double(s, out, &e) < 0)
		return bad(im, why, C_VALUE, "'%s' is not a number", cell(im, C_VALUE));
	switch (im->ind.measure) {
	case CC_MEASURE_PERCENTAGE:
		if (*out < 0 || *out > 100)
			return bad(im, why, C_VALUE, "%s is not a percentage (0-100) for '%s'",
			           cell(im, C_VALUE), im->ind.code);
		break;
	case CC_MEASURE_NOMINAL:
	case CC_MEASURE_ORDINAL:
		if (*out != floor(*out))
			return bad(im, why, C_VALUE, "%s is not a whole number, as the %s "
			           "indicator '%s' needs", s, cc_measure_name(im->ind.measure),
			           im->ind.code);
		break;
	case CC_MEASURE_UNIT:
	case CC_MEASURE_QUALITATIVE:
		break;
	}
	return 0;
}

static int date(struct imp *im, enum col c, bool required, int32_t *out, struct cc_err *why)
{
	const char *s = cell(im, c);
	struct cc_err e = { 0 };

	*out = CC_DATE_NONE;
	if (!s[0])
		return required ? bad(im, why, c, "%s is empty", col_names[c]) : 0;
	if (cc_date_parse(s, out, &e) < 0)
		return bad(im, why, c, "'%s' is not a date (YYYY-MM-DD)", s);
	return 0;
}

/* ---- the series columns shared by benchmarks and observations ---- */

static int series(struct imp *im, int64_t *ind_id, int64_t *area_id, char *sex, size_t n_sex,
                  char *age, size_t n_age, struct cc_err *why)
{
	const char *code = cell(im, C_INDICATOR), *pcode = cell(im, C_AREA);
	const char *s = cell(im, C_SEX), *a = cell(im, C_AGE_GROUP);
	struct cc_area area;
	int ret;

	if (!code[0])
		return bad(im, why, C_INDICATOR, "indicator is empty");
	if (strcmp(im->ind.code, code) != 0) {
		ret = cc_store_find_indicator(im->st, im->mission.id, code, &im->ind, why);
		if (ret == CC_ENOTFOUND) {
			im->ind.code[0] = '\0';
			return bad(im, why, C_INDICATOR,
			           "unknown indicator '%s' (import indicators first)", code);
		}
		if (ret < 0)
			return ret;
	}
	*ind_id = im->ind.id;
	*area_id = 0;
	if (pcode[0]) {
		ret = cc_store_find_area(im->st, pcode, &area, why);
		if (ret == CC_ENOTFOUND)
			return bad(im, why, C_AREA, "unknown P-code '%s'", pcode);
		if (ret < 0)
			return ret;
		*area_id = area.id;
	}
	if (!s[0] || !strcasecmp(s, "total") || !strcasecmp(s, "all"))
		s = "";
	else if (!strcasecmp(s, "f") || !strcasecmp(s, "female") || !strcasecmp(s, "women"))
		s = "female";
	else if (!strcasecmp(s, "m") || !strcasecmp(s, "male") || !strcasecmp(s, "men"))
		s = "male";
	else
		return bad(im, why, C_SEX, "unknown sex '%s' (female, male or total)", s);
	snprintf(sex, n_sex, "%s", s);
	if (!strcasecmp(a, "total") || !strcasecmp(a, "all"))
		a = "";
	if (strlen(a) >= n_age)
		return bad(im, why, C_AGE_GROUP, "age group '%s' is too long", a);
	snprintf(age, n_age, "%s", a);
	return 0;
}

/* ---- rows ---- */

/* The indicator of the current row into *out, checked; the importer's and the API's check. */
static int indicator_of_row(struct imp *im, struct cc_indicator *out, struct cc_err *why)
{
	struct cc_indicator ind = { .mission_id = im->mission.id };
	const char *dir = cell(im, C_DIRECTION), *pd = cell(im, C_PERIOD_DAYS);
	struct cc_err e = { 0 };
	int64_t days;
	int ret;

	if (!cell(im, C_CODE)[0])
		return bad(im, why, C_CODE, "code is empty");
	if (!cell(im, C_NAME)[0])
		return bad(im, why, C_NAME, "name is empty");
	if (strlen(cell(im, C_CODE)) >= sizeof(ind.code))
		return bad(im, why, C_CODE, "code is longer than %zu bytes", sizeof(ind.code) - 1);
	snprintf(ind.code, sizeof(ind.code), "%s", cell(im, C_CODE));
	snprintf(ind.name, sizeof(ind.name), "%s", cell(im, C_NAME));
	snprintf(ind.pillar, sizeof(ind.pillar), "%s", cell(im, C_PILLAR));
	snprintf(ind.unit, sizeof(ind.unit), "%s", cell(im, C_UNIT));
	if (cc_measure_parse(cell(im, C_MEASURE), &ind.measure, &e) < 0)
		return bad(im, why, C_MEASURE, "%s", e.msg);
	if (!strcasecmp(dir, "higher") || !strcasecmp(dir, "higher_is_better"))
		ind.higher_is_better = true;
	else if (!strcasecmp(dir, "lower") || !strcasecmp(dir, "lower_is_better"))
		ind.higher_is_better = false;
	else
		return bad(im, why, C_DIRECTION, "unknown direction '%s' (higher or lower)", dir);
	if (cc_aggregation_parse(cell(im, C_AGGREGATION), &ind.aggregation, &e) < 0)
		return bad(im, why, C_AGGREGATION, "%s", e.msg);
	if (pd[0]) {
		if (cc_parse_i64(pd, 1, 3660, &days, &e) < 0)
			return bad(im, why, C_PERIOD_DAYS, "'%s' is not a number of days (1-3660)", pd);
		ind.period_days = (int)days;
	}
	if ((ret = number(im, C_GOAL_MIN, false, &ind.goal_min, why)) < 0 ||
	    (ret = number(im, C_GOAL_MAX, false, &ind.goal_max, why)) < 0)
		return ret;
	if (isnan(ind.goal_min) != isnan(ind.goal_max))
		return bad(im, why, isnan(ind.goal_min) ? C_GOAL_MIN : C_GOAL_MAX,
		           "give both goalposts or neither");
	if (!isnan(ind.goal_min) && !(ind.goal_min < ind.goal_max))
		return bad(im, why, C_GOAL_MAX, "goal_max must be above goal_min");
	*out = ind;
	return 0;
}

static int row_indicator(struct imp *im, enum cc_put_result *res, struct cc_err *why)
{
	struct cc_indicator ind;
	int ret;

	if ((ret = indicator_of_row(im, &ind, why)) < 0 ||
	    (ret = unique(im, C_CODE, why, "%s", ind.code)) < 0)
		return ret;
	return cc_store_put_indicator(im->st, &ind, res, why);
}

/* The benchmark of the current row into *out, checked; the importer's and the API's check. */
static int benchmark_of_row(struct imp *im, struct cc_benchmark *out, struct cc_err *why)
{
	struct cc_benchmark b = { 0 };
	struct cc_err e = { 0 };
	int ret;

	if ((ret = series(im, &b.indicator_id, &b.area_id, b.sex, sizeof(b.sex), b.age_group,
	                  sizeof(b.age_group), why)) < 0)
		return ret;
	if (cc_bench_kind_parse(cell(im, C_KIND), &b.kind, &e) < 0)
		return bad(im, why, C_KIND, "%s", e.msg);
	if ((ret = date(im, C_DATE, true, &b.date, why)) < 0 ||
	    (ret = value(im, true, &b.value, why)) < 0)
		return ret;
	*out = b;
	return 0;
}

static int row_benchmark(struct imp *im, enum cc_put_result *res, struct cc_err *why)
{
	struct cc_benchmark b;
	int ret;

	if ((ret = benchmark_of_row(im, &b, why)) < 0)
		return ret;
	if ((ret = unique(im, C_KIND, why, "%lld\x1f%lld\x1f%s\x1f%s\x1f%d\x1f%d",
	                  (long long)b.indicator_id, (long long)b.area_id, b.sex, b.age_group,
	                  (int)b.kind, b.kind == CC_BENCH_MILESTONE ? b.date : 0)) < 0)
		return ret;
	return cc_store_put_benchmark(im->st, &b, res, why);
}

/* The observation of the current row into *op, checked; the importer's and the API's check. */
static int observation_of_row(struct imp *im, struct cc_observation *op, struct cc_err *why)
{
	struct cc_observation o = { 0 };
	const char *conf = cell(im, C_CONFIDENCE);
	int ret;

	if ((ret = series(im, &o.indicator_id, &o.area_id, o.sex, sizeof(o.sex), o.age_group,
	                  sizeof(o.age_group), why)) < 0)
		return ret;
	if ((ret = date(im, C_PERIOD_START, false, &o.period_start, why)) < 0 ||
	    (ret = date(im, C_PERIOD_END, true, &o.period_end, why)) < 0)
		return ret;
	if (o.period_start != CC_DATE_NONE && o.period_start > o.period_end)
		return bad(im, why, C_PERIOD_START, "period_start %s is after period_end %s",
		           cell(im, C_PERIOD_START), cell(im, C_PERIOD_END));
	if (im->ind.measure == CC_MEASURE_QUALITATIVE && cell(im, C_VALUE)[0])
		return bad(im, why, C_VALUE,
		           "indicator '%s' is qualitative; its values are not stored yet",
		           im->ind.code);
	if ((ret = value(im, false, &o.value, why)) < 0)
		return ret;
	if (strlen(cell(im, C_SOURCE)) >= sizeof(o.source))
		return bad(im, why, C_SOURCE, "source is longer than %zu bytes",
		           sizeof(o.source) - 1);
	snprintf(o.source, sizeof(o.source), "%s", cell(im, C_SOURCE));
	if (conf[0] && strcasecmp(conf, "high") && strcasecmp(conf, "medium") &&
	    strcasecmp(conf, "low"))
		return bad(im, why, C_CONFIDENCE, "unknown confidence '%s' (high, medium, low)",
		           conf);
	for (size_t i = 0; conf[i] && i + 1 < sizeof(o.confidence); i++)
		o.confidence[i] = (char)(conf[i] | 0x20); /* ASCII letters only, checked above */
	*op = o;
	return 0;
}

static int row_observation(struct imp *im, enum cc_put_result *res, struct cc_err *why)
{
	struct cc_observation o;
	int ret;

	if ((ret = observation_of_row(im, &o, why)) < 0)
		return ret;
	if ((ret = unique(im, C_PERIOD_END, why, "%lld\x1f%lld\x1f%s\x1f%s\x1f%d",
	                  (long long)o.indicator_id, (long long)o.area_id, o.sex, o.age_group,
	                  (int)o.period_end)) < 0)
		return ret;
	return cc_store_put_observation(im->st, &o, res, why);
}

static int import_row(struct imp *im, struct cc_err *err)
{
	struct cc_err why = { 0 };
	enum cc_put_result res = CC_PUT_UNCHANGED;
	int ret;

	if (cc__row_width(im->row, im->n_header, &why) != 0)
		ret = CC_EINVALID;
	else switch (im->kind) {
	case K_INDICATORS:
		ret = row_indicator(im, &res, &why);
		break;
	case K_BENCHMARKS:
		ret = row_benchmark(im, &res, &why);
		break;
	case K_OBSERVATIONS:
		ret = row_observation(im, &res, &why);
		break;
	default:
		ret = CC_EUSAGE;
		break;
	}
	if (ret == CC_EINVALID) {
		cc_err_at(&why, im->fname, im->row->line, NULL);
		im->rep->n_rejected++;
		if (im->o->on_reject)
			im->o->on_reject(im->o->reject_ctx, &why);
		if (im->rejects) {
			char msg[sizeof(why.field) + sizeof(why.msg) + 2];

			snprintf(msg, sizeof(msg), "%s: %s", why.field, why.msg);
			if ((ret = write_rejected(im, im->row, msg)) < 0)
				return cc_err_set(err, ret, "cannot write rejects file '%s'",
				                  im->o->rejects_path);
		}
		return 0;
	}
	if (ret < 0) {
		if (!why.msg[0])
			cc_err_set(&why, ret, "%s", cc_code_text(ret));
		cc_err_at(&why, im->fname, im->row->line, NULL);
		if (err)
			*err = why;
		return ret;
	}
	switch (res) {
	case CC_PUT_ADDED:
		im->rep->n_added++;
		break;
	case CC_PUT_UPDATED:
		im->rep->n_updated++;
		break;
	case CC_PUT_UNCHANGED:
	case CC_PUT_DUPLICATE:
		im->rep->n_unchanged++;
		break;
	}
	return 0;
}

static int map_header(struct imp *im, const struct cc_csv_row *h, struct cc_err *err)
{
	int ret = cc__header_unique(h->fields, h->n_fields, im->fname, h->line, err);

	if (ret < 0)
		return ret;
	im->n_header = h->n_fields;
	for (size_t c = 0; c < C_N; c++)
		im->col[c] = -1;
	for (size_t i = 0; i < h->n_fields; i++) {
		for (size_t k = 0; k < kinds[im->kind].n_cols; k++) {
			enum col c = kinds[im->kind].cols[k];

			if (!strcasecmp(h->fields[i], col_names[c]) && im->col[c] < 0)
				im->col[c] = (int)i;
		}
	}
	if (im->kind == K_OBSERVATIONS && im->col[C_PERIOD_END] < 0)
		for (size_t i = 0; i < h->n_fields; i++)
			if (!strcasecmp(h->fields[i], "date"))
				im->col[C_PERIOD_END] = (int)i;
	for (size_t k = 0; k < kinds[im->kind].n_required; k++) {
		enum col c = kinds[im->kind].required[k];

		if (im->col[c] < 0) {
			cc_err_set(err, CC_EPARSE, "no '%s' column in the header", col_names[c]);
			cc_err_at(err, im->fname, h->line, NULL);
			return CC_EPARSE;
		}
	}
	return 0;
}

static int log_changes(struct imp *im, int64_t batch, struct cc_err *err)
{
	struct cc_change ch = { .table = kinds[im->kind].table, .batch = batch,
		                .mission_id = im->mission.id, .detail = im->fname };
	int ret = 0;

	if (im->rep->n_added) {
		ch.op = "insert";
		ch.count = (int64_t)im->rep->n_added;
		ret = cc_store_log_change(im->st, &ch, err);
	}
	if (ret == 0 && im->rep->n_updated) {
		ch.op = "update";
		ch.count = (int64_t)im->rep->n_updated;
		ret = cc_store_log_change(im->st, &ch, err);
	}
	return ret;
}

static int run(enum kind kind, struct cc_store *st, const char *path,
               const struct cc_import_opts *opts, struct cc_import_report *rep,
               struct cc_err *err)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct imp im = { .st = st, .o = opts ? opts : &no_opts, .rep = rep, .kind = kind };
	struct cc_csv_opts copts = { 0 };
	const char *map_fields[13]; /* the kind's columns, for --map */
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	int64_t batch = 0;
	bool in_tx = false;
	int ret;

	memset(rep, 0, sizeof(*rep));
	im.fname = im.o->display_name ? im.o->display_name : path;
	if ((ret = cc_store_get_mission(st, im.o->mission, &im.mission, err)) < 0)
		goto out;
	copts.encoding = im.o->encoding;
	copts.display_name = im.fname;
	for (size_t k = 0; k < kinds[kind].n_cols; k++)
		map_fields[k] = col_names[kinds[kind].cols[k]];
	map_fields[kinds[kind].n_cols] = NULL;
	copts.map = im.o->map;
	copts.n_map = im.o->n_map;
	copts.map_fields = map_fields;
	if ((ret = cc_csv_open(&csv, path, &copts, err)) < 0)
		goto out;
	ret = cc_csv_next(csv, &row, err);
	if (ret > 0) {
		ret = cc_err_set(err, CC_EPARSE, "the file is empty; it needs a header row");
		cc_err_at(err, im.fname, 0, NULL);
	}
	if (ret < 0 || (ret = map_header(&im, &row, err)) < 0)
		goto out;
	if (im.o->rejects_path) {
		im.rejects = fopen(im.o->rejects_path, "w");
		if (!im.rejects) {
			ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'",
			                 im.o->rejects_path);
			goto out;
		}
		if ((ret = write_rejected(&im, &row, "error")) < 0) {
			cc_err_set(err, ret, "cannot write rejects file '%s'", im.o->rejects_path);
			goto out;
		}
	}
	if ((ret = cc_store_begin(st, err)) < 0)
		goto out;
	in_tx = true;
	if ((ret = cc_store_new_batch(st, &batch, err)) < 0)
		goto out;
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		im.row = &row;
		rep->n_read++;
		if ((ret = import_row(&im, err)) < 0)
			goto out;
	}
	if (ret < 0)
		goto out;
	snprintf(rep->digest, sizeof(rep->digest), "%s", cc_csv_digest(csv));
	if ((ret = log_changes(&im, batch, err)) < 0)
		goto out;
	if (rep->n_rejected && (im.o->flags & CC_IMPORT_STRICT)) {
		ret = cc_err_set(err, CC_EREJECTED, "%zu of %zu rows rejected; nothing stored",
		                 rep->n_rejected, rep->n_read);
		goto out;
	}
	if (im.o->flags & CC_IMPORT_DRY_RUN) {
		ret = 0;
		goto out;
	}
	if ((ret = cc_store_commit(st, err)) < 0)
		goto out;
	in_tx = false;
	rep->stored = true;
	rep->batch = batch;
out:
	if (in_tx)
		cc_store_rollback(st);
	if (im.rejects && fclose(im.rejects) != 0 && ret == 0)
		ret = cc_err_set(err, CC_EIO, "cannot write rejects file '%s'", im.o->rejects_path);
	cc_csv_close(csv);
	cc_map_release(&im.seen);
	return ret;
}

int cc_import_indicators(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                         struct cc_import_report *rep, struct cc_err *err)
{
	return run(K_INDICATORS, st, path, opts, rep, err);
}

int cc_import_benchmarks(struct cc_store *st, const char *path, const struct cc_import_opts *opts,
                         struct cc_import_report *rep, struct cc_err *err)
{
	return run(K_BENCHMARKS, st, path, opts, rep, err);
}

int cc_import_observations(struct cc_store *st, const char *path,
                           const struct cc_import_opts *opts, struct cc_import_report *rep,
                           struct cc_err *err)
{
	return run(K_OBSERVATIONS, st, path, opts, rep, err);
}

/* ---- one row given as fields (src/io/row_check.h) ---- */

/* One row of kind through its check into out (a struct of that kind). */
static int check_one(enum kind kind, struct cc_store *st, const struct cc_mission *m,
                     const struct cc__row_fields *f, void *out, struct cc_err *why)
{
	static const struct cc_import_opts no_opts = { .period_from = CC_DATE_NONE,
		                                       .period_to = CC_DATE_NONE };
	struct cc_import_report rep = { 0 };
	struct cc_csv_row header = { .fields = (char **)f->names, .n_fields = f->n, .line = 1 };
	struct cc_csv_row row = { .fields = (char **)f->values, .n_fields = f->n, .line = 2 };
	struct imp im = { .st = st, .o = &no_opts, .rep = &rep, .kind = kind, .fname = "body",
		          .mission = *m };
	int ret = map_header(&im, &header, why);

	if (ret == 0) {
		im.row = &row;
		switch (kind) {
		case K_INDICATORS:
			ret = indicator_of_row(&im, out, why);
			break;
		case K_BENCHMARKS:
			ret = benchmark_of_row(&im, out, why);
			break;
		case K_OBSERVATIONS:
			ret = observation_of_row(&im, out, why);
			break;
		}
	}
	cc_map_release(&im.seen);
	return ret;
}

int cc__indicator_row_check(struct cc_store *st, const struct cc_mission *m,
                            const struct cc__row_fields *f, struct cc_indicator *ind,
                            struct cc_err *why)
{
	return check_one(K_INDICATORS, st, m, f, ind, why);
}

int cc__benchmark_row_check(struct cc_store *st, const struct cc_mission *m,
                            const struct cc__row_fields *f, struct cc_benchmark *b,
                            struct cc_err *why)
{
	return check_one(K_BENCHMARKS, st, m, f, b, why);
}

int cc__observation_row_check(struct cc_store *st, const struct cc_mission *m,
                              const struct cc__row_fields *f, struct cc_observation *o,
                              struct cc_err *why)
{
	return check_one(K_OBSERVATIONS, st, m, f, o, why);
}
