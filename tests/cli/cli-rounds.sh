#!/bin/sh
# Reporting rounds (concord rounds, coverage counting each organisation's latest submission,
# --as-of), the blank 3W template and its round trip, area aliases, and a re-districting: one
# district split into two with shares 0.6/0.4, its population carried across. Hand-made 3W files
# on the real Afghanistan P-codes; every expected count is recomputed here from the files.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

"$CONCORD" init --mission T --name Test --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

# Q3 2021: AADA and BRAC report in a.csv; AADA sends a corrected Q3 (b.csv) two weeks later;
# in Q4 only BRAC reports. CARE is a member of the mission and never reports.
cat >a.csv <<'CSV'
Province,P-code,District P-code,Organisation,Cluster
#adm1+name,#adm1+code,#adm2+code,#org+acronym,#sector+cluster+code
Kabul,AF01,AF0101,AADA,HEA
Kabul,AF01,AF0102,AADA,WSH
Kabul,AF01,AF0101,BRAC,EDU
CSV
cat >b.csv <<'CSV'
Province,P-code,District P-code,Organisation,Cluster
#adm1+name,#adm1+code,#adm2+code,#org+acronym,#sector+cluster+code
Kabul,AF01,AF0101,AADA,HEA
Kabul,AF01,AF0103,AADA,PRO
CSV
cat >c.csv <<'CSV'
Province,P-code,District P-code,Organisation,Cluster
#adm1+name,#adm1+code,#adm2+code,#org+acronym,#sector+cluster+code
Kabul,AF01,AF0104,BRAC,EDU
CSV

# import FILE PERIOD TIME: an import, then its submissions dated TIME (tests play the calendar)
import_at() {
	"$CONCORD" import 3w "$1" --period "$2" >/dev/null || return 1
	sqlite3 concord.db "UPDATE submission SET imported_at = '$3' WHERE source_id =
		(SELECT id FROM source WHERE name = '$1'); UPDATE source SET imported_at = '$3'
		WHERE name = '$1'"
}
Q3=2021-07-01/2021-09-30
Q4=2021-10-01/2021-12-31
import_at a.csv $Q3 2021-10-05T08:00:00Z
import_at b.csv $Q3 2021-10-20T08:00:00Z
import_at c.csv $Q4 2022-01-10T08:00:00Z
"$CONCORD" member add CARE --kind ngo --name "CARE International" >/dev/null

run "$CONCORD" rounds
is "$RC" 0 "rounds runs"
like "$OUT" "2021-07-01/2021-09-30: 2 of 3 organisations reported" "Q3: two of three reported"
like "$OUT" "reported  local:AADA .*b.csv, 2 row(s), .*(supersedes 1 earlier)" \
	"AADA's corrected Q3 counts, the first is superseded"
like "$OUT" "2021-10-01/2021-12-31: 1 of 3 organisations reported" "Q4: one of three"
like "$OUT" "missing   local:CARE" "CARE never reported"

run "$CONCORD" rounds --csv
is "$(printf '%s\n' "$OUT" | grep -c ',missing,')" 3 "three missing reports (CARE twice, AADA in Q4)"

# coverage per district: the activities of each organisation's latest submission per period,
# as known by a date (None: now), recomputed from the files
python3 - >expected <<'PY'
import csv
subs = [('a.csv', 'Q3', '2021-10-05'), ('b.csv', 'Q3', '2021-10-20'), ('c.csv', 'Q4', '2022-01-10')]
rows = {f: list(csv.reader(open(f)))[2:] for f, _, _ in subs}
def counts(as_of):
    latest = {}
    for f, q, t in subs:
        if as_of and t > as_of:
            continue
        for r in rows[f]:
            latest[(r[3], q)] = f          # later files come later in the list
    n = {}
    for (org, q), f in latest.items():
        for r in rows[f]:
            if r[3] == org:
                n[r[2]] = n.get(r[2], 0) + 1
    return ' '.join('%s=%d' % kv for kv in sorted(n.items()))
for d in (None, '2021-10-10', '2021-10-25', '2021-10-01'):
    print(d or 'now', counts(d))
PY
got() { # got [--as-of D]: activities per district from coverage --csv
	"$CONCORD" coverage --level 2 --csv "$@" |
		awk -F, 'NR > 1 && $6 > 0 { n[$1] += $6 } END { for (p in n) print p "=" n[p] }' |
		sort | tr '\n' ' ' | sed 's/ $//'
}
is "now $(got)" "$(sed -n 1p expected)" "coverage counts only the latest submission of each org and quarter"
is "2021-10-10 $(got --as-of 2021-10-10)" "$(sed -n 2p expected)" \
	"coverage --as-of between the two Q3 files shows the first"
