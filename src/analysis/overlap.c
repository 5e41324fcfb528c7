/*
 * Overlap (duplicated effort): blocked candidate pairs and their scores. See
 * <concord/overlap.h> for the rules; this file only implements them.
 */
#include <concord/overlap.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/model.h>
#include <concord/text.h>

#include "core/banned.h"

#define PI      3.14159265358979323846
#define UNDATED INT32_MIN

double cc_overlap_km(double lat1, double lon1, double lat2, double lon2)
{
	double r = PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
	double h = sin(dlat / 2) * sin(dlat / 2) +
	           cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);

	if (h > 1)
		h = 1;
	return 2 * CC_OV_EARTH_R * asin(sqrt(h));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int32_t floordiv(int32_t a, int32_t b)
{
	int32_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Per activity: the keys of the blocking. */
struct prep {
	int64_t area;       /* area key at the level, 0 none */
	int64_t cat;        /* 0: no sector, in no pair */
	int32_t start, end; /* normalised: start <= end; UNDATED when not both known */
	bool site;
};

struct ent {
	int64_t k1, k2; /* area key or grid cell parts; category */
	int64_t k3;     /* lon cell in the grid pass, 0 in the area pass */
	int32_t bucket; /* UNDATED for undated */
	uint32_t idx;
};

static int cmp_ent(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k3 != b->k3)
		return a->k3 < b->k3 ? -1 : 1;
	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct ctx {
	const struct cc_overlap_activity *acts;
	struct prep *p;
	const struct cc_overlap_opts *o;
	struct cc_overlap_pair *pairs;
	size_t n_pairs, cap;
};

static int add_pair(struct ctx *c, uint32_t i, uint32_t j, double dist)
{
	struct cc_overlap_pair *q;

	if (c->acts[i].org_id == c->acts[j].org_id)
		return 0;
	if (c->n_pairs == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 256;
		void *np = cc_realloc(c->pairs, nc * sizeof(*c->pairs));

		if (!np)
			return CC_ENOMEM;
		c->pairs = np;
		c->cap = nc;
	}
	q = &c->pairs[c->n_pairs++];
	memset(q, 0, sizeof(*q));
	if (c->acts[i].id > c->acts[j].id || (c->acts[i].id == c->acts[j].id && i > j)) {
		uint32_t t = i;

		i = j;
		j = t;
	}
	q->a = i;
	q->b = j;
	q->distance_km = dist;
	return 0;
}

static bool dates_meet(const struct prep *a, const struct prep *b, int32_t bucket)
{
	int32_t s = a->start > b->start ? a->start : b->start;

	if (a->start > b->end || b->start > a->end)
		return false;
	return floordiv(s, CC_OV_BUCKET_DAYS) == bucket;
}

static size_t make_entries(struct ctx *c, size_t n, struct ent *e, bool grid, double cd)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const struct prep *p = &c->p[i];
		struct ent t = { .k2 = p->cat, .idx = (uint32_t)i };

		if (!p->cat)
			continue;
		if (grid) {
			if (!p->site)
				continue;
			t.k1 = (int64_t)floor((c->acts[i].lat + 90) / cd);
			t.k3 = (int64_t)floor((c->acts[i].lon + 180) / cd);
		} else {
			if (!p->area)
				continue;
			t.k1 = p->area;
		}
		if (p->start == UNDATED) {
			t.bucket = UNDATED;
			e[m++] = t;
			continue;
		}
		for (int32_t b = floordiv(p->start, CC_OV_BUCKET_DAYS);
		     b <= floordiv(p->end, CC_OV_BUCKET_DAYS); b++) {
			t.bucket = b;
			e[m++] = t;
		}
	}
	return m;
}

