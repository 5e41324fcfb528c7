/*
 * Reports: the HTML review (self-contained, escaped, well-formed SVG) and the three text formats
 * of a coverage result, on a small case whose figures are worked out by hand below.
 */
#include <concord/report.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>

#include <concord/alloc.h>

#include "core/limits.h"
#include "report/svg.h"
#include "tap.h"

#define NA ((double)NAN) /* a figure not available (clang: NAN alone is a float) */

/*
 * XX Country (0)
 * ├── XX01 Hérat (1)       — "é" is two bytes, one column
 * └── XX02 東京 (1)        — two wide characters, four columns
 * Two columns. Records:
 *   activity 1, org 1, Hérat, security,   activity, 100 targeted, 80 reached
 *   activity 2, org 2, Hérat, governance, activity,  50 targeted, reached unknown
 *   activity 3, org 1, 東京,  security,   presence (no people)
 *   activity 4, org 3, XX,    governance, activity, 12.5 targeted — country level
 * At level 1:
 *   XX01 security 1/1 (100, 80), governance 1/1 (50, –), row 2/2
 *   XX02 security 1/1 (–, –), governance 0/0, row 1/1
 *   XX "Country (unspecified below adm1)", level 0: governance 1/1 (12.5, –), row 1/1
 *   totals: security 2 acts {1,3} / 1 org {1} (100, 80); governance 2 {2,4} / 2 {2,3}
 *   (62.5, –); all 4 / 3.
 */
static const struct cc_area small_areas[] = {
	{ .id = 3,
	  .pcode = "XX02",
	  .name = "\xe6\x9d\xb1\xe4\xba\xac",
	  .level = 1,
	  .parent_id = 1 },
	{ .id = 1, .pcode = "XX", .name = "Country", .level = 0 },
	{ .id = 2, .pcode = "XX01", .name = "H\xc3\xa9rat", .level = 1, .parent_id = 1 },
};

static const struct cc_coverage_column two_cols[] = {
	{ "security", "Security" },
	{ "governance", "Governance" },
};

static const struct cc_coverage_record small_recs[] = {
	{ 1, 1, 2, 0, 0, CC_KIND_ACTIVITY, 100, 80, CC_REL_PUBLIC },
	{ 2, 2, 2, 0, 1, CC_KIND_ACTIVITY, 50, NA, CC_REL_PUBLIC },
	{ 3, 1, 3, 0, 0, CC_KIND_PRESENCE, NA, NA, CC_REL_PUBLIC },
	{ 4, 3, 1, 0, 1, CC_KIND_ACTIVITY, 12.5, NA, CC_REL_PUBLIC },
};

static int small_coverage(struct cc_coverage *cov)
{
	return cc_coverage_compute(small_recs, 4, small_areas, 3, two_cols, 2, NULL, cov, NULL);
}

static int format(const struct cc_coverage *cov, enum cc_format fmt, struct cc_buf *out)
{
	cc_buf_init(out, CC_LIMIT_TEXT_OUT);
	return cc_coverage_format(cov, fmt, out, NULL);
}

