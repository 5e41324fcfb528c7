#!/bin/sh
# The review report's later sections on the real Afghanistan case: the map (one path per
# province with a boundary, each titled with its name and its distinct activities, counted
# here from the 3W file), lessons (only once imported, those on a pillar with activity, worked
# out here from the register's front matter), gaps (once needs are loaded) and incidents over
# time (once events are loaded, counted here from the UCDP file), the timeline (activities of
# the 3W and incidents per month, counted here), indicators (after an import, against
# `concord progress` as of the latest observation), plan-review findings (`--plan`, against
# `concord review --json`) and the same figures as Markdown (`--format md`). Sections without
# data are absent, but for feedback and lessons, which say that none was recorded. The map
# coloured by each measure (--map-measure) against `coverage`, `exposure` and `gaps`. Lessons of
# a period: those dated in it. A screenshot in headless Chromium, when installed, must show the
# map.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"
UCDP="$TDATA/events/ucdp_ged_v23_1_afg.csv"
HNO="$TDATA/needs/afg_hno_2024_hxl_excerpt.csv"

"$CONCORD" init --mission AFG-2021Q3 --name "Afghanistan <Q3> & co" --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 >/dev/null 2>&1

# sections of a report, one id per line
sections() {
	python3 - "$1" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag == 'section':
            print(dict(attrs).get('id'))
P().feed(open(sys.argv[1], encoding='utf-8').read())
PY
}

run "$CONCORD" report -o r0.html
is "$RC" 0 "report without lessons, needs or events"
is "$(sections r0.html | tr '\n' ' ')" "summary timeline map coverage charts feedback lessons sources " \
	"no gaps or incidents section without their data; feedback and lessons say none"
like "$(grep -A2 '<section id="feedback">' r0.html)" "<p>No feedback recorded.</p>" \
	"no feedback: the section says so"
like "$(grep -A2 '<section id="lessons">' r0.html)" "<p>No lesson recorded (lessons of this mission" \
	"no lesson: the section says so, with the rule"

# The map: parsed as XML; every path titled "Name (PCODE): N activities"; N counted here as
# the distinct (organisation, district, cluster) triples of the province in the 3W file, and
# names and P-codes taken from the P-code list.
cat >map.py <<'PY'
import csv, re, sys, xml.etree.ElementTree as ET
root, report, path3w, cov_json = sys.argv[1:5]
import json
text = open(report, encoding='utf-8').read()
start = text.index('<svg id="map-acts"')
svg = ET.fromstring(text[start:text.index('</svg>', start) + 6])
names = {}
for r in csv.DictReader(open(root + '/data/cases/afghanistan/afg_global_pcodes_subset.csv',
                             encoding='utf-8-sig')):
    if r['Admin Level'] == '1':
        names[r['P-Code']] = r['Name']
acts = {}
for r in list(csv.reader(open(path3w, encoding='utf-8-sig', newline='')))[2:]:
    acts.setdefault(r[2], set()).add((r[5], r[4], r[8]))
cov = {row['pcode']: row['totals']['activities'] for row in json.load(open(cov_json))['rows']
       if not row['unspecified']}
paths = svg.findall('./g/path')
print('paths', len(paths))
bad = 0
seen = set()
for p in paths:
    m = re.fullmatch(r'(.*) \((AF\d\d)\): (\d+) activit(y|ies)', p.find('title').text)
    if not m:
        print('bad title', p.find('title').text); bad += 1; continue
    name, pcode, n = m.group(1), m.group(2), int(m.group(3))
    seen.add(pcode)
    if n != len(acts.get(pcode, ())) or n != cov.get(pcode, 0):
        print('bad value', pcode, n, len(acts.get(pcode, ())), cov.get(pcode)); bad += 1
    if not p.get('d', '').startswith('M'):
        print('bad d', pcode); bad += 1
print('pcodes', 'all' if seen == set(names) else sorted(set(names) ^ seen))
print('bad', bad)
PY
"$CONCORD" coverage --level 1 --json >cov.json
run python3 map.py "$ROOT" r0.html "$AFG3W" cov.json
like "$OUT" "^paths 34$" "the map has one path per province (34 with a boundary)"
like "$OUT" "^pcodes all$" "every province of the P-code list is drawn"
like "$OUT" "^bad 0$" "every title names its province and its activities (3W and coverage agree)"
like "$(grep -c 'Afghanistan &lt;Q3&gt; &amp; co' r0.html)" "^[1-9]" "mission name escaped"
is "$(grep -c 'Afghanistan <Q3>' r0.html)" 0 "never raw"
is "$(grep -c -E 'https?:|src=|href=|url\(' r0.html)" 0 "no external request"