/* Area pass: the entries of one area × category are contiguous. */
static int area_pass(struct ctx *c, const struct ent *e, size_t m)
{
	int ret = 0;

	for (size_t g0 = 0; g0 < m && ret == 0;) {
		size_t g1 = g0, u1, b0;

		while (g1 < m && e[g1].k1 == e[g0].k1 && e[g1].k2 == e[g0].k2)
			g1++;
		u1 = g0;
		while (u1 < g1 && e[u1].bucket == UNDATED)
			u1++;
		/* undated × undated */
		for (size_t x = g0; x < u1 && ret == 0; x++)
			for (size_t y = x + 1; y < u1 && ret == 0; y++)
				ret = add_pair(c, e[x].idx, e[y].idx, NAN);
		/* undated × dated, at the dated one's first bucket */
		for (size_t y = u1; y < g1 && ret == 0; y++) {
			const struct prep *p = &c->p[e[y].idx];

			if (e[y].bucket != floordiv(p->start, CC_OV_BUCKET_DAYS))
				continue;
			for (size_t x = g0; x < u1 && ret == 0; x++)
				ret = add_pair(c, e[x].idx, e[y].idx, NAN);
		}
		/* dated × dated within each bucket */
		for (b0 = u1; b0 < g1 && ret == 0;) {
			size_t b1 = b0;

			while (b1 < g1 && e[b1].bucket == e[b0].bucket)
				b1++;
			for (size_t x = b0; x < b1 && ret == 0; x++)
				for (size_t y = x + 1; y < b1 && ret == 0; y++)
					if (dates_meet(&c->p[e[x].idx], &c->p[e[y].idx],
					               e[x].bucket))
						ret = add_pair(c, e[x].idx, e[y].idx, NAN);
			b0 = b1;
		}
		g0 = g1;
	}
	return ret;
}

