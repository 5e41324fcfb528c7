#!/bin/sh
# concord import indicators|benchmarks|observations and concord progress on a constructed but
# realistic case (police trained per province with a female series, DDR weapons collected
# nationally, security incidents per month where lower is better, a stale survey indicator),
# every figure recomputed here in python from the CSV files (DOMAIN.md §2.1–2.4), and on real
# World Bank WDI series for Afghanistan.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/indicators"
AT=2025-07-15

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

run "$CONCORD" import indicators "$D/indicators.csv"
is "$RC" 0 "indicators load"
like "$OUT" "read 4, added 4, updated 0, removed 0, unchanged 0, rejected 0" "four indicators"
run "$CONCORD" import benchmarks "$D/benchmarks.csv"
like "$OUT" "read 13, added 13, .* rejected 0" "thirteen benchmarks"
run "$CONCORD" import observations "$D/observations.csv"
like "$OUT" "read 33, added 33, .* rejected 0" "33 observations, one of them a missing value"
run "$CONCORD" import observations "$D/observations.csv"
like "$OUT" "read 33, added 0, updated 0, removed 0, unchanged 33, rejected 0" \
	"importing the same observations again changes nothing"
run "$CONCORD" import benchmarks "$D/benchmarks.csv"
like "$OUT" "added 0, updated 0, removed 0, unchanged 13" "nor the benchmarks"

# The expected figures, from the CSV files alone.
python3 - "$D" "$AT" >expected <<'PY'
import csv, datetime, itertools, math, statistics, sys
d, at = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
day = lambda s: (datetime.date.fromisoformat(s) - datetime.date(1970, 1, 1)).days
rd = lambda f: list(csv.DictReader(open(d + '/' + f, newline='')))
norm_sex = lambda s: {'f': 'female', 'female': 'female', 'm': 'male', '': ''}[s.lower()]
norm_age = lambda s: '' if s.lower() in ('', 'total') else s
inds = {r['code']: r for r in rd('indicators.csv')}
series = {}
def key(r):
    return (r['indicator'], r['area'], norm_sex(r['sex']), norm_age(r['age_group']))
for r in rd('benchmarks.csv'):
    series.setdefault(key(r), {'bm': [], 'ob': []})['bm'].append(r)
for r in rd('observations.csv'):
    series.setdefault(key(r), {'bm': [], 'ob': []})['ob'].append(r)
def sgn(x):
    return (x > 0) - (x < 0)
def mk_s(y):
    return sum(sgn(y[j] - y[i]) for i in range(len(y)) for j in range(i + 1, len(y)))
def f(x):
    return 'n/a' if x is None else '%.4f' % x
for k in sorted(series):
    s = series[k]
    ind = inds[k[0]]
    bm = {b['kind']: b for b in s['bm'] if b['kind'] != 'milestone'}
    ms = sorted((day(b['date']), float(b['value'])) for b in s['bm'] if b['kind'] == 'milestone')
    obs = sorted((day(o['period_end']), float(o['value'])) for o in s['ob'] if o['value'] != '')
    t = [o[0] for o in obs]; y = [o[1] for o in obs]
    prog = exp = ratio = None
    base = targ = None
    if 'baseline' in bm and 'target' in bm:
        bd, base = day(bm['baseline']['date']), float(bm['baseline']['value'])
        td, targ = day(bm['target']['date']), float(bm['target']['value'])
        pts = [(bd, 0.0)] + [(md, (mv - base) / (targ - base)) for md, mv in ms] + [(td, 1.0)]
        if obs:
            prog = (y[-1] - base) / (targ - base)
            tl = t[-1]
            if tl <= bd: exp = 0.0
            elif tl >= td: exp = 1.0
            else:
                for (d0, p0), (d1, p1) in zip(pts, pts[1:]):
                    if d0 <= tl < d1:
                        exp = min(1, max(0, p0 + (p1 - p0) * (tl - d0) / (d1 - d0)))
            ratio = prog / exp if exp else None
    max_age = 2 * int(ind['period_days'])
    if not obs or (base is not None and t[-1] <= bd):
        status = 'no_data'
    elif (at - datetime.date(1970, 1, 1)).days - t[-1] > max_age:
        status = 'stale'
    elif prog is None:
        status = 'n/a'
    elif exp == 0:
        status = 'on_track' if prog >= 0 else 'off_track'
    else:
        status = 'on_track' if ratio >= 0.9 else 'at_risk' if ratio >= 0.75 else 'off_track'
    n = len(y)
    trend, p, proj = 'too few points', None, ''
    if n >= 4:
        S = mk_s(y)
        ties = len(set(y)) < n
        if n < 10 and not ties:   # exact: enumerate every ordering
            hits = sum(1 for perm in itertools.permutations(range(n)) if abs(mk_s(perm)) >= abs(S))
            p = hits / math.factorial(n)
        else:
            groups = [y.count(v) for v in set(y)]
            var = (n * (n - 1) * (2 * n + 5) - sum(g * (g - 1) * (2 * g + 5) for g in groups)) / 18
            z = (S - sgn(S)) / math.sqrt(var)
            p = math.erfc(abs(z) / math.sqrt(2))
        trend = ('increasing' if S > 0 else 'decreasing') if p < 0.05 else 'no clear trend'
    if targ is not None and obs:
        b = statistics.median((y[j] - y[i]) / (t[j] - t[i]) for i in range(n) for j in range(i + 1, n))
        a = statistics.median(y[i] - b * t[i] for i in range(n))
        if (targ - base > 0 and y[-1] >= targ) or (targ - base < 0 and y[-1] <= targ):
            proj = 'attained'
        elif n < 4:
            proj = 'too few points'
        elif b == 0 or sgn(b) != sgn(targ - base):
            proj = 'not reached on current trend'
        else:
            proj = str(datetime.date(1970, 1, 1) + datetime.timedelta(days=round((targ - a) / b)))
    print('|'.join([k[0], k[1], k[2], k[3], status, f(prog), f(exp), f(ratio), trend,
                    f(p), proj, str(max_age)]))
