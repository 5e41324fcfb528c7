/*
 * The lessons register's public functions: names and checks that do not depend on the backend,
 * the store wrappers (dispatching to st->ops->lessons) and the search with its facets.
 */
#include <concord/lessons.h>

#include <stdio.h>
#include <string.h>

#include <concord/alloc.h>

#include "core/digest.h"
#include "store/backend.h"
#include "store/ops_lessons.h"

#include "core/banned.h"

static const char *const status_names[CC_N_LESSON_STATUS] = {
	[CC_LESSON_OBSERVED] = "observed",
	[CC_LESSON_ANALYSED] = "analysed",
	[CC_LESSON_ACTION_ASSIGNED] = "action-assigned",
	[CC_LESSON_IMPLEMENTED] = "implemented",
	[CC_LESSON_VALIDATED] = "validated",
};

static const char *const kind_names[CC_N_EVIDENCE_KINDS] = {
	[CC_EVIDENCE_ACTIVITY] = "activity", [CC_EVIDENCE_INDICATOR] = "indicator",
	[CC_EVIDENCE_INCIDENT] = "incident", [CC_EVIDENCE_AREA] = "area",
	[CC_EVIDENCE_REPORT] = "report",
};

static const char *const releasabilities[] = { "public", "partners", "org" };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *cc_lesson_status_name(int status)
{
	if (status < 0 || status >= CC_N_LESSON_STATUS)
		return NULL;
	return status_names[status];
}

int cc_lesson_status_parse(const char *s)
{
	char norm[32];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(norm); i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		norm[i] = c == ' ' || c == '_' ? '-' : c;
	}
	if (s[i])
		return -1;
	norm[i] = '\0';
	for (int k = 0; k < CC_N_LESSON_STATUS; k++)
		if (!strcmp(norm, status_names[k]))
			return k;
	return -1;
}

bool cc_lesson_transition_ok(int from, int to)
{
	if (from < 0 || from >= CC_N_LESSON_STATUS || to < 0 || to >= CC_N_LESSON_STATUS)
		return false;
	return to == from || to == from + 1;
}

const char *cc_evidence_kind_name(int kind)
{
	if (kind < 0 || kind >= CC_N_EVIDENCE_KINDS)
		return NULL;
	return kind_names[kind];
}

int cc_evidence_kind_parse(const char *s)
{
	for (int k = 0; k < CC_N_EVIDENCE_KINDS; k++)
		if (!strcmp(s, kind_names[k]))
			return k;
	return -1;
}

int cc_lesson_link_parse(const char *s, struct cc_lesson_link *out, struct cc_err *err)
{
	const char *colon = strchr(s, ':');
	char kind[32];
	int k;

	memset(out, 0, sizeof(*out));
	if (!colon || colon == s || !colon[1])
		return cc_err_set(err, CC_EINVALID, "evidence '%s' is not KIND:REF", s);
	if ((size_t)(colon - s) >= sizeof(kind) || strlen(colon + 1) >= sizeof(out->ref))
		return cc_err_set(err, CC_EINVALID, "evidence '%s' too long", s);
	memcpy(kind, s, (size_t)(colon - s));
	kind[colon - s] = '\0';
	k = cc_evidence_kind_parse(kind);
	if (k < 0)
		return cc_err_set(
		        err, CC_EINVALID,
		        "unknown evidence kind '%s' (activity, indicator, incident, area, "
		        "report)",
		        kind);
	out->kind = (enum cc_evidence_kind)k;
	snprintf(out->ref, sizeof(out->ref), "%s", colon + 1);
	return 0;
}

