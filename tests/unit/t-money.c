/*
 * Money: conversion through the euro at the value date (include/concord/money.h), on tables built
 * by hand from the ECB's fixings of 2021-07-01 and 2021-07-02 (a Friday; 3–4 July a weekend),
 * then the rates importer and the store on the real excerpts of tests/data/rates.
 * Expected values are worked out in the comments from the quoted rates (units per EUR).
 */
#include <concord/money.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"

static int32_t day(const char *s)
{
	int32_t d = CC_DATE_NONE;

	if (cc_date_parse(s, &d, NULL) < 0)
		printf("# bad date %s\n", s);
	return d;
}

/* ECB 2021-07-01: USD 1.1884 GBP 0.86033 JPY 132.42; 2021-07-02: USD 1.1823 GBP 0.86003
   JPY 131.74; annual 2021: USD 1.182740 GBP 0.859604 (given in unsorted order on purpose) */
static struct cc_rate table_rates[] = {
	{ "USD", CC_RATE_DAILY, 0, 1.1823 },   { "GBP", CC_RATE_DAILY, 0, 0.86033 },
	{ "JPY", CC_RATE_DAILY, 0, 132.42 },   { "USD", CC_RATE_DAILY, 0, 1.1884 },
	{ "GBP", CC_RATE_DAILY, 0, 0.86003 },  { "JPY", CC_RATE_DAILY, 0, 131.74 },
	{ "USD", CC_RATE_ANNUAL, 0, 1.182740 }, { "GBP", CC_RATE_ANNUAL, 0, 0.859604 },
};

/* The table in copy (8 entries, the caller's), sorted; the two annual ones only when asked. */
static struct cc_rates table(bool with_annual, struct cc_rate copy[static 8])
{
	struct cc_rates r = { .rates = copy, .n = with_annual ? 8 : 6 };

	memcpy(copy, table_rates, sizeof(table_rates));
	copy[0].date = day("2021-07-02");
	copy[1].date = day("2021-07-01");
	copy[2].date = day("2021-07-01");
	copy[3].date = day("2021-07-01");
	copy[4].date = day("2021-07-02");
	copy[5].date = day("2021-07-02");
	copy[6].date = copy[7].date = day("2021-01-01");
	cc_rates_sort(&r);
	return r;
}

static struct cc_amount amt(double v, const char *cur, const char *date)
{
	struct cc_amount a = { .value = v, .value_date = date ? day(date) : CC_DATE_NONE };

	snprintf(a.currency, sizeof(a.currency), "%s", cur);
	return a;
}

TEST(cross_rate_through_the_euro)
{
	struct cc_rate buf[8];
	struct cc_rates r = table(false, buf);
	struct cc_fx fx;
	struct cc_amount a = amt(1000, "GBP", "2021-07-01");

	/* 1000 GBP = 1000 / 0.86033 EUR = 1162.3446 EUR = × 1.1884 = 1381.3304 USD */
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1381.3304197, 1e-6);
	check_dbl(fx.rate, 1.1884 / 0.86033, 1e-12);
	check(!fx.same);
	check_str(fx.from.currency, "GBP");
	check_int(fx.from.date, ==, day("2021-07-01"));
	check_dbl(fx.from.per_eur, 0.86033, 0);
	check_str(fx.to.currency, "USD");
	check_int(fx.to.kind, ==, CC_RATE_DAILY);
	/* to JPY: 1162.3446 EUR × 132.42 = 153917.68 JPY; and back again gives 1000 GBP */
	check_int(cc_money_convert(&r, &a, "JPY", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 153917.68275, 1e-4);
	a = amt(fx.value, "JPY", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "gbp", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1000, 1e-9);
	/* the euro needs no rate of its own: 100 EUR = 118.84 USD, and 118.84 USD = 100 EUR */
	a = amt(100, "EUR", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 118.84, 1e-9);
	check_int(fx.from.date, ==, CC_DATE_NONE);
	check_dbl(fx.from.per_eur, 1, 0);
	a = amt(118.84, "usd", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "EUR", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 100, 1e-9);
}

