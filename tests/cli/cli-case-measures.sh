#!/bin/sh
# The Afghanistan case's own measures, every figure recomputed here in python3 from the case's
# files alone (data/cases/afghanistan) after `concord demo load afghanistan`:
#  - progress of the two World Bank series with illustrative benchmarks (GDP, higher is better,
#    with a milestone; military expenditure, lower is better) as of 2017-06-30, the day the
#    Makefile's demo asks: latest value, progress, expected, ratio, status, Theil-Sen slope,
#    Mann-Kendall p and the projected date (DOMAIN.md §2.1-2.4);
#  - the computed indicators of two provinces, every year: UCDP incidents per 100,000 people
#    and fatalities, each event placed in its province by its coordinates (a ray-casting
#    point-in-polygon test on the case's geoBoundaries provinces, not GEOS);
#  - the index of afg_index.yaml as of 2021-12-31 (the Makefile's date): each province's
#    normalised values, pillar scores, overall score, rank and stage with its rule, and the
#    ranks of the sensitivity table (DOMAIN.md §2.5-2.6).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$CASE"
export CONCORD_DB="$WORK/afg.db"

run "$CONCORD" demo load afghanistan
is "$RC" 0 "demo load afghanistan"
if [ "$RC" -ne 0 ]; then
	printf '# %s\n' "$(printf '%s' "$ERR" | tail -5)"
	done_testing
	exit 1
fi

# ---- progress of the WDI series ----
AT=2017-06-30
"$CONCORD" progress --at "$AT" --indicator NY.GDP.MKTP.CD --json >gdp.json
"$CONCORD" progress --at "$AT" --indicator MS.MIL.XPND.GD.ZS --json >mil.json
python3 - "$D" "$AT" >progress.want <<'PY'
import csv, datetime, itertools, math, statistics, sys
d, at = sys.argv[1], sys.argv[2]
EPOCH = datetime.date(1970, 1, 1)
day = lambda s: (datetime.date.fromisoformat(s) - EPOCH).days
rd = lambda f: list(csv.DictReader(open(d + '/' + f, encoding='utf-8-sig', newline='')))
sgn = lambda x: (x > 0) - (x < 0)
inds = {r['code']: r for r in rd('afg_wdi_indicators.csv')}
for code in ('NY.GDP.MKTP.CD', 'MS.MIL.XPND.GD.ZS'):
    obs = sorted((day(r['period_end']), float(r['value'])) for r in rd('afg_wdi_observations.csv')
                 if r['indicator'] == code and r['area'] == '' and r['value'] != ''
                 and r['period_end'] <= at)
    bm = [r for r in rd('afg_benchmarks_illustrative.csv') if r['indicator'] == code]
    base = [(day(r['date']), float(r['value'])) for r in bm if r['kind'] == 'baseline'][0]
    targ = [(day(r['date']), float(r['value'])) for r in bm if r['kind'] == 'target'][0]
    ms = sorted((day(r['date']), float(r['value'])) for r in bm if r['kind'] == 'milestone')
    t = [o[0] for o in obs]
    y = [o[1] for o in obs]
    n = len(y)
    prog = (y[-1] - base[1]) / (targ[1] - base[1])
    # expected: the piecewise line baseline -> milestones -> target, each point as progress
    pts = [(base[0], 0.0)] + [(md, (mv - base[1]) / (targ[1] - base[1])) for md, mv in ms] + [(targ[0], 1.0)]
    if t[-1] <= pts[0][0]:
        exp = 0.0
    elif t[-1] >= pts[-1][0]:
        exp = 1.0
    else:
        exp = next(p0 + (p1 - p0) * (t[-1] - d0) / (d1 - d0)
                   for (d0, p0), (d1, p1) in zip(pts, pts[1:]) if d0 <= t[-1] < d1)
        exp = min(1.0, max(0.0, exp))
    ratio = prog / exp
    max_age = 2 * int(inds[code]['period_days'])
    if (day(at) - t[-1]) > max_age:
        status = 'stale'
    else:
        status = 'on_track' if ratio >= 0.9 else 'at_risk' if ratio >= 0.75 else 'off_track'
    # Theil-Sen and Mann-Kendall (n >= 10: normal approximation with continuity correction)
    b = statistics.median((y[j] - y[i]) / (t[j] - t[i]) for i in range(n) for j in range(i + 1, n))
    a = statistics.median(y[i] - b * t[i] for i in range(n))
    S = sum(sgn(y[j] - y[i]) for i in range(n) for j in range(i + 1, n))
    groups = [y.count(v) for v in set(y)]
    var = (n * (n - 1) * (2 * n + 5) - sum(g * (g - 1) * (2 * g + 5) for g in groups)) / 18
    if n >= 10:
        p = math.erfc(abs((S - sgn(S)) / math.sqrt(var)) / math.sqrt(2))
    else:
        p = sum(1 for q in itertools.permutations(y)
                if abs(sum(sgn(q[j] - q[i]) for i in range(n) for j in range(i + 1, n))) >= abs(S)) / math.factorial(n)
    trend = ('increasing' if S > 0 else 'decreasing') if p < 0.05 else 'no clear trend'
    up = targ[1] > base[1]
    if (up and y[-1] >= targ[1]) or (not up and y[-1] <= targ[1]):
        proj = 'attained'
    elif b == 0 or sgn(b) != sgn(targ[1] - base[1]):
        proj = 'not reached on current trend'
    else:
        proj = str(EPOCH + datetime.timedelta(days=math.floor((targ[1] - a) / b + 0.5)))
    print(code, n, str(EPOCH + datetime.timedelta(days=t[-1])), repr(y[-1]), repr(prog),
          repr(exp), repr(ratio), status, max_age, repr(b), S, repr(p), trend, proj)
