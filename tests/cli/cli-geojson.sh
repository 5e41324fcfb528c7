#!/bin/sh
# --geojson of gaps, overlap and exposure: each output is read by python3's json and by GDAL's
# ogrinfo, and its features are checked against the --json of the same command (count, every
# property, and the geometry worked out here from the boundary files and the 3W sites), with
# RFC 7946 positions (longitude first, at most 6 decimals, rings by the right-hand rule). Then
# the budget per currency of `gaps` against sums computed here from the 3W file.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
ADM1="$CASE/afg_adm1_geoboundaries.geojson"
UCDP="$TDATA/events/ucdp_ged_v23_1_afg.csv"
HAVE_OGR=
command -v ogrinfo >/dev/null 2>&1 && HAVE_OGR=1

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv"
is "$RC" 0 "the province boundaries load"

# A constructed 3W with real P-codes: budgets in USD, EUR, AFN and none, sites for some rows,
# one presence row (no activity, dates or figures).
cat >3w.csv <<'EOF'
Organisation,Cluster,Province code,District code,Activity,Start,End,Reached,Budget,Currency,Latitude,Longitude
#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#reached,#value+budget,#currency,#geo+lat,#geo+lon
UNICEF,HEA,AF02,AF0201,Vaccination campaign,2024-01-01,2024-06-30,30000,100000,USD,34.95,69.55
UNICEF,HEA,AF02,AF0202,Vaccination campaign,2024-01-01,2024-06-30,15000,50000.5,USD,,
WHO,HEA,AF02,AF0201,Vaccination clinics,2024-01-01,2024-06-30,20000,20000,EUR,34.9612345,69.5612345
WHO,HEA,AF02,AF0201,Mobile clinics,2024-02-01,2024-06-30,20000,,,,
WFP,FSC,AF02,AF0201,Food distribution,2024-01-01,2024-12-31,5000,75000,USD,,
FAO,FSC,AF02,AF0202,Food distribution and seeds,2024-03-01,2024-12-31,2000,12000,USD,,
IRC,EDU,AF01,AF0101,School repair,2024-01-01,2024-12-31,800,3000000,AFN,34.53,69.17
NRC,EDU,AF01,AF0101,School repair and books,2024-01-01,2024-12-31,500,10000,USD,34.52,69.16
MSF,HEA,AF01,AF0101,,,,,,,,
EOF
cat >needs.csv <<'EOF'
Province,District,Cluster,In need,Severity
#adm1+code,#adm2+code,#sector+code,#inneed,#severity
AF02,,HEA,120000,4
AF02,,FSC,50000,3
AF02,,EDU,10000,
AF01,,EDU,40000,3
AF01,,HEA,1000,2
AF01,AF0101,WSH,9000,3
EOF
run "$CONCORD" import 3w 3w.csv --period 2024-01-01/2024-12-31
is "$RC" 0 "the constructed 3W loads"
run "$CONCORD" import needs needs.csv
is "$RC" 0 "the constructed needs load"
run "$CONCORD" import events "$UCDP"
is "$RC" 0 "the UCDP excerpt loads"
sqlite3 concord.db "SELECT id, coalesce(cast(lat AS text), ''), coalesce(cast(lon AS text), '') FROM activity" >sites.txt

# the boundaries by P-code, as the source file has them
cat >bounds.py <<'PY'
import csv, json, sys
src, pcodes, cmap_file, out = sys.argv[1:5]
names = {}
for r in csv.reader(open(pcodes, encoding='utf-8-sig')):
    if len(r) > 3 and r[1] == '1':
        names[r[3].lower()] = r[2]
cmap = {r['feature']: r['pcode'] for r in csv.DictReader(open(cmap_file))} if cmap_file != '-' else {}
b = {}
for f in json.load(open(src))['features']:
    p = f['properties']
    code = p.get('pcode') or cmap.get(p.get('shapeName')) or names[p['shapeName'].lower()]
    b[code] = f['geometry']
json.dump(b, open(out, 'w'))
PY
python3 bounds.py "$ADM1" "$CASE/afg_global_pcodes_subset.csv" "$CASE/adm1_code_map.csv" bounds.json