# Lessons: after the import, the register's lessons on a pillar with activity in the 3W
# (clusters mapped to pillars by the shipped code lists), by key.
"$CONCORD" lesson import "$ROOT"/data/lessons/*.md >/dev/null
run "$CONCORD" report -o r1.html
is "$RC" 0 "report with lessons"
python3 - "$ROOT" "$AFG3W" >expect-lessons <<'PY'
import csv, glob, re, sys
root, path = sys.argv[1:3]
aliases = {r['alias']: r['code'] for r in csv.DictReader(open(root + '/data/codelists/aliases.csv'))
           if r['list'] == 'IASCCluster' and r['scope'] in ('', 'AFG')}
pillar = {r['code']: r['pillar'] for r in csv.DictReader(open(root + '/data/codelists/pillars.csv'))
          if r['vocabulary'] == '10'}
active = {pillar[aliases[r[8]]] for r in list(csv.reader(open(path, encoding='utf-8-sig')))[2:]}
keys = []
for f in glob.glob(root + '/data/lessons/*.md'):
    fm = open(f, encoding='utf-8').read().split('---')
    if len(fm) < 3 or not fm[0].strip() == '':
        continue
    key = re.search(r'^key: *(\S+)', fm[1], re.M).group(1)
    pil = re.search(r'^pillars: *\[(.*)\]', fm[1], re.M).group(1)
    if {p.strip() for p in pil.split(',')} & active:
        keys.append(key)
for k in sorted(keys)[:40]:
    print(k)
PY
python3 - r1.html >got-lessons <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    inside = False; cell = None; row = []
    def handle_starttag(self, tag, attrs):
        if tag == 'section': self.inside = dict(attrs).get('id') == 'lessons'
        if self.inside and tag == 'td' and dict(attrs).get('class') == 'code': self.cell = ''
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag == 'td' and self.cell is not None: print(self.cell); self.cell = None
P().feed(open(sys.argv[1], encoding='utf-8').read())
PY
like "$(wc -l <expect-lessons)" "^ *[1-9]" "some lessons match the active pillars"
is "$(cat got-lessons)" "$(cat expect-lessons)" "the lessons section lists exactly those, by key"
is "$(sections r1.html | tr '\n' ' ')" "summary timeline map coverage charts feedback lessons sources " \
	"lessons section once lessons exist"

# Gaps: after the needs import, the first 15 rows of `concord gaps`, in its order.
"$CONCORD" import needs "$HNO" --period 2024-01-01/2024-12-31 >/dev/null
"$CONCORD" gaps --json >gaps.json
run "$CONCORD" report -o r2.html
python3 - r2.html gaps.json >gaps.out <<'PY'
import html.parser, json, sys
class P(html.parser.HTMLParser):
    inside = False; cell = None; rows = []
    def handle_starttag(self, tag, attrs):
        if tag == 'section': self.inside = dict(attrs).get('id') == 'gaps'
        if self.inside and tag == 'td' and dict(attrs).get('class') == 'code': self.cell = ''
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag == 'td' and self.cell is not None: self.rows.append(self.cell); self.cell = None
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
g = json.load(open(sys.argv[2]))
rows = g['rows'] if isinstance(g, dict) else g
want = [r['pcode'] for r in rows][:15]
print('rows', len(p.rows), 'want', len(want), 'same' if p.rows == want else 'differ')
PY
like "$(cat gaps.out)" "^rows \([1-9][0-9]*\) want \1 same$" "gaps section: the top rows of the ranking"

# Incidents: after the UCDP import, one bar per year (1989 onward: more than three years),
# total counted here from the file.
"$CONCORD" import events "$UCDP" >/dev/null
run "$CONCORD" report -o r3.html
N_EV=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))" "$UCDP")
Y=$(python3 -c "import csv,sys; y=[r['date_start'][:4] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))]; print(min(y), max(y))" "$UCDP")
like "$(grep -o 'one per calendar year from [0-9]* to [0-9]*[^<]*incidents in all' r3.html | head -1)" \
	"from ${Y% *} to ${Y#* }, length the number of incidents that began in it; $N_EV incidents in all" \
	"incidents per year, first and last year and total as in the file"
is "$(sections r3.html | tr '\n' ' ')" "summary timeline map coverage charts gaps incidents feedback lessons sources " \
	"every section once its data exists"
python3 - r3.html >svg.out <<'PY'
import sys, xml.etree.ElementTree as ET
t = open(sys.argv[1], encoding='utf-8').read()
n = 0; i = 0
while True:
    i = t.find('<svg', i)
    if i < 0: break
    j = t.index('</svg>', i) + 6
    ET.fromstring(t[i:j]); n += 1; i = j
print('svgs', n)
PY
is "$(cat svg.out)" "svgs 6" "every SVG is well-formed XML (timeline's two, coverage charts, map, incidents)"

# The map by another measure: each province's title carries the figure of the command that
# computes it. Organisations: `coverage --json`; incidents over the whole record (no period, no
# mission dates: the first to the last day of the UCDP file, worked out here): `exposure --by
# area` over those days; people in need and gap: the largest of the province's rows in
# `gaps --json` ("no figure" without one).
cat >measure.py <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
report, measure, ref = sys.argv[1:4]
text = open(report, encoding='utf-8').read()
start = text.index('<svg id="map-%s"' % measure)
svg = ET.fromstring(text[start:text.index('</svg>', start) + 6])
got = {}
for p in svg.findall('./g/path'):
    m = re.fullmatch(r'.* \((AF\d\d)\): (?:(\d+) .*|no figure)', p.find('title').text)
    got[m.group(1)] = None if m.group(2) is None else int(m.group(2))
r = json.load(open(ref))
want = {k: None if measure in ('people-in-need', 'gap') else 0 for k in got}
if measure == 'organisations':
    for row in r['rows']:
        if not row['unspecified']: want[row['pcode']] = row['totals']['organisations']
elif measure == 'incidents':
    for a in r['areas']: want[a['pcode']] = a['incidents']
else:
    key = 'in_need' if measure == 'people-in-need' else 'gap'
    for row in r['rows']:
        v = row[key]
        if v is None or row['pcode'] not in want: continue
        v = int(v + 0.5)
        if want[row['pcode']] is None or v > want[row['pcode']]: want[row['pcode']] = v
bad = [(k, got[k], want[k]) for k in sorted(got) if got[k] != want[k]]
print('areas', len(got), 'nonzero', sum(1 for v in got.values() if v), 'bad', bad)
PY
"$CONCORD" coverage --level 1 --json >cov1.json
"$CONCORD" gaps --level 1 --json >gaps1.json
set -- $(python3 -c "
import csv, datetime, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
lo = min(r['date_start'][:10] for r in rows); hi = max(r['date_end'][:10] for r in rows)
d = lambda s: datetime.date.fromisoformat(s)
print(hi, (d(hi) - d(lo)).days + 1)" "$UCDP")
"$CONCORD" exposure --by area --level 1 --at "$1" --days "$2" --json >exp1.json
for m in organisations:cov1.json incidents:exp1.json people-in-need:gaps1.json gap:gaps1.json; do
	run "$CONCORD" report --map-measure "${m%%:*}" -o "map-${m%%:*}.html"
	is "$RC" 0 "report --map-measure ${m%%:*}"
	run python3 measure.py "map-${m%%:*}.html" "${m%%:*}" "${m#*:}"
	like "$OUT" "^areas 34 nonzero [0-9]* bad \[\]$" "map by ${m%%:*}: every province's figure as ${m#*:} gives it"
done
like "$(python3 measure.py map-incidents.html incidents exp1.json)" "nonzero [1-9]" "the incidents map is not all zero"
like "$(python3 measure.py map-people-in-need.html people-in-need gaps1.json)" "nonzero [1-9]" "the people-in-need map is not all zero"
like "$(cat map-incidents.html)" "as \`concord exposure --by area --level 1 --at $1 --days $2\` counts them" \
	"the incidents map names the command that gives its figures"
like "$(grep -o '<g class="legend" font-size="12"><text[^>]*>[^<]*' map-people-in-need.html)" "People in need per area (largest sector)$" \
	"the legend names the measure"
run "$CONCORD" report --map-measure rainfall
is "$RC" 2 "an unknown measure is a usage error"
like "$ERR" "choose activities, organisations, incidents, people-in-need or gap" "and lists the measures"
run "$CONCORD" report --format md --map-measure people-in-need -o map.md
like "$(grep '^## Map' map.md)" "^## Map: people in need per area$" "Markdown: the map's heading names the measure"

# The timeline: the 3W's rows carry no dates, so each takes its source's period (July to
# September 2021): every stored activity starts in July and runs to September; incidents of
# the UCDP file counted here per month of that range.
cat >timeline.py <<'PY'
import csv, html.parser, sys
report, path3w, ucdp = sys.argv[1:4]
class P(html.parser.HTMLParser):
    inside = False; cell = None; row = []; rows = []
    def handle_starttag(self, tag, attrs):
        if tag == 'table': self.inside = dict(attrs).get('id') == 'timeline-table'
        if self.inside and tag in ('td', 'th') : self.cell = ''
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == 'tr' and self.inside and self.row: self.rows.append(self.row); self.row = []
        if tag == 'table': self.inside = False
p = P(); p.feed(open(report, encoding='utf-8').read())
got = ['|'.join(r) for r in p.rows[1:]]
# stored activities: the 3W's distinct (organisation, district, cluster) rows
n = len({(r[5], r[4], r[8]) for r in list(csv.reader(open(path3w, encoding='utf-8-sig')))[2:]})
inc = {}
for r in csv.DictReader(open(ucdp, encoding='utf-8')):
    inc[r['date_start'][:7]] = inc.get(r['date_start'][:7], 0) + 1
want = ['2021-%02d|%d|%d|%d' % (m, n if m == 7 else 0, n, inc.get('2021-%02d' % m, 0))
        for m in (7, 8, 9)]
print('same' if got == want else 'got %s want %s' % (got, want))
PY
run python3 timeline.py r3.html "$AFG3W" "$UCDP"
is "$OUT" "same" "timeline: activities started and under way, incidents, per month"

# Indicators: after an import, the table's status column equals `concord progress` as of the
# latest observation, row by row.
"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" >/dev/null
"$CONCORD" import benchmarks "$TDATA/indicators/benchmarks.csv" >/dev/null
"$CONCORD" import observations "$TDATA/indicators/observations.csv" >/dev/null
# two series without benchmarks, first and last by code: one of zeros (a count of nothing),
# one that moves; the report lists (and charts) the benchmarked series before both, zeros last
cat >extra-ind.csv <<'CSV'
code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max
AA-ZERO,Activities of a pillar no one works in,economy,activities,unit,higher,sum,90,,
ZZ-MOVING,Wells repaired,humanitarian,wells,unit,higher,sum,90,,
CSV
cat >extra-obs.csv <<'CSV'
indicator,area,sex,age_group,period_start,period_end,value,source,confidence
AA-ZERO,AF01,,,2024-01-01,2024-03-31,0,computed,high
AA-ZERO,AF01,,,2024-04-01,2024-06-30,0,computed,high
ZZ-MOVING,AF01,,,2024-01-01,2024-03-31,4,survey,high
ZZ-MOVING,AF01,,,2024-04-01,2024-06-30,9,survey,high
CSV
"$CONCORD" import indicators extra-ind.csv >/dev/null
"$CONCORD" import observations extra-obs.csv >/dev/null
AT=$(python3 -c "import csv,sys; print(max(r['period_end'] for r in csv.DictReader(open(sys.argv[1])) if r['value'].strip()))" "$TDATA/indicators/observations.csv")
"$CONCORD" progress --json --at "$AT" >progress.json
run "$CONCORD" report -o r4.html --plan "$CASE/sample_plan.yaml"
is "$RC" 0 "report with indicators and a plan"
"$CONCORD" review --json "$CASE/sample_plan.yaml" >review.json
cat >rows.py <<'PY'
import html.parser, json, sys
report, progress, review = sys.argv[1:4]
class P(html.parser.HTMLParser):
    table = None; cell = None; row = []; rows = {}
    def handle_starttag(self, tag, attrs):
        if tag == 'table': self.table = dict(attrs).get('id')
        if self.table and tag in ('td', 'th'): self.cell = ''
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == 'tr' and self.table and self.row:
            self.rows.setdefault(self.table, []).append(self.row); self.row = []
        if tag == 'table': self.table = None
p = P(); p.feed(open(report, encoding='utf-8').read())
ind = p.rows['indicators-table'][1:]
pr = json.load(open(progress))['results']
fmt = lambda v: '\u2013' if v is None else ('%g' % v)
# the report's order: series with a baseline and a target, then the others, then those whose
# every observed value is 0 (read here from the observations file), each in progress's order
import csv, os
vals = {}
for f in (os.environ['TDATA'] + '/indicators/observations.csv', 'extra-obs.csv'):
    for o in csv.DictReader(open(f)):
        if o['value'].strip():
            vals.setdefault((o['indicator'], o['area'], o['sex'], o['age_group']), []).append(float(o['value']))
def group(r):
    if r['baseline'] is not None and r['target'] is not None: return 0
    v = vals.get((r['indicator'], r['area'], r['sex'] or '', r['age_group'] or ''), [])
    return 2 if v and all(x == 0 for x in v) else 1
pr = sorted(pr, key=group)
print('groups', ' '.join(str(group(r)) for r in pr))
want = [[r['indicator'], r['area'] or 'all', fmt(r['baseline']), fmt(r['latest_value']), fmt(r['target']), r['status']] for r in pr]
got = [[r[0], r[3], r[5], r[6], r[8], r[11]] for r in ind]
print('indicators', len(got), 'same' if got == want else 'differ %s %s' % (got, want))
fi = p.rows['findings-table'][1:]
rv = json.load(open(review))['findings']
want = [[f['rule'], f['severity'], f['activity'] or '(plan)', f['item'], f['evidence']] for f in rv]
got = [r[:5] for r in fi]
print('findings', len(got), 'same' if got == want else 'differ %s %s' % (got, want))
PY
TDATA="$TDATA" run python3 rows.py r4.html progress.json review.json
like "$OUT" "^indicators [1-9][0-9]* same$" "indicators: one row per series, figures and status as concord progress"
like "$OUT" "^groups 0 0 0 0 0 0 1 2$" "indicators: benchmarked series first, then the others, zeros last"
is "$(grep -o '<title id="chart-ind-[0-9]*-title">[A-Z-]*' r4.html | sed 's/.*>//' | tr '\n' ' ')" \
	"$(python3 -c "import json; print(''.join(r['indicator'] + ' ' for r in [r for r in json.load(open('progress.json'))['results'] if r['baseline'] is not None and r['target'] is not None][:6]))")" \
	"indicator charts: the benchmarked series, not the zeros that sort first"
like "$OUT" "^findings [1-9][0-9]* same$" "plan review: one row per finding, as concord review"
is "$(sections r4.html | tr '\n' ' ')" "summary timeline map coverage charts gaps incidents indicators feedback lessons plan-review sources " \
	"every section, in order"
like "$(grep -c 'status as of '"$AT"', the latest observation' r4.html)" "^1$" "the status date is said"

# Markdown: the same sections and figures
run "$CONCORD" report --format md --plan "$CASE/sample_plan.yaml"
is "$RC" 0 "report --format md"
like "$OUT" "wrote report.md" "written to report.md by default"
is "$(grep '^## ' report.md | cut -d: -f1 | tr '\n' '/')" "## Summary/## Timeline/## Map/## Coverage/## Gaps/## Incidents over time/## Indicators/## Feedback themes/## Lessons/## Plan review/## Sources/" \
	"the same sections in the same order"
cat >md.py <<'PY'
import html.parser, re, sys
report, md = sys.argv[1:3]
h = open(report, encoding='utf-8').read()
m = open(md, encoding='utf-8').read()
# every timeline row of the HTML as a Markdown row
rows = re.findall(r'<tr><th scope="row">(\d{4}-\d\d)</th><td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td></tr>', h)
bad = [r for r in rows if '| %s | %s | %s | %s |' % r not in m]
# every finding's rule, severity, activity and evidence
ev = re.findall(r'<tr class="(?:error|warning|info)"><td class="code">(R\d)</td><td>(\w+)</td><td>([^<]*)</td>', h)
bad += [e for e in ev if '| %s | %s | %s |' % e not in m]
print('rows', len(rows), 'findings', len(ev), 'bad', bad)
PY
run python3 md.py r4.html report.md
like "$OUT" "^rows 3 findings [1-9][0-9]* bad \[\]$" "Markdown: the timeline and findings figures of the HTML"
is "$(grep -c -E '<(svg|td|table)' report.md)" 0 "Markdown holds no HTML table or SVG"
# Surveys and feedback: the survey table equals `concord survey results --by wave --csv`, the
# feedback themes are counted here from the file.
"$CONCORD" import survey "$TDATA/survey/wave1.csv" --wave 2021-03 --weight wt --area-column province >/dev/null 2>&1
"$CONCORD" import survey "$TDATA/survey/wave2.csv" --wave 2021-09 --weight wt --area-column province >/dev/null 2>&1
"$CONCORD" feedback import "$TDATA/survey/feedback.csv" --personal name,phone >/dev/null 2>&1
"$CONCORD" survey results --question q_safe --by wave --csv >q_safe.csv
run "$CONCORD" report -o r5.html --survey q_safe --from 2021-01-01 --to 2021-12-31
is "$RC" 0 "report with a survey question and feedback"
cat >sf.py <<'PY'
import csv, html.parser, sys
report, qcsv, fcsv = sys.argv[1:4]
class P(html.parser.HTMLParser):
    table = None; cell = None; row = []; rows = {}
    def handle_starttag(self, tag, attrs):
        if tag == 'table': self.table = dict(attrs).get('id')
        if self.table and tag in ('td', 'th'): self.cell = ''
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == 'tr' and self.table and self.row:
            self.rows.setdefault(self.table, []).append(self.row); self.row = []
        if tag == 'table': self.table = None
p = P(); p.feed(open(report, encoding='utf-8').read())
got = [r[:3] + [r[4]] for r in p.rows['survey-table-0'][1:]]
want = [[r['cell'], r['answer'], '%.1f%%' % (float(r['share']) * 100), r['n']]
        for r in csv.DictReader(open(qcsv))]
print('survey', len(got), 'same' if got == want else 'differ %s %s' % (got, want))
n, neg = {}, {}
for r in csv.DictReader(open(fcsv, encoding='utf-8')):
    c = r['category'] or '(uncategorised)'
    n[c] = n.get(c, 0) + 1
    neg[c] = neg.get(c, 0) + (r['sentiment'] == 'negative')
want = sorted(([c, str(n[c]), str(neg[c])] for c in n), key=lambda x: (-int(x[1]), x[0]))
got = [r[:3] for r in p.rows['feedback-table'][1:]]
print('feedback', len(got), 'same' if got == want else 'differ %s %s' % (got, want))
PY
# lessons of the period: the register's lessons dated in 2021 (front matter worked out here)
python3 - "$ROOT" >expect-2021 <<'PY'
import glob, re, sys
keys = []
for f in glob.glob(sys.argv[1] + '/data/lessons/*.md'):
    fm = open(f, encoding='utf-8').read().split('---')[1]
    d = re.search(r'^date:\s*(\S+)', fm, re.M)
    if d and d.group(1).startswith('2021-'):
        keys.append(re.search(r'^key:\s*(\S+)', fm, re.M).group(1))
print(' '.join(sorted(keys)))
PY
is "$(sed -n '/<section id="lessons">/,/<\/section>/p' r5.html | sed -n 's/.*<td class="code">\([^<]*\)<.*/\1/p' | tr '\n' ' ' | sed 's/ $//')" \
	"$(cat expect-2021)" "lessons with --from/--to: those dated in the period, by key"
