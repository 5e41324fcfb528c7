/*
 * HXL hashtag rows: detection, parsing (spaces, case, attributes), malformed hashtags and
 * column selection with +/- attribute patterns, on synthetic rows, tests/data/hxl and the real
 * OCHA 3W file of Afghanistan (hashtag row on line 2, spaced attributes, last column untagged).
 */
#include "tap.h"

#include <concord/alloc.h>

#include "core/limits.h"
#include "io/csv.h"
#include "io/hxl.h"

static const char *data_path(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("CC_TEST_DATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", rel);
	return buf;
}

/*
 * Reads up to CC_LIMIT_HXL_SCAN records of path looking for the hashtag row, as an importer
 * does. Returns cc_hxl_parse()'s last result (1 found, 0 not, < 0 error); *line_out is the line.
 */
static int scan(const char *path, struct cc_hxl *h, long *line_out, struct cc_err *err)
{
	struct cc_csv *csv;
	struct cc_csv_row row;
	int ret;

	*line_out = 0;
	ret = cc_csv_open(&csv, path, NULL, err);
	if (ret < 0)
		return ret;
	for (int i = 0; i < CC_LIMIT_HXL_SCAN; i++) {
		ret = cc_csv_next(csv, &row, err);
		if (ret != 0) {
			ret = ret > 0 ? 0 : ret;
			break;
		}
		*line_out = row.line;
		ret = cc_hxl_parse(row.fields, row.n_fields, h, err);
		if (ret != 0) {
			cc_err_at(err, path, row.line, NULL);
			break;
		}
	}
	cc_csv_close(csv);
	return ret;
}

/* "tag+a+b" of a column, to compare in one check */
static const char *col_str(const struct cc_hxl_col *col)
{
	static char buf[512];
	size_t n;

	if (!col)
		return "(none)";
	n = (size_t)snprintf(buf, sizeof(buf), "%d:%s", col->index, col->tag);
	for (size_t i = 0; i < col->n_attrs; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "+%s", col->attrs[i]);
	return buf;
}

static int find_index(const struct cc_hxl *h, const char *pattern)
{
	const struct cc_hxl_col *col = cc_hxl_find(h, pattern);

	return col ? col->index : -1;
}

TEST(afghanistan_hashtag_row)
{
	char path[4096];
	const char *root = getenv("CC_SOURCE_ROOT");
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	long line;
	int ret;

	snprintf(path, sizeof(path),
	         "%s/data/cases/afghanistan/"
	         "afg_3w_operational_presence_2021q3.csv",
	         root ? root : ".");
	ret = scan(path, &h, &line, &err);
	if (!check_int(ret, ==, 1)) {
		printf("# %s\n", err.msg);
		return;
	}
	check_int(line, ==, 2);
	check_int(h.n_cols, ==, 10); /* the 11th column, "Question", has no hashtag */
	check_str(col_str(&h.cols[0]), "0:loc+name");
	check_str(col_str(&h.cols[2]), "2:adm1+code");
	check_str(col_str(&h.cols[5]), "5:org+acronym");
	check_str(h.cols[5].tag, "org");
	check_int(h.cols[5].n_attrs, ==, 1);
	check_str(h.cols[5].attrs[0], "acronym");
	check_str(h.cols[5].text, "#org +acronym");
	check_str(col_str(&h.cols[7]), "7:org+type+name");
	check_str(col_str(&h.cols[8]), "8:sector+cluster+code");
	check_str(col_str(&h.cols[9]), "9:sector+cluster+name");
	for (size_t i = 0; i < h.n_cols; i++)
		check_int(h.cols[i].index, !=, 10);

	check_int(find_index(&h, "#org+acronym"), ==, 5);
	check_int(find_index(&h, "#org"), ==, 5);      /* first in file order */
	check_int(find_index(&h, "#org+name"), ==, 6); /* 7 has +name too, later */
	check_int(find_index(&h, "#org+name-type"), ==, 6);
	check_int(find_index(&h, "#org+type"), ==, 7);
	check_int(find_index(&h, "#org-acronym"), ==, 6);
	check_int(find_index(&h, "#org-acronym-name"), ==, -1); /* every #org has one */
	check_int(find_index(&h, "#org +name +type"), ==, 7);   /* spaces in patterns too */
	check_int(find_index(&h, "#ORG+Acronym"), ==, 5);
	check_int(find_index(&h, "#adm1+code"), ==, 2);
	check_int(find_index(&h, "#adm2+code"), ==, 4);
	check_int(find_index(&h, "#adm2-code"), ==, 3);
	check_int(find_index(&h, "#sector+cluster+code"), ==, 8);
	check_int(find_index(&h, "#sector-code"), ==, 9);
	check_int(find_index(&h, "#sector+code+cluster"), ==, 8); /* order does not matter */
	check_int(find_index(&h, "#org+impl"), ==, -1);
	check_int(find_index(&h, "#adm3"), ==, -1);
	check(cc_hxl_has_attr(&h.cols[7], "type"));
	check(cc_hxl_has_attr(&h.cols[7], "name"));
	check(!cc_hxl_has_attr(&h.cols[7], "code"));
	cc_hxl_release(&h);
	check(h.cols == NULL);
	check_int(h.n_cols, ==, 0);
	cc_hxl_release(&h); /* twice is harmless */
	cc_hxl_release(NULL);
}

