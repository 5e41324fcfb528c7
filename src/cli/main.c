/*
 * concord: the command-line program. Global options (-d/--db, -m/--mission) may stand before or
 * after the command name; everything else belongs to the command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concord/store.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

static int cmd_help(struct cli *cli, int argc, char **argv);
/* cmd_backup.c */
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_copy(struct cli *cli, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ .name = "init", .run = cmd_init, .flags = CLI_STORE | CLI_CREATE,
	  .usage = "init [--mission CODE] [--name NAME] [--country ISO3] [--start DATE] [--end DATE]",
	  .summary = "create a store (or refresh its code lists) and a mission",
	  .help = "Creates the store with the current schema, loads the code lists compiled into\n"
	          "the program (DAC sectors, IASC clusters, pillars, IATI organisation types and\n"
	          "roles, activity status, aliases) and creates or updates the mission. Without\n"
	          "--mission a new store gets the mission DEFAULT. Running it again is harmless.\n" },
	{ .name = "migrate", .run = cmd_migrate, .flags = CLI_STORE | CLI_ANY_SCHEMA,
	  .usage = "migrate",
	  .summary = "upgrade a store made by an older version",
	  .help = "Applies the schema migrations the store lacks, in one transaction.\n" },
	{ .name = "import", .run = cmd_import, .flags = CLI_STORE,
	  .usage = "import KIND FILE... [--dry-run] [--strict] [--rejects FILE.csv] [options]",
	  .summary = "load 3W files, admin areas, needs, population, events, indicators",
	  .help = "import 3w FILE... [--source NAME] [--period FROM/TO] [--add-areas]\n"
	          "                  [--encoding ENC]\n"
	          "    An HXL-tagged 3W CSV. Each row is an operational presence or an activity of\n"
	          "    the source (default: the file's base name). Re-importing a source updates\n"
	          "    and removes its rows by natural key; an identical file changes nothing.\n"
	          "    --period is needed when the file has no #date columns.\n"
	          "    Who may see the rows (default public, held by the coordination cell):\n"
	          "    --releasability public|partners|org (or TLP:CLEAR|GREEN|AMBER|RED),\n"
	          "    --owner ORG (the holder; an NGO, Red Cross or UN owner denies military\n"
	          "    readers unless --deny none), --deny KIND,..., --geo-releasability REL\n"
	          "    and --figures-releasability REL (stricter markings of exact sites and of\n"
	          "    people targeted/reached and budget). Exact sites of public rows are for\n"
	          "    the partners unless --geo-releasability public says otherwise.\n"
	          "--map COLUMN=FIELD: other headers (3w: FIELD a hashtag; events, indicators:\n"
	          "    a column name); an unknown FIELD or COLUMN is a usage error.\n"
	          "import areas FILE --level N [--code-field F] [--name-field F]\n"
	          "                  [--parent-field F] [--code-map FILE]\n"
	          "    Admin areas from GeoJSON, Shapefile, GeoPackage or a P-code gazetteer CSV.\n"
	          "import needs FILE [--period FROM/TO] [--map COLUMN=#tag]...\n"
	          "    People in need, targeted, reached and severity by area and sector: HXL\n"
	          "    (#adm1+code, #sector+code, #inneed, #severity, breakdowns #gender+code,\n"
	          "    #age_group+code, #population_group+code, #is_disabled), the HPC caseload\n"
	          "    export and JIAF district tables by their header names. Totals come from\n"
	          "    total rows only; breakdown rows are kept apart. Sector ALL: intersectoral.\n"
	          "    --map gives a header the hashtag it stands for ('In Need=#inneed').\n"
	          "import population FILE [--period FROM/TO] [--map COLUMN=#tag]...\n"
	          "    Population by area (HXL #population, or ADM_PCODE/alpha_3/Population);\n"
	          "    rows of other countries than the mission's are skipped, not rejected.\n"
	          "import events FILE [--format acled|ucdp]\n"
	          "    ACLED or UCDP GED CSV (the header decides unless --format is given) into\n"
	          "    incidents, placed in areas by point-in-polygon, else by admin names.\n"
	          "    Re-imports update revised events and never duplicate; none are removed.\n"
	          "import iati FILE... [--source NAME]\n"
	          "    IATI activity XML, 1.0x and 2.0x (decided per activity), streamed.\n"
	          "    Activities with organisations, dates, recipients, sectors, locations\n"
	          "    (placed in areas by point-in-polygon), budgets, transactions and results\n"
	          "    (into indicators); a bad activity is rejected with file:line: element,\n"
	          "    percentages not summing to 100 are warnings. Not IATI or not well-formed:\n"
	          "    refused with line and column, nothing stored.\n"
	          "import rates FILE...\n"
	          "    ECB exchange rates, daily or annual (see `concord help money`).\n"
	          "import survey FILE [--wave W] [--weight COL] [--area-column COL[,COL]]\n"
	          "                   [--area-map FILE] [--questions FILE]... [--personal COL,...]\n"
	          "                   [--id-column COL]\n"
	          "    Respondent-level survey CSV (KoboToolbox/ODK export, ',' or ';', or a\n"
	          "    plain CSV): one answer per respondent x column. --questions takes the\n"
	          "    XLSForm survey and choices sheets saved as CSV (select_one answers must be\n"
	          "    choices; integer/decimal answers numbers). NA and empty are missing;\n"
	          "    don't know and refused (words or choices so labelled) kept as such.\n"
	          "    Areas by P-code or name, each column within the one before; --area-map\n"
	          "    maps names (CSV name,pcode). --personal columns go to a sensitive\n"
	          "    column, never into answers. Respondents are keyed by _uuid/KEY/_id or\n"
	          "    --id-column, else by source and line; default wave 1, weight 1.\n"
	          "Common options:\n"
	          "    --dry-run        validate and report; store nothing\n"
	          "    --strict         store nothing if any row is rejected\n"
	          "    --rejects FILE   write rejected rows, with the reason, as CSV to fix and\n"
	          "                     re-import\n"
	          "Every rejected row is printed as FILE:LINE: FIELD: reason. Exit status 3 means\n"
	          "the good rows were stored and some were rejected.\n" },
	{ .name = "coverage", .run = cmd_coverage, .flags = CLI_STORE,
	  .usage = "coverage [--level N] [--by pillar|sector|cluster] [--from DATE] [--to DATE] "
	           "[--as-of DATE] [--json|--csv]",
	  .summary = "the 3W/4W matrix: activities and organisations by area and pillar",
	  .help = "Rows are the areas of admin level N (default 1) with at least one record;\n"
	          "records located above that level appear in an 'unspecified below admN' row.\n"
	          "Each cell shows distinct activities / distinct organisations, recounted at each\n"
	          "level (never summed from children). Operational-presence rows count as\n"
	          "presence, never as people reached.\n"
	          "Of an organisation's 3W submissions for one period only the latest counts\n"
	          "(see `concord rounds`); --as-of DATE shows the matrix as imported by the end\n"
	          "of that day.\n" },
	{ .name = "pillar", .run = cmd_pillar, .flags = CLI_STORE,
	  .usage = "pillar [CODE PILLAR] [--vocabulary 1|2|10] [--overrides] [--json]",
	  .summary = "put a sector or cluster in another pillar for this mission",
	  .help = "The shipped mapping (data/codelists/pillars.csv) puts each DAC sector and IASC\n"
	          "cluster in one of the six pillars: security, governance, infrastructure,\n"
	          "economy, humanitarian, other. A mission may decide otherwise: the override is\n"
	          "used by every analysis from then on, since pillars are resolved when read.\n"
	          "CODE is a cluster (WSH), a DAC code (15240, 152) or an alias (WASH_OP); with\n"
	          "--vocabulary only that vocabulary is searched. --json prints the mapping\n"
	          "set as PUT /api/pillar answers it. Without CODE PILLAR: the pillar of every\n"
	          "sector for the mission (--overrides: the mission's own only), as GET\n"
	          "/api/pillar.\n" },
	{ .name = "report", .run = cmd_report, .flags = CLI_STORE,
	  .usage = "report [-o FILE] [--level N] [--from DATE] [--to DATE] [--format html|md]\n"
	           "       [--plan PLAN] [--survey QUESTION]...",
	  .summary = "write the post-mission review report (default report.html)",
	  .help = "One file with no external requests: summary, timeline, map, coverage, gaps,\n"
	          "incidents, indicators, survey results (--survey QUESTION, repeatable),\n"
	          "feedback themes, lessons and, with --plan, the plan review's findings.\n"
	          "--map-measure activities|organisations|incidents|people-in-need|gap colours\n"
	          "the map (default activities). Lessons listed: those dated within --from and\n"
	          "--to, else within the mission's dates.\n"
	          "--format md writes the same sections as Markdown. With --audience (or --as)\n"
	          "the report holds only what that reader may see.\n" },
	{ .name = "member", .run = cmd_member, .flags = CLI_STORE,
	  .usage = "member add ORG... [--kind KIND] [--name NAME] | member remove ORG... |"
	           " member list",
	  .summary = "the organisations of the mission: the 'partners' audience",
	  .help = "Records marked 'partners' are visible to the member organisations of their\n"
	          "mission (and to their owner and those they are shared with). Adding a user\n"
	          "of an organisation does not make it a member: membership is decided here.\n"
	          "An organisation no import has named yet is registered by add when --kind\n"
	          "(military, un, eu, government, ngo, rcrc, private, other) or --name is given.\n" },
	{ .name = "mark", .run = cmd_mark, .flags = CLI_STORE,
	  .usage = "mark TABLE ID [--releasability REL] [--owner ORG] [--deny KIND,...]\n"
	           "       [--share ORG]... [--unshare ORG]...",
	  .summary = "change who may see a record",
	  .help = "TABLE: activity, incident, need or lesson. REL: public, partners, org (or\n"
	          "a TLP label). --owner names the organisation that holds the record (an\n"
	          "NGO, Red Cross or UN owner denies military readers unless --deny none).\n"
	          "--share releases the record to an organisation by name, whatever the\n"
	          "marking says. Each change is logged in the audit log.\n" },
	{ .name = "retention", .run = cmd_retention, .flags = CLI_STORE,
	  .usage = "retention [--sites DAYS] [--personal DAYS] [--at DATE] [--dry-run] [--json]",
	  .summary = "redact exact sites and personal data after a stated time",
	  .help = "Do no harm: the exact sites of activities that ended more than --sites DAYS\n"
	          "ago, and the personal data of feedback givers and survey respondents older\n"
	          "than --personal DAYS, are redacted (the area, figures and answers stay).\n"
	          "--at sets the day counted from (default today); --dry-run only counts. Each\n"
	          "redaction is an entry of the audit log. Run it from cron to hold a policy.\n" },
	{ .name = "watch", .run = cmd_watch, .flags = CLI_STORE,
	  .usage = "watch [--after ID] [--once] [--json] [--interval MS]",
	  .summary = "print the changes as they are committed (the live feed)",
	  .help = "Follows the change log: every change the reader may see (with --as, only\n"
	          "what that organisation may see), in commit order, one line each: id, time,\n"
	          "who, operation, table, #record or ×count, detail. Starts at the newest entry\n"
	          "unless --after ID; --once prints what is there and exits; --json prints the\n"
	          "entries as GET /api/feed sends them. Stop it with Ctrl-C.\n" },
	{ .name = "webhook", .run = cmd_webhook, .flags = CLI_STORE,
	  .usage = "webhook add URL --org ORG [--any-host] | webhook list | webhook remove ID |"
	           " webhook deliveries ID [--limit N]",
	  .summary = "send the live feed of an organisation to a partner system's URL",
	  .help = "add registers URL for ORG and prints its signing secret (shown only now):\n"
	          "`concord serve` then POSTs each change ORG may see, from now on, as JSON\n"
	          "(the entries of `watch --json`), signed in X-Concord-Signature: sha256=HMAC\n"
	          "of the body keyed with the secret, and retries with a growing delay until\n"
	          "it is answered 2xx. Only loopback hosts unless --any-host (and the server's\n"
	          "--webhook-any-host). list: id, organisation, state, cursor, URL; deliveries:\n"
	          "entry, attempt, time, HTTP status, duration, error of each attempt.\n" },
	{ .name = "serve", .run = cmd_serve, .flags = 0,
	  .usage = "serve [--listen 127.0.0.1:8080] [--threads N] [--timeout S] "
	           "[--max-connections N] [--per-ip N] [--web DIR] [--index FILE] [--routes] "
	           "[--openapi]",
	  .summary = "serve the HTTP JSON API",
	  .help = "Serves the store over HTTP until SIGTERM or SIGINT, then stops accepting and\n"
	          "lets the requests in flight finish. Prints 'listening on HOST:PORT' when ready\n"
	          "(port 0 picks a free one) and one log line per request on stderr. Callers send\n"
	          "'Authorization: Bearer TOKEN' (see `concord token create`).\n"
	          "    --timeout S close a connection idle for S seconds (default 30)\n"
	          "    --max-connections N  connections served at once (default 512); one\n"
	          "                beyond them is answered 503 with Retry-After and closed\n"
	          "    --per-ip N  connections one address may hold at once (default: no\n"
	          "                limit of its own), so that slow clients cannot take them all\n"
	          "    --routes    print the route table (METHOD PATH ROLE) and exit\n"
	          "    --openapi   print the OpenAPI 3 document and exit\n"
	          "    --webhook-any-host deliver webhooks to any host, not only the loopback\n"
	          "    --web DIR   serve the dashboard's files from DIR at / (default: web/ next\n"
	          "                to the program, else ../share/concord/web from it)\n"
	          "    --index FILE the composite index GET /api/index computes (and the map\n"
	          "                shows): a definition as `concord index --config` reads\n"
	          "                (default: every indicator with goalposts, equally)\n" },
	{ .name = "user", .run = cmd_user, .flags = CLI_STORE,
	  .usage = "user add NAME --org KEY --role viewer|editor|coordinator|admin [--json]",
	  .summary = "add a user of an organisation of the mission",
	  .help = "KEY is the organisation's key or one of its names (as in the 3W files).\n" },
	{ .name = "token", .run = cmd_token, .flags = CLI_STORE,
	  .usage = "token create USER [--expires DAYS] | token revoke ID",
	  .summary = "create or revoke an API token",
	  .help = "create prints the token (64 hex digits) on stdout, the only time it is shown;\n"
	          "only its hash is stored. Its id goes to stderr. --expires 0 (the default)\n"
	          "means it never expires. revoke ID ends a token for good.\n" },
	{ .name = "exposure", .run = cmd_exposure, .flags = CLI_STORE,
	  .usage = "exposure [--radius KM] [--days D] [--at DATE|start|end] [--sites FILE] "
	           "[--by site|area] [--level N] [--all-precisions] [--csv|--json|--geojson]",
	  .summary = "incidents and fatalities near each activity site, or per area",
	  .help = "--by site (default): for each activity site (its point, else the centroid of\n"
	          "its area, or of the nearest ancestor with a boundary: the output says which),\n"
	          "the incidents within --radius km (default 10, great circle; an incident on the\n"
	          "radius counts) in the --days days (default 90) up to --at (default: the\n"
	          "latest incident), the previous window of the same length, the change and the\n"
	          "dominant event type. A multi-day event counts in each window it overlaps.\n"
	          "Sites use events of ACLED geo_precision 1-2 and UCDP where_prec 1-3 unless\n"
	          "--all-precisions. --by area: incidents and fatalities per area of --level N\n"
	          "(default 1; all precisions at levels 0-1, the precise ones below unless\n"
	          "--all-precisions), and per 100,000 people where the area's population is\n"
	          "known. Load events with 'concord import events FILE [--format acled|ucdp]'\n"
	          "(the header decides by default). --geojson: an RFC 7946 FeatureCollection,\n"
	          "by site one Point per site, by area the area's boundary from the store (null\n"
	          "when it has none); properties as in --json, coordinates to 6 decimals.\n"
	          "Per-site reference dates (--by site): --at start or --at end takes each\n"
	          "activity's start or end date as its site's date (activities without one are\n"
	          "counted, not listed); --sites FILE reads the sites instead of the activities,\n"
	          "CSV rows label,lat,lon[,date] (no date: --at or the latest incident). The\n"
	          "windows are then each site's own; the output adds its date (at).\n" },
	{ .name = "lesson", .run = cmd_lesson, .flags = CLI_STORE,
	  .usage = "lesson add|edit|import|list|show|search [ARGS]",
	  .summary = "the lessons-learned register: record, import, search lessons",
	  .help = "lesson add --title T --observation O [--key K] [--discussion D]\n"
	          "           [--conclusion C] [--recommendation R] [--pillar P]... [--area PCODE]...\n"
	          "           [--tag T]... [--date DATE] [--source S] [--status S] [--owner O]\n"
	          "           [--releasability public|partners|org] [--evidence KIND:REF]...\n"
	          "    Records a lesson (of the mission given with -m, else of no mission).\n"
	          "lesson edit KEY [the options of add]\n"
	          "    Changes a lesson; --evidence adds to its evidence. The status moves one\n"
	          "    step at a time: observed, analysed, action-assigned, implemented,\n"
	          "    validated.\n"
	          "lesson import FILE... [--dry-run] [--strict]\n"
	          "    CSV files with a header row (key, title, observation, discussion,\n"
	          "    conclusion, recommendation, pillars, areas, tags, date, source, status,\n"
	          "    owner, releasability, mission, evidence; lists separated by ';') and\n"
	          "    Markdown files: a front matter between '---' lines with those fields, then\n"
	          "    '## Observation', '## Discussion', '## Conclusion', '## Recommendation'.\n"
	          "    All files in one transaction; importing again changes nothing. Bad rows\n"
	          "    are printed as FILE:LINE: FIELD: reason (exit status 3).\n"
	          "lesson list [--pillar P] [--status S] [--evidence KIND:REF]\n"
	          "lesson show KEY\n"
	          "    The lesson, its evidence, and the other lessons citing the same evidence.\n"
	          "lesson search WORDS... [--pillar P] [--status S] [--limit N] [--json]\n"
	          "    Full-text search (stemmed: 'reintegrating' finds 'reintegration'; case\n"
	          "    and accents ignored), ranked by bm25, with a snippet per lesson and\n"
	          "    counts by pillar, mission and status. EVIDENCE kinds: activity,\n"
	          "    indicator, incident, area, report.\n" },
	{ .name = "progress", .run = cmd_progress, .flags = CLI_STORE,
	  .usage = "progress [--indicator CODE] [--area PCODE] [--at DATE] [--by series|pillar] "
	           "[--csv|--json]",
	  .summary = "indicators against baseline and target: status, trend, projected date",
	  .help = "For each indicator x area x disaggregation: the latest value, progress\n"
	          "(actual - baseline)/(target - baseline), progress expected on the line from\n"
	          "baseline through milestones to target, their ratio and a status: on_track\n"
	          "(ratio >= --on-track, default 0.90), at_risk (>= --at-risk, default 0.75),\n"
	          "off_track, stale (latest value older than --max-age days, default 180 or\n"
	          "2 x the reporting period), no_data, n/a (no baseline or target, or target =\n"
	          "baseline). The trend is a Theil-Sen slope with a Mann-Kendall test (exact p\n"
	          "below 10 values, ties included; --alpha, default 0.05; no verdict below 4\n"
	          "values); the projected date comes from the Theil-Sen line. Lower-is-better\n"
	          "indicators need nothing special. --at DATE uses values up to DATE and judges\n"
	          "staleness on DATE (default today). Indicators, benchmarks and observations\n"
	          "come from `import indicators|benchmarks|observations` (CSV with a header:\n"
	          "indicators: code,name,pillar,unit,measure,direction,aggregation,period_days,\n"
	          "goal_min,goal_max; benchmarks: indicator,area,sex,age_group,kind,date,value;\n"
	          "observations: indicator,area,sex,age_group,period_start,period_end,value,\n"
	          "source,confidence).\n"
	          "--by pillar rolls the results up to pillars: per pillar x area the total\n"
	          "series counted by status, and the pillar's status from the median of the\n"
	          "ratios of its series judged on track, at risk or off track under the same\n"
	          "thresholds; stale and no-data series are counted apart, outside the median\n"
	          "(none judged: stale if some are, else no_data; area (all): every area).\n"
	          "Thresholds not given as options come from the mission (`mission set\n"
	          "--on-track/--at-risk/--max-age/--alpha`), else the defaults; the output says\n"
	          "which threshold came from where.\n" },
	{ .name = "indicators", .run = cmd_indicators, .flags = CLI_STORE,
	  .usage = "indicators compute [--period month|quarter|year] [--from DATE] [--to DATE] "
	           "[--level N] [--events ucdp|acled|all] [--dry-run] [--csv|--json]",
	  .summary = "computed indicators (incidents per 100k, fatalities, needs reached, activities)",
	  .help = "Derives observations of built-in indicators from stored data, per area of admin\n"
	          "level N (default 1) and calendar period (default month) from --from to --to\n"
	          "(default: the span of the incidents and activities): cc.incidents_per_100k\n"
	          "(incidents x 100,000 / the area's population; lower is better; an area\n"
	          "without a population gets a missing value, never 0, and a warning),\n"
	          "cc.fatalities (sum of best estimates: UCDP best, ACLED fatalities),\n"
	          "cc.needs_covered (people reached by activities running in the period, each\n"
	          "organisation's figures added and organisations combined by the largest, as a\n"
	          "percentage of the intersectoral people in need) and cc.activities_PILLAR\n"
	          "(activities running in the period, per pillar). Records below the level count\n"
	          "for their ancestor; those above it are counted in a warning. Incidents come\n"
	          "from one source (--events; default ucdp when there are UCDP events) so that\n"
	          "none is counted twice. Values are stored with source \"computed\" in one\n"
	          "transaction; running again replaces them (added/updated/unchanged/removed),\n"
	          "never duplicates. --csv prints the values; --dry-run stores nothing.\n"
	          "--json prints the run as POST /api/indicators/compute answers it.\n" },
	{ .name = "rollup", .run = cmd_rollup, .flags = CLI_STORE,
	  .usage = "rollup [--indicator CODE] [--level N] [--at DATE] [--csv|--json]",
	  .summary = "indicator values rolled up to parent areas by each indicator's rule",
	  .help = "For each indicator x area of admin level N (default 1) x disaggregation: the\n"
	          "area's own latest value (up to --at DATE), else its children's values combined\n"
	          "by the indicator's aggregation rule: sum, mean, population_weighted_mean (each\n"
	          "child's own population for the year of --at; children without one are listed\n"
	          "and left out), max, latest (the child with the most recent value). Children\n"
	          "without a value are listed as missing, never imputed, including those missing\n"
	          "further down. Female and male series roll up separately from the total.\n" },
	{ .name = "index", .run = cmd_index, .flags = CLI_STORE,
	  .usage = "index [--config FILE] [--level N] [--at DATE] [--csv|--json]",
	  .summary = "composite indices per area and pillar, ranks, sensitivity, stages",
	  .help = "Normalises each indicator's rolled-up value (see `concord rollup`) between its\n"
	          "goalposts (x - min)/(max - min), or (max - x)/(max - min) when lower is better,\n"
	          "clamped to [0, 1]; combines them per pillar and the pillars overall with the\n"
	          "stated weights, arithmetic or geometric (inputs floored at epsilon, 0.01, and\n"
	          "marked); ranks the areas of level N; shows how ranks change when each weight\n"
	          "moves by -20% and +20%; and assigns stages of transition (imposed stability,\n"
	          "assisted stability, self-sustaining peace) by the first rule that holds, naming\n"
	          "it. FILE (YAML or JSON) gives the name, method, weights, goalposts, missing\n"
	          "rule and stage rules (docs/index.md); without it every indicator with goalposts\n"
	          "counts with weight 1, arithmetic, and no stages.\n" },
	{ .name = "gaps", .run = cmd_gaps, .flags = CLI_STORE,
	  .usage = "gaps [--level N] [--reach max|sum] [--by sector|pillar] [--planning] "
	           "[--from DATE] [--to DATE] [--csv|--json|--geojson]",
	  .summary = "needs nobody covers: people in need against people reached",
	  .help = "Per area of admin level N (default 1) and sector (or pillar): people in need\n"
	          "and severity from `import needs` (total rows only), against the people\n"
	          "reached (--planning: targeted) by the activities there. Each organisation's\n"
	          "own figures are added up; organisations are combined by the largest single\n"
	          "figure (--reach max, default: partners often reach the same people) or by\n"
	          "their sum (--reach sum). gap = severity x in need x shortfall share, with\n"
	          "shortfall share = max(0, 1 - covered / in need); rows are ranked by gap.\n"
	          "Needs without coverage records are 'no data', records without people\n"
	          "figures 'no figures': neither counts as zero coverage. Needs below level N\n"
	          "map up (an area's own figure wins over the sum of its parts). Intersectoral\n"
	          "needs (HNO code ALL) show as key ALL against all coverage of the area.\n"
	          "Budget: the activities' budgets in each cell, one sum per currency (never\n"
	          "added across currencies or converted; CSV budget_currency 'mixed' then), with\n"
	          "the activities with and without a budget. --geojson: one feature per row with\n"
	          "the area's boundary (null when it has none), properties as in --json.\n"
	          "With a reporting currency (`mission set --currency`) and rates (`import\n"
	          "rates`), each cell's budgets are also converted and added up in that currency\n"
	          "at each activity's value date (its start date); the rates used are listed and\n"
	          "the budgets that could not be converted are listed, never counted as 0.\n" },
	{ .name = "export", .run = cmd_export, .flags = CLI_STORE,
	  .usage = "export 3w|areas|iati|events -o FILE [--level N] [--with-coverage] "
	           "[--source acled|ucdp]",
	  .summary = "write the 3W as HXL CSV or the areas as GeoJSON",
	  .help = "3w: every activity of the mission, one HXL CSV row each, in source and line\n"
	          "order; `import 3w` reads it back. areas: a GeoJSON FeatureCollection of the\n"
	          "areas of level N (default every level) with pcode, name, level and parent;\n"
	          "--with-coverage adds activities, organisations and activities per pillar.\n"
	          "events: the incidents the reader may see (--as), in the columns of their source\n"
	          "(ACLED or UCDP GED; --source chooses when both are stored) plus admin_pcode;\n"
	          "`import events` reads it back.\n"
	          "FILE is written as FILE.tmp and renamed when complete.\n" },
	{ .name = "audit", .run = cmd_audit, .flags = CLI_STORE, .usage = "audit verify",
	  .summary = "verify the change log's hash chain",
	  .help = "Prints the number of entries and the head hash; exit 1 naming the first\n"
	          "broken entry when the chain does not verify.\n" },
	{ .name = "overlap", .run = cmd_overlap, .flags = CLI_STORE,
	  .usage = "overlap [--distance KM] [--min-score S] [--level N] [--csv|--json|--geojson]",
	  .summary = "duplicated effort: similar activities of different organisations",
	  .help = "Pairs of activities (not presence rows) of different organisations with the\n"
	          "same sector (or DAC-3 category, scored x0.75), overlapping dates (undated:\n"
	          "assumed overlapping, said so) and the same area of admin level N (default 2)\n"
	          "or sites within KM (default 0: by area only). score = factor x (0.5 text +\n"
	          "0.2 dates + 0.2 place + 0.1 people): text TF-IDF cosine of title and\n"
	          "description, dates overlap/union days, place 1 same area, 0.5 same area at\n"
	          "level N, 1 - d/KM for sites; people min/max of people targeted (else\n"
	          "reached). Pairs below S (default 0) are left out; sorted by score.\n"
	          "--geojson: one feature per pair, the two sites (MultiPoint, a Point when only\n"
	          "one has a site), else the boundary of the area they share, else null;\n"
	          "properties as in --json.\n" },
	{ .name = "review", .run = cmd_review, .flags = CLI_STORE,
	  .usage = "review PLAN [--json] [--rules FILE] [--disable RULE[=REASON],...] [--reason TEXT]\n"
	           "       [--threshold N] [--window DAYS] [--as-of DATE]",
	  .summary = "check a plan against the review rules and list matching lessons",
	  .help = "PLAN is YAML or JSON (docs/plan-review.md). Rules: R1 governance work with no\n"
	          "civilian lead; R2 no local partner; R3 an area with >= N (--threshold, default\n"
	          "10) incidents in the DAYS (default 90) to --as-of (default: the latest stored\n"
	          "incident) and no security activity there; R4 no budget; R5 end before start;\n"
	          "R6 unknown P-code or pillar; R7 an activity duplicating a registered one (the\n"
	          "overlap analysis); R8 a pillar with no indicator baseline. Each finding lists\n"
	          "up to 3 matching lessons. --rules FILE (YAML or JSON, default\n"
	          "data/review/rules.yaml's values) sets each rule's severity, thresholds and\n"
	          "whether it runs; --disable R2=\"reason\" turns a rule off and the output says so.\n"
	          "Exit status: 0 no error findings, 4 findings of severity error, 1 failure.\n" },
	{ .name = "allocate", .run = cmd_allocate, .flags = 0,
	  .usage = "allocate [--problem FILE.json] [--budget NAME=USD[:OPT]...]... "
	           "[--teams NAME=N[:OPT]...]... [--weights K=V,...] [--level N] [--days D] "
	           "[--write-model FILE] [--time-limit S] [--csv|--json]",
	  .summary = "spread budgets and teams over area x pillar cells (a linear program)",
	  .help = "Maximises weighted people covered (weight = severity^a x (need / max need)^b)\n"
	          "under each donor's budget and earmarks, each organisation's teams and mandate,\n"
	          "a minimum of security teams where exposure is high, and no cell above its\n"
	          "need (docs/allocate.md). Cells come from --problem FILE.json, else from the\n"
	          "store: unmet need per area of level N (default 1) x pillar, as `gaps --by\n"
	          "pillar`, exposure = incidents in the area in the D days (default 90) to the\n"
	          "latest stored incident. Budgets and teams add to the file's:\n"
	          "  --budget NAME=USD[:min=USD][:pillars=P+P][:areas=A+A][:sectors=S+S]\n"
	          "  --teams NAME=N[:ppt=PEOPLE_PER_TEAM][:pillars=P+P][:areas=A+A]\n"
	          "  --weights severity=A,need=B,cost=USD_PER_PERSON,threshold=X,security=TEAMS\n"
	          "Teams are solved as the LP relaxation, then rounded per organisation (largest\n"
	          "remainder) and the rounding reported. Binding constraints are listed with\n"
	          "their shadow prices. An infeasible problem lists a minimal set of conflicting\n"
	          "constraints (deletion filter) and exits 1. --write-model writes the model for\n"
	          "glpsol: .lp CPLEX LP, .mps free MPS, .glp GLPK format.\n"
	          "--time-limit S: give up after S seconds of solving (the server's limit is 30).\n" },
	{ .name = "survey", .run = cmd_survey, .flags = CLI_STORE,
	  .usage = "survey results --question Q [--by area|group|wave] [--group Q] [--level N] "
	           "[--wave W] [--likert K [--reverse]] [--cluster Q] [--multiple] [--csv|--json] "
	           "| survey alpha --items "
	           "Q1,Q2,...",
	  .summary = "perception surveys: weighted shares, Likert indices, waves, alpha",
	  .help = "results: per cell (all, areas of admin level N (default 1), answers to --group,\n"
	          "or waves) the weighted share of each answer among the substantive answers\n"
	          "(don't know and refused shown apart, missing skipped), with the Kish\n"
	          "effective n = (sum w)^2 / sum w^2, the design effect and a Wilson interval on\n"
	          "n_eff (--confidence, default 0.95). Cells with n_eff < 30 (--min-neff) are\n"
	          "marked '*'. --likert K adds the index (mean - 1)/(K - 1) x 100 (--reverse:\n"
	          "K + 1 - x first), its normal interval and the top-two-box share. --by wave\n"
	          "tests each wave against the one before: two-sided z test on the difference,\n"
	          "se = sqrt(p1(1-p1)/n_eff1 + p2(1-p2)/n_eff2) (for the index, the weighted\n"
	          "standard deviations over sqrt(n_eff)).\n"
	          "--cluster Q: respondents were sampled in clusters named by their answer to\n"
	          "question Q (a village id): shares get the variance linearised by cluster, the\n"
	          "design effect of weighting and clustering, n_eff = n / deff, the number of\n"
	          "clusters and the implied intraclass correlation. --multiple (automatic for a\n"
	          "select_multiple question of the form): answers are space-separated choices,\n"
	          "each choice reported as the share of respondents who gave it.\n"
	          "alpha: Cronbach's alpha of the items (listwise; sample variances), with the\n"
	          "reading: >= 0.7 acceptable, < 0.6 do not combine. Load answers with\n"
	          "`concord import survey FILE`.\n" },
	{ .name = "feedback", .run = cmd_feedback, .flags = CLI_STORE,
	  .usage = "feedback add|import|list|search [ARGS]",
	  .summary = "stakeholder feedback: record, import, count, search",
	  .help = "feedback add --date DATE --text T [--area PCODE] [--channel C] [--org O]\n"
	          "              [--category C] [--sentiment positive|neutral|negative] [--id K]\n"
	          "              [--giver-name N] [--giver-contact C]\n"
	          "    The giver's name and contact go to a sensitive column; never printed.\n"
	          "feedback import FILE... [--personal COL,...] [--dry-run] [--strict]\n"
	          "    CSV: date, text, area (P-code or name), channel, organisation, category,\n"
	          "    sentiment, id; --personal columns are kept apart as sensitive. Keyed by\n"
	          "    id, else a digest of date, area, channel, organisation and text.\n"
	          "feedback list [--category C] [--area PCODE] [--from D] [--to D] [--counts]\n"
	          "              [--limit N] [--csv|--json]\n"
	          "    --counts: items by category x area x month, with how many are negative.\n"
	          "feedback search WORDS... [--limit N] [--json]\n"
	          "    Full-text search (stemmed, accents ignored), ranked by bm25.\n" },
	{ .name = "mission", .run = cmd_mission, .flags = CLI_STORE,
	  .usage = "mission show [--json] | mission set [--currency CODE] [--rate-tolerance DAYS] "
	           "[--on-track R] [--at-risk R] [--max-age DAYS] [--alpha P] [--json]",
	  .summary = "show or set the mission's settings (reporting currency, status rule)",
	  .help = "set --currency CODE: the ISO 4217 currency every sum of money is reported in.\n"
	          "--rate-tolerance DAYS (default 5): how many days a rate may be older than the\n"
	          "value date it converts (no fixings on weekends and holidays).\n"
	          "--on-track R, --at-risk R (progress/expected ratios in (0, 1]; defaults 0.90\n"
	          "and 0.75), --max-age DAYS (stale after; default 180 or 2 x the reporting\n"
	          "period), --alpha P (trend significance; default 0.05): the mission's status\n"
	          "rule, used by `progress`, GET /api/progress and the report unless an option\n"
	          "overrides it; each takes `default` to go back to the default.\n"
	          "--json prints the mission and its settings as GET /api/mission answers them.\n" },
	{ .name = "money", .run = cmd_money, .flags = CLI_STORE,
	  .usage = "money [--currency CODE] [--rate-tolerance DAYS] [--rates] [--csv|--json]",
	  .summary = "budgets and IATI transactions in the reporting currency",
	  .help = "Sums the 3W budgets (valued at the activity's start) and the IATI budgets,\n"
	          "planned disbursements, commitments, disbursements and expenditures (at their\n"
	          "value date) in the mission's reporting currency (or --currency), through the\n"
	          "euro with the rates of `concord import rates` (ECB): the rate of the value date,\n"
	          "or of the last earlier fixing within the tolerance, else the year's annual\n"
	          "average when one is stored. Says which rates were used (--rates: for every\n"
	          "amount) and lists every amount it could not convert, with the reason.\n"
	          "--json: the totals, every converted amount with the rates used and every\n"
	          "amount not converted with the reason (as GET /api/money).\n"
	          "Rates: `concord import rates FILE`, units per EUR, the ECB's daily file (Date,\n"
	          "then a column per currency, N/A for none) or annual averages (year, currency,\n"
	          "units_per_eur).\n" },
	{ .name = "rounds", .run = cli_rounds, .flags = CLI_STORE,
	  .usage = "rounds [--as-of DATE] [--csv|--json]",
	  .summary = "reporting rounds: per period, which organisations reported and which did not",
	  .help = "Each 3W import (import 3w --period FROM/TO) is a submission by the\n"
	          "organisations of its rows for that period. Per period, the organisations of\n"
	          "the mission (its members and every organisation that ever reported) are listed\n"
	          "as reported (from which file, when, how many rows) or missing. When an\n"
	          "organisation reported a period more than once (a corrected file under another\n"
	          "name), the latest counts: coverage and every analysis use only it, so a\n"
	          "quarter is never counted twice. --as-of DATE: as known at the end of that day\n"
	          "(by import time); coverage --as-of DATE shows the matrix as known then.\n" },
	{ .name = "template", .run = cli_template, .flags = CLI_STORE,
	  .usage = "template 3w -o FILE",
	  .summary = "write a blank HXL 3W for partners, with the valid codes beside it",
	  .help = "FILE gets the header and HXL hashtag rows that `concord import 3w` reads\n"
	          "(province and district names and P-codes, organisation, implementing partner,\n"
	          "cluster code, activity, start and end dates, people targeted and reached);\n"
	          "FILE-lists.csv (3w.csv -> 3w-lists.csv) lists what the columns may hold: the\n"
	          "mission's P-codes with names and parents, the IASC cluster codes, and the\n"
	          "organisations already known. Filled in, it imports with --period FROM/TO or\n"
	          "with its dates.\n" },
	{ .name = "area", .run = cli_area, .flags = CLI_STORE,
	  .usage = "area alias add PCODE NAME | area valid PCODE [--from DATE] [--to DATE] |"
	           " area crosswalk | area population [--year Y] [--at DATE]   (each [--json])",
	  .summary = "gazetteer versions: area name aliases, validity dates, the crosswalk",
	  .help = "alias add: another name of the area (another spelling or language); every\n"
	          "importer that falls back to names (3W, events, surveys) then finds it.\n"
	          "valid: show, or set, the dates the area exists (districts split, merge and are\n"
	          "renamed). crosswalk: the old -> new mapping loaded by `concord import\n"
	          "crosswalk FILE` (old_pcode,new_pcode,share,date: from date on, share of the\n"
	          "old area belongs to the new one; the shares of an old area add up to 1), used\n"
	          "to carry figures of an old layout onto the new one. population: each area's\n"
	          "population (newest year, or --year), carried through the crosswalk onto the\n"
	          "layout valid at --at DATE (default: the latest), as CSV. --json prints each as\n"
	          "the API answers it (/api/areas/PCODE/aliases, /api/areas/PCODE/validity,\n"
	          "/api/crosswalk, /api/areas/population).\n"
	          "Readers by area (progress, rollup, indicators compute, coverage) show values\n"
	          "on the layout of their query date: counts split by the shares, rates\n"
	          "recomputed from split numerators and denominators, activities whole; before\n"
	          "a change the old areas as they were (docs/crosswalk.md).\n" },
	{ .name = "demo", .run = cli_demo, .flags = 0,
	  .usage = "demo load CASE [-d DB] | demo list",
	  .summary = "load a case study (afghanistan, kosovo, libya) into a store",
	  .help = "Runs the steps of data/cases/CASE/case.txt (or CASE/case.txt when CASE is a\n"
	          "directory): one concord command per line after the exit statuses it may end\n"
	          "with ('0' or '0,3'); paths starting with ./ or ../ are relative to the case\n"
	          "folder and may hold * patterns. Each step is run by this program in turn\n"
	          "against the store of -d (default ./concord.db), with a progress line; the\n"
	          "first step ending otherwise than expected stops the load (exit status 1).\n" },
	{ .name = "backup", .run = cmd_backup, .flags = CLI_STORE,
	  .usage = "backup -o FILE [-v] | backup --digest",
	  .summary = "write the whole store to a portable archive",
	  .help = "Writes every table of the store (SQLite or PostgreSQL) to FILE (- for standard\n"
	          "output): zlib-compressed, with the schema version, each table's rows and\n"
	          "digest, and the store's digest. -v: rows per table on stderr.\n"
	          "--digest prints the store's digest and writes nothing.\n" },
	{ .name = "restore", .run = cmd_restore, .flags = CLI_STORE | CLI_CREATE,
	  .usage = "restore FILE [--force] [-v]",
	  .summary = "load an archive of `backup` into a store of either backend",
	  .help = "Loads FILE into the store of -d (created if needed) in one transaction, then\n"
	          "reads every table back and compares its digest with the archive's; any\n"
	          "difference, a damaged archive or one of a newer schema stores nothing. A\n"
	          "store that holds records is refused unless --force (they are replaced).\n" },
	{ .name = "copy", .run = cmd_copy, .flags = 0,
	  .usage = "copy --from URI --to URI [--force] [-v]",
	  .summary = "copy a whole store to another, of either backend",
	  .help = "backup of --from (default: -d) piped into restore of --to, without a file:\n"
	          "  concord copy --from sqlite:afg.db --to postgresql://concord@db/afg\n" },
	{ .name = "help", .run = cmd_help, .flags = 0, .usage = "help [COMMAND]",
	  .summary = "show help for a command", .help = "" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Names match exactly; an unknown one is a usage error listing the valid ones. */
static int unknown_command(const char *name)
{
	fprintf(stderr, "concord: unknown command '%s'; the commands are:", name);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, " %s", commands[i].name);
	fputc('\n', stderr);
	return CLI_USAGE;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: concord [-d DB] [-m MISSION] COMMAND [ARGS]\n\n"
	           "Concord: who does what where, for the organisations rebuilding a region\n"
	           "after armed conflict.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nGlobal options:\n"
	           "  -d, --db DB          the store: a path or sqlite:PATH (default: $CONCORD_DB,\n"
	           "                       else ./concord.db); sqlite:PATH?max_size=64M sets a\n"
	           "                       quota, ?synchronous=full syncs every commit\n"
	           "  -m, --mission CODE   the mission, when the store holds several\n"
	           "  --as READER          read only what READER may see: an organisation of the\n"
	           "                       mission (ORG[:ROLE]), 'partners' or 'public'; without\n"
	           "                       it the command reads as the operator (everything).\n"
	           "                       --audience is the same, for files handed to others\n"
	           "  -h, --help           this help; `concord help COMMAND` for one command\n"
	           "  -V, --version        the version\n\n"
	           "Exit status: 0 ok, 1 failure (nothing stored), 2 usage, 3 import stored with\n"
	           "rejected rows.\n");
}

