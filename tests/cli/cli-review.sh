#!/bin/sh
# concord review: the sample plan's findings (worked out by hand in the comment of
# data/cases/afghanistan/sample_plan.yaml, plus R8 for each of its five known pillars: the store
# here holds no indicator), lessons matched from the seed register, disabling rules, rules
# files, JSON output, exit statuses, malformed plans, R3 against incidents counted here, R7
# against a constructed 3W (scores computed here), R8 against imported indicators, and
# lessons ranked by the area of the finding.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
RV="$TDATA/review"
PLAN="$CASE/sample_plan.yaml"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" lesson import "$ROOT"/data/lessons/*.md >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

run "$CONCORD" review "$PLAN"
is "$RC" 4 "a plan with error findings exits 4"
is "$(printf '%s\n' "$OUT" | grep -E '^R[0-9]' | cut -d' ' -f1-4)" "R1 error A-01 organisations:
R2 warning A-01 organisations:
R4 error A-03 budget:
R5 error A-04 end:
R6 error A-04 area
R6 error A-05 pillar
R3 info (plan) incidents:
R8 warning A-01 pillar
R8 warning A-02 pillar
R8 warning A-02 pillar
R8 warning A-03 pillar
R8 warning A-04 pillar" "the sample plan's findings, in plan and rule order, R3 and R8 last"
like "$OUT" "A-04 end: ends 2022-03-31, before it starts 2022-06-01" "R5 names both dates"
like "$OUT" "unknown P-code 'AF9901'" "R6 names the P-code"
like "$OUT" "led by military organisation 'PRT Jalalabad' only" "R1 names the military lead"
like "$OUT" "5 activities, 5 errors, 6 warnings, 1 info" "the summary counts"
like "$OUT" "R8 warning A-02 pillar humanitarian: no indicator of the humanitarian pillar is registered, so none has a baseline" \
	"R8 names the pillar, at its first activity"

# the lesson under R2 whose title speaks of local partners (the rule's keywords)
is "$(printf '%s\n' "$OUT" | sed -n '/^R2 /,/^R[0-9]/p' | grep -c 'lesson GEN-008: Local ownership needs real local partners')" 1 \
	"R2 lists the seed lesson on local partners"

# every listed lesson exists in the seed register and carries the finding's pillar when the
# finding has one (R1 governance, R3 security; the others the activity's first pillar)
run "$CONCORD" review --json "$PLAN"
is "$RC" 4 "--json exits 4 as well"
printf '%s\n' "$OUT" >review.json
cat >check.py <<'PY'
import glob, json, re, sys
root = sys.argv[1]
lessons = {}
for f in glob.glob(root + '/data/lessons/*.md'):
    fm = open(f, encoding='utf-8').read().split('---')[1]
    key = re.search(r'^key:\s*(\S+)', fm, re.M).group(1)
    pil = re.search(r'^pillars:\s*\[(.*)\]', fm, re.M).group(1)
    lessons[key] = [p.strip() for p in pil.split(',')]
plan_pillar = {'A-01': 'governance', 'A-03': 'security', 'A-04': 'economy', 'A-05': None}
r = json.load(open('review.json'))
bad = []
n_lessons = 0
for f in r['findings']:
    want = {'R1': 'governance', 'R3': 'security'}.get(f['rule'], plan_pillar.get(f['activity']))
    if f['rule'] == 'R8':
        want = f['item'].split(' ', 1)[1]
    if f['rule'] == 'R6' and f['item'].startswith('pillar'):
        want = None
    for l in f['lessons']:
        n_lessons += 1
        if l['key'] not in lessons or (want and want not in lessons[l['key']]):
            bad.append((f['rule'], l['key'], want))
print(len(r['findings']), r['errors'], r['warnings'], r['info'], n_lessons > 0, bad)
PY
is "$(python3 check.py "$ROOT")" "12 5 6 1 True []" "JSON: counts, and lessons exist with the finding's pillar"