# check.py MODE JSON GEOJSON [OGRINFO-OUTPUT]: prints one summary line, then any mismatch
cat >check.py <<'PY'
import json, math, re, sys
mode, jfile, gfile = sys.argv[1:4]
ogr = sys.argv[4] if len(sys.argv) > 4 else None
bounds = json.load(open('bounds.json'))
sites = {}
for line in open('sites.txt'):
    i, lat, lon = line.rstrip('\n').split('|')
    sites[int(i)] = (float(lat), float(lon)) if lat else None
raw = open(gfile).read()
g = json.loads(raw)
j = json.load(open(jfile))
rows = {'gaps': 'rows', 'overlap': 'pairs', 'site': 'sites', 'area': 'areas'}[mode]
rows = j[rows]
bad = []

def r6(v): return round(v, 6)

def rounded(geom):
    """the source geometry with every position rounded to 6 decimals"""
    def rc(c):
        return [r6(c[0]), r6(c[1])] if isinstance(c[0], (int, float)) else [rc(x) for x in c]
    return None if geom is None else {'type': geom['type'], 'coordinates': rc(geom['coordinates'])}

def signed(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1)) / 2

def same_geom(got, want, where):
    if want is None or got is None:
        if got != want:
            bad.append('%s: geometry %s, expected %s' % (where, got and got['type'], want and want['type']))
        return
    if got['type'] != want['type']:
        bad.append('%s: %s, expected %s' % (where, got['type'], want['type']))
        return
    if got['type'] in ('Point', 'MultiPoint'):
        if got['coordinates'] != want['coordinates']:
            bad.append('%s: %s, expected %s' % (where, got['coordinates'], want['coordinates']))
        return
    gp = [got['coordinates']] if got['type'] == 'Polygon' else got['coordinates']
    wp = [want['coordinates']] if want['type'] == 'Polygon' else want['coordinates']
    key = lambda p: sorted(tuple(map(tuple, r)) for r in p)
    if sorted(map(lambda p: [sorted(set(map(tuple, r))) for r in p], gp)) != \
       sorted(map(lambda p: [sorted(set(map(tuple, r))) for r in p], wp)):
        bad.append('%s: the rings differ from the source (rounded to 6 decimals)' % where)
    for p in gp:
        if p[0][0] != p[0][-1] or any(r[0] != r[-1] for r in p):
            bad.append('%s: a ring is not closed' % where)
        if signed(p[0]) <= 0:
            bad.append('%s: exterior ring not counter-clockwise' % where)
        if any(signed(h) >= 0 for h in p[1:]):
            bad.append('%s: hole not clockwise' % where)

def ancestor(pcode, level):   # AF0101 -> AF01 at level 1 (P-codes nest by two digits)
    return pcode[:2 + 2 * level] if len(pcode) >= 2 + 2 * level else pcode

def expected(i, props):
    if mode in ('gaps', 'area'):
        return rounded(bounds.get(props['pcode']))
    if mode == 'site':
        return {'type': 'Point', 'coordinates': [r6(props['lon']), r6(props['lat'])]}
    pts = [sites[props[s]['id']] for s in ('a', 'b')]
    pts = [[r6(p[1]), r6(p[0])] for p in pts if p]
    if len(pts) == 2:
        return {'type': 'MultiPoint', 'coordinates': pts}
    if len(pts) == 1:
        return {'type': 'Point', 'coordinates': pts[0]}
    if props['same_area']:
        return rounded(bounds.get(props['a']['pcode']))
    if props['same_area_at_level']:
        return rounded(bounds.get(ancestor(props['a']['pcode'], j['level'])))
    return None

if g.get('type') != 'FeatureCollection' or 'crs' in g:
    bad.append('not an RFC 7946 FeatureCollection')
