/* Unit tests of src/core: errors, buffers, text normalisation, dates, the map, allocation. */
#include <math.h>
#include <stdint.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/error.h>
#include <concord/model.h>
#include <concord/text.h>

#include "tap.h"

TEST(error_format_names_file_line_field)
{
	struct cc_err err = { 0 };
	char buf[512];

	check_int(cc_err_set(&err, CC_EINVALID, "unknown P-code '%s'", "LY0199"), ==, CC_EINVALID);
	cc_err_at(&err, "3w.csv", 12, "#adm2+code");
	check_str(cc_err_format(&err, buf, sizeof(buf)), "3w.csv:12: #adm2+code: unknown P-code 'LY0199'");
	check_str(cc_code_name(CC_ENOMEM), "ENOMEM");
	check_str(cc_code_text(CC_EPARSE), "malformed input");
	check_str(cc_code_name(-999), "unknown");
	check_int(cc_err_set(NULL, CC_EIO, "x"), ==, CC_EIO); /* NULL err is allowed */
	cc_err_clear(&err);
	cc_err_set(&err, CC_EIO, "cannot read");
	check_str(cc_err_format(&err, buf, sizeof(buf)), "cannot read");
}

TEST(buf_grows_escapes_and_caps)
{
	struct cc_buf b = CC_BUF_INIT(32);

	check_str(b.buf, "");
	check_int(cc_buf_adds(&b, "a<b>&\"c'"), ==, 0);
	check_int(b.len, ==, 8);
	cc_buf_clear(&b);
	check_int(cc_buf_add_html(&b, "a<b>&\"c'"), ==, 0);
	check_str(b.buf, "a&lt;b&gt;&amp;&quot;c&#39;");
	cc_buf_clear(&b);
	check_int(cc_buf_add_html(&b, "x\x01y\xffz"), ==, 0); /* XML cannot carry these */
	check_str(b.buf, "x\xef\xbf\xbdy\xef\xbf\xbdz");
	cc_buf_clear(&b);
	check_int(cc_buf_add_html(&b, "a<b>&\"c'"), ==, 0);
	check_int(cc_buf_adds(&b, "0123456789"), ==, CC_ETOOBIG); /* 27 + 10 > 32 */
	check_str(b.buf, "");                                     /* released, still a string */
	check_int(b.len, ==, 0);
	cc_buf_release(&b);

	struct cc_buf j = CC_BUF_INIT(0);
	check_int(cc_buf_add_json_str(&j, "a\"b\\c\nd\x01"), ==, 0);
	check_str(j.buf, "\"a\\\"b\\\\c\\nd\\u0001\"");
	cc_buf_clear(&j);
	check_int(cc_buf_add_csv(&j, "plain"), ==, 0);
	check_int(cc_buf_addch(&j, ','), ==, 0);
	check_int(cc_buf_add_csv(&j, "FS.SO3.1.1: food, cash \"now\""), ==, 0);
	check_str(j.buf, "plain,\"FS.SO3.1.1: food, cash \"\"now\"\"\"");
	size_t len;
	char *s = cc_buf_detach(&j, &len);
	check_int(len, ==, strlen(s));
	cc_free(s);
	cc_buf_release(&j);
}

TEST(buf_addf_formats_once_into_room_and_keeps_the_cap)
{
	struct cc_buf b = CC_BUF_INIT(40);

	check_int(cc_buf_addf(&b, "%s-%d", "abc", 12), ==, 0); /* no room yet: allocated */
	check_int(cc_buf_addf(&b, "|%05.1f|", 2.25), ==, 0);   /* fits in the room */
	check_str(b.buf, "abc-12|002.2|");
	check_int(b.len, ==, strlen(b.buf));
	check_int(cc_buf_addf(&b, "%s", "0123456789012345678901234"), ==, 0); /* 38 of 40 */
	check_int(b.len, ==, 38);
	check_int(cc_buf_addf(&b, "%d", 123), ==, CC_ETOOBIG); /* fits the memory, not the cap */
	check_str(b.buf, "");
	check_int(b.len, ==, 0);
	check_int(cc_buf_addf(&b, "%d", 7), ==, 0);
	for (int i = 0; i < 3; i++) /* grows past the first allocation */
		check_int(cc_buf_addf(&b, "%s", "0123456789"), ==, 0);
	check_int(b.len, ==, 31);
	check_int((int)b.buf[31], ==, 0);
	cc_buf_release(&b);
}

/* xorshift64*: a fixed stream of test values */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

