#!/bin/sh
# Time series across a re-districting on PostgreSQL against SQLite: the constructed case of
# cli-crosswalk.sh (a split, a merge, populations of the old layout only) imported on both, and
# every reader that carries values through the crosswalk (progress after and before the change,
# an area of the new layout, indicators compute, coverage) compared byte for byte, standard error
# and exit status included; a crosswalk that does not hold refused alike. Skips, saying why,
# where PostgreSQL is missing.
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

# a crosswalk that does not hold: both refuse to read through it
sqlite3 "$SQ" "UPDATE area_crosswalk SET share = 0.5 WHERE new_id = (SELECT id FROM area WHERE pcode = 'XK12')"
psql cc "UPDATE area_crosswalk SET share = 0.5 WHERE new_id = (SELECT id FROM area WHERE pcode = 'XK12')" >/dev/null
both progress --at 2008-12-31
same "shares not adding up: refused alike"
is "$RC" 1 "... exit 1"

done_testing
