/*
 * The visibility policy: the rule in C (cc_visible) and the SQL predicate the store applies
 * must agree for every reader and every marking; and the rule itself on cases decided by hand.
 */
#include "tap.h"
#include "testdir.h"
#include "fixtures.h"

#include <math.h>

#include <concord/activities.h>
#include <concord/alloc.h>
#include <concord/coverage.h>
#include <concord/sharing.h>
#include <concord/store.h>
#include <concord/text.h>
#include <concord/visibility.h>

/* ---- the rule on its own ---- */

TEST(rule_by_hand)
{
	int64_t ngo_shares[] = { 9 };
	struct cc_viewer mil = { .kind = CC_VIEWER_ORG, .mission_id = 1, .org_id = 9,
		                 .kinds = CC_KIND_MILITARY, .member = true };
	struct cc_viewer ngo = { .kind = CC_VIEWER_ORG, .mission_id = 1, .org_id = 4,
		                 .kinds = CC_KIND_NGO, .member = true };
	struct cc_viewer outsider = { .kind = CC_VIEWER_ORG, .mission_id = 1, .org_id = 5,
		                      .kinds = CC_KIND_NGO, .member = false };
	struct cc_viewer other_mission = { .kind = CC_VIEWER_ORG, .mission_id = 2, .org_id = 6,
		                           .kinds = CC_KIND_UN, .member = true };
	struct cc_viewer pub = cc_viewer_public(), partners = cc_viewer_partners(1);
	/* an NGO's partners record: denied to the military by default */
	struct cc_marking m = { .mission_id = 1, .owner_id = 4, .rel = CC_REL_PARTNERS,
		                .deny = cc_default_deny("ngo") };

	check_int(m.deny, ==, CC_KIND_MILITARY);
	check(cc_visible(NULL, &m));
	check(cc_visible(&ngo, &m));
	check(!cc_visible(&mil, &m));
	check(!cc_visible(&outsider, &m));
	check(!cc_visible(&other_mission, &m));
	check(!cc_visible(&pub, &m));
	/* the partners audience may reach a military partner: denied kinds keep it out */
	check(!cc_visible(&partners, &m));
	/* released to the military organisation by name */
	m.shares = ngo_shares;
	m.n_shares = 1;
	check(cc_visible(&mil, &m));
	/* ... the record, not its stricter fields */
	check(cc_visible_field(&mil, &m, CC_REL_PARTNERS));
	check(!cc_visible_field(&mil, &m, CC_REL_ORG));
	check(cc_visible_field(&ngo, &m, CC_REL_ORG));
	m.n_shares = 0;
	/* the owner releases it: no kinds denied */
	m.deny = 0;
	check(cc_visible(&mil, &m));
	check(cc_visible(&partners, &m));
	check(!cc_visible(&pub, &m));
	/* owner only */
	m.rel = CC_REL_ORG;
	check(cc_visible(&ngo, &m));
	check(!cc_visible(&mil, &m));
	check(!cc_visible(&partners, &m));
	/* public: anyone not denied */
	m.rel = CC_REL_PUBLIC;
	check(cc_visible(&pub, &m));
	check(cc_visible(&outsider, &m));
	check(cc_visible(&other_mission, &m));
	/* a field stricter than its record */
	check(cc_visible_field(&mil, &m, CC_REL_PUBLIC));
	check(!cc_visible_field(&outsider, &m, CC_REL_PARTNERS));
	check(cc_visible_field(&ngo, &m, CC_REL_ORG));
	check(!cc_visible_field(&mil, &m, CC_REL_ORG));
	/* an incident (no mission) marked partners: members of any mission */
	struct cc_marking inc = { .rel = CC_REL_PARTNERS };
	check(cc_visible(&other_mission, &inc));
	check(!cc_visible(&outsider, &inc));
	check_int(cc_rel_max(CC_REL_PUBLIC, CC_REL_ORG), ==, CC_REL_ORG);
}

