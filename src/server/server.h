/*
 * The server's internals: the request as handlers see it, the route table's row, and the
 * helpers handlers share (internal).
 *
 * A request lives from its first byte to the log line written when it completes; everything
 * in struct cc__req is borrowed until then. A handler reads what it needs from req (path
 * parameters, query arguments, the parsed JSON body, the caller), calls one library function
 * and writes the JSON answer into *out (capped at CC_LIMIT_TEXT_OUT). On failure it returns
 * the negative code with err filled (err->field names the offending parameter); the dispatcher
 * turns it into an error body and the status of that code.
 */
#ifndef CC_SERVER_SERVER_H
#define CC_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <concord/auth.h>
#include <concord/buf.h>
#include <concord/error.h>
#include <concord/store.h>

#define CC__MAX_PATH_PARAMS 4

struct cc__req {
	uint64_t id;        /* request id: in the log line and the X-Request-Id header */
	const char *method; /* "GET" */
	const char *path;   /* "/api/areas/AF01", without the query */
	void *conn;         /* the libmicrohttpd connection, for cc__req_query */
	size_t n_params;
	struct {
		char name[32];   /* from the pattern, without braces */
		char value[128]; /* the path segment */
	} params[CC__MAX_PATH_PARAMS];
	json_t *body;        /* the parsed JSON body; NULL when the request had none */
	struct cc_store *st; /* this worker's store handle */
	/*
	 * The caller, for every route that needs a token; NULL on public routes. Its mission,
	 * organisation and role reach every handler, so that visibility filtering can be added
	 * to handlers without changing their signature.
	 */
	const struct cc_principal *who;
	int status; /* set by a handler that answers other than 200 (201 Created) */
	/*
	 * Set by a handler whose answer is not JSON: its media type ("text/html; charset=utf-8")
	 * and Content-Disposition ("attachment; filename=\"report.html\""); NULL: JSON, none.
	 */
	const char *content_type;
	const char *disposition;
	/*
	 * The body as it came, on a route with raw_body (an upload: CSV, XML) whose request
	 * names its media type (text/csv, application/xml); NULL when the body was parsed as JSON.
	 */
	const char *raw;
	size_t raw_len;
	/* Set by a handler that created a record: its path, for a Location header ("/api/…/7"). */
	char location[96];
	const struct cc_server_opts *opts; /* the server's settings */
};

typedef int cc__route_fn(struct cc__req *req, struct cc_buf *out, struct cc_err *err);

/* A query argument of a route, for the OpenAPI document. */
struct cc__query_param {
	const char *name;
	const char *type;        /* JSON Schema type: "integer", "string" */
	const char *enum_values; /* "pillar|sector|cluster", or NULL */
	const char *format;      /* "date", or NULL */
	const char *description;
};

struct cc__route {
	const char *method; /* "GET", "POST", "DELETE" */
	const char *path;   /* "/api/areas/{pcode}": a {name} matches one non-empty segment */
	cc__route_fn *run;
	enum cc_role role;   /* minimum role; CC_ROLE_NONE: no token needed */
	int status;          /* status of success: 200, 201 */
	const char *summary; /* one line, for the OpenAPI document */
	const char *body;    /* description of the JSON body it takes, NULL when none */
	const struct cc__query_param *query; /* ended by a row with name NULL; NULL none */
	/* a client that accepts text/event-stream gets the live feed instead of run's page */
	bool stream;
	/* the body is an upload to hand over as it came (req->raw), not JSON to parse */
	bool raw_body;
};

/* Handlers of src/server/api_records.c: activities and mission members. */
cc__route_fn cc__api_activities_list, cc__api_activity_get, cc__api_activity_marking,
        cc__api_activity_share, cc__api_activity_unshare, cc__api_members_list,
        cc__api_member_add, cc__api_member_remove;

/* The "deny" list of a marking body into organisation-kind bits (api_records.c). */
int cc__parse_deny(const json_t *list, unsigned *deny, struct cc_err *err);

/* A bad argument: CC_EUSAGE naming it (an expression: returns CC_EUSAGE). */
#define cc__bad_arg(err, field, ...) \
	(cc_err_set((err), CC_EUSAGE, __VA_ARGS__), cc_err_at((err), NULL, 0, (field)), CC_EUSAGE)

