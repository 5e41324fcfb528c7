#!/bin/sh
# Writers and the audit: `export 3w` round trip, `export areas` GeoJSON, `audit verify`.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"

# Every activity of a store as comparable tuples, read with SQL (not through Concord).
cat >acts.py <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""
SELECT coalesce(o.acronym, ''), o.name, coalesce(o.type, ''), coalesce(i.name, ''),
       r.pcode, s.vocabulary, s.code, coalesce(a.title, ''), coalesce(a.description, ''),
       a.start_date, a.end_date, a.targeted, a.reached, a.budget, coalesce(a.currency, ''),
       coalesce(a.status, ''), a.lat, a.lon, a.kind
FROM activity a JOIN organisation o ON o.id = a.org_id
LEFT JOIN organisation i ON i.id = a.impl_org_id
JOIN area r ON r.id = a.area_id JOIN sector s ON s.id = a.sector_id""").fetchall()
for r in sorted(rows, key=repr):
    print(repr(r))
PY

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 >/dev/null 2>&1
"$CONCORD" import 3w "$TDATA/3w/small.csv" --source partners >/dev/null
N_DB=$(sqlite3 concord.db 'select count(*) from activity')
is "$N_DB" 2343 "the store holds 2335 + 8 activities"

run "$CONCORD" export 3w -o out.csv
is "$RC" 0 "export 3w exits 0"
like "$OUT" "^2343 activities written to out.csv" "it says how many rows it wrote"
[ -e out.csv.tmp ] && not_ok "no temporary file left" || ok "no temporary file left"

# The file as a CSV reader sees it: 2 header rows, then one row per activity.
python3 - out.csv "$TDATA/3w/small.csv" >check <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline='')))
tags = rows[1]
need = ['#org+acronym', '#org+name', '#org+type+code', '#org+impl+name', '#sector+code',
        '#adm1+code', '#adm1+name', '#adm2+code', '#adm2+name', '#activity', '#date+start',
        '#date+end', '#targeted', '#reached', '#status', '#value+budget', '#currency',
        '#geo+lat', '#geo+lon']
print(len(rows) - 2, all(t in tags for t in need), len({len(r) for r in rows}))
col = {t: tags.index(t) for t in tags}
# the small file's rows are the last 8, in line order (source partners was imported second)
small = list(csv.reader(open(sys.argv[2], encoding='utf-8', newline='')))[2:]
out = rows[-8:]
same = 0
for s, o in zip(small, out):
    if (s[0] == o[col['#org+acronym']] and s[5] == o[col['#adm1+code']]
            and s[6] == o[col['#adm2+code']] and s[7] == o[col['#activity']]
            and s[8] == o[col['#date+start']] and s[9] == o[col['#date+end']]
            and s[10] == o[col['#targeted']] and s[11] == o[col['#reached']]):
        same += 1
print(same)
# the district names come from the gazetteer: AF0101 is Kabul city's district
print([o[col['#adm2+name']] for o in out if o[col['#adm2+code']] == 'AF0101'][0])
PY
read -r N_ROWS TAGS_OK N_WIDTHS <check
is "$N_ROWS" 2343 "2343 activity rows below the two header rows"
is "$TAGS_OK" True "every required hashtag is in the hashtag row"
is "$N_WIDTHS" 1 "every row has the same number of fields"
is "$(sed -n 2p check)" 8 "the 8 rows of small.csv come out with their org, P-codes, text, dates, figures"
is "$(sed -n 3p check)" "$(awk -F, '$3 == "AF0101" { print $4 }' "$CASE/afg_global_pcodes_subset.csv" | head -1)" \
	"#adm2+name is the gazetteer's name of the district"

# Round trip: the export imported into a fresh store holds the same records.
"$CONCORD" -d rt.db init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d rt.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" -d rt.db import 3w out.csv
is "$RC" 0 "the export imports with no rejected row"
like "$OUT" "read 2343, added 2343, updated 0, removed 0, unchanged 0, rejected 0" "every row added"
python3 acts.py concord.db >a.txt
python3 acts.py rt.db >b.txt
is "$(wc -l <a.txt | tr -d ' ')" 2343 "2343 activities compared"
if cmp -s a.txt b.txt; then ok "every activity's fields are the same in both stores"; else
	not_ok "every activity's fields are the same in both stores" "$(diff a.txt b.txt | head -5)"; fi

is "$(sqlite3 rt.db 'select count(*) from activity where kind = 0')" "$(sqlite3 concord.db 'select count(*) from activity where kind = 0')" "operational-presence rows stay presence (#meta+kind)"
printf 'Org,Cluster,District,Kind\n#org+acronym,#sector+cluster+code,#adm2+code,#meta+kind\nNRC,WSH,AF0101,maybe\n' >kind.csv
run "$CONCORD" -d rt.db import 3w kind.csv --period 2021-07-01/2021-09-30
like "$ERR" "kind.csv:3: #meta+kind: unknown kind 'maybe' (presence or activity)" "a bad kind is rejected with its field"

run "$CONCORD" export 3w -o /nonexistent-dir/x.csv
is "$RC" 1 "an unwritable path fails"
like "$ERR" "cannot create /nonexistent-dir/x.csv.tmp" "and names the file"
run "$CONCORD" export gpx -o x
is "$RC" 2 "an unknown export kind is a usage error"
run "$CONCORD" export 3w
is "$RC" 2 "-o is required"

# ---- areas as GeoJSON: the demo's provinces with coverage ----
"$CONCORD" -d g.db init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d g.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d g.db import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" -d g.db import 3w "$AFG3W" --period 2021-07-01/2021-09-30 >/dev/null 2>&1
run "$CONCORD" -d g.db export areas --level 1 --with-coverage -o adm1.geojson
is "$RC" 0 "export areas exits 0"
like "$OUT" "^34 areas written to adm1.geojson" "34 provinces written"
"$CONCORD" -d g.db coverage --level 1 --json >cov.json
python3 - adm1.geojson cov.json "$CASE/afg_global_pcodes_subset.csv" g.db >gcheck <<'PY'
import csv, json, sqlite3, sys
fc = json.load(open(sys.argv[1]))
feats = fc['features']
print(fc['type'], len(feats))
# every level-1 P-code of the store, once; parents as the gazetteer gives them
gaz = {r['P-Code']: r['Parent P-Code']
       for r in csv.DictReader(open(sys.argv[3], encoding='utf-8-sig'))}
got = sorted(f['properties']['pcode'] for f in feats)
db = sqlite3.connect(sys.argv[4])
want = sorted(r[0] for r in db.execute('select pcode from area where level = 1'))
print(got == want, len(set(got)))
def rings(g):
    if g['type'] == 'Polygon':
        return g['coordinates']
    return [r for p in g['coordinates'] for r in p]
closed = all(r[0] == r[-1] and len(r) >= 4 for f in feats for r in rings(f['geometry']))
print(closed, all(f['properties']['level'] == 1 and
                  f['properties']['parent'] == gaz[f['properties']['pcode']] for f in feats))
# coverage numbers as `coverage --json` gives them
cov = json.load(open(sys.argv[2]))
rows = {r['pcode']: r for r in cov['rows'] if not r['unspecified']}
bad = 0
for f in feats:
    p = f['properties']
    r = rows.get(p['pcode'])
    want = {'activities': r['totals']['activities'] if r else 0,
            'organisations': r['totals']['organisations'] if r else 0}
    for c in cov['columns']:
        want[c['code']] = 0
    for c in (r['cells'] if r else []):
        want[c['column']] = c['activities']
    if any(p[k] != v for k, v in want.items()):
        bad += 1
print(bad, sum(f['properties']['activities'] for f in feats))
# the same activities counted with SQL: by the province of each activity's area
n_sql = db.execute("""select count(*) from activity a join area d on d.id = a.area_id
  left join area p on p.id = d.parent_id""").fetchone()[0]
print(n_sql)
PY
is "$(sed -n 1p gcheck)" "FeatureCollection 34" "a FeatureCollection of 34 features"
is "$(sed -n 2p gcheck)" "True 34" "every province's P-code, once"
is "$(sed -n 3p gcheck)" "True True" "every ring is closed; level 1, parent the country"
is "$(sed -n 4p gcheck | cut -d' ' -f1)" 0 "each feature's counts (total, organisations, per pillar) equal coverage --json"
is "$(sed -n 4p gcheck | cut -d' ' -f2)" "$(sed -n 5p gcheck)" "the features' activities add up to every activity"

# re-import the GeoJSON into a fresh store: the same bounding boxes
"$CONCORD" -d h.db init --mission AFG --name Afghanistan --country AFG >/dev/null
run "$CONCORD" -d h.db import areas adm1.geojson --level 1 --code-field pcode --name-field name
is "$RC" 0 "the exported GeoJSON imports back"
BOX="select pcode, minx, miny, maxx, maxy from area where level = 1 order by pcode"
is "$(sqlite3 h.db "$BOX" | md5sum)" "$(sqlite3 g.db "$BOX" | md5sum)" "the same bounding boxes"
is "$(sqlite3 h.db 'select count(*) from area where level = 1 and geom is not null')" 34 "34 areas with geometry"

# ---- audit verify ----
N_LOG=$(sqlite3 g.db 'select count(*) from change')
HEAD=$(sqlite3 g.db 'select hash from change order by id desc limit 1')
run "$CONCORD" -d g.db audit verify
is "$RC" 0 "audit verify exits 0 on an intact log"
is "$OUT" "change log verified: $N_LOG entries, head $HEAD" "it prints the count and the head hash"
cp g.db g2.db
# the log's guards set aside as each backend allows (SQLite: its triggers; PostgreSQL: the
# append-only trigger of migration 0001, which guards both UPDATE and DELETE)
if [ "$CC_BACKEND" = postgres ]; then
	UNGUARD_UPD="alter table change disable trigger change_no_update"
	UNGUARD_DEL=$UNGUARD_UPD
else
	UNGUARD_UPD="drop trigger change_no_update"
	UNGUARD_DEL="drop trigger change_no_delete"
fi
sqlite3 g.db "$UNGUARD_UPD; update change set detail = 'forged' where id = 2"
run "$CONCORD" -d g.db audit verify
is "$RC" 1 "a tampered log fails"
like "$ERR" "change log entry 2 does not match its hash" "naming the first broken entry"
sqlite3 g2.db "$UNGUARD_DEL; delete from change where id = 1"
run "$CONCORD" -d g2.db audit verify
is "$RC" 1 "a log with an entry removed fails"
like "$ERR" "change log entry 2 does not follow the entry before it" "naming the entry after the gap"
run "$CONCORD" -d g.db -m NOPE export 3w -o x.csv
is "$RC" 1 "an unknown mission fails"
[ -e x.csv ] || [ -e x.csv.tmp ] && not_ok "no file for an unknown mission" || ok "no file for an unknown mission"
run "$CONCORD" -d g.db audit
is "$RC" 2 "audit without verify is a usage error"

done_testing