TEST(names)
{
	enum cc_rel rel;
	unsigned bits;
	char buf[96];
	struct cc_err err = { 0 };

	check_int(cc_rel_parse("partners", &rel, &err), ==, 0);
	check_int(rel, ==, CC_REL_PARTNERS);
	check_int(cc_rel_parse("TLP:RED", &rel, &err), ==, 0);
	check_int(rel, ==, CC_REL_ORG);
	check_int(cc_rel_parse("tlp:clear", &rel, &err), ==, 0);
	check_int(rel, ==, CC_REL_PUBLIC);
	check_int(cc_rel_parse("secret", &rel, &err), ==, CC_EINVALID);
	check_int(cc_kinds_parse("military,ngo", &bits, &err), ==, 0);
	check_int(bits, ==, CC_KIND_MILITARY | CC_KIND_NGO);
	check_str(cc_kinds_format(bits, buf, sizeof(buf)), "military,ngo");
	check_int(cc_kinds_parse("none", &bits, &err), ==, 0);
	check_int(bits, ==, 0);
	check_int(cc_kinds_parse("military,pirates", &bits, &err), ==, CC_EINVALID);
	check_int(cc_default_deny("rcrc"), ==, CC_KIND_MILITARY);
	check_int(cc_default_deny("un"), ==, CC_KIND_MILITARY);
	check_int(cc_default_deny("military"), ==, 0);
	check_int(cc_default_deny(""), ==, 0);
}

/* ---- the rule against the store's SQL ---- */

enum { N_ORGS = 5 };
static const struct {
	const char *key, *kind;
	bool member;
} orgs[N_ORGS] = {
	{ "local:ISAF-PRT", "military", true }, { "local:AADA", "ngo", true },
	{ "local:UNICEF", "un", true },         { "local:MRRD", "government", true },
	{ "local:OUTSIDE", "ngo", false },
};

struct rec {
	int64_t id;
	struct cc_marking m;
	int64_t share; /* 0 none */
	enum cc_rel geo;
};

static int64_t org_ids[N_ORGS];

static struct cc_store *seed(struct rec **recs_out, size_t *n_out, int64_t *mission_out)
{
	static const enum cc_rel rels[] = { CC_REL_PUBLIC, CC_REL_PARTNERS, CC_REL_ORG };
	static const unsigned denies[] = { 0, CC_KIND_MILITARY, CC_KIND_MILITARY | CC_KIND_NGO };
	struct cc_err err = { 0 };
	struct cc_source src = { 0 };
	struct cc_area kabul;
	struct rec *recs;
	size_t n = 0;
	int64_t mission, batch;
	struct cc_store *st = afg_fixture("vis.db", AFG_BOUNDARIES, NULL, NULL, &mission);

	if (!st)
		return NULL;
	check_int(cc_store_find_area(st, "AF01", &kabul, &err), ==, 0);
	for (int i = 0; i < N_ORGS; i++) {
		struct cc_org o = { .mission_id = mission, .is_local = -1 };

		snprintf(o.key, sizeof(o.key), "%s", orgs[i].key);
		snprintf(o.name, sizeof(o.name), "%s", orgs[i].key + 6);
		snprintf(o.kind, sizeof(o.kind), "%s", orgs[i].kind);
		check_int(cc_store_put_org(st, &o, &err), ==, 0);
		org_ids[i] = o.id;
		if (orgs[i].member)
			check_int(cc_store_set_member(st, mission, o.id, true, &err), ==, 0);
	}
	src.mission_id = mission;
	snprintf(src.name, sizeof(src.name), "marked.csv");
	src.period_from = src.period_to = CC_DATE_NONE;
	src.n_read = src.n_rejected = -1;
	check_int(cc_store_put_source(st, &src, &err), ==, 0);
	check_int(cc_store_new_batch(st, &batch, &err), ==, 0);

