#include <concord/report.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/limits.h"
#include "report/svg.h"

#include "core/banned.h"

/* One coverage result as a text table, CSV or JSON (see include/concord/report.h). */

const char *cc_coverage_by_name(enum cc_coverage_by by)
{
	switch (by) {
	case CC_BY_PILLAR:
		return "pillar";
	case CC_BY_SECTOR:
		return "sector";
	case CC_BY_CLUSTER:
		return "cluster";
	}
	return "unknown";
}

/* ---- text table ---- */

static size_t maxz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Display width of s as put_text writes it. */
static size_t text_cols(const char *s)
{
	return cc__text_width(s);
}

/* Writes s with control characters and invalid bytes as '?', padded with spaces to width. */
static void put_text(struct cc__out *o, const char *s, size_t width)
{
	size_t len = strlen(s), cols = 0, i = 0, run = 0;

	while (i < len) {
		bool bad;
		size_t w, k = cc__text_char(s + i, len - i, &w, &bad);

		if (bad) {
			cc__out_add(o, s + run, i - run);
			cc__out_adds(o, "?");
			run = i + k;
		}
		cols += w;
		i += k;
	}
	cc__out_add(o, s + run, i - run);
	for (; cols < width; cols++)
		cc__out_adds(o, " ");
}

static void put_right(struct cc__out *o, const char *s, size_t width)
{
	for (size_t n = strlen(s); n < width; n++)
		cc__out_adds(o, " ");
	cc__out_adds(o, s);
}

static void cell_text(char *buf, size_t n, size_t acts, size_t orgs)
{
	if (acts == 0 && orgs == 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%zu/%zu", acts, orgs);
}

#define GAP "  "

static int format_table(struct cc__out *o, const struct cc_coverage *cov)
{
	size_t *widths = cc_alloc_array(cov->n_columns + 1, sizeof(*widths));
	size_t w_code = strlen("P-code"), w_name = strlen("Area"), total_w, n_cols = cov->n_columns;
	char cell[48];

	if (!widths)
		return CC_ENOMEM;
	for (size_t c = 0; c < n_cols; c++)
		widths[c] = text_cols(cov->columns[c].code);
	widths[n_cols] = strlen("Total");
	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		w_code = maxz(w_code, text_cols(row->pcode));
		w_name = maxz(w_name, text_cols(row->name));
		for (size_t c = 0; c < n_cols; c++) {
			cell_text(cell, sizeof(cell), row->cells[c].n_activities,
			          row->cells[c].n_orgs);
			widths[c] = maxz(widths[c], strlen(cell));
		}
		cell_text(cell, sizeof(cell), row->n_activities, row->n_orgs);
		widths[n_cols] = maxz(widths[n_cols], strlen(cell));
	}
	for (size_t c = 0; c < n_cols; c++) {
		cell_text(cell, sizeof(cell), cov->col_totals[c].n_activities,
		          cov->col_totals[c].n_orgs);
		widths[c] = maxz(widths[c], strlen(cell));
	}
	cell_text(cell, sizeof(cell), cov->n_activities, cov->n_orgs);
	widths[n_cols] = maxz(widths[n_cols], strlen(cell));

	/* header and rule */
	put_text(o, "P-code", w_code + strlen(GAP));
	put_text(o, "Area", w_name);
	total_w = w_code + strlen(GAP) + w_name;
	for (size_t c = 0; c < n_cols; c++) {
		size_t tw = text_cols(cov->columns[c].code);

		cc__out_adds(o, GAP);
		for (; tw < widths[c]; tw++)
			cc__out_adds(o, " ");
		put_text(o, cov->columns[c].code, 0);
		total_w += strlen(GAP) + widths[c];
	}
	cc__out_adds(o, GAP);
	put_right(o, "Total", widths[n_cols]);
	total_w += strlen(GAP) + widths[n_cols];
	cc__out_adds(o, "\n");
	for (size_t i = 0; i < total_w; i++)
		cc__out_adds(o, "-");
	cc__out_adds(o, "\n");

	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		put_text(o, row->pcode, w_code + strlen(GAP));
		put_text(o, row->name, w_name);
		for (size_t c = 0; c < n_cols; c++) {
			cell_text(cell, sizeof(cell), row->cells[c].n_activities,
			          row->cells[c].n_orgs);
			cc__out_adds(o, GAP);
			put_right(o, cell, widths[c]);
		}
		cell_text(cell, sizeof(cell), row->n_activities, row->n_orgs);
		cc__out_adds(o, GAP);
		put_right(o, cell, widths[n_cols]);
		cc__out_adds(o, "\n");
	}

	for (size_t i = 0; i < total_w; i++)
		cc__out_adds(o, "-");
	cc__out_adds(o, "\n");
	put_text(o, "", w_code + strlen(GAP));
	put_text(o, "Total", w_name);
	for (size_t c = 0; c < n_cols; c++) {
		cell_text(cell, sizeof(cell), cov->col_totals[c].n_activities,
		          cov->col_totals[c].n_orgs);
		cc__out_adds(o, GAP);
		put_right(o, cell, widths[c]);
	}
	cell_text(cell, sizeof(cell), cov->n_activities, cov->n_orgs);
	cc__out_adds(o, GAP);
	put_right(o, cell, widths[n_cols]);
	cc__out_adds(o, "\n");
	cc_free(widths);
	return 0;
}

