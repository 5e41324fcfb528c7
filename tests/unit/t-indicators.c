/*
 * Indicators, benchmarks and observations through the library: typed values (text in a numeric
 * indicator rejects the row, an empty value stays missing), each rejection's line and field,
 * idempotent re-imports and updates by natural key, strict and dry runs that change nothing,
 * reads sorted and filtered, and an allocation failure at every allocation of an import and a
 * read (each CC_ENOMEM, nothing leaked, the store unchanged).
 */
#include <concord/alloc.h>
#include <concord/import.h>
#include <concord/indicators.h>
#include <concord/store.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testdir.h"

static struct cc_import_opts opts(void)
{
	return (struct cc_import_opts){ .period_from = CC_DATE_NONE, .period_to = CC_DATE_NONE,
		                        .level = -1 };
}

/* A store with mission AFG and the Afghan P-codes. */
static struct cc_store *afg_store(const char *name)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m = { .code = "AFG", .name = "Afghanistan", .country = "AFG",
		                .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE };
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	char path[160], gaz[512];
	int ret;

	ret = cc_store_open(&st, tmp_path(name, path),
	                    &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err);
	if (ret == 0)
		ret = cc_store_put_mission(st, &m, &err);
	if (ret == 0)
		ret = cc_import_areas(st, data("data/cases/afghanistan/afg_global_pcodes_subset.csv",
		                               gaz),
		                      &o, &rep, &err);
	if (!check_int(ret, ==, 0)) {
		char buf[512];

		printf("# %s\n", cc_err_format(&err, buf, sizeof(buf)));
		cc_store_close(st);
		return NULL;
	}
	return st;
}

static void digest(struct cc_store *st, char out[static 65])
{
	if (cc_store_digest(st, out, NULL) != 0)
		snprintf(out, 65, "error");
}

static int import(struct cc_store *st, const char *kind, const char *file,
                  struct cc_import_opts *o, struct cc_import_report *rep)
{
	char path[512], rel[128];
	struct cc_err err = { 0 };
	int ret;

	snprintf(rel, sizeof(rel), "tests/data/indicators/%s", file);
	data(rel, path);
	if (!strcmp(kind, "indicators"))
		ret = cc_import_indicators(st, path, o, rep, &err);
	else if (!strcmp(kind, "benchmarks"))
		ret = cc_import_benchmarks(st, path, o, rep, &err);
	else
		ret = cc_import_observations(st, path, o, rep, &err);
	if (ret < 0 && ret != CC_EREJECTED && ret != CC_ENOMEM) {
		char buf[512];

		printf("# %s\n", cc_err_format(&err, buf, sizeof(buf)));
	}
	return ret;
}

/* All three files of the constructed case. */
static struct cc_store *loaded_store(const char *name)
{
	struct cc_store *st = afg_store(name);
	struct cc_import_opts o = opts();
	struct cc_import_report rep;

	if (!st)
		return NULL;
	check_int(import(st, "indicators", "indicators.csv", &o, &rep), ==, 0);
	check_int(import(st, "benchmarks", "benchmarks.csv", &o, &rep), ==, 0);
	check_int(import(st, "observations", "observations.csv", &o, &rep), ==, 0);
	return st;
}

struct rejects {
	int n;
	char lines[16][512];
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;
	const char *base;
	char buf[512];

	cc_err_format(why, buf, sizeof(buf));
	base = strstr(buf, "observations_bad.csv");
	if (r->n < 16)
		snprintf(r->lines[r->n], sizeof(r->lines[0]), "%s", base ? base : buf);
	r->n++;
}

TEST(import_counts_and_idempotence)
{
	struct cc_store *st = afg_store("idem.db");
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	char before[65], after[65];

	if (!st)
		return;
	check_int(import(st, "indicators", "indicators.csv", &o, &rep), ==, 0);
	check_int(rep.n_read, ==, 4);
	check_int(rep.n_added, ==, 4);
	check(rep.stored);
	check_int(import(st, "benchmarks", "benchmarks.csv", &o, &rep), ==, 0);
	check_int(rep.n_added, ==, 13);
	check_int(import(st, "observations", "observations.csv", &o, &rep), ==, 0);
	check_int(rep.n_added, ==, 33);
	check_int(rep.n_rejected, ==, 0);

	/* again: nothing added or updated; the data is the same (the change log is not touched) */
	digest(st, before);
	check_int(import(st, "indicators", "indicators.csv", &o, &rep), ==, 0);
	check_int(rep.n_unchanged, ==, 4);
	check_int(import(st, "benchmarks", "benchmarks.csv", &o, &rep), ==, 0);
	check_int(rep.n_unchanged, ==, 13);
	check_int(import(st, "observations", "observations.csv", &o, &rep), ==, 0);
	check_int(rep.n_unchanged, ==, 33);
	check_int(rep.n_added + rep.n_updated, ==, 0);
	digest(st, after);
	check_str(after, before);
	cc_store_close(st);
}