	recs = calloc(3 * (N_ORGS + 1) * 3 * 3, sizeof(*recs));
	check_int(cc_store_begin(st, &err), ==, 0);
	for (size_t r = 0; r < 3; r++)
		for (int o = -1; o < N_ORGS; o++)
			for (size_t d = 0; d < 3; d++)
				for (int sh = 0; sh < 3; sh++) {
					struct cc_activity a = {
						.mission_id = mission, .source_id = src.id,
						.kind = CC_KIND_ACTIVITY, .title = "site", .description = "",
						.status = "2", .org_id = org_ids[1], .area_id = kabul.id,
						.lat = 34.5, .lon = 69.2, .start_date = CC_DATE_NONE,
						.end_date = CC_DATE_NONE, .targeted = 100, .reached = 50,
						.budget = NAN, .line = (long)n + 2,
					};
					enum cc_put_result res;
					long dup;
					struct rec *x = &recs[n];

					x->m = (struct cc_marking){ .mission_id = mission,
						                    .owner_id = o < 0 ? 0 : org_ids[o],
						                    .rel = rels[r],
						                    .deny = denies[d] };
					x->share = sh == 0 ? 0 : sh == 1 ? org_ids[0] : org_ids[4];
					x->geo = n % 4 == 0 ? CC_REL_ORG : n % 4 == 1 ? CC_REL_PARTNERS
					                                               : x->m.rel;
					a.releasability = cc_rel_name(rels[r]);
					a.owner_id = x->m.owner_id;
					a.deny = denies[d];
					a.geo_rel = x->geo == x->m.rel ? NULL : cc_rel_name(x->geo);
					a.figures_rel = a.geo_rel;
					memcpy(a.natkey, &n, sizeof(n));
					a.digest[0] = 1;
					check_int(cc_store_put_activity(st, &a, batch, &res, &dup, &err),
					          ==, 0);
					x->id = a.id;
					n++;
				}
	check_int(cc_store_commit(st, &err), ==, 0);
	for (size_t i = 0; i < n; i++)
		if (recs[i].share)
			check_int(cc_store_share(st, "activity", recs[i].id, recs[i].share, true,
			                         &err),
			          ==, 0);
	*recs_out = recs;
	*n_out = n;
	*mission_out = mission;
	return st;
}

static bool in_page(const struct cc_activity_page *p, int64_t id, size_t *at)
{
	for (size_t i = 0; i < p->n_rows; i++)
		if (p->rows[i].id == id) {
			*at = i;
			return true;
		}
	return false;
}

TEST(sql_agrees_with_rule)
{
	struct cc_err err = { 0 };
	struct rec *recs = NULL;
	size_t n = 0;
	int64_t mission = 0;
	struct cc_store *st = seed(&recs, &n, &mission);
	struct cc_viewer viewers[N_ORGS + 3];
	size_t n_viewers = 0, disagreements = 0, field_errors = 0, visible_total = 0;

	if (!st)
		return;
	check_int(n, ==, 162);
	viewers[n_viewers++] = CC_VIEWER_ALL;
	viewers[n_viewers++] = cc_viewer_public();
	viewers[n_viewers++] = cc_viewer_partners(mission);
	for (int i = 0; i < N_ORGS; i++)
		check_int(cc_store_org_viewer(st, mission, org_ids[i], &viewers[n_viewers++], &err),
		          ==, 0);
	check_int(viewers[3].kinds, ==, CC_KIND_MILITARY);
	check(viewers[3].member);
	check(!viewers[7].member);

	for (size_t v = 0; v < n_viewers; v++) {
		struct cc_activity_page all = { 0 };
		struct cc_activity_page page = { 0 };
		size_t n_seen = 0, n_expected = 0;
		int64_t after = 0;

		cc_store_set_viewer(st, &viewers[v]);
		/* keyset pages of 7: every visible record exactly once */
		all.rows = calloc(n, sizeof(*all.rows));
		do {
			check_int(cc_store_list_activities(
			                  st,
			                  &(struct cc_activity_query){ .mission_id = mission,
			                                               .pillar = -1, .kind = -1,
			                                               .from = CC_DATE_NONE,
			                                               .to = CC_DATE_NONE,
			                                               .after = after, .limit = 7 },
			                  &page, &err),
			          ==, 0);
			for (size_t i = 0; i < page.n_rows && n_seen < n; i++) {
				const struct cc_activity_row *r = &page.rows[i];
				size_t k = 0;

				while (k < n && recs[k].id != r->id)
					k++;
				if (k == n)
					continue;
				all.rows[n_seen++] = *r;
				/* the field markings: exact site only where the rule allows */
				struct cc_marking mk = recs[k].m;
				int64_t sh[1] = { recs[k].share };
				mk.shares = sh;
				mk.n_shares = recs[k].share ? 1 : 0;
				bool exact = cc_visible_field(&viewers[v], &mk, recs[k].geo);
				if (r->site_exact != exact || r->figures_hidden == exact ||
				    (exact && r->lat != 34.5) || (!exact && !(r->lat > 29 && r->lat < 38)) ||
				    (!exact && r->lat == 34.5) || (exact && r->reached != 50) ||
				    (!exact && !isnan(r->reached)))
					field_errors++;
			}
			after = page.next_after;
			cc_activity_page_release(&page);
		} while (after);
		all.n_rows = n_seen;
		for (size_t k = 0; k < n; k++) {
			struct cc_marking mk = recs[k].m;
			int64_t sh[1] = { recs[k].share };
			struct cc_record_marking got;
			size_t at;
			bool want, listed;
			int ret;

			mk.shares = sh;
			mk.n_shares = recs[k].share ? 1 : 0;
			want = cc_visible(&viewers[v], &mk);
			listed = in_page(&all, recs[k].id, &at);
			ret = cc_store_get_marking(st, "activity", recs[k].id, &got, &err);
			n_expected += want;
			if (want != listed || (want ? ret != 0 : ret != CC_ENOTFOUND))
				disagreements++;
			if (want && ret == 0 &&
			    (got.rel != mk.rel || got.owner_id != mk.owner_id || got.deny != mk.deny ||
			     got.n_shares != mk.n_shares))
				disagreements++;
		}
		check_int(n_seen, ==, n_expected);
		visible_total += n_seen;
		free(all.rows);
	}
	check_int(disagreements, ==, 0);
	check_int(field_errors, ==, 0);
	/* one page of the largest size holds them all */
	{
		struct cc_activity_page big = { 0 };

		cc_store_set_viewer(st, NULL);
		check_int(cc_store_list_activities(
		                  st,
		                  &(struct cc_activity_query){ .mission_id = mission, .pillar = -1,
		                                               .kind = -1, .from = CC_DATE_NONE,
		                                               .to = CC_DATE_NONE,
		                                               .limit = CC_ACTIVITY_PAGE_MAX },
		                  &big, &err),
		          ==, 0);
		check_int(big.n_rows, ==, n);
		check_int(big.next_after, ==, 0);
		cc_activity_page_release(&big);
	}
	/* the operator sees all 162; the readers see fewer, but not nothing */
	check_int(visible_total, >, 162);
	check_int(visible_total, <, 162 * n_viewers);
	cc_store_close(st);
	free(recs);
}

