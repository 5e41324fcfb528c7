#!/bin/sh
# Time series across a re-districting on PostgreSQL against SQLite: the constructed case of
# cli-crosswalk.sh (a split, a merge, populations of the old layout only) imported on both, and
# every reader that carries values through the crosswalk (progress after and before the change,
# an area of the new layout, indicators compute, coverage, gaps, allocate, the report, export
# areas, exposure by area without and with boundaries, roll-ups on each layout) compared byte for
# byte, standard error and exit status included; a crosswalk that does not hold refused alike.
# Skips, saying why, where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db

both() { # both ARGS...: runs concord on SQLite (SOUT, SERR, SRC) and PostgreSQL (OUT, ERR, RC)
	run "$CONCORD" -d "$SQ" "$@"
	SOUT=$OUT SERR=$ERR SRC=$RC
	run "$CONCORD" -d "$PG" "$@"
}
same() { # same DESCRIPTION: PostgreSQL said (stdout and stderr) and exited what SQLite did
	if [ "$OUT" = "$SOUT" ] && [ "$ERR" = "$SERR" ] && [ "$RC" = "$SRC" ]; then
		ok "$1"
	else
		not_ok "$1" "SQLite ($SRC): $(printf '%s\n' "$SOUT" "$SERR" | head -5)
PostgreSQL ($RC): $(printf '%s\n' "$OUT" "$ERR" | head -5)"
	fi
}

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
printf 'ADM_PCODE,alpha_3,Population,Year\nXK01,XKX,100000,2007\nXK02,XKX,200000,2007\nXK03,XKX,80000,2007\n' >pop.csv
cat >ind.csv <<'CSV'
code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max
RET,Returnees registered,governance,people,unit,higher,sum,365,,
ATT,School attendance,governance,%,percentage,higher,population_weighted_mean,365,,
CSV
cat >obs.csv <<'CSV'
indicator,area,sex,age_group,period_start,period_end,value,source,confidence
RET,XK01,,,2007-01-01,2007-12-31,100,constructed,high
RET,XK02,,,2007-01-01,2007-12-31,50,constructed,high
RET,XK03,,,2007-01-01,2007-12-31,40,constructed,high
RET,XK11,,,2009-01-01,2009-12-31,60,constructed,high
RET,XK22,,,2009-01-01,2009-12-31,20,constructed,high
ATT,XK02,,,2007-01-01,2007-12-31,90,constructed,high
ATT,XK03,,,2007-01-01,2007-12-31,60,constructed,high
ATT,XK22,,,2009-01-01,2009-12-31,85,constructed,high
CSV
cat >ev.csv <<'CSV'
event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso
XKX1,2007-03-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Mitrovica,,,Mitrovica,42.89,20.87,3,Constructed,constructed test event,2,1170000000,901
XKX3,2007-06-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Prishtina,,,Prishtina,42.66,21.16,3,Constructed,constructed test event,5,1170000000,901
XKX4,2007-07-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Lipjan,,,Lipjan,42.52,21.12,3,Constructed,constructed test event,4,1170000000,901
XKX5,2009-07-01,2009,1,Political violence,Riots,Violent demonstration,Constructed A,,Gracanica,,,Gracanica,42.60,21.19,3,Constructed,constructed test event,1,1170000000,901
CSV
cat >3w.csv <<'CSV'
Province,P-code,Organisation,Cluster,Targeted,Reached
#adm1+name,#adm1+code,#org+acronym,#sector+cluster+code,#targeted,#reached
Mitrovica,XK01,AADA,HEA,1000,500
Prishtina,XK02,AADA,WSH,2000,
Lipjan,XK03,BRAC,EDU,400,200
Gracanica,XK22,BRAC,EDU,100,100
CSV

both init --mission K --name Kosovo --country XKX
is "$SRC $RC" "0 0" "init on both"
for f in "areas areas.csv" "crosswalk cw.csv" "population pop.csv" "indicators ind.csv" \
	"observations obs.csv" "events ev.csv"; do
	# shellcheck disable=SC2086
	both import $f
	same "import $f"
done
both import 3w 3w.csv --period 2007-01-01/2009-12-31
same "import 3w"
both area crosswalk
same "the crosswalk as stored"

for at in 2008-01-01 2008-12-31 2010-06-30; do
	both progress --at $at --csv
	same "progress --at $at"
done
like "$OUT" "^ATT,XK22,,,higher,2,0,2009-12-31,85," "... Gracanica's series across the change"
both progress --at 2008-12-31 --area XK22 --json
same "progress of a new area gathering the old ones' parts"
both rollup --at 2008-12-31 --csv
same "rollup"
both indicators compute --period year --from 2007-01-01 --to 2009-12-31 --dry-run --csv
same "indicators compute after the change"
like "$OUT" "^cc.incidents_per_100k,XK22,2007-01-01,2007-12-31,0.75$" "... with the carried rate"
both indicators compute --period year --from 2007-01-01 --to 2007-12-31 --dry-run --csv
same "indicators compute before the change"
for a in "" "--to 2007-12-31" "--csv"; do
	# shellcheck disable=SC2086
	both coverage --by cluster $a
	same "coverage --by cluster $a"
