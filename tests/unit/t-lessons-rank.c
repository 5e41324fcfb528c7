/*
 * The lessons search ranked outside the SQLite store (src/store/lessons_rank.c, what the
 * PostgreSQL store ranks with) against the SQLite store's own index lesson_fts and against
 * bm25 computed here by hand: a generated register of 120 lessons, 30 of them rewritten (so
 * that the store's index holds deleted entries, unlike a fresh one), searched with single
 * words, pairs of words and a prefix. The hits, their order, their ranks and their snippets
 * must be the store's; each rank must be FTS5's bm25 (k1 1.2, b 0.75, the column weights of
 * the search) worked out from the word counts of the generated text.
 */
#include <concord/alloc.h>
#include <concord/buf.h>
#include <concord/lessons.h>
#include <concord/store.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/lessons_rank.h"
#include "tap.h"

/* words that porter stemming keeps apart (no two share a stem) */
static const char *const words[] = { "river", "bridge", "market", "school", "clinic",
	                             "road",  "water",  "police", "court",  "farm",
	                             "seed",  "radio",  "grain",  "fuel",   "tent",
	                             "cash",  "loan",   "border", "valley", "wheat" };
#define N_WORDS (sizeof(words) / sizeof(words[0]))
#define N_LESSONS 120
#define N_COLS 6 /* title, observation, discussion, conclusion, recommendation, tags */
#define MAX_LEN 40

static const double weight[N_COLS] = { 10.0, 2.0, 1.0, 2.0, 3.0, 5.0 };

struct gen {
	int64_t id;
	char key[16];
	int len[N_COLS];
	int w[N_COLS][MAX_LEN];
	char text[N_COLS][256]; /* at most 34 words of 6 letters */
};

static struct gen reg[N_LESSONS];
static unsigned long long rng = 42;