TEST(csv)
{
	struct cc_coverage cov;
	struct cc_buf out;

	if (!check_int(small_coverage(&cov), ==, 0))
		return;
	check_int(format(&cov, CC_FORMAT_CSV, &out), ==, 0);
	check_str(out.buf,
	          "pcode,name,level,unspecified,column,activities,organisations,targeted,reached\n"
	          "XX01,H\xc3\xa9rat,1,false,security,1,1,100,80\n"
	          "XX01,H\xc3\xa9rat,1,false,governance,1,1,50,\n"
	          "XX02,\xe6\x9d\xb1\xe4\xba\xac,1,false,security,1,1,,\n"
	          "XX02,\xe6\x9d\xb1\xe4\xba\xac,1,false,governance,0,0,,\n"
	          "XX,Country (unspecified below adm1),0,true,security,0,0,,\n"
	          "XX,Country (unspecified below adm1),0,true,governance,1,1,12.5,\n");
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(csv_quoting)
{
	struct cc_area a = { .id = 1, .pcode = "Q1", .name = "Say \"hi\", then", .level = 1 };
	struct cc_coverage_record r = { 1, 1, 1, 0, 0, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC };
	struct cc_coverage cov;
	struct cc_buf out;

	check_int(cc_coverage_compute(&r, 1, &a, 1, two_cols, 1, NULL, &cov, NULL), ==, 0);
	check_int(format(&cov, CC_FORMAT_CSV, &out), ==, 0);
	check(strstr(out.buf, "\nQ1,\"Say \"\"hi\"\", then\",1,false,security,1,1,,\n") != NULL);
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(table)
{
	struct cc_coverage cov;
	struct cc_buf out;

	if (!check_int(small_coverage(&cov), ==, 0))
		return;
	check_int(format(&cov, CC_FORMAT_TABLE, &out), ==, 0);
	/*
	 * Widths: P-code 6, Area 32 ("Country (unspecified below adm1)"), security 8,
	 * governance 10, Total 5; two spaces between columns: 6+2+32+2+8+2+10+2+5 = 69.
	 * "Hérat" is 5 columns (pad 27), "東京" 4 (pad 28).
	 */
	check_str(out.buf,
	          "P-code  Area                              security  governance  Total\n"
	          "---------------------------------------------------------------------\n"
	          "XX01    H\xc3\xa9rat                                  1/1         1/1    2/2\n"
	          "XX02    \xe6\x9d\xb1\xe4\xba\xac                                   1/1          "
	          " -    1/1\n"
	          "XX      Country (unspecified below adm1)         -         1/1    1/1\n"
	          "---------------------------------------------------------------------\n"
	          "        Total                                  2/1         2/2    4/3\n");
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(table_control_characters)
{
	struct cc_area a = { .id = 1, .pcode = "Q1", .name = "Bad\x1b[31mName", .level = 1 };
	struct cc_coverage_record r = { 1, 1, 1, 0, 0, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC };
	struct cc_coverage cov;
	struct cc_buf out;

	check_int(cc_coverage_compute(&r, 1, &a, 1, two_cols, 1, NULL, &cov, NULL), ==, 0);
	check_int(format(&cov, CC_FORMAT_TABLE, &out), ==, 0);
	check(strchr(out.buf, '\x1b') == NULL); /* no terminal escape reaches the screen */
	check(strstr(out.buf, "Bad?[31mName") != NULL);
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

static json_t *jpath(json_t *j, const char *key, long index)
{
	j = key ? json_object_get(j, key) : j;
	return index >= 0 ? json_array_get(j, (size_t)index) : j;
}

static double jnum(json_t *j)
{
	return json_is_number(j) ? json_number_value(j) : -12345;
}

TEST(json)
{
	struct cc_coverage cov;
	struct cc_buf out;
	json_error_t jerr;
	json_t *root, *row, *cell, *tot;
	const char *p;

	if (!check_int(small_coverage(&cov), ==, 0))
		return;
	check_int(format(&cov, CC_FORMAT_JSON, &out), ==, 0);
	root = json_loads(out.buf, 0, &jerr);
	if (!check(root != NULL)) {
		printf("# %s at line %d\n", jerr.text, jerr.line);
		goto out;
	}
	check_int(json_integer_value(json_object_get(root, "level")), ==, 1);
	check_str(json_string_value(json_object_get(root, "by")), "pillar");
	check_int(json_integer_value(json_object_get(root, "n_records")), ==, 4);
	check_int(json_array_size(json_object_get(root, "columns")), ==, 2);
	check_str(json_string_value(json_object_get(jpath(root, "columns", 1), "code")),
	          "governance");
	check_str(json_string_value(json_object_get(jpath(root, "columns", 1), "name")),
	          "Governance");
	check_int(json_array_size(json_object_get(root, "rows")), ==, 3);

	row = jpath(root, "rows", 0);
	check_str(json_string_value(json_object_get(row, "pcode")), "XX01");
	check_str(json_string_value(json_object_get(row, "name")), "H\xc3\xa9rat");
	check_int(json_integer_value(json_object_get(row, "area_id")), ==, 2);
	check(json_is_false(json_object_get(row, "unspecified")));
	check_int(json_array_size(json_object_get(row, "cells")), ==, 2);
	cell = jpath(row, "cells", 0);
	check_str(json_string_value(json_object_get(cell, "column")), "security");
	check_int(json_integer_value(json_object_get(cell, "activities")), ==, 1);
	check_int(json_integer_value(json_object_get(cell, "organisations")), ==, 1);
	check_dbl(jnum(json_object_get(cell, "targeted")), 100, 0);
	check_dbl(jnum(json_object_get(cell, "reached")), 80, 0);
	cell = jpath(row, "cells", 1);
	check_dbl(jnum(json_object_get(cell, "targeted")), 50, 0);
	check(json_is_null(json_object_get(cell, "reached")));
	check_int(json_integer_value(json_object_get(json_object_get(row, "totals"), "activities")),
	          ==, 2);

	row = jpath(root, "rows", 1);
	check_str(json_string_value(json_object_get(row, "name")), "\xe6\x9d\xb1\xe4\xba\xac");
	cell = jpath(row, "cells", 0);
	check(json_is_null(json_object_get(cell, "targeted"))); /* presence: no people */
	check_int(json_integer_value(json_object_get(jpath(row, "cells", 1), "activities")), ==, 0);

	row = jpath(root, "rows", 2);
	check_str(json_string_value(json_object_get(row, "name")),
	          "Country (unspecified below adm1)");
	check(json_is_true(json_object_get(row, "unspecified")));
	check_int(json_integer_value(json_object_get(row, "level")), ==, 0);
	check_dbl(jnum(json_object_get(jpath(row, "cells", 1), "targeted")), 12.5, 0);

	tot = json_object_get(root, "totals");
	check_int(json_integer_value(json_object_get(tot, "activities")), ==, 4);
	check_int(json_integer_value(json_object_get(tot, "organisations")), ==, 3);
	cell = jpath(tot, "cells", 1);
	check_int(json_integer_value(json_object_get(cell, "activities")), ==, 2);
	check_int(json_integer_value(json_object_get(cell, "organisations")), ==, 2);
	check_dbl(jnum(json_object_get(cell, "targeted")), 62.5, 0);
	check(json_is_null(json_object_get(cell, "reached")));
	cell = jpath(tot, "cells", 0);
	check_int(json_integer_value(json_object_get(cell, "activities")), ==, 2);
	check_int(json_integer_value(json_object_get(cell, "organisations")), ==, 1);

	/* keys in a fixed order, integers without a fraction */
	p = out.buf;
	check(strstr(p, "\"level\"") < strstr(p, "\"by\"") &&
	      strstr(p, "\"by\"") < strstr(p, "\"columns\"") &&
	      strstr(p, "\"columns\"") < strstr(p, "\"rows\"") &&
	      strstr(p, "\"rows\"") < strstr(p, "\"totals\": {\"activities\": 4"));
	check(strstr(p, "\"targeted\": 100, \"reached\": 80}") != NULL);
	json_decref(root);
out:
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(json_empty_and_bad_format)
{
	struct cc_coverage cov;
	struct cc_buf out = CC_BUF_INIT(0);
	struct cc_err err = { 0 };
	json_t *root;

	check_int(cc_coverage_compute(NULL, 0, small_areas, 3, two_cols, 0, NULL, &cov, NULL), ==,
	          0);
	check_int(format(&cov, CC_FORMAT_JSON, &out), ==, 0);
	root = json_loads(out.buf, 0, NULL);
	check(root != NULL);
	check_int(json_array_size(json_object_get(root, "rows")), ==, 0);
	json_decref(root);
	cc_buf_release(&out);
	check_int(cc_coverage_format(&cov, (enum cc_format)42, &out, &err), ==, CC_EINVALID);
	check_int(out.len, ==, 0);
	cc_coverage_release(&cov);
}

TEST(numbers_and_scales)
{
	char b[40];
	struct cc__scale sc;

	check_str(cc__fmt_num(0.1, b, sizeof(b)), "0.1");
	check_str(cc__fmt_num(-0.0, b, sizeof(b)), "0");
	check_str(cc__fmt_num(1234567, b, sizeof(b)), "1234567");
	/* shortest form that reads back, as Python's repr() gives: */
	check_str(cc__fmt_num(1.0 / 3, b, sizeof(b)), "0.3333333333333333");
	check_str(cc__fmt_num(0.1 + 0.2, b, sizeof(b)), "0.30000000000000004");
	check_str(cc__fmt_num(2.5e20, b, sizeof(b)), "2.5e+20");
	check_dbl(cc__nice_step(0.3), 0.5, 1e-12);
	check_dbl(cc__nice_step(7), 10, 0);
	check_dbl(cc__nice_step(1), 1, 0);
	check_dbl(cc__nice_step(12), 20, 0);
	check_dbl(cc__nice_step(0.07), 0.1, 1e-12);
	check_dbl(cc__nice_step(250), 500, 0);
	check_dbl(cc__nice_step(2), 2, 0);
	cc__nice_scale(97, 5, true, &sc); /* 97 / 5 = 19.4 → 20, five steps to 100 */
	check_dbl(sc.step, 20, 0);
	check_dbl(sc.max, 100, 0);
	check_int(sc.n_steps, ==, 5);
	cc__nice_scale(3, 10, true, &sc); /* 0.3 → 0.5, but counts step by at least 1 */
	check_dbl(sc.step, 1, 0);
	check_dbl(sc.max, 3, 0);
	cc__nice_scale(0.9, 4, false, &sc); /* 0.225 → 0.5: 0, 0.5, 1 */
	check_dbl(sc.step, 0.5, 1e-12);
	check_dbl(sc.max, 1, 1e-12);
	cc__nice_scale(0, 5, true, &sc);
	check_dbl(sc.max, 1, 0);
	check_int(cc__text_width("H\xc3\xa9rat"), ==, 5);
	check_int(cc__text_width("\xe6\x9d\xb1\xe4\xba\xac"), ==, 4);
}

/* ---- the HTML review ---- */

#define NASTY     "Kabul <\"Old\" & 'New'>"
#define NASTY_ESC "Kabul &lt;&quot;Old&quot; &amp; &#39;New&#39;&gt;"

static const struct cc_area report_areas[] = {
	{ .id = 1, .pcode = "AF", .name = "Afghanistan", .level = 0 },
	{ .id = 10, .pcode = "AF01", .name = NASTY, .level = 1, .parent_id = 1 },
	{ .id = 20, .pcode = "AF02", .name = "Herat", .level = 1, .parent_id = 1 },
	{ .id = 30, .pcode = "AF03", .name = "Kandahar & Co", .level = 1, .parent_id = 1 },
};

static const struct cc_coverage_column six[] = {
	{ "security", "Security" },
	{ "governance", "Governance" },
	{ "infrastructure", "Infrastructure" },
	{ "economy", "Economy" },
	{ "humanitarian", "Humanitarian" },
	{ "other", "Other" },
};

static const struct cc_coverage_record report_recs[] = {
	{ 1, 1, 10, 0, 0, CC_KIND_ACTIVITY, 100, 50, CC_REL_PUBLIC },
	{ 2, 2, 10, 0, 4, CC_KIND_ACTIVITY, 300, NA, CC_REL_PUBLIC },
	{ 3, 2, 20, 0, 4, CC_KIND_PRESENCE, NA, NA, CC_REL_PUBLIC },
	{ 4, 3, 30, 0, 2, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC },
	{ 5, 3, 30, 0, 3, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC },
	{ 6, 1, 1, 0, 1, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC },
};

static const struct cc_report_source report_sources[] = {
	{ .name = "afg_3w <2021> & \"q3\".csv",
	  .imported_at = "2021-10-01T08:00:00Z",
	  .rows = 1234 },
	{ .name = "areas.csv", .imported_at = NULL, .rows = 0 },
};

static void report_input(struct cc_report_input *in, const struct cc_coverage *cov)
{
	*in = (struct cc_report_input){
		.mission = { .code = "AFG-2021",
		             .name = "Mission <Test> & \"Co\"",
		             .country = "AFG",
		             .start_date = CC_DATE_NONE,
		             .end_date = CC_DATE_NONE },
		.generated_on = "2021-10-05",
		.generator = "concord test",
		.coverage = cov,
		.sources = report_sources,
		.n_sources = 2,
	};
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Counts <rect> elements below node, and those whose first child is a <title> tooltip. */
static void count_rects(xmlNodePtr node, int *n_rects, int *n_titled)
{
	for (xmlNodePtr c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "rect") == 0) {
			(*n_rects)++;
			if (c->children && c->children->type == XML_ELEMENT_NODE &&
			    strcmp((const char *)c->children->name, "title") == 0)
				(*n_titled)++;
		}
		count_rects(c, n_rects, n_titled);
	}
}

/*
 * Parses every <svg>…</svg> of html with libxml2's XML parser (well-formed or nothing); the root
 * must be <svg> with a viewBox, an accessible name and <title>, <desc> first. Returns how many
 * parsed, -1 on the first failure.
 */
static int parse_svgs(const char *html, int *n_rects_out, int *n_titled_out)
{
	int n = 0;

	*n_rects_out = *n_titled_out = 0;
	for (const char *p = html; (p = strstr(p, "<svg")) != NULL;) {
		const char *end = strstr(p, "</svg>");
		xmlDocPtr doc;
		xmlNodePtr root, first;

		if (!end)
			return -1;
		end += strlen("</svg>");
		doc = xmlReadMemory(p, (int)(end - p), "chart.svg", "UTF-8",
		                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (!doc)
			return -1;
		root = xmlDocGetRootElement(doc);
		first = root ? xmlFirstElementChild(root) : NULL;
		if (!root || strcmp((const char *)root->name, "svg") != 0 ||
		    !xmlHasProp(root, (const xmlChar *)"viewBox") ||
		    !xmlHasProp(root, (const xmlChar *)"aria-labelledby") || !first ||
		    strcmp((const char *)first->name, "title") != 0 ||
		    !xmlNextElementSibling(first) ||
		    strcmp((const char *)xmlNextElementSibling(first)->name, "desc") != 0) {
			xmlFreeDoc(doc);
			return -1;
		}
		count_rects(root, n_rects_out, n_titled_out);
		xmlFreeDoc(doc);
		n++;
		p = end;
	}
	return n;
}

TEST(html_report)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	int n_rects, n_titles;
	const char *h;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	report_input(&in, &cov);
	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0))
		goto out;
	h = out.buf;
	check(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\">",
	              strlen("<!DOCTYPE html>\n<html lang=\"en\">")) == 0);
	check(out.len > 20 && strcmp(h + out.len - 8, "</html>\n") == 0);

	/* self-contained: nothing to fetch */
	check_int(count(h, "http://"), ==, 0);
	check_int(count(h, "https://"), ==, 0);
	check_int(count(h, "src="), ==, 0);
	check_int(count(h, "href="), ==, 0);
	check_int(count(h, "url("), ==, 0);
	check_int(count(h, "@import"), ==, 0);
	check_int(count(h, "<script"), ==, 0);
	check_int(count(h, "<link"), ==, 0);
	check_int(count(h, "<img"), ==, 0);
	check(strstr(h, "default-src 'none'") != NULL);

	/* title: mission code and name, date given */
	check(strstr(h, "<title>AFG-2021 \xe2\x80\x94 Mission &lt;Test&gt; &amp; &quot;Co&quot; "
	                "\xe2\x80\x94 coordination review 2021-10-05</title>") != NULL);
	check(strstr(h, "<time>2021-10-05</time>") != NULL);

	/* every area name escaped, never raw */
	check_int(count(h, NASTY), ==, 0);
	check_int(count(h, "<\"Old\""), ==, 0);
	check(count(h, "<th scope=\"row\">" NASTY_ESC "</th>") == 1);
	check(count(h, NASTY_ESC) >= 3); /* table, chart label, tooltip */
	check(strstr(h, "<th scope=\"row\">Herat</th>") != NULL);
	check(strstr(h, "Kandahar &amp; Co") != NULL);
	check_int(count(h, "Kandahar & Co"), ==, 0);
	check(strstr(h, "Afghanistan (unspecified below adm1)") != NULL);

	/* the table: Kabul row has security 1/1 and humanitarian 1/1, row 2/2 (by hand) */
	check(strstr(h, "<th scope=\"row\">" NASTY_ESC "</th><td class=\"n q4\">1 / 1</td>") !=
	      NULL);
	check(strstr(h, "<td class=\"n\">2 / 2</td></tr>") != NULL);
	/* totals: infrastructure 1/1, humanitarian 2 activities {2,3} by 1 org {2}; all 6 / 3 */
	check(strstr(h, "<td class=\"n\">2 / 1</td><td class=\"n\">0 / 0</td><td class=\"n\">"
	                "6 / 3</td></tr>\n</tfoot>") != NULL);

	/* provenance, escaped */
	check(strstr(h, "afg_3w &lt;2021&gt; &amp; &quot;q3&quot;.csv") != NULL);
	check(strstr(h, "<td class=\"n\">1,234</td>") != NULL);
	check(strstr(h, "<td>unknown</td>") != NULL);

	/* two charts, each well-formed XML with a title, a desc and tooltips on every bar */
	check_int(parse_svgs(h, &n_rects, &n_titles), ==, 2);
	check_int(count(h, "<svg"), ==, 2);
	check_int(count(h, "<desc id="), ==, 2);
	/*
	 * Bars with a tooltip: 6 activity segments (Kabul 2, Kandahar 2, Herat 1, Afghanistan 1)
	 * and 5 pillars with an organisation (not "other"); plus 6 legend swatches.
	 */
	check_int(n_titles, ==, 6 + 5);
	check_int(n_rects, ==, 6 + 5 + 6);
	check(strstr(h, "<title>" NASTY_ESC " (AF01) \xe2\x80\x94 Security: 1 activity</title>") !=
	      NULL);
	check(strstr(h, "<title>Humanitarian: 1 organisation</title>") != NULL);
out:
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(html_without_coverage_and_errors)
{
	struct cc_report_input in = { .generated_on = "2021-10-05" };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	struct cc_err err = { 0 };
	int n_rects, n_titles;

	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "No imported source") != NULL);
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 0);
	cc_buf_release(&out);

	in.generated_on = NULL;
	check_int(cc_report_html(&in, &out, &err), ==, CC_EINVALID);
	check_int(out.len, ==, 0);

	/* an out buffer too small for the document: CC_ETOOBIG, nothing half-written */
	in.generated_on = "2021-10-05";
	out = (struct cc_buf)CC_BUF_INIT(100);
	check_int(cc_report_html(&in, &out, &err), ==, CC_ETOOBIG);
	check_int(out.len, ==, 0);
	cc_buf_release(&out);
}

