#!/bin/sh
# Time series across a re-districting. A constructed case modelled on Kosovo's change of 2008
# (30 municipalities became 38; the case pack has no crosswalk, see data/cases/kosovo/README.md):
# Mitrovica split 0.7/0.3 into Mitrovica South and North Mitrovica, Prishtina 0.8 into a new
# Prishtina and 0.2 into Gracanica, Lipjan 0.25 into Gracanica and 0.75 into a new Lipjan, all on
# 2008-06-15. Every reader by area shows values on the layout of the query's date: indicator
# observations (`progress`, counts split, a population-weighted rate recomputed from split
# numerators and denominators), computed indicators (`indicators compute`: incidents per 100,000
# and fatalities), coverage (`coverage`); a date before the change shows the old areas as they
# were. Every expected figure is worked out by hand in the comments from the files below.
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
# fatalities), one in Prishtina (5), one in Lipjan (4); 2009: one in Gracanica (1).
cat >ev.csv <<'CSV'
event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso
XKX1,2007-03-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Mitrovica,,,Mitrovica,42.89,20.87,3,Constructed,constructed test event,2,1170000000,901
XKX2,2007-05-01,2007,1,Political violence,Riots,Violent demonstration,Constructed A,,Mitrovica,,,Mitrovica,42.89,20.87,3,Constructed,constructed test event,0,1170000000,901
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

done_testing