TEST(spaced_uppercase_and_empty_columns)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	long line;

	if (!check_int(scan(data_path("hxl/spaced.csv"), &h, &line, &err), ==, 1))
		return;
	check_int(line, ==, 2);
	check_int(h.n_cols, ==, 5);
	check_str(col_str(&h.cols[0]), "0:org+name");
	check_str(h.cols[0].text, "#ORG +Name");
	check_str(col_str(&h.cols[1]), "1:org+impl+name");
	check_str(h.cols[1].text, "#org+impl +name");
	check_str(col_str(&h.cols[3]), "3:adm1+code");
	check_str(col_str(&h.cols[4]), "5:reached+ind"); /* column 4 is empty */
	check_int(find_index(&h, "#org-impl"), ==, 0);
	check_int(find_index(&h, "#org+impl"), ==, 1);
	check_int(find_index(&h, "org+name"), ==, 0); /* '#' optional in patterns */
	check_int(find_index(&h, "#Sector +CLUSTER"), ==, 2);
	check_int(find_index(&h, "#reached"), ==, 5);
	check_int(find_index(&h, "#reached-ind"), ==, -1);
	cc_hxl_release(&h);
}

TEST(malformed_hashtag_names_column)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	long line;

	check_int(scan(data_path("hxl/malformed.csv"), &h, &line, &err), ==, CC_EPARSE);
	check_int(err.line, ==, 2);
	check_str(err.field, "column 2");
	check_str(err.msg, "malformed hashtag '#sector+' in column 2: a name is missing");
	check(h.cols == NULL);
}

TEST(human_header_with_hash_is_not_hashtag_row)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	long line;

	if (!check_int(scan(data_path("hxl/human-hash.csv"), &h, &line, &err), ==, 1))
		return;
	check_int(line, ==, 3);
	check_str(col_str(&h.cols[1]), "1:reached");
	cc_hxl_release(&h);
}

static int parse_row(char *const *cells, size_t n, struct cc_hxl *h, struct cc_err *err)
{
	return cc_hxl_parse(cells, n, h, err);
}

#define ROW(...) \
	((char *const[]){ __VA_ARGS__ }), sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *)

static void check_malformed(const char *cell, const char *want_msg)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	char *cells[] = { "#org", (char *)cell };

	check_int(parse_row(cells, 2, &h, &err), ==, CC_EPARSE);
	check_str(err.msg, want_msg);
	check_str(err.field, "column 2");
	check(h.cols == NULL);
}

