#!/bin/sh
# Time series across a re-districting. A constructed case modelled on Kosovo's change of 2008
# (30 municipalities became 38; the case pack has no crosswalk, see data/cases/kosovo/README.md):
# Mitrovica split 0.7/0.3 into Mitrovica South and North Mitrovica, Prishtina 0.8 into a new
# Prishtina and 0.2 into Gracanica, Lipjan 0.25 into Gracanica and 0.75 into a new Lipjan, all on
# 2008-06-15. Every reader by area shows values on the layout of the query's date: indicator
# observations (`progress`, counts split, a population-weighted rate recomputed from split
# numerators and denominators), computed indicators (`indicators compute`: incidents per 100,000
# and fatalities), coverage (`coverage`, and every other reader of the store's coverage read:
# `gaps`, `allocate`, `report`, `export areas`, GET /api/coverage), exposure by area (incidents
# placed in the new municipalities by their point, rates over the carried populations; the
# report's map of incidents; GET /api/exposure) and roll-ups to the parent (the retired
# municipalities not missing); a date before the change shows the old areas as they were.
# Every expected figure is worked out by hand in the comments from the files below.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

cat >areas.csv <<'CSV'
P-Code,Name,Admin Level,Parent P-Code
XK,Kosovo (constructed),0,
XK01,Mitrovica,1,XK
XK02,Prishtina,1,XK
XK03,Lipjan,1,XK
XK11,Mitrovica South,1,XK
XK12,North Mitrovica,1,XK
XK21,Prishtina (2008),1,XK
XK22,Gracanica,1,XK
XK31,Lipjan (2008),1,XK
CSV
cat >cw.csv <<'CSV'
old_pcode,new_pcode,share,date
XK01,XK11,0.7,2008-06-15
XK01,XK12,0.3,2008-06-15
XK02,XK21,0.8,2008-06-15
XK02,XK22,0.2,2008-06-15
XK03,XK22,0.25,2008-06-15
XK03,XK31,0.75,2008-06-15
CSV
# population of the old layout only (2007)
printf 'ADM_PCODE,alpha_3,Population,Year\nXK01,XKX,100000,2007\nXK02,XKX,200000,2007\nXK03,XKX,80000,2007\n' >pop.csv
cat >ind.csv <<'CSV'
code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max
RET,Returnees registered,governance,people,unit,higher,sum,365,,
ATT,School attendance,governance,%,percentage,higher,population_weighted_mean,365,,
CSV
# 2007 on the old layout, 2009 on the new one
cat >obs.csv <<'CSV'
indicator,area,sex,age_group,period_start,period_end,value,source,confidence
RET,XK01,,,2007-01-01,2007-12-31,100,constructed,high
RET,XK02,,,2007-01-01,2007-12-31,50,constructed,high
RET,XK03,,,2007-01-01,2007-12-31,40,constructed,high
RET,XK11,,,2009-01-01,2009-12-31,60,constructed,high
RET,XK12,,,2009-01-01,2009-12-31,30,constructed,high
RET,XK21,,,2009-01-01,2009-12-31,35,constructed,high
RET,XK22,,,2009-01-01,2009-12-31,20,constructed,high
RET,XK31,,,2009-01-01,2009-12-31,25,constructed,high
ATT,XK02,,,2007-01-01,2007-12-31,90,constructed,high
ATT,XK03,,,2007-01-01,2007-12-31,60,constructed,high
ATT,XK22,,,2009-01-01,2009-12-31,85,constructed,high
CSV

"$CONCORD" init --mission K --name Kosovo --country XKX >/dev/null
for f in "areas areas.csv" "crosswalk cw.csv" "population pop.csv" "indicators ind.csv" \
	"observations obs.csv"; do
	# shellcheck disable=SC2086
	run "$CONCORD" import $f
	is "$RC" 0 "import $f"
done