PY

run "$CONCORD" progress --at "$AT" --csv
is "$RC" 0 "progress runs"
printf '%s\n' "$OUT" >got.csv
python3 - got.csv >got <<'PY'
import csv, sys
def f(x):
    return 'n/a' if x == '' else '%.4f' % float(x)
for r in csv.DictReader(open(sys.argv[1], newline='')):
    proj = r['projected_date'] if r['projection'] == 'date' else r['projection']
    print('|'.join([r['indicator'], r['area'], r['sex'], r['age_group'], r['status'],
                    f(r['progress']), f(r['expected']), f(r['ratio']), r['trend'], f(r['p']),
                    proj, r['max_age_days']]))
PY
is "$(cat got)" "$(cat expected)" "every series: status, progress, expected, ratio, trend, p, projection"
is "$(wc -l <expected | tr -d ' ')" 6 "six series (one disaggregated)"
like "$(cat got)" "^SEC-INC|AF01|||off_track|0.5357|" "lower is better: (33 - 48)/(20 - 48)"
like "$(cat got)" "^POL-TRAINED|AF01|||at_risk|" "the milestone makes police training at risk"
like "$(cat got)" "^LIT-F|AF03|female|15+|stale|" "a survey two years old is stale"
like "$(cat got)" "^POL-TRAINED|AF01|female||off_track|" "the female series is judged on its own benchmarks"

run "$CONCORD" progress --at "$AT"
like "$OUT" "on_track if progress/expected >= 0.90 (default), at_risk if >= 0.75 (default)" \
	"the table states the rule and where each threshold comes from"
