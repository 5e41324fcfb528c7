#!/bin/sh
# The 3W importer through the CLI: real Afghanistan file, diffs, rejections, atomicity.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"

dbsum() { # a digest of every row of the store
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
}

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
run "$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv"
is "$RC" 0 "the P-code gazetteer loads"

# What the file holds, computed here from the file itself (not from Concord).
python3 - "$AFG3W" >expected <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
seen = {}
dups = []
for i, r in enumerate(rows[2:], start=3):
    key = (r[5], r[4], r[8])            # organisation, district, cluster
    if key in seen:
        dups.append((i, seen[key]))
    else:
        seen[key] = i
print(len(rows) - 2, len(seen), len(dups))
for line, first in dups:
    print('%d %d' % (line, first))
PY
read -r N_ROWS N_KEYS N_DUPS <expected
is "$N_ROWS/$N_KEYS/$N_DUPS" "2414/2335/79" "the real file has 2414 rows, 79 duplicates"

run "$CONCORD" import 3w "$AFG3W"
is "$RC" 2 "a file without dates needs --period"
like "$ERR" "give the reporting period with --period" "the message says so"

BEFORE=$(dbsum concord.db)
run "$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 --strict
is "$RC" 1 "--strict with rejected rows fails"
like "$ERR" "79 of 2414 rows rejected; nothing stored" "--strict says nothing was stored"
is "$(dbsum concord.db)" "$BEFORE" "--strict left every table as it was"

run "$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 --dry-run
is "$RC" 1 "--dry-run with rejected rows exits 1"
like "$OUT" "added 2335.*rejected 79 (dry run: nothing stored)" "--dry-run reports what would happen"
is "$(dbsum concord.db)" "$BEFORE" "--dry-run left every table as it was"

run "$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 --rejects rejects.csv
is "$RC" 3 "stored with rejected rows exits 3"
like "$OUT" "read 2414, added 2335, updated 0, removed 0, unchanged 0, rejected 79" "the summary counts every row"
is "$(printf '%s\n' "$ERR" | grep -c 'duplicate of line')" 79 "79 duplicate rows are reported"
BAD=0
tail -n +2 expected | while read -r line first; do
	printf '%s\n' "$ERR" | grep -q "afg_3w_operational_presence_2021q3.csv:$line: #org +acronym: duplicate of line $first\$" || echo "$line"
done >missing
is "$(wc -l <missing | tr -d ' ')" 0 "each duplicate names its line and the line it repeats"
is "$(sqlite3 concord.db 'select count(*) from activity')" 2335 "2335 activities stored"
is "$(sqlite3 concord.db "select count(*) from activity where kind <> 0")" 0 "operational-presence rows are stored as presence"
is "$(sqlite3 concord.db 'select count(*) from organisation')" "$(python3 -c "
import csv; r=list(csv.reader(open('$AFG3W',encoding='utf-8-sig')))[2:]; print(len({x[5] for x in r}))")" "one organisation per acronym"
is "$(sqlite3 concord.db "select type||'/'||kind||'/'||is_local from organisation where acronym='AABRAR'")" "22/ngo/1" "National NGO maps to IATI type 22, kind ngo, local"
is "$(head -2 rejects.csv | tail -1 | sed 's/.*,//')" "#meta+error" "the rejects file keeps the HXL row with #meta+error"
is "$(tail -n +3 rejects.csv | wc -l | tr -d ' ')" 79 "the rejects file holds the 79 rejected rows"

run "$CONCORD" import 3w "$AFG3W" --period 2021-07-01/2021-09-30
is "$RC" 3 "re-importing the same file reports the same rejections"
like "$OUT" "added 0, updated 0, removed 0, unchanged 2335, rejected 79" "re-import changes nothing"

# Diff by natural key on a clean file
"$CONCORD" -d d.db init --mission AFG --country AFG >/dev/null
"$CONCORD" -d d.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" -d d.db import 3w "$TDATA/3w/small.csv" --source partners
is "$RC" 0 "a clean file imports with exit 0"
like "$OUT" "read 8, added 8, updated 0, removed 0, unchanged 0, rejected 0" "8 rows added"
is "$(sqlite3 d.db 'select count(*) from activity where kind = 0')" 2 "rows without activity text or figures are presence"
is "$(sqlite3 d.db "select reached from activity a join area r on r.id = a.area_id where r.pcode = 'AF0101' and title = 'Water trucking'")" 4500.0 "figures stored"
is "$(sqlite3 d.db "select count(*) from activity where title like 'Food distribution%(two rounds)'")" 1 "a quoted multi-line activity is one row"
run "$CONCORD" -d d.db import 3w "$TDATA/3w/small.csv" --source partners
is "$RC" 0 "same file again"
like "$OUT" "unchanged since the last import" "an identical file is recognised by its digest"
run "$CONCORD" -d d.db import 3w "$TDATA/3w/small-v2.csv" --source partners
is "$RC" 0 "the new version imports"
like "$OUT" "read 8, added 1, updated 1, removed 1, unchanged 6, rejected 0" "added, updated, removed and unchanged by natural key"
is "$(sqlite3 d.db "select reached from activity a join area r on r.id = a.area_id where r.pcode = 'AF0101' and title = 'Water trucking'")" 5100.0 "the update is stored"
is "$(sqlite3 d.db "select count(*) from activity a join area r on r.id = a.area_id where r.pcode = 'AF0102'")" 0 "the removed row is gone"
run "$CONCORD" -d d.db import 3w "$TDATA/3w/small.csv" --source other
like "$OUT" "added 8" "another source's rows are never merged"
is "$(sqlite3 d.db 'select count(*) from activity')" 16 "both sources stored"
is "$(sqlite3 d.db "select count(*) from change where tbl = 'activity'")" 5 "the change log has one batch entry per operation"

