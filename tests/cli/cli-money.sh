#!/bin/sh
# Money: concord import rates (the ECB excerpts of tests/data/rates), the mission's reporting
# currency (concord mission set), and concord money converting 3W budgets in five currencies at
# their start dates, with totals recomputed here in python from the CSV files alone. With the
# shared data: the whole ECB history and the IATI excerpts' budgets and transactions, converted
# again in python from the rates file and the stored amounts.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
R="$TDATA/rates"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

run "$CONCORD" money
is "$RC" 1 "money without a reporting currency fails"
like "$ERR" "no reporting currency (concord mission set --currency CODE)" "and says how to set one"
run "$CONCORD" mission set --currency dollars
is "$RC" 2 "a currency that is not a code is a usage error"
like "$ERR" "'dollars' is not an ISO 4217 code" "naming the value"
run "$CONCORD" mission set --currency usd --rate-tolerance 5
is "$RC" 0 "mission set --currency usd"
like "$OUT" "reports money in USD (rates up to 5 days before the value date)" "stored upper-case"
run "$CONCORD" mission show
like "$OUT" "reporting currency: USD" "mission show tells the currency"

run "$CONCORD" import rates "$R/ecb_daily_2021_07.csv"
is "$RC" 0 "daily ECB rates load"
N=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "" && $i != "N/A") n++ } END { print n }' \
	"$R/ecb_daily_2021_07.csv")
like "$OUT" "read 10, added $N, updated 0, removed 0, unchanged 0, rejected 0" "one rate per fixing ($N)"
is "$(sqlite3 concord.db "select count(*) from fx_rate where kind = 'daily'")" "$N" "all stored"
is "$(sqlite3 concord.db "select per_eur from fx_rate where currency = 'GBP' and date = \
	$(($(date -u -d 2021-07-02 +%s) / 86400))")" 0.86003 "GBP of 2 July as in the file"
run "$CONCORD" import rates "$R/ecb_daily_2021_07.csv"
like "$OUT" "unchanged since the last import" "the same file again: nothing to do"
run "$CONCORD" import rates "$R/ecb_annual_2020_2021.csv"
like "$OUT" "read 20, added 18, .*rejected 0" "annual averages: the EUR rows are not stored"

# a 3W file with budgets in five currencies, one without, dated on and around the fixings
cat >3w.csv <<'EOF'
Organisation,Cluster,District code,Start,End,Activity,Budget,Currency
#org+acronym,#sector+cluster+code,#adm2+code,#date+start,#date+end,#activity,#value+budget,#currency
UNICEF,WASH,AF0101,2021-07-01,2021-09-30,Water trucking,1000,GBP
UNICEF,WASH,AF0102,2021-07-04,2021-09-30,Water trucking,250000,JPY
WFP,FSC,AF0101,2021-07-05,2021-09-30,Food baskets,5000,EUR
WFP,FSC,AF0102,2021-07-09,2021-09-30,Food baskets,1200,USD
NRC,SHL,AF0101,2021-07-02,2021-09-30,Shelter kits,80000,CHF
NRC,SHL,AF0102,2021-07-06,2021-09-30,Shelter kits,900000,AFN
NRC,EDU,AF0101,2021-07-06,2021-09-30,Classrooms,700,
NRC,EDU,AF0102,2021-12-01,2021-12-31,Classrooms,300,GBP
NRC,PRO,AF0101,2021-12-01,2021-12-31,Legal aid,400,PLN
EOF
run "$CONCORD" import 3w 3w.csv
is "$RC" 0 "the 3W with budgets loads"

# expected: each budget at its start date (the rate of that day or of the last fixing at most
# 5 days before, else the year's annual average), through the euro
python3 - "$R/ecb_daily_2021_07.csv" "$R/ecb_annual_2020_2021.csv" 3w.csv >expected <<'PY'
import csv, datetime, sys
daily, annual = {}, {}
rows = list(csv.reader(open(sys.argv[1])))
for r in rows[1:]:
    for cur, v in zip(rows[0][1:], r[1:]):
        if cur and v not in ('', 'N/A'):
            daily[(cur, r[0])] = float(v)
for r in csv.DictReader(open(sys.argv[2])):
    annual[(r['currency'], r['year'])] = float(r['units_per_eur'])