feats = g['features']
for i, f in enumerate(feats):
    if f.get('type') != 'Feature' or set(f) != {'type', 'geometry', 'properties'}:
        bad.append('feature %d: members %s' % (i, sorted(f)))
    if i < len(rows) and f['properties'] != rows[i]:
        bad.append('feature %d: properties differ from the --json row' % i)
    same_geom(f['geometry'], expected(i, rows[i] if i < len(rows) else f['properties']),
              'feature %d' % i)
# every coordinate written with at most 6 decimals, no exponent
for m in re.finditer(r'"coordinates":(\[[^a-zA-Z"]*?\]\])|"coordinates":(\[[^\[\]]*\])', raw):
    for num in re.findall(r'-?[0-9.eE+-]+', m.group(1) or m.group(2)):
        if 'e' in num.lower() or ('.' in num and len(num.split('.')[1]) > 6):
            bad.append('coordinate %s has more than 6 decimals' % num)
            break
# the same features through GDAL's GeoJSON driver
n_ogr = '-'
if ogr:
    text = open(ogr).read()
    blocks = re.split(r'\nOGRFeature\([^)]*\):\d+\n', text)[1:]
    n_ogr = len(blocks)
    for i, blk in enumerate(blocks):
        if i >= len(rows):
            break
        vals, wkt = {}, None
        for line in blk.split('\n'):
            m = re.match(r'  (\S+) \(([^)]*\)?)\) = (.*)$', line)
            if m:
                vals[m.group(1)] = (m.group(2), m.group(3))
            elif re.match(r'  [A-Z]+ ', line) or re.match(r'  [A-Z]+ EMPTY', line):
                wkt = line.strip()
        for k, v in rows[i].items():
            if k not in vals or vals[k][1] == '(null)':
                if v is not None:
                    bad.append('ogr feature %d: %s missing' % (i, k))
                continue
            t, s = vals[k]
            if v is None:
                bad.append('ogr feature %d: %s = %s, expected null' % (i, k, s))
            elif isinstance(v, (dict, list)):
                if json.loads(s) != v:
                    bad.append('ogr feature %d: %s differs' % (i, k))
            elif isinstance(v, bool):
                if s not in (('1', 'true', 'True') if v else ('0', 'false', 'False')):
                    bad.append('ogr feature %d: %s = %s, expected %s' % (i, k, s, v))
            elif isinstance(v, (int, float)):
                if abs(float(s) - v) > 1e-9 * max(1.0, abs(v)):
                    bad.append('ogr feature %d: %s = %s, expected %s' % (i, k, s, v))
            elif s != v:
                bad.append('ogr feature %d: %s = %r, expected %r' % (i, k, s, v))
        gj = feats[i]['geometry']
        if gj is None:
            if wkt is not None:
                bad.append('ogr feature %d: geometry %s, expected none' % (i, wkt[:20]))
            continue
        if wkt is None:
            bad.append('ogr feature %d: no geometry' % i)
            continue
        flat = lambda c: [c] if isinstance(c, (int, float)) else [y for x in c for y in flat(x)]
        got = [float(x) for x in re.findall(r'-?\d+(?:\.\d+)?', wkt)]
        if wkt.split()[0] != gj['type'].upper() or got != [float(x) for x in flat(gj['coordinates'])]:
            bad.append('ogr feature %d: %s differs from the GeoJSON geometry' % (i, wkt[:30]))
nulls = sum(1 for f in feats if f['geometry'] is None)
print('features=%d rows=%d ogr=%s null=%d bad=%d' % (len(feats), len(rows), n_ogr, nulls, len(bad)))
for b in bad[:10]:
    print(b)
PY

