#!/bin/sh
# The demo's review report on the real Afghanistan case: `concord demo load afghanistan` into a
# store of its own, then the report command of the Makefile's demo target, with the options
# read from the Makefile itself (so the two cannot drift apart). The HTML is parsed with
# python3's html.parser: every section the issue names is present and has content, the sample
# plan review shows findings each with at least one lesson, and figures agree with the
# commands' own --json: the coverage totals, the incidents total (and with the UCDP file,
# counted here), one indicator's progress row, and the findings of `review --json`.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
UCDP="$CASE/ucdp_ged_v23_1_afg.csv"

run "$CONCORD" -d demo.db demo load afghanistan
is "$RC" 0 "demo load afghanistan"
if [ "$CC_BACKEND" = postgres ]; then # the store is named by its database's URI
	read -r _ DEMO_DB _ <demo.db
	like "$ERR" "steps done; the store is postgresql://[^ ]*/$DEMO_DB\$" "every step of the case ran"
else
	like "$ERR" "steps done; the store is demo.db" "every step of the case ran"
fi

# the report line of the demo target: "$(CONCORD) -d $(DB) report OPTIONS"
ARGS=$(sed -n 's/^[[:space:]]*\$(CONCORD) -d \$(DB) report //p' "$ROOT/Makefile" | head -1)
like "$ARGS" "-o report.html" "the Makefile's demo target writes report.html"
ARGS=$(printf '%s\n' "$ARGS" | sed "s|\$(CASE)|$CASE|g")
case "$ARGS" in *'$('*)
	not_ok "the report options use only \$(CASE)" "$ARGS"
	done_testing
	exit 1 ;;
esac
# shellcheck disable=SC2086 # the options are words without spaces
set -- $ARGS
run "$CONCORD" -d demo.db report "$@"
is "$RC" 0 "the demo's report command"
like "$OUT" "^wrote report.html ([0-9]* bytes)$" "it writes report.html"

# Each section: its heading, its text (without the heading), its SVGs, and its tables' rows.
cat >parse.py <<'PY'
import html.parser, json, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections = {}; self.order = []; self.cur = None; self.depth = 0
        self.table = None; self.row = None; self.cell = None; self.in_h2 = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'section':
            self.cur = a.get('id'); self.order.append(self.cur)
            self.sections[self.cur] = {'h2': '', 'text': '', 'svgs': 0, 'paths': 0,
                                       'tables': {}, 'dashed': 0}
        if self.cur is None: return
        s = self.sections[self.cur]
        if tag == 'h2': self.in_h2 = True
        if tag == 'svg': s['svgs'] += 1
        if tag == 'path': s['paths'] += 1
        if tag == 'line' and a.get('stroke-dasharray'): s['dashed'] += 1
        if tag == 'table':
            self.table = a.get('id') or 'table%d' % len(s['tables']); s['tables'][self.table] = []
        if tag == 'tr' and self.table: self.row = []
        if tag in ('td', 'th') and self.row is not None: self.cell = ''
    def handle_endtag(self, tag):
        if tag == 'section': self.cur = None
        if tag == 'h2': self.in_h2 = False
        if tag in ('td', 'th') and self.cell is not None:
            self.row.append(self.cell.strip()); self.cell = None
        if tag == 'tr' and self.row is not None:
            self.sections[self.cur]['tables'][self.table].append(self.row); self.row = None
        if tag == 'table': self.table = None
    def handle_data(self, d):
        if self.cur is None: return
        s = self.sections[self.cur]
        if self.in_h2: s['h2'] += d
        else: s['text'] += d
        if self.cell is not None: self.cell += d
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
json.dump({'order': p.order, 'sections': p.sections}, open(sys.argv[2], 'w'))
PY
run python3 parse.py report.html parsed.json
is "$RC" 0 "the report parses as HTML"

q() { # q PYTHON-EXPRESSION over s (sections) and order
	python3 -c "
import json, re
d = json.load(open('parsed.json')); s = d['sections']; order = d['order']
print($1)"
}

# every section the issue names: mission summary and timeline, map, coverage and gaps,
# incidents over time, indicators, survey results, feedback themes, lessons, plan review
for sec in summary timeline map coverage gaps incidents indicators surveys feedback lessons plan-review; do
	is "$(q "'$sec' in s and len(s['$sec']['text'].split()) >= 3")" True "section $sec is present and has content"
done
is "$(q "' '.join(order)")" \
	"summary timeline map coverage charts gaps incidents indicators surveys feedback lessons plan-review sources" \
	"the sections in the report's order"
like "$(q "s['map']['paths']")" "^3[0-9]$" "the map draws the provinces (one path each)"
is "$(q "s['timeline']['svgs'] >= 1 and s['incidents']['svgs'] == 1")" True "timeline and incidents are charted"
is "$(q "s['surveys']['svgs']")" 2 "one interval chart per --survey question of the Makefile"
like "$(q "s['indicators']['svgs']")" "^[1-6]$" "indicators are charted (at most six)"
like "$(q "s['indicators']['dashed']")" "^[1-9]" "with the benchmark lines (dashed)"
# the first chart is of a series with a baseline and a target: its title names it
FIRST_CHART=$(grep -o '<title id="chart-ind-0-title">[^ <]*' report.html | sed 's/.*>//')
is "$(q "[r[5] != '\u2013' and r[8] != '\u2013' for r in s['indicators']['tables']['indicators-table'][1:] if r[0] == '$FIRST_CHART'][0]")" \
	True "the first indicator chart ($FIRST_CHART) has a baseline and a target"
