/*
 * Overlapping pairs as text table, CSV, JSON and GeoJSON (see <concord/report.h>): the one
 * formatter of `concord overlap` and GET /api/overlap.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/geojson.h>
#include <concord/overlap.h>
#include <concord/report.h>

#include "core/limits.h"

#include "core/banned.h"

/* The matching facts as words separated by sep. */
static int add_why(struct cc_buf *b, const struct cc_overlap_pair *p, const char *sep)
{
	char tmp[64];
	const char *w[8];
	int n = 0, ret = 0;

	w[n++] = (p->facts & CC_OV_SAME_SECTOR) ? "same sector" : "same category";
	if (p->facts & CC_OV_SAME_AREA)
		w[n++] = "same area";
	else if (p->facts & CC_OV_SAME_AREA_LVL)
		w[n++] = "same area at level";
	if (p->facts & CC_OV_NEAR) {
		snprintf(tmp, sizeof(tmp), "sites %.2f km apart", p->distance_km);
		w[n++] = tmp;
	}
	w[n++] = (p->facts & CC_OV_UNDATED) ? "no dates: assumed overlapping" : "dates overlap";
	if (p->facts & CC_OV_SAME_IMPL)
		w[n++] = "same implementing partner";
	for (int i = 0; i < n && ret == 0; i++) {
		ret = i ? cc_buf_adds(b, sep) : 0;
		if (ret == 0)
			ret = cc_buf_adds(b, w[i]);
	}
	return ret;
}

static int add_side_json(struct cc_buf *b, const char *key, const struct cc_overlap_activity *a)
{
	char d0[11], d1[11];
	int ret = cc_buf_addf(b, "\"%s\":{\"id\":%lld,\"org\":", key, (long long)a->id);

	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->org);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"sector\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->sector);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"pcode\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->pcode);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"title\":");
	if (ret == 0)
		ret = cc_buf_add_json_str(b, a->title);
	if (ret == 0)
		ret = cc_buf_addf(b, ",\"start\":\"%s\",\"end\":\"%s\"}",
		                  cc_date_format(a->start, d0), cc_date_format(a->end, d1));
	return ret;
}

/* The options, counts and rule of the result as JSON members, without braces. */
static int add_head_json(const struct cc_overlap *ov, struct cc_buf *b)
{
	return cc_buf_addf(b,
	                   "\"distance_km\":%g,\"min_score\":%g,\"level\":%d,"
	                   "\"n_activities\":%zu,\"n_undated\":%zu,\"n_candidates\":%zu,"
	                   "\"score_rule\":\"factor x (%.1f text + %.1f dates + %.1f place + "
	                   "%.1f people)\"",
	                   ov->opts.distance_km, ov->opts.min_score, ov->opts.level,
	                   ov->n_activities, ov->n_undated, ov->n_candidates, CC_OV_W_TEXT,
	                   CC_OV_W_DATES, CC_OV_W_PLACE, CC_OV_W_PEOPLE);
}

/* One pair as a JSON object. */
static int add_pair_json(const struct cc_overlap_input *in, const struct cc_overlap_pair *p,
                         struct cc_buf *b)
{
	int ret = cc_buf_addf(b, "{\"score\":%.6f,", p->score);

	if (ret == 0)
		ret = add_side_json(b, "a", &in->acts[p->a]);
	if (ret == 0)
		ret = cc_buf_adds(b, ",");
	if (ret == 0)
		ret = add_side_json(b, "b", &in->acts[p->b]);
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  ",\"parts\":{\"text\":%.6f,\"dates\":%.6f,\"place\":%.6f,"
		                  "\"people\":%.6f,\"factor\":%.2f},\"same_sector\":%s,"
		                  "\"same_area\":%s,\"same_area_at_level\":%s,\"undated\":%s,"
		                  "\"same_implementer\":%s,\"overlap_days\":",
		                  p->text, p->dates, p->place, p->people, p->factor,
		                  (p->facts & CC_OV_SAME_SECTOR) ? "true" : "false",
		                  (p->facts & CC_OV_SAME_AREA) ? "true" : "false",
		                  (p->facts & CC_OV_SAME_AREA_LVL) ? "true" : "false",
		                  (p->facts & CC_OV_UNDATED) ? "true" : "false",
		                  (p->facts & CC_OV_SAME_IMPL) ? "true" : "false");
	if (ret == 0)
		ret = p->overlap_days < 0 ? cc_buf_adds(b, "null")
		                          : cc_buf_addf(b, "%d", p->overlap_days);
	if (ret == 0)
		ret = isnan(p->distance_km)
		              ? cc_buf_adds(b, ",\"distance_km\":null")
		              : cc_buf_addf(b, ",\"distance_km\":%.3f", p->distance_km);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"why\":\"");
	if (ret == 0)
		ret = add_why(b, p, "; ");
	if (ret == 0)
		ret = cc_buf_adds(b, "\"}");
	return ret;
}