TEST(malformed_cells)
{
	check_malformed("#org+", "malformed hashtag '#org+' in column 2: a name is missing");
	check_malformed("#", "malformed hashtag '#' in column 2: a name is missing");
	check_malformed("#1abc", "malformed hashtag '#1abc' in column 2: a name must begin with a "
	                         "letter");
	check_malformed("#org +impl x",
	                "malformed hashtag '#org +impl x' in column 2: expected '+' "
	                "before an attribute");
	check_malformed("#org-impl",
	                "malformed hashtag '#org-impl' in column 2: expected '+' before "
	                "an attribute");
	check_malformed("#org+ impl",
	                "malformed hashtag '#org+ impl' in column 2: a name must begin "
	                "with a letter");
	check_malformed("#org+a+b+c+d+e+f+g+h+i", "malformed hashtag '#org+a+b+c+d+e+f+g+h+i' in "
	                                          "column 2: more than 8 attributes");
	check_malformed("#abcdefghijabcdefghijabcdefghijab",
	                "malformed hashtag '#abcdefghijabcdefghijabcdefghijab' in column 2: a name "
	                "is longer than 31 characters");
	check_malformed("# of people", "malformed hashtag '# of people' in column 2: a name must "
	                               "begin with a letter");
}

TEST(not_hashtag_rows_leave_out_untouched)
{
	struct cc_hxl_col sentinel;
	struct cc_hxl h = { .cols = &sentinel, .n_cols = 77 };
	struct cc_err err = { 0 };

	check_int(parse_row(ROW("UNICEF", "#org"), &h, &err), ==, 0);
	check_int(parse_row(ROW("", "  ", "\t"), &h, &err), ==, 0);
	check_int(parse_row(NULL, 0, &h, &err), ==, 0);
	check_int(parse_row(ROW("Organisation", "#org+"), &h, &err), ==, 0); /* text wins */
	check(h.cols == &sentinel);
	check_int(h.n_cols, ==, 77);
}

TEST(limits_and_duplicates)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };

	/* 31 characters and 8 attributes fit; a repeated attribute counts once */
	if (!check_int(parse_row(ROW("#abcdefghijabcdefghijabcdefghija+a+b+c+d+e+f+g+h",
	                             "#org+impl+IMPL+funder", "", "#x_1+y_2"),
	                         &h, &err),
	               ==, 1))
		return;
	check_int(h.n_cols, ==, 3);
	check_str(col_str(&h.cols[0]), "0:abcdefghijabcdefghijabcdefghija+a+b+c+d+e+f+g+h");
	check_str(col_str(&h.cols[1]), "1:org+impl+funder");
	check_str(col_str(&h.cols[2]), "3:x_1+y_2");
	check_int(find_index(&h, "#org-impl-funder"), ==, -1);
	check_int(find_index(&h, "#org+funder-x"), ==, 1);
	/* patterns that are not hashtags find nothing */
	check(cc_hxl_find(&h, "") == NULL);
	check(cc_hxl_find(&h, "#") == NULL);
	check(cc_hxl_find(&h, "#org+") == NULL);
	check(cc_hxl_find(&h, "#org impl") == NULL);
	check(cc_hxl_find(NULL, "#org") == NULL);
	cc_hxl_release(&h);
}

TEST(org_pattern_like_3w)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };

	/* DOMAIN.md §3.1 example row */
	if (!check_int(parse_row(ROW("#org", "#org+impl", "#sector+cluster", "#adm1+code",
	                             "#adm2+name", "#activity", "#reached", "#targeted",
	                             "#date+start", "#org+funder"),
	                         &h, &err),
	               ==, 1))
		return;
	check_int(find_index(&h, "#org-impl-funder"), ==, 0);
	check_int(find_index(&h, "#org+impl"), ==, 1);
	check_int(find_index(&h, "#org+funder"), ==, 9);
	check_int(find_index(&h, "#date+start"), ==, 8);
	check_int(find_index(&h, "#date+end"), ==, -1);
	cc_hxl_release(&h);
}

TEST(allocation_failure)
{
	struct cc_hxl h = { 0 };
	struct cc_err err = { 0 };
	int ret;

	cc_test_fail_alloc_after(0);
	ret = parse_row(ROW("#org", "#adm1+code"), &h, &err);
	cc_test_fail_alloc_after(-1);
	check_int(ret, ==, CC_ENOMEM);
	check(h.cols == NULL);
	check_int(parse_row(ROW("#org", "#adm1+code"), &h, &err), ==, 1);
	cc_hxl_release(&h);
}
