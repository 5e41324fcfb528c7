/*
 * ovtime: what `concord overlap` does, timed step by step: the store read
 * (cc_store_load_overlap) and cc_overlap_compute(), whose candidate pass and text scoring the
 * library times itself (struct cc_overlap: t_candidates, t_scoring). Usage:
 *
 *	ovtime STORE [MIN_SCORE [LEVEL [DISTANCE_KM]]]
 *
 * (MIN_SCORE default 0; LEVEL default 2, the command's default; DISTANCE_KM default 0: places by
 * area only.) Prints
 *
 *	activities=N read_s=S compute_s=S candidates_s=S scoring_s=S candidates=N pairs=N
 *
 * where candidates is the number of pairs that met the conditions (different organisations, the
 * same sector or category, overlapping dates, the same area at the level).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <concord/model.h>
#include <concord/overlap.h>
#include <concord/store.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct cc_err err = { 0 };
	struct cc_store *st = NULL;
	struct cc_mission m;
	struct cc_overlap_input in = { 0 };
	struct cc_overlap ov = { 0 };
	struct cc_overlap_opts o = { .level = 2 };
	double t0, t_read, t_compute;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: ovtime STORE [MIN_SCORE [LEVEL [DISTANCE_KM]]]\n");
		return 2;
	}
	if (argc > 2)
		o.min_score = strtod(argv[2], NULL);
	if (argc > 3)
		o.level = atoi(argv[3]);
	if (argc > 4)
		o.distance_km = strtod(argv[4], NULL);
	if (cc_store_open(&st, argv[1], &(struct cc_store_opts){ .flags = CC_STORE_READONLY },
	                  &err) < 0 ||
	    cc_store_get_mission(st, NULL, &m, &err) < 0) {
		fprintf(stderr, "ovtime: %s: %s\n", argv[1], err.msg);
		return 1;
	}
	t0 = now_s();
	if (cc_store_load_overlap(st, m.id, &in, &err) < 0) {
		fprintf(stderr, "ovtime: read: %s\n", err.msg);
		return 1;
	}
	t_read = now_s() - t0;
	t0 = now_s();
	if (cc_overlap_compute(in.acts, in.n, &o, &ov, &err) < 0) {
		fprintf(stderr, "ovtime: overlap: %s\n", err.msg);
		return 1;
	}
	t_compute = now_s() - t0;
	printf("activities=%zu read_s=%.6f compute_s=%.6f candidates_s=%.6f scoring_s=%.6f "
	       "candidates=%zu pairs=%zu\n",
	       in.n, t_read, t_compute, ov.t_candidates, ov.t_scoring, ov.n_candidates,
	       ov.n_pairs);
	cc_overlap_release(&ov);
	cc_overlap_input_release(&in);
	cc_store_close(st);
	return 0;
}