like "$(grep -A2 '<section id="lessons">' r5.html)" "dated from 2021-01-01 to 2021-12-31 (the reporting period)" \
	"the lessons section states the rule"
run python3 sf.py r5.html q_safe.csv "$TDATA/survey/feedback.csv"
like "$OUT" "^survey [1-9][0-9]* same$" "survey results: shares per wave as concord survey results"
like "$OUT" "^feedback [1-9][0-9]* same$" "feedback themes: items and negative ones per category"
like "$(sections r5.html | tr '\n' ' ')" "indicators surveys feedback lessons sources" \
	"survey and feedback sections after the indicators"

run "$CONCORD" report --format pdf
is "$RC" 2 "an unknown format is a usage error"
run "$CONCORD" report --plan "$TDATA/review/malformed.yaml" -o bad.html
is "$RC" 1 "a malformed plan fails the report"
like "$ERR" "malformed.yaml:4: malformed YAML" "with file and line"

# A screenshot: the page is not blank and shows the map's fill colours.
if [ -x /usr/bin/chromium ]; then
	timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$WORK/chromium" --screenshot="$WORK/shot.png" \
		--window-size=1000,2600 "file://$WORK/r3.html" >/dev/null 2>&1
	run python3 - "$WORK/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = {}
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 4):
        k = bytes(line[x:x + 3])
        colours[k] = colours.get(k, 0) + 1
    prev = line
total = sum(colours.values())
white = colours.get(b'\xff\xff\xff', 0)
light = colours.get(bytes((0xc6, 0xdb, 0xef)), 0)
print('nonwhite', 'yes' if total - white > total // 50 else 'no')
print('map', 'yes' if light > 500 else 'no', light)
PY
	like "$OUT" "^nonwhite yes" "screenshot: the page is not blank"
	like "$OUT" "^map yes" "screenshot: the map's lightest class fills a visible area"
else
	skip "screenshot: the page is not blank" "no chromium"
	skip "screenshot: the map's lightest class fills a visible area" "no chromium"
fi

done_testing
