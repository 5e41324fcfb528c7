#!/bin/sh
# The remaining commands as endpoints, on a server started here on 127.0.0.1 and stopped after:
# GET /api/export/{kind} (3w, iati, areas: downloads), GET /api/rounds, GET /api/money,
# GET /api/audit/verify and POST /api/allocate. Each answer is compared byte for byte with what
# the CLI writes or prints for the same store and the same reader (`concord --as ORG ...`),
# and the figures are also worked out here from the files themselves: which activities each
# reader may see, the coverage counts per province, who reported in which quarter, the budgets
# converted with the ECB rates, the optimum of a hand-solved allocation problem.
#
# The case: three member organisations, an NGO (AADA), a military unit (ISAF-PRT) and a UN
# agency (UNICEF), each reporting one activity for 2021 Q3; AADA's and the PRT's are held
# owner-only, UNICEF's is public, which a humanitarian owner's marking keeps from military
# readers (civil-military separation); AADA alone reports Q4 as well (its budget has no rate).
# The IATI excerpt is imported last, for the IATI export.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "more API" "curl or sqlite3 is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" mission set --currency usd >/dev/null
"$CONCORD" import rates "$TDATA/rates/ecb_daily_2021_07.csv" >/dev/null
H="Organisation,Cluster,Province code,Activity,Start,End,Targeted,Reached,Budget,Currency"
T="#org+acronym,#sector+cluster+code,#adm1+code,#activity,#date+start,#date+end,#targeted,#reached,#value+budget,#currency"
threew() { # threew FILE ROW OWNER RELEASABILITY PERIOD
	printf '%s\n%s\n%s\n' "$H" "$T" "$2" >"$1"
	"$CONCORD" import 3w "$1" --owner "$3" --releasability "$4" --period "$5" >/dev/null ||
		not_ok "seed $1"
}
Q3=2021-07-01/2021-09-30 Q4=2021-10-01/2021-12-31
threew ngo.csv "AADA,HEA,AF01,Clinic NGOONLY,2021-07-01,2021-09-30,100,50,1000,GBP" AADA org $Q3
threew mil.csv "ISAF-PRT,PRO,AF02,Patrol MILONLY,2021-07-01,2021-09-30,10,5,2000,USD" ISAF-PRT org $Q3
threew pub.csv "UNICEF,WSH,AF03,Wells PUBLICONE,2021-07-02,2021-09-30,300,200,500,EUR" UNICEF public $Q3
threew ngo4.csv "AADA,HEA,AF01,Clinic NGOLATER,2021-10-01,2021-12-31,100,60,300,GBP" AADA org $Q4
is "$(sqlite3 concord.db "select count(*) from activity")" 4 "four activities seeded"

"$CONCORD" user add aada --org AADA --role editor >/dev/null
"$CONCORD" user add isaf --org ISAF-PRT --role viewer >/dev/null
"$CONCORD" user add unicef --org UNICEF --role coordinator >/dev/null
"$CONCORD" user add boss --org UNICEF --role admin >/dev/null
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_isaf=$(tok isaf); T_unicef=$(tok unicef); T_boss=$(tok boss)

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: body in NAME.body, headers in NAME.head, $STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -D "$name.head" -o "$name.body" -w '%{http_code}' \
		-H "Authorization: Bearer $t" "$@")
}
header() { # header NAME HEADER: its value in NAME.head
	sed -n "s/^$2: *//Ip" "$1.head" | tr -d '\r' | head -1
}
field() { # field FILE EXPR: a python expression over the parsed JSON document j
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1
}
same() { # same FILE1 FILE2 DESCRIPTION: byte for byte
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$1" "$2" | head -5)"; fi
}
bad() { # bad NAME STATUS FIELD DESCRIPTION: the error answer of the last req
	is "$STATUS $(field "$1.body" 'j["error"]["field"]')" "$2 $3" "$4"
}