static int format_json(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                       struct cc_buf *b)
{
	int ret = cc_buf_addch(b, '{');

	if (ret == 0)
		ret = add_head_json(ov, b);
	if (ret == 0)
		ret = cc_buf_adds(b, ",\"pairs\":[");
	for (size_t i = 0; i < ov->n_pairs && ret == 0; i++) {
		if (i)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = add_pair_json(in, &ov->pairs[i], b);
	}
	if (ret == 0)
		ret = cc_buf_adds(b, "]}\n");
	return ret;
}

#define GEOMETRY_RULE                                                                           \
	"the sites of the two activities (a MultiPoint, a then b; a Point when only one has a " \
	"site); without sites the boundary of the area they share (the same area, else their "  \
	"area at the level); else null"

/* One feature per pair, its properties the pair's --json object. */
static int format_geojson(struct cc_store *st, const struct cc_overlap_input *in,
                          const struct cc_overlap *ov, struct cc_buf *b, struct cc_err *err)
{
	struct cc_geojson gj;
	int ret = cc_geojson_begin(&gj, b, st);

	if (ret == 0)
		ret = cc_buf_addch(b, ',');
	if (ret == 0)
		ret = add_head_json(ov, b);
	if (ret == 0 && (ret = cc_geojson_member(&gj, "geometry_rule")) == 0)
		ret = cc_buf_add_json_str(b, GEOMETRY_RULE);
	for (size_t i = 0; i < ov->n_pairs && ret == 0; i++) {
		const struct cc_overlap_pair *p = &ov->pairs[i];
		const struct cc_overlap_activity *x = &in->acts[p->a], *y = &in->acts[p->b];
		const double lat[2] = { x->lat, y->lat }, lon[2] = { x->lon, y->lon };
		int64_t area = 0;

		if ((ret = cc_geojson_feature(&gj)) < 0)
			break;
		if (p->facts & CC_OV_SAME_AREA)
			area = x->area_id;
		else if (p->facts & CC_OV_SAME_AREA_LVL)
			area = x->path[ov->opts.level];
		if ((!isnan(x->lat) && !isnan(x->lon)) || (!isnan(y->lat) && !isnan(y->lon)))
			ret = cc_geojson_points(&gj, lat, lon, 2);
		else if ((ret = cc_geojson_area(&gj, area, err)) < 0)
			break;
		if (ret == 0)
			ret = cc_geojson_properties(&gj);
		if (ret == 0)
			ret = add_pair_json(in, p, b);
		if (ret == 0)
			ret = cc_geojson_feature_end(&gj);
	}
	if (ret == 0)
		ret = cc_geojson_end(&gj);
	cc_geojson_release(&gj);
	if (ret < 0 && !err->code)
		cc_err_set(err, ret, ret == CC_ENOMEM ? "out of memory" : "result too large");
	return ret;
}

static int format_csv(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                      struct cc_buf *b)
{
	int ret = cc_buf_adds(b, "rank,score,id_a,org_a,id_b,org_b,sector_a,sector_b,pcode_a,"
	                         "pcode_b,text,dates,place,people,factor,overlap_days,"
	                         "distance_km,why,title_a,title_b\n");

	for (size_t i = 0; i < ov->n_pairs && ret == 0; i++) {
		const struct cc_overlap_pair *p = &ov->pairs[i];
		const struct cc_overlap_activity *a = &in->acts[p->a], *c = &in->acts[p->b];
		const char *f[6] = { a->org, c->org, a->sector, c->sector, a->pcode, c->pcode };

		ret = cc_buf_addf(b, "%zu,%.6f,%lld,", i + 1, p->score, (long long)a->id);
		for (int k = 0; k < 6 && ret == 0; k++) {
			if (k == 1)
				ret = cc_buf_addf(b, "%lld,", (long long)c->id);
			if (ret == 0)
				ret = cc_buf_add_csv(b, f[k]);
			if (ret == 0)
				ret = cc_buf_addch(b, ',');
		}
		if (ret == 0)
			ret = cc_buf_addf(b, "%.6f,%.6f,%.6f,%.6f,%.2f,", p->text, p->dates,
			                  p->place, p->people, p->factor);
		if (ret == 0 && p->overlap_days >= 0)
			ret = cc_buf_addf(b, "%d", p->overlap_days);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0 && !isnan(p->distance_km))
			ret = cc_buf_addf(b, "%.3f", p->distance_km);
		if (ret == 0)
			ret = cc_buf_adds(b, ",\"");
		if (ret == 0)
			ret = add_why(b, p, "; ");
		if (ret == 0)
			ret = cc_buf_adds(b, "\",");
		if (ret == 0)
			ret = cc_buf_add_csv(b, a->title);
		if (ret == 0)
			ret = cc_buf_addch(b, ',');
		if (ret == 0)
			ret = cc_buf_add_csv(b, c->title);
		if (ret == 0)
			ret = cc_buf_addch(b, '\n');
	}
	return ret;
}