/* The first entry >= key in e (by category, lat cell, lon cell, bucket). */
static size_t lower(const struct ent *e, size_t m, const struct ent *key)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_ent(&e[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int near_pair(struct ctx *c, uint32_t i, uint32_t j)
{
	const struct cc_overlap_activity *a = &c->acts[i], *b = &c->acts[j];
	double d;

	if (c->p[i].area && c->p[i].area == c->p[j].area)
		return 0; /* found by the area pass */
	d = cc_overlap_km(a->lat, a->lon, b->lat, b->lon);
	return d <= c->o->distance_km ? add_pair(c, i, j, d) : 0;
}

/* Grid pass: for each entry, the neighbouring cells of the same category and bucket. */
static int grid_pass(struct ctx *c, const struct ent *e, size_t m, double cd)
{
	double delta = c->o->distance_km / CC_OV_EARTH_R, delta_deg = delta * 180 / PI;
	int64_t n_lon = (int64_t)ceil(360 / cd);
	int ret = 0;

	for (size_t x = 0; x < m && ret == 0; x++) {
		const struct cc_overlap_activity *a = &c->acts[e[x].idx];
		const struct prep *p = &c->p[e[x].idx];
		int64_t la0 = (int64_t)floor((fmax(a->lat - delta_deg, -90) + 90) / cd),
		        la1 = (int64_t)floor((fmin(a->lat + delta_deg, 90) + 90) / cd);
		int64_t lo0, lo1;
		bool first =
		        p->start != UNDATED && e[x].bucket == floordiv(p->start, CC_OV_BUCKET_DAYS);

		if (fabs(a->lat) + delta_deg >= 89.999) {
			lo0 = 0;
			lo1 = n_lon - 1;
		} else {
			double s = sin(delta) / cos(a->lat * PI / 180);
			double dl = s >= 1 ? 180 : asin(s) * 180 / PI;

			lo0 = (int64_t)floor((a->lon - dl + 180) / cd);
			lo1 = (int64_t)floor((a->lon + dl + 180) / cd);
			if (lo1 - lo0 + 1 >= n_lon) {
				lo0 = 0;
				lo1 = n_lon - 1;
			}
		}
		for (int64_t la = la0; la <= la1 && ret == 0; la++) {
			for (int64_t lo = lo0; lo <= lo1 && ret == 0; lo++) {
				int64_t w = ((lo % n_lon) + n_lon) % n_lon;
				/* the same bucket; for a dated entry at its first bucket also the
				   undated ones */
				for (int pass = 0; pass < 2 && ret == 0; pass++) {
					int32_t bk = pass == 0 ? e[x].bucket : UNDATED;
					struct ent key = { .k1 = la,
						           .k2 = e[x].k2,
						           .k3 = w,
						           .bucket = bk,
						           .idx = 0 };
					size_t y;

					if (pass == 1 && !first)
						break;
					for (y = lower(e, m, &key);
					     y < m && ret == 0 && e[y].k2 == key.k2 &&
					     e[y].k1 == la && e[y].k3 == w && e[y].bucket == bk;
					     y++) {
						uint32_t i = e[x].idx, j = e[y].idx;

						if (pass == 1) {
							ret = near_pair(c, i, j);
						} else if (bk == UNDATED) {
							if (i < j)
								ret = near_pair(c, i, j);
						} else if (i < j && dates_meet(p, &c->p[j], bk)) {
							ret = near_pair(c, i, j);
						}
					}
				}
			}
		}
	}
	return ret;
}

/* ---- text ---- */

struct tok {
	uint32_t id;
	float w;
};

struct tfidf {
	size_t *off; /* n + 1 */
	struct tok *t;
};

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int build_tfidf(const struct cc_overlap_activity *acts, size_t n, struct tfidf *tf,
                       struct cc_err *err)
{
	struct cc_map dict = CC_MAP_INIT;
	struct cc_buf in = CC_BUF_INIT(0), norm = CC_BUF_INIT(0);
	uint32_t *ids = NULL, *df = NULL;
	size_t n_ids = 0, cap_ids = 0, n_terms = 0;
	int ret = 0;

	tf->off = cc_alloc_array(n + 1, sizeof(*tf->off));
	if (!tf->off)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	tf->off[0] = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		size_t k0 = n_ids;
		char *s;

		cc_buf_clear(&in);
		ret = cc_buf_adds(&in, acts[i].title ? acts[i].title : "");
		if (ret == 0)
			ret = cc_buf_addch(&in, ' ');
		if (ret == 0)
			ret = cc_buf_adds(&in, acts[i].description ? acts[i].description : "");
		if (ret == 0)
			ret = cc_text_norm(in.buf, &norm);
		if (ret == CC_EPARSE) {
			ret = cc_err_set(err, CC_EPARSE, "activity %lld: text is not UTF-8",
			                 (long long)acts[i].id);
			break;
		}
		if (ret < 0)
			break;
		for (s = norm.buf; *s && ret == 0;) {
			char *sp = strchr(s, ' ');
			int64_t v;

			if (sp)
				*sp = '\0';
			if (*s) {
				if (cc_map_get(&dict, s, &v) < 0) {
					v = (int64_t)n_terms;
					ret = cc_map_put(&dict, s, v);
					if (ret == 0)
						n_terms++;
				}
				if (ret == 0 && n_ids == cap_ids) {
					size_t nc = cap_ids ? cap_ids * 2 : 1024;
					void *np = cc_realloc(ids, nc * sizeof(*ids));

					if (!np)
						ret = CC_ENOMEM;
					else {
						ids = np;
						cap_ids = nc;
					}
				}
				if (ret == 0)
					ids[n_ids++] = (uint32_t)v;
			}
			s = sp ? sp + 1 : s + strlen(s);
		}
		if (ret == 0 && n_ids > k0)
			qsort(ids + k0, n_ids - k0, sizeof(*ids), cmp_u32);
		tf->off[i + 1] = n_ids;
	}
	cc_map_release(&dict);
	cc_buf_release(&in);
	cc_buf_release(&norm);
	if (ret == 0) {
		df = cc_calloc(n_terms + 1, sizeof(*df));
		tf->t = cc_alloc_array(n_ids + 1, sizeof(*tf->t));
		if (!df || !tf->t)
			ret = CC_ENOMEM;
	}
	if (ret < 0) {
		cc_free(ids);
		cc_free(df);
		if (ret == CC_ENOMEM)
			cc_err_set(err, CC_ENOMEM, "out of memory");
		return ret;
	}
	/* collapse each activity's sorted ids into (id, count); count df */
	{
		size_t w = 0;

		for (size_t i = 0; i < n; i++) {
			size_t k0 = tf->off[i], k1 = tf->off[i + 1];

			tf->off[i] = w;
			for (size_t k = k0; k < k1;) {
				size_t k2 = k;

				while (k2 < k1 && ids[k2] == ids[k])
					k2++;
				tf->t[w].id = ids[k];
				tf->t[w].w = (float)(k2 - k);
				df[ids[k]]++;
				w++;
				k = k2;
			}
		}
		tf->off[n] = w;
	}
	for (size_t i = 0; i < n; i++) {
		double norm2 = 0;

		for (size_t k = tf->off[i]; k < tf->off[i + 1]; k++) {
			double idf = log((1.0 + (double)n) / (1.0 + df[tf->t[k].id])) + 1;
			double v = (double)tf->t[k].w * idf;

			tf->t[k].w = (float)v;
			norm2 += v * v;
		}
		for (size_t k = tf->off[i]; k < tf->off[i + 1] && norm2 > 0; k++)
			tf->t[k].w = (float)((double)tf->t[k].w / sqrt(norm2));
	}
	cc_free(ids);
	cc_free(df);
	return 0;
}

static double cosine(const struct tfidf *tf, size_t a, size_t b)
{
	size_t x = tf->off[a], x1 = tf->off[a + 1], y = tf->off[b], y1 = tf->off[b + 1];
	double dot = 0;

	while (x < x1 && y < y1) {
		if (tf->t[x].id < tf->t[y].id)
			x++;
		else if (tf->t[x].id > tf->t[y].id)
			y++;
		else
			dot += (double)tf->t[x++].w * (double)tf->t[y++].w;
	}
	return dot > 1 ? 1 : dot;
}

static double people(const struct cc_overlap_activity *a)
{
	return !isnan(a->targeted) ? a->targeted : a->reached;
}

static void score(const struct ctx *c, const struct tfidf *tf, struct cc_overlap_pair *q)
{
	const struct cc_overlap_activity *a = &c->acts[q->a], *b = &c->acts[q->b];
	const struct prep *pa = &c->p[q->a], *pb = &c->p[q->b];
	double pp = people(a), pq = people(b);

	if (a->sector_id == b->sector_id)
		q->facts |= CC_OV_SAME_SECTOR;
	if (a->area_id && a->area_id == b->area_id)
		q->facts |= CC_OV_SAME_AREA;
	if (pa->area && pa->area == pb->area)
		q->facts |= CC_OV_SAME_AREA_LVL;
	if (pa->site && pb->site) {
		if (isnan(q->distance_km))
			q->distance_km = cc_overlap_km(a->lat, a->lon, b->lat, b->lon);
		if (c->o->distance_km > 0 && q->distance_km <= c->o->distance_km)
			q->facts |= CC_OV_NEAR;
	}
	if (a->impl_org_id && a->impl_org_id == b->impl_org_id)
		q->facts |= CC_OV_SAME_IMPL;
	if (pa->start == UNDATED || pb->start == UNDATED) {
		q->facts |= CC_OV_UNDATED;
		q->overlap_days = -1;
		q->dates = 0;
	} else {
		int32_t s = pa->start > pb->start ? pa->start : pb->start;
		int32_t e = pa->end < pb->end ? pa->end : pb->end;
		int32_t s0 = pa->start < pb->start ? pa->start : pb->start;
		int32_t e0 = pa->end > pb->end ? pa->end : pb->end;

		q->overlap_days = e - s + 1;
		q->dates = (double)q->overlap_days / ((double)e0 - s0 + 1);
	}
	q->place = (q->facts & CC_OV_SAME_AREA) ? 1 : (q->facts & CC_OV_SAME_AREA_LVL) ? 0.5 : 0;
	if ((q->facts & CC_OV_NEAR) && 1 - q->distance_km / c->o->distance_km > q->place)
		q->place = 1 - q->distance_km / c->o->distance_km;
	q->people = pp > 0 && pq > 0 ? fmin(pp, pq) / fmax(pp, pq) : 0;
	q->text = cosine(tf, q->a, q->b);
	q->factor = (q->facts & CC_OV_SAME_SECTOR) ? 1 : CC_OV_CATEGORY_FACTOR;
	q->score = q->factor * (CC_OV_W_TEXT * q->text + CC_OV_W_DATES * q->dates +
	                        CC_OV_W_PLACE * q->place + CC_OV_W_PEOPLE * q->people);
}

/* By score, then by the pair's indices (the input is by id, so by ids). */
static int cmp_pair(const void *x, const void *y)
{
	const struct cc_overlap_pair *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

int cc_overlap_compute(const struct cc_overlap_activity *acts, size_t n,
                       const struct cc_overlap_opts *opts, struct cc_overlap *out,
                       struct cc_err *err)
{
	struct ctx c = { .acts = acts, .o = opts };
	struct tfidf tf = { 0 };
	struct ent *e = NULL;
	size_t n_ent = 0, m;
	double cd = 0, t0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (opts->level < 0 || opts->level >= CC_OV_LEVELS)
		return cc_err_set(err, CC_EINVALID, "level must be 0 to %d", CC_OV_LEVELS - 1);
	if (!(opts->distance_km >= 0 && opts->distance_km <= 1000))
		return cc_err_set(err, CC_EINVALID, "distance must be 0 to 1000 km");
	if (isnan(opts->min_score))
		return cc_err_set(err, CC_EINVALID, "minimum score is not a number");
	if (n > UINT32_MAX)
		return cc_err_set(err, CC_EINVALID, "too many activities");
	t0 = now();
	out->opts = *opts;
	out->n_activities = n;
	c.p = cc_alloc_array(n + 1, sizeof(*c.p));
	if (!c.p)
		return cc_err_set(err, CC_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct cc_overlap_activity *a = &acts[i];
		struct prep *p = &c.p[i];

		p->area = a->area_level >= opts->level && a->path[opts->level]
		                  ? a->path[opts->level]
		                  : a->area_id;
		/* a sector without a category is its own; without a sector, no candidate: an
		 * unknown sector is no evidence of the same work */
		p->cat = a->category_id > 0 ? a->category_id : a->sector_id ? -1 - a->sector_id : 0;
		p->site = fabs(a->lat) <= 90 && fabs(a->lon) <= 180;
		if (a->start == CC_DATE_NONE || a->end == CC_DATE_NONE) {
			p->start = p->end = UNDATED;
			out->n_undated++;
		} else {
			p->start = a->start < a->end ? a->start : a->end;
			p->end = a->start < a->end ? a->end : a->start;
		}
		n_ent += p->start == UNDATED ? 1
		                             : (size_t)(floordiv(p->end, CC_OV_BUCKET_DAYS) -
		                                        floordiv(p->start, CC_OV_BUCKET_DAYS) + 1);
	}
	e = cc_alloc_array(n_ent + 1, sizeof(*e));
	if (!e) {
		ret = CC_ENOMEM;
		goto out_fail;
	}
	m = make_entries(&c, n, e, false, 0);
	qsort(e, m, sizeof(*e), cmp_ent);
	if ((ret = area_pass(&c, e, m)) < 0)
		goto out_fail;
	if (opts->distance_km > 0) {
		cd = opts->distance_km / (CC_OV_EARTH_R * PI / 180);
		if (cd < 1e-4)
			cd = 1e-4;
		m = make_entries(&c, n, e, true, cd);
		qsort(e, m, sizeof(*e), cmp_ent);
		if ((ret = grid_pass(&c, e, m, cd)) < 0)
			goto out_fail;
	}
	cc_free(e);
	e = NULL;
	out->n_candidates = c.n_pairs;
	out->t_candidates = now() - t0;
	t0 = now();
	if ((ret = build_tfidf(acts, n, &tf, err)) < 0)
		goto out_err;
	{
		size_t w = 0;

		for (size_t k = 0; k < c.n_pairs; k++) {
			score(&c, &tf, &c.pairs[k]);
			if (c.pairs[k].score >= opts->min_score)
				c.pairs[w++] = c.pairs[k];
		}
		c.n_pairs = w;
	}
	if (c.n_pairs > 1)
		qsort(c.pairs, c.n_pairs, sizeof(*c.pairs), cmp_pair);
	out->t_scoring = now() - t0;
	out->pairs = c.pairs;
	out->n_pairs = c.n_pairs;
	cc_free(tf.off);
	cc_free(tf.t);
	cc_free(c.p);
	return 0;

out_fail:
	cc_err_set(err, CC_ENOMEM, "out of memory");
out_err:
	cc_free(e);
	cc_free(tf.off);
	cc_free(tf.t);
	cc_free(c.p);
	cc_free(c.pairs);
	memset(out, 0, sizeof(*out));
	return ret;
}

void cc_overlap_release(struct cc_overlap *o)
{
	if (!o)
		return;
	cc_free(o->pairs);
	memset(o, 0, sizeof(*o));
}