# ---- indicator observations ----
# at 2008-12-31 (after the change; only the 2007 values are up to that date):
#   RET (sum, a count): XK11 = 100 x 0.7 = 70, XK12 = 30, XK21 = 50 x 0.8 = 40,
#       XK22 = 50 x 0.2 + 40 x 0.25 = 20, XK31 = 40 x 0.75 = 30
#   ATT (population-weighted): XK21 = 90 (a split keeps the rate), XK31 = 60,
#       XK22 = (90 x 200000 x 0.2 + 60 x 80000 x 0.25) / (200000 x 0.2 + 80000 x 0.25)
#            = 4,800,000 / 60,000 = 80 (the blind mean of 90 and 60 would be 75)
run "$CONCORD" progress --at 2008-12-31 --csv
is "$RC" 0 "progress after the change"
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,2,6,8,9 | tr '\n' ' ')" \
	"ATT,XK21,1,2007-12-31,90 ATT,XK22,1,2007-12-31,80 ATT,XK31,1,2007-12-31,60 RET,XK11,1,2007-12-31,70 RET,XK12,1,2007-12-31,30 RET,XK21,1,2007-12-31,40 RET,XK22,1,2007-12-31,20 RET,XK31,1,2007-12-31,30 " \
	"the 2007 values on the new layout: counts split, the rate recomputed"
run "$CONCORD" progress --at 2008-12-31 --area XK22 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,2,9 | tr '\n' ' ')" "ATT,XK22,80 RET,XK22,20 " \
	"--area of a new area gathers the parts of the old ones"
# at 2010-06-30 the series cross the change: XK11's RET is 70 (2007, carried), then 60 (2009)
run "$CONCORD" progress --at 2010-06-30 --csv
is "$(printf '%s\n' "$OUT" | grep '^RET,XK11,' | cut -d, -f6,8,9)" "2,2009-12-31,60" \
	"a series across the change: two values, the latest on the new layout"
is "$(printf '%s\n' "$OUT" | grep '^ATT,XK22,' | cut -d, -f6,9)" "2,85" \
	"Gracanica's attendance: 80 carried for 2007, 85 recorded for 2009"
unlike "$OUT" "XK0[123]," "no old municipality after the change"
# the slope of XK11's RET: (60 - 70) over the two years between the two period ends
is "$(printf '%s\n' "$OUT" | grep '^RET,XK11,' | cut -d, -f18 | cut -c1-5)" "-4.99" \
	"the trend runs over the carried value"
# before the change: the old layout as it was
run "$CONCORD" progress --at 2008-01-01 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,2,9 | tr '\n' ' ')" \
	"ATT,XK02,90 ATT,XK03,60 RET,XK01,100 RET,XK02,50 RET,XK03,40 " \
	"before the change: the old municipalities, nothing carried"

# ---- computed indicators: incidents per 100,000 and fatalities ----
# Incidents (constructed ACLED rows, placed by admin1 name): 2007: two in Mitrovica (2 + 0
# fatalities; the second's point lies in what became North Mitrovica), one in Prishtina (5),
# one in Lipjan (4); 2009: one in Gracanica (1).
cat >ev.csv <<'CSV'
event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso
XKX1,2007-03-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Mitrovica,,,Mitrovica,42.89,20.87,3,Constructed,constructed test event,2,1170000000,901
XKX2,2007-05-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Mitrovica,,,Mitrovica,42.95,21.2,3,Constructed,constructed test event,0,1170000000,901
XKX3,2007-06-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Prishtina,,,Prishtina,42.66,21.16,3,Constructed,constructed test event,5,1170000000,901
XKX4,2007-07-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Lipjan,,,Lipjan,42.52,21.12,3,Constructed,constructed test event,4,1170000000,901
XKX5,2009-07-01,2009,1,Political violence,Riots,Violent demonstration,Constructed A,,Gracanica,,,Gracanica,42.60,21.19,3,Constructed,constructed test event,1,1170000000,901
CSV
run "$CONCORD" import events ev.csv
is "$RC" 0 "import events"
# Up to 2009-12-31 (new layout). Populations carried: XK11 70000, XK12 30000, XK21 160000,
# XK22 40000 + 20000 = 60000, XK31 60000. 2007 incidents split: XK11 1.4, XK12 0.6, XK21 0.8,
# XK22 0.2 + 0.25 = 0.45, XK31 0.75; per 100,000: 2, 2, 0.5, 0.75, 1.25. 2009: XK22 1 / 60000
# = 1.666666667. Fatalities: XK11 1.4, XK12 0.6, XK21 4, XK22 1 + 1 = 2, XK31 3.
run "$CONCORD" indicators compute --period year --from 2007-01-01 --to 2009-12-31 --dry-run --csv
is "$RC" 0 "compute after the change"
pick() { printf '%s\n' "$OUT" | grep "^$1," | grep ",$2-01-01," | cut -d, -f2,5 | tr '\n' ' '; }
is "$(pick cc.incidents_per_100k 2007)" "XK11,2 XK12,2 XK21,0.5 XK22,0.75 XK31,1.25 " \
	"2007 incidents per 100,000 on the new layout: split counts over carried populations"
