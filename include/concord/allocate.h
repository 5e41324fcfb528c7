/*
 * Allocation: how to spread the donors' money and the organisations' teams over area × pillar
 * cells so that as much need as possible is covered, as a linear program solved with GLPK.
 *
 * The model (docs/allocate.md has the long form):
 *
 *   cells c        area × pillar (optionally × sector) with need_c people still to cover,
 *                  severity_c (1..5), exposure_c (e.g. incidents in the last D days) and a cost
 *                  of cov_c USD per person covered;
 *   donors d       budget_d USD, at least min_spend_d of it to be spent, eligible cells (a scope:
 *                  pillars, areas, sectors) and earmarks e (a scope with min/max USD);
 *   organisations o  teams_o teams of people_per_team_o people each, a mandate (pillars, areas).
 *
 *   variables      x[d,c] >= 0  USD of donor d in cell c (only for eligible d, c)
 *                  y[o,c] >= 0  teams of organisation o in cell c (only within the mandate),
 *                               the LP relaxation of a whole number of teams
 *   covered_c    = sum_d x[d,c] / cov_c + sum_o people_per_team_o × y[o,c]   (people)
 *   weight w_c   = severity_c ^ severity_weight × (need_c / max need) ^ need_weight
 *   maximise       sum_c w_c × covered_c                       ("weighted people covered")
 *   subject to
 *     budget_d     min_spend_d <= sum_c x[d,c] <= budget_d
 *     earmark_d,e  min_e <= sum_{c in scope e} x[d,c] <= max_e
 *     capacity_o   sum_c y[o,c] <= teams_o
 *     need_c       covered_c <= need_c                          (no cell above its need)
 *     security_c   sum_o y[o,c] >= min_security_teams  for security cells whose exposure is
 *                  >= exposure_threshold
 *
 * Each constraint is one row. After the LP the team variables are rounded per organisation by
 * the largest-remainder rule (floor every value, then hand the organisation's remaining whole
 * teams, round(sum of its LP teams) capped by its capacity, to its largest fractional parts);
 * the rounding is reported, and the covered people and objective are recomputed with each cell
 * capped at its need. Rounding can break a row (a cell above its need, a security cell below
 * its minimum): such cells are counted and flagged, never hidden.
 *
 * Shadow prices are GLPK's row duals: the change of the objective per unit of a row's bound
 * (USD for budgets and earmarks, a team for capacities and security minimums, a person for
 * needs). A row binds when its value is at a bound (relative 1e-7); a basic row has a shadow
 * price of 0 even when it is tight (a degenerate optimum). With a need weight (need_weight not
 * 0) a cell's need also moves its weight; its shadow price is the value of the cap alone.
 *
 * An infeasible problem is answered with a small set of rows that cannot hold together, found
 * by a deletion filter: each row in turn is dropped (made free) and the LP re-solved; a row
 * whose removal keeps the problem infeasible stays dropped. What remains is an irreducible
 * infeasible set (IIS) with respect to the rows (the variables' x, y >= 0 always hold).
 *
 * GLPK: every call sets glp_error_hook and glp_term_hook, so GLPK never prints or aborts: its
 * messages are captured and a fatal error ends in a cc_err (CC_EINVALID, the message quoted)
 * after glp_free_env(). GLPK allocates with its own allocator, which cannot be routed through
 * cc_malloc; its environment is freed at the end of every call. One thread at a time per
 * GLPK environment (GLPK keeps it thread-local).
 *
 * cc_allocate() is pure: no I/O and no store. Reading a JSON problem and writing the model as
 * a file are in src/io/allocate_json.c.
 */
#ifndef CONCORD_ALLOCATE_H
#define CONCORD_ALLOCATE_H

#include <stdbool.h>
#include <stddef.h>

#include <concord/error.h>

/* Which cells a donor may fund, an earmark covers, or an organisation may work in. An empty
 * list means "any". Arrays owned by the problem (cc_alloc_problem_release frees them) when the
 * problem came from the JSON reader or the option parsers. */
struct cc_alloc_scope {
	unsigned pillars;  /* bit (1u << pillar) per enum cc_pillar; 0: every pillar */
	char (*areas)[32]; /* area keys (P-codes); n_areas 0: every area */
	size_t n_areas;
	char (*sectors)[32]; /* sector codes; n_sectors 0: every sector (cells without a sector
	                        match only an empty list) */
	size_t n_sectors;
};

struct cc_alloc_cell {
	char area[32];              /* area key (P-code) */
	char name[160];             /* area name for display, "" none */
	int pillar;                 /* enum cc_pillar */
	char sector[32];            /* sector code, "" for a whole pillar */
	double need;                /* people still to cover, >= 0 */
	int severity;               /* 1..5 */
	double exposure;            /* >= 0, compared with exposure_threshold */
	double cost_per_person_usd; /* > 0; 0: the problem's default */
};

struct cc_alloc_earmark {
	struct cc_alloc_scope scope;
	double min_usd; /* >= 0 */
	double max_usd; /* >= min_usd; INFINITY: none */
};