TEST(html_empty_coverage_and_control_chars)
{
	struct cc_area a[2] = {
		{ .id = 1, .pcode = "XX", .name = "Country", .level = 0 },
		{ .id = 2, .pcode = "XX01", .name = "Bad\x01name\xff", .level = 1, .parent_id = 1 },
	};
	struct cc_coverage_record r = { 1, 1, 2, 0, 0, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC };
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	int n_rects, n_titles;

	/* no records: empty charts still parse */
	check_int(cc_coverage_compute(NULL, 0, a, 2, six, 6, NULL, &cov, NULL), ==, 0);
	report_input(&in, &cov);
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 2);
	check(strstr(out.buf, "No data") != NULL);
	cc_buf_release(&out);
	cc_coverage_release(&cov);

	/* a control character and an invalid byte cannot break the XML */
	check_int(cc_coverage_compute(&r, 1, a, 2, six, 6, NULL, &cov, NULL), ==, 0);
	report_input(&in, &cov);
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 2);
	check(strchr(out.buf, '\x01') == NULL);
	check(strstr(out.buf, "Bad\xef\xbf\xbdname\xef\xbf\xbd") != NULL);
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(html_many_columns_and_long_labels)
{
	enum { N_COLS = 12, N_AREAS = 40 };
	static struct cc_coverage_column cols[N_COLS];
	static struct cc_area a[N_AREAS + 1];
	static struct cc_coverage_record r[N_AREAS * 3];
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	int n_rects, n_titles;

	for (int c = 0; c < N_COLS; c++)
		snprintf(cols[c].code, sizeof(cols[c].code), "%d", 15110 + c);
	a[0] = (struct cc_area){ .id = 1, .pcode = "YY", .name = "Country", .level = 0 };
	for (int i = 0; i < N_AREAS; i++) {
		a[1 + i] = (struct cc_area){ .id = 100 + i, .level = 1, .parent_id = 1 };
		snprintf(a[1 + i].pcode, sizeof(a[1 + i].pcode), "YY%02d", i);
		snprintf(a[1 + i].name, sizeof(a[1 + i].name),
		         "A very long area name that will not fit the label column %d", i);
		for (int k = 0; k < 3; k++)
			r[i * 3 + k] = (struct cc_coverage_record){
				i * 3 + k, k, 100 + i, 0, (i + k) % N_COLS, CC_KIND_ACTIVITY, NA, NA, CC_REL_PUBLIC
			};
	}
	check_int(
	        cc_coverage_compute(r, N_AREAS * 3, a, N_AREAS + 1, cols, N_COLS, NULL, &cov, NULL),
	        ==, 0);
	report_input(&in, &cov);
	in.top_areas = 10;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 2);
	check(strstr(out.buf, "other columns") != NULL); /* 12 columns > 8 colours */
	check(strstr(out.buf, "A very long area name that will\xe2\x80\xa6") != NULL);
	/*
	 * Columns all have 10 activities: series are columns 0–6 and "other" (7–11). Area i has
	 * columns i, i+1, i+2: segments 3 for i = 0…5, 2 for i = 6, 1 for i = 7, 8, 9 = 23; plus
	 * 12 organisation bars (3 organisations each).
	 */
	check_int(n_titles, ==, 23 + 12);
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

TEST(html_allocation_failures)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	int ret = -1;
	long n;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	report_input(&in, &cov);
	for (n = 0; n < 100000; n++) {
		struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(n);
		ret = cc_report_html(&in, &out, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check(strstr(out.buf, "</html>") != NULL);
			cc_buf_release(&out);
			break;
		}
		check_int(ret, ==, CC_ENOMEM);
		check_int(out.len, ==, 0);
		cc_buf_release(&out);
	}
	check_int(ret, ==, 0);
	check_int(n, >, 3);
	for (int fmt = CC_FORMAT_TABLE; fmt <= CC_FORMAT_JSON; fmt++) {
		for (n = 0; n < 100000; n++) {
			struct cc_buf out = CC_BUF_INIT(0);

			cc_test_fail_alloc_after(n);
			ret = cc_coverage_format(&cov, (enum cc_format)fmt, &out, NULL);
			cc_test_fail_alloc_after(-1);
			if (ret == 0) {
				cc_buf_release(&out);
				break;
			}
			check_int(ret, ==, CC_ENOMEM);
			check_int(out.len, ==, 0);
			cc_buf_release(&out);
		}
		check_int(ret, ==, 0);
		check_int(n, >, 0);
	}
	cc_coverage_release(&cov);
}

/* ---- the later sections: map, gaps, incidents, lessons ---- */

/* A little WKB writer for the map tests. */
struct wkbw {
	unsigned char b[1024];
	size_t n;
	bool be;
};

static void w_u32(struct wkbw *w, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		w->b[w->n++] = (unsigned char)(v >> (w->be ? 24 - 8 * i : 8 * i));
}

static void w_f64(struct wkbw *w, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	for (int i = 0; i < 8; i++)
		w->b[w->n++] = (unsigned char)(v >> (w->be ? 56 - 8 * i : 8 * i));
}

static void w_head(struct wkbw *w, uint32_t type)
{
	w->b[w->n++] = w->be ? 0 : 1;
	w_u32(w, type);
}