like "$OUT" "SEC-INC .* dn " "the table marks lower-is-better"
run "$CONCORD" progress --at "$AT" --on-track 0.8 --at-risk 0.5 --indicator SEC-INC --csv
like "$OUT" "SEC-INC,AF01,,,lower,.*,at_risk," "thresholds are configurable (0.716 is at risk above 0.5)"
run "$CONCORD" progress --at "$AT" --area AF02 --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["results"]; print(len(r), r[0]["area"], r[0]["missing"], d["rule"]["on_track"])' "$OUT" >j 2>&1
is "$(cat j)" "1 AF02 1 0.9" "JSON: one series for --area AF02, its missing value counted, the rule stated"
run "$CONCORD" progress --at "$AT" --indicator SEC-INC --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); p=j["results"][0]["progress"]; print(j["rule"]["from"]["on_track"], p)' "$OUT" >j 2>&1
is "$(cat j)" "default $(python3 -c 'print("%.6g" % ((33 - 48) / (20 - 48)))')" "JSON: the rule says where it comes from"
# No progress at all on a lower-is-better series is 0, not -0 ((48 - 48)/(20 - 48) is -0 in
# IEEE arithmetic), in a store of its own.
printf 'code,name,pillar,unit,measure,direction,aggregation,period_days\nFLAT,Incidents,security,count,unit,lower,sum,30\n' >flat_ind.csv
printf 'indicator,area,sex,age_group,kind,date,value\nFLAT,,,,baseline,2025-01-01,48\nFLAT,,,,target,2026-01-01,20\n' >flat_bm.csv
printf 'indicator,area,sex,age_group,period_start,period_end,value,source,confidence\nFLAT,,,,2025-06-01,2025-06-30,48,test,high\n' >flat_obs.csv
export CONCORD_DB="$WORK/flat.db"
"$CONCORD" init --mission FLT --country AFG >/dev/null
"$CONCORD" import indicators flat_ind.csv >/dev/null
"$CONCORD" import benchmarks flat_bm.csv >/dev/null
"$CONCORD" import observations flat_obs.csv >/dev/null
run "$CONCORD" progress --at "$AT"
like "$OUT" "^FLAT .* 48 @ 2025-06-30 *0.000 " "actual = baseline, lower is better: progress 0.000"
unlike "$OUT" "-0\.000" "... never -0.000"
run "$CONCORD" progress --at "$AT" --json
like "$OUT" '"progress":0,' "... JSON progress 0"
unlike "$OUT" ':-0[,}]' "... never -0 in JSON"
unset CONCORD_DB
run "$CONCORD" progress --indicator NOPE
is "$RC" 1 "an unknown indicator fails"
run "$CONCORD" progress --at 2025-13-01
is "$RC" 2 "a bad date is a usage error"

# The rejects file: the header with an error column, then each rejected row with its reason.
run "$CONCORD" import observations --dry-run --rejects rej.csv "$D/observations_bad.csv"
is "$RC" 1 "a dry run with rejected rows fails and stores nothing"
is "$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(len(r), r[0][-1], r[1][6], r[1][-1])' rej.csv)" \
	"10 error Yes value: 'Yes' is not a number" "the rejects file holds the 9 bad rows and why"

# Rejected rows, each FILE:LINE: FIELD: reason; the good row is stored (exit status 3).
run "$CONCORD" import observations "$D/observations_bad.csv"
is "$RC" 3 "bad rows are rejected, good ones stored"
printf '%s\n' "$ERR" | sed "s|^.*observations_bad.csv|F|" >rejects
cat >want <<'W'
F:2: value: 'Yes' is not a number
F:3: value: 'N/A' is not a number
F:4: area: unknown P-code 'AF99'
F:5: indicator: unknown indicator 'POLICE-X' (import indicators first)
F:6: sex: unknown sex 'x' (female, male or total)
F:7: period_end: '2025-13-01' is not a date (YYYY-MM-DD)
F:8: confidence: unknown confidence 'certain' (high, medium, low)
F:9: period_start: period_start 2025-08-01 is after period_end 2025-07-31
F:11: period_end: duplicate of line 10
W
is "$(cat rejects)" "$(cat want)" "each rejected row names its line, field and reason"
run "$CONCORD" progress --at 2025-08-15 --indicator SEC-INC --csv
like "$OUT" "SEC-INC,AF01,,,lower,7,0,2025-07-31,30," "the one good row was stored"

# Real data: World Bank WDI population of Afghanistan, 2000–2016, as a national series.
python3 - "$D/wdi_afg_excerpt.csv" >wdi_obs.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
head = rows[0]
print('indicator,area,sex,age_group,period_start,period_end,value,source,confidence')
for r in rows[1:]:
    if r[3] != 'SP.POP.TOTL':
        continue
    for i, y in enumerate(head):
        if y.isdigit() and 2000 <= int(y) <= 2016 and r[i]:
            print('WDI-POP,,,,%s-01-01,%s-12-31,%s,World Bank WDI,high' % (y, y, r[i]))
PY
printf 'code,name,pillar,unit,measure,direction,aggregation,period_days\nWDI-POP,Population,overall,people,unit,higher,sum,365\n' >wdi_ind.csv
"$CONCORD" import indicators wdi_ind.csv >/dev/null
run "$CONCORD" import observations wdi_obs.csv
like "$OUT" "read 17, added 17, .* rejected 0" "17 years of WDI population"
run "$CONCORD" progress --indicator WDI-POP --at 2017-06-30 --csv
# 17 strictly rising values: S = 136, Var = 17·16·39/18 = 589.33, Z = 135/√589.33 = 5.561
python3 -c 'import math; print("%.6g" % math.erfc(135 / math.sqrt(17*16*39/18) / math.sqrt(2)))' >wdi_p
like "$OUT" "WDI-POP,,,,higher,17,0,2016-12-31,.*,n/a,730,increasing,.*,136,$(cat wdi_p),normal" \
	"the WDI series rises significantly (normal p for n = 17)"