# Every rejection rule
"$CONCORD" -d b.db init --mission AFG --country AFG >/dev/null
"$CONCORD" -d b.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
cp "$TDATA/3w/bad.csv" .
run "$CONCORD" -d b.db import 3w bad.csv
is "$RC" 3 "bad.csv stores its good rows"
printf '%s\n' "$ERR" >got.errors
if diff -u "$TDATA/3w/bad.errors" got.errors >diff.out; then ok "every rejected row is reported as FILE:LINE: FIELD: reason"; else not_ok "every rejected row is reported as FILE:LINE: FIELD: reason" "$(cat diff.out)"; fi
like "$OUT" "read 14, added 2, updated 0, removed 0, unchanged 0, rejected 12" "summary of bad.csv"

# Names only: matched within the parent, ignoring case and accents; misspellings are rejected
run "$CONCORD" -d b.db import 3w "$TDATA/3w/names-only.csv" --period 2021-07-01/2021-09-30
is "$RC" 3 "names-only file: good rows stored, misspelled ones rejected"
like "$OUT" "read 6, added 3, updated 0, removed 0, unchanged 0, rejected 3" "3 of 6 rows match by name"
like "$ERR" "names-only.csv:3: #adm1+name: no admin level 1 area named 'TAKAHr'" "the misspelled province is named"
like "$ERR" "names-only.csv:6: #adm2+name: no admin level 2 area named 'WAKAHn' within the row's parent area" "the misspelled district is named"
like "$ERR" "names-only.csv:8: #adm2+name: no admin level 2 area named 'Taloqan' within the row's parent area" "a district under the wrong province is not found"
is "$(sqlite3 b.db "select group_concat(r.pcode, ' ') from (select distinct r.pcode from activity a join area r on r.id = a.area_id join source s on s.id = a.source_id where s.name = 'names-only.csv' order by r.pcode) r")" "AF1001 AF1728 AF1801" "case and accent variants find Taloqan, Bamyan and Wakhan"

# Unknown areas: rejected, or created with --add-areas
"$CONCORD" -d e.db init --mission AFG --country AFG >/dev/null
run "$CONCORD" -d e.db import 3w "$TDATA/3w/small.csv"
is "$RC" 3 "unknown P-codes reject rows"
like "$ERR" "small.csv:3: #adm1+code: unknown P-code 'AF01'" "the rejection names the P-code"
run "$CONCORD" -d e.db import 3w "$TDATA/3w/small.csv" --add-areas --source s2
is "$RC" 0 "--add-areas creates the areas"
is "$(sqlite3 e.db "select a.name || '<' || p.pcode from area a join area p on p.id = a.parent_id where a.pcode = 'AF0101'")" "AF0101<AF01" "created areas keep their parent"

# Encodings
run "$CONCORD" -d d.db import 3w "$TDATA/3w/latin1.csv" --period 2021-07-01/2021-09-30
is "$RC" 1 "a Latin-1 file is refused"
like "$ERR" "latin1.csv:3.*not UTF-8" "the message names the file, line and the problem"
run "$CONCORD" -d d.db import 3w "$TDATA/3w/latin1.csv" --period 2021-07-01/2021-09-30 --encoding latin1
is "$RC" 0 "--encoding latin1 converts it"
is "$(sqlite3 d.db "select title from activity where title like 'R%puits'")" "Réhabilitation de puits" "the text is stored as UTF-8"

# Currencies: ISO 4217 codes, stored in upper case; a word is refused, not cut to three letters
cat >cur.csv <<'CSV'
Organisation,Cluster,District,Activity,Budget,Currency
#org+acronym,#sector+cluster+code,#adm2+code,#activity,#value+budget,#currency
UNICEF,WASH,AF0101,Water trucking,1000,usd
WFP,FSC,AF0101,Food baskets,2000,dollars
NRC,SHL,AF0101,Shelter kits,3000,E1R
CSV
"$CONCORD" -d cur.db init --mission AFG --country AFG >/dev/null
"$CONCORD" -d cur.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" -d cur.db import 3w cur.csv --period 2021-07-01/2021-09-30
is "$RC" 3 "a row with a currency that is not a code is rejected"
like "$ERR" "cur.csv:4: #currency: currency 'dollars' is not an ISO 4217 code" "naming line, column and value"
like "$ERR" "cur.csv:5: #currency: currency 'E1R' is not an ISO 4217 code" "a code with a digit too"
is "$(sqlite3 cur.db "select group_concat(currency) from activity")" "USD" "the good row's code stored in upper case"

done_testing