/* One ring of n (lon, lat) pairs, with a z of 100 when dims is 3. */
static void w_ring(struct wkbw *w, const double *xy, uint32_t n, int dims)
{
	w_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		w_f64(w, xy[2 * i]);
		w_f64(w, xy[2 * i + 1]);
		if (dims == 3)
			w_f64(w, 100);
	}
}

/*
 * AF01: a polygon, little-endian, [60,61] × [34,35]. AF02: a big-endian multipolygon of
 * [61,62] × [34,35] and the triangle (62,34.5) (62.5,34.5) (62.5,34). AF03: an ISO "Polygon Z"
 * (1003) triangle (60,34) (62.5,34) (62.5,33). AF04: truncated. AF05: a point. Extent lon
 * 60…62.5, lat 33…35, mean latitude 34: x = 8 + (lon - 60) × 744 / 2.5 = 8 + 297.6 (lon - 60)
 * (the width fills 760 - 2 × 8 whatever the cosine), y = 8 + (35 - lat) × 744 / (2.5 cos 34°)
 * = 8 + 358.97 (35 - lat): lat 34 → 367.0, 34.5 → 187.5, 33 → 725.9; height 733.9 + 64 legend.
 */
static struct wkbw map_wkb[5];

static void build_map_wkb(void)
{
	static const double sq1[] = { 60, 35, 61, 35, 61, 34, 60, 34, 60, 35 };
	static const double sq2[] = { 61, 35, 62, 35, 62, 34, 61, 34, 61, 35 };
	static const double tri2[] = { 62, 34.5, 62.5, 34.5, 62.5, 34, 62, 34.5 };
	static const double tri3[] = { 60, 34, 62.5, 34, 62.5, 33, 60, 34 };
	struct wkbw *w;

	memset(map_wkb, 0, sizeof(map_wkb));
	w = &map_wkb[0];
	w_head(w, 3);
	w_u32(w, 1);
	w_ring(w, sq1, 5, 2);
	w = &map_wkb[1];
	w->be = true;
	w_head(w, 6);
	w_u32(w, 2);
	w_head(w, 3);
	w_u32(w, 1);
	w_ring(w, sq2, 5, 2);
	w_head(w, 3);
	w_u32(w, 1);
	w_ring(w, tri2, 4, 2);
	w = &map_wkb[2];
	w_head(w, 1003);
	w_u32(w, 1);
	w_ring(w, tri3, 4, 3);
	w = &map_wkb[3];
	w_head(w, 3);
	w_u32(w, 1);
	w_ring(w, sq1, 5, 2);
	w->n -= 3; /* cut inside the last coordinate */
	w = &map_wkb[4];
	w_head(w, 1);
	w_f64(w, 61);
	w_f64(w, 34);
}

static struct cc_report_area map_areas[5] = {
	{ .pcode = "AF01", .name = NASTY },
	{ .pcode = "AF02", .name = "Herat" },
	{ .pcode = "AF03", .name = "Kandahar & Co" },
	{ .pcode = "AF04", .name = "Truncated" },
	{ .pcode = "AF05", .name = "A point" },
};

static struct cc_lesson test_lessons[2];
static struct cc_gap_row test_gap_rows[2];
static int32_t test_dates[4];

static void full_input(struct cc_report_input *in, const struct cc_coverage *cov,
                       struct cc_gaps *g)
{
	build_map_wkb();
	for (int i = 0; i < 5; i++) {
		map_areas[i].wkb = map_wkb[i].b;
		map_areas[i].wkb_len = map_wkb[i].n;
	}
	memset(test_lessons, 0, sizeof(test_lessons));
	snprintf(test_lessons[0].key, sizeof(test_lessons[0].key), "AFG-001");
	snprintf(test_lessons[0].title, sizeof(test_lessons[0].title), "Plan <early> & together");
	snprintf(test_lessons[0].pillars, sizeof(test_lessons[0].pillars), "security,governance");
	snprintf(test_lessons[0].source, sizeof(test_lessons[0].source), "A report, 2010");
	test_lessons[0].status = CC_LESSON_ANALYSED;
	test_lessons[0].date = cc_date_from_ymd(2010, 3, 1);
	snprintf(test_lessons[1].key, sizeof(test_lessons[1].key), "KOS-002");
	snprintf(test_lessons[1].title, sizeof(test_lessons[1].title), "Second");
	test_lessons[1].date = CC_DATE_NONE;
	memset(test_gap_rows, 0, sizeof(test_gap_rows));
	test_gap_rows[0] = (struct cc_gap_row){ .pcode = "AF01", .name = "Kabul", .key_code = "FSC",
		                                .key_name = "Food Security", .severity = 4,
		                                .in_need = 1000, .covered = 250, .shortfall = 0.75,
		                                .unmet = 750, .gap = 3000,
		                                .status = CC_GAP_SCORED };
	test_gap_rows[1] = (struct cc_gap_row){ .pcode = "AF02", .name = "Herat", .key_code = "ALL",
		                                .in_need = 500, .covered = NA, .shortfall = NA,
		                                .unmet = NA, .gap = NA, .status = CC_GAP_NO_DATA };
	*g = (struct cc_gaps){ .opts = { .level = 1 }, .rows = test_gap_rows, .n_rows = 2 };
	/* July 2021: 2 incidents, August none, September 1; one without a date */
	test_dates[0] = cc_date_from_ymd(2021, 7, 3);
	test_dates[1] = cc_date_from_ymd(2021, 9, 30);
	test_dates[2] = CC_DATE_NONE;
	test_dates[3] = cc_date_from_ymd(2021, 7, 31);
	report_input(in, cov);
	in->map_areas = map_areas;
	in->n_map_areas = 5;
	in->lessons = test_lessons;
	in->n_lessons = 2;
	in->gaps = g;
	in->incident_dates = test_dates;
	in->n_incidents = 4;
}

/* The <path> elements of the <svg id="map-acts"> of html; -1 when it does not parse. */
static int map_paths(const char *html, char titles[][128], char ds[][256], int max)
{
	const char *p = strstr(html, "<svg id=\"map-acts\""), *end;
	xmlDocPtr doc;
	int n = 0;

	if (!p || !(end = strstr(p, "</svg>")))
		return -1;
	doc = xmlReadMemory(p, (int)(end + 6 - p), "map.svg", "UTF-8",
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -1;
	for (xmlNodePtr g = xmlDocGetRootElement(doc)->children; g; g = g->next) {
		if (g->type != XML_ELEMENT_NODE || strcmp((const char *)g->name, "g") != 0)
			continue;
		for (xmlNodePtr c = g->children; c; c = c->next) {
			xmlChar *d, *t;

			if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "path"))
				continue;
			if (n < max) {
				d = xmlGetProp(c, (const xmlChar *)"d");
				t = c->children ? xmlNodeGetContent(c->children) : NULL;
				snprintf(ds[n], 256, "%s", d ? (const char *)d : "");
				snprintf(titles[n], 128, "%s", t ? (const char *)t : "");
				xmlFree(d);
				xmlFree(t);
			}
			n++;
		}
	}
	xmlFreeDoc(doc);
	return n;
}

