/*
 * Who may see a record: the one visibility policy of Concord.
 *
 * Every record carries a marking (struct cc_marking):
 *   - a releasability: public (anyone), partners (the member organisations of the record's
 *     mission) or org (its owner only);
 *   - an owner, the organisation that holds the record (0: the mission's coordination cell,
 *     which only the operator and the marking let others see);
 *   - deny: organisation kinds that may not see it whatever the releasability (by default a
 *     humanitarian owner — NGO, Red Cross/Crescent, UN — denies military organisations: the
 *     principle of civil-military separation);
 *   - named sharing: organisations that may see it whatever the releasability and deny say
 *     (this is how an owner releases a record to a military partner).
 * Sensitive fields (exact coordinates, beneficiary figures, free text) may carry a stricter
 * releasability of their own; a reader who may see the record but not the field sees the site
 * coarsened to its admin area and no figures.
 *
 * A reader (struct cc_viewer) is the local operator (sees everything), an organisation of a
 * mission (with its kind and whether it is a member of the mission), or an audience: the
 * public, or the partners of a mission as a whole (a file handed to "partners" may reach any
 * of them, so it holds no record that any kind is denied).
 *
 * The rule, for a reader that is not the operator:
 *   visible = owner == reader's organisation
 *          or the record is shared with the reader's organisation
 *          or (no kind of the reader is denied
 *              and (releasability == public
 *                   or (releasability == partners and the reader is a member of the
 *                       record's mission)))
 * cc_visible() is that rule in C; the store applies the same rule as a SQL predicate on every
 * read it makes for a reader (src/store/visibility.c has both, side by side, and
 * tests/unit/t-visibility.c proves they agree on every combination).
 */
#ifndef CONCORD_VISIBILITY_H
#define CONCORD_VISIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>

enum cc_rel {
	CC_REL_PUBLIC = 0,
	CC_REL_PARTNERS = 1,
	CC_REL_ORG = 2,
};

/* "public", "partners", "org". */
CC_API const char *cc_rel_name(enum cc_rel rel);
/* The releasability named s; also the TLP labels (TLP:CLEAR/WHITE public, TLP:GREEN and
 * TLP:AMBER partners, TLP:AMBER+STRICT and TLP:RED org). CC_EINVALID lists the names. */
CC_API int cc_rel_parse(const char *s, enum cc_rel *out, struct cc_err *err);

/* Organisation kinds as bits (the OrganisationKind code list); 0 for "" or an unknown kind. */
enum cc_kind_bit {
	CC_KIND_MILITARY = 1u << 0,
	CC_KIND_UN = 1u << 1,
	CC_KIND_EU = 1u << 2,
	CC_KIND_GOVERNMENT = 1u << 3,
	CC_KIND_NGO = 1u << 4,
	CC_KIND_RCRC = 1u << 5,
	CC_KIND_PRIVATE = 1u << 6,
	CC_KIND_OTHER = 1u << 7,
	CC_KIND_ALL = 0xffu,
};

CC_API unsigned cc_kind_bit(const char *kind);
/* "military,ngo" → bits; "" or "none" → 0. CC_EINVALID names an unknown kind. */
CC_API int cc_kinds_parse(const char *s, unsigned *out, struct cc_err *err);
/* Bits → "military,ngo" ("" for 0) into buf (size n). */
CC_API const char *cc_kinds_format(unsigned bits, char *buf, size_t n);
/* The kinds a record of an owner of this kind denies by default: military for NGO, Red
 * Cross/Crescent and UN owners, nothing otherwise. */
CC_API unsigned cc_default_deny(const char *owner_kind);

struct cc_marking {
	int64_t mission_id;     /* the record's mission; 0 for records of no mission (incidents) */
	int64_t owner_id;       /* owning organisation; 0 the coordination cell */
	enum cc_rel rel;
	unsigned deny;          /* enum cc_kind_bit */
	const int64_t *shares;  /* organisations it is shared with (borrowed), n_shares of them */
	size_t n_shares;
};

enum cc_viewer_kind {
	CC_VIEWER_OPERATOR = 0, /* the local operator: sees everything */
	CC_VIEWER_ORG,          /* an organisation of a mission */
	CC_VIEWER_PARTNERS,     /* the partners of a mission as an audience */
	CC_VIEWER_PUBLIC,       /* anyone */
};

struct cc_viewer {
	enum cc_viewer_kind kind;
	int64_t mission_id; /* ORG and PARTNERS: the mission */
	int64_t org_id;     /* ORG: the organisation */
	unsigned kinds;     /* ORG: its kind's bit; PARTNERS and PUBLIC: CC_KIND_ALL */
	bool member;        /* ORG: a member of the mission; PARTNERS: true */
};

#define CC_VIEWER_ALL ((struct cc_viewer){ .kind = CC_VIEWER_OPERATOR })

/* The audiences: the public, or the partners of a mission. */
CC_API struct cc_viewer cc_viewer_public(void);
CC_API struct cc_viewer cc_viewer_partners(int64_t mission_id);

/* Whether the viewer may see a record with this marking (NULL viewer: the operator). */
CC_API bool cc_visible(const struct cc_viewer *v, const struct cc_marking *m);
/*
 * Whether it may see a field of such a record marked field_rel: as the record when field_rel
 * is not stricter than the record's releasability; else only the operator, the owner and
 * readers the stricter marking lets in — named sharing releases the record, not its stricter
 * fields.
 */
CC_API bool cc_visible_field(const struct cc_viewer *v, const struct cc_marking *m,
                             enum cc_rel field_rel);
/* The most restrictive of two releasabilities: an aggregate takes the strictest input's. */
CC_API enum cc_rel cc_rel_max(enum cc_rel a, enum cc_rel b);
/* A short description of the viewer for messages and outputs: "operator", "public",
 * "partners of mission 1", "organisation 7 (military, member)". */
CC_API const char *cc_viewer_describe(const struct cc_viewer *v, char *buf, size_t n);

#endif
