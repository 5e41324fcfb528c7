/*
 * The administration of a mission: its settings (reporting currency), the gazetteer's name
 * aliases, validity dates, crosswalk and population carried onto a layout, users, and the
 * retention of sensitive fields. Each operation is one function that both `concord mission`,
 * `concord area`, `concord user add`, `concord retention` and the HTTP API call, and each
 * result has one formatter (text as the CLI prints it, CSV, JSON) so that `--json` and the API
 * answer are the same bytes.
 *
 * Writes are one transaction each and logged in the change log.
 */
#ifndef CONCORD_ADMIN_H
#define CONCORD_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/auth.h>
#include <concord/buf.h>
#include <concord/error.h>
#include <concord/model.h>
#include <concord/progress.h>
#include <concord/sharing.h>
#include <concord/store.h>

/* ---- mission settings ---- */

struct cc_mission_settings {
	struct cc_mission mission;
	char currency[4];   /* the reporting currency, "" when none was set */
	int rate_tolerance; /* days a rate may be older than the value date */
	struct cc_status_rule status_rule; /* the progress thresholds it set; 0: the default */
};

/* The mission (code; NULL: the store's only mission) and its settings. */
CC_API int cc_mission_settings_load(struct cc_store *st, const char *mission,
                                    struct cc_mission_settings *out, struct cc_err *err);
/*
 * Sets the reporting currency (NULL: keep it) and the rate tolerance (< 0: keep it), in one
 * transaction logged as an update of mission_money; *out gets the settings after. CC_EUSAGE
 * naming "currency" when neither is given or the mission has no currency yet and none is
 * given; CC_EINVALID naming "currency" or "rate_tolerance" for a bad value.
 */
CC_API int cc_mission_settings_set(struct cc_store *st, const char *mission, const char *currency,
                                   int rate_tolerance, struct cc_mission_settings *out,
                                   struct cc_err *err);
/*
 * Sets the thresholds of the mission's status rule (DOMAIN.md §2.2) that are > 0 in set, puts
 * those < 0 back to the default and keeps those that are 0, in one transaction logged as an
 * update of mission_status_rule; *out gets the settings after. CC_EUSAGE naming "on_track"
 * when nothing changes; CC_EINVALID naming the field for a share outside (0, 1], an age
 * outside 1..36600 days, or at_risk above on_track (the defaults counted).
 */
CC_API int cc_mission_status_rule_set(struct cc_store *st, const char *mission,
                                      const struct cc_status_rule *set,
                                      struct cc_mission_settings *out, struct cc_err *err);
/*
 * The mission's stored status rule (all 0: the defaults; a backend without the table has
 * none) and its update. cc_store_set_status_rule checks the values as above.
 */
CC_API int cc_store_get_status_rule(struct cc_store *st, int64_t mission_id,
                                    struct cc_status_rule *out, struct cc_err *err);
CC_API int cc_store_set_status_rule(struct cc_store *st, int64_t mission_id,
                                    const struct cc_status_rule *r, struct cc_err *err);
/*
 * The thresholds of one run of progress for the mission: those already set in o (options of
 * the run) stay, the others come from the mission's rule, else the defaults; the from_* fields
 * say which (cc_progress_opts_apply_rule). CC_EINVALID naming "at_risk" when the result puts
 * at_risk above on_track.
 */
CC_API int cc_progress_opts_for_mission(struct cc_store *st, int64_t mission_id,
                                        struct cc_progress_opts *o, struct cc_err *err);
/*
 * fmt (enum cc_format) TABLE: what `concord mission show` prints; JSON: {"mission", "name",
 * "country", "start", "end", "currency" (null: none), "rate_tolerance", "status_rule":
 * {"on_track", "at_risk", "alpha", "max_age_days" (the values in force; max_age_days 0: 2 x
 * the reporting period, else 180), "from": {each: "default" or "mission"}}}.
 */
CC_API int cc_mission_settings_format(const struct cc_mission_settings *s, int fmt,
                                      struct cc_buf *out, struct cc_err *err);

/* ---- the gazetteer ---- */

/*
 * Adds name as another name of the area pcode (one transaction, logged as an insert of
 * area_alias); source says who ("cli", "api"). *area gets the area, norm (may be NULL) the
 * name as it is matched. CC_ENOTFOUND naming "pcode"; CC_EUSAGE naming "name" when it is empty
 * or not UTF-8.
 */