TEST(html_sections)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_gaps g;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
	char titles[8][128], ds[8][256];
	int n_rects, n_titles;
	const char *h;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	full_input(&in, &cov, &g);
	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0))
		goto out;
	h = out.buf;
	check_int(count(h, "http://"), ==, 0);
	check_int(count(h, "https://"), ==, 0);
	check_int(count(h, "href="), ==, 0);
	check_int(count(h, "xmlns"), ==, 0);
	/* every SVG parses: the timeline (incidents only), two coverage charts, the map,
	 * incidents */
	check_int(parse_svgs(h, &n_rects, &n_titles), ==, 5);
	/* map: AF04 (truncated) and AF05 (a point) are not drawn; values from the coverage */
	if (check_int(map_paths(h, titles, ds, 8), ==, 3)) {
		check_str(titles[0], NASTY " (AF01): 2 activities");
		check_str(titles[1], "Herat (AF02): 1 activity");
		check_str(titles[2], "Kandahar & Co (AF03): 2 activities");
		check_str(ds[0], "M8 8 305.6 8 305.6 367 8 367 8 8Z");
		check_str(ds[1], "M305.6 8 603.2 8 603.2 367 305.6 367 305.6 8ZM603.2 187.5 752 "
		                 "187.5 752 367 603.2 187.5Z");
		check_str(ds[2], "M8 367 752 367 752 725.9 8 367Z");
	}
	check(strstr(h, "<svg id=\"map-acts\" role=\"img\" aria-labelledby=\"map-acts-t "
	                "map-acts-d\" viewBox=\"0 0 760 797.9\"") != NULL);
	/* classes: max 2 → step 1 (at least one whole number): 1 → class 1, 2 → class 2 */
	check(strstr(h, "<path fill=\"#9ecae1\" d=\"M8 8 ") != NULL);
	check(strstr(h, "<path fill=\"#c6dbef\" d=\"M305.6 8 ") != NULL);
	check(strstr(h, ">1\xe2\x80\x93" "1</text>") == NULL); /* one-value classes read "1" */
	check(strstr(h, ">3</text>") != NULL);
	check(strstr(h, "3 have none") == NULL);
	check(strstr(h, "the 3 areas at admin level 1 with a stored boundary") != NULL);

	/* gaps: both rows, numbers grouped, unknowns as dashes */
	check(strstr(h, "<section id=\"gaps\">") != NULL);
	check(strstr(h, "<td>Food Security</td><td class=\"n\">4</td><td class=\"n\">1,000</td>"
	                "<td class=\"n\">250</td><td class=\"n\">75%</td><td class=\"n\">3,000</td>"
	                "<td>scored</td>") != NULL);
	check(strstr(h, "<td>ALL</td><td class=\"n\">\xe2\x80\x93</td><td class=\"n\">500</td>") !=
	      NULL);

	/* incidents: 3 months, July 2 and September 1 drawn (August is 0) */
	check(strstr(h, "<section id=\"incidents\">") != NULL);
	check(strstr(h, "from 2021-07 to 2021-09") != NULL);
	check(strstr(h, "3 incidents in all, most (2) in 2021-07") != NULL);

	/* lessons, escaped */
	check(strstr(h, "<section id=\"lessons\">") != NULL);
	check(strstr(h, "<th scope=\"row\">Plan &lt;early&gt; &amp; together</th><td>security, "
	                "governance</td><td class=\"date\">2010-03-01</td><td>analysed</td>"
	                "<td>A report, 2010</td>") != NULL);
	check(strstr(h, "<th scope=\"row\">Second</th><td></td><td class=\"date\">\xe2\x80\x93"
	                "</td>") != NULL); /* undated */
	check(strstr(h, "2 lessons: lessons of this mission, or of the register on a pillar") !=
	      NULL); /* the default rule */
	check(strstr(h, "KOS-002") != NULL);

	/* sections in order */
	check(strstr(h, "id=\"map\"") < strstr(h, "id=\"gaps\"") &&
	      strstr(h, "id=\"gaps\"") < strstr(h, "id=\"incidents\"") &&
	      strstr(h, "id=\"incidents\"") < strstr(h, "id=\"lessons\"") &&
	      strstr(h, "id=\"lessons\"") < strstr(h, "id=\"sources\""));
	cc_buf_release(&out);

	/* absent inputs: no section */
	in.n_map_areas = 0;
	in.gaps = NULL;
	in.n_incidents = 0;
	in.n_lessons = 0;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "id=\"map\"") == NULL);
	check(strstr(out.buf, "id=\"gaps\"") == NULL);
	check(strstr(out.buf, "id=\"incidents\"") == NULL);
	check(strstr(out.buf, "id=\"lessons\"") == NULL);
	cc_buf_release(&out);

	/* only undrawable areas, an empty gap ranking, only undated incidents: no section */
	in.map_areas = map_areas + 3;
	in.n_map_areas = 2;
	g.n_rows = 0;
	in.gaps = &g;
	in.incident_dates = test_dates + 2;
	in.n_incidents = 1;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "id=\"map\"") == NULL);
	check(strstr(out.buf, "id=\"gaps\"") == NULL);
	check(strstr(out.buf, "id=\"incidents\"") == NULL);
	cc_buf_release(&out);

	/* incidents over more than three years: counted per year */
	test_dates[0] = cc_date_from_ymd(2015, 1, 1);
	test_dates[1] = cc_date_from_ymd(2021, 12, 31);
	in.incident_dates = test_dates;
	in.n_incidents = 2;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "one per calendar year from 2015 to 2021") != NULL);
	check(strstr(out.buf, "Incidents per year") != NULL);
out:
	cc_buf_release(&out);
	cc_coverage_release(&cov);
}

/*
 * The map by another measure: organisations from the coverage (by hand from report_recs: AF01
 * has activities of organisations 1 and 2, AF02 of 2, AF03 of 3), and values given by the
 * caller, one of them missing; the legend and heading name the measure. Then the feedback and
 * lessons sections when empty: omitted, or with all_sections a line saying none was recorded.
 */
TEST(map_measures_and_empty_sections)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_gaps g;
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT), md = CC_BUF_INIT(CC_LIMIT_REPORT);
	char titles[8][128], ds[8][256];
	const char *p;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	full_input(&in, &cov, &g);
	check_str(cc_map_measure_name(CC_MAP_PEOPLE_IN_NEED), "people-in-need");
	check(cc_map_measure_name(CC_N_MAP_MEASURES) == NULL);
	check_int(cc_map_measure_parse("gap"), ==, CC_MAP_GAP);
	check_int(cc_map_measure_parse("organizations"), ==, CC_MAP_ORGANISATIONS);
	check_int(cc_map_measure_parse("rain"), ==, -1);

	in.map_measure = CC_MAP_ORGANISATIONS;
	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0))
		goto out;
	p = strstr(out.buf, "<svg id=\"map-organisations\"");
	check(p != NULL);
	check(strstr(out.buf, "<h2>Map: organisations per area</h2>") != NULL);
	check(strstr(out.buf, ">Distinct organisations per area</text>") != NULL);
	check(strstr(out.buf, NASTY_ESC " (AF01): 2 organisations</title>") != NULL);
	check(strstr(out.buf, "Herat (AF02): 1 organisation</title>") != NULL);
	check(strstr(out.buf, "Kandahar &amp; Co (AF03): 1 organisation</title>") != NULL);
	cc_buf_release(&out);

	/* caller's values: 1,500 people in AF01, none known in AF02, 0 in AF03 */
	map_areas[0].value = 1500;
	map_areas[1].value = (double)NAN;
	map_areas[2].value = 0;
	in.map_measure = CC_MAP_PEOPLE_IN_NEED;
	in.map_note = "From <gaps>.";
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check_int(cc_report_md(&in, &md, NULL), ==, 0);
	check(strstr(out.buf, "<h2>Map: people in need per area</h2>\n<p>From &lt;gaps&gt;.</p>") !=
	      NULL);
	check(strstr(out.buf, ">People in need per area (largest sector)</text>") != NULL);
	check(strstr(out.buf, ">0 or no figure</text>") != NULL);
	check(strstr(out.buf, "2 have none") != NULL);
	/* the svg still parses, one path per drawable area, titled with the figures */
	{
		const char *q = strstr(out.buf, "<svg id=\"map-people-in-need\"");
		char *copy = q ? cc_malloc(strlen(q) + 1) : NULL;

		if (check(copy != NULL)) {
			/* map_paths reads the first map-acts svg: give it this one under that id */
			snprintf(copy, strlen(q) + 1, "<svg id=\"map-acts\"%s",
			         q + strlen("<svg id=\"map-people-in-need\""));
			if (check_int(map_paths(copy, titles, ds, 8), ==, 3)) {
				check_str(titles[0], NASTY " (AF01): 1500 people in need");
				check_str(titles[1], "Herat (AF02): no figure");
				check_str(titles[2], "Kandahar & Co (AF03): 0 people in need");
			}
		}
		cc_free(copy);
	}
	/* 1500 / 4 → step 500, classes up to 2000: AF01 in class 3; AF02 and AF03 in class 0 */
	check(strstr(out.buf, "<path fill=\"#4292c6\" d=\"M8 8 ") != NULL);
	check(strstr(out.buf, "<path fill=\"#e6e6e6\" d=\"M305.6 8 ") != NULL);
	check(strstr(md.buf, "## Map: people in need per area\n\nFrom &lt;gaps>.\n") != NULL);
	check(strstr(md.buf, "| P-code | Area | People in need per area (largest sector) |") !=
	      NULL);
	check(strstr(md.buf, "| AF01 | ") != NULL &&
	      strstr(md.buf, "| AF01 | ") < strstr(md.buf, "| AF03 | ") &&
	      strstr(md.buf, "| AF03 | ") < strstr(md.buf, "| AF02 | ")); /* no figure last */
	check(strstr(md.buf, "| Herat | no figure |") != NULL);
	check(strstr(md.buf, "| 1500 |") != NULL);
	cc_buf_release(&out);
	cc_buf_release(&md);
	map_areas[0].value = map_areas[1].value = map_areas[2].value = 0;

	/* empty feedback and lessons: omitted by default */
	in.map_measure = CC_MAP_ACTIVITIES;
	in.map_note = NULL;
	in.n_lessons = 0;
	in.n_feedback = 0;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "id=\"feedback\"") == NULL);
	check(strstr(out.buf, "id=\"lessons\"") == NULL);
	cc_buf_release(&out);
	/* all_sections: shown, saying so, with the rule; "in the period" when there is one */
	in.all_sections = true;
	in.lessons_rule = "those dated in <the period>";
	in.period_set = false;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "<section id=\"feedback\">\n<h2>Feedback themes</h2>\n<p>No feedback "
	                      "recorded.</p>") != NULL);
	check(strstr(out.buf, "<p>No lesson recorded (those dated in &lt;the period&gt;).</p>") !=
	      NULL);
	cc_buf_release(&out);
	in.period_set = true;
	in.period_from = cc_date_from_ymd(2021, 7, 1);
	in.period_to = cc_date_from_ymd(2021, 9, 30);
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check_int(cc_report_md(&in, &md, NULL), ==, 0);
	check(strstr(out.buf, "<p>No feedback recorded in the period.</p>") != NULL);
	check(strstr(out.buf, "<p>No lesson recorded in the period (") != NULL);
	check(strstr(out.buf, "id=\"feedback\"") < strstr(out.buf, "id=\"lessons\""));
	check(strstr(md.buf, "## Feedback themes\n\nNo feedback recorded in the period.\n") !=
	      NULL);
	check(strstr(md.buf, "## Lessons\n\nNo lesson recorded in the period (those dated in "
	                     "&lt;the period>).\n") != NULL);
	cc_buf_release(&md);
	cc_buf_release(&out);
	/* with lessons the rule introduces them */
	in.n_lessons = 2;
	check_int(cc_report_html(&in, &out, NULL), ==, 0);
	check(strstr(out.buf, "<p>2 lessons: those dated in &lt;the period&gt;.</p>") != NULL);
