#!/bin/sh
# concord gaps with the mission's reporting currency: each cell's budgets converted to USD at
# each activity's value date (its start) with the ECB rates of tests/data/rates, the rule and
# the rates stated, and the budgets that cannot be converted listed, in the table, the CSV and
# the JSON. The expected totals are worked out by hand below from the rates in the files.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
R="$TDATA/rates"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
cat >needs.csv <<'EOF'
Province,District,Cluster,In need,Severity
#adm1+code,#adm2+code,#sector+code,#inneed,#severity
AF01,,WSH,10000,4
AF01,,FSC,8000,3
EOF
cat >3w.csv <<'EOF'
Organisation,Cluster,District code,Start,End,Activity,Reached,Budget,Currency
#org+acronym,#sector+cluster+code,#adm2+code,#date+start,#date+end,#activity,#reached,#value+budget,#currency
UNICEF,WSH,AF0101,2021-07-01,2021-09-30,Water trucking,1000,1000,GBP
WFP,WSH,AF0102,2021-07-05,2021-09-30,Water points,500,5000,EUR
NRC,WSH,AF0101,2021-07-09,2021-09-30,Latrines,200,1200,USD
IRC,WSH,AF0102,2021-07-06,2021-09-30,Hygiene kits,100,900000,AFN
WFP,FSC,AF0101,2021-07-04,2021-09-30,Food baskets,800,250000,JPY
NRC,FSC,AF0102,2021-12-01,2021-12-31,Cash,300,300,GBP
IRC,FSC,AF0101,2021-07-06,2021-09-30,Seeds,50,700,
EOF
"$CONCORD" import needs needs.csv >/dev/null
"$CONCORD" import 3w 3w.csv --period 2021-07-01/2021-12-31 >/dev/null
"$CONCORD" import rates "$R/ecb_daily_2021_07.csv" >/dev/null
"$CONCORD" import rates "$R/ecb_annual_2020_2021.csv" >/dev/null

# ---- without a reporting currency: sums per currency only, as before ----
run "$CONCORD" gaps --json
is "$RC" 0 "gaps --json without a reporting currency"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["reporting_currency"], d["rows"][0]["budget_converted"])')" \
	"None None" "nothing is converted and the JSON says so"
unlike "$("$CONCORD" gaps)" "Converted to" "nor does the table"

"$CONCORD" mission set --currency USD --rate-tolerance 5 >/dev/null

# By hand, units per EUR from ecb_daily_2021_07.csv (and the 2021 averages of
# ecb_annual_2020_2021.csv), each budget at its start date or the last fixing up to 5 days before:
# WSH  GBP 1000 of 1 July      1000 / 0.86033 × 1.1884   = 1381.330460…
#      EUR 5000 of 5 July      5000 × 1.1866             = 5933
#      USD 1200                no rate needed            = 1200
#      AFN 900000              no AFN rate at all: not converted
# FSC  JPY 250000 of 4 July    Friday 2 July: 250000 / 131.74 × 1.1823 = 2243.6238…
#      GBP 300 of 1 December   no fixing near: 2021 averages 300 / 0.859604 × 1.18274 = 412.7683…
#      700 without a currency  not converted
WSH=$(python3 -c 'print("%.2f" % (1000 / 0.86033 * 1.1884 + 5000 * 1.1866 + 1200))')
FSC=$(python3 -c 'print("%.2f" % (250000 / 131.74 * 1.1823 + 300 / 0.859604 * 1.18274))')
is "$(awk -F, '$1 == "2021-07-02" { print $3 }' "$R/ecb_daily_2021_07.csv")" "131.74" \
	"(the JPY fixing of 2 July used above is the file's)"

run "$CONCORD" gaps --json
is "$RC" 0 "gaps --json with USD as the reporting currency"
printf '%s' "$OUT" >gaps.json
J() { python3 -c "import json,sys; d=json.load(open('gaps.json')); r={x['key']: x for x in d['rows']}; $1"; }
is "$(J 'print(d["reporting_currency"])')" "USD" "the reporting currency is named"
like "$(J 'print(d["money_rule"])')" "value date (a 3W activity's start date)" "the rule is stated"
is "$(J 'b=r["WSH"]["budget_converted"]; print("%.2f" % b["amount"], b["currency"], b["converted"], b["not_converted"])')" \
	"$WSH USD 3 1" "WSH: GBP, EUR and USD converted ($WSH), the AFN budget not"
is "$(J 'b=r["FSC"]["budget_converted"]; print("%.2f" % b["amount"], b["converted"], b["not_converted"])')" \
	"$FSC 2 1" "FSC: JPY at Friday's fixing and GBP at the 2021 averages ($FSC), 700 without currency not"