/*
 * The one lock of the API's writes that check a version (If-Match) or a uniqueness and then
 * write: two requests carrying the same version cannot both pass the check, whichever routes
 * they come through, and whichever server of the same database they reach. cc__writes_lock
 * takes this process's lock and opens a store request (cc_store_begin_request: one transaction
 * holding the store's writer lock, in which the handler's own transactions nest), so the check
 * and the write are one transaction; cc__writes_unlock(req, ret, err) commits it when ret is 0
 * (returning the commit's error if it fails), else rolls it back, and releases the lock. Call
 * unlock after lock whatever lock returned. Defined in args.c.
 */
int cc__writes_lock(struct cc__req *req, struct cc_err *err);
int cc__writes_unlock(struct cc__req *req, int ret, struct cc_err *err);

struct cc_mission;
/* src/server/args.c: the caller's mission, and query arguments checked (absent: *out unchanged;
 * bad: CC_EUSAGE naming the argument). arg_choice gives the index of one of the '|'-separated
 * words of choices. */
int cc__caller_mission(const struct cc__req *req, struct cc_mission *m, struct cc_err *err);
int cc__arg_int(const struct cc__req *req, const char *name, int64_t min, int64_t max,
                int64_t *out, struct cc_err *err);
int cc__arg_num(const struct cc__req *req, const char *name, double min, double max, double *out,
                struct cc_err *err);
int cc__arg_date(const struct cc__req *req, const char *name, int32_t *out, struct cc_err *err);
int cc__arg_choice(const struct cc__req *req, const char *name, const char *choices, int *out,
                   struct cc_err *err);

/* src/server/feed.c: the live feed (GET /api/feed) */
struct cc__feed;
struct MHD_Response;
cc__route_fn cc__api_feed_page;
/* Starts the poller that wakes subscribers when the change log grows. */
int cc__feed_start(struct cc__feed **out, const char *store_uri, struct cc_err *err);
/* After a write of this server: the poller looks at the change log now, not in up to 200 ms. */
void cc__feed_nudge(struct cc__feed *f);
/* Ends every stream (their connections finish) and stops the poller; then free. */
void cc__feed_shutdown(struct cc__feed *f);
void cc__feed_free(struct cc__feed *f);
/* The event-stream response for the caller of req (its handle and viewer); NULL with err. */
struct MHD_Response *cc__feed_response(struct cc__feed *f, struct cc__req *req,
                                       struct cc_err *err);

/* src/server/api_webhooks.c: the caller organisation's webhooks */
cc__route_fn cc__api_webhook_add, cc__api_webhooks_list, cc__api_webhook_remove,
        cc__api_webhook_deliveries;
/* src/server/webhooks.c: the delivery thread (its own store handle) */
struct cc__webhooks;
/* Starts delivering; any_host lifts the loopback-only rule for webhook URLs. */
int cc__webhooks_start(struct cc__webhooks **out, const char *store_uri, bool any_host,
                       struct cc_err *err);
/* Stops the thread (an attempt in flight is cut short) and frees; accepts NULL. */
void cc__webhooks_free(struct cc__webhooks *w);
/* Whether a running server was started with any_host (for registrations over the API). */
bool cc__webhooks_any_host(void);

/* src/server/static.c: the dashboard's files and its map layer (GET /api/areas.geojson) */
struct MHD_Connection;
cc__route_fn cc__api_areas_geojson;
/* Whether path is a plain file name the static server may open ("/", "/app.js"). */
bool cc__static_path_ok(const char *path);
/*
 * Answers GET or HEAD of path with the file of that name under dir (status and body bytes in
 * *status, *bytes): 1 when queued, -1 when the connection must be dropped, 0 when it is not a
 * file there (dir NULL, /api/, a name not served, no such file): the dispatcher answers then.
 */
int cc__static_answer(struct MHD_Connection *c, const char *dir, const char *method,
                      const char *path, int *status, size_t *bytes);

/* src/server/api_analysis.c: the analyses, as the CLI computes them, for the caller */
cc__route_fn cc__api_gaps, cc__api_overlap, cc__api_progress, cc__api_rollup, cc__api_index,
        cc__api_review, cc__api_report;
/* The query arguments of those routes, for the route table and the OpenAPI document. */
extern const struct cc__query_param cc__gaps_query[], cc__overlap_query[], cc__progress_query[],
        cc__rollup_query[], cc__index_query[], cc__review_query[], cc__report_query[];

/* src/server/api_exposure.c: GET /api/exposure, as `concord exposure --json` for the caller */
cc__route_fn cc__api_exposure;
extern const struct cc__query_param cc__exposure_query[];

/* src/server/api_learning.c: GET /api/lessons/search and GET /api/survey, as the CLI's --json */
cc__route_fn cc__api_lessons_search, cc__api_survey, cc__api_survey_alpha;
extern const struct cc__query_param cc__lessons_search_query[], cc__survey_query[],
        cc__survey_alpha_query[];

