#!/bin/sh
# concord export events: incidents out as CSV in their source's columns, and back in. The real
# UCDP GED excerpt for Afghanistan and the synthetic ACLED file go import → export → import into
# a fresh store, and the two stores' incident tables (every stored field, the area by P-code, the
# digest) are compared with sqlite3; a second export must be byte-identical to the first. Then
# the reader's visibility (--as), the choice of source, and the UCDP GED file of the Central
# African Republic from the shared data when it is there.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
EV="$TDATA/events"

# every stored column of an incident but its row id, batch and line; the area by its P-code
TABLE="SELECT i.source, i.source_id, i.date, i.date_end, i.date_prec, i.type, i.sub_type,
 i.actor1, i.actor2, i.lat, i.lon, i.geo_prec, a.pcode, i.fatalities, i.fat_low, i.fat_high,
 i.revised, i.notes, hex(i.digest), i.releasability, i.deny FROM incident i
 LEFT JOIN area a ON a.id = i.area_id ORDER BY i.source, i.source_id"

fresh() { # fresh DB: a store with the Afghanistan areas (gazetteer and province boundaries)
	"$CONCORD" -d "$1" init --mission AFG --name Afghanistan --country AFG >/dev/null
	"$CONCORD" -d "$1" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	"$CONCORD" -d "$1" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
		--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
}

fresh a.db
run "$CONCORD" -d a.db import events "$CASE/ucdp_ged_v23_1_afg.csv"
is "$RC" 0 "the UCDP excerpt loads"
run "$CONCORD" -d a.db export events -o ucdp.csv
is "$RC" 0 "export events exits 0"
like "$OUT" "^135 incidents written to ucdp.csv" "all 135 incidents are written"
is "$(head -1 ucdp.csv)" \
	"id,type_of_violence,side_a,side_b,date_start,date_end,date_prec,adm_1,adm_2,latitude,longitude,where_prec,best,low,high,admin_pcode" \
	"the header is UCDP GED's columns plus admin_pcode"
is "$(test -e ucdp.csv.tmp && echo left || echo gone)" "gone" "no temporary file is left"

# one row checked against the original file, field by field (python reads both)
is "$(python3 - "$CASE/ucdp_ged_v23_1_afg.csv" ucdp.csv <<'PY'
import csv, sys
orig = {r['id']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'))}
out = list(csv.DictReader(open(sys.argv[2], encoding='utf-8')))
bad = 0
for r in out:
    o = orig[r['id']]
    for k in ('type_of_violence', 'side_a', 'side_b', 'where_prec', 'date_prec'):
        bad += o[k] != r[k]
    for k in ('latitude', 'longitude', 'best', 'low', 'high'):
        bad += float(o[k]) != float(r[k])
    bad += o['date_start'][:10] != r['date_start'] or o['date_end'][:10] != r['date_end']
print(len(out), len(orig), bad)
PY
)" "135 135 0" "every exported row carries the original file's values"

fresh b.db
run "$CONCORD" -d b.db import events ucdp.csv
is "$RC" 0 "the export imports into a fresh store"
like "$OUT" "read 135, added 135, updated 0, removed 0, unchanged 0, rejected 0" \
	"as 135 new incidents, none rejected"
sqlite3 a.db "$TABLE" >a.tab
sqlite3 b.db "$TABLE" >b.tab
is "$(wc -l <a.tab | tr -d ' ')" "135" "the first store has 135 incidents"
is "$(cmp -s a.tab b.tab && echo same || diff a.tab b.tab | head -3)" "same" \
	"both stores hold the same incidents, field by field, area and digest included"
is "$(grep -c '|AF[0-9]*|' a.tab)" "$(grep -c '|AF[0-9]*|' b.tab)" \
	"as many incidents are placed in an area"
"$CONCORD" -d b.db export events -o ucdp2.csv >/dev/null
is "$(cmp -s ucdp.csv ucdp2.csv && echo same || echo differ)" "same" \
	"exporting the re-imported store gives the same file"
run "$CONCORD" -d b.db import events ucdp.csv
like "$OUT" "unchanged since the last import" "a second import changes nothing"

