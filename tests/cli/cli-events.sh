#!/bin/sh
# Conflict events through the CLI: the real UCDP GED excerpt for Afghanistan placed in the
# province boundaries (checked against a point-in-polygon written here), synthetic ACLED files
# for revisions and bad rows, and exposure checked against a brute-force count written here.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
EV="$TDATA/events"
UCDP="$EV/ucdp_ged_v23_1_afg.csv"

dbsum() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv"
is "$RC" 0 "the province boundaries load"

# ---- the test's own geometry: ray casting on the GeoJSON, haversine, planar centroid ----
cat >geo.py <<'PY'
import csv, json, math, sys

def load_provinces(case):
    names = {}
    for r in csv.reader(open(case + '/afg_global_pcodes_subset.csv', encoding='utf-8-sig')):
        if len(r) > 3 and r[1] == '1':
            names[r[3].lower()] = r[2]
    cmap = {r['feature']: r['pcode'] for r in csv.DictReader(open(case + '/adm1_code_map.csv'))}
    g = json.load(open(case + '/afg_adm1_geoboundaries.geojson'))
    out = []
    for f in g['features']:
        n = f['properties']['shapeName']
        out.append((cmap.get(n) or names[n.lower()], f['geometry']['coordinates']))
    return out

def in_ring(x, y, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside

def province(provs, lat, lon):
    hits = [p for p, rings in provs
            if in_ring(lon, lat, rings[0]) and not any(in_ring(lon, lat, h) for h in rings[1:])]
    return sorted(hits)[0] if hits else ''

def centroid(rings):
    # planar area-weighted centroid (what a GIS gives): outer ring minus holes
    tot = cx = cy = 0.0
    for k, ring in enumerate(rings):
        a = sx = sy = 0.0
        for i in range(len(ring) - 1):
            x0, y0 = ring[i]; x1, y1 = ring[i + 1]
            c = x0 * y1 - x1 * y0
            a += c; sx += (x0 + x1) * c; sy += (y0 + y1) * c
        a /= 2
        rx, ry = sx / (6 * a), sy / (6 * a)
        w = abs(a) if k == 0 else -abs(a)
        tot += w; cx += w * rx; cy += w * ry
    return cy / tot, cx / tot

def hav(lat1, lon1, lat2, lon2):
    R = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, a)))

def day(s):
    import datetime
    s = s.strip()[:10]
    return datetime.date.fromisoformat(s).toordinal()
PY

# ---- import ----
run "$CONCORD" import events "$UCDP"
is "$RC" 0 "the UCDP excerpt imports"
like "$OUT" "read 135, added 135, updated 0, removed 0, unchanged 0, rejected 0" \
	"135 events added"
run "$CONCORD" import events "$UCDP" --format ucdp
like "$OUT" "unchanged since the last import" "the same file again changes nothing"
is "$(sqlite3 concord.db 'select count(*) from incident')" 135 "135 incidents stored"
is "$(sqlite3 concord.db "select count(*) from incident where source='ucdp' and fat_low is not null and fat_high is not null and fatalities is not null")" 135 \
	"UCDP best, low and high are all kept"
python3 - "$UCDP" >expected <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
print(sum(float(r['best']) for r in rows), sum(float(r['low']) for r in rows),
      sum(float(r['high']) for r in rows))
PY
is "$(sqlite3 concord.db 'select sum(fatalities), sum(fat_low), sum(fat_high) from incident' | tr '|' ' ')" \
	"$(cat expected)" "best, low and high sums equal the file's"

# placement: each event's province by the test's own ray casting
python3 - "$CASE" "$UCDP" >placed.expected <<'PY'
import csv, sys
sys.path.insert(0, '.')
from geo import load_provinces, province
provs = load_provinces(sys.argv[1])
for r in csv.DictReader(open(sys.argv[2], encoding='utf-8')):
    print('%s|%s' % (r['id'], province(provs, float(r['latitude']), float(r['longitude']))))