TEST(fmt_fixed_writes_what_printf_writes)
{
	static const struct {
		double v;
		int d;
		const char *want;
	} cases[] = {
		{0.5, 0, "0"},         {1.5, 0, "2"},        {2.5, 0, "2"},       {0.125, 2, "0.12"},
		{0.375, 2, "0.38"},    {-0.0, 4, "-0.0000"}, {-1e-5, 4, "-0.0000"}, {69.1628321, 6, "69.162832"},
		{-179.99999995, 6, "-180.000000"}, {1e15, 2, "1000000000000000.00"}, {13148, 0, "13148"},
		{123456.789, 9, "123456.789000000"}, {0.1, 1, "0.1"}, {2.675, 2, "2.67"},
	};
	char got[64], want[64], small[5];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = cc_fmt_fixed(got, sizeof(got), cases[i].v, cases[i].d);
		check_str(got, cases[i].want);
		check_int(n, ==, (int)strlen(cases[i].want));
	}
	check_int(cc_fmt_fixed(small, sizeof(small), 69.1628321, 4), ==, 7); /* cut as snprintf cuts */
	check_str(small, "69.1");
	cc_fmt_fixed(got, sizeof(got), (double)NAN, 2);
	snprintf(want, sizeof(want), "%.2f", (double)NAN);
	check_str(got, want);
	cc_fmt_fixed(got, sizeof(got), -(double)INFINITY, 2);
	check_str(got, "-inf");

	/* a million values of every size, decimals 0..9, and exact halves, against snprintf */
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	size_t differ = 0;
	for (int i = 0; i < 1000000; i++) {
		uint64_t r = rng_next(&x);
		int d = (int)(r % 10);
		double v;
		switch ((r >> 4) % 4) {
		case 0: /* coordinates */
			v = ((double)(r >> 11) / 0x1p53) * 360 - 180;
			break;
		case 1: /* figures of any magnitude */
			v = ldexp((double)(r >> 11) / 0x1p53, (int)((r >> 8) % 64) - 20);
			break;
		case 2: /* halves and near-halves at the digit printed */
			v = (floor((double)(r >> 20) / 0x1p20 * 1e6) + 0.5) / pow(10, d);
			break;
		default: /* whole numbers, negative too */
			v = (double)(int64_t)(r >> 30) - 0x1p33;
			break;
		}
		if (r & 1)
			v = -v;
		cc_fmt_fixed(got, sizeof(got), v, d);
		snprintf(want, sizeof(want), "%.*f", d, v);
		if (strcmp(got, want) != 0 && differ++ < 5)
			printf("# %.17g at %d: got %s, printf %s\n", v, d, got, want);
	}
	check_int(differ, ==, 0);

	struct cc_buf b = CC_BUF_INIT(0);
	check_int(cc_buf_add_fixed(&b, 34.53552249, 6), ==, 0);
	check_int(cc_buf_addch(&b, ','), ==, 0);
	check_int(cc_buf_add_fixed(&b, 1e300, 1), ==, 0); /* past the fast path */
	char big[400];
	snprintf(big, sizeof(big), "34.535522,%.1f", 1e300);
	check_str(b.buf, big);
	check_int(b.len, ==, strlen(big));
	cc_buf_release(&b);
}

TEST(text_norm_folds_case_accents_and_punctuation)
{
	struct cc_buf b = CC_BUF_INIT(0);

	check_int(cc_text_norm("  Kosovska  Mitrovica ", &b), ==, 0);
	check_str(b.buf, "kosovska mitrovica");
	check_int(cc_text_norm("kosovska-mitrovica", &b), ==, 0);
	check_str(b.buf, "kosovska mitrovica");
	check_int(cc_text_norm("Uro\xc5\xa1" "evac", &b), ==, 0); /* Uroševac */
	check_str(b.buf, "urosevac");
	check_int(cc_text_norm("\xc4\x90" "akovica", &b), ==, 0); /* Đakovica: Đ has no decomposition */
	check_str(b.buf, "\xc4\x91" "akovica");
	check_int(cc_text_norm("TAKAHr", &b), ==, 0);
	check_str(b.buf, "takahr");
	check_int(cc_text_norm("Tajura' wa an Nawahi al Arba", &b), ==, 0);
	check_str(b.buf, "tajura wa an nawahi al arba");
	check_int(cc_text_norm("Sar-e-Pul", &b), ==, 0);
	check_str(b.buf, "sar e pul");
	check_int(cc_text_norm("bad \xff utf8", &b), ==, CC_EPARSE);
	cc_buf_release(&b);
}