struct cc_alloc_donor {
	char name[128];
	double budget_usd;    /* >= 0 */
	double min_spend_usd; /* 0 … budget_usd: to be spent at least */
	struct cc_alloc_scope scope;
	struct cc_alloc_earmark *earmarks; /* owned as the scope arrays are */
	size_t n_earmarks;
};

struct cc_alloc_org {
	char name[128];
	double teams;           /* capacity, >= 0 */
	double people_per_team; /* > 0 */
	struct cc_alloc_scope mandate;
};

struct cc_alloc_problem {
	struct cc_alloc_cell *cells; /* owned (see cc_alloc_problem_release) */
	size_t n_cells;
	struct cc_alloc_donor *donors;
	size_t n_donors;
	struct cc_alloc_org *orgs;
	size_t n_orgs;
	double severity_weight;     /* exponent of severity in w_c; default 1 */
	double need_weight;         /* exponent of need / max need in w_c; default 0 */
	double cost_per_person_usd; /* for cells with 0; default 100 */
	double exposure_threshold;  /* security cells at or above it get the minimum; INFINITY */
	double min_security_teams;  /* teams at least in those cells; default 0 (none) */
	/*
	 * Seconds the solver may take in all (every simplex run, the conflict search included);
	 * 0: no limit. Past it cc_allocate ends with CC_ETOOBIG saying so.
	 */
	double time_limit_s;
};

/* The time limit of an allocation asked of the server (POST /api/allocate), in seconds. */
#define CC_ALLOC_SERVER_TIME_LIMIT_S 30.0

/* Kinds of constraint rows. */
enum cc_alloc_row_kind {
	CC_ALLOC_ROW_BUDGET = 0, /* index: donor */
	CC_ALLOC_ROW_EARMARK,    /* index: donor, sub: earmark */
	CC_ALLOC_ROW_CAPACITY,   /* index: organisation */
	CC_ALLOC_ROW_NEED,       /* index: cell */
	CC_ALLOC_ROW_SECURITY,   /* index: cell */
};

struct cc_alloc_row {
	enum cc_alloc_row_kind kind;
	size_t index, sub;
	char label[224];  /* "budget of donor 'ECHO'" */
	const char *unit; /* "USD", "team", "person" (static string) */
	double lo, hi;    /* bounds; -INFINITY / INFINITY: none */
	double activity;  /* the row's value at the LP optimum (NAN when infeasible) */
	bool binding;     /* at a bound */
	double shadow;    /* d objective / d bound at the optimum (0 when not binding) */
};

struct cc_alloc_funding {
	size_t donor, cell;
	double usd;
};

struct cc_alloc_teams {
	size_t org, cell;
	double lp;    /* LP relaxation */
	long rounded; /* after rounding */
};

struct cc_alloc_cell_result {
	double weight;     /* w_c */
	double funded_usd; /* sum_d x[d,c] */
	double teams_lp;   /* sum_o y[o,c] */
	long teams_rounded;
	double covered;           /* people, LP */
	double covered_rounded;   /* people with rounded teams, capped at the need */
	double over_need_rounded; /* people by which rounded teams overshoot the need, >= 0 */
	bool security_short;      /* rounded teams below the security minimum */
};

enum cc_alloc_status {
	CC_ALLOC_OPTIMAL = 0,
	CC_ALLOC_INFEASIBLE,
};

struct cc_alloc_result {
	enum cc_alloc_status status;
	size_t n_vars;
	double objective;         /* LP optimum (weighted people covered) */
	double people_covered;    /* LP */
	double objective_rounded; /* with rounded teams, cells capped at their need */
	double people_covered_rounded;
	struct cc_alloc_row *rows; /* owned: every constraint row, in model order */
	size_t n_rows;
	struct cc_alloc_funding *funding; /* owned: x[d,c] > 0, by donor then cell */
	size_t n_funding;
	struct cc_alloc_teams *teams; /* owned: y[o,c] > 0 or rounded > 0, by org then cell */
	size_t n_teams;
	struct cc_alloc_cell_result *cells; /* owned: one per problem cell */
	size_t n_cells;
	size_t *conflict; /* owned: infeasible: indices into rows of the conflicting set */
	size_t n_conflict;
	size_t n_rounded_up, n_rounded_down;  /* team variables rounded each way */
	double rounding_abs;                  /* sum |rounded - lp| over team variables */
	size_t n_over_need, n_security_short; /* cells broken by the rounding */
};

/* Sets the defaults above and empties the lists. */
CC_API void cc_alloc_problem_init(struct cc_alloc_problem *p);
/* Frees the arrays of a problem built by the readers and parsers of this header (cells,
 * donors, their earmarks, organisations, every scope's lists) and re-inits it. NULL-safe. A
 * problem assembled by hand from the caller's own arrays must not be passed here. */
CC_API void cc_alloc_problem_release(struct cc_alloc_problem *p);

/* Checks a problem: sizes, ranges, finite numbers, pillars. CC_EINVALID naming the field
 * ("donors[1].budget_usd") in err->field. */
CC_API int cc_alloc_problem_check(const struct cc_alloc_problem *p, struct cc_err *err);