PY
python3 - gdp.json mil.json progress.want >progress.cmp <<'PY'
import json, sys
want = {l.split()[0]: l.split() for l in open(sys.argv[3])}
close = lambda got, w, rel: abs(got - float(w)) <= rel * max(abs(float(w)), 1e-300)
for f in sys.argv[1:3]:
    r = json.load(open(f))['results']
    if len(r) != 1:
        print('%s: %d results' % (f, len(r)))
        continue
    r = r[0]
    code, n, ld, lv, prog, exp, ratio, status, max_age, b, S, p, trend = want[r['indicator']][:13]
    proj = ' '.join(want[r['indicator']][13:])
    got_proj = r['projected_date'] if r['projection'] == 'date' else r['projection']
    checks = [
        ('n', r['n'] == int(n)), ('latest_date', r['latest_date'] == ld),
        ('latest_value', close(r['latest_value'], lv, 1e-5)),
        ('progress', close(r['progress'], prog, 1e-5)),
        ('expected', close(r['expected'], exp, 1e-5)), ('ratio', close(r['ratio'], ratio, 1e-5)),
        ('status', r['status'] == status), ('max_age_days', r['max_age_days'] == int(max_age)),
        ('slope', close(r['trend']['slope_per_day'], b, 1e-5)), ('S', r['trend']['s'] == int(S)),
        ('p', close(r['trend']['p'], p, 1e-4)), ('trend', r['trend']['direction'] == trend),
        ('projection', got_proj == proj),
    ]
    bad = [k for k, ok in checks if not ok]
    print(code, 'ok' if not bad else 'differ: ' + ', '.join(bad), r['status'], got_proj)
PY
is "$(sed -n 1p progress.cmp)" "NY.GDP.MKTP.CD ok off_track 2019-03-21" \
	"GDP as of $AT: latest, progress, expected through the milestone, ratio, status, slope, S, p, trend and projected date as recomputed"
is "$(sed -n 2p progress.cmp)" "MS.MIL.XPND.GD.ZS ok on_track attained" \
	"military expenditure (lower is better): the same, and the target already attained"
is "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print("%.3f %.3f %.3f" % (r["progress"], r["expected"], r["ratio"]))' gdp.json)" \
	"$(awk '$1 == "NY.GDP.MKTP.CD" { printf "%.3f %.3f %.3f", $5, $6, $7 }' progress.want)" \
	"GDP: the three figures the demo prints"

