#!/bin/sh
# The case packs (data/cases/*): `concord demo load CASE` into a fresh store, then the records
# stored counted against counts computed here from the pack's own files (python3 csv and xml),
# and the Afghanistan manifest against the steps of the Makefile's demo target.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
CASES="$ROOT/data/cases"
# steps write their outputs (the 3W rejects file) where they run: here, with the cases beside
ln -s "$ROOT/data" data

count() { # count DB SQL
	sqlite3 "$1" "$2"
}

# ---- Libya ----
run "$CONCORD" -d lby.db demo load libya
is "$RC" 0 "demo load libya"
like "$ERR" "demo libya: \[6/7\] concord import 3w" "progress lines name each step"
like "$ERR" "demo libya: 7 steps done" "and the end"
python3 - "$CASES/libya" >expected <<'PY'
import csv, glob, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
gaz = list(csv.DictReader(open(d + '/lby_pcodes_2021.csv', encoding='utf-8')))
areas = len(gaz) + len({r['Parent P-Code'] for r in gaz if r['Admin Level'] == '1'})
pop = sum(1 for r in csv.DictReader(open(d + '/lby_population_adm1.csv')) if r['alpha_3'] == 'LBY')
ev = len(list(csv.DictReader(open(d + '/ucdp_ged_v23_1_lby.csv', newline='', encoding='utf-8'))))
w3 = list(csv.reader(open(d + '/lby_3w_operational_presence_2021_05.csv', encoding='utf-8')))[2:]
orgs = len({r[3].strip() for r in w3})
iati = len(ET.parse(d + '/lby_iati_activities_excerpt.xml').getroot().findall('iati-activity'))
lessons = len(glob.glob(d + '/../../lessons/*.md'))
print(areas, pop, ev, len(w3), orgs, iati, lessons)
PY
read -r areas pop ev w3 orgs iati lessons <expected
is "$(count lby.db 'SELECT count(*) FROM area')" "$areas" "Libya: $areas areas (22 mantikas, 3 regions, the country)"
is "$(count lby.db 'SELECT count(*) FROM population')" "$pop" "Libya: population of $pop regions"
is "$(count lby.db 'SELECT count(*) FROM incident')" "$ev" "Libya: $ev UCDP events"
is "$(count lby.db "SELECT count(*) FROM activity a JOIN source s ON s.id = a.source_id
	WHERE s.name = 'lby_3w_operational_presence_2021_05.csv'")" "$w3" "Libya: every 3W row stored ($w3)"
is "$(count lby.db 'SELECT count(DISTINCT org_id) FROM submission')" "$orgs" \
	"Libya: the 3W is one round of $orgs partners"
is "$(count lby.db 'SELECT count(*) FROM iati_activity')" "$iati" "Libya: $iati IATI activities"
is "$(count lby.db 'SELECT count(*) FROM lesson')" "$lessons" "Libya: the lessons register"
run "$CONCORD" -d lby.db rounds
like "$OUT" "2021-05-01/2021-05-31: $orgs of $orgs organisations reported" "rounds of the Libya case"

# loading again changes nothing
before=$(count lby.db 'SELECT count(*) FROM change')
run "$CONCORD" -d lby.db demo load libya
is "$RC" 0 "demo load libya again"
is "$(count lby.db "SELECT count(*) FROM change WHERE tbl NOT IN ('mission')")" \
	"$(count lby.db "SELECT count(*) FROM change WHERE id <= $before AND tbl NOT IN ('mission')")" \
	"and stores no new record"

# ---- Kosovo ----
run "$CONCORD" -d xkx.db demo load kosovo
is "$RC" 0 "demo load kosovo"
python3 - "$CASES/kosovo" >expected <<'PY'
import csv, json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
f = json.load(open(d + '/xkx_municipalities30_naturalearth.geojson', encoding='utf-8'))['features']
ev = list(csv.DictReader(open(d + '/ucdp_ged_v23_1_kosovo.csv', newline='', encoding='utf-8')))
iati = len(ET.parse(d + '/xkx_iati_activities_excerpt.xml').getroot().findall('iati-activity'))
print(len(f), len({x['properties']['gn_name'] for x in f}), len(ev), iati,
      sum(1 for e in ev if e['adm_1'] == 'Kosovo province'))
PY
read -r areas aliases ev iati kos <expected
is "$(count xkx.db 'SELECT count(*) FROM area WHERE level = 1')" "$areas" "Kosovo: $areas municipalities"
is "$(count xkx.db 'SELECT count(*) FROM area_alias')" "$aliases" "Kosovo: one alias each"
is "$(count xkx.db 'SELECT count(*) FROM incident')" "$ev" "Kosovo: $ev UCDP events"
is "$kos" "$ev" "all of them in Kosovo province"
is "$(count xkx.db 'SELECT count(*) FROM incident WHERE area_id IS NOT NULL')" "$ev" \
	"each placed in a municipality"