def rate(cur, d):
    if cur == 'EUR':
        return 1.0
    for back in range(6):
        k = (cur, (d - datetime.timedelta(days=back)).isoformat())
        if k in daily:
            return daily[k]
    return annual.get((cur, str(d.year)))
total, conv, notconv = 0.0, 0, []
for r in list(csv.reader(open(sys.argv[3])))[2:]:
    value, cur, d = float(r[6]), r[7], datetime.date.fromisoformat(r[3])
    if cur == 'USD':
        total += value; conv += 1; continue
    a, b = (rate(cur, d), rate('USD', d)) if cur else (None, None)
    if a is None or b is None:
        notconv.append(cur or '(no currency)'); continue
    total += value / a * b; conv += 1
print('%.2f %d %d' % (total, conv, len(notconv)))
print(' '.join(sorted(notconv)))
PY
run "$CONCORD" money --csv
is "$RC" 0 "money --csv"
GOT=$(printf '%s\n' "$OUT" | awk -F, '$1 == "3W budgets" { print $2, $4, $5 }')
is "$GOT" "$(sed -n 1p expected)" "3W budgets in USD: total, converted and not as computed here"
like "$OUT" "^3W budgets,[0-9.]*,USD,6,3,2021-07-01,2021-07-05,1$" \
	"daily rates of 1..5 July used (none for the USD budget); one by annual averages"
run "$CONCORD" money
like "$OUT" "Not converted:" "the text lists what it could not convert"
like "$OUT" "3W budgets 3w.csv:8: 900000.00 AFN of 2021-07-06: unknown currency AFN" \
	"AFN: no rate at all"
like "$OUT" "3W budgets 3w.csv:9: 700.00 (no currency) of 2021-07-06: no currency" \
	"a budget without a currency"
like "$OUT" "3W budgets 3w.csv:11: 400.00 PLN of 2021-12-01: no rate near the date PLN" \
	"PLN in December: no fixing near, no annual average stored for it"
run "$CONCORD" money --rates
like "$OUT" "3w.csv:4: 250000.00 JPY of 2021-07-04 = 2243.62 USD (JPY 131.74 of 2021-07-02, USD 1.1823 of 2021-07-02 per EUR)" \
	"a Sunday's budget at Friday's fixings, which are named (250000 / 131.74 × 1.1823)"
like "$OUT" "3w.csv:10: 300.00 GBP of 2021-12-01 = 412.77 USD (GBP 0.859604 (annual average 2021), USD 1.18274 (annual average 2021) per EUR)" \
	"December: the 2021 annual averages, said so (300 / 0.859604 × 1.18274)"
run "$CONCORD" money --currency EUR --csv
like "$OUT" "^3W budgets,.*,EUR," "--currency converts to another currency for once"
run "$CONCORD" money --rate-tolerance 1 --rates
like "$OUT" "3w.csv:4: 250000.00 JPY of 2021-07-04 = 2276.66 USD (JPY 129.877 (annual average 2021), USD 1.18274 (annual average 2021) per EUR)" \
	"with a tolerance of 1 day the Sunday has no fixing: the 2021 averages (250000 / 129.876705 × 1.18274)"

# bad input: a row error names file, line and field; --strict stores nothing
printf 'Date,USD,GBP,\n2021-08-02,1.18,0.85,\n2021-08-03,1.19,zero,\n2021-08-04,1.2,0.86,,7\n' >bad.csv
BEFORE=$(sqlite3 concord.db "select count(*) from fx_rate")
run "$CONCORD" import rates bad.csv --strict
is "$RC" 1 "--strict with bad rows fails"
is "$(sqlite3 concord.db "select count(*) from fx_rate")" "$BEFORE" "and stores nothing"
run "$CONCORD" import rates bad.csv --rejects rej.csv
is "$RC" 3 "without --strict the good row is stored (exit 3)"
like "$ERR" "^bad.csv:3: GBP: rate 'zero' is not a positive number" "a bad rate names line and currency"
like "$ERR" "^bad.csv:4: 5 fields; the header has 3" "a row longer than the header is rejected"
is "$(sed -n 1p rej.csv)" "Date,USD,GBP,,error" "the rejects file has the header and an error column"
is "$(sqlite3 concord.db "select count(*) from fx_rate")" "$((BEFORE + 2))" "the good row's two rates"
printf 'Datum,USD\n2021-08-02,1.18\n' >other.csv
run "$CONCORD" import rates other.csv
is "$RC" 1 "a file of another layout is refused"
like "$ERR" "other.csv:1: not an exchange-rate file" "saying what the header needs"