is "$(pick cc.incidents_per_100k 2009)" "XK11,0 XK12,0 XK21,0 XK22,1.666666667 XK31,0 " \
	"2009 incidents per 100,000 of the new municipalities"
is "$(pick cc.fatalities 2007)" "XK11,1.4 XK12,0.6 XK21,4 XK22,2 XK31,3 " \
	"2007 fatalities split by the shares"
unlike "$OUT" ",XK0[123]," "no old municipality in the computed values"
# before the change: the old municipalities only, with their own populations
run "$CONCORD" indicators compute --period year --from 2007-01-01 --to 2007-12-31 --dry-run --csv
is "$(pick cc.incidents_per_100k 2007)" "XK01,2 XK02,0.5 XK03,1.25 " \
	"2007 alone: the old layout (2 / 100000, 1 / 200000, 1 / 80000 per 100,000)"
unlike "$ERR" "without a population" "no warning about municipalities not yet created"
# stored, then read back by progress like any series
run "$CONCORD" indicators compute --period year --from 2007-01-01 --to 2009-12-31
is "$RC" 0 "compute and store"
run "$CONCORD" progress --at 2009-12-31 --indicator cc.fatalities --area XK22 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f2,6,9)" "XK22,3,1" \
	"the stored fatalities of Gracanica: three years, the latest 1"

# ---- coverage ----
# activities of 2007 (old layout) and one of Gracanica; 3W people targeted and reached
cat >3w.csv <<'CSV'
Province,P-code,Organisation,Cluster,Targeted,Reached
#adm1+name,#adm1+code,#org+acronym,#sector+cluster+code,#targeted,#reached
Mitrovica,XK01,AADA,HEA,1000,500
Prishtina,XK02,AADA,WSH,2000,
Lipjan,XK03,BRAC,EDU,400,200
Gracanica,XK22,BRAC,EDU,100,100
CSV
run "$CONCORD" import 3w 3w.csv --period 2007-01-01/2009-12-31
is "$RC" 0 "import 3w"
# today's layout: Mitrovica's activity counts whole in XK11 and XK12, 700/350 and 300/150;
# Prishtina's 2000 targeted 1600 / 400; Lipjan's 400/200: 100/50 to XK22, 300/150 to XK31;
# XK22's EDU: its own 100/100 + 100/50 = 200 targeted, 150 reached, 2 activities
run "$CONCORD" coverage --by cluster --csv
is "$RC" 0 "coverage after the change"
cells=$(printf '%s\n' "$OUT" | awk -F, 'NR > 1 && $6 > 0 { print $1 "," $5 "," $6 "," $8 "," $9 }' | tr '\n' ' ')
is "$cells" "XK11,HEA,1,700,350 XK12,HEA,1,300,150 XK21,WSH,1,1600, XK22,EDU,2,200,150 XK22,WSH,1,400, XK31,EDU,1,300,150 " \
	"coverage on the new layout: activities whole, people split"
like "$ERR" "^concord: note: 3 activity records of areas changed by a re-districting carried onto the layout of today" \
	"the rule is stated beside CSV"
run "$CONCORD" coverage --by cluster
like "$OUT" "^# 3 activity records .* an activity counts whole in each new area, its people targeted and reached split by the shares" \
	"and in the text output"
# a period before the change: the old layout as it was (and the new area's own activity)
run "$CONCORD" coverage --by cluster --to 2007-12-31 --csv
cells=$(printf '%s\n' "$OUT" | awk -F, 'NR > 1 && $6 > 0 { print $1 "," $5 "," $6 "," $8 "," $9 }' | tr '\n' ' ')
is "$cells" "XK01,HEA,1,1000,500 XK02,WSH,1,2000, XK03,EDU,1,400,200 XK22,EDU,1,100,100 " \
	"coverage of a period before the change: the old municipalities"