out:
	cc_buf_release(&out);
	cc_buf_release(&md);
	cc_coverage_release(&cov);
}

TEST(html_sections_allocation_failures)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_gaps g;
	int ret = -1;
	long n;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	full_input(&in, &cov, &g);
	for (n = 0; n < 100000; n++) {
		struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
		struct cc_err err = { 0 };

		cc_test_fail_alloc_after(n);
		ret = cc_report_html(&in, &out, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0) {
			check(strstr(out.buf, "id=\"map\"") != NULL);
			cc_buf_release(&out);
			break;
		}
		check_int(ret, ==, CC_ENOMEM);
		check_int(out.len, ==, 0);
		cc_buf_release(&out);
	}
	check_int(ret, ==, 0);
	check_int(n, >, 5);
	cc_coverage_release(&cov);
}

/* ---- the post-mission sections: timeline, indicators, plan review; HTML and Markdown ---- */

/* The element with this id attribute under n, NULL none. */
static xmlNodePtr by_id(xmlNodePtr n, const char *id)
{
	for (; n; n = n->next) {
		xmlChar *v;
		xmlNodePtr hit;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		v = xmlGetProp(n, (const xmlChar *)"id");
		if (v && strcmp((const char *)v, id) == 0) {
			xmlFree(v);
			return n;
		}
		xmlFree(v);
		if ((hit = by_id(n->children, id)) != NULL)
			return hit;
	}
	return NULL;
}

#define MAX_CELLS 16
#define CELL_LEN  512

/* The text of the th/td cells of each <tr> of the <tbody> of table, up to max rows. */
static size_t body_rows(xmlNodePtr table, char (*cells)[MAX_CELLS][CELL_LEN], size_t max)
{
	size_t n = 0;

	for (xmlNodePtr b = table ? table->children : NULL; b; b = b->next) {
		if (b->type != XML_ELEMENT_NODE || strcmp((const char *)b->name, "tbody") != 0)
			continue;
		for (xmlNodePtr tr = b->children; tr; tr = tr->next) {
			size_t k = 0;

			if (tr->type != XML_ELEMENT_NODE || strcmp((const char *)tr->name, "tr") != 0)
				continue;
			for (xmlNodePtr c = tr->children; c && n < max; c = c->next) {
				xmlChar *t;

				if (c->type != XML_ELEMENT_NODE || k == MAX_CELLS)
					continue;
				t = xmlNodeGetContent(c);
				snprintf(cells[n][k++], CELL_LEN, "%s", t ? (const char *)t : "");
				xmlFree(t);
			}
			n++;
		}
	}
	return n;
}

/* One indicator with four observations and a baseline and target; one with a lone value. */
static struct cc_indicator ind_inds[2];
static struct cc_benchmark ind_bench[2];
static struct cc_observation ind_obs[5];

static void indicator_data(struct cc_indicator_data *d)
{
	static const double v[4] = { 120, 150, 160, 190 };
	static const int m[4] = { 3, 6, 9, 12 }, last[4] = { 31, 30, 30, 31 };

	memset(ind_inds, 0, sizeof(ind_inds));
	memset(ind_bench, 0, sizeof(ind_bench));
	memset(ind_obs, 0, sizeof(ind_obs));
	ind_inds[0] = (struct cc_indicator){ .code = "IND-1", .name = "People <trained>",
		                             .pillar = "security", .unit = "people",
		                             .measure = CC_MEASURE_UNIT, .higher_is_better = true,
		                             .goal_min = NA, .goal_max = NA };
	ind_inds[1] = (struct cc_indicator){ .code = "IND-2", .name = "Councils",
		                             .pillar = "governance", .measure = CC_MEASURE_UNIT,
		                             .higher_is_better = true, .goal_min = NA,
		                             .goal_max = NA };
	ind_bench[0] = (struct cc_benchmark){ .indicator = "IND-1", .kind = CC_BENCH_BASELINE,
		                              .date = cc_date_from_ymd(2024, 1, 1), .value = 100 };
	ind_bench[1] = (struct cc_benchmark){ .indicator = "IND-1", .kind = CC_BENCH_TARGET,
		                              .date = cc_date_from_ymd(2024, 12, 31), .value = 200 };
	for (int i = 0; i < 4; i++)
		ind_obs[i] = (struct cc_observation){ .indicator = "IND-1",
			                              .period_start = CC_DATE_NONE,
			                              .period_end = cc_date_from_ymd(2024, m[i], last[i]),
			                              .value = v[i] };
	ind_obs[4] = (struct cc_observation){ .indicator = "IND-2", .period_start = CC_DATE_NONE,
		                              .period_end = cc_date_from_ymd(2024, 6, 30),
		                              .value = 5 };
	*d = (struct cc_indicator_data){ .indicators = ind_inds, .n_indicators = 2,
		                         .benchmarks = ind_bench, .n_benchmarks = 2,
		                         .observations = ind_obs, .n_observations = 5 };
}

/*
 * Activities for the timeline (no period: the range of the dated ones, June to December 2021):
 *   A 2021-07-10 … 2021-08-20: started July, under way July and August
 *   B 2021-09-01 … (no end):   started and under way September only
 *   C no start:                undated
 *   D 2021-06-15 … 2021-12-31: started June, under way June to December
 * Incidents (full_input): July 3 and 31, September 30, one undated.
 */
static const struct cc_report_span test_spans[4] = {
	{ 18818, 18859 }, /* 2021-07-10, 2021-08-20 (checked below) */
	{ 18871, CC_DATE_NONE },
	{ CC_DATE_NONE, 18900 },
	{ 18793, 18992 },
};
static const char *const tl_month[7] = { "2021-06", "2021-07", "2021-08", "2021-09",
	                                 "2021-10", "2021-11", "2021-12" };
static const int tl_started[7] = { 1, 1, 0, 1, 0, 0, 0 };
static const int tl_active[7] = { 1, 2, 2, 2, 1, 1, 1 };
static const int tl_incidents[7] = { 0, 2, 0, 1, 0, 0, 0 };

/* The review of a small plan: R4 (budget 0), R3 (no incidents: info), R8 (infrastructure). */
static bool test_review(struct cc_plan *p, struct cc_review_result *r)
{
	const char *y = "activities:\n"
	                "  - id: P-1\n    title: Roads <&> bridges\n    pillars: [infrastructure]\n"
	                "    budget: 0\n    organisations: [{name: Local | NGO, type: \"22\"}]\n";

	if (cc_plan_parse("plan.yaml", y, strlen(y), p, NULL))
		return false;
	if (cc_review_run(p, &(struct cc_review_inputs){ 0 }, r, NULL)) {
		cc_plan_release(p);
		return false;
	}
	if (r->n_findings) {
		r->findings[0].n_lessons = 1;
		snprintf(r->findings[0].lessons[0].key, 64, "AFG-001");
		snprintf(r->findings[0].lessons[0].title, 256, "Plan early");
	}
	return true;
}

static const struct cc_feedback_count test_feedback[2] = {
	{ "access", "AF01", "2021-07", 2, 1 },
	{ "aid", "AF02", "2021-08", 1, 0 },
};

static const struct cc_survey_response test_resp[3] = {
	{ "2021-03", "yes", NA, 1, CC_ANSWERED },
	{ "2021-03", "no", NA, 1, CC_ANSWERED },
	{ "2021-09", "yes", NA, 2, CC_ANSWERED },
};

static void fmt_cell(double v, char *buf)
{
	cc__fmt_cell(v, buf, 64);
}