/* ---- CSV ---- */

static void csv_figure(struct cc__out *o, double v)
{
	cc__out_adds(o, ",");
	if (!isnan(v))
		cc__out_num(o, v);
}

static void format_csv(struct cc__out *o, const struct cc_coverage *cov)
{
	cc__out_adds(o, "pcode,name,level,unspecified,column,activities,organisations,targeted,"
	                "reached\n");
	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		for (size_t c = 0; c < cov->n_columns; c++) {
			const struct cc_coverage_cell *cell = &row->cells[c];

			cc__out_csv(o, row->pcode);
			cc__out_adds(o, ",");
			cc__out_csv(o, row->name);
			cc__out_addf(o, ",%d,%s,", row->level, row->unspecified ? "true" : "false");
			cc__out_csv(o, cov->columns[c].code);
			cc__out_addf(o, ",%zu,%zu", cell->n_activities, cell->n_orgs);
			csv_figure(o, cell->targeted);
			csv_figure(o, cell->reached);
			cc__out_adds(o, "\n");
		}
	}
}

/* ---- JSON ---- */

static void json_figure(struct cc__out *o, const char *key, double v)
{
	cc__out_addf(o, ", \"%s\": ", key);
	if (isnan(v))
		cc__out_adds(o, "null");
	else
		cc__out_num(o, v);
}

static void json_cells(struct cc__out *o, const struct cc_coverage *cov,
                       const struct cc_coverage_cell *cells)
{
	cc__out_adds(o, "[");
	for (size_t c = 0; c < cov->n_columns; c++) {
		cc__out_adds(o, c ? ", {\"column\": " : "{\"column\": ");
		cc__out_json(o, cov->columns[c].code);
		cc__out_addf(o, ", \"activities\": %zu, \"organisations\": %zu",
		             cells[c].n_activities, cells[c].n_orgs);
		json_figure(o, "targeted", cells[c].targeted);
		json_figure(o, "reached", cells[c].reached);
		cc__out_adds(o, "}");
	}
	cc__out_adds(o, "]");
}

static void format_json(struct cc__out *o, const struct cc_coverage *cov)
{
	cc__out_addf(o, "{\n  \"level\": %d,\n  \"by\": ", cov->level);
	cc__out_json(o, cc_coverage_by_name(cov->by));
	cc__out_addf(o, ",\n  \"releasability\": \"%s\",\n  \"n_records\": %zu,\n  \"columns\": [",
	             cc_rel_name(cov->marking), cov->n_records);
	for (size_t c = 0; c < cov->n_columns; c++) {
		cc__out_adds(o, c ? ",\n    {\"code\": " : "\n    {\"code\": ");
		cc__out_json(o, cov->columns[c].code);
		cc__out_adds(o, ", \"name\": ");
		cc__out_json(o, cov->columns[c].name);
		cc__out_adds(o, "}");
	}
	cc__out_adds(o, cov->n_columns ? "\n  ],\n  \"rows\": [" : "],\n  \"rows\": [");
	for (size_t r = 0; r < cov->n_rows; r++) {
		const struct cc_coverage_row *row = &cov->rows[r];

		cc__out_addf(o, "%s\n    {\"area_id\": %lld, \"pcode\": ", r ? "," : "",
		             (long long)row->area_id);
		cc__out_json(o, row->pcode);
		cc__out_adds(o, ", \"name\": ");
		cc__out_json(o, row->name);
		cc__out_addf(o,
		             ", \"level\": %d, \"unspecified\": %s,\n     \"cells\": ", row->level,
		             row->unspecified ? "true" : "false");
		json_cells(o, cov, row->cells);
		cc__out_addf(o,
		             ",\n     \"totals\": {\"activities\": %zu, \"organisations\": %zu}}",
		             row->n_activities, row->n_orgs);
	}
	cc__out_adds(o, cov->n_rows ? "\n  ],\n" : "],\n");
	cc__out_addf(o,
	             "  \"totals\": {\"activities\": %zu, \"organisations\": %zu,\n    \"cells\": ",
	             cov->n_activities, cov->n_orgs);
	json_cells(o, cov, cov->col_totals);
	cc__out_adds(o, "}\n}\n");
}

int cc_coverage_format(const struct cc_coverage *cov, enum cc_format fmt, struct cc_buf *out,
                       struct cc_err *err)
{
	struct cc__out o;
	int ret = 0;

	cc__out_init(&o, CC_LIMIT_TEXT_OUT);
	switch (fmt) {
	case CC_FORMAT_TABLE:
		ret = format_table(&o, cov);
		break;
	case CC_FORMAT_CSV:
		format_csv(&o, cov);
		break;
	case CC_FORMAT_JSON:
		format_json(&o, cov);
		break;
	default: /* not an enum cc_format value at all */
		cc_buf_release(&o.buf);
		return cc_err_set(err, CC_EINVALID, "unknown output format %d", (int)fmt);
	}
	if (ret < 0 && o.ret == 0)
		o.ret = ret;
	ret = cc__out_finish(&o, out);
	if (ret == CC_ETOOBIG)
		return cc_err_set(err, ret, "coverage output exceeds %u bytes",
		                  (unsigned)CC_LIMIT_TEXT_OUT);
	if (ret < 0)
		return cc_err_set(err, ret, "out of memory formatting coverage");
	return 0;
}
