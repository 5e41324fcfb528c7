/*
 * The lessons register through the library: FTS5 ranking on a hand-made register whose order
 * is worked out below, stemming and diacritics, status moves, evidence shown both ways, import
 * rejects with file and line, and allocation failure at every allocation of an import.
 */
#include <concord/alloc.h>
#include <concord/lessons.h>
#include <concord/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testdir.h"

/* A file of tests/data/lessons. */
static const char *lesson_data(const char *name, char buf[static 512])
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/data/lessons/%s", name);
	return data(rel, buf);
}

static struct cc_store *new_store(const char *name)
{
	struct cc_store *st = NULL;
	struct cc_err err = { 0 };
	char path[160];

	unlink(tmp_path(name, path));
	if (cc_store_open(&st, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE }, &err)) {
		printf("# %s\n", err.msg);
		exit(1);
	}
	return st;
}

static void digest(struct cc_store *st, char out[static 65])
{
	struct cc_err err = { 0 };

	if (cc_store_digest(st, out, &err) < 0) {
		printf("# digest: %s\n", err.msg);
		out[0] = '\0';
	}
}

/* Collects rejects as "line:field" for the checks. */
struct rejects {
	char text[2048];
	size_t n;
};

static void on_reject(void *ctx, const struct cc_err *why)
{
	struct rejects *r = ctx;
	const char *base = strrchr(why->file, '/');
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof(r->text) - len, "%s:%ld:%s;", base ? base + 1 : why->file,
	         why->line, why->field);
	r->n++;
}

static int import1(struct cc_store *st, const char *file, struct cc_import_report *rep,
                   struct rejects *r)
{
	char path[512];
	const char *paths[] = { lesson_data(file, path) };
	struct cc_err err = { 0 };
	int ret;

	ret = cc_import_lessons(st, paths, 1,
	                        &(struct cc_import_opts){ .on_reject = on_reject, .reject_ctx = r },
	                        rep, &err);
	if (ret < 0)
		printf("# import %s: %s\n", file, err.msg);
	return ret;
}

static void keys(const struct cc_lesson_search *s, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < s->n_hits; i++) {
		size_t len = strlen(out);

		snprintf(out + len, n - len, "%s%s", i ? " " : "", s->hits[i].lesson.key);
	}
}

static const struct cc_lesson_filter any = { .pillar = -1, .status = -1 };

static void search(struct cc_store *st, const char *q, const struct cc_lesson_filter *f, char *out,
                   size_t n)
{
	struct cc_lesson_search s;
	struct cc_err err = { 0 };

	if (cc_lessons_search(st, q, f, &s, &err) < 0) {
		snprintf(out, n, "error: %.200s", err.msg);
		return;
	}
	keys(&s, out, n);
	cc_lesson_search_release(&s);
}

/*
 * ranking.csv has eight lessons; "drought" is in three of them, so its IDF is
 * log((8 - 3 + 0.5) / (3 + 0.5)) > 0. R1 and R2 have identical observation and discussion
 * texts, and R1 also has it in its title (weight 10): R1 before R2. R2 and R3 have the same
 * words in the same column lengths, but R2 has "drought" in the observation (weight 2) and R3
 * in the discussion (weight 1): R2 before R3. The other five do not match.
 */
