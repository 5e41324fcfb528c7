/* concord overlap: duplicated effort, pairs of similar activities of different organisations */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <concord/buf.h>
#include <concord/geojson.h>
#include <concord/overlap.h>
#include <concord/report.h>
#include <concord/text.h>

#include "cli/cli.h"
#include "core/limits.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

struct overlap_args {
	struct cc_overlap_opts o;
	enum cc_format fmt;
	bool geojson; /* with fmt CC_FORMAT_JSON */
};

static int parse_args(struct cli *cli, int argc, char **argv, struct overlap_args *a)
{
	enum { O_DISTANCE = 256, O_MIN_SCORE, O_LEVEL, O_JSON, O_CSV, O_GEOJSON };
	static const struct option longopts[] = {
		{ "distance", required_argument, NULL, O_DISTANCE },
		{ "min-score", required_argument, NULL, O_MIN_SCORE },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "geojson", no_argument, NULL, O_GEOJSON },
		{ NULL, 0, NULL, 0 },
	};
	struct cc_err err = { 0 };
	int64_t v;
	int opt;

	*a = (struct overlap_args){ .o = { .distance_km = 0, .min_score = 0, .level = 2 },
		                    .fmt = CC_FORMAT_TABLE };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_DISTANCE:
			if (cc_parse_double(optarg, &a->o.distance_km, &err) < 0)
				return cli_usage(cli, "--distance: %s", err.msg);
			if (!(a->o.distance_km >= 0 && a->o.distance_km <= 1000))
				return cli_usage(cli, "--distance: 0 to 1000 km");
			break;
		case O_MIN_SCORE:
			if (cc_parse_double(optarg, &a->o.min_score, &err) < 0)
				return cli_usage(cli, "--min-score: %s", err.msg);
			if (!(a->o.min_score >= 0 && a->o.min_score <= 1))
				return cli_usage(cli, "--min-score: 0 to 1");
			break;
		case O_LEVEL:
			if (cc_parse_i64(optarg, 0, CC_OV_LEVELS - 1, &v, &err) < 0)
				return cli_usage(cli, "--level: %s", err.msg);
			a->o.level = (int)v;
			break;
		case O_JSON:
			a->fmt = CC_FORMAT_JSON;
			a->geojson = false;
			break;
		case O_CSV:
			a->fmt = CC_FORMAT_CSV;
			a->geojson = false;
			break;
		case O_GEOJSON:
			a->fmt = CC_FORMAT_JSON;
			a->geojson = true;
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

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
static int format_geojson(struct cli *cli, const struct cc_overlap_input *in,
                          const struct cc_overlap *ov, struct cc_buf *b, struct cc_err *err)
{
	struct cc_geojson gj;
	int ret = cc_geojson_begin(&gj, b, cli->st);

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

int cmd_overlap(struct cli *cli, int argc, char **argv)
{
	struct overlap_args a;
	struct cc_overlap_input in = { 0 };
	struct cc_overlap ov = { 0 };
	struct cc_buf out = CC_BUF_INIT(CC_LIMIT_TEXT_OUT);
	struct cc_err err = { 0 };
	struct cc_mission m;
	int ret;

	ret = parse_args(cli, argc, argv, &a);
	if (ret != CLI_OK)
		return ret;
	ret = cc_store_get_mission(cli->st, cli->mission, &m, &err);
	if (ret == 0)
		ret = cc_store_load_overlap(cli->st, m.id, &in, &err);
	if (ret == 0)
		ret = cc_overlap_compute(in.acts, in.n, &a.o, &ov, &err);
	if (ret == 0) {
		switch (a.fmt) {
		case CC_FORMAT_JSON:
			ret = a.geojson ? format_geojson(cli, &in, &ov, &out, &err)
			                : format_json(&in, &ov, &out);
			break;
		case CC_FORMAT_CSV:
			ret = format_csv(&in, &ov, &out);
			break;
		case CC_FORMAT_TABLE:
			ret = format_table(&in, &ov, &out);
			break;
		}
		if (ret < 0 && !err.code)
			cc_err_set(&err, ret, "cannot format the result");
	}
	cc_overlap_release(&ov);
	cc_overlap_input_release(&in);
	if (ret < 0) {
		cc_buf_release(&out);
		return cli_fail(&err);
	}
	ret = cli_write(out.buf, out.len);
	cc_buf_release(&out);
	return ret;
}