# The pillar roll-up two years on: the GDP series, economy's only benchmarked one, is then
# stale (its last value older than twice its reporting period): the pillar reports it stale
# instead of judging its old ratio (DOMAIN.md §2.2).
AT2=2019-06-30
want=$(python3 - "$D" "$AT2" <<'PY'
import csv, datetime, sys
d, at = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
last = max(r['period_end'] for r in csv.DictReader(open(d + '/afg_wdi_observations.csv', encoding='utf-8-sig'))
           if r['indicator'] == 'NY.GDP.MKTP.CD' and r['value'] and r['period_end'] <= sys.argv[2])
period = [int(r['period_days']) for r in csv.DictReader(open(d + '/afg_wdi_indicators.csv', encoding='utf-8-sig'))
          if r['code'] == 'NY.GDP.MKTP.CD'][0]
stale = (at - datetime.date.fromisoformat(last)).days > 2 * period
print('economy,,1,0,0,0,%d,0,0,0,,%s' % (stale, 'stale' if stale else 'judged'))
PY
)
"$CONCORD" progress --by pillar --at "$AT2" --csv >pillars.csv
is "$(grep '^economy,,' pillars.csv)" "$want" "economy as of $AT2: its one series stale, the pillar stale, no median"

# ---- computed indicators: UCDP incidents per 100,000 and fatalities, per province ----
cat >geo.py <<'PY'
# The case's provinces (geoBoundaries polygons, their names matched to P-codes as the demo's
# import does: the code map first, else the gazetteer's level-1 name) and each UCDP event's
# province by ray casting; populations by P-code.
import csv, json
def load(d):
    gaz = {r['Name'].lower(): r['P-Code'] for r in csv.DictReader(open(d + '/afg_global_pcodes_subset.csv', encoding='utf-8-sig')) if r['Admin Level'] == '1'}
    cmap = {r['feature']: r['pcode'] for r in csv.DictReader(open(d + '/adm1_code_map.csv', encoding='utf-8-sig'))}
    polys = []
    for f in json.load(open(d + '/afg_adm1_geoboundaries.geojson', encoding='utf-8'))['features']:
        name = f['properties']['shapeName']
        g = f['geometry']
        rings = g['coordinates'] if g['type'] == 'Polygon' else [r for p in g['coordinates'] for r in p]
        polys.append((cmap.get(name) or gaz[name.lower()], rings))
    pop = {r['ADM_PCODE']: int(r['Population']) for r in csv.DictReader(open(d + '/afg_population_adm1.csv', encoding='utf-8-sig')) if r['ADM_LEVEL'] == '1'}
    return polys, pop
def inside(rings, x, y):
    c = False  # even-odd over every ring: holes count out
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                c = not c
    return c
def province(polys, lat, lon):
    hits = [p for p, rings in polys if inside(rings, lon, lat)]
    return hits[0] if len(hits) == 1 else None
def events(d):
    return list(csv.DictReader(open(d + '/ucdp_ged_v23_1_afg.csv', encoding='utf-8-sig', newline='')))
PY
python3 - "$D" <<'PY' >computed.want
import sys
sys.path.insert(0, '.')
import geo
d = sys.argv[1]
polys, pop = geo.load(d)
inc, fat = {}, {}
for e in geo.events(d):
    year = int(e['date_start'][:4])
    if not 2002 <= year <= 2022:
        continue
    p = geo.province(polys, float(e['latitude']), float(e['longitude']))
    if p:
        inc[(p, year)] = inc.get((p, year), 0) + 1
        fat[(p, year)] = fat.get((p, year), 0) + int(e['best'])
# the two provinces with the most events, then every year of the demo's run
tops = sorted({p for p, _ in inc}, key=lambda p: (-sum(v for (q, _), v in inc.items() if q == p), p))[:2]
for p in sorted(tops):
    for year in range(2002, 2023):
        print('%s %d %.6g %d' % (p, year, inc.get((p, year), 0) * 100000 / pop[p], fat.get((p, year), 0)))
