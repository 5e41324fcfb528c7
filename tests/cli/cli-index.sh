#!/bin/sh
# concord rollup and concord index on a constructed case (tests/data/index) placed in real
# Afghan admin areas with the real 2021 province populations: every roll-up, pillar score,
# overall score, rank, stage and sensitivity rank is recomputed here in python from the CSV
# files, the gazetteer and the population file (DOMAIN.md §2.5, §2.6; docs/index.md).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/index"
AT=2025-06-30

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import population "$CASE/afg_population_adm1.csv" >/dev/null
run "$CONCORD" import indicators "$D/indicators.csv"
is "$RC" 0 "the case's indicators load"
run "$CONCORD" import observations "$D/observations.csv"
like "$OUT" "read 20, added 20, .* rejected 0" "20 observations, one of them missing"

# ---- roll-ups, recomputed ----
cat >rollup.py <<'PY'
import csv, sys
d, case, level, at = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rd = lambda f: list(csv.DictReader(open(f, newline='', encoding='utf-8-sig')))
inds = {r['code']: r for r in rd(d + '/indicators.csv')}
areas = {}
for r in rd(case + '/afg_global_pcodes_subset.csv'):
    areas[r['P-Code']] = (int(r['Admin Level']), r['Parent P-Code'])
areas['AFG'] = (0, '')
pop = {r['ADM_PCODE']: float(r['Population']) for r in rd(case + '/afg_population_adm1.csv')}
kids = {}
for p, (lv, par) in sorted(areas.items()):
    if par:
        kids.setdefault(par, []).append(p)
series = {}
for o in rd(d + '/observations.csv'):
    if o['value'] == '' or o['period_end'] > at:
        continue
    k = (o['indicator'], o['sex'], o['age_group'])
    cur = series.setdefault(k, {}).get(o['area'])
    if cur is None or o['period_end'] >= cur[1]:
        series[k][o['area']] = (float(o['value']), o['period_end'])
def value(k, a, rule):
    """(value, how, used, source, missing, nopop) of area a"""
    own = series[k].get(a)
    if own:
        return (own[0], 'observed', 0, '', [], [], own[1])
    vals, miss, nopop, src, best = [], [], [], '', None
    for c in kids.get(a, []):
        v = value(k, c, rule)
        if v is None or v[0] is None:
            miss.append(c)
            continue
        if rule == 'population_weighted_mean' and c not in pop:
            nopop.append(c)
            continue
        vals.append((c, v[0], v[6]))
        if v[1] == 'rolled up':
            miss += v[4]
            nopop += v[5]
    if not vals:
        return None if not nopop else (None, 'none', 0, '', miss, nopop, '')
    if rule == 'sum':
        x = sum(v for _, v, _ in vals)
    elif rule == 'mean':
        x = sum(v for _, v, _ in vals) / len(vals)
    elif rule == 'population_weighted_mean':
        x = sum(pop[c] * v for c, v, _ in vals) / sum(pop[c] for c, _, _ in vals)
    elif rule == 'max':
        src, x, _ = max(vals, key=lambda t: (t[1], [-ord(ch) for ch in t[0]]))
    elif rule == 'latest':
        src, x, _ = max(vals, key=lambda t: (t[2], [-ord(ch) for ch in t[0]]))
    return (x, 'rolled up', len(vals), src, miss, nopop, max(t for _, _, t in vals))
for k in sorted(series):
    rule = inds[k[0]]['aggregation']
    for a in sorted(p for p, (lv, _) in areas.items() if lv == level):
        v = value(k, a, rule)
        if v is None:
            continue
        print('|'.join([k[0], a, k[1], k[2], '' if v[0] is None else '%.6g' % v[0], v[1],
                        str(v[2]), v[3], ';'.join(v[4]), ';'.join(v[5])]))
PY
cut_rollup() { # the compared columns of `rollup --csv`
	python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print("|".join([r["indicator"], r["area"], r["sex"], r["age_group"], r["value"], r["how"],
                    r["n_used"] if r["how"] != "observed" else "0", r["source"], r["missing"],
                    r["no_population"]]))' "$1" | sort
}

for LV in 1 0; do
	python3 rollup.py "$D" "$CASE" $LV $AT | sort >expected
	run "$CONCORD" rollup --level $LV --at $AT --csv
	is "$RC" 0 "rollup --level $LV runs"
	printf '%s\n' "$OUT" >got.csv
	is "$(cut_rollup got.csv)" "$(cat expected)" \
		"rollup to level $LV: every value, rule, source and missing child as recomputed"
done
run "$CONCORD" rollup --level 1 --at $AT --csv
like "$OUT" "^SEC-INC,security,sum,AF02,Kapisa,1,,,12,rolled up,2,7,,2025-06-30,2025-06-30,AF0203;AF0204;AF0205;AF0206;AF0207," \
	"Kapisa's incidents: 8 + 4 from two of seven districts; the five others listed (a missing value too)"
