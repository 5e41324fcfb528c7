#!/bin/sh
# Needs, population and gaps through the CLI: the real HNO and population excerpts (expected
# values computed here in python from the files), bad rows, strict runs, and gaps on a
# constructed case whose answers are worked out by hand below.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
ND="$TDATA/needs"
HXL="$ND/afg_hno_2024_hxl_excerpt.csv"

dbsum() { # a digest of every row of the store
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
}

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

# ---- needs: totals come from total rows only ----
python3 - "$HXL" >expected <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))[2:]
def total(r):
    return r[3] == 't' and r[4] == 'all' and r[6] == 'all' and r[5] == ''
kabul = [r for r in rows if r[0] == 'AF01' and r[1] == '' and r[2] == 'FSC']
pin = [int(r[8]) for r in kabul if total(r)]
assert len(pin) == 1
added_up = sum(int(r[8]) for r in kabul)           # the wrong way: every row added up
print(len(rows), sum(1 for r in rows if total(r)), pin[0], added_up)
PY
read -r N_ROWS N_TOTALS KABUL_FSC WRONG <expected
run "$CONCORD" import needs "$HXL" --period 2024-01-01/2024-12-31
is "$RC" 0 "the HNO excerpt imports"
like "$OUT" "read $N_ROWS, added $N_ROWS, .*rejected 0" "every row is stored ($N_ROWS)"
is "$(sqlite3 concord.db 'SELECT count(*) FROM need WHERE is_total = 1')" "$N_TOTALS" \
	"$N_TOTALS rows are totals (t/all/all, not disabled)"
run "$CONCORD" gaps --json
is "$RC" 0 "gaps runs"
GOT=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [x for x in d["rows"] if x["pcode"] == "AF01" and x["key"] == "FSC"]
print("%d %s" % (r[0]["in_need"], r[0]["status"]))')
is "$GOT" "$KABUL_FSC no data" "Kabul FSC PIN is the total row's $KABUL_FSC; no 3W yet: no data"
if [ "$KABUL_FSC" != "$WRONG" ]; then
	ok "adding up the breakdown rows would give $WRONG, a different (wrong) number"
else
	not_ok "the excerpt cannot tell totals from sums"
fi
run "$CONCORD" import needs "$HXL" --period 2024-01-01/2024-12-31
like "$OUT" "unchanged since the last import" "the same file again changes nothing"

# ---- bad rows ----
cp "$ND/bad.csv" bad.csv
BEFORE=$(dbsum concord.db)
run "$CONCORD" import needs bad.csv --strict
is "$RC" 1 "--strict with bad rows fails"
is "$(dbsum concord.db)" "$BEFORE" "... and stores nothing"
run "$CONCORD" import needs bad.csv
is "$RC" 3 "bad rows: exit 3, good rows stored"
is "$ERR" "$(cat "$ND/bad.errors")" "every bad row is reported as FILE:LINE: FIELD: reason"
is "$(sqlite3 concord.db "SELECT in_need IS NULL, targeted, severity IS NULL FROM need
	WHERE line = 10 AND source_id = (SELECT id FROM source WHERE name = 'bad.csv')")" "1|500.0|1" \
	"an empty PIN and severity stay missing, never 0"

# ---- a JIAF-layout table (constructed): one need per sector cell, bad cells alone ----
cp "$ND/jiaf-layout.csv" jiaf-layout.csv
run "$CONCORD" import needs jiaf-layout.csv
is "$RC" 3 "JIAF layout: exit 3"
# line 2: Education, Health, Mine Action, Final Severity (Mortality is no sector, CCCM empty);
# line 3: Education, Mine Action (0: "not classified", stored without a severity, with a
# warning) and Final Severity; lines 4 and 5 rejected
like "$OUT" "read 4, added 7, .*rejected 2" "7 needs from 4 rows, 2 rejections"
is "$ERR" "$(cat "$ND/jiaf-layout.errors")" \
	"each bad cell or row with its line and column, then the note on severity 0"
is "$(sqlite3 concord.db "SELECT line, label, severity IS NULL, severity
	FROM need WHERE source_id = (SELECT id FROM source WHERE name = 'jiaf-layout.csv')
	AND label = 'Mine Action' ORDER BY line")" "2|Mine Action|0|2
3|Mine Action|1|" "severity 0 is kept as a need of Mine Action without a severity, never dropped"

# ---- the caseload export without HXL: built-in header names ----
run "$CONCORD" import needs "$ND/afg_hno_2024_needs_by_area_excerpt.csv"
is "$RC" 3 "the caseload export (no hashtag row) imports through the header names"
# every row but those giving no figure at all (rejected, never stored as empty needs)
N=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1]))))-1)' \
	"$ND/afg_hno_2024_needs_by_area_excerpt.csv")
E=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for x in r if not any(x[k] for k in ("Population","In Need","Targeted","Affected","Reached"))))' \
	"$ND/afg_hno_2024_needs_by_area_excerpt.csv")
like "$OUT" "read $N, added $((N - E)), .*rejected $E" "all $N rows, $E without any figure rejected"
like "$ERR" "afg_hno_2024_needs_by_area_excerpt.csv:7: #inneed: the row gives no figure" \
	"the row without figures is named"