TEST(typed_values_missing_values_and_rejections)
{
	struct cc_store *st = loaded_store("typed.db");
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	struct rejects r = { 0 };
	struct cc_indicator_data d;
	struct cc_mission m;
	char before[65], after[65];
	size_t n_missing = 0;

	if (!st)
		return;
	o.on_reject = on_reject;
	o.reject_ctx = &r;

	/* strict and dry runs store nothing */
	digest(st, before);
	o.flags = CC_IMPORT_STRICT;
	check_int(import(st, "observations", "observations_bad.csv", &o, &rep), ==, CC_EREJECTED);
	check(!rep.stored);
	o.flags = CC_IMPORT_DRY_RUN;
	check_int(import(st, "observations", "observations_bad.csv", &o, &rep), ==, 0);
	check(!rep.stored);
	digest(st, after);
	check_str(after, before);

	r.n = 0;
	o.flags = 0;
	check_int(import(st, "observations", "observations_bad.csv", &o, &rep), ==, 0);
	check_int(rep.n_read, ==, 10);
	check_int(rep.n_rejected, ==, 9);
	check_int(rep.n_added, ==, 1);
	check_int(r.n, ==, 9);
	check_str(r.lines[8], "observations_bad.csv:11: period_end: duplicate of line 10");
	check_str(r.lines[0], "observations_bad.csv:2: value: 'Yes' is not a number");
	check_str(r.lines[1], "observations_bad.csv:3: value: 'N/A' is not a number");
	check_str(r.lines[2], "observations_bad.csv:4: area: unknown P-code 'AF99'");
	check_str(r.lines[4], "observations_bad.csv:6: sex: unknown sex 'x' (female, male or total)");

	/* the empty value of AF02 on 2024-06-30 is stored as missing, not 0 */
	check_int(cc_store_get_mission(st, "AFG", &m, NULL), ==, 0);
	check_int(cc_store_load_indicator_data(st,
	                                       &(struct cc_indicator_query){ .mission_id = m.id,
	                                                                     .at = CC_DATE_NONE },
	                                       &d, NULL),
	          ==, 0);
	check_int(d.n_indicators, ==, 4);
	check_int(d.n_benchmarks, ==, 13);
	check_int(d.n_observations, ==, 34);
	for (size_t i = 0; i < d.n_observations; i++)
		if (isnan(d.observations[i].value)) {
			n_missing++;
			check_str(d.observations[i].area, "AF02");
		}
	check_int(n_missing, ==, 1);
	/* sorted by indicator code: DDR-WEAPONS, LIT-F, POL-TRAINED, SEC-INC */
	check_str(d.indicators[0].code, "DDR-WEAPONS");
	check_str(d.indicators[3].code, "SEC-INC");
	check(!d.indicators[3].higher_is_better);
	check_int(d.indicators[3].aggregation, ==, CC_AGG_MEAN);
	check_dbl(d.indicators[3].goal_max, 60, 0);
	check(isnan(d.indicators[0].goal_min));
	check_str(d.observations[0].indicator, "DDR-WEAPONS");
	check_str(d.observations[0].area, "");
	/* "F", "female" and "Female" with age "total" are one series */
	{
		size_t n_f = 0;

		for (size_t i = 0; i < d.n_observations; i++)
			if (!strcmp(d.observations[i].sex, "female") &&
			    !strcmp(d.observations[i].indicator, "POL-TRAINED")) {
				n_f++;
				check_str(d.observations[i].age_group, "");
			}
		check_int(n_f, ==, 3);
	}
	cc_indicator_data_release(&d);

	/* filters: one indicator, one area, up to a date */
	check_int(cc_store_load_indicator_data(
	                  st,
	                  &(struct cc_indicator_query){ .mission_id = m.id,
	                                                .indicator = "POL-TRAINED", .area = "AF01",
	                                                .at = cc_date_from_ymd(2024, 12, 31) },
	                  &d, NULL),
	          ==, 0);
	check_int(d.n_indicators, ==, 1);
	check_int(d.n_benchmarks, ==, 5);   /* 3 total + 2 female */
	check_int(d.n_observations, ==, 6); /* 4 total and 2 female up to 2024-12-31 */
	cc_indicator_data_release(&d);
	cc_store_close(st);
}