like "$OUT" "^GOV-SERV,governance,max,AF02,Kapisa,1,,,90,rolled up,2,7,AF0205," \
	"max names the district that supplied it"
run "$CONCORD" rollup --level 0 --at $AT --csv --indicator LIT-F
like "$OUT" "^LIT-F,governance,population_weighted_mean,AFG,.*,0,,,46.0661,rolled up,4,34," \
	"literacy over the country weighted by the real 2021 province populations: 420532680/9128895"
like "$OUT" "^LIT-F,governance,population_weighted_mean,AFG,.*,0,female,15+,50," \
	"the female 15+ series rolls up on its own"
run "$CONCORD" rollup --level 1 --at 2025-03-31 --indicator SEC-INC --csv
like "$OUT" "^SEC-INC,security,sum,AF01,Kabul,1,,,20,observed," "--at takes the value of that date"
run "$CONCORD" rollup --level 1 --at $AT
like "$OUT" "Children without a value are listed as missing, never" "the table states the rule"
like "$OUT" "AF0203 AF0204 AF0205" "the table lists missing districts"
run "$CONCORD" rollup --level 1 --json --at $AT --indicator GOV-SERV
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); r=[x for x in d["results"] if x["area"]=="AF02"][0]; print(r["value"], r["source"], len(r["missing"]), d["level"])' "$OUT" >j 2>&1
is "$(cat j)" "90 AF0205 5 1" "JSON roll-up: value, source, missing districts"
run "$CONCORD" rollup --indicator NOPE
is "$RC" 1 "rollup of an unknown indicator fails"

# ---- the index, recomputed ----
cat >index.py <<'PY'
import csv, json, subprocess, sys
rows = {}
for line in open(sys.argv[1]):
    ind, area, sex, age, val = line.split('|')[:5]
    if not sex and not age and val:
        rows[(ind, area)] = float(val)
inds = {r['code']: r for r in csv.DictReader(open(sys.argv[2] + '/indicators.csv'))}
mode = sys.argv[3]
items = [('SEC-INC', 2), ('POL-PRES', 1), ('GOV-SERV', 1), ('LIT-F', 1)]
pw = {'security': 0.5, 'governance': 0.5}
def norm(code, x):
    lo, hi = float(inds[code]['goal_min']), float(inds[code]['goal_max'])
    v = (x - lo) / (hi - lo) if inds[code]['direction'] == 'higher' else (hi - x) / (hi - lo)
    return min(1, max(0, v))
areas = sorted({a for (_, a) in rows})
def scores(iw, pws):
    out = {}
    for a in areas:
        ps = {}
        for p in pw:
            its = [(c, iw[c]) for c, _ in items if inds[c]['pillar'] == p]
            if any((c, a) not in rows for c, _ in its):
                ps[p] = None
                continue
            s = sum(w for _, w in its)
            ps[p] = sum(w / s * norm(c, rows[(c, a)]) for c, w in its)
        if any(v is None for v in ps.values()):
            ov = None
        else:
            s = sum(pws.values())
            ov = sum(pws[p] / s * ps[p] for p in pw)
        out[a] = (ps, ov)
    return out
def ranks(sc):
    return {a: (1 + sum(1 for b in sc if sc[b][1] is not None and sc[b][1] > sc[a][1] + 1e-12))
            if sc[a][1] is not None else 0 for a in sc}
base = scores(dict(items), pw)
rk = ranks(base)
if mode == 'table':
    for a in areas:
        ps, ov = base[a]
        f = lambda v: '' if v is None else '%.6g' % v
        r = rk[a]
        val = lambda c: rows.get((c, a))
        def all3(conds):  # three-valued and: False wins, then None (unknown)
            if any(c is False for c in conds):
                return False
            return None if any(c is None for c in conds) else True
        ge = lambda x, t: None if x is None else x >= t
        le = lambda x, t: None if x is None else x <= t
        st = 'imposed stability|default'
        for name, stage, v in (('sustained', 'self-sustaining peace',
                                all3([ge(ov, 0.6), le(val('SEC-INC'), 15),
                                      ge(val('POL-PRES'), 50)])),
                               ('assisted', 'assisted stability', all3([ge(ps['security'], 0.5)]))):
            if v is True:
                st = stage + '|' + name
                break
            if v is None:
                st = 'undetermined|' + name
                break
        print('|'.join([a, f(ps['security']), f(ps['governance']), f(ov), str(r) if r else '', st]))
else:
    for c, w in items + [(p, None) for p in pw]:
        for fac in (0.8, 1.2):
            iw, pws = dict(items), dict(pw)
            if w is None:
                pws[c] *= fac
            else:
                iw[c] *= fac
            nr = ranks(scores(iw, pws))
            print(c, fac, ' '.join('%s=%d' % (a, nr[a]) for a in areas))
PY
python3 rollup.py "$D" "$CASE" 1 $AT >rolled1
python3 index.py rolled1 "$D" table >expected
run "$CONCORD" index --config "$D/index.yaml" --at $AT --csv
is "$RC" 0 "index runs"
printf '%s\n' "$OUT" >got.csv
python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    rule = r["stage_rule"].split(":")[0]
    print("|".join([r["area"], r["security"], r["governance"], r["overall"], r["rank"], r["stage"],
                    "default" if rule.startswith("default") else rule]))' got.csv >got