run "$CONCORD" review "$PLAN" --disable R2="no national NGO works in these districts yet" \
	--disable R6=checked
is "$RC" 4 "disabling R2 and R6 leaves R1, R4, R5 errors"
unlike "$OUT" "^R2 " "R2 disabled: no R2 finding"
unlike "$OUT" "^R6 " "R6 disabled: no R6 finding"
like "$OUT" "^disabled R2: no national NGO works in these districts yet" "the reason is stated"
like "$OUT" "3 errors, 5 warnings, 1 info" "the counts without R2 and R6"

run "$CONCORD" review "$PLAN" --disable R2,R6,R8 --reason "pilot plan"
is "$RC" 4 "--disable LIST --reason"
is "$(printf '%s\n' "$OUT" | grep -c '^disabled R[268]: pilot plan$')" 3 "each listed rule off, with the reason"
like "$OUT" "3 errors, 0 warnings, 1 info" "the counts without R2, R6 and R8"
run "$CONCORD" review "$PLAN" --disable R2,R77 --reason x
is "$RC" 2 "an unknown rule in a list is a usage error"
like "$ERR" "unknown rule 'R77'" "and named"

# ---- rules files
run "$CONCORD" review "$PLAN" --rules "$ROOT/data/review/rules.yaml"
is "$RC" 4 "the shipped rules file"
like "$OUT" "5 activities, 5 errors, 6 warnings, 1 info" "gives the built-in result"
run "$CONCORD" review "$PLAN" --rules "$RV/rules_strict.yaml"
is "$RC" 4 "a rules file that changes severities"
like "$OUT" "^R2 error A-01 organisations:" "R2 is an error by the file"
unlike "$OUT" "^R8 " "R8 off by the file"
like "$OUT" "^disabled R8: indicators are set after the inception phase" "with the file's reason"
like "$OUT" "5 activities, 6 errors, 0 warnings, 1 info" "the counts under the file"
run "$CONCORD" review "$PLAN" --rules "$RV/rules_strict.yaml" --disable R2=later
unlike "$OUT" "^R2 " "--disable applies over the file"
run "$CONCORD" review "$PLAN" --rules "$RV/rules_bad.yaml"
is "$RC" 1 "a bad rules file is a failure"
like "$ERR" "rules_bad.yaml:5: R7.min_score: 1.5 is out of range (0 to 1)" "named by file, line and field"
run "$CONCORD" review "$PLAN" --rules "$RV/no-such-rules.yaml"
is "$RC" 1 "a missing rules file is a failure"

run "$CONCORD" review "$PLAN" --disable R9=why
is "$RC" 2 "an unknown rule is a usage error"
run "$CONCORD" review "$PLAN" --disable R2
is "$RC" 2 "disabling needs a reason"

run "$CONCORD" review "$RV/clean.yaml"
is "$RC" 0 "a plan with no error findings exits 0"
like "$OUT" "2 activities, 0 errors, 2 warnings, 1 info" "only R8 (governance, security) and the R3 note (no incidents loaded)"
run "$CONCORD" review "$RV/findings.json"
is "$RC" 4 "a JSON plan with errors exits 4"

run "$CONCORD" review "$RV/malformed.yaml"
is "$RC" 1 "malformed YAML is a failure (1)"
like "$ERR" "malformed.yaml:4: malformed YAML" "reported with file and line"
run "$CONCORD" review "$RV/malformed.json"
is "$RC" 1 "malformed JSON is a failure (1)"
like "$ERR" "malformed.json:3: malformed JSON" "reported with file and line"
run "$CONCORD" review "$RV/unknown_field.yaml"
like "$ERR" "unknown_field.yaml:5: budjet: unknown field" "an unknown field with its line"

