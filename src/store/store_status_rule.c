/* The public face of the status-rule domain: checks, then the backend's table. */
#include <concord/admin.h>

#include <math.h>
#include <string.h>

#include "store/backend.h"
#include "store/ops_status_rule.h"

#include "core/banned.h"

#define MAX_AGE_DAYS 36600

/* A share in (0, 1], or 0 (the default). */
static int check_share(double v, const char *field, struct cc_err *err)
{
	if (v == 0 || (v > 0 && v <= 1))
		return 0;
	cc_err_set(err, CC_EINVALID, "%s %g is not a number in (0, 1]", field, v);
	cc_err_at(err, NULL, 0, field);
	return CC_EINVALID;
}

static int check_rule(const struct cc_status_rule *r, struct cc_err *err)
{
	struct cc_progress_opts o = { .at = CC_DATE_NONE };
	int ret;

	if ((ret = check_share(r->on_track, "on_track", err)) < 0 ||
	    (ret = check_share(r->at_risk, "at_risk", err)) < 0 ||
	    (ret = check_share(r->alpha, "alpha", err)) < 0)
		return ret;
	if (r->max_age_days < 0 || r->max_age_days > MAX_AGE_DAYS) {
		cc_err_set(err, CC_EINVALID, "max_age %d is not 1..%d days", r->max_age_days,
		           MAX_AGE_DAYS);
		cc_err_at(err, NULL, 0, "max_age");
		return CC_EINVALID;
	}
	cc_progress_opts_apply_rule(&o, r);
	if (o.at_risk > o.on_track) {
		cc_err_set(err, CC_EINVALID, "at_risk %g (%s) is above on_track %g (%s)", o.at_risk,
		           cc_rule_source_name(o.from_at_risk), o.on_track,
		           cc_rule_source_name(o.from_on_track));
		cc_err_at(err, NULL, 0, "at_risk");
		return CC_EINVALID;
	}
	return 0;
}

int cc_store_get_status_rule(struct cc_store *st, int64_t mission_id, struct cc_status_rule *out,
                             struct cc_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!st->ops->status_rule)
		return 0; /* no table: the defaults */
	return st->ops->status_rule->get_rule(st, mission_id, out, err);
}

int cc_store_set_status_rule(struct cc_store *st, int64_t mission_id,
                             const struct cc_status_rule *r, struct cc_err *err)
{
	int ret;

	if (!st->ops->status_rule)
		return cc_err_set(err, CC_EUNSUPPORTED,
		                  "this store backend keeps no status rule per mission");
	if ((ret = check_rule(r, err)) < 0)
		return ret;
	return st->ops->status_rule->set_rule(st, mission_id, r, err);
}

int cc_progress_opts_for_mission(struct cc_store *st, int64_t mission_id,
                                 struct cc_progress_opts *o, struct cc_err *err)
{
	struct cc_status_rule m;
	int ret;

	if ((ret = cc_store_get_status_rule(st, mission_id, &m, err)) < 0)
		return ret;
	cc_progress_opts_apply_rule(o, &m);
	if (o->at_risk > o->on_track) {
		cc_err_set(err, CC_EINVALID, "at_risk %g (%s) is above on_track %g (%s)",
		           o->at_risk, cc_rule_source_name(o->from_at_risk), o->on_track,
		           cc_rule_source_name(o->from_on_track));
		cc_err_at(err, NULL, 0, "at_risk");
		return CC_EINVALID;
	}
	return 0;
}