/* True when cell c lies in scope s. */
CC_API bool cc_alloc_scope_has(const struct cc_alloc_scope *s, const struct cc_alloc_cell *c);

/*
 * Builds and solves the model (primal simplex after automatic scaling and an advanced initial
 * basis, as glpsol does by default), rounds the teams and, when infeasible, finds the
 * conflicting set. Returns 0 (see out->status: an infeasible problem is a result, not an
 * error), CC_EINVALID (bad problem, err->field naming the part; a GLPK failure, its message
 * quoted), CC_ETOOBIG (more than 20 million variables or 5 million rows), CC_ENOMEM. On error
 * *out is empty. Release out with cc_alloc_result_release. The deletion filter re-solves once
 * per row (warm-started), so an infeasible problem costs up to n_rows extra solves.
 */
CC_API int cc_allocate(const struct cc_alloc_problem *p, struct cc_alloc_result *out,
                       struct cc_err *err);
CC_API void cc_alloc_result_release(struct cc_alloc_result *r);

/* ---- reading and writing (src/io/allocate_json.c) ---- */

/*
 * Reads a JSON problem file (docs/allocate.md) into *out (initialised by the call; release
 * with cc_alloc_problem_release). Errors name the file, the line when the JSON is malformed,
 * and the field path ("donors[0].earmarks[1].min_usd"): CC_EIO, CC_EPARSE, CC_EINVALID,
 * CC_ENOMEM.
 */
CC_API int cc_alloc_problem_read_json(const char *path, struct cc_alloc_problem *out,
                                      struct cc_err *err);
/* The same from a string; name is used in messages. */
CC_API int cc_alloc_problem_parse_json(const char *name, const char *text, size_t len,
                                       struct cc_alloc_problem *out, struct cc_err *err);

/*
 * Appends the answer as `concord allocate` prints it (src/report/format_allocate.c): fmt 0 the
 * text (n_no_severity: cells that had no severity, said so), 1 CSV, 2 JSON (seconds: the
 * solve time it reports) — the values of enum cc_format. 0, or CC_ENOMEM/CC_ETOOBIG; out may
 * then be empty.
 */
struct cc_buf;
CC_API int cc_alloc_format(const struct cc_alloc_problem *p, const struct cc_alloc_result *r,
                           size_t n_no_severity, double seconds, int fmt, struct cc_buf *out);

/*
 * Command-line additions to a problem:
 *   budget  "NAME=USD[:min=USD][:pillars=P+P][:areas=A+A][:sectors=S+S]"  appends a donor
 *   teams   "NAME=N[:ppt=PEOPLE][:pillars=P+P][:areas=A+A]"               appends an organisation
 *   weights "severity=A,need=B,cost=USD,threshold=X,security=N" (any subset) sets the weights,
 *           the default cost per person, the exposure threshold and the security minimum.
 * CC_EUSAGE with the reason; CC_ENOMEM.
 */
CC_API int cc_alloc_add_budget(struct cc_alloc_problem *p, const char *spec, struct cc_err *err);
CC_API int cc_alloc_add_teams(struct cc_alloc_problem *p, const char *spec, struct cc_err *err);
CC_API int cc_alloc_set_weights(struct cc_alloc_problem *p, const char *spec, struct cc_err *err);

enum cc_alloc_model_format {
	CC_ALLOC_MODEL_LP = 0, /* CPLEX LP (glpsol --lp) */
	CC_ALLOC_MODEL_MPS,    /* free MPS (glpsol --freemps --max: MPS has no sense) */
	CC_ALLOC_MODEL_GLP,    /* GLPK's own format (glpsol --glp) */
};

/* The format for a file name: .mps → MPS, .glp → GLP, anything else LP. */
CC_API enum cc_alloc_model_format cc_alloc_model_format_for(const char *path);

/* Writes the model of p (rows and columns named as in docs/allocate.md) to path. CC_EIO with
 * GLPK's message when the file cannot be written; CC_EINVALID, CC_ENOMEM. */
CC_API int cc_alloc_write_model(const struct cc_alloc_problem *p, const char *path,
                                enum cc_alloc_model_format fmt, struct cc_err *err);

/* ---- internal, shared by src/analysis/allocate.c and src/io/allocate_json.c ---- */

struct glp_prob;

/* Builds the GLPK problem of p (names set when names is true) into *prob_out. Must run under
 * cc__alloc_glpk. */
int cc__alloc_build(const struct cc_alloc_problem *p, bool names, struct glp_prob **prob_out,
                    struct cc_err *err);

/* Runs fn(ctx, err) with GLPK's terminal output captured and its fatal errors turned into a
 * return: on a GLPK error glp_free_env() is called (every GLPK object is gone) and
 * CC_EINVALID is returned with GLPK's message. The captured text (the last lines) is passed to
 * fn's caller through msg_out when not NULL (size msg_n). The environment is freed at the end. */
int cc__alloc_glpk(int (*fn)(void *ctx, struct cc_err *err), void *ctx, char *msg_out, size_t msg_n,
                   struct cc_err *err);

#endif
