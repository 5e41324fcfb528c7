/*
 * The sharing domain's store wrappers (<concord/sharing.h>): argument checks, the change log
 * of marking changes, then dispatch to st->ops->sharing.
 */
#include <concord/feed.h>
#include <concord/sharing.h>

#include <stdio.h>
#include <string.h>

#include "store/backend.h"
#include "store/ops_sharing.h"

#include "core/banned.h"

static const struct cc__sharing_ops *ops(struct cc_store *st, struct cc_err *err)
{
	if (!st->ops->sharing)
		cc_err_set(err, CC_EUNSUPPORTED, "this store backend cannot share records");
	return st->ops->sharing;
}

void cc_store_set_viewer(struct cc_store *st, const struct cc_viewer *v)
{
	st->viewer = v ? *v : CC_VIEWER_ALL;
}

struct cc_viewer cc_store_get_viewer(const struct cc_store *st)
{
	return st->viewer;
}

int cc_store_org_viewer(struct cc_store *st, int64_t mission_id, int64_t org_id,
                        struct cc_viewer *out, struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);
	char kind[16] = "";
	bool member = false;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = o->org_viewer(st, mission_id, org_id, kind, &member, err)) < 0)
		return ret;
	*out = (struct cc_viewer){ .kind = CC_VIEWER_ORG,
		                   .mission_id = mission_id,
		                   .org_id = org_id,
		                   .kinds = cc_kind_bit(kind),
		                   .member = member };
	return 0;
}

int cc_store_set_member(struct cc_store *st, int64_t mission_id, int64_t org_id, bool member,
                        struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);
	int64_t org_mission = 0;
	bool changed;
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = o->org_mission(st, org_id, &org_mission, err)) < 0)
		return ret;
	if (org_mission != mission_id)
		return cc_err_set(err, CC_ENOTFOUND, "no organisation %lld in mission %lld",
		                  (long long)org_id, (long long)mission_id);
	return o->set_member(st, mission_id, org_id, member, &changed, err);
}

int cc_store_list_members(struct cc_store *st, int64_t mission_id, struct cc_org **out,
                          size_t *n_out, struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);

	*out = NULL;
	*n_out = 0;
	return o ? o->list_members(st, mission_id, out, n_out, err) : CC_EUNSUPPORTED;
}

static int check_table(const char *table, struct cc_err *err)
{
	static const char *const marked[] = { "activity",    "incident", "need",    "lesson",
		                              "indicator",   "observation", "feedback",
		                              "survey_respondent" };

	for (size_t i = 0; table && i < sizeof(marked) / sizeof(marked[0]); i++)
		if (strcmp(table, marked[i]) == 0)
			return 0;
	return cc_err_set(err, CC_EINVALID, "records of '%s' carry no marking (%s do)",
	                  table ? table : "", CC_MARKED_TABLES);
}

int cc_store_get_marking(struct cc_store *st, const char *table, int64_t id,
                         struct cc_record_marking *out, struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = check_table(table, err)) < 0)
		return ret;
	return o->get_marking(st, table, id, out, err);
}

/* The organisation must be of the record's mission (records of no mission: any). */
static int check_org(struct cc_store *st, const struct cc__sharing_ops *o,
                     const struct cc_record_marking *m, int64_t org_id, const char *what,
                     struct cc_err *err)
{
	int64_t mission = 0;
	int ret;

	if (!org_id)
		return 0;
	if ((ret = o->org_mission(st, org_id, &mission, err)) < 0)
		return ret;
	if (m->mission_id && mission != m->mission_id)
		return cc_err_set(err, CC_EINVALID, "%s: organisation %lld is not of the record's "
		                  "mission", what, (long long)org_id);
	return 0;
}

int cc_store_set_marking(struct cc_store *st, const char *table, int64_t id, enum cc_rel rel,
                         int64_t owner_id, unsigned deny, struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);
	struct cc_record_marking m;
	char detail[160], kinds[96];
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_get_marking(st, table, id, &m, err)) == 0)
		ret = check_org(st, o, &m, owner_id, "owner", err);
	if (ret == 0)
		ret = o->set_marking(st, table, id, rel, owner_id, deny & CC_KIND_ALL, err);
	snprintf(detail, sizeof(detail), "marking: %s, owner %lld, deny %s", cc_rel_name(rel),
	         (long long)owner_id, deny ? cc_kinds_format(deny, kinds, sizeof(kinds)) : "none");
	if (ret == 0)
		ret = cc_store_log_change(st,
		                          &(struct cc_change){ .table = table,
		                                               .op = "update",
		                                               .record_id = id,
		                                               .count = 1,
		                                               .mission_id = m.mission_id,
		                                               .releasability = cc_rel_name(rel),
		                                               .detail = detail },
		                          err);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