CC_API int cc_area_alias_add(struct cc_store *st, const char *pcode, const char *name,
                             const char *source, struct cc_area *area, struct cc_buf *norm,
                             struct cc_err *err);
/* The alias as `area alias add` prints it (TABLE) or {"pcode","name","alias","matched_as"}. */
CC_API int cc_area_alias_format(const struct cc_area *area, const char *alias,
                                const char *matched_as, int fmt, struct cc_buf *out,
                                struct cc_err *err);

/*
 * Sets the dates the area is valid (CC_DATE_NONE: open), in one transaction logged as an
 * update of area. CC_ENOTFOUND naming "pcode"; CC_EINVALID naming "to" when to < from.
 */
CC_API int cc_area_validity_set(struct cc_store *st, const char *pcode, int32_t from, int32_t to,
                                struct cc_err *err);
/* TABLE: "PCODE valid from D to D" as `area valid` prints it; JSON {"pcode","from","to"}. */
CC_API int cc_area_validity_format(const char *pcode, int32_t from, int32_t to, int fmt,
                                   struct cc_buf *out, struct cc_err *err);

/* The crosswalk rows (cc_store_list_crosswalk) as CSV (as `area crosswalk` prints them) or
   JSON {"count", "rows": [{"old_pcode","new_pcode","share","date"}]}. */
struct cc_crosswalk;
CC_API int cc_crosswalk_format(const struct cc_crosswalk *cw, size_t n, int fmt, struct cc_buf *out,
                               struct cc_err *err);

/* One area's population on the layout of a date. */
struct cc_area_population {
	char pcode[32]; /* "?" when the area is not in the store */
	char name[160];
	double population;
	bool carried; /* moved or split through the crosswalk */
};

/*
 * Each area's population (the newest year, or year when not 0), carried through the crosswalk
 * onto the layout valid at date at (CC_DATE_NONE: the latest): `concord area population`.
 * *out owned (cc_free), by area id.
 */
CC_API int cc_area_population_load(struct cc_store *st, int year, int32_t at,
                                   struct cc_area_population **out, size_t *n_out,
                                   struct cc_err *err);
/* CSV: pcode,name,population,carried (as the CLI prints); JSON {"year","at","count","areas"}. */
CC_API int cc_area_population_format(const struct cc_area_population *p, size_t n, int year,
                                     int32_t at, int fmt, struct cc_buf *out, struct cc_err *err);

/* ---- users ---- */

/*
 * cc_auth_add_user, and the key of the user's organisation into org_key. An error names the
 * offending member of spec: "name" (empty, too long, already taken: CC_EEXIST), "org"
 * (unknown: CC_ENOTFOUND) or "role".
 */
CC_API int cc_user_add(struct cc_store *st, const struct cc_user_spec *spec, struct cc_user *out,
                       char org_key[static 128], struct cc_err *err);

/* TABLE: "user N 'NAME' added as ROLE"; JSON {"id","name","role","organisation","mission"}.
   org_key and mission may be NULL (null in JSON). */
CC_API int cc_user_format(const struct cc_user *u, const char *org_key, const char *mission,
                          int fmt, struct cc_buf *out, struct cc_err *err);

/* ---- retention ---- */

struct cc_retention {
	int64_t sites_days;    /* redact exact sites of activities ended this long ago; < 0 not */
	int64_t personal_days; /* redact personal data this old; < 0 not */
	int32_t at;            /* the day counted from; CC_DATE_NONE: today */
	bool dry_run;          /* only count */
	/* filled by cc_retention_apply */
	int32_t sites_before, personal_before; /* CC_DATE_NONE when not applied */
	struct cc_retention_counts n;
};

/*
 * cc_store_apply_retention over the mission (code; NULL: the only one) with the days of r
 * counted back from r->at. CC_EUSAGE naming "sites" when neither part is asked for, or a
 * number of days outside 0..36500.
 */
CC_API int cc_retention_apply(struct cc_store *st, const char *mission, struct cc_retention *r,
                              struct cc_err *err);
/* TABLE: the lines `concord retention` prints; JSON {"dry_run","at","sites":{"before",
   "activities"}|null,"personal":{"before","feedback_givers","survey_respondents"}|null}. */
CC_API int cc_retention_format(const struct cc_retention *r, int fmt, struct cc_buf *out,
                               struct cc_err *err);

#endif