PY
sqlite3 concord.db "select i.source_id, coalesce(case when a.level = 2 then p.pcode else a.pcode end, '') from incident i left join area a on a.id = i.area_id left join area p on p.id = a.parent_id order by i.source_id" | sort >placed.got
sort placed.expected >placed.want
is "$(diff placed.want placed.got | wc -l | tr -d ' ')" 0 "every event is placed in the province the test's point-in-polygon finds"
is "$(grep -c '|AF' placed.want)" 135 "all 135 Afghan events fall in a province"
# then the district by the file's adm_2 name within that province (district boundaries are
# not loaded): the test matches names itself, lower case without " district" and punctuation
python3 - "$CASE" "$UCDP" >district.want <<'PY'
import csv, re, sys
sys.path.insert(0, '.')
from geo import load_provinces, province
norm = lambda s: ' '.join(re.sub(r'[^a-z0-9]+', ' ', s.lower()).split())
case = sys.argv[1]
provs = load_provinces(case)
dist = {}
for r in csv.reader(open(case + '/afg_global_pcodes_subset.csv', encoding='utf-8-sig')):
    if len(r) > 4 and r[1] == '2':
        dist.setdefault((r[4], norm(r[3])), []).append(r[2])
for r in csv.DictReader(open(sys.argv[2], encoding='utf-8')):
    p = province(provs, float(r['latitude']), float(r['longitude']))
    n = norm(r['adm_2'])
    n = n[:-len(' district')] if n.endswith(' district') else n
    d = dist.get((p, n), [])
    print('%s|%s' % (r['id'], d[0] if len(d) == 1 else p))
PY
sqlite3 concord.db "select i.source_id, a.pcode from incident i join area a on a.id = i.area_id where i.source = 'ucdp'" | sort >district.got
sort district.want -o district.want
is "$(diff district.want district.got | wc -l | tr -d ' ')" 0 "events are refined to the district their adm_2 names in that province"
is "$(grep -c '|AF[0-9][0-9][0-9][0-9]$' district.got)" "$(grep -c '|AF[0-9][0-9][0-9][0-9]$' district.want)" \
	"(events placed in a district: $(grep -c '|AF[0-9][0-9][0-9][0-9]$' district.want))"

# ACLED (synthetic): a revision updates, a new event adds, nothing is duplicated
run "$CONCORD" import events "$EV/acled_synthetic.csv"
like "$OUT" "read 7, added 7" "the synthetic ACLED file adds 7 events"
run "$CONCORD" import events "$EV/acled_synthetic_v2.csv" --format acled
like "$OUT" "read 3, added 1, updated 1, removed 0, unchanged 1, rejected 0" \
	"the next download: one revised, one new, one unchanged"
is "$(sqlite3 concord.db "select fatalities from incident where source_id='AFG90002'")" 7.0 \
	"the revised fatalities are stored"
is "$(sqlite3 concord.db "select count(*) from incident where source='acled'")" 8 "8 ACLED events, none duplicated"
is "$(sqlite3 concord.db "select a.pcode from incident i join area a on a.id = i.area_id where source_id='AFG90008'")" AF01 \
	"a point in no area is placed by its admin1 name"
is "$(sqlite3 concord.db "select count(*) from incident where source_id='AFG90005' and area_id is null")" 1 \
	"a point in no area with unknown names is stored without an area"
is "$(sqlite3 concord.db "select op, sum(count) from change where tbl='incident' group by op order by op" | tr '\n' ' ')" "insert|143 update|1 " \
	"the change log has one entry per batch and kind: 135 + 7 + 1 inserted, 1 updated"

# bad rows: reported as FILE:LINE: FIELD: reason, the good ones stored
cp "$EV/acled_bad.csv" "$EV/acled_bad.errors" .
BEFORE=$(dbsum concord.db)
run "$CONCORD" import events acled_bad.csv --strict
is "$RC" 1 "--strict with rejected rows fails"
is "$(dbsum concord.db)" "$BEFORE" "--strict stored nothing"
run "$CONCORD" import events acled_bad.csv --rejects rejects.csv
is "$RC" 3 "stored with rejected rows exits 3"
is "$ERR" "$(cat acled_bad.errors)" "each bad row is reported with line, field and reason"
is "$(sqlite3 concord.db "select count(*) from incident where source_id like 'AFG910%'")" 2 "the 2 good rows are stored"
is "$(($(wc -l <rejects.csv) - 1))" 7 "the rejects file holds the 7 rejected rows"
run "$CONCORD" import events "$EV/acled_synthetic.csv" --format ucdp
is "$RC" 1 "a file of another format than declared is refused"
like "$ERR" "not a UCDP GED file.*looks like ACLED" "and the message says what it looks like"
run "$CONCORD" import events "$EV/acled_synthetic.csv" --format csv
is "$RC" 2 "an unknown --format is a usage error"

