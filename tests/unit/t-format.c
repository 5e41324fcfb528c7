/*
 * The analysis formatters of <concord/report.h> (gaps, progress, roll-up) on results built by
 * hand: every JSON document parses (jansson), numbers and nulls are where the struct says,
 * text from the data is escaped for JSON and CSV, an unknown format and a full buffer are
 * errors that leave the caller's buffer as it was.
 */
#include <concord/report.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include <concord/alloc.h>

#include "tap.h"

#define NA ((double)NAN)

static const struct cc_gap_money money[] = {
	{ .currency = "USD", .amount = 1200000, .n_activities = 2 },
	{ .currency = "", .amount = 300.5, .n_activities = 1 },
};

/* Two rows: a scored one with two budgets and a name needing escapes; one without data. */
static struct cc_gaps gaps_fixture(struct cc_gap_row rows[2])
{
	rows[0] = (struct cc_gap_row){ .pcode = "AF02",
		                       .key_code = "HEA",
		                       .key_name = "Health",
		                       .severity = 4,
		                       .in_need = 120000,
		                       .covered = 45000,
		                       .n_orgs = 2,
		                       .n_records = 3,
		                       .shortfall = 0.625,
		                       .unmet = 75000,
		                       .gap = 300000,
		                       .status = CC_GAP_SCORED,
		                       .budget = money,
		                       .n_budget = 2,
		                       .n_budgeted = 3,
		                       .n_unbudgeted = 1 };
	snprintf(rows[0].name, sizeof(rows[0].name), "Herat \"West\"\nline");
	rows[1] = (struct cc_gap_row){ .pcode = "AF02",
		                       .name = "Herat",
		                       .key_code = "EDU",
		                       .key_name = "Education",
		                       .in_need = 10000,
		                       .covered = NA,
		                       .shortfall = NA,
		                       .unmet = NA,
		                       .gap = NA,
		                       .status = CC_GAP_NO_DATA };
	return (struct cc_gaps){ .opts = { .level = 1,
		                           .reach = CC_REACH_SUM,
		                           .by = CC_GAP_BY_SECTOR,
		                           .planning = true },
		                 .rows = rows,
		                 .n_rows = 2,
		                 .n_scored = 1,
		                 .n_needs = 2,
		                 .n_needs_above = 1 };
}

static json_t *parse(const struct cc_buf *b)
{
	json_error_t je;
	json_t *j = json_loadb(b->buf, b->len, 0, &je);

	if (!j)
		printf("# not JSON: %s at byte %d\n", je.text, je.position);
	return j;
}

TEST(gaps_json)
{
	struct cc_gap_row rows[2];
	struct cc_gaps g = gaps_fixture(rows);
	struct cc_buf out = CC_BUF_INIT(0);
	json_t *j, *r0, *r1, *b;

	check_int(cc_gaps_format(&g, CC_FORMAT_JSON, &out, NULL), ==, 0);
	check(out.len > 0 && out.buf[out.len - 1] == '\n');
	j = parse(&out);
	cc_buf_release(&out);
	if (!check(j != NULL))
		return;
	check_int(json_integer_value(json_object_get(j, "level")), ==, 1);
	check_str(json_string_value(json_object_get(j, "reach")), "sum");
	check_str(json_string_value(json_object_get(j, "compared_with")), "targeted");
	check_int(json_integer_value(json_object_get(j, "n_needs_above")), ==, 1);
	check_int(json_array_size(json_object_get(j, "rows")), ==, 2);
	r0 = json_array_get(json_object_get(j, "rows"), 0);
	r1 = json_array_get(json_object_get(j, "rows"), 1);
	check_int(json_integer_value(json_object_get(r0, "rank")), ==, 1);
	check_str(json_string_value(json_object_get(r0, "area")), "Herat \"West\"\nline");
	check_dbl(json_number_value(json_object_get(r0, "gap")), 300000, 0);
	check_dbl(json_number_value(json_object_get(r0, "shortfall")), 0.625, 1e-12);
	check_str(json_string_value(json_object_get(r0, "status")), "scored");
	b = json_object_get(r0, "budget");
	check_int(json_array_size(b), ==, 2);
	check_str(json_string_value(json_object_get(json_array_get(b, 0), "currency")), "USD");
	check_dbl(json_number_value(json_object_get(json_array_get(b, 0), "amount")), 1200000, 0);
	check(json_is_null(json_object_get(json_array_get(b, 1), "currency")));
	check_dbl(json_number_value(json_object_get(json_array_get(b, 1), "amount")), 300.5, 0);
	check_int(json_integer_value(json_object_get(r0, "activities_without_budget")), ==, 1);
	/* an unscored row: no rank, no severity, unknown figures null (never 0) */
	check(json_is_null(json_object_get(r1, "rank")));
	check(json_is_null(json_object_get(r1, "severity")));
	check(json_is_null(json_object_get(r1, "covered")));
	check(json_is_null(json_object_get(r1, "gap")));
	check_str(json_string_value(json_object_get(r1, "status")), "no data");
	json_decref(j);
}