/* An analysis run for a reader counts only what it may see, and takes the strictest marking. */
TEST(coverage_counts_visible_only)
{
	struct cc_err err = { 0 };
	struct rec *recs = NULL;
	size_t n = 0;
	int64_t mission = 0;
	struct cc_store *st = seed(&recs, &n, &mission);
	struct cc_viewer vs[3];

	if (!st)
		return;
	vs[0] = CC_VIEWER_ALL;
	check_int(cc_store_org_viewer(st, mission, org_ids[0], &vs[1], &err), ==, 0);
	vs[2] = cc_viewer_public();
	for (int v = 0; v < 3; v++) {
		struct cc_coverage_record *r = NULL;
		struct cc_coverage_column *c = NULL;
		struct cc_area *a = NULL;
		size_t nr = 0, nc = 0, na = 0, want = 0;
		bool any_partners = false;
		struct cc_coverage cov = { 0 };

		cc_store_set_viewer(st, &vs[v]);
		for (size_t k = 0; k < n; k++) {
			struct cc_marking mk = recs[k].m;
			int64_t sh[1] = { recs[k].share };

			mk.shares = sh;
			mk.n_shares = recs[k].share ? 1 : 0;
			if (cc_visible(&vs[v], &mk)) {
				want++;
				any_partners |= mk.rel == CC_REL_PARTNERS;
			}
		}
		check_int(cc_store_load_coverage(st,
		                                 &(struct cc_coverage_query){ .mission_id = mission,
		                                                              .by = CC_BY_PILLAR,
		                                                              .from = CC_DATE_NONE,
		                                                              .to = CC_DATE_NONE },
		                                 &r, &nr, &c, &nc, &a, &na, &err),
		          ==, 0);
		check_int(nr, ==, want);
		check_int(cc_coverage_compute(r, nr, a, na, c, nc,
		                              &(struct cc_coverage_opts){ .level = 1,
		                                                          .by = CC_BY_PILLAR },
		                              &cov, &err),
		          ==, 0);
		check_int(cov.n_activities, ==, want);
		/* the public sees public records only; the others see some owner-only ones */
		check_int(cov.marking, ==, v == 2 ? CC_REL_PUBLIC : CC_REL_ORG);
		check(v == 2 ? !any_partners : any_partners);
		cc_coverage_release(&cov);
		cc_free(r);
		cc_free(c);
		cc_free(a);
	}
	cc_store_close(st);
	free(recs);
}