is "2021-10-25 $(got --as-of 2021-10-25)" "$(sed -n 3p expected)" "--as-of after the correction"
is "2021-10-01 $(got --as-of 2021-10-01)" "$(sed -n 4p expected)" "--as-of before any import: nothing"
run "$CONCORD" rounds --as-of 2021-10-10
like "$OUT" "reported  local:AADA .*a.csv" "rounds --as-of shows AADA's first file"
unlike "$OUT" "2021-10-01/2021-12-31" "and no Q4 yet"
run "$CONCORD" coverage --as-of 2021-13-01
is "$RC" 2 "a bad --as-of date is a usage error"

# idempotent: importing b.csv again adds no submission
n1=$(sqlite3 concord.db "SELECT count(*) FROM submission")
"$CONCORD" import 3w b.csv --period $Q3 >/dev/null
is "$(sqlite3 concord.db "SELECT count(*) FROM submission")" "$n1" "re-import adds no submission"

# a store of the version before rounds: `concord migrate` makes one submission per source and
# organisation from what it holds (undone by hand here, so only while rounds is the last migration)
V=$(grep -o "store/migrations/[0-9]*_" "$ROOT/src/meson.build" | grep -n "/0014_" | cut -d: -f1)
if [ "$(sqlite3 concord.db 'PRAGMA user_version')" = "$V" ]; then
	cp concord.db old.db
	sqlite3 old.db "DROP TABLE submission; DROP TABLE area_crosswalk; ALTER TABLE area DROP
		COLUMN valid_from; ALTER TABLE area DROP COLUMN valid_to; PRAGMA user_version = $((V - 1))"
	run "$CONCORD" -d old.db rounds
	is "$RC" 1 "an older store is refused"
	run "$CONCORD" -d old.db migrate
	is "$RC" 0 "and migrated"
	is "$(sqlite3 old.db "SELECT s.name || ':' || o.key || ':' || x.n_rows FROM submission x
		JOIN source s ON s.id = x.source_id JOIN organisation o ON o.id = x.org_id
		ORDER BY s.name, o.key" | tr '\n' ' ')" \
		"a.csv:local:AADA:2 a.csv:local:BRAC:1 b.csv:local:AADA:2 c.csv:local:BRAC:1 " \
		"one submission per source and organisation, with its rows"
else
	for i in 1 2 3; do skip "migration to rounds" "later migrations follow it"; done
fi

# the template: header and hashtags import 3w reads; lists of codes beside it
run "$CONCORD" template 3w -o tpl.csv
is "$RC" 0 "template 3w writes"
python3 - "$CASE/afg_global_pcodes_subset.csv" "$CC_SOURCE_ROOT/data/codelists/IASCCluster.csv" \
	>expected <<'PY'
import csv, sys
g = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')))
cl = list(csv.DictReader(open(sys.argv[2], encoding='utf-8-sig')))
# the gazetteer's areas plus the country it names; clusters of vocabulary 10; 3 organisations
print(len(g) + 1, len(cl), 3)
PY
like "$OUT" "lists of $(cut -d' ' -f1 expected) areas, $(cut -d' ' -f2 expected) sectors, 3 organisations" \
	"the lists hold every area, cluster and organisation"
is "$(sed -n 2p tpl.csv)" \
	"#adm1+name,#adm1+code,#adm2+name,#adm2+code,#org+acronym,#org+impl+name,#sector+cluster+code,#activity,#date+start,#date+end,#targeted,#reached" \
	"the hashtag row"
is "$(grep -c '' tpl.csv)" 2 "no data rows"
# a partner fills it in from the lists: two rows
python3 - tpl-lists.csv >>tpl.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))[2:]
adm1 = {r[1]: r[2] for r in rows if r[0] == 'adm1'}
adm2 = [r for r in rows if r[0] == 'adm2']
sec = [r[1] for r in rows if r[0] == 'sector']
org = [r[1] for r in rows if r[0] == 'organisation']
w = csv.writer(sys.stdout, lineterminator='\n')
for i in (0, 7):
    d = adm2[i]
    w.writerow([adm1[d[3]], d[3], d[2], d[1], org[i % len(org)], '', sec[i % len(sec)],
                'filled-in row %d' % i, '2022-01-01', '2022-03-31', '120', ''])