is "$ERR" "" "nothing carried, nothing said"

# ---- every other reader of coverage: the store's coverage read carries it for all ----
# needs of the new layout: Gracanica education 1000 in need (severity 3), Prishtina (2008) WSH
printf 'Area,Sector,In need,Severity\n#adm1+code,#sector+cluster+code,#inneed,#severity\nXK22,EDU,1000,3\nXK21,WSH,5000,2\n' >needs.csv
run "$CONCORD" import needs needs.csv --period 2009-01-01/2009-12-31
is "$RC" 0 "import needs of the new layout"
# gaps: Gracanica's education is covered by its own 100 reached and 0.25 of Lipjan's 200
# (BRAC, one organisation: its records add up) = 150 of 1000, two records; Prishtina (2008)'s
# WSH by 0.8 of Prishtina's record (no people reached: no figures)
run "$CONCORD" gaps --csv
is "$RC" 0 "gaps"
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f2,4,7,8,10,12 | tr '\n' ' ')" \
	"XK22,EDU,1000,150,2,850 XK21,WSH,5000,,1, " \
	"gaps: a record of a retired municipality covers its successor's need by its share"
# allocate (cells from the store, as gaps by pillar): Gracanica's need is 1000 - 150 = 850
run "$CONCORD" allocate --budget D=100000 --json
is "$RC" 0 "allocate from the store"
is "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["cells"]:
    print(c["area"], c["need"])' | sort | tr '\n' ' ')" "XK21 5000 XK22 850 " \
	"allocate: the unmet need of the new municipality counts the carried people reached"
# the report's coverage table: Gracanica 3 activities (its own, 1 of Prishtina's and 1 of
# Lipjan's, both carried whole) of 2 organisations; no old municipality
run "$CONCORD" report --format md -o report.md --by cluster
is "$RC" 0 "report"
like "$(cat report.md)" "^| XK22 | Gracanica | 2 / 1 | – | 1 / 1 | – | 3 / 2 |$" \
	"report: the coverage of the new municipality with the carried records"
unlike "$(cat report.md)" "| XK0[123] |" "report: no retired municipality"
# export areas with coverage: the successors carry the counts
run "$CONCORD" export areas -o areas.geojson --level 1 --with-coverage
is "$RC" 0 "export areas"
is "$(python3 -c '
import json, sys
for f in json.load(open("areas.geojson"))["features"]:
    p = f["properties"]
    print("%s:%d/%d" % (p["pcode"], p["activities"], p["organisations"]))' | tr '\n' ' ')" \
	"XK01:0/0 XK02:0/0 XK03:0/0 XK11:1/1 XK12:1/1 XK21:1/1 XK22:3/2 XK31:1/1 " \
	"export areas: activities and organisations counted under the successors"

# ---- exposure by area: incidents placed on the layout of the reference date by their point ----
# 2007-01-01 to 2009-12-31 (1096 days) on the layout of 2009-12-31. Without boundaries no point
# can be placed in a new municipality: the four incidents of the old ones count only in Kosovo
# (level 0: all 5, 2 + 0 + 5 + 4 + 1 = 12 fatalities); Gracanica's own is in Gracanica.
run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,3,4 | tr '\n' ' ')" "XK22,1,1 " \
	"exposure without boundaries: only the incident filed under a new municipality is in one"
run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096
like "$OUT" "^# across a re-districting, .* 0 incidents of areas not on it placed in its areas by their point, 4 (no boundary covers the point) counted only above" \
	"and says that four were counted only above"
run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096 --level 0 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,3,4)" "XK,5,12" "Kosovo counts all five"
# boundaries (constructed boxes, lon/lat): Mitrovica 20.5-21.5 x 42.8-43.2 split at lon 21.0
# into Mitrovica South (west) and North Mitrovica (east); Prishtina 21.0-21.5 x 42.58-42.8 and
# Lipjan 21.0-21.5 x 42.4-42.58 redrawn as Prishtina (2008) 42.62-42.8, Gracanica 42.55-42.62,
# Lipjan (2008) 42.4-42.55.
python3 - <<'PY'
import json
boxes = {'XK01': (20.5, 42.8, 21.5, 43.2), 'XK02': (21.0, 42.58, 21.5, 42.8),
         'XK03': (21.0, 42.4, 21.5, 42.58), 'XK11': (20.5, 42.8, 21.0, 43.2),
         'XK12': (21.0, 42.8, 21.5, 43.2), 'XK21': (21.0, 42.62, 21.5, 42.8),
         'XK22': (21.0, 42.55, 21.5, 42.62), 'XK31': (21.0, 42.4, 21.5, 42.55)}