/* src/server/api_registry.c: records of every kind, the kind taken from the path */
cc__route_fn cc__api_reg_list, cc__api_reg_get, cc__api_reg_delete, cc__api_reg_marking,
        cc__api_org_create, cc__api_org_update, cc__api_lesson_create, cc__api_lesson_update;
/* The query arguments of the registry's lists (after, limit). */
extern const struct cc__query_param cc__reg_list_query[];
/* The checks of the bodies of POST /api/organisations, /api/lessons (api_registry.c) and
 * /api/review (api_analysis.c) alone, without the store's write: for fuzz/api.c. */
struct cc_org;
struct cc_lesson;
struct cc_lesson_link;
struct cc_plan;
int cc__org_from_body(const struct cc__req *req, struct cc_org *o, bool create,
                      struct cc_err *err);
int cc__lesson_from_body(const struct cc__req *req, struct cc_lesson *l,
                         struct cc_lesson_link *links, size_t max, size_t *n_links,
                         struct cc_err *err);
int cc__plan_from_body(const struct cc__req *req, struct cc_plan *plan, struct cc_err *err);
/*
 * src/server/api_writes.c: single records created (POST) and edited (PUT, If-Match), each
 * checked by its importer's row check
 */
cc__route_fn cc__api_activity_create, cc__api_activity_update, cc__api_observation_create,
        cc__api_observation_update, cc__api_feedback_create, cc__api_feedback_update,
        cc__api_indicator_create, cc__api_indicator_update, cc__api_benchmark_create,
        cc__api_benchmark_update, cc__api_need_create, cc__api_need_update;
/* src/server/api_imports.c: POST /api/imports/{kind}, the CLI's importers on an upload */
cc__route_fn cc__api_import;
extern const struct cc__query_param cc__imports_query[];

/* src/server/api_more.c: exports as downloads, rounds, money, audit verify, allocate */
cc__route_fn cc__api_export, cc__api_rounds, cc__api_money, cc__api_audit_verify,
        cc__api_allocate;
extern const struct cc__query_param cc__export_query[], cc__rounds_query[], cc__money_query[],
        cc__allocate_query[];

/*
 * src/server/api_events.c: incidents created and edited (checked by the events importer's row
 * check), the computed indicators, a mission's pillar for a sector, the feedback register's
 * counts and search, and the events export (GET /api/export/events, routed by api_more.c)
 */
cc__route_fn cc__api_incident_create, cc__api_incident_update, cc__api_indicators_compute,
        cc__api_pillar_set, cc__api_pillar_list, cc__api_feedback_counts,
        cc__api_feedback_search;
extern const struct cc__query_param cc__compute_query[], cc__pillar_query[],
        cc__feedback_counts_query[], cc__feedback_search_query[];
int cc__export_events(struct cc__req *req, struct cc_buf *out, size_t *n, struct cc_err *err);

/* src/server/api_admin.c: mission settings, the gazetteer, users, retention, the 3W template */
cc__route_fn cc__api_mission_get, cc__api_mission_set, cc__api_area_alias_add,
        cc__api_area_validity_get, cc__api_area_validity_set, cc__api_crosswalk,
        cc__api_area_population, cc__api_user_add, cc__api_retention, cc__api_template_3w,
        cc__api_template_3w_lists;
extern const struct cc__query_param cc__crosswalk_query[], cc__population_query[];

extern const struct cc__route cc__routes[];
extern const size_t cc__n_routes;

/*
 * Finds the route for method and path and fills req->params. Returns the route, or NULL with
 * *path_known true when some route has this path but not this method (then allow gets the
 * methods, "GET, POST"), false when no route has it.
 */
const struct cc__route *cc__route_find(const char *method, const char *path, struct cc__req *req,
                                       bool *path_known, struct cc_buf *allow);

/* A query argument of the request, NULL when absent (borrowed until the request ends). */
const char *cc__req_query(const struct cc__req *req, const char *name);
/* A request header, NULL when absent (borrowed until the request ends). */
const char *cc__req_header(const struct cc__req *req, const char *name);
/* The value of path parameter name; "" when the route has none of that name. */
const char *cc__req_param(const struct cc__req *req, const char *name);

/* Serialises j into out (keys in insertion order, compact) and releases j; NULL j is ENOMEM. */
int cc__reply_json(struct cc_buf *out, json_t *j, struct cc_err *err);

#endif