# ---- the whole ECB history and the IATI excerpts (shared data) ----
if [ -f "$SHARED/rates/ecb_eurofxref_hist.csv" ]; then
	run "$CONCORD" import rates "$SHARED/rates/ecb_eurofxref_hist.csv" "$SHARED/rates/ecb_annual_average_2000_2024.csv"
	is "$RC" 0 "the whole ECB history and the annual averages load"
	N=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "" && $i != "N/A") n++ } END { print n }' \
		"$SHARED/rates/ecb_eurofxref_hist.csv")
	is "$(sqlite3 concord.db "select count(*) from fx_rate where kind = 'daily'")" "$N" \
		"every daily fixing of the history is stored ($N)"
	for f in "$TDATA"/iati/*.xml; do "$CONCORD" import iati "$f" >/dev/null 2>&1; done
	sqlite3 -csv concord.db "select 'b', b.kind, b.value, coalesce(b.currency, a.default_currency, ''),
		coalesce(cast(b.value_date AS text), cast(b.period_start AS text), '') from iati_budget b join iati_activity a on a.id = b.activity_id
		union all select 't', t.type, t.value, coalesce(t.currency, a.default_currency, ''),
		coalesce(cast(t.value_date AS text), cast(t.date AS text), '') from iati_transaction t join iati_activity a on a.id = t.activity_id
		where t.type in ('2', '3', '4')" >amounts.csv
	python3 - "$SHARED/rates/ecb_eurofxref_hist.csv" "$SHARED/rates/ecb_annual_average_2000_2024.csv" amounts.csv >iati-expected <<'PY'
import csv, datetime, sys
daily, annual = {}, {}
rows = list(csv.reader(open(sys.argv[1])))
for r in rows[1:]:
    for cur, v in zip(rows[0][1:], r[1:]):
        if cur and v not in ('', 'N/A'):
            daily[(cur, r[0])] = float(v)
for r in csv.DictReader(open(sys.argv[2])):
    annual[(r['currency'], r['year'])] = float(r['units_per_eur'])
def rate(cur, d):
    if cur == 'EUR':
        return 1.0
    for back in range(6):
        k = (cur, (d - datetime.timedelta(days=back)).isoformat())
        if k in daily:
            return daily[k]
    return annual.get((cur, str(d.year)))
label = {('b', 'budget'): 'IATI budgets', ('b', 'planned-disbursement'): 'IATI planned disbursements',
         ('t', '2'): 'IATI commitments', ('t', '3'): 'IATI disbursements', ('t', '4'): 'IATI expenditures'}
tot = {}
for what, kind, value, cur, day in csv.reader(open(sys.argv[3])):
    k = label[(what, kind)]
    t = tot.setdefault(k, [0.0, 0, 0])
    value = float(value)
    if cur == 'USD':
        t[0] += value; t[1] += 1; continue
    if not cur or not day:
        t[2] += 1; continue
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    a, b = rate(cur, d), rate('USD', d)
    if a is None or b is None:
        t[2] += 1; continue
    t[0] += value / a * b; t[1] += 1
for k in sorted(tot):
    print('%s,%.2f,%d,%d' % (k, tot[k][0], tot[k][1], tot[k][2]))
PY
	run "$CONCORD" money --csv
	GOT=$(printf '%s\n' "$OUT" | awk -F, '$1 ~ /^IATI/ { print $1 "," $2 "," $4 "," $5 }' | sort)
	if [ -s iati-expected ]; then
		is "$GOT" "$(cat iati-expected)" "IATI budgets and transactions in USD as computed here from the stored amounts"
	else
		not_ok "the IATI excerpts have budgets or transactions" "amounts.csv is empty"
	fi
else
	skip "the whole ECB history" "no shared data"
	skip "IATI totals in USD" "no shared data"
fi

done_testing