# geocheck LABEL MODE EXPECTED-NULLS ARGS...: runs the command with --json and --geojson and
# compares them through check.py (and ogrinfo); EXPECTED-NULLS "all": every geometry null
geocheck() {
	label=$1 mode=$2 nulls=$3
	shift 3
	"$CONCORD" "$@" --json >out.json
	run "$CONCORD" "$@" --geojson
	is "$RC" 0 "$label: --geojson runs"
	printf '%s\n' "$OUT" >out.geojson
	n=$(python3 -c "
import json
d = json.load(open('out.json'))
print(len(d[{'gaps': 'rows', 'overlap': 'pairs', 'site': 'sites', 'area': 'areas'}['$mode']]))")
	[ "$nulls" = all ] && nulls=$n
	if [ -n "$HAVE_OGR" ]; then
		ogrinfo -ro -al -q out.geojson >ogr.txt 2>ogr.err
		cnt=$(ogrinfo -ro -al -so out.geojson 2>/dev/null | sed -n 's/^Feature Count: //p')
		is "$cnt" "$n" "$label: ogrinfo opens it and counts $n features"
		got=$(python3 check.py "$mode" out.json out.geojson ogr.txt)
		is "$got" "features=$n rows=$n ogr=$n null=$nulls bad=0" \
			"$label: features, properties and geometry equal the --json and the sources (json and ogr)"
	else
		skip "$label: ogrinfo counts the features" "no ogrinfo"
		got=$(python3 check.py "$mode" out.json out.geojson)
		is "$got" "features=$n rows=$n ogr=- null=$nulls bad=0" \
			"$label: features, properties and geometry equal the --json and the sources"
	fi
	[ "$n" -gt 0 ] && ok "$label: $n features" || not_ok "$label: no features to check"
}

# gaps: 6 rows at level 1 (AF01 EDU, HEA, WSH from its district; AF02 HEA, FSC, EDU), all with a
# province boundary; at level 2 one district row, without boundary: null geometry
geocheck "gaps" gaps 0 gaps
geocheck "gaps --by pillar" gaps 0 gaps --by pillar
geocheck "gaps --level 2" gaps 1 gaps --level 2
# overlap: pairs with two sites (MultiPoint), one site (Point) and none (province boundary)
geocheck "overlap --level 1" overlap 0 overlap --level 1
geocheck "overlap --level 2 --distance 5" overlap 0 overlap --level 2 --distance 5
"$CONCORD" overlap --level 1 --geojson | python3 -c '
import json, sys
print(" ".join(sorted({(f["geometry"] or {"type": "null"})["type"] for f in json.load(sys.stdin)["features"]})))' >types1
is "$(cat types1)" "MultiPoint Point Polygon" "overlap at level 1 has pairs of two sites, one site and none"
# exposure: by site (points, one an area centroid) and by area (province boundaries)
geocheck "exposure --by site" site 0 exposure --radius 50 --days 3650 --at 2021-12-31
geocheck "exposure --by area" area 0 exposure --by area --days 3650 --at 2021-12-31
# districts have no boundary here: every feature has a null geometry
geocheck "exposure --by area --level 2" area all exposure --by area --level 2 --days 3650 \
	--at 2021-12-31

# ---- rings oriented and rounded: constructed boundaries, clockwise with a counter-clockwise
# hole (AF01) and a MultiPolygon of clockwise parts (AF02), 9 decimals ----
cat >odd.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"pcode": "AF01", "name": "Kabul"}, "geometry": {"type": "Polygon", "coordinates": [
 [[69.000000001, 34.000000004], [69.000000001, 35.123456789], [70.987654321, 35.123456789], [70.987654321, 34.000000004], [69.000000001, 34.000000004]],
 [[69.5, 34.5], [70.5, 34.5], [70.5, 34.9999995], [69.5, 34.9999995], [69.5, 34.5]]]}},
{"type": "Feature", "properties": {"pcode": "AF02", "name": "Kapisa"}, "geometry": {"type": "MultiPolygon", "coordinates": [
 [[[69.1, 35.2], [69.1, 35.3], [69.2, 35.3], [69.2, 35.2], [69.1, 35.2]]],
 [[[-179.9999999, -0.0000004], [-179.9999999, 1.25], [-179.5, 1.25], [-179.5, -0.0000004], [-179.9999999, -0.0000004]]]]}}
]}
EOF
"$CONCORD" -d o.db init --mission O --name O >/dev/null
"$CONCORD" -d o.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" -d o.db import areas odd.geojson --level 1 --code-field pcode --name-field name
is "$RC" 0 "the constructed boundaries load"
"$CONCORD" -d o.db import needs needs.csv >/dev/null
python3 bounds.py odd.geojson "$CASE/afg_global_pcodes_subset.csv" - bounds.json
geocheck "gaps on constructed boundaries" gaps 0 -d o.db gaps
is "$(python3 -c '
import json
d = json.load(open("out.geojson"))
g = {f["properties"]["pcode"]: f["geometry"] for f in d["features"]}
print(g["AF01"]["coordinates"][0][0] in ([69, 34], [69, 35.123457], [70.987654, 35.123457], [70.987654, 34]),
      sorted({tuple(map(float, p)) for p in g["AF01"]["coordinates"][1]}),
      sorted({tuple(map(float, p)) for p in g["AF02"]["coordinates"][1][0]}))')" \
	"True [(69.5, 34.5), (69.5, 35.0), (70.5, 34.5), (70.5, 35.0)] [(-180.0, 0.0), (-180.0, 1.25), (-179.5, 0.0), (-179.5, 1.25)]" \
	"positions are rounded to 6 decimals (35.1234568 up, 34.9999995 to 35, -0.0000004 to 0)"
