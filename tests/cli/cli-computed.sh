#!/bin/sh
# concord indicators compute on the Afghanistan case: the UCDP events of the case placed in the
# province polygons, counted per province and year, fatalities summed and divided by the
# provinces' population — every figure recomputed here in python from the files alone (its own
# point-in-polygon test on the boundary file), then the idempotent re-run, the missing
# population warning and the activities per pillar of the 3W.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" import events "$CASE/ucdp_ged_v23_1_afg.csv" >/dev/null

# Before any population: every incidents-per-100k value is missing, and the command says so.
run "$CONCORD" indicators compute --period year --dry-run
is "$RC" 0 "compute without population runs"
like "$ERR" "warning: 34 areas at admin level 1 without a population: incidents per 100,000 left missing" \
	"missing population is a warning"
like "$OUT" "dry run: nothing stored" "dry run stores nothing"
run "$CONCORD" indicators compute --period year --csv --dry-run
like "$OUT" "^cc.incidents_per_100k,AF01,2021-01-01,2021-12-31,$" "no population: an empty value, not 0"

"$CONCORD" import population "$CASE/afg_population_adm1.csv" >/dev/null

python3 - "$CASE" >expected <<'PY'
import csv, json, sys, unicodedata
case = sys.argv[1]
def norm(s):
    s = unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode().lower()
    return ''.join(c for c in s if c.isalnum())
by_name = {}
for r in csv.DictReader(open(case + '/afg_global_pcodes_subset.csv', encoding='utf-8-sig')):
    if r['Admin Level'] == '1':
        by_name[norm(r['Name'])] = r['P-Code']
mapped = {r['feature']: r['pcode'] for r in csv.DictReader(open(case + '/adm1_code_map.csv'))}
polys = []  # (pcode, [rings of polygons])
for f in json.load(open(case + '/afg_adm1_geoboundaries.geojson'))['features']:
    name = f['properties']['shapeName']
    code = mapped.get(name) or by_name[norm(name)]
    g = f['geometry']
    parts = [g['coordinates']] if g['type'] == 'Polygon' else g['coordinates']
    polys.append((code, parts))
def inside(x, y, ring):
    c = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            c = not c
    return c
def place(x, y):
    for code, parts in polys:
        for rings in parts:
            rings = [[tuple(p[:2]) for p in r] for r in rings]
            if inside(x, y, rings[0]) and not any(inside(x, y, h) for h in rings[1:]):
                return code
    return None
pop = {r['ADM1_PCODE']: int(r['Population'])
       for r in csv.DictReader(open(case + '/afg_population_adm1.csv', encoding='utf-8-sig'))
       if r['ADM_LEVEL'] == '1'}
count, fat, unplaced = {}, {}, 0
for r in csv.DictReader(open(case + '/ucdp_ged_v23_1_afg.csv', newline='', encoding='utf-8')):
    code = place(float(r['longitude']), float(r['latitude']))
    if code is None:
        unplaced += 1
        continue
    k = (code, r['date_start'][:4])
    count[k] = count.get(k, 0) + 1
    fat[k] = fat.get(k, 0) + float(r['best'] or 0)
for (code, year) in sorted(count):
    print('cc.incidents_per_100k,%s,%s,%.6f' % (code, year, count[(code, year)] * 1e5 / pop[code]))
    if fat[(code, year)]:
        print('cc.fatalities,%s,%s,%.6f' % (code, year, fat[(code, year)]))
print('unplaced,%d' % unplaced)
print('total,%d' % (sum(count.values()) + unplaced))
PY

run "$CONCORD" indicators compute --period year
is "$RC" 0 "compute with population"
total=$(grep '^total,' expected | cut -d, -f2)
unplaced=$(grep '^unplaced,' expected | cut -d, -f2)
like "$OUT" "ucdp incidents ($((total - unplaced)) counted)" "every placed UCDP event counted once"
like "$OUT" "[1-9][0-9]* added, 0 updated, 0 unchanged, 0 removed" "the first run adds"
unlike "$ERR" "without a population" "every province has a population now"