# ---- exposure ----
"$CONCORD" import 3w "$EV/sites_3w.csv" >/dev/null
AT=2022-09-14
for R in 50 120; do
	run "$CONCORD" exposure --radius $R --days 3650 --at $AT --csv
	is "$RC" 0 "exposure --radius $R runs"
	printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,2,5-9 | sort >exp.got
	sqlite3 -csv concord.db "select i.source, i.source_id, i.date, i.date_end, i.lat, i.lon, coalesce(i.geo_prec, 0), coalesce(i.fatalities, 0), coalesce(a.pcode, '') from incident i left join area a on a.id = i.area_id" >inc.csv
	python3 - "$CASE" "$EV/sites_3w.csv" $R 3650 $AT >exp.want <<'PY'
import csv, sys, datetime
sys.path.insert(0, '.')
from geo import load_provinces, hav, centroid
case, sites_file, R, D, at = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
at = (datetime.date.fromisoformat(at) - datetime.date(1970, 1, 1)).days
provs = dict(load_provinces(case))
rows = list(csv.reader(open(sites_file)))[2:]
sites = {}
for r in rows:
    if r[7]:
        key = ('%.4f %.4f' % (float(r[7]), float(r[8])), 'point', float(r[7]), float(r[8]))
    else:
        lat, lon = centroid(provs[r[2]])   # the district has no boundary: its province's
        key = (r[2], 'area centroid', lat, lon)
    sites[key] = sites.get(key, 0) + 1
inc = []
for s, sid, d0, d1, lat, lon, prec, fat, pc in csv.reader(open('inc.csv')):
    prec = int(prec)
    if (s == 'acled' and prec > 2) or (s == 'ucdp' and prec > 3):
        continue   # the default precision rule
    inc.append((int(d0), int(d1), float(lat), float(lon), float(fat)))
for (label, how, lat, lon), n in sites.items():
    now = prev = 0; fnow = fprev = 0.0
    for d0, d1, ilat, ilon, fat in inc:
        if hav(lat, lon, ilat, ilon) > R:
            continue
        if d0 <= at and d1 >= at - D + 1:
            now += 1; fnow += fat
        if d0 <= at - D and d1 >= at - 2 * D + 1:
            prev += 1; fprev += fat
    print('%s,%s,%d,%d,%g,%d,%g' % (label, how, n, now, fnow, prev, fprev))
PY
	sort exp.want -o exp.want
	is "$(cat exp.got)" "$(cat exp.want)" "exposure at $R km equals the test's brute force"
done
is "$(grep -c , exp.want)" 5 "5 sites: 4 points and 1 area centroid"
run "$CONCORD" exposure --radius 50 --days 3650 --at $AT
like "$OUT" "AF01 *area centroid" "a site without a point says it stands at its area's centroid"
like "$OUT" "an incident on the radius counts" "the output states the radius rule"
run "$CONCORD" exposure --radius 50 --days 3650 --at $AT --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["sites"]), d["radius_km"])')" "5 50" \
	"--json is valid JSON with every site"
run "$CONCORD" exposure --radius 50 --days 3650 --at $AT --geojson
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); f=[x for x in d["features"] if x["properties"]["site"]=="31.6289 65.7372"][0]; print(d["type"], len(d["features"]), f["geometry"]["coordinates"])')" \
	"FeatureCollection 5 [65.7372, 31.6289]" "--geojson gives one point feature per site, lon before lat"