int cc_store_share(struct cc_store *st, const char *table, int64_t id, int64_t org_id, bool on,
                   struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);
	struct cc_record_marking m;
	char detail[96];
	int ret;

	if (!o)
		return CC_EUNSUPPORTED;
	if (!org_id)
		return cc_err_set(err, CC_EUSAGE, "share with which organisation?");
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	if ((ret = cc_store_get_marking(st, table, id, &m, err)) == 0)
		ret = check_org(st, o, &m, org_id, "share", err);
	if (ret == 0 && on && m.n_shares == sizeof(m.shares) / sizeof(m.shares[0]))
		ret = cc_err_set(err, CC_ETOOBIG, "%s %lld is already shared with %zu organisations",
		                 table, (long long)id, m.n_shares);
	if (ret == 0)
		ret = o->share(st, table, id, org_id, on, err);
	snprintf(detail, sizeof(detail), "%s organisation %lld", on ? "shared with" : "unshared from",
	         (long long)org_id);
	if (ret == 0)
		ret = cc_store_log_change(st,
		                          &(struct cc_change){ .table = table,
		                                               .op = "update",
		                                               .record_id = id,
		                                               .count = 1,
		                                               .mission_id = m.mission_id,
		                                               .releasability = cc_rel_name(m.rel),
		                                               .detail = detail },
		                          err);
	if (ret < 0) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

int cc_store_read_feed(struct cc_store *st, int64_t after, size_t limit,
                       struct cc_feed_entry *out, size_t *n_out, int64_t *next_out,
                       struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);

	*n_out = 0;
	*next_out = after;
	if (!o)
		return CC_EUNSUPPORTED;
	if (limit < 1 || limit > CC_FEED_PAGE_MAX)
		return cc_err_set(err, CC_EUSAGE, "a feed page holds 1 to %d entries",
		                  CC_FEED_PAGE_MAX);
	return o->read_feed(st, after < 0 ? 0 : after, limit, out, n_out, next_out, err);
}

int cc_store_feed_head(struct cc_store *st, int64_t *head_out, struct cc_err *err)
{
	const struct cc__sharing_ops *o = ops(st, err);

	*head_out = 0;
	return o ? o->feed_head(st, head_out, err) : CC_EUNSUPPORTED;
}

int cc_store_apply_retention(struct cc_store *st, int64_t mission_id, int32_t sites_before,
                             int32_t personal_before, bool dry_run,
                             struct cc_retention_counts *out, struct cc_err *err)
{
	static const struct {
		const char *table, *what;
	} parts[] = {
		{ "activity", "exact sites of activities ended before" },
		{ "feedback", "personal data of feedback givers dated before" },
		{ "survey_respondent", "personal data of survey respondents imported before" },
	};
	const struct cc__sharing_ops *o = ops(st, err);
	int64_t *counts[] = { &out->sites, &out->givers, &out->respondents };
	char detail[128], day[11];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!o)
		return CC_EUNSUPPORTED;
	if ((ret = cc_store_begin(st, err)) < 0)
		return ret;
	for (int i = 0; i < 3 && ret == 0; i++) {
		int32_t before = i == 0 ? sites_before : personal_before;

		if (before == CC_DATE_NONE)
			continue;
		ret = o->redact(st, i, mission_id, before, dry_run, counts[i], err);
		if (ret < 0 || dry_run || *counts[i] == 0)
			continue;
		snprintf(detail, sizeof(detail), "retention: %s %s redacted", parts[i].what,
		         cc_date_format(before, day));
		ret = cc_store_log_change(st,
		                          &(struct cc_change){ .table = parts[i].table,
		                                               .op = "update",
		                                               .count = *counts[i],
		                                               .mission_id = mission_id,
		                                               .detail = detail },
		                          err);
	}
	if (ret < 0 || dry_run) {
		cc_store_rollback(st);
		return ret;
	}
	return cc_store_commit(st, err);
}

struct cc_marking cc_record_marking_view(const struct cc_record_marking *m)
{
	return (struct cc_marking){ .mission_id = m->mission_id,
		                    .owner_id = m->owner_id,
		                    .rel = m->rel,
		                    .deny = m->deny,
		                    .shares = m->shares,
		                    .n_shares = m->n_shares };
}