TEST(review_sections_html_and_md)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_gaps g;
	struct cc_indicator_data d;
	struct cc_progress_result *pr = NULL;
	size_t n_pr = 0, n;
	struct cc_plan plan;
	struct cc_review_result rv;
	struct cc_survey_table st = { 0 };
	struct cc_report_survey sv = { .question = "q_safe", .table = &st };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT), md = CC_BUF_INIT(CC_LIMIT_REPORT);
	static char cells[64][MAX_CELLS][CELL_LEN];
	static const char *const sections[] = { "summary", "timeline", "map", "coverage", "charts",
		                                "gaps", "incidents", "indicators", "surveys",
		                                "feedback", "lessons", "plan-review", "sources" };
	htmlDocPtr doc = NULL;
	xmlNodePtr root;
	const char *prev = NULL;
	char want[512], b[64];

	check_int(test_spans[0].start, ==, cc_date_from_ymd(2021, 7, 10));
	check_int(test_spans[0].end, ==, cc_date_from_ymd(2021, 8, 20));
	check_int(test_spans[1].start, ==, cc_date_from_ymd(2021, 9, 1));
	check_int(test_spans[3].start, ==, cc_date_from_ymd(2021, 6, 15));
	check_int(test_spans[3].end, ==, cc_date_from_ymd(2021, 12, 31));
	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	full_input(&in, &cov, &g);
	in.activity_spans = test_spans;
	in.n_activity_spans = 4;
	indicator_data(&d);
	if (!check_int(cc_progress_compute(&d, &(struct cc_progress_opts){ .at = CC_DATE_NONE },
	                                   &pr, &n_pr, NULL),
	               ==, 0))
		goto out_cov;
	check_int(n_pr, ==, 2);
	/* IND-1 by hand: (190 − 100) / (200 − 100) = 0.9 on 2024-12-31, where 1 is expected */
	check(fabs(pr[0].progress - 0.9) < 1e-12);
	check(fabs(pr[0].expected - 1) < 1e-12);
	check_int(pr[0].status, ==, CC_STATUS_ON_TRACK);
	in.indicator_data = &d;
	in.progress = pr;
	in.n_progress = n_pr;
	if (!check(test_review(&plan, &rv)))
		goto out_pr;
	check_int(rv.n_findings, ==, 3);
	in.feedback = test_feedback;
	in.n_feedback = 2;
	if (!check_int(cc_survey_tabulate(test_resp, 3, &(struct cc_survey_tab_opts){ 0 }, &st,
	                                  NULL),
	               ==, 0))
		goto out_rv;
	in.surveys = &sv;
	in.n_surveys = 1;
	in.plan = &plan;
	in.review = &rv;
	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0) ||
	    !check_int(cc_report_md(&in, &md, NULL), ==, 0))
		goto out_rv;

	/* the whole document through libxml2's HTML parser */
	doc = htmlReadMemory(out.buf, (int)out.len, "report.html", "UTF-8",
	                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (!check(doc != NULL))
		goto out_rv;
	root = xmlDocGetRootElement(doc);
	check_str((const char *)root->name, "html");
	/* every section, in the order */
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		xmlNodePtr sec = by_id(root, sections[i]);
		char attr[64];
		const char *at;

		if (!check(sec != NULL)) {
			printf("# no section %s\n", sections[i]);
			continue;
		}
		check_str((const char *)sec->name, "section");
		snprintf(attr, sizeof(attr), "<section id=\"%s\">", sections[i]);
		at = strstr(out.buf, attr);
		check(at != NULL && (!prev || at > prev));
		prev = at;
	}
	/* nothing to fetch, and every SVG well-formed: timeline (activities, incidents), 2
	 * coverage charts, map, incidents, the IND-1 chart (IND-2 has one value), the survey,
	 * feedback */
	check_int(count(out.buf, "http://") + count(out.buf, "https://"), ==, 0);
	check_int(count(out.buf, "src=") + count(out.buf, "href=") + count(out.buf, "url("), ==, 0);
	{
		int n_rects, n_titles;

		check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 9);
	}

	/* timeline: the table equals the counts worked out above */
	n = body_rows(by_id(root, "timeline-table"), cells, 64);
	if (check_int(n, ==, 7))
		for (size_t k = 0; k < 7; k++) {
			check_str(cells[k][0], tl_month[k]);
			check_int(strtol(cells[k][1], NULL, 10), ==, tl_started[k]);
			check_int(strtol(cells[k][2], NULL, 10), ==, tl_active[k]);
			check_int(strtol(cells[k][3], NULL, 10), ==, tl_incidents[k]);
			snprintf(want, sizeof(want), "| %s | %d | %d | %d |\n", tl_month[k],
			         tl_started[k], tl_active[k], tl_incidents[k]);
			check(strstr(md.buf, want) != NULL);
		}
	check(strstr(out.buf, "3 activities with dates in the range (1 without a start date are "
	                      "not placed) and 3 incidents") != NULL);
	check(strstr(md.buf, "3 activities with dates in the range (1 without a start date are "
	                     "not placed) and 3 incidents") != NULL);

	/* indicators: each row equals its progress result */
	n = body_rows(by_id(root, "indicators-table"), cells, 64);
	if (check_int(n, ==, n_pr))
		for (size_t k = 0; k < n; k++) {
			const struct cc_progress_result *r = &pr[k];
			const struct cc_indicator *ind = &d.indicators[r->indicator];
			char bl[64], lv[64], tg[64], pg[64], ex[64], d10[11], tr[64];

			check_str(cells[k][0], ind->code);
			check_str(cells[k][1], ind->name);
			check_str(cells[k][2], ind->pillar);
			fmt_cell(r->baseline, bl);
			fmt_cell(r->latest_value, lv);
			fmt_cell(r->target, tg);
			check_str(cells[k][5], bl);
			check_str(cells[k][6], lv);
			check_str(cells[k][7], cc_date_format(r->latest_date, d10));
			check_str(cells[k][8], tg);
			if (isnan(r->progress))
				snprintf(pg, sizeof(pg), "n/a");
			else
				snprintf(pg, sizeof(pg), "%.1f%%", r->progress * 100);
			if (isnan(r->expected))
				snprintf(ex, sizeof(ex), "n/a");
			else
				snprintf(ex, sizeof(ex), "%.1f%%", r->expected * 100);
			check_str(cells[k][9], pg);
			check_str(cells[k][10], ex);
			check_str(cells[k][11], cc_status_name(r->status));
			check(strncmp(cells[k][12], cc_trend_dir_name(r->trend.dir),
			              strlen(cc_trend_dir_name(r->trend.dir))) == 0);
			/* the same figures in the Markdown row */
			snprintf(want, sizeof(want), "| %s | %s | %s | %s | %s | %s | %s | %s |",
			         bl, lv, cc_date_format(r->latest_date, d10), tg, pg, ex,
			         cc_status_name(r->status), cc__trend_text(&r->trend, tr, sizeof(tr)));
			if (!check(strstr(md.buf, want) != NULL))
				printf("# md lacks %s\n", want);
		}
	/* by hand for IND-1 */
	check_str(cells[0][5], "100");
	check_str(cells[0][6], "190");
	check_str(cells[0][9], "90.0%");
	check_str(cells[0][10], "100.0%");
	check_str(cells[0][11], "on_track");
	check_str(cells[1][9], "n/a");
	check(strstr(out.buf, "2 indicator series: 1 on track, 0 at risk, 0 off track") != NULL);
	/* its chart: four points and the two benchmark lines */
	check(strstr(out.buf, "<title>baseline: 100</title>") != NULL);
	check(strstr(out.buf, "<title>target: 200</title>") != NULL);
	check(strstr(out.buf, "<title>2024-12-31 \xe2\x80\x94 observed: 190</title>") != NULL);

	/* plan review: each row equals its finding */
	n = body_rows(by_id(root, "findings-table"), cells, 64);
	if (check_int(n, ==, rv.n_findings))
		for (size_t k = 0; k < n; k++) {
			const struct cc_finding *f = &rv.findings[k];

			check_str(cells[k][0], f->rule);
			check_str(cells[k][1], cc_severity_name(f->severity));
			check_str(cells[k][2], f->activity[0] ? f->activity : "(plan)");
			check_str(cells[k][3], f->item);
			check_str(cells[k][4], f->evidence);
			snprintf(want, sizeof(want), "| %s | %s | ", f->rule,
			         cc_severity_name(f->severity));
			check(strstr(md.buf, want) != NULL);
		}
	check_str(cells[0][0], "R4");
	check_str(cells[0][4], "budget is 0 ");
	check_str(cells[0][5], "AFG-001: Plan early");
	check(strstr(out.buf, "1 activities checked against the rules of <code>concord review"
	                      "</code>: 3 findings, 1 errors, 1 warnings, 1 info.") != NULL);
	check(strstr(md.buf, "1 activities checked against the rules of `concord review`: 3 "
	                     "findings, 1 errors, 1 warnings, 1 info.") != NULL);
	check(strstr(md.buf, "| R4 | error | P-1 | budget | budget is 0  | AFG-001: Plan early |") !=
	      NULL);

	/* Markdown: the same sections, in order, escaped, no HTML */
	prev = md.buf;
	{
		static const char *const heads[] = { "\n## Summary\n", "\n## Timeline",
			                             "\n## Map", "\n## Coverage", "\n## Gaps",
			                             "\n## Incidents over time", "\n## Indicators",
			                             "\n## Survey results", "\n## Feedback themes",
			                             "\n## Lessons", "\n## Plan review",
			                             "\n## Sources" };

		for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
			const char *at = strstr(md.buf, heads[i]);

			if (!check(at != NULL && at > prev))
				printf("# md section %s\n", heads[i]);
			prev = at ? at : prev;
		}
	}
	check_int(count(md.buf, "<svg"), ==, 0);
	check_int(count(md.buf, "<td"), ==, 0);
	check(strstr(md.buf, "| AF01 | Kabul &lt;\"Old\" & 'New'> | 2 |") == NULL); /* escaped */
	check(strstr(md.buf, "Kabul &lt;\"Old\" &amp; 'New'>") != NULL);
	check(strstr(md.buf, "Plan &lt;early> &amp; together") != NULL);
	check(strstr(md.buf, "| 2021-07 | 2 |\n| 2021-08 | 0 |\n| 2021-09 | 1 |\n") != NULL);
	/* the coverage totals row as in the HTML tfoot: all 6 / 3 */
	check(strstr(md.buf, " 6 / 3 |\n") != NULL);
	check(strstr(md.buf, "| 1 | AF01 | Kabul | Food Security | 4 | 1,000 | 250 | 75% | 3,000 | "
	                     "scored |") != NULL);
	(void)b;
	xmlFreeDoc(doc);