unlike "$(cat out.geojson)" '"-0[,\]]' "no negative zero"

# ---- budget per currency, against sums computed here from the 3W file ----
python3 - 3w.csv >budget.want <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))[2:]
cell = {}
for org, clu, adm1, adm2, act, s, e, reached, budget, cur, lat, lon in rows:
    if not act:          # the presence row: no activity, no budget
        continue
    c = cell.setdefault((adm1, clu), {'with': 0, 'without': 0, 'sums': {}})
    if budget == '':
        c['without'] += 1
        continue
    c['with'] += 1
    x = c['sums'].setdefault(cur, [0.0, 0])
    x[0] += float(budget)
    x[1] += 1
for (a, k), c in sorted(cell.items()):
    sums = sorted(c['sums'].items(), key=lambda kv: (kv[0] == '', kv[0]))
    print(a, k, c['with'], c['without'], ' '.join('%s=%.2f/%d' % (cu or '-', v[0], v[1]) for cu, v in sums))
PY
"$CONCORD" gaps --json | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin)["rows"], key=lambda r: (r["pcode"], r["key"])):
    if r["activities_with_budget"] + r["activities_without_budget"] == 0:
        continue
    print(r["pcode"], r["key"], r["activities_with_budget"], r["activities_without_budget"],
          " ".join("%s=%.2f/%d" % (b["currency"] or "-", b["amount"], b["activities"]) for b in r["budget"]))
' >budget.got
is "$(cat budget.got)" "$(cat budget.want)" "gaps: the budget of each cell, one sum per currency, equals the 3W's"
like "$(cat budget.want)" "AF02 HEA 3 1 EUR=20000.00/1 USD=150000.50/2" \
	"(Kapisa health: EUR and USD apart, one activity without budget)"
run "$CONCORD" gaps --csv
like "$OUT" "^1,AF02,Kapisa,HEA,.*,scored,,mixed,EUR 20000; USD 150000.50,3,1$" \
	"CSV: mixed currencies give no single budget, 'mixed', and each currency's sum"
like "$OUT" ",AF02,Kapisa,FSC,.*,87000,USD,USD 87000,2,0$" "CSV: one currency gives its sum"
like "$OUT" ",AF01,Kabul,WSH,.*,,,,0,0$" "CSV: no activity, no budget (empty, not 0)"
run "$CONCORD" gaps
like "$OUT" "^Budget: .*one sum per currency (amounts in different currencies are never added or converted)" \
	"the table states the budget rule"
like "$OUT" "AF02 .*HEA .*EUR 20.0k + USD 150.0k" "the table shows each currency"
run "$CONCORD" gaps --json
like "$OUT" '"budget_rule":"budget = the sum of the budgets' "the JSON states the budget rule"

# ---- errors ----
run "$CONCORD" gaps --geojson --level 9
is "$RC" 2 "a bad level with --geojson is still a usage error"
run "$CONCORD" overlap --geojson --csv
like "$OUT" "^rank,score" "the last format option wins (--csv after --geojson)"

done_testing
