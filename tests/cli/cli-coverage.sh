#!/bin/sh
# Coverage on the real Afghanistan 3W, checked against counts computed here from the file and
# the shipped code lists (never from Concord's own output); and the HTML report.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"

"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 >/dev/null 2>&1

cat >expect.py <<'PY'
import csv, sys
root, path, level, by = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
aliases = {r['alias']: r['code'] for r in csv.DictReader(open(root + '/data/codelists/aliases.csv'))
           if r['list'] == 'IASCCluster' and r['scope'] in ('', 'AFG')}
pillar = {r['code']: r['pillar'] for r in csv.DictReader(open(root + '/data/codelists/pillars.csv'))
          if r['vocabulary'] == '10'}
rows = list(csv.reader(open(path, encoding='utf-8-sig', newline='')))[2:]
acts, orgs = {}, {}
for r in rows:
    area = r[2] if level == 1 else r[4]
    cluster = aliases[r[8]]
    col = pillar[cluster] if by == 'pillar' else cluster
    key = (r[5], r[4], r[8])
    acts.setdefault((area, col), set()).add(key)
    orgs.setdefault((area, col), set()).add(r[5])
for (area, col) in sorted(acts):
    print('%s,%s,%d,%d' % (area, col, len(acts[(area, col)]), len(orgs[(area, col)])))
PY

for level in 1 2; do
	for by in pillar cluster; do
		python3 expect.py "$ROOT" "$AFG3W" $level $by >expected.$level.$by
		run "$CONCORD" coverage --level $level --by $by --csv
		is "$RC" 0 "coverage --level $level --by $by --csv"
		printf '%s\n' "$OUT" | python3 -c "
import csv, sys
for r in csv.DictReader(sys.stdin):
    if int(r['activities']) > 0:
        print('%s,%s,%s,%s' % (r['pcode'], r['column'], r['activities'], r['organisations']))
" | sort >got.$level.$by
		sort expected.$level.$by >exp.sorted
		if diff -u exp.sorted got.$level.$by >diff.out; then
			ok "level $level by $by: every cell equals the count from the file ($(wc -l <exp.sorted | tr -d ' ') cells)"
		else
			not_ok "level $level by $by: every cell equals the count from the file" "$(head -20 diff.out)"
		fi
	done
done

# Distinct organisations are recounted at each level, not summed from districts.
run "$CONCORD" coverage --level 1 --json
is "$RC" 0 "coverage --json"
python3 - "$AFG3W" "$WORK/out" >check.out <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))[2:]
cov = json.load(open(sys.argv[2]))
kabul = [r for r in cov['rows'] if r['pcode'] == 'AF01'][0]
print(kabul['totals']['organisations'], len({r[5] for r in rows if r[2] == 'AF01'}))
print(cov['totals']['organisations'], len({r[5] for r in rows}))
print(cov['totals']['activities'], len({(r[5], r[4], r[8]) for r in rows}))
print(len(cov['columns']), 6)
PY
while read -r got want; do
	is "$got" "$want" "JSON totals match the file ($want)"
done <check.out

run "$CONCORD" coverage --level 1
is "$RC" 0 "coverage as a table"
like "$OUT" "AF01 *Kabul" "the table names Kabul"
like "$OUT" "security.*governance.*infrastructure.*economy.*humanitarian.*other" "the table has the six pillar columns"

# A province-level record appears under "unspecified below adm2"
"$CONCORD" -d s.db init --mission AFG --country AFG >/dev/null
"$CONCORD" -d s.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d s.db import 3w "$TDATA/3w/small.csv" >/dev/null
run "$CONCORD" -d s.db coverage --level 2 --csv
like "$OUT" "^AF17,Badakhshan[^,]*,1,true,infrastructure,1,1,,$" "a province-level record is 'unspecified below adm2'"
like "$OUT" "^AF0101,Kabul,2,false,infrastructure,2,1,7200,4500" "people targeted and reached are summed per cell"

# A mission's own pillar for a cluster is used at once, for every record already stored
run "$CONCORD" -d s.db pillar WASH_OP security
is "$RC" 0 "pillar accepts an alias"
like "$OUT" "IASC cluster WSH -> security" "pillar says what it set"
run "$CONCORD" -d s.db coverage --level 1 --csv
like "$OUT" "^AF01,Kabul,1,false,security,2,1," "WASH activities move to security"
like "$OUT" "^AF01,Kabul,1,false,infrastructure,1,1," "education stays in infrastructure"
run "$CONCORD" -d s.db pillar WSH infrastructure
run "$CONCORD" -d s.db coverage --level 1 --csv
like "$OUT" "^AF01,Kabul,1,false,infrastructure,3,1," "setting the default back restores the matrix"
run "$CONCORD" -d s.db pillar 999999 security
is "$RC" 1 "an unknown sector is refused"
like "$ERR" "unknown sector '999999'" "the message names it"
run "$CONCORD" -d s.db pillar WSH peacekeeping
is "$RC" 2 "an unknown pillar is a usage error"
is "$(sqlite3 s.db "select count(*) from change where tbl = 'pillar_map'")" 2 "each override is in the change log"

run "$CONCORD" -d s.db coverage --level 1 --from 2021-10-01 --to 2021-12-31 --csv
like "$OUT" "^AF01,Kabul,1,false,infrastructure,1,1," "the period filter drops activities that ended before it"
like "$OUT" "^AF02,Kapisa,1,false,humanitarian,1,1" "the period filter keeps activities that overlap it"

run "$CONCORD" report -o r.html
is "$RC" 0 "report writes the HTML file"
[ -s r.html ] && ok "report.html is not empty" || not_ok "report.html is not empty"
unlike "$(cat r.html)" "https\?://[a-z]" "the report makes no external requests"
like "$(cat r.html)" "<svg" "the report holds an inline SVG chart"
like "$(cat r.html)" "Kabul" "the report names the areas"

done_testing