# per area: incidents and fatalities per province, from the test's own placement
run "$CONCORD" exposure --by area --days 3650 --at $AT --csv
is "$RC" 0 "exposure --by area runs"
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,3-7 | sort >area.got
python3 - "$CASE" $AT 3650 >area.want <<'PY'
import csv, sys, datetime
sys.path.insert(0, '.')
from geo import load_provinces, province
case, at, D = sys.argv[1], sys.argv[2], int(sys.argv[3])
at = (datetime.date.fromisoformat(at) - datetime.date(1970, 1, 1)).days
provs = load_provinces(case)
names = {}
per = {}
for s, sid, d0, d1, lat, lon, prec, fat, pc in csv.reader(open('inc.csv')):
    # the test's own point-in-polygon; a point in no province keeps the area its admin
    # names gave it (that fallback is checked on its own above)
    p = province(provs, float(lat), float(lon)) or pc
    if not p:
        continue
    c = per.setdefault(p, [0, 0.0, 0, 0.0])
    d0, d1, fat = int(d0), int(d1), float(fat)
    if d0 <= at and d1 >= at - D + 1:
        c[0] += 1; c[1] += fat
    if d0 <= at - D and d1 >= at - 2 * D + 1:
        c[2] += 1; c[3] += fat
for p, c in per.items():
    if c[0] or c[2]:
        print('%s,%d,%g,%d,%g,' % (p, c[0], c[1], c[2], c[3]))
PY
sort area.want -o area.want
is "$(cat area.got)" "$(cat area.want)" "per-province counts equal the test's own count"
run "$CONCORD" exposure --by area --days 3650 --at $AT
like "$OUT" "unknown" "areas without population say so"

# per area with population: the figure stored for the reference date's year, and the rates
# recomputed here. The population file is made from the real provincial figures: two years for
# most provinces (2015 at 80 %, 2021 in full), one province with a 2024 figure only (later than
# the reference year, so the earliest later one), and one province with events left out.
python3 - "$CASE/afg_population_adm1.csv" area.want >pop.csv <<'PY'
import csv, sys
real = {r['ADM_PCODE']: int(r['Population']) for r in csv.DictReader(open(sys.argv[1]))}
busy = sorted(l.split(',')[0] for l in open(sys.argv[2]) if l.startswith('AF'))
left_out = busy[-1]
print('Province,Year,Population')
print('#adm1+code,#date+year,#population')
for p in sorted(real):
    if p == left_out:
        continue
    if p == busy[0]:
        print('%s,2024,%d' % (p, real[p]))
        continue
    print('%s,2015,%d' % (p, round(real[p] * 0.8)))
    print('%s,2021,%d' % (p, real[p]))
PY
run "$CONCORD" import population pop.csv
is "$RC" 0 "a population file with years imports"
run "$CONCORD" exposure --by area --days 3650 --at $AT --csv
printf '%s\n' "$OUT" >area_pop.csv
CHECK=$(python3 - "$CASE/afg_population_adm1.csv" area.want area_pop.csv 3650 <<'PY'
import csv, sys
real = {r['ADM_PCODE']: int(r['Population']) for r in csv.DictReader(open(sys.argv[1]))}
want = {}
for l in open(sys.argv[2]):
    p, n, f, pn, pf, _ = l.strip().split(',')
    want[p] = (int(n), float(f))
busy = sorted(want)
D = int(sys.argv[4])
rows = list(csv.DictReader(open(sys.argv[3])))
bad = []
if sorted(r['pcode'] for r in rows) != busy:
    bad.append('areas differ')
n_rates = 0
for r in rows:
    p = r['pcode']
    n, f = want[p]
    # year 2022: the 2021 figure; the 2024-only province takes 2024; the left-out one none
    pop = None if p == busy[-1] else real[p]
    if pop is None:
        if any(r[k] for k in ('population', 'incidents_per_100k', 'fatalities_per_100k',
                              'fatalities_per_100k_year')):
            bad.append('%s: rates without population' % p)
        continue
    if r['population'] != str(pop):
        bad.append('%s: population %s, want %d' % (p, r['population'], pop))
        continue
    for k, v in (('incidents_per_100k', n * 100000 / pop),
                 ('fatalities_per_100k', f * 100000 / pop),
                 ('fatalities_per_100k_year', f * 100000 / pop * 365 / D)):
        if abs(float(r[k]) - v) > 0.005 + 1e-9:
            bad.append('%s: %s %s, want %.4f' % (p, k, r[k], v))
    n_rates += 1
if n_rates < 2:
    bad.append('only %d rates' % n_rates)
print(' '.join(bad) if bad else 'ok %d' % n_rates)
PY
)
like "$CHECK" "^ok [1-9]" "per-province rates per 100,000 from the stored population ($CHECK)"
run "$CONCORD" exposure --by area --days 3650 --at $AT
like "$OUT" "population unknown" "the province without a figure still says so"
run "$CONCORD" exposure --by area --days 3650 --at $AT --json
is "$(printf '%s\n' "$OUT" | python3 -c '
import csv, json, sys
j = json.load(sys.stdin)
c = {r["pcode"]: r for r in csv.DictReader(open("area_pop.csv"))}
print(all((a["population"] is None and c[a["pcode"]]["population"] == "") or
          (str(a["population"]) == c[a["pcode"]]["population"] and
           a["incidents_per_100k"] == float(c[a["pcode"]]["incidents_per_100k"]))
          for a in j["areas"]) and len(j["areas"]) == len(c))')" "True" \
	"--json gives the same populations and rates as --csv"