int cc_lesson_list_set(char *dst, size_t n, const char *in, bool lower, struct cc_err *err)
{
	const char *p = in ? in : "";
	size_t len = 0, end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = strlen(p);
	while (end && (p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	if (end >= 2 && p[0] == '[' && p[end - 1] == ']') {
		p++;
		end -= 2;
	}
	dst[0] = '\0';
	for (size_t i = 0; i <= end;) {
		size_t j = i, a, b;

		while (j < end && p[j] != ',' && p[j] != ';')
			j++;
		a = i;
		b = j;
		while (a < b && (p[a] == ' ' || p[a] == '\t' || p[a] == '"' || p[a] == '\''))
			a++;
		while (b > a &&
		       (p[b - 1] == ' ' || p[b - 1] == '\t' || p[b - 1] == '"' || p[b - 1] == '\''))
			b--;
		if (b > a) {
			if (len + (len ? 1 : 0) + (b - a) + 1 > n)
				return cc_err_set(err, CC_ETOOBIG,
				                  "list '%s' longer than %zu bytes", in, n - 1);
			if (len)
				dst[len++] = ',';
			for (size_t k = a; k < b; k++) {
				char c = p[k];

				if (lower && c >= 'A' && c <= 'Z')
					c = (char)(c - 'A' + 'a');
				dst[len++] = c;
			}
			dst[len] = '\0';
		}
		i = j + 1;
	}
	return 0;
}

int cc_lesson_check(const struct cc_lesson *l, struct cc_err *err)
{
	const char *p = l->pillars;
	bool rel_ok = !l->releasability[0];
	int ret;

	if (!l->title[0])
		ret = cc_err_set(err, CC_EINVALID, "a lesson needs a title");
	else if (!l->observation[0])
		ret = cc_err_set(err, CC_EINVALID, "a lesson needs an observation");
	else
		ret = 0;
	if (ret < 0) {
		cc_err_at(err, NULL, 0, !l->title[0] ? "title" : "observation");
		return ret;
	}
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char name[32];

		if (len >= sizeof(name) ||
		    (memcpy(name, p, len), name[len] = '\0', cc_pillar_parse(name) < 0)) {
			ret = cc_err_set(
			        err, CC_EINVALID,
			        "unknown pillar '%.*s' (security, governance, infrastructure, "
			        "economy, humanitarian, other)",
			        (int)len, p);
			cc_err_at(err, NULL, 0, "pillars");
			return ret;
		}
		p += len + (c ? 1 : 0);
	}
	if (!cc_lesson_status_name((int)l->status)) {
		ret = cc_err_set(err, CC_EINVALID, "invalid lesson status %d", (int)l->status);
		cc_err_at(err, NULL, 0, "status");
		return ret;
	}
	for (size_t i = 0; i < N_OF(releasabilities); i++)
		rel_ok = rel_ok || !strcmp(l->releasability, releasabilities[i]);
	if (!rel_ok) {
		ret = cc_err_set(err, CC_EINVALID,
		                 "unknown releasability '%s' (public, partners, org)",
		                 l->releasability);
		cc_err_at(err, NULL, 0, "releasability");
		return ret;
	}
	return 0;
}

static const struct cc__lessons_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->lessons)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend has no lessons register");
	return st->ops->lessons;
}

/* The digest of every stored field but the evidence (compared apart). */
static void lesson_digest(const struct cc_lesson *l, char out[static 65])
{
	struct cc_hash128 h;
	unsigned char d[16];

	cc_hash128_init(&h);
	cc_hash128_i64(&h, l->mission_id);
	cc_hash128_str(&h, l->title);
	cc_hash128_str(&h, l->observation);
	cc_hash128_str(&h, l->discussion);
	cc_hash128_str(&h, l->conclusion);
	cc_hash128_str(&h, l->recommendation);
	cc_hash128_str(&h, l->pillars);
	cc_hash128_str(&h, l->areas);
	cc_hash128_str(&h, l->tags);
	cc_hash128_i64(&h, l->date);
	cc_hash128_str(&h, l->source);
	cc_hash128_i64(&h, (long long)l->status);
	cc_hash128_str(&h, l->owner);
	cc_hash128_str(&h, l->releasability[0] ? l->releasability : "public");
	cc_hash128_final(&h, d);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int cc_store_put_lesson(struct cc_store *st, struct cc_lesson *l,
                        const struct cc_lesson_link *links, size_t n_links, bool keep_links,
                        enum cc_lesson_put *res_out, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);
	char digest[65];
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	ret = cc_lesson_check(l, err);
	if (ret < 0)
		return ret;
	lesson_digest(l, digest);
	return o->put(st, l, digest, links, n_links, keep_links, res_out, err);
}

int cc_store_get_lesson(struct cc_store *st, const char *key, struct cc_lesson *out,
                        struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);

	return o ? o->get(st, key, out, err) : CC_EUNSUPPORTED;
}