"$CONCORD" indicators compute --period year --csv --dry-run |
	awk -F, 'NR > 1 && ($1 == "cc.incidents_per_100k" || $1 == "cc.fatalities") && $5 != 0 {
		printf "%s,%s,%s,%.6f\n", $1, $2, substr($3, 1, 4), $5 }' | sort >got
grep -v '^unplaced,\|^total,' expected | sort >want
if [ -s want ] && cmp -s got want; then
	ok "per province and year: incidents per 100,000 and fatalities match the independent count ($(wc -l <want) values)"
else
	not_ok "per province and year values match" "$(diff got want | head -20)"
fi

run "$CONCORD" indicators compute --period year
like "$OUT" " 0 added, 0 updated, [1-9][0-9]* unchanged, 0 removed" "running again changes nothing"

# progress reads the computed series like any other
run "$CONCORD" progress --indicator cc.fatalities --area AF23 --csv
is "$RC" 0 "progress over a computed indicator"
like "$OUT" "^cc.fatalities,AF23,,,lower," "computed fatalities are lower-is-better"

# The 3W (July–September 2021) gives activities per pillar by month; a narrower range
# recomputes only its own periods and leaves the rest.
"$CONCORD" import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" --period 2021-07-01/2021-09-30 \
	>/dev/null 2>&1
run "$CONCORD" indicators compute --period quarter --from 2021-07-01 --to 2021-09-30 --csv
is "$RC" 0 "quarterly compute over the 3W period"
nq=$(printf '%s\n' "$OUT" | sed 1d | wc -l)
n3w=$(python3 - "$CASE" "$OUT" <<'PY'
import csv, sys
out = sys.argv[2].splitlines()
s = sum(float(l.split(',')[4]) for l in out[1:] if l.startswith('cc.activities_') and l.split(',')[4])
print(int(s))
PY
)
stored=$(sqlite3 concord.db "SELECT count(*) FROM activity WHERE area_id IN (SELECT id FROM area WHERE level >= 1)" 2>/dev/null || echo none)
if [ "$stored" = none ]; then
	skip "activities per pillar add up to the activities stored" "no sqlite3 CLI"
else
	is "$n3w" "$stored" "activities per pillar add up to the activities stored at or below provinces"
fi
# a yearly run over 2021 replaces the quarterly values inside it (a series never mixes periods)
run "$CONCORD" indicators compute --period year --from 2021-01-01 --to 2021-12-31
# (the yearly activity counts of 2021 change: the 3W was imported since the first yearly run)
like "$OUT" " 0 added, [1-9][0-9]* updated, [1-9][0-9]* unchanged, $nq removed" \
	"a yearly run over 2021 replaces the quarterly values of 2021"
run "$CONCORD" progress --indicator cc.incidents_per_100k --area AF01 --csv
like "$OUT" "^cc.incidents_per_100k,AF01,,,lower,34,0," "the yearly series is whole again: 34 values"
# `progress` reads one indicator at a time; the rows are those of one read per indicator
"$CONCORD" progress --csv --at 2022-12-31 >all.csv
head -1 all.csv >each.csv
for code in $(sed 1d all.csv | cut -d, -f1 | uniq); do
	"$CONCORD" progress --csv --at 2022-12-31 --indicator "$code" | sed 1d >>each.csv
done
if [ "$(wc -l <all.csv)" -gt 200 ] && cmp -s all.csv each.csv; then
	ok "progress indicator by indicator gives the rows of the single reads ($(wc -l <all.csv) lines)"
else
	not_ok "progress indicator by indicator" "$(wc -l all.csv each.csv; diff all.csv each.csv | head)"
fi
run "$CONCORD" indicators compute --period month --events nope
is "$RC" 2 "a bad --events is a usage error"
run "$CONCORD" indicators compute --from 2022-01-01 --to 2021-01-01
is "$RC" 2 "--from after --to is a usage error"
done_testing