/* the same words in Dari/Persian and in Arabic letter forms normalise alike */
TEST(text_norm_folds_arabic_letter_forms)
{
	static const char *const cases[][3] = {
		/* Arabic yeh and Persian yeh; alef madda loses its madda (drinking water
		 * distribution): توزيع آب آشاميدني | توزیع آب آشامیدنی */
		{ "\xd8\xaa\xd9\x88\xd8\xb2\xd9\x8a\xd8\xb9 \xd8\xa2\xd8\xa8 "
		  "\xd8\xa2\xd8\xb4\xd8\xa7\xd9\x85\xd9\x8a\xd8\xaf\xd9\x86\xd9\x8a",
		  "\xd8\xaa\xd9\x88\xd8\xb2\xdb\x8c\xd8\xb9 \xd8\xa2\xd8\xa8 "
		  "\xd8\xa2\xd8\xb4\xd8\xa7\xd9\x85\xdb\x8c\xd8\xaf\xd9\x86\xdb\x8c",
		  "\xd8\xaa\xd9\x88\xd8\xb2\xdb\x8c\xd8\xb9 \xd8\xa7\xd8\xa8 "
		  "\xd8\xa7\xd8\xb4\xd8\xa7\xd9\x85\xdb\x8c\xd8\xaf\xd9\x86\xdb\x8c" },
		/* Arabic kaf and keheh (Kabul): كابل | کابل */
		{ "\xd9\x83\xd8\xa7\xd8\xa8\xd9\x84", "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84",
		  "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84" },
		/* teh marbuta and heh (school): مدرسة | مدرسه */
		{ "\xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd8\xa9",
		  "\xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87",
		  "\xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87" },
		/* alef maksura: مصطفى | مصطفی */
		{ "\xd9\x85\xd8\xb5\xd8\xb7\xd9\x81\xd9\x89",
		  "\xd9\x85\xd8\xb5\xd8\xb7\xd9\x81\xdb\x8c",
		  "\xd9\x85\xd8\xb5\xd8\xb7\xd9\x81\xdb\x8c" },
		/* tatweel vanishes without splitting the word: كـــابل | کابل */
		{ "\xd9\x83\xd9\x80\xd9\x80\xd9\x80\xd8\xa7\xd8\xa8\xd9\x84",
		  "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84", "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84" },
		/* harakat are stripped: مَدْرَسَةٌ | مدرسه */
		{ "\xd9\x85\xd9\x8e\xd8\xaf\xd9\x92\xd8\xb1\xd9\x8e\xd8\xb3\xd9\x8e"
		  "\xd8\xa9\xd9\x8c",
		  "\xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87",
		  "\xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87" },
		/* heh with yeh above, precomposed or as heh + hamza: خانۀ ما | خانهٔ ما */
		{ "\xd8\xae\xd8\xa7\xd9\x86\xdb\x80 \xd9\x85\xd8\xa7",
		  "\xd8\xae\xd8\xa7\xd9\x86\xd9\x87\xd9\x94 \xd9\x85\xd8\xa7",
		  "\xd8\xae\xd8\xa7\xd9\x86\xd9\x87 \xd9\x85\xd8\xa7" },
		/* Arabic-Indic and Persian digits: سال ١٤٠٠ | سال ۱۴۰۰ */
		{ "\xd8\xb3\xd8\xa7\xd9\x84 \xd9\xa1\xd9\xa4\xd9\xa0\xd9\xa0",
		  "\xd8\xb3\xd8\xa7\xd9\x84 \xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb0",
		  "\xd8\xb3\xd8\xa7\xd9\x84 1400" },
		/* presentation forms: ﻛﺎﺑﻞ | کابل */
		{ "\xef\xbb\x9b\xef\xba\x8e\xef\xba\x91\xef\xbb\x9e",
		  "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84", "\xda\xa9\xd8\xa7\xd8\xa8\xd9\x84" },
	};
	struct cc_buf b = CC_BUF_INIT(0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_int(cc_text_norm(cases[i][0], &b), ==, 0);
		if (!check_str(b.buf, cases[i][2]))
			printf("# case %zu, first form\n", i);
		check_int(cc_text_norm(cases[i][1], &b), ==, 0);
		if (!check_str(b.buf, cases[i][2]))
			printf("# case %zu, second form\n", i);
	}
	/* Pashto's own yeh forms (U+06D0, U+06CD) are letters of their own, not folded */
	check_int(cc_text_norm("\xdb\x90 \xdb\x8d", &b), ==, 0);
	check_str(b.buf, "\xdb\x90 \xdb\x8d");
	cc_buf_release(&b);
}

TEST(utf8_validation_reports_offset)
{
	size_t off = 99;

	check(cc_text_valid_utf8("Pe\xc4\x87", 4, &off));
	check(!cc_text_valid_utf8("Caf\xe9 noir", 9, &off));
	check_int(off, ==, 3);
}