static void print_command_help(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: concord %s\n\n%s.\n\n%s", c->usage, c->summary, c->help);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)cli;
	if (argc < 2) {
		print_help(stdout);
		return CLI_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	print_command_help(stdout, c);
	return CLI_OK;
}

int cli_fail(const struct cc_err *err)
{
	char buf[1024];

	fprintf(stderr, "concord: %s\n", cc_err_format(err, buf, sizeof(buf)));
	switch ((enum cc_code)err->code) {
	case CC_EUSAGE:
		return CLI_USAGE;
	case CC_EREJECTED:
	case CC_OK:
	case CC_ENOMEM:
	case CC_EIO:
	case CC_EPARSE:
	case CC_EINVALID:
	case CC_ETOOBIG:
	case CC_ENOTFOUND:
	case CC_EDENIED:
	case CC_ESTORE:
	case CC_ESCHEMA:
	case CC_EEXIST:
	case CC_EBUSY:
	case CC_EUNSUPPORTED:
	case CC_ECHANGED:
		return CLI_FAIL;
	}
	return CLI_FAIL;
}

int cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "concord %s: ", cli->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: concord %s\n", cli->cmd->usage);
	return CLI_USAGE;
}

int cli_write(const char *s, size_t len)
{
	if (fwrite(s, 1, len, stdout) != len || fflush(stdout) != 0) {
		perror("concord: cannot write output");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Removes the global options from argv wherever they stand; returns the new argc or -1. */
static int take_global(struct cli *cli, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (!strcmp(a, "-d") || !strcmp(a, "--db"))
			slot = &cli->db;
		else if (!strcmp(a, "-m") || !strcmp(a, "--mission"))
			slot = &cli->mission;
		else if (!strcmp(a, "--as") || !strcmp(a, "--audience"))
			slot = &cli->as;
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "concord: option '%s' needs a value\n", a);
				return -1;
			}
			*slot = argv[++i];
			continue;
		}
		if (!strncmp(a, "--db=", 5)) {
			cli->db = a + 5;
			continue;
		}
		if (!strncmp(a, "--mission=", 10)) {
			cli->mission = a + 10;
			continue;
		}
		if (!strncmp(a, "--as=", 5) || !strncmp(a, "--audience=", 11)) {
			cli->as = strchr(a, '=') + 1;
			continue;
		}
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int cli_main(int argc, char **argv)
{
	struct cli cli = { .tty = isatty(STDERR_FILENO) };
	struct cc_err err = { 0 };
	const struct cli_cmd *c;
	int ret;

	argc = take_global(&cli, argc, argv);
	if (argc < 0)
		return CLI_USAGE;
	if (argc < 2) {
		print_help(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("concord %s\n", CC_VERSION);
		return CLI_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	cli.cmd = c;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_command_help(stdout, c);
			return CLI_OK;
		}
	}
	if (!cli.db)
		cli.db = getenv("CONCORD_DB");
	if (!cli.db || !cli.db[0])
		cli.db = "concord.db";
	if (c->flags & CLI_STORE) {
		unsigned flags = 0;

		if (c->flags & CLI_CREATE)
			flags |= CC_STORE_CREATE;
		if (c->flags & CLI_ANY_SCHEMA)
			flags |= CC_STORE_ANY_SCHEMA;
		ret = cc_store_open(&cli.st, cli.db, &(struct cc_store_opts){ .flags = flags }, &err);
		if (ret == 0 && cli.as)
			ret = cli_read_as(&cli, cli.as, &err);
		if (ret < 0) {
			cc_store_close(cli.st);
			return cli_fail(&err);
		}
	} else if (cli.as) {
		fprintf(stderr, "concord %s: --as reads a store; this command reads none\n", c->name);
		return CLI_USAGE;
	}
	ret = c->run(&cli, argc - 1, argv + 1);
	cc_store_close(cli.st);
	return ret;
}

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