# Roll-up to pillars: recomputed here from the per-series CSV and the indicators' pillars.
"$CONCORD" progress --at $AT --csv >series.csv
"$CONCORD" progress --at $AT --csv --by pillar >pillars.csv
python3 - "$D/indicators.csv" wdi_ind.csv series.csv >want_pillars.csv <<'PY'
import csv, statistics, sys
pillar = {}
for f in sys.argv[1:3]:
    for r in csv.DictReader(open(f)):
        pillar[r['code']] = r['pillar']
groups = {}
for r in csv.DictReader(open(sys.argv[3])):
    if r['sex'] or r['age_group']:
        continue
    p = pillar[r['indicator']]
    for key in ((p, '*'), (p, r['area'])):
        groups.setdefault(key, []).append(r)
order = ['on_track', 'at_risk', 'off_track', 'stale', 'no_data', 'n/a']
print('pillar,area,series,on_track,at_risk,off_track,stale,no_data,n_a,with_ratio,median_ratio,status')
for (p, a) in sorted(groups, key=lambda k: (k[0], '' if k[1] == '*' else '~' + k[1])):
    rows = groups[(p, a)]
    # stale and no-data series are counted apart, never in the median (DOMAIN §2.2)
    judged = [r for r in rows if r['status'] in ('on_track', 'at_risk', 'off_track')]
    ratios = [float(r['ratio']) for r in judged if r['ratio'] != '']
    med = statistics.median(ratios) if ratios else None
    if med is None:
        st = 'stale' if not judged and any(r['status'] == 'stale' for r in rows) else 'no_data'
    else:
        st = 'on_track' if med >= 0.9 else 'at_risk' if med >= 0.75 else 'off_track'
    counts = [sum(1 for r in rows if r['status'] == s) for s in order]
    print(','.join([p, a, str(len(rows))] + [str(c) for c in counts] +
                   [str(len(ratios)), '' if med is None else '%.4g' % med, st]))
PY
python3 - pillars.csv >got_pillars.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
print(','.join(rows[0]))
for r in rows[1:]:
    r[10] = '' if r[10] == '' else '%.4g' % float(r[10])
    print(','.join(r))
PY
is "$(cat got_pillars.csv)" "$(cat want_pillars.csv)" \
	"--by pillar: counts by status and the median ratio per pillar x area, as computed from the series"
like "$(cat pillars.csv)" "^security,\*," "... with a row over every area for each pillar"
run "$CONCORD" progress --at $AT --by pillar --json
is "$(printf '%s' "$OUT" | python3 -c 'import json, sys; j = json.load(sys.stdin); print(len(j["rows"]), j["on_track"], j["rows"][0]["status"])')" \
	"$(($(wc -l <pillars.csv) - 1)) 0.9 $(sed -n 2p pillars.csv | awk -F, '{ print $NF }')" \
	"--json: the same rows, thresholds and statuses"
run "$CONCORD" progress --by area
is "$RC $(printf '%s' "$ERR" | grep -c "choose series or pillar")" "2 1" "--by area: a usage error naming the choices"

# The status rule per mission (DOMAIN.md §2.2): `mission set` stores thresholds that progress,
# its --by pillar roll-up and GET /api/progress then use unless an option overrides them; every
# output says where each threshold came from. Each series' status is recomputed here from the
# ratios and dates of the default run (series.csv) under the mission's thresholds.
run "$CONCORD" mission show
like "$OUT" "^status rule: on_track if progress/expected >= 0.90 (default), at_risk if >= 0.75 (default)" \
	"mission show: the default status rule"
run "$CONCORD" mission set --on-track 0.8 --at-risk 0.5
is "$RC" 0 "mission set --on-track 0.8 --at-risk 0.5 (no reporting currency needed)"
like "$OUT" "status rule: on_track if progress/expected >= 0.80 (mission), at_risk if >= 0.50 (mission)" \
	"... the new rule printed"
is "$(sqlite3 concord.db "SELECT on_track, at_risk, coalesce(cast(max_age_days AS text), 'NULL'), coalesce(cast(alpha AS text), 'NULL') FROM mission_status_rule")" \
	"0.8|0.5|NULL|NULL" "... stored in the store, the rest left to the defaults"