TEST(numbers_parse_strictly)
{
	struct cc_err err = { 0 };
	int64_t v;
	double d;

	check_int(cc_parse_i64("42", 0, 100, &v, &err), ==, 0);
	check_int(v, ==, 42);
	check_int(cc_parse_i64("42x", 0, 100, &v, &err), ==, CC_EPARSE);
	check_int(cc_parse_i64("101", 0, 100, &v, &err), ==, CC_EINVALID);
	check_int(cc_parse_double("4500.5", &d, &err), ==, 0);
	check_dbl(d, 4500.5, 1e-12);
	check_int(cc_parse_double("N/A", &d, &err), ==, CC_EPARSE);
	check_str(err.msg, "'N/A' is not a number");
	check_int(cc_parse_double("", &d, &err), ==, CC_EPARSE);
}

TEST(dates_round_trip_and_validate)
{
	struct cc_err err = { 0 };
	int32_t d, from, to;
	char buf[11];

	check_int(cc_date_parse("1970-01-01", &d, &err), ==, 0);
	check_int(d, ==, 0);
	check_int(cc_date_parse("2000-03-01", &d, &err), ==, 0);
	check_int(d, ==, 11017); /* 30 years incl. 7 leap days + Jan + Feb 2000 (29 days) */
	check_str(cc_date_format(d, buf), "2000-03-01");
	check_int(cc_date_parse("2024-02-29", &d, &err), ==, 0);
	check_int(cc_date_parse("2023-02-29", &d, &err), ==, CC_EINVALID);
	check_int(cc_date_parse("2021-07", &d, &err), ==, 0);
	check_str(cc_date_format(d, buf), "2021-07-01");
	check_int(cc_date_parse("2021-07-15T00:00:00", &d, &err), ==, 0);
	check_str(cc_date_format(d, buf), "2021-07-15");
	check_int(cc_date_parse("15/07/2021", &d, &err), ==, CC_EPARSE);
	/* every day of four centuries survives the round trip */
	for (int32_t k = -200000; k < 200000; k += 7) {
		int y, m, dd;

		cc_date_to_ymd(k, &y, &m, &dd);
		if (cc_date_from_ymd(y, m, dd) != k) {
			check_int(cc_date_from_ymd(y, m, dd), ==, k);
			break;
		}
	}
	check_int(cc_period_parse("2021-07-01/2021-09-30", &from, &to, &err), ==, 0);
	check_int(to - from, ==, 91);
	check_int(cc_period_parse("2021-09-30/2021-07-01", &from, &to, &err), ==, CC_EINVALID);
	check_str(cc_date_format(CC_DATE_NONE, buf), "");
}

TEST(pillars_have_six_names)
{
	check_int(CC_N_PILLARS, ==, 6);
	check_str(cc_pillar_name(CC_PILLAR_SECURITY), "security");
	check_str(cc_pillar_name(CC_PILLAR_OTHER), "other");
	check_int(cc_pillar_parse("economy"), ==, CC_PILLAR_ECONOMY);
	check_int(cc_pillar_parse("Economy"), ==, -1);
	check(cc_pillar_name(6) == NULL);
}

TEST(map_stores_many_keys)
{
	struct cc_map m = CC_MAP_INIT;
	char key[32];
	int64_t v;
	int bad = 0;

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "AF%04d", i);
		check_int(cc_map_put(&m, key, i * 3), ==, 0);
	}
	check_int(cc_map_put(&m, "AF0007", -1), ==, 0); /* replace */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "AF%04d", i);
		if (cc_map_get(&m, key, &v) != 0 || v != (i == 7 ? -1 : i * 3))
			bad++;
	}
	check_int(bad, ==, 0);
	check_int(m.len, ==, 5000);
	check_int(cc_map_get(&m, "AF9999", &v), ==, CC_ENOTFOUND);
	cc_map_release(&m);
}

TEST(allocation_failure_is_reported_not_fatal)
{
	struct cc_map m = CC_MAP_INIT;
	struct cc_buf b = CC_BUF_INIT(0);
	long n;
	int ret = -1;

	for (n = 0; n < 100; n++) {
		cc_test_fail_alloc_after(n);
		ret = cc_map_put(&m, "a", 1);
		if (ret == 0)
			ret = cc_map_put(&m, "b", 2);
		if (ret == 0)
			ret = cc_text_norm("\xc3\x89" "cole", &b);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		check_int(ret, ==, CC_ENOMEM);
	}
	check_int(ret, ==, 0);
	check(n > 0); /* at least one injected failure happened */
	check_str(b.buf, "ecole");
	cc_map_release(&m);
	cc_buf_release(&b);
	check(cc_alloc_array(SIZE_MAX / 2, 4) == NULL); /* overflow */
}