PY
run "$CONCORD" import 3w tpl.csv
is "$RC" 0 "the filled-in template imports"
like "$OUT" "read 2, added 2, .* rejected 0" "both rows stored"

# area aliases feed the name fallback of the importers
cat >alias.csv <<'CSV'
Province,District,Organisation,Cluster
#adm1+code,#adm2+name,#org+acronym,#sector+cluster+code
AF01,Kabul City,AADA,HEA
CSV
run "$CONCORD" import 3w alias.csv --period $Q4
is "$RC" 3 "an unknown district name is rejected"
run "$CONCORD" area alias add AF0101 "Kabul City"
is "$RC" 0 "area alias add"
run "$CONCORD" import 3w alias.csv --period $Q4
is "$RC" 0 "after the alias the row is placed"
is "$(sqlite3 concord.db "SELECT a.pcode FROM activity x JOIN area a ON a.id = x.area_id
	JOIN source s ON s.id = x.source_id WHERE s.name = 'alias.csv'")" AF0101 "in AF0101"
run "$CONCORD" area alias add AF9999 Nowhere
is "$RC" 1 "alias of an unknown P-code fails"

# a re-districting: AF0101 split into two new districts, 0.6 and 0.4, on 2022-01-01
printf 'ADM_PCODE,alpha_3,Population\nAF0101,AFG,1000\nAF0102,AFG,250\n' >pop.csv
"$CONCORD" import population pop.csv >/dev/null
printf 'P-Code,Name,Admin Level,Parent P-Code\nAF0151,Kabul North,2,AF01\nAF0152,Kabul South,2,AF01\n' >new.csv
"$CONCORD" import areas new.csv >/dev/null
printf 'old_pcode,new_pcode,share,date\nAF0101,AF0151,0.6,2022-01-01\nAF0101,AF0152,0.4,2022-01-01\n' >cw.csv
run "$CONCORD" import crosswalk cw.csv
is "$RC" 0 "import crosswalk"
like "$OUT" "read 2, added 2, .* rejected 0" "two crosswalk rows"
run "$CONCORD" import crosswalk cw.csv
like "$OUT" "unchanged since the last import" "the same crosswalk again changes nothing"
run "$CONCORD" area valid AF0101
is "$OUT" "AF0101 valid from (open) to 2021-12-31" "the old district ends the day before"
run "$CONCORD" area valid AF0152
is "$OUT" "AF0152 valid from 2022-01-01 to (open)" "the new one begins that day"
run "$CONCORD" area population --at 2021-06-30
is "$(printf '%s\n' "$OUT" | grep '^AF01' | tr '\n' ' ')" \
	"AF0101,Kabul,1000,no AF0102,Paghman,250,no " "before the split: the old layout"
run "$CONCORD" area population --at 2022-06-30
is "$(printf '%s\n' "$OUT" | grep '^AF01' | tr '\n' ' ')" \
	"AF0102,Paghman,250,no AF0151,Kabul North,600,yes AF0152,Kabul South,400,yes " \
	"after it: 1000 split 600/400, the other district untouched"
run "$CONCORD" template 3w -o tpl2.csv
unlike "$(cat tpl2-lists.csv)" "AF0101," "the template lists no district that has ended"

# bad crosswalks: shares not adding up, an unknown area; nothing of them stored
printf 'old_pcode,new_pcode,share,date\nAF0102,AF0151,0.6,2022-01-01\nAF0102,AF0152,0.3,2022-01-01\nAF0103,AF9999,1,2022-01-01\nAF0104,AF0151,1,2022-13-01\n' >bad.csv
run "$CONCORD" import crosswalk bad.csv
is "$RC" 3 "a bad crosswalk: rows rejected"
like "$ERR" "bad.csv:2: share: the shares of AF0102 on this date add up to 0.9, not 1" \
	"shares not adding up name the area and line"
like "$ERR" "bad.csv:3: share:" "both rows of the area are rejected"
like "$ERR" "bad.csv:4: new_pcode: unknown area 'AF9999'" "an unknown P-code"
like "$ERR" "bad.csv:5: date:" "a bad date"
is "$(sqlite3 concord.db "SELECT count(*) FROM area_crosswalk")" 2 "nothing of them stored"
printf 'old,new,weight\nAF0102,AF0151,1\n' >nodate.csv
run "$CONCORD" import crosswalk nodate.csv
is "$RC" 1 "a crosswalk without a date column is refused"
like "$ERR" "missing column 'date'" "saying which column"

done_testing