TEST(ranking_on_a_known_register)
{
	struct cc_store *st = new_store("rank.db");
	struct cc_import_report rep;
	struct rejects r = { 0 };
	struct cc_lesson_search s;
	struct cc_err err = { 0 };
	char got[256];

	check_int(import1(st, "ranking.csv", &rep, &r), ==, 0);
	check_int(rep.n_added, ==, 8);
	search(st, "drought", &any, got, sizeof(got));
	check_str(got, "R1 R2 R3");
	/* the pillar filter narrows the hits, not the facets */
	check_int(cc_lessons_search(
	                  st, "drought",
	                  &(struct cc_lesson_filter){ .pillar = CC_PILLAR_ECONOMY, .status = -1 },
	                  &s, &err),
	          ==, 0);
	keys(&s, got, sizeof(got));
	check_str(got, "R3");
	check_int(s.n_matched, ==, 3);
	/* facets: humanitarian R1, R2; economy R3; all three with no mission, observed */
	check_int(s.n_by_pillar, ==, 2);
	check_str(s.by_pillar[0].value, "humanitarian");
	check_int(s.by_pillar[0].count, ==, 2);
	check_str(s.by_pillar[1].value, "economy");
	check_int(s.by_pillar[1].count, ==, 1);
	check_int(s.n_by_mission, ==, 1);
	check_int(s.by_mission[0].count, ==, 3);
	check_int(s.n_by_status, ==, 1);
	check_str(s.by_status[0].value, "observed");
	check(strstr(s.hits[0].snippet, "[drought]") != NULL);
	cc_lesson_search_release(&s);
	/*
	 * every word must match: R1-R3 have all three; R1 has two in its title, R2 and R3
	 * "planning" in the title and the other two in the observation (R2) or discussion (R3)
	 */
	search(st, "drought planning north", &any, got, sizeof(got));
	check_str(got, "R1 R2 R3");
	search(st, "drought bridge", &any, got, sizeof(got));
	check_str(got, "");
	/* operators in user text are words, not syntax */
	search(st, "road OR NOT (", &any, got, sizeof(got));
	check_str(got, "");
	check_int(cc_lessons_search(st, " ( ) ", &any, &s, &err), ==, CC_EUSAGE);
	cc_store_close(st);
}

TEST(stemming_and_diacritics)
{
	struct cc_store *st = new_store("stem.db");
	struct cc_import_report rep;
	struct rejects r = { 0 };
	char got[256];

	check_int(import1(st, "ranking.csv", &rep, &r), ==, 0);
	search(st, "reintegrating", &any, got, sizeof(got));
	check_str(got, "R7"); /* "Reintegration" in the title */
	search(st, "trained", &any, got, sizeof(got));
	check_str(got, "R7"); /* "training" */
	search(st, "pristina", &any, got, sizeof(got));
	check_str(got, "R8"); /* stored as "Priština" */
	search(st, "PRIŠTINA", &any, got, sizeof(got));
	check_str(got, "R8");
	search(st, "reinteg*", &any, got, sizeof(got));
	check_str(got, "R7");
	search(st, "ddr", &any, got, sizeof(got));
	check_str(got, "R7"); /* tags are indexed */
	cc_store_close(st);
}

TEST(status_moves_one_step)
{
	struct cc_store *st = new_store("status.db");
	struct cc_lesson *l = calloc(1, sizeof(*l));
	struct cc_err err = { 0 };
	enum cc_lesson_put res;
	int ok = 0;

	/* the table: same or next only; 5 same + 4 next = 9 of 25 pairs */
	for (int a = 0; a < CC_N_LESSON_STATUS; a++)
		for (int b = 0; b < CC_N_LESSON_STATUS; b++)
			ok += cc_lesson_transition_ok(a, b);
	check_int(ok, ==, 9);
	check(!cc_lesson_transition_ok(CC_LESSON_VALIDATED, CC_LESSON_OBSERVED));
	check_int(cc_lesson_status_parse("Action Assigned"), ==, CC_LESSON_ACTION_ASSIGNED);
	check_int(cc_lesson_status_parse("done"), ==, -1);

	snprintf(l->key, sizeof(l->key), "S1");
	snprintf(l->title, sizeof(l->title), "t");
	snprintf(l->observation, sizeof(l->observation), "o");
	l->date = CC_DATE_NONE;
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, 0);
	check_int(res, ==, CC_LESSON_ADDED);
	l->status = CC_LESSON_IMPLEMENTED;
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, CC_EINVALID);
	check(strstr(err.msg, "'observed'") && strstr(err.msg, "'implemented'"));
	check_str(err.field, "status");
	l->status = CC_LESSON_ANALYSED;
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, 0);
	check_int(res, ==, CC_LESSON_UPDATED);
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, 0);
	check_int(res, ==, CC_LESSON_UNCHANGED);
	memset(l, 0, sizeof(*l));
	check_int(cc_store_get_lesson(st, "S1", l, &err), ==, 0);
	check_int(l->status, ==, CC_LESSON_ANALYSED);
	check_int(cc_store_get_lesson(st, "S2", l, &err), ==, CC_ENOTFOUND);
	/* a new lesson without a key gets one */
	memset(l, 0, sizeof(*l));
	snprintf(l->title, sizeof(l->title), "t2");
	snprintf(l->observation, sizeof(l->observation), "o2");
	l->date = CC_DATE_NONE;
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, 0);
	check_str(l->key, "LL-0002");
	free(l);
	cc_store_close(st);
}

