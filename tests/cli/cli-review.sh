#!/bin/sh
# concord review: the sample plan's findings (worked out by hand in the comment of
# data/cases/afghanistan/sample_plan.yaml), lessons matched from the seed register, disabling a
# rule, JSON output, exit statuses, malformed plans, and R3 against incidents counted here.
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
R3 info (plan) incidents:" "the sample plan's findings, in plan and rule order"
like "$OUT" "A-04 end: ends 2022-03-31, before it starts 2022-06-01" "R5 names both dates"
like "$OUT" "unknown P-code 'AF9901'" "R6 names the P-code"
like "$OUT" "led by military organisation 'PRT Jalalabad' only" "R1 names the military lead"
like "$OUT" "5 activities, 5 errors, 1 warnings, 1 info" "the summary counts"

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
    if f['rule'] == 'R6' and f['item'].startswith('pillar'):
        want = None
    for l in f['lessons']:
        n_lessons += 1
        if l['key'] not in lessons or (want and want not in lessons[l['key']]):
            bad.append((f['rule'], l['key'], want))
print(len(r['findings']), r['errors'], r['warnings'], r['info'], n_lessons > 0, bad)
PY
is "$(python3 check.py "$ROOT")" "7 5 1 1 True []" "JSON: counts, and lessons exist with the finding's pillar"

run "$CONCORD" review "$PLAN" --disable R2="no national NGO works in these districts yet" \
	--disable R6=checked
is "$RC" 4 "disabling R2 and R6 leaves R1, R4, R5 errors"
unlike "$OUT" "^R2 " "R2 disabled: no R2 finding"
unlike "$OUT" "^R6 " "R6 disabled: no R6 finding"
like "$OUT" "^disabled R2: no national NGO works in these districts yet" "the reason is stated"
like "$OUT" "3 errors, 0 warnings, 1 info" "the counts without R2 and R6"

run "$CONCORD" review "$PLAN" --disable R9=why
is "$RC" 2 "an unknown rule is a usage error"
run "$CONCORD" review "$PLAN" --disable R2
is "$RC" 2 "disabling needs a reason"

run "$CONCORD" review "$RV/clean.yaml"
is "$RC" 0 "a plan with no error findings exits 0"
like "$OUT" "2 activities, 0 errors, 0 warnings, 1 info" "only the R3 note (no incidents loaded)"
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

done_testing