is "$(count xkx.db 'SELECT count(*) FROM iati_activity')" "$iati" "Kosovo: $iati IATI activities"
# an alias from the pack finds its municipality by name
is "$(count xkx.db "SELECT a.pcode FROM area a JOIN area_alias x ON x.area_id = a.id
	WHERE x.alias_norm = 'komuna e prishtines'")" "KOS-5902" "the Albanian GeoNames name of Priština"

# ---- Afghanistan: the manifest does what the Makefile's demo target did ----
run "$CONCORD" -d afg.db demo load afghanistan
is "$RC" 0 "demo load afghanistan (the 3W's rejected duplicates are expected)"
step=$(printf '%s\n' "$ERR" | sed -n 's/^demo afghanistan: \(\[[0-9]*\/[0-9]*\]\) concord import 3w.*/\1/p')
like "$ERR" "$(printf '%s' "$step" | sed 's/\[/\\[/; s/\]/\\]/') exit status 3, as expected" \
	"the 3W step $step ends with 3"
# make demo loads this very manifest
like "$(sed -n '/^demo: /,/^$/p' "$ROOT/Makefile")" 'demo load afghanistan' \
	"the Makefile's demo target runs demo load afghanistan"
python3 - "$CASES/afghanistan" >expected <<'PY'
import csv, glob, sys
d = sys.argv[1]
ev = len(list(csv.DictReader(open(d + '/ucdp_ged_v23_1_afg.csv', newline='', encoding='utf-8'))))
figs = ('Population', 'In Need', 'Targeted', 'Affected', 'Reached')
needs = sum(1 for r in csv.DictReader(open(d + '/afg_hno_2024_needs_by_area.csv', encoding='utf-8'))
            if any(r[f].strip() for f in figs))
lessons = len(glob.glob(d + '/../../lessons/*.md'))
pop = len(list(csv.DictReader(open(d + '/afg_population_adm1.csv', encoding='utf-8'))))
print(ev, needs, lessons, pop)
PY
read -r ev needs lessons pop <expected
is "$(count afg.db 'SELECT count(*) FROM incident')" "$ev" "afghanistan: every UCDP event ($ev)"
is "$(count afg.db 'SELECT count(*) FROM need')" "$needs" "afghanistan: every needs row with a figure ($needs)"
is "$(count afg.db 'SELECT count(*) FROM lesson')" "$lessons" "afghanistan: the seed lessons ($lessons)"
is "$(count afg.db 'SELECT count(*) FROM population')" "$pop" "afghanistan: the population of every province ($pop)"
python3 - "$CASES/afghanistan" >expected <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + '/afg_3w_operational_presence_2021q3.csv', encoding='utf-8-sig')))[2:]
print(len({tuple(r) for r in rows}))
PY
is "$(count afg.db "SELECT count(*) FROM activity a JOIN source s ON s.id = a.source_id
	WHERE s.name = 'afg_3w_operational_presence_2021q3.csv'")" "$(cat expected)" \
	"afghanistan: every distinct 3W row stored"

# bad manifests and cases
mkdir bad
printf '0 init --mission X --name X\nzero import 3w ./x.csv\n' >bad/case.txt
run "$CONCORD" -d bad.db demo load ./bad
is "$RC" 1 "a bad manifest is refused"
like "$ERR" "bad/case.txt:2: exit statuses must look like 0 or 0,3" "naming its line"
if [ "$CC_BACKEND" = postgres ]; then
	# the PostgreSQL pass makes the store's database before the command runs: nothing ran if
	# it holds no schema (init's migrations never ran)
	is "$(sqlite3 bad.db "SELECT to_regclass('mission') IS NULL")" 1 "nothing ran"
else
	test -e bad.db && not_ok "nothing ran" || ok "nothing ran"
fi
printf '0 init --mission X --name X\n0 import areas ./missing.csv\n0 init\n' >bad/case.txt
run "$CONCORD" -d bad.db demo load ./bad
is "$RC" 1 "a failing step stops the load"
like "$ERR" "bad/case.txt:2: step 2 ended with exit status 1, not as expected; stopped" \
	"saying which step"
unlike "$ERR" "\[3/3\]" "the steps after it do not run"
run "$CONCORD" demo load nowhere
is "$RC" 1 "an unknown case"
like "$ERR" "no case 'nowhere'" "is named"
run "$CONCORD" demo list
is "$OUT" "$(ls "$CASES" | while read -r c; do [ -f "$CASES/$c/case.txt" ] && echo "$c"; done)" \
	"demo list lists the cases"

done_testing