is "$(cat got)" "$(cat expected)" "pillar scores, overall, rank and stage with its rule, as recomputed"
like "$(cat got)" "^AF01|0.8|0.6|0.7|2|self-sustaining peace|sustained" \
	"Kabul: security (2 x 0.8 + 0.8)/3, governance (0.7 + 0.5)/2, overall 0.7"
like "$(cat got)" "^AF02|0.6|0.81|0.705|1|assisted stability|assisted" \
	"Kapisa, rolled up from its districts, ranks first; too few police posts for the top stage"
like "$(cat got)" "^AF04||0.425|||undetermined|assisted" \
	"Maidan Wardak lacks police presence: no security score, no rank, stage undetermined"
like "$OUT" "AF04,.*,POL-PRES$" "the missing indicator is listed"

run "$CONCORD" index --config "$D/index.json" --at $AT --csv
is "$OUT" "$(cat got.csv)" "the JSON definition gives the same index as the YAML one"

python3 index.py rolled1 "$D" sens >expected
run "$CONCORD" index --config "$D/index.yaml" --at $AT --json
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for s in d["sensitivity"]:
    w = s["weight"].split(" (")[0].replace("pillar ", "")
    print(w, "%g" % s["factor"], " ".join("%s=%d" % kv for kv in sorted(s["ranks"].items())))
' "$OUT" >got
is "$(cat got)" "$(cat expected)" "sensitivity: every weight x 0.8 and x 1.2, ranks as a brute-force recomputation"
like "$(cat got)" "^security 1.2 AF01=1 AF02=2 " "security weight up 20%: Kabul and Kapisa swap"

run "$CONCORD" index --config "$D/index.yaml" --at $AT
like "$OUT" "Weights are divided by their sum" "the table states the method"
like "$OUT" "pillar security .* +20% .* AF01 2->1, AF02 1->2" "the sensitivity table shows the swap"
like "$OUT" "sustained: overall >= 0.6 and SEC-INC <= 15 and POL-PRES >= 50" "the deciding rule is shown"
like "$OUT" "missing pillar:security" "an undetermined stage names what is missing"

run "$CONCORD" index --at $AT --csv
is "$RC" 0 "without --config: every indicator with goalposts, weight 1"
like "$OUT" "^AF01,Kabul,0.6,0.8,0.7,1,no,,,$" "equal weights: Kabul's security (0.8 + 0.8)/2, first"

# Geometric, with goalposts that put Parwan's 45 incidents beyond the worst (40): its 0 is
# raised to 0.01 and flagged.
cat >geo.yaml <<'EOF'
method: geometric
indicators:
  - code: SEC-INC
    weight: 2
    goalposts: [0, 40]
  - code: POL-PRES
  - code: GOV-SERV
  - code: LIT-F
EOF
run "$CONCORD" index --config geo.yaml --at $AT --csv
is "$RC" 0 "a geometric index runs"
python3 -c '
import csv, math, sys
r = {x["area"]: x for x in csv.DictReader(open(sys.argv[1]))}["AF03"]
sec = math.exp(2 / 3 * math.log(0.01) + 1 / 3 * math.log(0.4))
gov = math.sqrt(0.2 * 0.2)
ov = math.sqrt(sec * gov)
ok = abs(float(r["security"]) - sec) < 1e-5 and abs(float(r["overall"]) - ov) < 1e-5
print("ok" if ok else "got %s %s want %.6g %.6g" % (r["security"], r["overall"], sec, ov), r["floored"])
' "$(printf '%s\n' "$OUT" >geo.csv; echo geo.csv)" >got
is "$(cat got)" "ok yes" "Parwan: security 0.01^(2/3) x 0.4^(1/3), overall its geometric mean with 0.2, flagged"
run "$CONCORD" index --config geo.yaml --at $AT
like "$OUT" "Geometric inputs below 0.01 are raised to 0.01 (marked \*)" "the table states the floor"

run "$CONCORD" index --config "$D/zero-weights.yaml"
is "$RC" 1 "all weights zero is refused"
like "$ERR" "all weights of pillar 'security' are zero" "... with the reason"
run "$CONCORD" index --config "$D/bad-key.yaml"
is "$RC" 1 "a misspelt key is refused"
like "$ERR" "bad-key.yaml:4: wieght: unknown key 'wieght'" "... naming file, line and field"
run "$CONCORD" index --config "$D/unknown-indicator.yaml"
is "$RC" 1 "an indicator the mission lacks is refused"
like "$ERR" "unknown-indicator.yaml:4: code: unknown indicator 'NO-SUCH'" "... naming its line"
run "$CONCORD" index --level 9
is "$RC" 2 "a bad level is a usage error"
run "$CONCORD" help index
like "$OUT" "goalposts" "help index explains the command"

done_testing