PY
PROVS=$(awk '{ print $1 }' computed.want | sort -u | tr '\n' ' ' | sed 's/ $//')
# the store's rows as they are (period end in days since 1970); the year and the rounding are
# worked out here, so the same SQL reads both backends
sqlite3 afg.db "SELECT a.pcode, o.period_end,
	max(CASE WHEN i.code = 'cc.incidents_per_100k' THEN o.value END),
	max(CASE WHEN i.code = 'cc.fatalities' THEN o.value END)
	FROM observation o JOIN indicator i ON i.id = o.indicator_id JOIN area a ON a.id = o.area_id
	WHERE i.code IN ('cc.incidents_per_100k', 'cc.fatalities')
	AND a.pcode IN ($(echo "$PROVS" | sed "s/\([A-Z0-9]*\)/'\1'/g; s/' '/', '/g; s/ *$//"))
	GROUP BY a.pcode, o.period_end ORDER BY a.pcode, o.period_end" | python3 -c '
import datetime, sys
for line in sys.stdin:
    pcode, end, rate, fat = line.rstrip("\n").split("|")
    year = (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(end))).year
    print("%s %d %s %s" % (pcode, year, "%.6g" % float(rate) if rate else "",
                           int(float(fat)) if fat else ""))' >computed.got
is "$(wc -l <computed.want | tr -d ' ')" 42 "two provinces x 21 years recomputed ($PROVS)"
is "$(cat computed.got)" "$(cat computed.want)" \
	"incidents per 100,000 and fatalities of $PROVS each year, as recomputed from the UCDP file and the population"
is "$(awk '$3 > 0 { n++ } END { print (n >= 5) ? "yes" : "no: " n }' computed.want)" yes \
	"... at least five of those years have incidents"

# ---- the index of afg_index.yaml as of 2021-12-31 ----
"$CONCORD" index --config "$D/afg_index.yaml" --at 2021-12-31 --json >index.json
python3 - "$D" index.json <<'PY' >index.cmp
import csv, json, sys
sys.path.insert(0, '.')
import geo
d, got = sys.argv[1], json.load(open(sys.argv[2]))
polys, pop = geo.load(d)
YEAR = 2021
inc, fat = {}, {}
for e in geo.events(d):
    if int(e['date_start'][:4]) != YEAR:
        continue
    p = geo.province(polys, float(e['latitude']), float(e['longitude']))
    if p:
        inc[p] = inc.get(p, 0) + 1
        fat[p] = fat.get(p, 0) + int(e['best'])
# humanitarian activities: the 3W's rows (exact duplicates rejected), their cluster codes
# through the case's aliases to IASC clusters and the pillar table, counted per province
alias = {(r['list'], r['alias']): r['code'] for r in csv.DictReader(open(d + '/../../codelists/aliases.csv', encoding='utf-8-sig'))}
pillar = {(r['vocabulary'], r['code']): r['pillar'] for r in csv.DictReader(open(d + '/../../codelists/pillars.csv', encoding='utf-8-sig'))}
rows = list(csv.reader(open(d + '/afg_3w_operational_presence_2021q3.csv', encoding='utf-8-sig')))[2:]
act = {}
for r in set(tuple(r) for r in rows):
    code = alias.get(('IASCCluster', r[8]), r[8])
    if pillar.get(('10', code)) == 'humanitarian':
        act[r[2]] = act.get(r[2], 0) + 1
# the configuration: goalposts, weights, stages (read from the YAML by hand: the file is small)
norm = lambda v, lo, hi, up: min(1.0, max(0.0, ((v - lo) if up else (hi - v)) / (hi - lo)))
ind = {'cc.incidents_per_100k': ('security', 1.0, 0, 1, False),
       'cc.fatalities': ('security', 1.0, 0, 100, False),
       'cc.activities_humanitarian': ('humanitarian', 1.0, 0, 150, True)}
pw = {'security': 0.5, 'humanitarian': 0.5}
areas = sorted(pop)
raw = {a: {'cc.incidents_per_100k': inc.get(a, 0) * 100000 / pop[a], 'cc.fatalities': fat.get(a, 0),
           'cc.activities_humanitarian': act.get(a, 0)} for a in areas}