# ---- ACLED (synthetic: ACLED's terms forbid redistributing its data) ----
fresh c.db
"$CONCORD" -d c.db import events "$EV/acled_synthetic.csv" >/dev/null
run "$CONCORD" -d c.db export events -o acled.csv
like "$OUT" "^7 incidents written" "the seven ACLED incidents are written"
like "$(head -1 acled.csv)" "^event_id_cnty,event_date,time_precision,event_type,sub_event_type," \
	"in ACLED's columns"
like "$(grep AFG90004 acled.csv)" "^AFG90004,2021-09-02," "the old date format comes out as ISO"
fresh d.db
run "$CONCORD" -d d.db import events acled.csv
is "$RC" 0 "the ACLED export imports into a fresh store"
sqlite3 c.db "$TABLE" >c.tab
sqlite3 d.db "$TABLE" >d.tab
is "$(cmp -s c.tab d.tab && echo same || diff c.tab d.tab | head -3)" "same" \
	"both stores hold the same ACLED incidents (notes, revision time, sub-type included)"

# ---- two sources in one store: choose one ----
"$CONCORD" -d c.db import events "$CASE/ucdp_ged_v23_1_afg.csv" >/dev/null
run "$CONCORD" -d c.db export events -o both.csv
is "$RC" 2 "with both sources stored, no --source is a usage error"
like "$ERR" "choose one with --source" "naming the option"
is "$(test -e both.csv && echo written || echo none)" "none" "and writes nothing"
run "$CONCORD" -d c.db export events --source acled -o only.csv
like "$OUT" "^7 incidents written" "--source acled writes the ACLED ones"
run "$CONCORD" -d c.db export events --source ucdp -o only.csv
like "$OUT" "^135 incidents written" "--source ucdp the UCDP ones"
run "$CONCORD" -d c.db export events --source gdelt -o only.csv
is "$RC" 2 "an unknown source is a usage error"
run "$CONCORD" -d c.db export 3w --source ucdp -o x.csv
is "$RC" 2 "--source is refused for other exports"

# ---- visibility: what the reader may not see is not written ----
ID=$(sqlite3 a.db "SELECT id FROM incident WHERE source_id = '133925'")
run "$CONCORD" -d a.db mark incident "$ID" --releasability org
is "$RC" 0 "an incident is marked for its owner only"
run "$CONCORD" -d a.db --as public export events -o public.csv
like "$OUT" "^134 incidents written" "the public export leaves it out"
is "$(grep -c '^133925,' public.csv)" "0" "the marked incident is not in the file"
run "$CONCORD" -d a.db export events -o operator.csv
like "$OUT" "^135 incidents written" "the operator's export keeps it"

# ---- a failed export leaves nothing behind ----
run "$CONCORD" -d a.db export events -o no-such-dir/x.csv
is "$RC" 1 "an unwritable path fails"
like "$ERR" "cannot create no-such-dir/x.csv.tmp" "naming the file"

# ---- the whole UCDP GED file of the Central African Republic (shared data) ----
CAF="$SHARED/events/ucdp_ged_v23_1_caf.csv"
if [ -f "$CAF" ]; then
	"$CONCORD" -d e.db init --mission C --name C >/dev/null
	"$CONCORD" -d e.db import events "$CAF" >/dev/null
	"$CONCORD" -d e.db export events -o caf.csv >/dev/null
	"$CONCORD" -d f.db init --mission C --name C >/dev/null
	run "$CONCORD" -d f.db import events caf.csv
	like "$OUT" "rejected 0" "the CAR export imports without a rejected row"
	sqlite3 e.db "$TABLE" >e.tab
	sqlite3 f.db "$TABLE" >f.tab
	is "$(wc -l <e.tab | tr -d ' ')/$(cmp -s e.tab f.tab && echo same || echo differ)" \
		"$(python3 -c "import csv,sys;print(len({r['id'] for r in csv.DictReader(open(sys.argv[1],encoding='utf-8-sig'))}))" "$CAF")/same" \
		"every CAR incident comes back the same"
else
	skip "the CAR export imports without a rejected row" "no shared data"
	skip "every CAR incident comes back the same" "no shared data"
fi

done_testing