done
like "$SERR" "^concord: note: 3 activity records" "... stating the rule"

# every other reader of coverage, carried by the store's coverage read alike
printf 'Area,Sector,In need,Severity\n#adm1+code,#sector+cluster+code,#inneed,#severity\nXK22,EDU,1000,3\nXK21,WSH,5000,2\n' >needs.csv
both import needs needs.csv --period 2009-01-01/2009-12-31
same "import needs"
both gaps --csv
same "gaps"
like "$OUT" "^1,XK22,Gracanica,EDU,Education,3,1000,150,1,2," "... Gracanica covered by its own and Lipjan's share"
both allocate --budget D=100000 --csv
same "allocate from the store"
like "$OUT" "^funding,D,XK22,infrastructure,,85000," "... Gracanica's unmet need 850 funded"
run "$CONCORD" -d "$SQ" report --format md --by cluster -o s.md
run "$CONCORD" -d "$PG" report --format md --by cluster -o p.md
stamp() { grep -v '[0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' "$1"; } # but the imports' times
is "$(stamp p.md)" "$(stamp s.md)" "report (markdown) alike"
like "$(cat p.md)" "^| XK22 | Gracanica | 2 / 1 | – | 1 / 1 | – | 3 / 2 |$" "... with the carried coverage"
run "$CONCORD" -d "$SQ" export areas -o s.geojson --level 1 --with-coverage
run "$CONCORD" -d "$PG" export areas -o p.geojson --level 1 --with-coverage
is "$(cat p.geojson)" "$(cat s.geojson)" "export areas with coverage alike"
like "$(cat p.geojson)" '"pcode": *"XK22".*"activities": *3' "... Gracanica with three activities"

# exposure by area: without boundaries, then with them (the incidents placed by their point)
both exposure --by area --at 2009-12-31 --days 1096
same "exposure by area without boundaries"
like "$OUT" "3 (no boundary covers the point) counted only above" "... three counted only above"
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
both import areas bounds.geojson --level 1 --code-field pcode --parent-field parent
same "import the boundaries"
for a in "--at 2009-12-31 --days 1096 --csv" "--at 2009-12-31 --days 1096 --json" \
	"--at 2007-12-31 --days 365 --csv" "--at 2009-12-31 --days 1096 --level 0"; do
	# shellcheck disable=SC2086
	both exposure --by area $a
	same "exposure by area $a"
done
both exposure --by area --at 2009-12-31 --days 1096 --csv
like "$OUT" "^XK21,Prishtina (2008),1,5,0,0,160000,0.62," "... Prishtina's incident in Prishtina (2008)"
both allocate --budget D=100000 --days 1096 --json
# but the solver's time
OUT=$(printf '%s' "$OUT" | sed 's/"solve_seconds":[^,]*,//') SOUT=$(printf '%s' "$SOUT" | sed 's/"solve_seconds":[^,]*,//')
same "allocate with the exposure of incidents placed by point"
like "$OUT" '"cells":\[{"area":"XK22",[^}]*"exposure":1,.*{"area":"XK21",[^}]*"exposure":1,' \
	"... one incident in each cell's municipality"
run "$CONCORD" -d "$SQ" report --format md --map-measure incidents -o s.md
run "$CONCORD" -d "$PG" report --format md --map-measure incidents -o p.md
is "$(stamp p.md)" "$(stamp s.md)" "report with the map of incidents alike"

# roll-up to Kosovo on each layout; today RET is 60 (XK11, 2009) + 0.3 x 100 (XK12, 2007)
# + 0.8 x 50 (XK21, 2007) + 20 (XK22, 2009) + 0.75 x 40 (XK31, 2007) = 180
for at in "--at 2008-01-01" "--at 2008-12-31" ""; do
	# shellcheck disable=SC2086
	both rollup --level 0 $at --csv
	same "rollup --level 0 $at"
done
like "$OUT" "^RET,governance,sum,XK,Kosovo (constructed),0,,,180,rolled up,5,5," "... today's RET"

# a crosswalk that does not hold: both refuse to read through it
sqlite3 "$SQ" "UPDATE area_crosswalk SET share = 0.5 WHERE new_id = (SELECT id FROM area WHERE pcode = 'XK12')"
psql cc "UPDATE area_crosswalk SET share = 0.5 WHERE new_id = (SELECT id FROM area WHERE pcode = 'XK12')" >/dev/null
both progress --at 2008-12-31
same "shares not adding up: refused alike"
is "$RC" 1 "... exit 1"

done_testing