like "$(q "s['feedback']['text']")" "No feedback recorded\|feedback items in" \
	"feedback: its themes, or a line saying none was recorded"
like "$(q "len(s['lessons']['tables']['table0']) - 1")" "^[1-9]" "lessons are listed"

# The sample plan review: the same findings as `review --json`, each with at least one lesson
run "$CONCORD" -d demo.db review --json "$CASE/sample_plan.yaml"
is "$RC" 4 "the sample plan has errors: review exits 4"
printf '%s\n' "$OUT" >review.json
is "$(q "[(r[0], r[2]) for r in s['plan-review']['tables']['findings-table'][1:]] == [(f['rule'], f['activity'] or '(plan)') for f in json.load(open('review.json'))['findings']]")" \
	True "plan review: the findings of review --json, in order"
like "$(q "len(s['plan-review']['tables']['findings-table']) - 1")" "^[1-9]" "the sample plan has findings"
is "$(q "[r[0] for r in s['plan-review']['tables']['findings-table'][1:] if not re.match(r'[A-Z]+-[0-9]+: ', r[5])]")" \
	"[]" "every finding shows at least one matching lesson"

# Coverage: the summary's totals are those of `coverage --json` at the report's level (1)
"$CONCORD" -d demo.db coverage --level 1 --json >cov.json
WANT=$(python3 -c "
import json; t = json.load(open('cov.json'))['totals']
print('{:,} distinct activities by {:,} organisations'.format(t['activities'], t['organisations']))")
like "$(q "s['summary']['text']")" "$WANT" "summary: $WANT, as coverage --json"

# Incidents: the section's total against `exposure --by area --level 0` over the window the
# report used (named by the incidents map's note), and against the UCDP file counted here
run "$CONCORD" -d demo.db report "$@" --map-measure incidents -o incidents-map.html
is "$RC" 0 "the same report with the map coloured by incidents"
AT=$(sed -n 's/.*--at \([0-9-]*\) --days \([0-9]*\)`.*/\1/p' incidents-map.html | head -1)
DAYS=$(sed -n 's/.*--at \([0-9-]*\) --days \([0-9]*\)`.*/\2/p' incidents-map.html | head -1)
like "$AT $DAYS" "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [1-9][0-9]*$" "the incidents map names its window"
"$CONCORD" -d demo.db exposure --by area --level 0 --at "$AT" --days "$DAYS" --json >exp0.json
N_EXP=$(python3 -c "
import json; e = json.load(open('exp0.json'))
print(sum(a['incidents'] for a in e['areas']) + e['unplaced_incidents'])")
N_FILE=$(python3 -c "
import csv, datetime, sys
at = datetime.date.fromisoformat(sys.argv[2]); lo = at - datetime.timedelta(days=int(sys.argv[3]) - 1)
d = lambda s: datetime.date.fromisoformat(s[:10])
print(sum(1 for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))
          if d(r['date_start']) <= at and d(r['date_end']) >= lo))" "$UCDP" "$AT" "$DAYS")
N_REP=$(q "re.search(r'([0-9,]+) incidents in all', s['incidents']['text']).group(1).replace(',', '')")
is "$N_REP" "$N_EXP" "incidents: the report's total ($N_REP) is exposure --json's"
is "$N_REP" "$N_FILE" "incidents: and the UCDP file's rows of the window"

# One progress row: GDP (it has benchmarks) as `progress --json` as of the report's date
AS_OF=$(q "re.search(r'status as of ([0-9-]+)', s['indicators']['text']).group(1)")
"$CONCORD" -d demo.db progress --indicator NY.GDP.MKTP.CD --at "$AS_OF" --json >gdp.json
cat >gdp.py <<'PY'
import json, sys
s = json.load(open('parsed.json'))['sections']
rows = [r for r in s['indicators']['tables']['indicators-table'][1:] if r[0] == 'NY.GDP.MKTP.CD' and r[3] == 'all']
p = [r for r in json.load(open('gdp.json'))['results'] if r['area'] == '' and not r['sex'] and not r['age_group']][0]
r = rows[0]
close = lambda a, b: abs(float(a.replace(',', '')) - b) <= 1e-5 * abs(b)
ok = [close(r[5], p['baseline']), close(r[6], p['latest_value']), r[7] == p['latest_date'],
      close(r[8], p['target']), r[9] == '%.1f%%' % (p['progress'] * 100), r[11] == p['status']]
print(len(rows), ok)
PY
is "$(python3 gdp.py)" "1 [True, True, True, True, True, True]" \
	"the GDP row (baseline, latest, date, target, progress, status) as progress --json"

done_testing