TEST(weekend_takes_the_last_fixing_within_the_tolerance)
{
	struct cc_rate buf[8], abuf[8];
	struct cc_rates r = table(false, buf), ra = table(true, abuf);
	struct cc_fx fx;
	struct cc_amount a = amt(1000, "GBP", "2021-07-04"); /* Sunday */

	/* Friday 2 July: 1000 / 0.86003 × 1.1823 = 1374.7195 USD */
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1374.7194865, 1e-6);
	check_int(fx.from.date, ==, day("2021-07-02"));
	check_int(fx.to.date, ==, day("2021-07-02"));
	/* two days back is beyond a tolerance of 1: no rate, and the currency lacking it named */
	check_int(cc_money_convert(&r, &a, "USD", 1, &fx), ==, CC_FX_NO_RATE);
	check_str(fx.missing, "GBP");
	check(isnan(fx.value));
	/* ... unless the year's annual average is stored: 1000 / 0.859604 × 1.182740 */
	check_int(cc_money_convert(&ra, &a, "USD", 1, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1375.9126295, 1e-6);
	check_int(fx.from.kind, ==, CC_RATE_ANNUAL);
	check_int(fx.from.date, ==, day("2021-01-01"));
	/* a fixing of the day itself is used even with tolerance 0 */
	a = amt(1000, "GBP", "2021-07-02");
	check_int(cc_money_convert(&r, &a, "USD", 0, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1374.7194865, 1e-6);
	/* after the last fixing: 2021-07-20 is 18 days after 2 July */
	a = amt(1000, "GBP", "2021-07-20");
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_NO_RATE);
	check_int(cc_money_convert(&ra, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check_int(fx.to.kind, ==, CC_RATE_ANNUAL);
	/* before the first fixing, in a year without an annual average: JPY 2021-06-01 */
	a = amt(1000, "JPY", "2021-06-01");
	check_int(cc_money_convert(&ra, &a, "EUR", 5, &fx), ==, CC_FX_NO_RATE);
	check_str(fx.missing, "JPY");
	/* a rate is never taken from a later day */
	a = amt(1000, "JPY", "2021-06-30");
	check_int(cc_money_convert(&r, &a, "EUR", 5, &fx), ==, CC_FX_NO_RATE);
}

TEST(what_cannot_be_converted_says_why)
{
	struct cc_rate buf[8];
	struct cc_rates r = table(false, buf);
	struct cc_fx fx;
	struct cc_amount a = amt(50, "AFN", "2021-07-01");

	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_UNKNOWN_CURRENCY);
	check_str(fx.missing, "AFN");
	check_str(cc_fx_status_text(fx.status), "unknown currency");
	a = amt(50, "US$", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_UNKNOWN_CURRENCY);
	a = amt(50, "USD", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "XYZ", 5, &fx), ==, CC_FX_UNKNOWN_CURRENCY);
	check_str(fx.missing, "XYZ");
	a = amt(50, "", "2021-07-01");
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_NO_CURRENCY);
	a = amt(50, "GBP", NULL);
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_NO_DATE);
	/* the same currency needs neither rate nor date */
	a = amt(50, "usd", NULL);
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check(fx.same);
	check_dbl(fx.value, 50, 0);
	/* an empty table knows only the euro */
	a = amt(10, "EUR", "2021-07-01");
	check_int(cc_money_convert(&(struct cc_rates){ 0 }, &a, "EUR", 5, &fx), ==, CC_FX_OK);
	check_int(cc_money_convert(&(struct cc_rates){ 0 }, &a, "USD", 5, &fx), ==,
	          CC_FX_UNKNOWN_CURRENCY);
}