fs = [{"type": "Feature", "properties": {"pcode": k, "parent": "XK"},
       "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                        [x0, y0]]]}}
      for k, (x0, y0, x1, y1) in boxes.items()]
json.dump({"type": "FeatureCollection", "features": fs}, open("bounds.geojson", "w"))
PY
run "$CONCORD" import areas bounds.geojson --level 1 --code-field pcode --parent-field parent
is "$RC" 0 "import the boundaries"
# Each point in its new municipality: XKX1 (20.87, 42.89) Mitrovica South, XKX2 (21.2, 42.95)
# North Mitrovica, XKX3 (21.16, 42.66) Prishtina (2008), XKX4 (21.12, 42.52) Lipjan (2008), and
# XKX5 stays in Gracanica. Rates over the carried populations of the shares (none of the new
# municipalities has one of its own): 1 / 70000, 1 / 30000, 1 / 160000, 1 / 60000, 1 / 60000
# incidents per person; fatalities 2, 0, 5, 1, 4; per 100,000 x 365 / 1096 a year.
run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,3,4,7,8,9 | tr '\n' ' ')" \
	"XK11,1,2,70000,1.43,2.86 XK12,1,0,30000,3.33,0.00 XK21,1,5,160000,0.62,3.12 XK22,1,1,60000,1.67,1.67 XK31,1,4,60000,1.67,6.67 " \
	"exposure by area after the change: each incident in the new municipality its point lies in"
run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096
like "$OUT" "^# across a re-districting, .* 4 incidents of areas not on it placed in its areas by their point, 0 (no boundary" \
	"the four placed by their point"
# the split by point, not by share: Mitrovica's two incidents are one in each part (shares
# would give 1.4 and 0.6). allocate's exposure (incidents of the 1096 days to the latest one,
# 2009-07-01) likewise: one in Prishtina (2008) and one in Gracanica
run "$CONCORD" allocate --budget D=100000 --days 1096 --json
is "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["cells"]:
    print(c["area"], c["exposure"])' | sort | tr '\n' ' ')" "XK21 1 XK22 1 " \
	"allocate: the exposure of the new municipalities counts the incidents placed by point"
# before the change: the old municipalities as they were, with their own populations
run "$CONCORD" exposure --by area --at 2007-12-31 --days 365 --csv
is "$(printf '%s\n' "$OUT" | sed 1d | cut -d, -f1,3,4,7,8 | tr '\n' ' ')" \
	"XK01,2,2,100000,2.00 XK02,1,5,200000,0.50 XK03,1,4,80000,1.25 " \
	"exposure by area before the change: the old municipalities"
# the report's map of incidents: the new municipalities (those of today), one incident each
run "$CONCORD" report -o report.html --map-measure incidents
is "$RC" 0 "report with the map of incidents"
is "$(grep -o '(XK[0-9]*): [0-9]* incidents\{0,1\}<' report.html | sort | tr '\n' ' ')" \
	"(XK11): 1 incident< (XK12): 1 incident< (XK21): 1 incident< (XK22): 1 incident< (XK31): 1 incident< " \
	"report map: the areas of today's layout, the incidents placed by point"