TEST(updates_by_natural_key)
{
	struct cc_store *st = loaded_store("update.db");
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	char path[160];
	FILE *f;

	if (!st)
		return;
	tmp_path("revised.csv", path);
	f = fopen(path, "w");
	fputs("indicator,area,kind,date,value\n"
	      "SEC-INC,AF01,target,2025-12-31,18\n"    /* revised target: update */
	      "SEC-INC,AF01,baseline,2024-01-01,48\n"  /* same: unchanged */
	      "SEC-INC,AF01,milestone,2025-01-01,35\n" /* new milestone: added */
	      "SEC-INC,AF01,target,2025-12-31,N/A\n"   /* rejected */
	      "SEC-INC,AF01,goal,2025-12-31,1\n"       /* rejected */
	      "SEC-INC,AF01,baseline,2024-01-01,47\n", /* duplicate of line 3: rejected */
	      f);
	fclose(f);
	check_int(cc_import_benchmarks(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_updated, ==, 1);
	check_int(rep.n_unchanged, ==, 1);
	check_int(rep.n_added, ==, 1);
	check_int(rep.n_rejected, ==, 3);

	/* an indicator redefined: updated, not duplicated */
	f = fopen(path, "w");
	fputs("code,name,measure,direction,aggregation,period_days\n"
	      "SEC-INC,Security incidents per month,unit,lower,mean,31\n"
	      "BAD-1,Bad measure,litres,lower,mean,\n"
	      "BAD-2,Bad direction,unit,sideways,mean,\n"
	      "BAD-3,Bad aggregation,unit,higher,median,\n",
	      f);
	fclose(f);
	check_int(cc_import_indicators(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_updated, ==, 1);
	check_int(rep.n_rejected, ==, 3);

	/* values typed by the measure: a percentage is 0..100 (a trailing % allowed), an ordinal
	   value a whole number, a qualitative value is not stored yet */
	f = fopen(path, "w");
	fputs("code,name,measure,direction,aggregation\n"
	      "RANK,Perceived safety rank,ordinal,higher,mean\n"
	      "QUAL,Narrative assessment,qualitative,higher,latest\n",
	      f);
	fclose(f);
	check_int(cc_import_indicators(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_added, ==, 2);
	f = fopen(path, "w");
	fputs("indicator,area,sex,age_group,period_end,value\n"
	      "LIT-F,AF03,female,15+,2023-12-31,18.5%\n" /* stored as 18.5 */
	      "LIT-F,AF03,female,15+,2024-12-31,120\n"   /* rejected */
	      "LIT-F,AF03,female,15+,2025-12-31,-1%\n"   /* rejected */
	      "RANK,AF01,,,2025-01-31,3\n"               /* stored */
	      "RANK,AF01,,,2025-02-28,2.5\n"             /* rejected */
	      "QUAL,AF01,,,2025-01-31,Improving\n"       /* rejected */
	      "QUAL,AF01,,,2025-02-28,\n",               /* missing: stored as missing */
	      f);
	fclose(f);
	check_int(cc_import_observations(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_added, ==, 3);
	check_int(rep.n_rejected, ==, 4);
	{
		struct cc_indicator_data d;
		struct cc_mission m;

		check_int(cc_store_get_mission(st, "AFG", &m, NULL), ==, 0);
		check_int(cc_store_load_indicator_data(
		                  st,
		                  &(struct cc_indicator_query){ .mission_id = m.id,
		                                                .indicator = "LIT-F",
		                                                .at = CC_DATE_NONE },
		                  &d, NULL),
		          ==, 0);
		check_int(d.n_observations, ==, 3);
		if (d.n_observations == 3)
			check_dbl(d.observations[2].value, 18.5, 0);
		cc_indicator_data_release(&d);
	}

	/* a file without a required column fails as a whole */
	f = fopen(path, "w");
	fputs("indicator,area,period_end\nSEC-INC,AF01,2025-01-31\n", f);
	fclose(f);
	check_int(cc_import_observations(st, path, &o, &rep, &err), ==, CC_EPARSE);
	check(strstr(err.msg, "'value'") != NULL);
	cc_store_close(st);
}

TEST(every_allocation_failure_leaves_the_store_unchanged)
{
	struct cc_store *st = afg_store("oom.db");
	struct cc_import_opts o = opts();
	struct cc_import_report rep;
	struct cc_indicator_data d;
	struct cc_mission m;
	char before[65], after[65];
	long n;
	int ret = -1, n_fail = 0;

	if (!st)
		return;
	check_int(import(st, "indicators", "indicators.csv", &o, &rep), ==, 0);
	check_int(import(st, "benchmarks", "benchmarks.csv", &o, &rep), ==, 0);
	digest(st, before);
	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = import(st, "observations", "observations.csv", &o, &rep);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	check_int(ret, ==, 0);
	check(n_fail > 3);
	check_int(rep.n_added, ==, 33);

	/* reading back: the same */
	check_int(cc_store_get_mission(st, "AFG", &m, NULL), ==, 0);
	n_fail = 0;
	for (n = 0; n < 100000; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_store_load_indicator_data(
		        st, &(struct cc_indicator_query){ .mission_id = m.id, .at = CC_DATE_NONE },
		        &d, NULL);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
		check(d.observations == NULL && d.n_observations == 0);
	}
	check_int(ret, ==, 0);
	check(n_fail > 0);
	check_int(d.n_observations, ==, 33);
	cc_indicator_data_release(&d);
	cc_store_close(st);
}