# ---- --map COLUMN=#tag for other headers (constructed) ----
printf 'Prov,Dist,Clu,PIN people,Sev\nAF02,,HEA,1000,3\nAF02,AF0201,FSC,500,\n' >mapped.csv
run "$CONCORD" import needs mapped.csv --map 'Prov=#adm1+code' --map 'Dist=#adm2+code' \
	--map 'Clu=#sector+code' --map 'PIN people=#inneed' --map 'sev=#severity'
is "$RC" 0 "--map names the columns of a file with other headers"
is "$(sqlite3 concord.db "SELECT in_need, severity FROM need
	WHERE source_id = (SELECT id FROM source WHERE name = 'mapped.csv') ORDER BY line")" \
	"1000.0|3
500.0|" "... and its figures land in the right fields"
run "$CONCORD" import needs mapped.csv --source other --map 'Nope=#inneed'
is "$RC" 2 "a --map column missing from the header is a usage error"
like "$ERR" "no column 'Nope' in the header row" "... saying which"
run "$CONCORD" import needs mapped.csv --map 'Prov'
is "$RC" 2 "a --map without =#tag is a usage error"

# ---- population ----
python3 - "$ND/afg_population_adm1.csv" >expected <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
afg = [r for r in rows[1:] if r[1] == 'AFG']
empty = [r[1] for r in rows[1:] if r[10] == '']
assert empty == ['MLI']   # Mali's Menaka: another country's row with no figure
print(len(rows) - 1, len(afg), sum(int(r[10]) for r in afg), len(rows) - 1 - len(afg))
PY
read -r P_ROWS P_AFG P_SUM P_OTHER <expected
cp "$ND/afg_population_adm1.csv" pop.csv
run "$CONCORD" import population pop.csv
# other countries' rows are skipped before their values are looked at: Mali's empty
# Population is not this mission's fault
is "$RC/$ERR" "0/" "population: exit 0, no error (Mali's empty row is another country's)"
like "$OUT" "read $P_ROWS, added $P_AFG, .*rejected 0" "the $P_AFG Afghan provinces are added"
like "$OUT" "pop.csv: skipped $P_OTHER rows of other countries than the mission's" \
	"the $P_OTHER rows of other countries are counted as skipped"
is "$(sqlite3 concord.db 'SELECT CAST(sum(value) AS BIGINT) FROM population')" "$P_SUM" "total population $P_SUM"
# the mission's own row without a figure is still rejected, naming line and column
printf 'ADM_PCODE,alpha_3,Population\nAF01,AFG,100\nAF02,AFG,\nAF03,MLI,\n' >pop-empty.csv
run "$CONCORD" import population pop-empty.csv --source pop-empty
is "$RC" 3 "an Afghan row without a figure: exit 3"
is "$ERR" "pop-empty.csv:3: #population: population is empty" \
	"... the row is rejected with its line; the foreign row at line 4 is not"
like "$OUT" "read 3, added 1, .*rejected 1" "one stored, one rejected"
like "$OUT" "skipped 1 rows of other countries" "... and one skipped"

# ---- gaps on a constructed case ----
# Herat (AF02) health: PIN 120,000, severity 4 (DOMAIN.md §2.12). Reached: UNICEF 30,000 in
# Herat City and 15,000 in Guzara (45,000 together), WHO 20,000 in Herat City.
#   --reach max: 45,000 → shortfall 0.625 → gap 4 × 120,000 × 0.625 = 300,000
#   --reach sum: 65,000 → shortfall 55/120 → gap 4 × 55,000 = 220,000
# Herat food security: PIN 50,000, severity 3, only presence → "no figures";
# Herat education: PIN 10,000, no severity, nobody there → "no data".
cat >needs.csv <<'EOF'
Province,District,Cluster,In need,Severity
#adm1+code,#adm2+code,#sector+code,#inneed,#severity
AF02,,HEA,120000,4
AF02,,FSC,50000,3
AF02,,EDU,10000,
EOF
cat >3w.csv <<'EOF'
Organisation,Cluster,Province code,District code,Activity,Start,End,Reached
#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#reached
UNICEF,HEA,AF02,AF0201,Vaccination,2024-01-01,2024-06-30,30000
UNICEF,HEA,AF02,AF0202,Vaccination,2024-01-01,2024-06-30,15000
WHO,HEA,AF02,AF0201,Clinics,2024-01-01,2024-06-30,20000
WFP,FSC,AF02,AF0201,,,,
EOF
run "$CONCORD" import needs needs.csv --source herat
is "$RC" 0 "constructed needs import"
run "$CONCORD" import 3w 3w.csv --period 2024-01-01/2024-12-31
is "$RC" 0 "constructed 3W import"
herat() { # herat KEY: gap, covered and status of Herat KEY from `gaps --json` on stdin
	python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [x for x in d["rows"] if x["pcode"] == "AF02" and x["key"] == sys.argv[1]][0]
print(r["gap"], r["covered"], r["status"], r["rank"])' "$1"
}
run "$CONCORD" gaps --json
is "$(printf '%s' "$OUT" | herat HEA)" "300000 45000 scored 1" \
	"max: gap 300,000 (largest single organisation), ranked first"