run "$CONCORD" exposure --by area --level 2 --days 3650 --at $AT --csv
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,3-7 | sort >dist.got
python3 - $AT 3650 >dist.want <<'PY'
import csv, sys, datetime
at, D = sys.argv[1], int(sys.argv[2])
at = (datetime.date.fromisoformat(at) - datetime.date(1970, 1, 1)).days
per = {}
for s, sid, d0, d1, lat, lon, prec, fat, pc in csv.reader(open('inc.csv')):
    # districts (placement checked above) count precise events only (DOMAIN.md 3.5)
    if len(pc) != 6 or (s == 'acled' and int(prec) > 2) or (s == 'ucdp' and int(prec) > 3):
        continue
    c = per.setdefault(pc, [0, 0.0, 0, 0.0])
    d0, d1, fat = int(d0), int(d1), float(fat)
    if d0 <= at and d1 >= at - D + 1:
        c[0] += 1; c[1] += fat
    if d0 <= at - D and d1 >= at - 2 * D + 1:
        c[2] += 1; c[3] += fat
for p, c in per.items():
    if c[0] or c[2]:
        print('%s,%d,%g,%d,%g,' % (p, c[0], c[1], c[2], c[3]))
PY
sort dist.want -o dist.want
is "$(cat dist.got)" "$(cat dist.want)" "per-district counts use the precise events only"
like "$(wc -l <dist.want)" "[1-9]" "(some districts have events)"

# ---- real events, random sites: exactly the brute force ----
python3 - >rand_3w.csv <<'PY'
import random
random.seed(7)
print('Organisation,Cluster,Province code,District code,Activity,Start,End,Latitude,Longitude')
print('#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#geo+lat,#geo+lon')
for i in range(300):
    # around the events: Afghanistan's box, and a few sites far away
    lat, lon = (random.uniform(29, 38.5), random.uniform(60.5, 71.5)) if i % 10 else \
               (random.uniform(-89.9, 89.9), random.uniform(-180, 180))
    print('ORG%d,WSH,AF01,AF0101,Site %d,2021-07-01,2021-12-31,%.5f,%.5f' % (i % 7, i, lat, lon))
PY
"$CONCORD" -d rand.db init --mission R --name R >/dev/null
"$CONCORD" -d rand.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d rand.db import events "$UCDP" >/dev/null
"$CONCORD" -d rand.db import 3w rand_3w.csv >/dev/null
run "$CONCORD" -d rand.db exposure --radius 25 --days 1825 --at 2021-12-31 --all-precisions --csv
is "$RC" 0 "exposure on 300 random sites runs"
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,6-9 | sort >rand.got
cat >brute.py <<'PY'
import csv, sys, datetime
sys.path.insert(0, '.')
from geo import hav
ev, sites_file, R, D, at = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
epoch = datetime.date(1970, 1, 1)
at = (datetime.date.fromisoformat(at) - epoch).days
d = lambda s: (datetime.date.fromisoformat(s[:10]) - epoch).days
inc = [(d(r['date_start']), d(r['date_end']), float(r['latitude']), float(r['longitude']),
        float(r['best'])) for r in csv.DictReader(open(ev, encoding='utf-8'))]
seen = set()
for r in list(csv.reader(open(sites_file)))[2:]:
    lat, lon = float(r[7]), float(r[8])
    if (lat, lon) in seen:
        continue
    seen.add((lat, lon))
    now = prev = 0; fnow = fprev = 0.0
    for d0, d1, ilat, ilon, fat in inc:
        if hav(lat, lon, ilat, ilon) > R:
            continue
        if d0 <= at and d1 >= at - D + 1:
            now += 1; fnow += fat
        if d0 <= at - D and d1 >= at - 2 * D + 1:
            prev += 1; fprev += fat
    print('%.4f %.4f,%d,%g,%d,%g' % (lat, lon, now, fnow, prev, fprev))
