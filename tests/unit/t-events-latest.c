/*
 * What the SQLite store reads of incidents through the covering indexes of exposure
 * (src/store/sqlite_events.c). The latest incident's last day (cc_store_latest_incident),
 * found without an index on date_end: events of at most 31 days and longer ones, the one
 * ending last not being the one starting last, updates that move the end back, and random
 * sets checked against the maximum computed here over the same events. The read of a window
 * (cc_store_load_incidents): its box (tested on the values read, bounds included), window
 * and precision filters against a count made here over random events.
 */
#include <concord/alloc.h>
#include <concord/events.h>
#include <concord/exposure.h>
#include <concord/store.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testdir.h"

static struct cc_store *new_store(const char *name)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[160];

	(void)data; /* testdir.h's other helper, not needed here */
	if (!check_int(cc_store_open(&st, tmp_path(name, path),
	                             &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err),
	               ==, 0))
		printf("# %s\n", err.msg);
	return st;
}

/* Stores (or updates) UCDP event id at a point with a precision; returns put's result. */
static int put_at(struct cc_store *st, int id, int32_t first, int32_t last, double lat,
                  double lon, int geo_prec)
{
	char sid[32];
	struct cc_incident inc = { .source = "ucdp", .source_id = sid, .date = first,
		                   .date_end = last, .type = "state-based", .sub_type = "",
		                   .actor1 = "a", .actor2 = "b", .lat = lat, .lon = lon,
		                   .geo_prec = geo_prec, .fatalities = 1, .fat_low = NAN,
		                   .fat_high = NAN, .notes = "" };
	enum cc_put_result res;
	struct cc_err err = { 0 };
	int ret;

	snprintf(sid, sizeof(sid), "%d", id);
	/* a digest of the days, so that changed days are an update */
	memcpy(inc.digest, &first, sizeof(first));
	memcpy(inc.digest + sizeof(first), &last, sizeof(last));
	memcpy(inc.digest + 2 * sizeof(first), &lat, sizeof(lat));
	ret = cc_store_put_incident(st, &inc, 0, &res, &err);
	if (ret < 0)
		printf("# put %d: %s\n", id, err.msg);
	return ret;
}

/* Stores (or updates) UCDP event id with days first … last at one point. */
static int put(struct cc_store *st, int id, int32_t first, int32_t last)
{
	return put_at(st, id, first, last, 34.5, 69.2, 1);
}

static int32_t latest(struct cc_store *st)
{
	struct cc_err err = { 0 };
	int32_t d = -1;
	int ret = cc_store_latest_incident(st, &d, &err);

	if (ret < 0)
		printf("# latest: %s\n", err.msg);
	return ret < 0 ? ret : d;
}

TEST(no_incidents_is_not_found)
{
	struct cc_store *st = new_store("empty.db");
	struct cc_err err = { 0 };
	int32_t d = 7;

	if (!st)
		return;
	check_int(cc_store_latest_incident(st, &d, &err), ==, CC_ENOTFOUND);
	check_int(d, ==, CC_DATE_NONE);
	cc_store_close(st);
}

TEST(short_and_long_events_by_hand)
{
	struct cc_store *st = new_store("hand.db");
	const int32_t d = 15000;

	if (!st)
		return;
	/* one one-day event */
	check_int(put(st, 1, d, d), ==, 0);
	check_int(latest(st), ==, d);
	/* a 31-day event (short) that starts before a later one-day event but ends after it */
	check_int(put(st, 2, d + 10, d + 41), ==, 0);
	check_int(put(st, 3, d + 20, d + 20), ==, 0);
	check_int(latest(st), ==, d + 41);
	/* the latest start is the 31-day event's start + 31 - 1: still found */
	check_int(put(st, 4, d + 40, d + 40), ==, 0);
	check_int(latest(st), ==, d + 41);
	/* a 32-day event (long) that starts early and ends last */
	check_int(put(st, 5, d - 100, d - 100 + 32), ==, 0);
	check_int(latest(st), ==, d + 41);
	check_int(put(st, 6, d - 5, d + 200), ==, 0);
	check_int(latest(st), ==, d + 200);
	/* the long event shortened to one day: the 31-day event ends last again */
	check_int(put(st, 6, d - 5, d - 5), ==, 0);
	check_int(latest(st), ==, d + 41);
	/* a short event ending exactly 31 days after the latest start */
	check_int(put(st, 7, d + 40, d + 71), ==, 0);
	check_int(latest(st), ==, d + 71);
	cc_store_close(st);
}