is "$(printf '%s' "$OUT" | herat FSC)" "None None no figures None" "presence only: no figures"
is "$(printf '%s' "$OUT" | herat EDU)" "None None no data None" "nobody there: no data, not 0"
like "$OUT" '"reach":"max"' "the JSON states the reach rule"
run "$CONCORD" gaps --json --reach sum
is "$(printf '%s' "$OUT" | herat HEA)" "220000 65000 scored 1" "sum: gap 220,000"
run "$CONCORD" gaps
like "$OUT" "gap = severity x people in need x shortfall share" "the table states the rank rule"
like "$OUT" "largest figure of any one organisation" "the table states the reach rule"
run "$CONCORD" gaps --csv --level 2
is "$RC" 0 "gaps at level 2"
like "$OUT" "^,AF0101,Kabul,ALL," "district needs show at level 2"
run "$CONCORD" gaps --reach median
is "$RC" 2 "an unknown reach rule is a usage error"

# ---- the whole HNO file of the shared data, when present ----
FULL="$SHARED/needs/afg_hno_2024_hxl.csv"
if [ -f "$FULL" ]; then
	N=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1]))))-2)' "$FULL")
	run "$CONCORD" import needs "$FULL"
	like "$OUT" "read $N, added $N, .*rejected 0" \
		"the whole 2024 HNO file: $N rows, none rejected"
else
	skip "the whole 2024 HNO file" "no shared data"
fi

# ---- the 2025 JIAF district tables of the shared data (not copied: licence unconfirmed) ----
SEV="$SHARED/needs/afg_jiaf_2025_severity_by_district.csv"
PIN="$SHARED/needs/afg_jiaf_2025_pin_by_district.csv"
if [ -f "$SEV" ] && [ -f "$PIN" ]; then
	python3 - "$SEV" "$PIN" >expected <<'PY'
import csv, sys
sectors = {'cccm', 'education', 'nutrition', 'food security', 'health', 'protection',
           'general protection', 'shelter', 'nfi', 'wash', 'early recovery', 'child protection',
           'gbv', 'mine action', 'hlp', 'final severity', 'final pin'}
out = []
for path in sys.argv[1:3]:
    rows = list(csv.reader(open(path, newline='')))
    cols = [i for i, h in enumerate(rows[0]) if h.strip().lower() in sectors]
    cells = [r[i] for r in rows[1:] for i in cols if r[i] != '']
    # severity 0 is read as "not classified" (stored without a severity), other values
    # must be whole numbers in 1..5
    bad = [c for c in cells if not (c.isdigit() and 0 <= int(c) <= 5)] if 'severity' in path else []
    zero = [c for c in cells if c == '0'] if 'severity' in path else []
    out += [len(rows) - 1, len(cells) - len(bad), len(zero)]
# Kabul district (AF0101) WASH: severity from one table, PIN from the other
sev = {r[5]: r for r in csv.reader(open(sys.argv[1], newline=''))}
hs = next(csv.reader(open(sys.argv[1], newline='')))
pin = {r[5]: r for r in csv.reader(open(sys.argv[2], newline=''))}
hp = next(csv.reader(open(sys.argv[2], newline='')))
out += [sev['AF0101'][hs.index('WASH')], '%.0f' % float(pin['AF0101'][hp.index('WASH')])]
print(*out)
PY
	read -r S_ROWS S_ADD S_ZERO P_ROWS P_ADD P_ZERO K_SEV K_PIN <expected
	run "$CONCORD" import needs "$SEV"
	is "$RC" 0 "JIAF severity: exit 0 (its $S_ZERO Mine Action cells of 0 are not faults)"
	like "$OUT" "read $S_ROWS, added $S_ADD, .*rejected 0" \
		"one need per non-empty sector cell ($S_ADD), none rejected"
	is "$ERR" "$SEV:7: Mine Action: warning: $S_ZERO cells of severity 0 (the first on this line) read as 'not classified' and stored without a severity" \
		"one warning names the column, the first line and the count of severity 0"
	is "$(sqlite3 concord.db "SELECT count(*) FROM need WHERE label = 'Mine Action'
		AND severity IS NULL AND source_id = (SELECT id FROM source
		WHERE name = 'afg_jiaf_2025_severity_by_district.csv')")" "$S_ZERO" \
		"the $S_ZERO cells are stored as Mine Action needs without a severity"
	run "$CONCORD" import needs "$PIN"
	like "$OUT" "read $P_ROWS, added $P_ADD, .*rejected 0" "JIAF PiN: $P_ADD needs"
	run "$CONCORD" gaps --level 2 --json
	GOT=$(printf '%s' "$OUT" | python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin)["rows"] if x["pcode"] == "AF0101" and x["key"] == "WSH"][0]
print(r["severity"], "%.0f" % r["in_need"])')
	is "$GOT" "$K_SEV $K_PIN" "Kabul district WASH: severity and PIN from the two tables"
else
	skip "JIAF 2025 district tables" "no shared data"
fi
done_testing