# ---- R3 with incidents: counted here over the ACLED file, window of 90 days to its last day
run "$CONCORD" import events "$RV/acled_review.csv"
is "$RC" 0 "the synthetic incidents load"
N=$(python3 -c '
import csv, datetime, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = lambda s: datetime.date.fromisoformat(s)
last = max(d(r["event_date"]) for r in rows)
print(sum(1 for r in rows if r["admin1"] == "Kabul" and (last - d(r["event_date"])).days < 90))
' "$RV/acled_review.csv")
is "$N" 4 "4 incidents in Kabul in the 90 days to 2022-03-31 (by hand: 03-30, 03-01, 02-14, 01-05)"
run "$CONCORD" review "$RV/exposure.yaml" --threshold "$N"
is "$RC" 0 "R3 is a warning: exit 0"
is "$(printf '%s\n' "$OUT" | grep '^R3')" "R3 warning K-1 area AF01: $N incidents in the 90 days to 2022-03-31 (threshold $N) and no security activity in the plan for this area" \
	"R3 fires for Kabul, not for Nangarhar (security activity N-2)"
run "$CONCORD" review "$RV/exposure.yaml" --threshold $((N + 1))
unlike "$OUT" "^R3" "below the threshold R3 stays quiet"
run "$CONCORD" review "$RV/exposure.yaml" --threshold 1 --window 1
unlike "$OUT" "AF01" "a one-day window to 2022-03-31 holds no Kabul incident"

# ---- R8 quiet for pillars with an indicator that has a baseline (security, governance)
"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" >/dev/null
"$CONCORD" import benchmarks "$TDATA/indicators/benchmarks.csv" >/dev/null
run "$CONCORD" review "$RV/clean.yaml"
unlike "$OUT" "^R8" "the clean plan's pillars have indicators with baselines"
run "$CONCORD" review "$PLAN"
is "$(printf '%s\n' "$OUT" | grep '^R8' | cut -d: -f1)" "R8 warning A-02 pillar infrastructure
R8 warning A-02 pillar humanitarian
R8 warning A-04 pillar economy" "R8 only for the pillars without a baseline"

# ---- R7: the plan against a constructed 3W of the same mission
"$CONCORD" import 3w "$TDATA/overlap/afg-3w-overlap.csv" >/dev/null
run "$CONCORD" review --json "$RV/duplicate.yaml"
printf '%s\n' "$OUT" >dup.json
cat >dup.py <<'PY'
import csv, json, math, re, sys, datetime
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))[2:]
stored = [r for r in rows if r[4] or r[6] or r[7] or r[8] or r[9]]   # presence rows are not
# the plan's items: organisation names, cluster, province, district, title, no description
plan = [(['Kabul water NNGO'], 'W-1', ['WASH', 'AF01', 'AF0101', 'Water trucking to informal settlements', '', '2021-08-01', '2021-12-31', '', '']),
        (['unicef', 'NRC', 'Kabul water NNGO'], 'W-2', ['WASH', 'AF01', 'AF0101', 'Water trucking to informal settlements', '', '2021-08-01', '2021-12-31', '', '']),
        (['Kabul water NNGO'], 'W-3', ['WASH', 'AF01', 'AF0102', 'Hygiene kits', '', '2023-01-01', '2023-03-31', '', ''])]
docs = [r[1:] for r in stored] + [p[2] for p in plan]
def toks(r): return re.sub(r'[^a-z0-9]+', ' ', (r[3] + ' ' + r[4]).lower()).split()
N = len(docs)
df = {}
for r in docs:
    for t in set(toks(r)): df[t] = df.get(t, 0) + 1
def vec(r):
    v = {}
    for t in toks(r): v[t] = v.get(t, 0) + 1
    v = {t: c * (math.log((1 + N) / (1 + df[t])) + 1) for t, c in v.items()}
    n = math.sqrt(sum(x * x for x in v.values()))
    return {t: x / n for t, x in v.items()}