is "$(J 'print(" ".join(u["currency"] or "-" for u in r["WSH"]["budget_converted"]["not_converted_amounts"]), r["WSH"]["budget_converted"]["not_converted_amounts"][0]["reason"])')" \
	"AFN unknown currency" "the row lists the AFN budget and why"
is "$(J 'print(";".join("%s %s %s %g %d" % (x["currency"], x["kind"], x["date"], x["per_eur"], x["uses"]) for x in d["rates_used"]))')" \
	"GBP daily 2021-07-01 0.86033 1;GBP annual 2021-01-01 0.859604 1;JPY daily 2021-07-02 131.74 1;USD daily 2021-07-01 1.1884 1;USD daily 2021-07-02 1.1823 1;USD daily 2021-07-05 1.1866 1;USD annual 2021-01-01 1.18274 1" \
	"every rate used is listed once, with its date and kind"
is "$(J 'print(";".join("%s %s %s %s" % (u["amount"], u["currency"], u["value_date"], u["reason"]) for u in d["not_converted"]))')" \
	"900000 AFN 2021-07-06 unknown currency;700 None 2021-07-06 no currency" \
	"the table lists the two budgets it could not convert, never as 0"
is "$(J 'print(sorted((m["currency"], m["amount"]) for m in r["WSH"]["budget"]))')" \
	"[('AFN', 900000), ('EUR', 5000), ('GBP', 1000), ('USD', 1200)]" \
	"the sums per currency stay as they were"

run "$CONCORD" gaps --csv
is "$RC" 0 "gaps --csv"
printf '%s\n' "$OUT" >gaps.csv
C() { python3 -c "import csv; r={x['key']: x for x in csv.DictReader(open('gaps.csv'))}; $1"; }
is "$(C 'x=r["WSH"]; print(x["budget_converted"], x["converted_currency"], x["budgets_converted"], x["budgets_not_converted"])')" \
	"$WSH USD 3 1" "CSV: the converted total of WSH and its counts"
is "$(C 'print(r["FSC"]["rates_used"])')" \
	"GBP 0.859604 per EUR (annual average of 2021); JPY 131.74 per EUR (daily fixing of 2021-07-02); USD 1.1823 per EUR (daily fixing of 2021-07-02); USD 1.18274 per EUR (annual average of 2021)" \
	"CSV: the rates of the FSC cell"
like "$(C 'print(r["FSC"]["not_converted"])')" "^activity [0-9]*: (no currency) 700 of 2021-07-06: no currency$" \
	"CSV: the FSC budget without a currency, listed"

run "$CONCORD" gaps
is "$RC" 0 "gaps (table)"
like "$OUT" "^Converted to USD: converted = the budgets of the cell" "the table states the rule"
like "$OUT" "WSH .* = USD 8514 (+1 not converted)$" "the WSH cell's budget with its converted total"
like "$OUT" "^  JPY 131.74 per EUR (daily fixing of 2021-07-02), 1 conversion$" "the rates used"
like "$OUT" "^Not converted (left out of the totals in USD, not taken as 0): 2$" \
	"the budgets not converted are counted"
like "$OUT" "^  activity [0-9]*: AFN 900000 of 2021-07-06: unknown currency (AFN)$" "and listed"

# ---- GET /api/gaps answers the same, for an organisation of the mission ----
if ! command -v curl >/dev/null 2>&1; then
	skip "GET /api/gaps converts as the CLI does" "curl is not installed"
	done_testing
	exit 0
fi
"$CONCORD" member add NRC --kind ngo >/dev/null
"$CONCORD" user add nrc --org NRC --role viewer >/dev/null
T=$("$CONCORD" token create nrc 2>/dev/null)
serve_start --threads 2
STATUS=$(curl -s -o api.json -w '%{http_code}' -H "Authorization: Bearer $T" \
	"http://127.0.0.1:$PORT/api/gaps")
is "$STATUS" 200 "GET /api/gaps"
"$CONCORD" --as NRC gaps --json >cli.json
is "$(cmp -s api.json cli.json && echo same || diff api.json cli.json | head -3)" "same" \
	"byte for byte the CLI's --json for the same reader"
is "$(python3 -c 'import json; d=json.load(open("api.json")); print(d["reporting_currency"], len(d["rates_used"]), len(d["not_converted"]))')" \
	"USD 7 2" "with the converted totals, the rates used and the budgets not converted"
kill "$PID"
wait "$PID"
is "$?" 0 "the server stops cleanly"
done_testing