TEST(sum_adds_what_converts_and_counts_the_rest)
{
	struct cc_rate buf[8];
	struct cc_rates r = table(false, buf);
	struct cc_amount as[] = {
		amt(1000, "GBP", "2021-07-01"), /* 1381.3304 USD at 1 July */
		amt(100, "EUR", "2021-07-04"),  /* 118.23 USD at 2 July */
		amt(7, "USD", NULL),            /* 7 USD */
		amt(50, "AFN", "2021-07-01"),   /* unknown */
		amt(60, "", "2021-07-01"),      /* no currency */
	};
	struct cc_fx fx[5];
	struct cc_money_total t;

	cc_money_sum(&r, as, 5, "USD", 5, fx, &t);
	check_str(t.currency, "USD");
	check_dbl(t.total, 1381.3304197 + 118.23 + 7, 1e-6);
	check_int(t.n_converted, ==, 3);
	check_int(t.n_unconverted, ==, 2);
	check_int(t.first_rate, ==, day("2021-07-01"));
	check_int(t.last_rate, ==, day("2021-07-02"));
	check_int(t.n_annual, ==, 0);
	check_int(fx[3].status, ==, CC_FX_UNKNOWN_CURRENCY);
	check_int(fx[4].status, ==, CC_FX_NO_CURRENCY);
	cc_money_sum(&r, as, 0, "USD", 5, NULL, &t);
	check_dbl(t.total, 0, 0);
	check_int(t.first_rate, ==, CC_DATE_NONE);
}

/* rates in the daily excerpt, counted here without the importer: cells not empty nor N/A */
static size_t count_daily(const char *path)
{
	char line[4096];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ','); /* after the date */

		while (p) {
			char *q = strchr(p + 1, ',');
			size_t len = q ? (size_t)(q - p - 1) : strcspn(p + 1, "\r\n");

			if (len && !(len == 3 && strncmp(p + 1, "N/A", 3) == 0))
				n++;
			p = q;
		}
	}
	fclose(f);
	return n;
}

static struct cc_store *open_store(const char *name)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	struct cc_mission m = { .code = "AFG", .name = "Afghanistan", .country = "AFG",
		                .start_date = CC_DATE_NONE, .end_date = CC_DATE_NONE };
	char path[160];

	if (cc_store_open(&st, tmp_path(name, path),
	                  &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err) < 0 ||
	    cc_store_put_mission(st, &m, &err) < 0) {
		char buf[512];

		printf("# %s\n", cc_err_format(&err, buf, sizeof(buf)));
		cc_store_close(st);
		return NULL;
	}
	return st;
}

static const struct cc_import_opts plain = { .level = -1, .period_from = CC_DATE_NONE,
	                                     .period_to = CC_DATE_NONE };

TEST(import_daily_and_annual_then_convert_from_the_store)
{
	struct cc_store *st = open_store("rates.db");
	struct cc_import_opts o = plain;
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_rates r = { 0 };
	struct cc_fx fx;
	struct cc_amount a;
	char path[512], apath[512], cur[4];
	size_t n_daily;
	int tol;

	if (!check(st != NULL))
		return;
	data("tests/data/rates/ecb_daily_2021_07.csv", path);
	data("tests/data/rates/ecb_annual_2020_2021.csv", apath);
	n_daily = count_daily(path);
	check_int(n_daily, ==, 320);
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_read, ==, 10);
	check_int(rep.n_added, ==, n_daily);
	check_int(rep.n_rejected, ==, 0);
	/* the same file again: nothing to do; under another source name: all unchanged */
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, 0);
	check(rep.same_file);
	o.source = "again";
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_unchanged, ==, n_daily);
	check_int(rep.n_added + rep.n_updated, ==, 0);
	/* annual: 20 rows, the two EUR rows (1 by definition) not stored */
	o.source = NULL;
	check_int(cc_import_rates(st, apath, &o, &rep, &err), ==, 0);
	check_int(rep.n_read, ==, 20);
	check_int(rep.n_added, ==, 18);
	check_int(cc_store_load_rates(st, NULL, &r, &err), ==, 0);
	check_int(r.n, ==, n_daily + 18);
	/* 1000 GBP on Sunday 4 July → Friday's 1374.7195 USD, from the store's rates */
	a = amt(1000, "GBP", "2021-07-04");
	check_int(cc_money_convert(&r, &a, "USD", 5, &fx), ==, CC_FX_OK);
	check_dbl(fx.value, 1374.7194865, 1e-6);
	cc_rates_release(&r);
	/* only some currencies */
	check_int(cc_store_load_rates(st, (const char *const[]){ "usd", "GBP", NULL }, &r, &err),
	          ==, 0);
	check_int(r.n, ==, 10 + 10 + 2 + 2);
	cc_rates_release(&r);
	/* the reporting currency: none, then set, then a bad one refused */
	check_int(cc_store_get_money(st, 1, cur, &tol, &err), ==, CC_ENOTFOUND);
	check_int(cc_store_set_money(st, 1, "usd", 3, &err), ==, 0);
	check_int(cc_store_get_money(st, 1, cur, &tol, &err), ==, 0);
	check_str(cur, "USD");
	check_int(tol, ==, 3);
	check_int(cc_store_set_money(st, 1, "dollars", 3, &err), ==, CC_EINVALID);
	check_int(cc_store_set_money(st, 1, "USD", 40, &err), ==, CC_EINVALID);
	cc_store_close(st);
}