restatus() { # restatus ON AT_RISK MAX_AGE: series.csv's statuses under other thresholds
	python3 - series.csv "$AT" "$@" <<'PY'
import csv, datetime, sys
at = datetime.date.fromisoformat(sys.argv[2])
on, risk, age = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
for r in csv.DictReader(open(sys.argv[1])):
    st = r['status']
    max_age = age or int(r['max_age_days'])
    if st not in ('no_data',) and (at - datetime.date.fromisoformat(r['latest_date'])).days > max_age:
        st = 'stale'
    elif st in ('on_track', 'at_risk', 'off_track', 'stale') and r['ratio'] != '':
        x = float(r['ratio'])
        st = 'on_track' if x >= on else 'at_risk' if x >= risk else 'off_track'
    print(r['indicator'], r['area'], r['sex'], st, max_age)
PY
}
statuses() { python3 -c 'import csv, sys; [print(r["indicator"], r["area"], r["sex"], r["status"], r["max_age_days"]) for r in csv.DictReader(sys.stdin)]'; }
"$CONCORD" progress --at "$AT" --csv | statuses >got_m
restatus 0.8 0.5 0 >want_m
is "$(cat got_m)" "$(cat want_m)" "progress uses the mission's thresholds: every status as recomputed here"
like "$(cat got_m)" "^SEC-INC AF01  at_risk" "... SEC-INC's 0.716 is at risk under 0.5, off track under 0.75"
run "$CONCORD" progress --at "$AT"
like "$OUT" "Status rule: on_track if progress/expected >= 0.80 (mission), at_risk if >= 0.50 (mission), off_track below; stale after 180 days or 2 x the indicator's reporting period (default); trend alpha 0.05 (default)" \
	"the table states the mission's rule and the defaults it keeps"
run "$CONCORD" progress --at "$AT" --json --on-track 0.95
is "$(printf '%s' "$OUT" | python3 -c 'import json, sys; r = json.load(sys.stdin)["rule"]; print(r["on_track"], r["from"]["on_track"], r["at_risk"], r["from"]["at_risk"], r["from"]["alpha"])')" \
	"0.95 option 0.5 mission default" "an option overrides the mission for one run; JSON says which came from where"
run "$CONCORD" progress --at "$AT" --on-track 0.4
is "$RC" 2 "an option under the mission's at_risk is a usage error"
like "$ERR" "at_risk 0.5 (mission) is above on_track 0.4 (option)" "... naming both and their origins"
run "$CONCORD" progress --at "$AT" --json --by pillar
is "$(printf '%s' "$OUT" | python3 -c 'import json, sys; j = json.load(sys.stdin); print(j["on_track"], j["at_risk"], j["status_rule"]["from"]["on_track"])')" \
	"0.8 0.5 mission" "--by pillar judges with the mission's thresholds too"
run "$CONCORD" mission set --at-risk 0.9
is "$RC" 2 "mission set: at_risk above the mission's on_track is refused"
like "$ERR" "at_risk 0.9 (mission) is above on_track 0.8 (mission)" "... saying why"
run "$CONCORD" mission set --on-track 1.5
is "$RC" 2 "mission set: an on_track outside (0, 1] is refused"
run "$CONCORD" mission set --max-age 30 --alpha 0.1
like "$OUT" "stale after 30 days (mission); trend alpha 0.10 (mission)" "mission set --max-age 30 --alpha 0.1"
"$CONCORD" progress --at "$AT" --csv | statuses >got_m
restatus 0.8 0.5 30 >want_m
is "$(cat got_m)" "$(cat want_m)" "a mission max-age of 30 days: every series older than that is stale"
run "$CONCORD" mission show --json
is "$(printf '%s' "$OUT" | python3 -c 'import json, sys; r = json.load(sys.stdin)["status_rule"]; print(r["on_track"], r["at_risk"], r["alpha"], r["max_age_days"], sorted(set(r["from"].values())))')" \
	"0.8 0.5 0.1 30 ['mission']" "mission show --json: the stored rule"