out_rv:
	cc_survey_table_release(&st);
	cc_review_release(&rv);
	cc_plan_release(&plan);
out_pr:
	cc_free(pr);
out_cov:
	cc_buf_release(&out);
	cc_buf_release(&md);
	cc_coverage_release(&cov);
}

TEST(review_sections_allocation_failures)
{
	struct cc_coverage cov;
	struct cc_report_input in;
	struct cc_gaps g;
	struct cc_indicator_data d;
	struct cc_progress_result *pr = NULL;
	size_t n_pr = 0;
	struct cc_plan plan;
	struct cc_review_result rv;
	struct cc_survey_table st = { 0 };
	struct cc_report_survey sv = { .question = "q", .table = &st };
	int ret = -1;
	long n;

	if (!check_int(
	            cc_coverage_compute(report_recs, 6, report_areas, 4, six, 6, NULL, &cov, NULL),
	            ==, 0))
		return;
	full_input(&in, &cov, &g);
	in.activity_spans = test_spans;
	in.n_activity_spans = 4;
	indicator_data(&d);
	if (cc_progress_compute(&d, &(struct cc_progress_opts){ .at = CC_DATE_NONE }, &pr, &n_pr,
	                        NULL) == 0 &&
	    check(test_review(&plan, &rv))) {
		in.indicator_data = &d;
		in.progress = pr;
		in.n_progress = n_pr;
		in.plan = &plan;
		in.review = &rv;
		in.feedback = test_feedback;
		in.n_feedback = 2;
		check_int(cc_survey_tabulate(test_resp, 3, &(struct cc_survey_tab_opts){ 0 }, &st,
		                             NULL),
		          ==, 0);
		in.surveys = &sv;
		in.n_surveys = 1;
		for (int md = 0; md < 2; md++) {
			for (n = 0; n < 100000; n++) {
				struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT);
				struct cc_err err = { 0 };

				cc_test_fail_alloc_after(n);
				ret = md ? cc_report_md(&in, &out, &err) : cc_report_html(&in, &out, &err);
				cc_test_fail_alloc_after(-1);
				if (ret == 0) {
					check(strstr(out.buf, "Plan review") != NULL);
					cc_buf_release(&out);
					break;
				}
				check_int(ret, ==, CC_ENOMEM);
				check_int(out.len, ==, 0);
				cc_buf_release(&out);
			}
			check_int(ret, ==, 0);
			check_int(n, >, 3);
		}
		cc_survey_table_release(&st);
		cc_review_release(&rv);
		cc_plan_release(&plan);
	}
	cc_free(pr);
	cc_coverage_release(&cov);
}

TEST(feedback_themes)
{
	/* by hand: security 3 + 2 = 5 items, 1 + 2 = 3 negative (60.0%); services 4, none;
	 * uncategorised 1, none; most items first */
	static const struct cc_feedback_count fc[] = {
		{ "security", "AF01", "2021-07", 3, 1 },
		{ "security", "AF02", "2021-08", 2, 2 },
		{ "", "", "2021-07", 1, 0 },
		{ "services <&>", "AF01", "2021-07", 4, 0 },
	};
	static const char *const want[3][4] = { { "security", "5", "3", "60.0%" },
		                                { "services <&>", "4", "0", "0.0%" },
		                                { "(uncategorised)", "1", "0", "0.0%" } };
	static char cells[8][MAX_CELLS][CELL_LEN];
	struct cc_report_input in = { .generated_on = "2021-10-05", .feedback = fc,
		                      .n_feedback = 4 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT), md = CC_BUF_INIT(CC_LIMIT_REPORT);
	htmlDocPtr doc;
	int n_rects, n_titles;

	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0) ||
	    !check_int(cc_report_md(&in, &md, NULL), ==, 0))
		goto out;
	doc = htmlReadMemory(out.buf, (int)out.len, "r.html", "UTF-8",
	                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (check(doc != NULL)) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		size_t n = body_rows(by_id(root, "feedback-table"), cells, 8);

		check(by_id(root, "feedback") != NULL);
		if (check_int(n, ==, 3))
			for (size_t k = 0; k < 3; k++)
				for (size_t c = 0; c < 4; c++)
					check_str(cells[k][c], want[k][c]);
		xmlFreeDoc(doc);
	}
	check(strstr(out.buf, "10 feedback items in 3 themes (their category); 3 negative") != NULL);
	/* the chart: two segments for security, one each for the others */
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 1);
	check_int(n_titles, ==, 4);
	check(strstr(md.buf, "| security | 5 | 3 | 60.0% |\n| services &lt;&amp;> | 4 | 0 | 0.0% |\n"
	                     "| (uncategorised) | 1 | 0 | 0.0% |\n") != NULL);
	check(strstr(md.buf, "10 feedback items in 3 themes") != NULL);
out:
	cc_buf_release(&out);
	cc_buf_release(&md);
}

TEST(survey_results)
{
	/* wave w1: yes (weight 1), yes (3), no (1), a don't know (2); wave w2: no (1), no (1).
	 * By hand: w1 yes = 4 / 5 = 80.0%, n 3, n_eff = 5² / 11 = 2.27 (small); w2 no = 100.0%. */
	static const struct cc_survey_response resp[] = {
		{ "w1", "yes", NA, 1, CC_ANSWERED }, { "w1", "yes", NA, 3, CC_ANSWERED },
		{ "w1", "no", NA, 1, CC_ANSWERED },  { "w1", "", NA, 2, CC_DONT_KNOW },
		{ "w2", "no", NA, 1, CC_ANSWERED },  { "w2", "no", NA, 1, CC_ANSWERED },
	};
	static char cells[8][MAX_CELLS][CELL_LEN];
	struct cc_survey_table t;
	struct cc_report_survey sv = { .question = "q_safe", .label = "Do you feel <safe>?" };
	struct cc_report_input in = { .generated_on = "2021-10-05", .surveys = &sv,
		                      .n_surveys = 1 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_REPORT), md = CC_BUF_INIT(CC_LIMIT_REPORT);
	htmlDocPtr doc;
	int n_rects, n_titles;
	double lo, hi;

	if (!check_int(cc_survey_tabulate(resp, 6, &(struct cc_survey_tab_opts){ .changes = true },
	                                  &t, NULL),
	               ==, 0))
		return;
	sv.table = &t;
	check(fabs(t.estimates[1].prop.p - 0.8) < 1e-12);
	check(fabs(t.estimates[1].prop.n_eff - 25.0 / 11) < 1e-12);
	if (!check_int(cc_report_html(&in, &out, NULL), ==, 0) ||
	    !check_int(cc_report_md(&in, &md, NULL), ==, 0))
		goto out;
	doc = htmlReadMemory(out.buf, (int)out.len, "r.html", "UTF-8",
	                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (check(doc != NULL)) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		size_t n = body_rows(by_id(root, "survey-table-0"), cells, 8);

		check(by_id(root, "surveys") != NULL);
		if (check_int(n, ==, t.n_estimates)) {
			for (size_t k = 0; k < n; k++) {
				const struct cc_survey_estimate *e = &t.estimates[k];
				char want[64];

				check_str(cells[k][0], t.cells[e->cell].cell);
				check_str(cells[k][1], e->category);
				snprintf(want, sizeof(want), "%.1f%%", e->prop.p * 100);
				check_str(cells[k][2], want);
				snprintf(want, sizeof(want), "%.1f%%\xe2\x80\x93%.1f%%", e->prop.lo * 100,
				         e->prop.hi * 100);
				check_str(cells[k][3], want);
				snprintf(want, sizeof(want), "%zu", e->prop.n);
				check_str(cells[k][4], want);
			}
			/* by hand: w1 no, w1 yes, w2 no, w2 yes */
			check_str(cells[1][1], "yes");
			check_str(cells[1][2], "80.0%");
			check_str(cells[1][4], "3");
			check_str(cells[1][5], "2.3");
			check_str(cells[1][6], "small cell");
			check_str(cells[2][2], "100.0%");
			check(strstr(cells[2][6], "change +80.0 points") != NULL); /* 20% → 100% */
		}
		xmlFreeDoc(doc);
	}
	/* the interval of w1 yes, independently: Wilson on n_eff */
	check_int(cc_wilson(0.8, 25.0 / 11, 0.95, &lo, &hi, NULL), ==, 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "80.0%% | %.1f%%\xe2\x80\x93%.1f%% | 3 | 2.3 | small cell |",
		         lo * 100, hi * 100);
		check(strstr(md.buf, want) != NULL);
		snprintf(want, sizeof(want), "<title>w1: yes: 80.0%% (%.1f%%\xe2\x80\x93%.1f%%)</title>",
		         lo * 100, hi * 100);
		check(strstr(out.buf, want) != NULL);
	}
	check(strstr(out.buf, "q_safe: Do you feel &lt;safe&gt;?") != NULL);
	check(strstr(md.buf, "### q\\_safe: Do you feel &lt;safe>?") != NULL);
	/* the interval chart: one dot per estimate (w2 has yes at 0%), well-formed */
	check_int(t.n_estimates, ==, 4);
	check_int(parse_svgs(out.buf, &n_rects, &n_titles), ==, 1);
	check_int(count(out.buf, "<circle"), ==, 4);
out:
	cc_survey_table_release(&t);
	cc_buf_release(&out);
	cc_buf_release(&md);
}