def day(s): return datetime.date.fromisoformat(s).toordinal()
want = {}
for orgs, pid, p in plan:
    best = []
    for r in stored:
        org, a = r[0], r[1:]
        if org.lower() in [o.lower() for o in orgs] or a[0] != p[0] or a[2] != p[2]: continue
        ov = min(day(a[6]), day(p[6])) - max(day(a[5]), day(p[5])) + 1
        if ov <= 0: continue
        dates = ov / (max(day(a[6]), day(p[6])) - min(day(a[5]), day(p[5])) + 1)
        va, vb = vec(a), vec(p)
        text = sum(va[t] * vb.get(t, 0) for t in va)
        s = 0.5 * text + 0.2 * dates + 0.2 * 1.0   # same district; the plan gives no people
        if s >= 0.5: best.append((s, org, a[3]))
    best.sort(key=lambda x: -x[0])
    if best: want[pid] = '%s|%s|%.4f|%d' % (best[0][1], best[0][2], best[0][0], len(best) - 1)
r = json.load(open('dup.json'))
got = {}
for f in r['findings']:
    if f['rule'] == 'R7':
        m = f['match']
        got[f['activity']] = '%s|%s|%.4f|%d' % (m['org'], m['title'], m['score'], m['more'])
print('OK' if got == want else 'got %s want %s' % (got, want))
print(sorted(want))
PY
is "$(python3 dup.py "$TDATA/overlap/afg-3w-overlap.csv")" "OK
['W-1']" "R7: W-1 only, its best match, score and further matches as computed here"
run "$CONCORD" review "$RV/duplicate.yaml"
like "$OUT" "^R7 warning W-1 sector WSH, area AF0101: duplicates registered activity [0-9]* 'Water trucking to informal settlements' of UNICEF: score" \
	"the text finding names the registered activity and its organisation"
unlike "$OUT" "^R7 warning W-2" "W-2 names UNICEF and NRC: their own work"
run "$CONCORD" review "$RV/duplicate.yaml" --rules "$RV/rules_strict.yaml"
unlike "$OUT" "^R7 warning W-3" "with min_score 0.3 the hygiene kits of another year still do not match"

# Lessons by area: two lessons with the same text (so the same words and the same bm25 rank)
# on the plan's pillar differ only in their areas. The lesson whose areas hold the activity's
# P-code or one of its ancestors (AF06 of AF0601, or the country AF that the P-codes begin
# with) comes first, whatever its key; a sibling district (AF0603) or another country does not.
cat >area-plan.yaml <<'YAML'
mission: AFG
activities:
  - id: B-1
    title: Borehole drilling in Behsud
    pillars: [humanitarian]
    areas: [AF0601]
    organisations:
      - name: Kabul water committee NGO
        type: National NGO
        role: lead
    start: 2022-01-01
    end: 2022-06-30
YAML
area_case() { # area_case AREAS-OF-L1 AREAS-OF-L2: prints the keys listed under R4
	rm -f area.db
	"$CONCORD" -d area.db init --mission AFG --name Afghanistan --country AFG >/dev/null
	"$CONCORD" -d area.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	{
		echo 'key,title,observation,pillars,areas'
		echo "L1,Borehole drilling needs a hydrogeological survey,borehole drilling failed without a survey,humanitarian,$1"
		echo "L2,Borehole drilling needs a hydrogeological survey,borehole drilling failed without a survey,humanitarian,$2"
	} >area-lessons.csv
	"$CONCORD" -d area.db lesson import area-lessons.csv >/dev/null
	"$CONCORD" -d area.db review area-plan.yaml | sed -n '/^R4 /,/^R[0-9]/p' |
		sed -n 's/^    lesson \([A-Z0-9]*\):.*/\1/p' | tr '\n' ' '
}
is "$(area_case XK XK)" "L1 L2 " "lessons by area: same words, same rank, no area of the plan: by key"
is "$(area_case XK AF06)" "L2 L1 " "lessons by area: the lesson on the activity's province first"
is "$(area_case AF0601 XK)" "L1 L2 " "lessons by area: the lesson on the activity's own district first"
is "$(area_case XK 'AF')" "L2 L1 " "lessons by area: a country code the P-code begins with counts"
is "$(area_case XK AF0603)" "L1 L2 " "lessons by area: a sibling district does not count"

done_testing