TEST(random_events_against_the_maximum)
{
	struct cc_store *st = new_store("random.db");
	enum { N = 3000, ROUNDS = 6 };
	static int32_t first[N], last[N];
	struct cc_err err = { 0 };
	unsigned seed = 20140630;
	int bad = 0;

	if (!st)
		return;
	for (int round = 0; round < ROUNDS; round++) {
		int32_t want = INT32_MIN;

		check_int(cc_store_begin(st, &err), ==, 0);
		for (int i = 0; i < N; i++) {
			/* rounds after the first move about a tenth of the events */
			if (round > 0 && rand_r(&seed) % 10)
				continue;
			first[i] = 12000 + (int32_t)(rand_r(&seed) % 4000);
			/* most last a day; a share last up to 31 days, a few up to a year */
			switch (rand_r(&seed) % 8) {
			case 0:
				last[i] = first[i] + (int32_t)(rand_r(&seed) % 32);
				break;
			case 1:
				last[i] = first[i] + 32 + (int32_t)(rand_r(&seed) % 334);
				break;
			default:
				last[i] = first[i];
				break;
			}
			if (put(st, i, first[i], last[i]) < 0)
				bad++;
		}
		check_int(cc_store_commit(st, &err), ==, 0);
		for (int i = 0; i < N; i++)
			if (last[i] > want)
				want = last[i];
		check_int(bad, ==, 0);
		check_int(latest(st), ==, want);
	}
	cc_store_close(st);
}

TEST(window_box_and_precision_of_the_read)
{
	struct cc_store *st = new_store("read.db");
	enum { N = 4000 };
	static int32_t first[N], last[N];
	static double lat[N], lon[N];
	static int prec[N];
	const struct cc_incident_query qs[] = {
		{ .from = 13000, .to = 13100 },
		{ .from = 13000, .to = 13100, .max_geo_prec_ucdp = 3 },
		{ .from = 12000, .to = 16000, .in_bbox = true, .minlat = 34, .maxlat = 35,
		  .minlon = 69, .maxlon = 70 },
		{ .from = 12500, .to = 12600, .in_bbox = true, .minlat = 34.25, .maxlat = 34.5,
		  .minlon = 69.5, .maxlon = 69.75, .max_geo_prec_ucdp = 2 },
	};
	struct cc_err err = { 0 };
	unsigned seed = 4242;

	if (!st)
		return;
	check_int(cc_store_begin(st, &err), ==, 0);
	for (int i = 0; i < N; i++) {
		first[i] = 12000 + (int32_t)(rand_r(&seed) % 2000);
		last[i] = first[i] + (rand_r(&seed) % 5 ? 0 : (int32_t)(rand_r(&seed) % 60));
		/* on a grid of quarter degrees, so that many points lie on the box's edges */
		lat[i] = 33.5 + 0.25 * (rand_r(&seed) % 9);
		lon[i] = 68.5 + 0.25 * (rand_r(&seed) % 9);
		prec[i] = 1 + (int)(rand_r(&seed) % 6);
		check_int(put_at(st, i, first[i], last[i], lat[i], lon[i], prec[i]), ==, 0);
	}
	check_int(cc_store_commit(st, &err), ==, 0);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		const struct cc_incident_query *q = &qs[k];
		struct cc_exposure_incident *got = NULL;
		char(*types)[64] = NULL;
		size_t n = 0, n_types = 0, want = 0, in_box = 0;
		double sum_want = 0, sum_got = 0;

		for (int i = 0; i < N; i++) {
			if (first[i] > q->to || last[i] < q->from)
				continue;
			if (q->max_geo_prec_ucdp && prec[i] > q->max_geo_prec_ucdp)
				continue;
			if (q->in_bbox && (lat[i] < q->minlat || lat[i] > q->maxlat ||
			                   lon[i] < q->minlon || lon[i] > q->maxlon))
				continue;
			want++;
			sum_want += lat[i] * 1000 + lon[i] + first[i];
		}
		check_int(cc_store_load_incidents(st, q, &got, &n, &types, &n_types, &err), ==, 0);
		check_int(n, ==, want);
		for (size_t j = 0; j < n; j++) {
			sum_got += got[j].lat * 1000 + got[j].lon + got[j].date;
			if (!q->in_bbox || (got[j].lat >= q->minlat && got[j].lat <= q->maxlat &&
			                    got[j].lon >= q->minlon && got[j].lon <= q->maxlon))
				in_box++;
		}
		check_int(in_box, ==, n);
		check_dbl(sum_got, sum_want, 1e-6);
		check_int(n_types, ==, n ? 1 : 0);
		printf("# query %zu: %zu incidents\n", k, n);
		cc_free(got);
		cc_free(types);
	}
	cc_store_close(st);
}