# ---- GET /api/export/3w: the caller's activities only ----
for r in aada:AADA isaf:ISAF-PRT unicef:UNICEF; do
	u=${r%%:*} org=${r#*:}
	eval "t=\$T_$u"
	req "e3w-$u" "$t" "$URL/api/export/3w"
	"$CONCORD" --as "$org" export 3w -o "cli-$u.csv" >/dev/null
	is "$STATUS" 200 "$org: GET /api/export/3w answers 200"
	same "e3w-$u.body" "cli-$u.csv" "$org: the download is the file of \`concord --as $org export 3w\`"
done
is "$(header e3w-aada Content-Type)" "text/csv; charset=utf-8" "the 3W is text/csv"
is "$(header e3w-aada Content-Disposition)" 'attachment; filename="3w.csv"' "... as an attachment 3w.csv"
# who sees what, from the seeds: the owner-only rows to their owners, the public one to all
titles() { python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
col = rows[1].index("#activity")
print(" ".join(sorted(r[col].split()[1] for r in rows[2:])))' "$1"; }
is "$(titles e3w-aada.body)" "NGOLATER NGOONLY PUBLICONE" "the NGO's export holds its own and the public activities"
is "$(titles e3w-isaf.body)" "MILONLY" "the PRT's export holds its own only (the public one is UNICEF's, humanitarian)"
is "$(titles e3w-unicef.body)" "PUBLICONE" "UNICEF's export holds its public one only"
unlike "$(cat e3w-aada.body)" "MILONLY" "no military owner-only record in the NGO's export"
unlike "$(cat e3w-isaf.body)" "NGOONLY" "no NGO owner-only record in the military's export"
# the round trip: the NGO's export imports into a new store as its three rows
"$CONCORD" -d rt.db init --mission AFG --country AFG >/dev/null
"$CONCORD" -d rt.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d rt.db import 3w e3w-aada.body >/dev/null 2>&1
is "$(sqlite3 rt.db "select group_concat(title, '|') from (select title from activity order by title) AS sub")" \
	"Clinic NGOLATER|Clinic NGOONLY|Wells PUBLICONE" "... and imports back as those activities"

# ---- GET /api/export/areas ----
req eareas "$T_isaf" "$URL/api/export/areas?with_coverage=1&level=1"
"$CONCORD" --as ISAF-PRT export areas --with-coverage --level 1 -o cli-areas.json >/dev/null
is "$STATUS $(header eareas Content-Type)" "200 application/geo+json" "GET /api/export/areas: GeoJSON"
is "$(header eareas Content-Disposition)" 'attachment; filename="areas.geojson"' "... as areas.geojson"
same eareas.body cli-areas.json "with_coverage=1&level=1 is \`export areas --with-coverage --level 1\`"
req eareas2 "$T_aada" "$URL/api/export/areas?with_coverage=1"
"$CONCORD" --as AADA export areas --with-coverage -o cli-areas2.json >/dev/null
same eareas2.body cli-areas2.json "with_coverage alone takes level 1, as the CLI"
acts() { python3 -c '
import json, sys
f = {x["properties"]["pcode"]: x["properties"]["activities"] for x in json.load(open(sys.argv[1]))["features"]}
print(f["AF01"], f["AF02"], f["AF03"], len(f))' "$1"; }
N_ADM1=$(sqlite3 concord.db "select count(*) from area where level = 1")
is "$(acts eareas.body)" "0 1 0 $N_ADM1" "the PRT's coverage counts its patrol only"
is "$(acts eareas2.body)" "2 0 1 $N_ADM1" "the NGO's counts its two clinics and the wells, not the patrol"
req eareas3 "$T_aada" "$URL/api/export/areas"
"$CONCORD" export areas -o cli-areas3.json >/dev/null
same eareas3.body cli-areas3.json "without arguments: every level, as the CLI's"
is "$(field eareas3.body 'len(j["features"])')" "$(sqlite3 concord.db "select count(*) from area")" \
	"... one feature per area"

# ---- GET /api/export/iati ----
"$CONCORD" import iati "$CASE/afg_iati_results_excerpt.xml" >/dev/null
req eiati "$T_aada" "$URL/api/export/iati"
N_IATI=$("$CONCORD" --as AADA export iati -o cli.xml | sed 's/ .*//')
is "$STATUS $(header eiati Content-Type)" "200 application/xml" "GET /api/export/iati: application/xml"
is "$(header eiati Content-Disposition)" 'attachment; filename="iati.xml"' "... as an attachment iati.xml"
nodate() { sed 's/ generated-datetime="[^"]*"//' "$1"; }
nodate eiati.body >a.xml
nodate cli.xml >b.xml
same a.xml b.xml "the IATI download is the CLI's file (but for the time it was generated)"
is "$(grep -c '<iati-activity ' eiati.body) $N_IATI" \
	"$(grep -c '<iati-activity ' "$CASE/afg_iati_results_excerpt.xml") $N_IATI" \
	"... with every activity of the imported file"

# bad arguments name the argument
req x1 "$T_aada" "$URL/api/export/shapefile"
bad x1 400 kind "an unknown kind is 400 naming kind"
req x2 "$T_aada" "$URL/api/export/3w?level=1"
bad x2 400 level "level on the 3W export is 400 naming level"
req x3 "$T_aada" "$URL/api/export/areas?level=9"
bad x3 400 level "level 9 is 400 naming level"
req x4 "$T_aada" "$URL/api/export/areas?with_coverage=maybe"
bad x4 400 with_coverage "with_coverage=maybe is 400 naming it"
req x5 "$T_aada" "$URL/api/export/areas?with_coverage=1&level=0"
bad x5 400 level "coverage at level 0 is 400 naming level"
STATUS=$(curl -s -o x6.body -w '%{http_code}' "$URL/api/export/3w")
is "$STATUS" 401 "no token: 401"

# ---- GET /api/rounds ----
for r in aada:AADA isaf:ISAF-PRT; do
	u=${r%%:*} org=${r#*:}
	eval "t=\$T_$u"
	req "rounds-$u" "$t" "$URL/api/rounds"
	"$CONCORD" --as "$org" rounds --json >"cli-rounds-$u.json"
	is "$STATUS" 200 "$org: GET /api/rounds answers 200"
	same "rounds-$u.body" "cli-rounds-$u.json" "$org: the body is \`concord --as $org rounds --json\`"
done
is "$(field rounds-aada.body '" ".join("%s/%s:%d+%d" % (r["period_from"], r["period_to"], r["reported"], r["missing"]) for r in j["rounds"])')" \
	"2021-07-01/2021-09-30:3+0 2021-10-01/2021-12-31:1+2" "Q3: all three reported; Q4: AADA only"
is "$(field rounds-aada.body '" ".join(o["organisation"] + "=" + o["status"] for o in j["rounds"][1]["organisations"])')" \
	"local:AADA=reported local:ISAF-PRT=missing local:UNICEF=missing" "... the PRT and UNICEF missing in Q4"
is "$(field rounds-aada.body '[o["source"] + ":" + str(o["rows"]) for o in j["rounds"][1]["organisations"] if o["status"] == "reported"]')" \
	"['ngo4.csv:1']" "... AADA's Q4 from ngo4.csv, one row"
"$CONCORD" rounds --csv >cli-rounds.csv
is "$(field rounds-aada.body 'sum(len(r["organisations"]) for r in j["rounds"])')" \
	"$(($(wc -l <cli-rounds.csv) - 1))" "one entry per line of \`rounds --csv\`"
req rounds-old "$T_aada" "$URL/api/rounds?as_of=2000-01-01"
is "$(cat rounds-old.body)" '{"organisations":3,"rounds":[]}' "as_of before any import: no rounds"
req rounds-bad "$T_aada" "$URL/api/rounds?as_of=yesterday"
bad rounds-bad 400 as_of "a bad as_of is 400 naming it"

# ---- GET /api/money ----
for r in aada:AADA isaf:ISAF-PRT; do
	u=${r%%:*} org=${r#*:}
	eval "t=\$T_$u"
	req "money-$u" "$t" "$URL/api/money"
	"$CONCORD" --as "$org" money --json >"cli-money-$u.json"
	is "$STATUS" 200 "$org: GET /api/money answers 200"
	same "money-$u.body" "cli-money-$u.json" "$org: the body is \`concord --as $org money --json\`"
done
# the 3W budgets each may see, converted here with the ECB file (USD per EUR / X per EUR)
cat >money.py <<'EOF'
import csv, json, sys
rates = {}
for row in csv.DictReader(open(sys.argv[1])):
    for cur, v in row.items():
        if cur and cur != "Date" and v not in ("", "N/A"):
            rates[(cur, row["Date"])] = float(v)
def usd(value, cur, day):
    if cur == "USD":
        return value
    per = 1.0 if cur == "EUR" else rates[(cur, day)]
    return value / per * rates[("USD", day)]
seen = {"aada": [(1000, "GBP", "2021-07-01"), (500, "EUR", "2021-07-02")],
        "isaf": [(2000, "USD", "2021-07-01")]}[sys.argv[2]]
t = [x for x in json.load(open(sys.argv[3]))["totals"] if x["kind"] == "3W budgets"][0]
print("%.2f %d %d" % (sum(usd(*s) for s in seen), len(seen), {"aada": 1, "isaf": 0}[sys.argv[2]]),
      "|", "%.2f %d %d" % (t["total"], t["converted"], t["not_converted"]))
EOF
for u in aada isaf; do
	R=$(python3 money.py "$TDATA/rates/ecb_daily_2021_07.csv" $u "money-$u.body")
	is "${R#*| }" "${R%% |*}" "$u: the 3W total in USD, converted and not, as computed from the rates file"
done
is "$(field money-aada.body '[(x["where"], x["reason"]) for x in j["not_converted"] if x["kind"] == "3W budgets"]')" \
	"[('ngo4.csv:3', 'no rate near the date')]" "the NGO's Q4 budget is listed as not converted, with the reason"
unlike "$(cat money-isaf.body)" "ngo" "the PRT's answer names none of the NGO's owner-only budgets"
unlike "$(cat money-aada.body)" "mil.csv" "the NGO's answer names none of the PRT's"
is "$(field money-aada.body '[(x["where"], x["from"]["currency"], x["from"]["date"], x["to"]["currency"]) for x in j["converted"] if x["where"] == "ngo.csv:3"]')" \
	"[('ngo.csv:3', 'GBP', '2021-07-01', 'USD')]" "a converted budget names the rates used"
req money-eur "$T_aada" "$URL/api/money?currency=eur&rate_tolerance=0"
"$CONCORD" --as AADA money --json --currency eur --rate-tolerance 0 >cli-money-eur.json
same money-eur.body cli-money-eur.json "currency and rate_tolerance as --currency and --rate-tolerance"
is "$(field money-eur.body 'j["currency"], j["tolerance_days"]')" "EUR 0" "... in EUR, tolerance 0"
req money-bad "$T_aada" "$URL/api/money?currency=US"
bad money-bad 400 currency "a currency of two letters is 400 naming currency"
req money-bad2 "$T_aada" "$URL/api/money?rate_tolerance=40"
bad money-bad2 400 rate_tolerance "a tolerance of 40 days is 400 naming rate_tolerance"
sqlite3 concord.db "delete from mission_money"
req money-none "$T_aada" "$URL/api/money"
bad money-none 400 currency "a mission without a reporting currency is 400 naming currency"
req money-given "$T_aada" "$URL/api/money?currency=USD"
"$CONCORD" --as AADA money --json --currency USD >cli-money-given.json
same money-given.body cli-money-given.json "... unless the request names one, as --currency"

# ---- POST /api/allocate ----
D="$TDATA/allocate"
post() { # post NAME TOKEN FILE [QUERY]
	req "$1" "$2" -X POST -H 'Content-Type: application/json' --data-binary "@$3" "$URL/api/allocate$4"
}
nosecs() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j.pop("solve_seconds"); print(json.dumps(j))' "$1"; }
post al "$T_unicef" "$D/two_cells.json"
"$CONCORD" allocate --problem "$D/two_cells.json" --json >cli-al.json
is "$STATUS" 200 "a coordinator's POST /api/allocate answers 200"
is "$(nosecs al.body)" "$(nosecs cli-al.json)" "the body is \`allocate --problem FILE --json\` (but for the solve time)"
is "$(field al.body 'j["status"], round(j["objective"], 6), [(f["area"], round(f["usd"], 6)) for f in j["funding"]]')" \
	"optimal 600 [('A', 1000), ('B', 2000)]" \
	"the optimum worked out by hand: A filled with 1000 USD, 2000 USD to B, 600 weighted people"
is "$(field al.body '[(c["kind"], round(c["shadow_price"], 9)) for c in j["constraints"] if c["binding"]]')" \
	"[('budget', 0.1), ('need', 3)]" "binding: the budget (0.1 per USD) and A's need (3 per person)"
post al-w "$T_unicef" "$D/two_cells.json" "?weights=severity=0"
"$CONCORD" allocate --problem "$D/two_cells.json" --weights severity=0 --json >cli-al-w.json
is "$(nosecs al-w.body)" "$(nosecs cli-al-w.json)" "weights=severity=0 as --weights"
is "$(field al-w.body 'round(j["objective"], 6)')" "300" "... every person weighs 1: 3000 USD / 10 = 300"
post inf "$T_unicef" "$D/infeasible.json"
"$CONCORD" allocate --problem "$D/infeasible.json" --json >cli-inf.json 2>/dev/null
is "$STATUS $(field inf.body 'j["status"]')" "200 infeasible" "an infeasible problem: 200, status infeasible"
is "$(field inf.body '[c["label"] for c in j["conflict"]]')" "$(field cli-inf.json '[c["label"] for c in j["conflict"]]')" \
	"... with the conflicting constraints the CLI lists"
is "$(field inf.body 'len(j["conflict"]) > 0')" True "... at least one"
post al-bad "$T_unicef" "$D/bad_field.json"
"$CONCORD" allocate --problem "$D/bad_field.json" --json >/dev/null 2>cli-bad.err
is "$STATUS" 400 "a bad problem is 400"
is "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["error"]["field"] in open(sys.argv[2]).read())' al-bad.body cli-bad.err)" \
	True "... naming the field the CLI names"
is "$(field al-bad.body 'j["error"]["field"]')" "donors[1].earmarks[0].max_usd" "... the earmark's max_usd"
echo '[1, 2]' >arr.json
post al-arr "$T_unicef" arr.json
bad al-arr 400 body "a body that is not an object is 400 naming body"
post al-w2 "$T_unicef" "$D/two_cells.json" "?weights=colour=3"
bad al-w2 400 weights "bad weights are 400 naming weights"
post al-ed "$T_aada" "$D/two_cells.json"
is "$STATUS" 403 "an editor may not allocate (coordinator)"

# ---- GET /api/audit/verify ----
req au "$T_boss" "$URL/api/audit/verify"
CLI=$("$CONCORD" audit verify)
is "$STATUS" 200 "an admin's GET /api/audit/verify answers 200"
is "change log verified: $(field au.body 'j["entries"]') entries, head $(field au.body 'j["head"]')" "$CLI" \
	"the entries and head hash are those \`audit verify\` prints"
is "$(field au.body 'j["ok"], j["entries"], j["head"]')" \
	"True $(sqlite3 concord.db 'select count(*), (select hash from change order by id desc limit 1) from change' | tr '|' ' ')" \
	"... the count and the last hash of the change table"
req au-co "$T_unicef" "$URL/api/audit/verify"
is "$STATUS" 403 "a coordinator may not verify the audit log (admin)"
req au-v "$T_isaf" "$URL/api/audit/verify"
is "$STATUS" 403 "nor a viewer"
# the log's guard set aside as each backend allows (SQLite: its trigger; PostgreSQL: the
# append-only trigger of its first migration)
if [ "$CC_BACKEND" = postgres ]; then
	UNGUARD="alter table change disable trigger change_no_update"
else
	UNGUARD="drop trigger change_no_update"
fi
sqlite3 concord.db "$UNGUARD; update change set detail = 'forged' where id = 3"
req au2 "$T_boss" "$URL/api/audit/verify"
"$CONCORD" audit verify 2>cli-au.err >/dev/null
is "$STATUS $(field au2.body 'j["ok"], j["entries_verified"]')" "200 False 2" \
	"a forged entry: ok false, two entries verified before it"
like "$(cat cli-au.err)" "$(field au2.body 'j["error"]')" "... with the CLI's message"
like "$(field au2.body 'j["error"]')" "change log entry 3 does not match its hash" "... naming entry 3"

kill "$PID"
wait "$PID" 2>/dev/null
done_testing