static void save_reject(void *ctx, const struct cc_err *why)
{
	char *buf = ctx;
	size_t len = strlen(buf);

	cc_err_format(why, buf + len, 2048 - len);
	len = strlen(buf);
	if (len + 1 < 2048) {
		buf[len] = '\n';
		buf[len + 1] = '\0';
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(bad_rows_and_bad_headers)
{
	struct cc_store *st = open_store("bad.db");
	struct cc_import_opts o = plain;
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_rates r = { 0 };
	char path[160], rejects[2048] = "";

	if (!check(st != NULL))
		return;
	o.on_reject = save_reject;
	o.reject_ctx = rejects;
	write_file(tmp_path("bad.csv", path), "Date,USD,GBP,\n"
	                                      "2021-07-01,1.1884,0.86033,\n"
	                                      "2021-07-32,1.1,0.8,\n"
	                                      "2021-07-05,-1.1866,0.85665,\n"
	                                      "2021-07-06,1.1838,0.8545,,9\n"
	                                      "2021-07-01,1.1884,0.86033,\n"
	                                      "2021-07-07,N/A,,\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_read, ==, 6);
	check_int(rep.n_rejected, ==, 4);
	check_int(rep.n_added, ==, 2);
	check(strstr(rejects, "bad.csv:3: Date: '2021-07-32' is not a date") != NULL);
	check(strstr(rejects, "bad.csv:4: USD: rate '-1.1866' is not a positive number") != NULL);
	check(strstr(rejects, "bad.csv:5: 5 fields; the header has 3") != NULL);
	check(strstr(rejects, "bad.csv:6: Date: duplicate of line 2") != NULL);
	check_int(cc_store_load_rates(st, NULL, &r, &err), ==, 0);
	check_int(r.n, ==, 2); /* only line 2's */
	cc_rates_release(&r);
	/* strict: nothing stored */
	o.flags = CC_IMPORT_STRICT;
	o.source = "strict";
	write_file(tmp_path("bad2.csv", path), "Date,CHF\n2021-07-01,1.0\n2021-07-02,x\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, CC_EREJECTED);
	check_int(cc_store_load_rates(st, (const char *const[]){ "CHF", NULL }, &r, &err), ==, 0);
	check_int(r.n, ==, 0);
	cc_rates_release(&r);
	/* file errors: a column that is no currency, one named twice, an unknown layout */
	o.flags = 0;
	write_file(tmp_path("h1.csv", path), "Date,USD,Dollar\n2021-07-01,1,1\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, CC_EPARSE);
	check_str(err.field, "column 3");
	write_file(tmp_path("h2.csv", path), "Date,USD,usd\n2021-07-01,1,1\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, CC_EPARSE);
	check(strstr(err.msg, "USD has two columns") != NULL);
	write_file(tmp_path("h3.csv", path), "when,what\n2021,1\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, CC_EPARSE);
	check(strstr(err.msg, "not an exchange-rate file") != NULL);
	check_int(err.line, ==, 1);
	/* annual: the euro at another rate than 1, a bad year */
	rejects[0] = '\0';
	write_file(tmp_path("a.csv", path), "year,currency,units_per_eur\n2021,EUR,1.1\n"
	                                    "20x1,USD,1.18\n2021,USD,1.18274\n");
	check_int(cc_import_rates(st, path, &o, &rep, &err), ==, 0);
	check_int(rep.n_rejected, ==, 2);
	check_int(rep.n_added, ==, 1);
	check(strstr(rejects, "a.csv:2: units_per_eur: the euro's rate is 1") != NULL);
	check(strstr(rejects, "a.csv:3: year: '20x1' is not a year") != NULL);
	cc_store_close(st);
}

