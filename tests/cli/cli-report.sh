#!/bin/sh
# The review report's later sections on the real Afghanistan case: the map (one path per
# province with a boundary, each titled with its name and its distinct activities, counted
# here from the 3W file), lessons (only once imported, those on a pillar with activity, worked
# out here from the register's front matter), gaps (once needs are loaded) and incidents over
# time (once events are loaded, counted here from the UCDP file). Sections without data are
# absent. A screenshot in headless Chromium, when installed, must show the map.
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
is "$(sections r0.html | tr '\n' ' ')" "summary map coverage charts sources " \
	"no lessons, gaps or incidents section without their data"

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
is "$(sections r1.html | tr '\n' ' ')" "summary map coverage charts lessons sources " \
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
is "$(sections r3.html | tr '\n' ' ')" "summary map coverage charts gaps incidents lessons sources " \
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
is "$(cat svg.out)" "svgs 4" "every SVG is well-formed XML (coverage charts, map, incidents)"

# A screenshot: the page is not blank and shows the map's fill colours.
if [ -x /usr/bin/chromium ]; then
	timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$WORK/chromium" --screenshot="$WORK/shot.png" \
		--window-size=1000,1300 "file://$WORK/r3.html" >/dev/null 2>&1
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