# ---- the same through GET /api/progress ----
if command -v curl >/dev/null 2>&1; then
	"$CONCORD" member add MON --kind ngo >/dev/null
	"$CONCORD" user add mon --org MON --role viewer >/dev/null
	TOK=$("$CONCORD" token create mon 2>/dev/null)
	serve_start
	curl -s -o api1.json -H "Authorization: Bearer $TOK" "$URL/api/progress?at=$AT"
	"$CONCORD" progress --at "$AT" --json >cli1.json
	if cmp -s api1.json cli1.json; then ok "GET /api/progress uses the mission's rule, as the CLI (same bytes)"
	else not_ok "GET /api/progress uses the mission's rule, as the CLI (same bytes)" "$(diff api1.json cli1.json | head -5)"; fi
	is "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["rule"]; print(r["on_track"], r["max_age_days"], r["from"]["on_track"])' api1.json 2>&1)" \
		"0.8 30 mission" "... the answer states the mission's thresholds"
	curl -s -o api2.json -H "Authorization: Bearer $TOK" "$URL/api/progress?at=$AT&max_age=400&at_risk=0.6"
	is "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["rule"]; print(r["max_age_days"], r["from"]["max_age_days"], r["at_risk"], r["from"]["at_risk"], r["from"]["on_track"])' api2.json 2>&1)" \
		"400 option 0.6 option mission" "query parameters override the mission, and say so"
	CODE=$(curl -s -o api3.json -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/api/progress?at=$AT&on_track=0.4")
	is "$CODE $(python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["error"]; print(e["field"])' api3.json 2>&1)" \
		"400 at_risk" "on_track under the mission's at_risk: 400 naming at_risk"
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
else
	skip "GET /api/progress with the mission's rule" "curl is not installed"
fi
run "$CONCORD" mission set --on-track default --at-risk default --max-age default --alpha default
like "$OUT" "on_track if progress/expected >= 0.90 (default), at_risk if >= 0.75 (default), off_track below; stale after 180 days or 2 x the indicator's reporting period (default); trend alpha 0.05 (default)" \
	"mission set ... default: back to the defaults"
"$CONCORD" progress --at $AT --csv >series2.csv
is "$(cmp series.csv series2.csv && echo same)" "same" "... and progress is as before"

# Series come out in P-code order whatever order the areas were stored in: a store whose
# gazetteer was imported backwards (area ids against P-code order), read one indicator at a time
# (--csv) and all at once (--json, SQLite's own sort), both against the order sorted here.
python3 - "$CASE/afg_global_pcodes_subset.csv" >rev.csv <<'PY'
import sys
lines = open(sys.argv[1], encoding='utf-8-sig').read().splitlines()
print(lines[0])
print('\n'.join(reversed(lines[1:])))
PY
cat >rev_obs.csv <<'CSV'
indicator,area,sex,age_group,period_start,period_end,value,source,confidence
REV,AF10,,,,2024-03-31,5,test,high
REV,AF02,female,,,2024-03-31,3,test,high
REV,AF02,,,,2024-03-31,4,test,high
REV,AF0101,,,,2024-03-31,1,test,high
REV,AF01,,,,2024-03-31,2,test,high
REV,,,,,2024-03-31,9,test,high
CSV
printf 'code,name,pillar,unit,measure,direction,aggregation,period_days\nREV,Order,overall,count,unit,higher,sum,90\n' >rev_ind.csv
export CONCORD_DB="$WORK/rev.db"
"$CONCORD" init --mission REV --country AFG >/dev/null
"$CONCORD" import areas rev.csv >/dev/null
"$CONCORD" import indicators rev_ind.csv >/dev/null
"$CONCORD" import observations rev_obs.csv >/dev/null
is "$(sqlite3 rev.db "SELECT (SELECT id FROM area WHERE pcode = 'AF01') > (SELECT id FROM area WHERE pcode = 'AF10')")" 1 \
	"the backwards store gives AF10 a smaller id than AF01"
"$CONCORD" progress --csv --at 2024-06-30 | awk -F, 'NR > 1 { print $2 "/" $3 }' >csv_order
"$CONCORD" progress --json --at 2024-06-30 |
	python3 -c 'import json, sys; [print(r["area"] + "/" + r["sex"]) for r in json.load(sys.stdin)["results"]]' >json_order
python3 -c 'import csv; rows = list(csv.DictReader(open("rev_obs.csv"))); [print(k) for k in sorted({r["area"] + "/" + r["sex"] for r in rows})]' >want_order
is "$(cat csv_order | tr '\n' ' ')" "$(cat want_order | tr '\n' ' ')" "one indicator at a time: series in P-code order"
is "$(cat json_order | tr '\n' ' ')" "$(cat want_order | tr '\n' ' ')" "all at once (--json): the same order"

done_testing