# ---- the API: the same carried figures ----
if command -v curl >/dev/null 2>&1; then
	"$CONCORD" user add viewer --org AADA --role viewer >/dev/null
	TOKEN=$("$CONCORD" token create viewer 2>/dev/null)
	serve_start --threads 1
	api() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }
	run "$CONCORD" coverage --by cluster --json
	is "$(api '/api/coverage?level=1&by=cluster')" "$OUT" \
		"GET /api/coverage answers what concord coverage does, carried"
	like "$OUT" '"XK22"' "with the new municipality"
	run "$CONCORD" exposure --by area --at 2009-12-31 --days 1096 --json
	is "$(api '/api/exposure?by=area&level=1&at=2009-12-31&days=1096')" "$OUT" \
		"GET /api/exposure by area answers what concord exposure does, placed by point"
	like "$OUT" '"XK12"' "with North Mitrovica"
	run "$CONCORD" rollup --level 0 --at 2008-12-31 --indicator RET --json
	is "$(api '/api/rollup?level=0&at=2008-12-31&indicator=RET')" "$OUT" \
		"GET /api/rollup answers what concord rollup does"
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
else
	skip "the API" "curl is not installed"
fi

# ---- roll-up to the parent: the retired children are not missing, their values carried ----
# at 2008-12-31: RET (sum) 70 + 30 + 40 + 20 + 30 = 190 from the five new municipalities, none
# missing; ATT (population-weighted) 90, 80, 60 over the carried populations 160000, 60000,
# 60000: (90 x 160000 + 80 x 60000 + 60 x 60000) / 280000 = 81.4286 (= the old layout's
# (90 x 200000 + 60 x 80000) / 280000), the Mitrovicas without a value missing
run "$CONCORD" rollup --level 0 --at 2008-12-31 --csv
is "$(printf '%s\n' "$OUT" | grep -E '^(RET|ATT),' | cut -d, -f1,9,11,12,16 | tr '\n' ' ')" \
	"ATT,81.4286,3,5,XK11;XK12 RET,190,5,5, " \
	"rollup after the change: the new municipalities, the retired ones not listed as missing"
# before the change: the old three
run "$CONCORD" rollup --level 0 --at 2008-01-01 --csv
is "$(printf '%s\n' "$OUT" | grep -E '^(RET|ATT),' | cut -d, -f1,9,11,12,16 | tr '\n' ' ')" \
	"ATT,81.4286,2,3,XK01 RET,190,3,3, " \
	"rollup before the change: the old municipalities"
# today: 2009's values of the new layout: RET 60 + 30 + 35 + 20 + 25 = 170; ATT 90 (2007,
# carried), 85 (2009), 60: (90 x 160000 + 85 x 60000 + 60 x 60000) / 280000 = 82.5
run "$CONCORD" rollup --level 0 --csv
is "$(printf '%s\n' "$OUT" | grep -E '^(RET|ATT),' | cut -d, -f1,9,11,12 | tr '\n' ' ')" \
	"ATT,82.5,3,5 RET,170,5,5 " \
	"rollup today: the series across the change"

# ---- a crosswalk that does not hold: refused at import (file, line, field) ... ----
printf 'old_pcode,new_pcode,share,date\nXK21,XK11,0.6,2012-01-01\nXK21,XK12,0.3,2012-01-01\n' >bad.csv
before=$(sqlite3 concord.db "SELECT count(*) FROM area_crosswalk")
run "$CONCORD" import crosswalk bad.csv
is "$RC" 3 "shares adding up to 0.9: the rows rejected"
like "$ERR" "^bad.csv:2: share: the shares of XK21 on this date add up to 0.9, not 1" \
	"naming the file, line and field"
is "$(sqlite3 concord.db "SELECT count(*) FROM area_crosswalk")" "$before" "nothing of it stored"
# ---- ... and by the readers, naming the area and date, when the stored one was changed ----
sqlite3 concord.db "UPDATE area_crosswalk SET share = 0.5 WHERE new_id = (SELECT id FROM area WHERE pcode = 'XK12')"
run "$CONCORD" progress --at 2008-12-31
is "$RC" 1 "progress refuses shares not adding up"
like "$ERR" "the shares of area XK01 on 2008-06-15 add up to 1.2, not 1" "naming the area and the date"
run "$CONCORD" coverage
like "$ERR" "the shares of area XK01 on 2008-06-15 add up to 1.2, not 1" "coverage too"
for c in gaps "exposure --by area --at 2009-12-31" "rollup --level 0"; do
	# shellcheck disable=SC2086
	run "$CONCORD" $c
	is "$RC:$(printf '%s\n' "$ERR" | grep -c 'the shares of area XK01 on 2008-06-15 add up to 1.2, not 1')" \
		"1:1" "$c refuses it too"
done

done_testing