static unsigned next(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

/* New text for lesson g: each column a few of the words (tags comma-separated). */
static void generate(struct gen *g)
{
	static const int min_len[N_COLS] = { 2, 5, 0, 1, 2, 0 };
	static const int span[N_COLS] = { 5, 30, 20, 8, 10, 4 };

	for (int c = 0; c < N_COLS; c++) {
		size_t at = 0;

		g->len[c] = min_len[c] + (int)next((unsigned)span[c]);
		g->text[c][0] = '\0';
		for (int i = 0; i < g->len[c]; i++) {
			/* a skewed pick, so that some words are common and some rare */
			unsigned k = next(N_WORDS) * next(N_WORDS) / N_WORDS;

			g->w[c][i] = (int)k;
			at += (size_t)snprintf(g->text[c] + at, sizeof(g->text[c]) - at, "%s%s",
			                       i ? (c == N_COLS - 1 ? "," : " ") : "", words[k]);
		}
	}
}

static int put(struct cc_store *st, struct gen *g, enum cc_lesson_put *res)
{
	struct cc_lesson *l = cc_alloc_array(1, sizeof(*l));
	struct cc_err err = { 0 };
	int ret;

	if (!l)
		return CC_ENOMEM;
	l->date = CC_DATE_NONE;
	snprintf(l->key, sizeof(l->key), "%s", g->key);
	snprintf(l->title, sizeof(l->title), "%s", g->text[0]);
	snprintf(l->observation, sizeof(l->observation), "%s", g->text[1]);
	snprintf(l->discussion, sizeof(l->discussion), "%s", g->text[2]);
	snprintf(l->conclusion, sizeof(l->conclusion), "%s", g->text[3]);
	snprintf(l->recommendation, sizeof(l->recommendation), "%s", g->text[4]);
	snprintf(l->tags, sizeof(l->tags), "%s", g->text[5]);
	ret = cc_store_put_lesson(st, l, NULL, 0, true, res, &err);
	if (ret < 0)
		printf("# put %s: %s\n", g->key, err.msg);
	g->id = l->id;
	cc_free(l);
	return ret;
}

static int count(const struct gen *g, int c, int word)
{
	int n = 0;

	for (int i = 0; i < g->len[c]; i++)
		n += g->w[c][i] == word;
	return n;
}

static bool holds(const struct gen *g, int word)
{
	for (int c = 0; c < N_COLS; c++)
		if (count(g, c, word))
			return true;
	return false;
}

/* FTS5's bm25 of lesson g for the words q (n_q of them), from the generated text. */
static double bm25(const struct gen *g, const int *q, int n_q)
{
	double total = 0, avgdl, d = 0, score = 0;

	for (int i = 0; i < N_LESSONS; i++)
		for (int c = 0; c < N_COLS; c++)
			total += reg[i].len[c];
	avgdl = total / N_LESSONS;
	for (int c = 0; c < N_COLS; c++)
		d += g->len[c];
	for (int k = 0; k < n_q; k++) {
		double f = 0, idf;
		int n_hit = 0;

		for (int i = 0; i < N_LESSONS; i++)
			n_hit += holds(&reg[i], q[k]);
		idf = log((N_LESSONS - n_hit + 0.5) / (n_hit + 0.5));
		if (idf <= 0)
			idf = 1e-6;
		for (int c = 0; c < N_COLS; c++)
			f += weight[c] * count(g, c, q[k]);
		score += idf * (f * 2.2) / (f + 1.2 * (0.25 + 0.75 * d / avgdl));
	}
	return -score;
}

static int word_index(const char *w)
{
	for (size_t i = 0; i < N_WORDS; i++)
		if (!strcmp(words[i], w))
			return (int)i;
	return -1;
}

static const struct gen *by_key(const char *key)
{
	for (int i = 0; i < N_LESSONS; i++)
		if (!strcmp(reg[i].key, key))
			return &reg[i];
	return NULL;
}

static char tmpdir[64] = "/tmp/t-lessons-rank-XXXXXX";
static char path[128];

__attribute__((destructor)) static void remove_tmpdir(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	if (!path[0])
		return;
	for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[k]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static struct cc_store *store;

static struct cc_store *the_store(void)
{
	struct cc_err err = { 0 };
	enum cc_lesson_put res;
	int n_added = 0, n_updated = 0;

	if (store)
		return store;
	if (!mkdtemp(tmpdir))
		return NULL;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	if (cc_store_open(&store, path, &(struct cc_store_opts){ .flags = CC_STORE_CREATE },
	                  &err) < 0) {
		printf("# open: %s\n", err.msg);
		return NULL;
	}
	for (int i = 0; i < N_LESSONS; i++) {
		snprintf(reg[i].key, sizeof(reg[i].key), "T-%03d", i);
		generate(&reg[i]);
		if (put(store, &reg[i], &res) == 0 && res == CC_LESSON_ADDED)
			n_added++;
	}
	/* every fourth lesson rewritten: the store's index now holds deleted entries */
	for (int i = 0; i < N_LESSONS; i += 4) {
		generate(&reg[i]);
		if (put(store, &reg[i], &res) == 0 && res == CC_LESSON_UPDATED)
			n_updated++;
	}
	check_int(n_added, ==, N_LESSONS);
	check_int(n_updated, ==, N_LESSONS / 4);
	return store;
}

/* the ranker's hits over the generated register, in the search's order (rank, key) */
struct ranked {
	const struct gen *g;
	double rank;
	char snippet[512];
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->g->key, b->g->key);
}

static size_t rank_here(const char *query, struct ranked *out)
{
	struct cc__lesson_doc docs[N_LESSONS];
	struct cc__lesson_rank *r = NULL;
	struct cc_buf q = CC_BUF_INIT(4096);
	struct cc_err err = { 0 };
	size_t n = 0;

	for (int i = 0; i < N_LESSONS; i++)
		docs[i] = (struct cc__lesson_doc){ reg[i].id,         reg[i].text[0], reg[i].text[1],
			                           reg[i].text[2],     reg[i].text[3], reg[i].text[4],
			                           reg[i].text[5] };
	if (!check_int(cc__lessons_fts_query(query, &q, &err), ==, 0) ||
	    !check_int(cc__lessons_rank(docs, N_LESSONS, q.buf, &r, &n, &err), ==, 0)) {
		printf("# %s\n", err.msg);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		out[i].g = &reg[r[i].doc];
		out[i].rank = r[i].rank;
		memcpy(out[i].snippet, r[i].snippet, sizeof(out[i].snippet));
	}
	qsort(out, n, sizeof(*out), ranked_cmp);
	cc_free(r);
	cc_buf_release(&q);
	return n;
}

/* One query: the store's hits = the ranker's = the lessons holding every word, ranks by hand. */
static void compare(const char *query, const int *q, int n_q, bool prefix)
{
	static struct ranked mine[N_LESSONS];
	struct cc_lesson_search s;
	struct cc_err err = { 0 };
	size_t n_mine, n_want = 0;
	int bad_rank = 0, bad_hand = 0, bad_snip = 0, bad_key = 0;

	if (!check_int(cc_lessons_search(the_store(), query, NULL, &s, &err), ==, 0)) {
		printf("# search %s: %s\n", query, err.msg);
		return;
	}
	n_mine = rank_here(query, mine);
	for (int i = 0; i < N_LESSONS && !prefix; i++) {
		bool all = true;

		for (int k = 0; k < n_q; k++)
			all = all && holds(&reg[i], q[k]);
		n_want += all;
	}
	if (!prefix && !check_int(s.n_hits, ==, n_want))
		printf("# '%s': the store found %zu, the text holds %zu\n", query, s.n_hits, n_want);
	if (!check_int(n_mine, ==, s.n_hits)) {
		cc_lesson_search_release(&s);
		return;
	}
	for (size_t i = 0; i < n_mine; i++) {
		const struct cc_lesson_hit *h = &s.hits[i];

		bad_key += strcmp(h->lesson.key, mine[i].g->key) != 0;
		bad_rank += h->rank != mine[i].rank;
		bad_snip += strcmp(h->snippet, mine[i].snippet) != 0;
		if (!prefix)
			bad_hand += fabs(bm25(by_key(h->lesson.key), q, n_q) - h->rank) > 1e-9;
	}
	check_int(bad_key, ==, 0);
	check_int(bad_rank, ==, 0);
	check_int(bad_snip, ==, 0);
	check_int(bad_hand, ==, 0);
	if (bad_key + bad_rank + bad_snip + bad_hand)
		printf("# '%s': %d keys, %d ranks, %d snippets, %d hand-worked ranks differ\n", query,
		       bad_key, bad_rank, bad_snip, bad_hand);
	cc_lesson_search_release(&s);
}

TEST(store_and_ranker_agree_on_single_words)
{
	if (!check(the_store() != NULL))
		return;
	for (size_t w = 0; w < N_WORDS; w++) {
		int q = (int)w;

		compare(words[w], &q, 1, false);
	}
}

TEST(store_and_ranker_agree_on_pairs)
{
	const char *pairs[][2] = { { "river", "bridge" }, { "police", "court" },
		                   { "water", "road" },   { "cash", "market" },
		                   { "Wheat", "VALLEY" } };
	char query[64];

	if (!check(the_store() != NULL))
		return;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char a[16], b[16];
		int q[2];

		snprintf(query, sizeof(query), "%s, %s", pairs[i][0], pairs[i][1]);
		for (size_t k = 0; k <= strlen(pairs[i][0]); k++)
			a[k] = (char)(pairs[i][0][k] | (pairs[i][0][k] ? 0x20 : 0));
		for (size_t k = 0; k <= strlen(pairs[i][1]); k++)
			b[k] = (char)(pairs[i][1][k] | (pairs[i][1][k] ? 0x20 : 0));
		q[0] = word_index(a);
		q[1] = word_index(b);
		compare(query, q, 2, false);
	}
}

TEST(store_and_ranker_agree_on_prefixes_and_misses)
{
	struct ranked mine[N_LESSONS];
	struct cc_lesson_search s;
	struct cc_err err = { 0 };
	struct cc_buf q = CC_BUF_INIT(64);

	if (!check(the_store() != NULL))
		return;
	compare("ri*", NULL, 0, true);
	compare("bo* wh*", NULL, 0, true);
	check_int(rank_here("zorblat", mine), ==, 0);
	check_int(cc_lessons_search(the_store(), "zorblat", NULL, &s, &err), ==, 0);
	check_int(s.n_hits, ==, 0);
	cc_lesson_search_release(&s);
	check_int(cc__lessons_fts_query("\" ( -", &q, &err), ==, CC_EUSAGE);
	check_str(err.msg, "the query '\" ( -' has no word to search for");
	cc_buf_release(&q);
	cc_store_close(store);
	store = NULL;
}
