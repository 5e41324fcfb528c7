/*
 * A roll-up of indicators to an admin level as JSON (see <concord/report.h>): the one formatter
 * of `concord rollup --json` and GET /api/rollup.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <concord/buf.h>
#include <concord/indicators.h>
#include <concord/report.h>
#include <concord/rollup.h>

#include "core/limits.h"

#include "core/banned.h"

static int str(struct cc_buf *b, const char *key, const char *s)
{
	int ret = cc_buf_addf(b, ",\"%s\":", key);

	return ret == 0 ? cc_buf_add_json_str(b, s) : ret;
}

static int date(struct cc_buf *b, const char *key, int32_t d)
{
	char dt[11];

	if (d == CC_DATE_NONE)
		return cc_buf_addf(b, ",\"%s\":null", key);
	return cc_buf_addf(b, ",\"%s\":\"%s\"", key, cc_date_format(d, dt));
}

/* ",\"key\":[P-code, …]" of the areas at the indices of list. */
static int codes(struct cc_buf *b, const char *key, const struct cc_area *areas, const size_t *list,
                 size_t n)
{
	int ret = cc_buf_addf(b, ",\"%s\":[", key);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_json_str(b, areas[list[i]].pcode);
	}
	return ret == 0 ? cc_buf_addch(b, ']') : ret;
}

static int result_json(struct cc_buf *b, const struct cc_indicator_data *d,
                       const struct cc_area *areas, const struct cc_rollup_result *r)
{
	const struct cc_indicator *ind = &d->indicators[r->indicator];
	int ret = cc_buf_adds(b, "{\"indicator\":");

	if (ret == 0)
		ret = cc_buf_add_json_str(b, ind->code);
	if (ret == 0)
		ret = str(b, "pillar", ind->pillar);
	if (ret == 0)
		ret = str(b, "aggregation", cc_aggregation_name(ind->aggregation));
	if (ret == 0)
		ret = str(b, "area", areas[r->area].pcode);
	if (ret == 0)
		ret = str(b, "name", areas[r->area].name);
	if (ret == 0)
		ret = str(b, "sex", r->sex);
	if (ret == 0)
		ret = str(b, "age_group", r->age_group);
	if (ret == 0)
		ret = isnan(r->value) ? cc_buf_adds(b, ",\"value\":null")
		                      : cc_buf_addf(b, ",\"value\":%.6g", r->value);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"how\":\"%s\",\"n_used\":%zu,\"n_children\":%zu",
		                  cc_rollup_how_name(r->how), r->n_used, r->n_children);
	if (ret == 0)
		ret = r->source == SIZE_MAX ? cc_buf_adds(b, ",\"source\":null")
		                            : str(b, "source", areas[r->source].pcode);
	if (ret == 0)
		ret = date(b, "date_min", r->date_min);
	if (ret == 0)
		ret = date(b, "date_max", r->date_max);
	if (ret == 0)
		ret = codes(b, "missing", areas, r->missing, r->n_missing);
	if (ret == 0)
		ret = codes(b, "no_population", areas, r->no_population, r->n_no_population);
	return ret == 0 ? cc_buf_addch(b, '}') : ret;
}

int cc_rollup_format_json(const struct cc_indicator_data *data, const struct cc_area *areas,
                          const struct cc_rollup *ru, int level, int32_t at, struct cc_buf *out,
                          struct cc_err *err)
{
	struct cc_buf b = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret = cc_buf_addf(&b, "{\"level\":%d", level);

	if (ret == 0)
		ret = date(&b, "as_of", at);
	if (ret == 0)
		ret = cc_buf_adds(&b, ",\"results\":[");
	for (size_t i = 0; ret == 0 && i < ru->n_results; i++) {
		if (i)
			ret = cc_buf_addch(&b, ',');
		if (ret == 0)
			ret = result_json(&b, data, areas, &ru->results[i]);
	}
	if (ret == 0)
		ret = cc_buf_adds(&b, "]}\n");
	if (ret == 0)
		ret = cc_buf_add(out, b.buf, b.len);
	cc_buf_release(&b);
	if (ret == CC_ENOMEM)
		return cc_err_set(err, ret, "out of memory formatting the roll-up");
	if (ret < 0)
		return cc_err_set(err, ret, "roll-up output exceeds %u bytes",
		                  (unsigned)CC_LIMIT_TEXT_OUT);
	return 0;
}
