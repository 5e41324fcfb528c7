/*
 * The visibility rule in C (see <concord/visibility.h>). Its SQL twin is CC__SQ_VISIBLE in
 * src/store/sqlite_visibility.h: change one, change the other; tests/unit/t-visibility.c runs
 * both over every combination of reader and marking and fails when they disagree.
 */
#include <concord/visibility.h>

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const rel_names[] = { "public", "partners", "org" };

const char *cc_rel_name(enum cc_rel rel)
{
	return (unsigned)rel < N_OF(rel_names) ? rel_names[rel] : "org";
}

int cc_rel_parse(const char *s, enum cc_rel *out, struct cc_err *err)
{
	static const struct {
		const char *name;
		enum cc_rel rel;
	} tlp[] = {
		{ "TLP:CLEAR", CC_REL_PUBLIC },    { "TLP:WHITE", CC_REL_PUBLIC },
		{ "TLP:GREEN", CC_REL_PARTNERS },  { "TLP:AMBER", CC_REL_PARTNERS },
		{ "TLP:AMBER+STRICT", CC_REL_ORG }, { "TLP:RED", CC_REL_ORG },
	};

	for (size_t i = 0; s && i < N_OF(rel_names); i++) {
		if (strcmp(s, rel_names[i]) == 0) {
			*out = (enum cc_rel)i;
			return 0;
		}
	}
	for (size_t i = 0; s && i < N_OF(tlp); i++) {
		if (strcasecmp(s, tlp[i].name) == 0) {
			*out = tlp[i].rel;
			return 0;
		}
	}
	return cc_err_set(err, CC_EINVALID,
	                  "unknown releasability '%s' (public, partners, org, or a TLP label)",
	                  s ? s : "");
}

static const char *const kind_names[] = { "military", "un",  "eu",      "government",
	                                  "ngo",      "rcrc", "private", "other" };

unsigned cc_kind_bit(const char *kind)
{
	for (size_t i = 0; kind && i < N_OF(kind_names); i++)
		if (strcmp(kind, kind_names[i]) == 0)
			return 1u << i;
	return 0;
}

int cc_kinds_parse(const char *s, unsigned *out, struct cc_err *err)
{
	unsigned bits = 0;

	*out = 0;
	if (!s || !*s || strcmp(s, "none") == 0)
		return 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		size_t i = 0;

		while (i < N_OF(kind_names) &&
		       (strlen(kind_names[i]) != n || strncmp(s, kind_names[i], n) != 0))
			i++;
		if (i == N_OF(kind_names))
			return cc_err_set(err, CC_EINVALID,
			                  "unknown organisation kind '%.*s' (military, un, eu, "
			                  "government, ngo, rcrc, private, other)",
			                  (int)n, s);
		bits |= 1u << i;
		s += n + (s[n] == ',');
	}
	*out = bits;
	return 0;
}

const char *cc_kinds_format(unsigned bits, char *buf, size_t n)
{
	size_t off = 0;

	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < N_OF(kind_names); i++) {
		int k;

		if (!(bits & (1u << i)) || off >= n)
			continue;
		k = snprintf(buf + off, n - off, "%s%s", off ? "," : "", kind_names[i]);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	return buf;
}

unsigned cc_default_deny(const char *owner_kind)
{
	unsigned k = cc_kind_bit(owner_kind);

	return k & (CC_KIND_NGO | CC_KIND_RCRC | CC_KIND_UN) ? CC_KIND_MILITARY : 0;
}

struct cc_viewer cc_viewer_public(void)
{
	return (struct cc_viewer){ .kind = CC_VIEWER_PUBLIC, .kinds = CC_KIND_ALL };
}

struct cc_viewer cc_viewer_partners(int64_t mission_id)
{
	return (struct cc_viewer){ .kind = CC_VIEWER_PARTNERS,
		                   .mission_id = mission_id,
		                   .kinds = CC_KIND_ALL,
		                   .member = true };
}

enum cc_rel cc_rel_max(enum cc_rel a, enum cc_rel b)
{
	return a > b ? a : b;
}

/* The marking part of the rule: no kind of the reader denied, and rel lets it in. */
static bool by_marking(const struct cc_viewer *v, const struct cc_marking *m, enum cc_rel rel)
{
	if (m->deny & v->kinds)
		return false;
	switch (rel) {
	case CC_REL_PUBLIC:
		return true;
	case CC_REL_PARTNERS:
		/* a record of no mission (an incident) is the partners' of every mission */
		return v->member && (m->mission_id == 0 || m->mission_id == v->mission_id);
	case CC_REL_ORG:
		return false;
	}
	return false;
}

static bool is_owner(const struct cc_viewer *v, const struct cc_marking *m)
{
	return v->kind == CC_VIEWER_ORG && v->org_id && m->owner_id == v->org_id;
}

bool cc_visible(const struct cc_viewer *v, const struct cc_marking *m)
{
	if (!v || v->kind == CC_VIEWER_OPERATOR || is_owner(v, m))
		return true;
	if (v->kind == CC_VIEWER_ORG && v->org_id)
		for (size_t i = 0; i < m->n_shares; i++)
			if (m->shares[i] == v->org_id)
				return true;
	return by_marking(v, m, m->rel);
}

bool cc_visible_field(const struct cc_viewer *v, const struct cc_marking *m, enum cc_rel field_rel)
{
	if (!cc_visible(v, m))
		return false;
	/* named sharing releases the record, not its stricter fields */
	return field_rel <= m->rel || !v || v->kind == CC_VIEWER_OPERATOR || is_owner(v, m) ||
	       by_marking(v, m, field_rel);
}

const char *cc_viewer_describe(const struct cc_viewer *v, char *buf, size_t n)
{
	char kinds[96];

	if (!v || v->kind == CC_VIEWER_OPERATOR)
		snprintf(buf, n, "operator");
	else if (v->kind == CC_VIEWER_PUBLIC)
		snprintf(buf, n, "public");
	else if (v->kind == CC_VIEWER_PARTNERS)
		snprintf(buf, n, "partners of mission %lld", (long long)v->mission_id);
	else
		snprintf(buf, n, "organisation %lld (%s%s%s)", (long long)v->org_id,
		         cc_kinds_format(v->kinds, kinds, sizeof(kinds)), v->kinds ? ", " : "",
		         v->member ? "member" : "not a member");
	return buf;
}