TEST(gaps_csv_and_table)
{
	struct cc_gap_row rows[2];
	struct cc_gaps g = gaps_fixture(rows);
	struct cc_buf out = CC_BUF_INIT(0);

	check_int(cc_gaps_format(&g, CC_FORMAT_CSV, &out, NULL), ==, 0);
	check(strncmp(out.buf, "rank,pcode,area,key,", 20) == 0);
	/* the quote doubled and the field quoted; two currencies: "mixed", never added */
	check(strstr(out.buf,
	             "\n1,AF02,\"Herat \"\"West\"\"\nline\",HEA,Health,4,120000,45000,2,3,"
	             "0.625000,75000,300000,scored,,mixed,USD 1200000; unknown 300.50,3,1\n") !=
	      NULL);
	check(strstr(out.buf, "\n,AF02,Herat,EDU,Education,,10000,,0,0,,,,no data,,,,0,0\n") !=
	      NULL);
	cc_buf_release(&out);
	check_int(cc_gaps_format(&g, CC_FORMAT_TABLE, &out, NULL), ==, 0);
	check(strstr(out.buf, "2 rows, 1 scored") != NULL);
	check(strstr(out.buf, "USD 1.20M + unknown 300") != NULL);
	cc_buf_release(&out);
}

TEST(errors_leave_the_buffer)
{
	struct cc_gap_row rows[2];
	struct cc_gaps g = gaps_fixture(rows);
	struct cc_buf out = CC_BUF_INIT(0);
	struct cc_err err = { 0 };

	cc_buf_adds(&out, "kept");
	check_int(cc_gaps_format(&g, (enum cc_format)42, &out, &err), ==, CC_EINVALID);
	check_str(out.buf, "kept");
	cc_buf_release(&out);
	cc_buf_init(&out, 64); /* smaller than the document */
	check_int(cc_gaps_format(&g, CC_FORMAT_JSON, &out, &err), ==, CC_ETOOBIG);
	check_int(err.code, ==, CC_ETOOBIG);
	cc_buf_release(&out);
}