static int format_table(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                        struct cc_buf *b)
{
	int ret = cc_buf_addf(b,
	                      "Overlap: same sector or category, overlapping dates, same area at "
	                      "level %d%s\nScore: factor x (%.1f text + %.1f dates + %.1f place + "
	                      "%.1f people); factor %.2f for the same category only\n\n",
	                      ov->opts.level, ov->opts.distance_km > 0 ? " or sites nearby" : "",
	                      CC_OV_W_TEXT, CC_OV_W_DATES, CC_OV_W_PLACE, CC_OV_W_PEOPLE,
	                      CC_OV_CATEGORY_FACTOR);

	if (ret == 0)
		ret = cc_buf_addf(b, "%4s %6s  %-22s %-22s %5s %5s %5s %5s  %s\n", "rank", "score",
		                  "A (org: title)", "B (org: title)", "text", "dates", "place",
		                  "peopl", "why");
	for (size_t i = 0; i < ov->n_pairs && ret == 0; i++) {
		const struct cc_overlap_pair *p = &ov->pairs[i];
		const struct cc_overlap_activity *a = &in->acts[p->a], *c = &in->acts[p->b];
		char sa[160], sb[160];

		snprintf(sa, sizeof(sa), "%s: %s", a->org, a->title);
		snprintf(sb, sizeof(sb), "%s: %s", c->org, c->title);
		ret = cc_buf_addf(b, "%4zu %6.3f  %-22.22s %-22.22s %5.2f %5.2f %5.2f %5.2f  ",
		                  i + 1, p->score, sa, sb, p->text, p->dates, p->place, p->people);
		if (ret == 0)
			ret = add_why(b, p, ", ");
		if (ret == 0)
			ret = cc_buf_addch(b, '\n');
	}
	if (ret == 0)
		ret = cc_buf_addf(b,
		                  "\n%zu pairs shown of %zu candidates among %zu activities "
		                  "(%zu without dates, assumed overlapping)\n",
		                  ov->n_pairs, ov->n_candidates, ov->n_activities, ov->n_undated);
	return ret;
}

/* Appends tmp to out when ret is 0; releases tmp; the error for ret otherwise. */
static int finish(struct cc_buf *tmp, int ret, struct cc_buf *out, struct cc_err *err)
{
	if (ret == 0 && (ret = cc_buf_add(out, tmp->buf, tmp->len)) < 0)
		cc_err_set(err, ret,
		           ret == CC_ENOMEM ? "out of memory" : "overlap output too large");
	else if (ret == CC_ENOMEM && !err->code)
		cc_err_set(err, ret, "out of memory formatting overlap");
	else if (ret < 0 && !err->code)
		cc_err_set(err, ret, "overlap output exceeds %u bytes",
		           (unsigned)CC_LIMIT_TEXT_OUT);
	cc_buf_release(tmp);
	return ret;
}

int cc_overlap_format(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                      enum cc_format fmt, struct cc_buf *out, struct cc_err *err)
{
	struct cc_buf tmp = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	int ret;

	switch (fmt) {
	case CC_FORMAT_JSON:
		ret = format_json(in, ov, &tmp);
		break;
	case CC_FORMAT_CSV:
		ret = format_csv(in, ov, &tmp);
		break;
	case CC_FORMAT_TABLE:
		ret = format_table(in, ov, &tmp);
		break;
	default: /* not an enum cc_format value at all */
		cc_buf_release(&tmp);
		return cc_err_set(err, CC_EINVALID, "unknown output format %d", (int)fmt);
	}
	return finish(&tmp, ret, out, err);
}

int cc_overlap_geojson(const struct cc_overlap_input *in, const struct cc_overlap *ov,
                       struct cc_store *st, struct cc_buf *out, struct cc_err *err)
{
	struct cc_buf tmp = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);

	return finish(&tmp, format_geojson(st, in, ov, &tmp, err), out, err);
}