def scores(iw, pwt):
    out = {}
    for a in areas:
        ps = {}
        for pl in pwt:
            codes = [c for c in ind if ind[c][0] == pl]
            s = sum(iw[c] for c in codes)
            ps[pl] = sum(iw[c] / s * norm(raw[a][c], *ind[c][2:]) for c in codes)
        s = sum(pwt.values())
        out[a] = (ps, sum(pwt[pl] / s * ps[pl] for pl in pwt))
    return out
def ranks(sc):
    return {a: 1 + sum(1 for b in areas if sc[b][1] > sc[a][1] + 1e-12) for a in areas}
iw = {c: ind[c][1] for c in ind}
sc = scores(iw, pw)
rk = ranks(sc)
def stage(a):
    if sc[a][1] >= 0.8 and raw[a]['cc.fatalities'] <= 10:
        return 'self-sustaining peace', 'sustained'
    if sc[a][0]['security'] >= 0.6:
        return 'assisted stability', 'assisted'
    return 'imposed stability', ''
g = {x['area']: x for x in got['areas']}
bad = []
for a in areas:
    x = g.get(a)
    if not x:
        bad.append(a + ' missing')
        continue
    for c in ind:
        if abs(x['values'][c] - norm(raw[a][c], *ind[c][2:])) > 1e-5:
            bad.append('%s %s %s' % (a, c, x['values'][c]))
    for pl in pw:
        if abs(x['pillars'][pl] - sc[a][0][pl]) > 1e-5:
            bad.append('%s pillar %s' % (a, pl))
    if abs(x['overall'] - sc[a][1]) > 1e-5:
        bad.append(a + ' overall')
    if x['rank'] != rk[a]:
        bad.append('%s rank %s, here %s' % (a, x['rank'], rk[a]))
    st, rule = stage(a)
    if (x['stage'], x['stage_rule'] or '') != (st, rule):
        bad.append('%s stage %s' % (a, x['stage']))
print('areas', len(got['areas']), 'scores ranks stages', 'ok' if not bad else 'differ: ' + '; '.join(bad[:5]))
# sensitivity: each indicator and pillar weight x 0.8 and x 1.2, ranks recomputed
bad = []
for s in got['sensitivity']:
    w = s['weight']
    iw2, pw2 = dict(iw), dict(pw)
    if w.startswith('pillar '):
        pw2[w[7:]] *= s['factor']
    else:
        iw2[w.split(' ')[0]] *= s['factor']
    r2 = ranks(scores(iw2, pw2))
    if s['ranks'] != r2:
        bad.append('%s x%s' % (w, s['factor']))
    if s['re_ranked'] != sum(1 for a in areas if r2[a] != rk[a]):
        bad.append('%s x%s re_ranked' % (w, s['factor']))
print('sensitivity', len(got['sensitivity']), 'ok' if not bad else 'differ: ' + '; '.join(bad[:5]))
print('sustained', ' '.join(a for a in areas if stage(a)[1] == 'sustained'))
print('top', ' '.join(a for a in areas if rk[a] == 1))
PY
is "$(sed -n 1p index.cmp)" "areas 34 scores ranks stages ok" \
	"index as of 2021-12-31: every province's normalised values, pillar scores, overall score, rank and stage as recomputed"
is "$(sed -n 2p index.cmp)" "sensitivity 10 ok" "the sensitivity table: every variation's ranks as recomputed"
is "$(sed -n 3p index.cmp)" "sustained AF06 AF17 AF32" \
	"self-sustaining peace where overall >= 0.8 and fatalities <= 10: Nangarhar, Badakhshan, Hirat"
is "$(python3 -c 'import json, sys; print(" ".join(sorted(a["area"] for a in json.load(open(sys.argv[1]))["areas"] if a["rank"] == 1)))' index.json)" \
	"$(sed -n 4p index.cmp | cut -d' ' -f2-)" "the provinces ranked first"

done_testing