int cc_store_list_lessons(struct cc_store *st, const struct cc_lesson_filter *f,
                          struct cc_lesson **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);
	struct cc_lesson_filter any = { .pillar = -1, .status = -1 };

	*out = NULL;
	*n_out = 0;
	return o ? o->list(st, f ? f : &any, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_lesson_links(struct cc_store *st, const char *key, struct cc_lesson_link **out,
                          size_t *n_out, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->links(st, key, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_evidence_lessons(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                              struct cc_lesson_link **out, size_t *n_out, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->evidence(st, kind, ref, out, n_out, err) : CC_EUNSUPPORTED;
}

int cc_store_evidence_exists(struct cc_store *st, enum cc_evidence_kind kind, const char *ref,
                             bool *found, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);

	*found = false;
	if (o && !o->evidence_exists)
		return cc_err_set(err, CC_EUNSUPPORTED,
		                  "this store backend cannot look up evidence");
	return o ? o->evidence_exists(st, kind, ref, found, err) : CC_EUNSUPPORTED;
}

/* ---- search and facets ---- */

static bool has_pillar(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		p += len + (c ? 1 : 0);
	}
	return false;
}

/* Adds one to the facet value (appending it when new); 0 or CC_ENOMEM. */
static int facet_add(struct cc_facet **arr, size_t *n, size_t *cap, const char *value)
{
	struct cc_facet *f;

	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*arr)[i].value, value)) {
			(*arr)[i].count++;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;

		f = cc_realloc(*arr, ncap * sizeof(*f));
		if (!f)
			return CC_ENOMEM;
		*arr = f;
		*cap = ncap;
	}
	f = &(*arr)[(*n)++];
	memset(f, 0, sizeof(*f));
	snprintf(f->value, sizeof(f->value), "%s", value);
	f->count = 1;
	return 0;
}

static int facets(struct cc_lesson_search *s, const struct cc_lesson_hit *hits, size_t n)
{
	size_t cap_p = 0, cap_m = 0, cap_s = 0;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct cc_lesson *l = &hits[i].lesson;

		for (int p = 0; p < CC_N_PILLARS && ret == 0; p++)
			if (has_pillar(l->pillars, cc_pillar_name(p)))
				ret = facet_add(&s->by_pillar, &s->n_by_pillar, &cap_p,
				                cc_pillar_name(p));
		if (ret == 0)
			ret = facet_add(&s->by_mission, &s->n_by_mission, &cap_m, l->mission);
		if (ret == 0)
			ret = facet_add(&s->by_status, &s->n_by_status, &cap_s,
			                cc_lesson_status_name((int)l->status));
	}
	return ret;
}

void cc_lesson_search_release(struct cc_lesson_search *s)
{
	if (!s)
		return;
	cc_free(s->hits);
	cc_free(s->by_pillar);
	cc_free(s->by_mission);
	cc_free(s->by_status);
	memset(s, 0, sizeof(*s));
}

int cc_lessons_search(struct cc_store *st, const char *query, const struct cc_lesson_filter *f,
                      struct cc_lesson_search *out, struct cc_err *err)
{
	const struct cc__lessons_ops *o = ops(st, err);
	struct cc_lesson_hit *all = NULL;
	size_t n_all = 0, n = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!o)
		return CC_EUNSUPPORTED;
	ret = o->search(st, query, &all, &n_all, err);
	if (ret < 0)
		return ret;
	if (facets(out, all, n_all) < 0) {
		ret = cc_err_set(err, CC_ENOMEM, "out of memory");
		goto out_free;
	}
	/* filter in place: the order (rank) is kept */
	for (size_t i = 0; i < n_all; i++) {
		const struct cc_lesson *l = &all[i].lesson;

		if (f && f->pillar >= 0 && !has_pillar(l->pillars, cc_pillar_name(f->pillar)))
			continue;
		if (f && f->status >= 0 && (int)l->status != f->status)
			continue;
		if (f && f->mission_id && l->mission_id != f->mission_id)
			continue;
		if (n != i)
			all[n] = all[i];
		n++;
	}
	out->hits = all;
	out->n_hits = n;
	out->n_matched = n_all;
	return 0;
out_free:
	cc_free(all);
	cc_lesson_search_release(out);
	return ret;
}