PY
python3 brute.py "$UCDP" rand_3w.csv 25 1825 2021-12-31 >rand.want
sort rand.want -o rand.want
is "$(wc -l <rand.got | tr -d ' ')" 300 "one row per random site"
is "$(diff rand.want rand.got | wc -l | tr -d ' ')" 0 "every count equals the brute force over the real events"
is "$(awk -F, '$2 > 0' rand.want | wc -l | tr -d ' ')" "$(awk -F, '$2 > 0' rand.got | wc -l | tr -d ' ')" "(sites with incidents: $(awk -F, '$2 > 0' rand.want | wc -l | tr -d ' '))"

# ---- per-site reference dates: random sites with random dates over the real events ----
cat >brute_dated.py <<'PY'
import csv, sys, datetime
sys.path.insert(0, '.')
from geo import hav
ev, sites_file, R, D = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
epoch = datetime.date(1970, 1, 1)
d = lambda s: (datetime.date.fromisoformat(s[:10]) - epoch).days
inc = [(d(r['date_start']), d(r['date_end']), float(r['latitude']), float(r['longitude']),
        float(r['best'])) for r in csv.DictReader(open(ev, encoding='utf-8'))]
for label, lat, lon, day in csv.reader(open(sites_file)):
    lat, lon, at = float(lat), float(lon), d(day)
    now = prev = 0; fnow = fprev = 0.0
    for d0, d1, ilat, ilon, fat in inc:
        if hav(lat, lon, ilat, ilon) > R:
            continue
        if d0 <= at and d1 >= at - D + 1:
            now += 1; fnow += fat
        if d0 <= at - D and d1 >= at - 2 * D + 1:
            prev += 1; fprev += fat
    print('%s,%d,%g,%d,%g,%s' % (label, now, fnow, prev, fprev, day))
PY
python3 - >dated_3w.csv 3>dated_sites.csv <<'PY'
import random, datetime, os
random.seed(23)
out = os.fdopen(3, 'w')
print('Organisation,Cluster,Province code,District code,Activity,Start,End,Latitude,Longitude')
print('#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#geo+lat,#geo+lon')
day = lambda n: (datetime.date(2016, 1, 1) + datetime.timedelta(days=n)).isoformat()
for i in range(250):
    # near the events, a few on the antimeridian and near the poles
    if i % 25 == 0:
        lat, lon = random.choice([(random.uniform(-89.99, -89.5), random.uniform(-180, 180)),
                                  (random.uniform(89.5, 89.99), random.uniform(-180, 180)),
                                  (random.uniform(-60, 60), random.choice([-180.0, 179.9999]))])
    else:
        lat, lon = random.uniform(29, 38.5), random.uniform(60.5, 71.5)
    lat, lon = float('%.5f' % lat), float('%.5f' % lon)   # as the file stores them
    start = random.randint(0, 2400)
    end = start + random.randint(0, 400)
    print('ORG%d,WSH,AF01,AF0101,Site %d,%s,%s,%.5f,%.5f' % (i % 5, i, day(start), day(end), lat, lon))
    print('%.4f %.4f,%.5f,%.5f,%s' % (lat, lon, lat, lon, day(end)), file=out)
PY
"$CONCORD" -d dated.db init --mission D --name D >/dev/null
"$CONCORD" -d dated.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d dated.db import events "$UCDP" >/dev/null
"$CONCORD" -d dated.db import 3w dated_3w.csv >/dev/null
python3 brute_dated.py "$UCDP" dated_sites.csv 30 120 | sort >dated.want
run "$CONCORD" -d dated.db exposure --radius 30 --days 120 --at end --all-precisions --csv
is "$RC" 0 "exposure --at end runs"
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,6-9,12 | sort >dated.got
is "$(wc -l <dated.got | tr -d ' ')" 250 "one row per dated site"
is "$(diff dated.want dated.got | wc -l | tr -d ' ')" 0 \
	"--at end: each site's counts equal the brute force with the activity's end date"