TEST(evidence_both_ways)
{
	struct cc_store *st = new_store("links.db");
	struct cc_lesson *l = calloc(1, sizeof(*l));
	struct cc_lesson_link links[2], *out = NULL;
	struct cc_err err = { 0 };
	enum cc_lesson_put res;
	size_t n = 0;

	check_int(cc_lesson_link_parse("area:AF0101", &links[0], &err), ==, 0);
	check_int(cc_lesson_link_parse("report:sigar-21-46-ll", &links[1], &err), ==, 0);
	check_int(cc_lesson_link_parse("rumour:x", &links[1], &err), ==, CC_EINVALID);
	check_int(cc_lesson_link_parse("report:sigar-21-46-ll", &links[1], &err), ==, 0);
	snprintf(l->key, sizeof(l->key), "A");
	snprintf(l->title, sizeof(l->title), "first");
	snprintf(l->observation, sizeof(l->observation), "o");
	l->date = CC_DATE_NONE;
	check_int(cc_store_put_lesson(st, l, links, 2, false, &res, &err), ==, 0);
	snprintf(l->key, sizeof(l->key), "B");
	snprintf(l->title, sizeof(l->title), "second");
	l->id = 0;
	check_int(cc_store_put_lesson(st, l, links, 1, false, &res, &err), ==, 0);

	check_int(cc_store_lesson_links(st, "A", &out, &n, &err), ==, 0);
	check_int(n, ==, 2);
	if (n == 2) {
		check_int(out[0].kind, ==, CC_EVIDENCE_AREA);
		check_str(out[0].ref, "AF0101");
		check_int(out[1].kind, ==, CC_EVIDENCE_REPORT);
	}
	cc_free(out);
	check_int(cc_store_evidence_lessons(st, CC_EVIDENCE_AREA, "AF0101", &out, &n, &err), ==, 0);
	check_int(n, ==, 2);
	if (n == 2) {
		check_str(out[0].key, "A");
		check_str(out[0].title, "first");
		check_str(out[1].key, "B");
	}
	cc_free(out);
	check_int(
	        cc_store_evidence_lessons(st, CC_EVIDENCE_REPORT, "sigar-21-46-ll", &out, &n, &err),
	        ==, 0);
	check_int(n, ==, 1);
	cc_free(out);
	/* the same links again: unchanged; dropping one: updated */
	check_int(cc_store_put_lesson(st, l, links, 1, false, &res, &err), ==, 0);
	check_int(res, ==, CC_LESSON_UNCHANGED);
	check_int(cc_store_put_lesson(st, l, NULL, 0, false, &res, &err), ==, 0);
	check_int(res, ==, CC_LESSON_UPDATED);
	check_int(cc_store_evidence_lessons(st, CC_EVIDENCE_AREA, "AF0101", &out, &n, &err), ==, 0);
	check_int(n, ==, 1);
	cc_free(out);
	free(l);
	cc_store_close(st);
}