TEST(progress_json)
{
	struct cc_indicator ind[] = {
		{ .code = "POL-\"TRAINED\"", .higher_is_better = true },
		{ .code = "SEC-INC", .higher_is_better = false },
	};
	struct cc_indicator_data d = { .indicators = ind, .n_indicators = 2 };
	struct cc_progress_result res[2] = {
		{ .indicator = 1,
		  .area = "AF01",
		  .n_values = 6,
		  .n_missing = 1,
		  .latest_date = cc_date_from_ymd(2025, 6, 30),
		  .latest_value = 33,
		  .baseline = 48,
		  .target = 20,
		  .progress = 15.0 / 28,
		  .expected = 0.75,
		  .ratio = 15.0 / 28 / 0.75,
		  .status = CC_STATUS_OFF_TRACK,
		  .max_age_days = 180,
		  .trend = { .n = 6,
		             .slope = -0.05,
		             .intercept = 1000,
		             .s = -13,
		             .var_s = 28.33,
		             .z = -2.26,
		             .p = 0.0083,
		             .exact = true,
		             .dir = CC_TREND_DECREASING },
		  .projection = CC_PROJ_DATE,
		  .projected_date = cc_date_from_ymd(2026, 3, 1) },
		{ .indicator = 0,
		  .sex = "female",
		  .latest_date = CC_DATE_NONE,
		  .latest_value = NA,
		  .baseline = NA,
		  .target = NA,
		  .progress = NA,
		  .expected = NA,
		  .ratio = NA,
		  .status = CC_STATUS_NO_DATA,
		  .trend = { .slope = NA,
		             .intercept = NA,
		             .var_s = NA,
		             .z = NA,
		             .p = NA,
		             .dir = CC_TREND_TOO_FEW },
		  .projection = CC_PROJ_NONE },
	};
	struct cc_progress_opts o = {
		.on_track = 0.9, .at_risk = 0.75, .alpha = 0.05, .at = cc_date_from_ymd(2025, 6, 30)
	};
	struct cc_buf out = CC_BUF_INIT(0);
	json_t *j, *r0, *r1;

	check_int(cc_progress_format_json(&d, res, 2, &o, &out, NULL), ==, 0);
	j = parse(&out);
	cc_buf_release(&out);
	if (!check(j != NULL))
		return;
	check_str(json_string_value(json_object_get(j, "as_of")), "2025-06-30");
	check_dbl(json_number_value(json_object_get(json_object_get(j, "rule"), "on_track")), 0.9,
	          0);
	r0 = json_array_get(json_object_get(j, "results"), 0);
	r1 = json_array_get(json_object_get(j, "results"), 1);
	check_str(json_string_value(json_object_get(r0, "indicator")), "SEC-INC");
	check(json_is_false(json_object_get(r0, "higher_is_better")));
	check_dbl(json_number_value(json_object_get(r0, "progress")), 0.535714, 1e-9);
	check_str(json_string_value(json_object_get(r0, "status")), "off_track");
	check_str(json_string_value(json_object_get(r0, "projection")), "date");
	check_str(json_string_value(json_object_get(r0, "projected_date")), "2026-03-01");
	check_int(json_integer_value(json_object_get(json_object_get(r0, "trend"), "s")), ==, -13);
	check_str(json_string_value(json_object_get(json_object_get(r0, "trend"), "p_method")),
	          "exact");
	check_str(json_string_value(json_object_get(r1, "indicator")), "POL-\"TRAINED\"");
	check_str(json_string_value(json_object_get(r1, "sex")), "female");
	check(json_is_null(json_object_get(r1, "latest_date")));
	check(json_is_null(json_object_get(r1, "latest_value")));
	check(json_is_null(json_object_get(r1, "progress")));
	check(json_is_null(json_object_get(r1, "projected_date")));
	check(json_is_null(json_object_get(json_object_get(r1, "trend"), "p")));
	check_str(json_string_value(json_object_get(json_object_get(r1, "trend"), "p_method")), "");
	json_decref(j);
}

TEST(rollup_json)
{
	struct cc_indicator ind[] = {
		{ .code = "POL", .pillar = "security", .aggregation = CC_AGG_SUM }
	};
	struct cc_indicator_data d = { .indicators = ind, .n_indicators = 1 };
	struct cc_area areas[] = { { .pcode = "AFG", .name = "Afghanistan" },
		                   { .pcode = "AF01", .name = "Kabul" },
		                   { .pcode = "AF02", .name = "Kapisa" },
		                   { .pcode = "AF03", .name = "Parwan" } };
	size_t missing[] = { 3 }, none[] = { 0 };
	struct cc_rollup_result r = { .indicator = 0,
		                      .area = 0,
		                      .value = 1098,
		                      .how = CC_ROLLUP_ROLLED,
		                      .n_used = 2,
		                      .n_children = 3,
		                      .source = SIZE_MAX,
		                      .date_min = cc_date_from_ymd(2025, 3, 31),
		                      .date_max = cc_date_from_ymd(2025, 6, 30),
		                      .missing = missing,
		                      .n_missing = 1,
		                      .no_population = none,
		                      .n_no_population = 0 };
	struct cc_rollup ru = { .results = &r, .n_results = 1 };
	struct cc_buf out = CC_BUF_INIT(0);
	json_t *j, *x;

	check_int(cc_rollup_format_json(&d, areas, &ru, 0, CC_DATE_NONE, &out, NULL), ==, 0);
	j = parse(&out);
	cc_buf_release(&out);
	if (!check(j != NULL))
		return;
	check(json_is_null(json_object_get(j, "as_of")));
	x = json_array_get(json_object_get(j, "results"), 0);
	check_str(json_string_value(json_object_get(x, "area")), "AFG");
	check_dbl(json_number_value(json_object_get(x, "value")), 1098, 0);
	check_str(json_string_value(json_object_get(x, "how")),
	          cc_rollup_how_name(CC_ROLLUP_ROLLED));
	check(json_is_null(json_object_get(x, "source")));
	check_str(json_string_value(json_object_get(x, "date_max")), "2025-06-30");
	check_str(json_string_value(json_array_get(json_object_get(x, "missing"), 0)), "AF03");
	check_int(json_array_size(json_object_get(x, "no_population")), ==, 0);
	json_decref(j);
}