like "$(awk -F, '$2 > 0' dated.want | wc -l)" "[1-9]" "(some dated sites have incidents)"
like "$(printf '%s\n' "$OUT" | head -1)" ",dominant_type,at$" "the CSV adds each site's date"
# the same sites from a file: the same answer
run "$CONCORD" -d dated.db exposure --radius 30 --days 120 --sites dated_sites.csv --all-precisions --csv
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,6-9,12 | sort >file.got
is "$(diff dated.want file.got | wc -l | tr -d ' ')" 0 "--sites FILE: the same counts as the brute force"
# --at start: every site's start date
python3 - >start_sites.csv <<'PY'
import csv
for r in list(csv.reader(open('dated_3w.csv')))[2:]:
    print('%.4f %.4f,%s,%s,%s' % (float(r[7]), float(r[8]), r[7], r[8], r[5]))
PY
python3 brute_dated.py "$UCDP" start_sites.csv 30 120 | sort >start.want
run "$CONCORD" -d dated.db exposure --radius 30 --days 120 --at start --all-precisions --csv
printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,6-9,12 | sort >start.got
is "$(diff start.want start.got | wc -l | tr -d ' ')" 0 "--at start equals the brute force too"
run "$CONCORD" -d dated.db exposure --radius 30 --days 120 --at start --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["at"], len(d["sites"]), all(len(s["at"]) == 10 for s in d["sites"]))')" \
	"per site 250 True" "--json says the dates are per site and gives each site's"
# bad sites files name the line and field
printf 'label,lat,lon,date\nA,34.5,69.2,2020-01-01\nB,34.5,269.2,2020-01-01\n' >bad_sites.csv
run "$CONCORD" -d dated.db exposure --sites bad_sites.csv
is "$RC" 1 "a site out of range is refused"
like "$ERR" "bad_sites.csv:3: lon: '269.2' is not a longitude" "naming file, line and field"
printf 'A,34.5,69.2,2020-02-30\n' >bad_date.csv
run "$CONCORD" -d dated.db exposure --sites bad_date.csv
like "$ERR" "bad_date.csv:1: date: '2020-02-30' is not a date" "a bad date too"
run "$CONCORD" -d dated.db exposure --by area --at start
is "$RC" 2 "per-site dates are for --by site only"

# ---- the larger shared file (CAR, 1,848 events) ----
CAF="$SHARED/events/ucdp_ged_v23_1_caf.csv"
if [ -f "$CAF" ]; then
	run "$CONCORD" import events "$CAF"
	like "$OUT" "read 1848, added 1848" "the CAR file imports 1,848 events"
	is "$(sqlite3 concord.db "select count(*), sum(fatalities) from incident where lon between 14 and 28 and lat between 2 and 12")" "1848|14948.0" \
		"its 1,848 events and 14,948 deaths (best) are stored"
	# real events, random sites around them: exactly the brute force
	python3 -c "
import random
random.seed(11)
print('Organisation,Cluster,Province code,District code,Activity,Start,End,Latitude,Longitude')
print('#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#geo+lat,#geo+lon')
for i in range(200):
    print('ORG1,WSH,AF01,AF0101,Site %d,2021-07-01,2021-12-31,%.5f,%.5f' % (i, random.uniform(2, 11), random.uniform(14, 28)))
" >caf_3w.csv
	"$CONCORD" -d caf.db init --mission C --name C >/dev/null
	"$CONCORD" -d caf.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	"$CONCORD" -d caf.db import events "$CAF" >/dev/null
	"$CONCORD" -d caf.db import 3w caf_3w.csv >/dev/null
	run "$CONCORD" -d caf.db exposure --radius 20 --days 730 --at 2022-12-30 --all-precisions --csv
	printf '%s\n' "$OUT" | tail -n +2 | cut -d, -f1,6-9 | sort >caf.got
	python3 brute.py "$CAF" caf_3w.csv 20 730 2022-12-30 | sort >caf.want
	is "$(diff caf.want caf.got | wc -l | tr -d ' ')/$(wc -l <caf.got | tr -d ' ')" "0/200" \
		"exposure of 200 random sites over the 1,848 CAR events equals the brute force"
else
	skip "the CAR file imports" "no shared data"
	skip "its events are stored" "no shared data"
	skip "exposure over the CAR events equals the brute force" "no shared data"
fi

done_testing