TEST(import_rejects_name_file_line_field)
{
	struct cc_store *st = new_store("rejects.db");
	struct cc_import_report rep;
	struct rejects r = { 0 };
	char before[65], after[65];
	char p1[512], p2[512];
	const char *paths[] = { lesson_data("bad.csv", p1), lesson_data("good.md", p2) };
	struct cc_err err = { 0 };

	/* bad.csv: line 2 good, 3 pillar, 4 date, 5 title, 6 status, 7 duplicate of line 2 */
	check_int(import1(st, "bad.csv", &rep, &r), ==, 0);
	check_str(r.text, "bad.csv:3:pillars;bad.csv:4:date;bad.csv:5:title;bad.csv:6:status;"
	                  "bad.csv:7:key;");
	check_int(rep.n_read, ==, 6);
	check_int(rep.n_added, ==, 1);
	check_int(rep.n_rejected, ==, 5);
	memset(&r, 0, sizeof(r));
	check_int(import1(st, "bad-front.md", &rep, &r), ==, 0);
	check_str(r.text, "bad-front.md:3:front matter;"); /* the quote opened on line 3 */
	memset(&r, 0, sizeof(r));
	check_int(import1(st, "bad-pillar.md", &rep, &r), ==, 0);
	check_str(r.text, "bad-pillar.md:4:pillars;");

	/* strict: nothing stored, even good.md given with it */
	digest(st, before);
	memset(&r, 0, sizeof(r));
	check_int(cc_import_lessons(st, paths, 2,
	                            &(struct cc_import_opts){ .flags = CC_IMPORT_STRICT,
	                                                      .on_reject = on_reject,
	                                                      .reject_ctx = &r },
	                            &rep, &err),
	          ==, CC_EREJECTED);
	digest(st, after);
	check_str(after, before);
	cc_store_close(st);
}

TEST(import_allocation_failure_changes_nothing)
{
	struct cc_store *st = new_store("oom.db");
	struct cc_import_report rep;
	struct cc_err err = { 0 };
	struct cc_lesson *l = calloc(1, sizeof(*l));
	char before[65], after[65], p1[512], p2[512];
	const char *paths[] = { lesson_data("ranking.csv", p1), lesson_data("good.md", p2) };
	long n, n_fail = 0;
	int ret = -1;

	digest(st, before);
	for (n = 0; n < 100000; n++) {
		memset(&err, 0, sizeof(err));
		cc_test_fail_alloc_after(n);
		ret = cc_import_lessons(st, paths, 2, NULL, &rep, &err);
		cc_test_fail_alloc_after(-1);
		if (ret == 0)
			break;
		n_fail++;
		if (!check_int(ret, ==, CC_ENOMEM)) {
			char buf[512];

			printf("# failing allocation %ld: %s\n", n,
			       cc_err_format(&err, buf, sizeof(buf)));
			break;
		}
		digest(st, after);
		if (!check_str(after, before))
			break;
	}
	printf("# %ld allocation failures injected before the import succeeded\n", n_fail);
	check_int(ret, ==, 0);
	check(n_fail > 10);
	check_int(rep.n_added, ==, 9);
	check_int(rep.n_rejected, ==, 0);
	check_int(cc_store_get_lesson(st, "MD-1", l, &err), ==, 0);
	check_str(l->title, "Water trucking without a handover plan");
	check_int(l->status, ==, CC_LESSON_ACTION_ASSIGNED);
	check_str(l->pillars, "humanitarian,infrastructure");
	check_str(l->owner, "WASH cluster coordinator");
	check_str(l->recommendation, "Agree the handover of water supply before trucking starts.");
	/* the index agrees with the table after the failed attempts */
	{
		char got[256];

		search(st, "boreholes", &any, got, sizeof(got));
		check_str(got, "MD-1");
		search(st, "drought", &any, got, sizeof(got));
		check_str(got, "R1 R2 R3");
	}
	/* a second import changes nothing */
	digest(st, before);
	check_int(cc_import_lessons(st, paths, 2, NULL, &rep, &err), ==, 0);
	check_int(rep.n_unchanged, ==, 9);
	digest(st, after);
	check_str(after, before);
	free(l);
	cc_store_close(st);
}
