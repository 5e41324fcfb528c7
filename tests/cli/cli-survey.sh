#!/bin/sh
# concord import survey, survey results|alpha and feedback: hand-made KoboToolbox-style waves
# with a form (every figure recomputed here in python from the CSV files, DOMAIN.md §2.7–2.9),
# bad rows named by file, line and column, personal data kept out of the answers, and the real
# Lyall, Blair & Imai (2013) survey (the excerpt in tests/data always, the full file when the
# shared data are here) against shares counted straight from the CSV.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/survey"
FORM="--questions $D/form_survey.csv --questions $D/form_choices.csv"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null

# shellcheck disable=SC2086
run "$CONCORD" import survey "$D/wave1.csv" --wave 2021-03 --weight wt --area-column province \
	$FORM --personal name,phone
is "$RC" 0 "wave 1 loads"
like "$OUT" "read 11, added 11, updated 0, removed 0, unchanged 0, rejected 0" "eleven respondents"
# shellcheck disable=SC2086
run "$CONCORD" import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province $FORM
like "$OUT" "read 100, added 100, .* rejected 0" "wave 2 (semicolon-separated) loads"
# shellcheck disable=SC2086
run "$CONCORD" import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province $FORM
like "$OUT" "unchanged since the last import" "importing the same file again changes nothing"
# a corrected wave 2 (the same source): one answer changed, the last ten respondents withdrawn
awk 'NR == 2 { sub(/;yes;/, ";no;") } NR <= 91' "$D/wave2.csv" >wave2.csv
# shellcheck disable=SC2086
run "$CONCORD" import survey wave2.csv --source wave2.csv --wave 2021-09 --weight wt \
	--area-column province $FORM
like "$OUT" "read 90, added 0, updated 1, removed 10, unchanged 89, rejected 0" \
	"a corrected file updates one respondent and removes the ten it no longer has"
# shellcheck disable=SC2086
run "$CONCORD" import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province \
	$FORM --source wave2.csv
like "$OUT" "read 100, added 10, updated 1, removed 0, unchanged 89, rejected 0" "and back"

# personal data: in the sensitive column, never an answer or a question
N=$(sqlite3 concord.db "SELECT count(*) FROM survey_question WHERE name IN ('name', 'phone')")
is "$N" 0 "personal columns are not questions"
N=$(sqlite3 concord.db "SELECT count(*) FROM survey_answer WHERE code LIKE '%Respondent%' OR code LIKE '+00%'")
is "$N" 0 "personal data appear in no answer"
P=$(sqlite3 concord.db "SELECT personal FROM survey_respondent WHERE key = 'w1-01'")
is "$P" '{"name":"Respondent A","phone":"+00 000 000 001"}' "personal data sit in the sensitive column"
S=$(sqlite3 concord.db "SELECT group_concat(tbl || '.' || col, ' ') FROM sensitive_column")
like "$S" "survey_respondent.personal" "the column is listed as sensitive"
like "$S" "feedback.giver" "so is the feedback giver's"
# don't know stays don't know
S=$(sqlite3 concord.db "SELECT a.status || ':' || a.code || ':' || CASE WHEN a.value IS NULL THEN 'null' ELSE 'a number' END FROM survey_answer a JOIN survey_question q ON q.id = a.question_id JOIN survey_respondent r ON r.id = a.respondent_id WHERE q.name = 'q_trust' AND r.key = 'w1-09'")
is "$S" "dont_know:98:null" "98 labelled Don't know is kept as don't know, never a number"

# The expected figures, from the CSV files alone.
python3 - "$D" >expected <<'PY'
import csv, math, sys
from statistics import NormalDist
d = sys.argv[1]
z = NormalDist().inv_cdf(0.975)
def rows(f, delim):
    return list(csv.DictReader(open(d + '/' + f, newline=''), delimiter=delim))
def wilson(p, n):
    c = (p + z*z/(2*n)) / (1 + z*z/n)
    h = z / (1 + z*z/n) * math.sqrt(p*(1-p)/n + z*z/(4*n*n))
    return c - h, c + h
out = []
prev = None
for wave, f, delim in (('2021-03', 'wave1.csv', ','), ('2021-09', 'wave2.csv', ';')):
    rs = [r for r in rows(f, delim) if r['q_safe'] in ('yes', 'no')]
    w = [float(r['wt']) for r in rs]
    y = [1.0 if r['q_safe'] == 'yes' else 0.0 for r in rs]
    sw, sw2 = sum(w), sum(x*x for x in w)
    p = sum(a*b for a, b in zip(w, y)) / sw
    neff = sw*sw/sw2
    lo, hi = wilson(p, neff)
    line = 'yes %s %.6f %.6f %.6f %.4f %.4f' % (wave, p, lo, hi, neff, len(w)*sw2/(sw*sw))
    if prev:
        se = math.sqrt(prev[0]*(1-prev[0])/prev[1] + p*(1-p)/neff)
        zz = (p - prev[0]) / se
        line += ' %.6f %.4f %.6f' % (p - prev[0], zz, 2*(1 - NormalDist().cdf(abs(zz))))
    out.append(line)
    prev = (p, neff)
print('\n'.join(out))
PY
got=$("$CONCORD" survey results --question q_safe --by wave --csv |
	awk -F, '$3 == "yes" { printf "yes %s %s %s %s %s %s", $2, $7, $8, $9, $10, $11;
	          if ($20 != "") printf " %s %s %s", $20, $21, $22; printf "\n" }')
is "$got" "$(cat expected)" "q_safe by wave: weighted share, Wilson on Kish n_eff, deff, change test"

run "$CONCORD" survey results --question q_safe --by wave
like "$OUT" "2021-03 .*answered 8, don't know 1 (0.1333), refused 1 (0.0667), missing 1" \
	"don't know and refused shown apart, as shares of the weights asked"
like "$OUT" "2021-03  *yes  *5  *8  *12.00  *0.7500 .* 6.5  *1.222 \*" \
	"the DOMAIN small check: p 0.75, n_eff 6.545, deff 1.222, flagged small"
like "$OUT" "two-sided z test" "the test is named"

run "$CONCORD" survey results --question q_trust --by wave --likert 5 --json
like "$OUT" '"cell":"2021-09".*"likert":{"k":5,"reverse":false,"mean":3.15,"index":53.75' \
	"the DOMAIN Likert example: mean 3.15, index 53.75"
like "$OUT" '"cell":"2021-09".*"top2":{"count":40,"n":100,"sum_w":100,"share":0.4' \
	"top-two-box 40 %"
N=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = d["cells"][1]
print(len(d["cells"]), c["likert_change"]["z"] is not None, c["estimates"][0]["answer"])')
is "$N" "2 True 1" "the JSON parses: two waves, an index change test, answers in numeric order"
run "$CONCORD" survey alpha --items i1,i2,i3
like "$ERR" "unknown survey question 'i1'" "alpha of items not loaded yet fails, naming one"
run "$CONCORD" survey results --question q_trust --likert 5 --reverse --wave 2021-09
like "$OUT" "mean 2.850, index 46.25" "reverse-coded: 6 - x"

run "$CONCORD" survey results --question q_safe --by area --level 1 --wave 2021-03
like "$OUT" "AF01 Kabul  *yes  *3  *4 " "by province: three of four yes in Kabul (wave 1)"
like "$OUT" "AF05 Logar" "Logar matched by name in one row"

run "$CONCORD" survey results --question q_safe --by group --group age --wave 2021-03
like "$OUT" "^34  *yes  *1  *1 " "by group: the answers of the group question"

run "$CONCORD" survey results --question nothing
is "$RC" 1 "an unknown question fails"
like "$ERR" "unknown survey question 'nothing'" "and says so"
run "$CONCORD" survey results --question q_safe --wave 2030
like "$ERR" "unknown wave '2030'" "an unknown wave fails"

# all weights zero: every cell refused with the reason
# shellcheck disable=SC2086
"$CONCORD" import survey "$D/zero_weights.csv" --wave zero --weight wt --area-column province \
	$FORM >/dev/null
run "$CONCORD" survey results --question q_safe --wave zero
like "$OUT" "all 3 weights are zero: no weighted estimate" "all weights zero: refused, with why"
# an empty wave: asked nothing about q_safe (alpha.csv has no such column)
"$CONCORD" import survey "$D/alpha.csv" --wave alpha --id-column id >/dev/null
run "$CONCORD" survey results --question q_safe --by wave
like "$OUT" "alpha  *no  .*no answers" "an empty wave: no estimate, with why"
like "$OUT" "change from 2021-09: no test" "and no change test against it"

run "$CONCORD" survey alpha --items i1,i2,i3
like "$OUT" "Cronbach's alpha of 3 items: 0.9316 (acceptable" "the DOMAIN alpha example: 0.932"
like "$OUT" "asked 6, with every item 5, dropped (an item missing) 1$" \
	"listwise: one respondent dropped; respondents of other waves were not asked"
run "$CONCORD" survey alpha --items i1,i2,i3 --json
N=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["used"], d["dropped"], round(d["alpha"], 3), [i["variance"] for i in d["items"]])')
is "$N" "5 1 0.932 [1.3, 1, 1.3]" "alpha --json: item variances 1.3, 1.0, 1.3"
run "$CONCORD" survey alpha --items i1
is "$RC" 1 "one item: no alpha"

# bad rows: file, line, column, reason; nothing of them stored
# shellcheck disable=SC2086
run "$CONCORD" import survey "$D/bad.csv" --wave bad --weight wt --area-column province $FORM
is "$RC" 3 "bad rows: exit status 3"
like "$OUT" "read 8, added 2, .* rejected 6" "two good rows, six rejected"
like "$ERR" "bad.csv:3: wt: weight '-1' is not a number >= 0" "a negative weight"
like "$ERR" "bad.csv:4: province: unknown area 'Atlantis'" "an unknown area"
like "$ERR" "bad.csv:5: q_safe: 'maybe' is not a choice of list 'yesno'" "not a choice"
like "$ERR" "bad.csv:6: age: 'thirty' is not a number" "an integer question"
like "$ERR" "bad.csv:7: _uuid: respondent 'b-01' repeats line 2" "a repeated respondent"
like "$ERR" "bad.csv:8: wt: the weight is missing" "a missing weight"
run "$CONCORD" import survey "$D/wave1.csv" --wave x --personal nobody
like "$ERR" "no personal column 'nobody'" "a personal column that is not there is an error"

# The real survey: violent.exp.ISAF = 1 by province, counted from the CSV here.
lyall() { # lyall FILE DESCRIPTION
	rm -f l.db
	"$CONCORD" -d l.db init --mission AFG --country AFG >/dev/null
	"$CONCORD" -d l.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	run "$CONCORD" -d l.db import survey "$1" --area-column province \
		--area-map "$CASE/adm1_code_map.csv"
	like "$OUT" "rejected 0" "$2: every row loads"
	python3 - "$1" >expected <<'PY'
import csv, sys
cells = {'Helmand': 'AF30 Hilmand', 'Khost': 'AF14 Khost', 'Kunar': 'AF15 Kunar',
         'Logar': 'AF05 Logar', 'Uruzgan': 'AF25 Uruzgan'}
n, y = {}, {}
for r in csv.DictReader(open(sys.argv[1], newline='')):
    v = r['violent.exp.ISAF']
    if v == 'NA':
        continue
    c = cells[r['province']]
    n[c] = n.get(c, 0) + 1
    y[c] = y.get(c, 0) + (v == '1')
for c in sorted(n):
    print('%s %d %d %.6f' % (c, y[c], n[c], y[c] / n[c]))
PY
	got=$("$CONCORD" -d l.db survey results --question violent.exp.ISAF --by area --csv |
		awk -F, '$3 == "1" { print $2, $4, $5, $7 }')
	is "$got" "$(cat expected)" "$2: share of violent.exp.ISAF = 1 by province"
}
lyall "$D/lyall_excerpt.csv" "Lyall excerpt"
if [ -f "$SHARED/surveys/afg_lyall_blair_imai_2013_survey.csv" ]; then
	lyall "$SHARED/surveys/afg_lyall_blair_imai_2013_survey.csv" "Lyall full survey"
	run "$CONCORD" -d l.db survey results --question income
	like "$OUT" "missing 154" "income: the 154 NA are missing, not an answer"
	like "$OUT" "2,001-10,000" "quoted banded incomes with commas are answers"
else
	skip "Lyall full survey: every row loads" "no shared data"
	skip "Lyall full survey: share by province" "no shared data"
	skip "income NA" "no shared data"
	skip "income bands" "no shared data"
fi

# Files that are not respondent exports: refused whole (exit 1), with the line and the reason,
# and nothing stored (every table as before)
dbsum() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }
BEFORE=$(dbsum concord.db)
notsurvey() { # notsurvey FILE PATTERN DESCRIPTION [OPTION...]
	_f=$1 _p=$2 _d=$3
	shift 3
	run "$CONCORD" import survey "$_f" --wave wrong "$@"
	is "$RC/$(dbsum concord.db)" "1/$BEFORE" "$_d: exit 1, nothing stored"
	like "$ERR" "$_p" "$_d: the error says why"
}
notsurvey "$CASE/afg_iati_results_excerpt.xml" \
	"^concord: .*afg_iati_results_excerpt.xml:1: not a respondent CSV: the file starts with '<' (XML or HTML markup)" \
	"an IATI XML file"
printf '{"respondents": []}\n' >answers.json
notsurvey answers.json "^concord: answers.json:1: not a respondent CSV: the file starts with '{' (JSON)" \
	"a JSON file"
notsurvey "$CASE/ucdp_ged_v23_1_afg.csv" \
	"^concord: .*ucdp_ged_v23_1_afg.csv:1: not a respondent CSV: column 'type_of_violence' makes it a UCDP GED events file" \
	"a UCDP GED CSV"
printf 'event_id_cnty,event_date,notes\nAFG1,2021-07-01,x\n' >acled.csv
notsurvey acled.csv "^concord: acled.csv:1: not a respondent CSV: column 'event_id_cnty' makes it an ACLED events file" \
	"an ACLED CSV"
notsurvey "$CASE/afg_3w_operational_presence_2021q3.csv" \
	"^concord: .*afg_3w_operational_presence_2021q3.csv:2: not a respondent CSV: a row of HXL hashtags under the header" \
	"an HXL 3W"
# shellcheck disable=SC2086
notsurvey "$CASE/afg_population_adm1.csv" \
	"^concord: .*afg_population_adm1.csv:1: not an export of this form: none of its 11 question columns is a question of the form" \
	"a CSV none of whose columns the form names" $FORM
# the same form with its own export still loads (one column named is enough)
cut -d, -f1-6,8- "$D/wave1.csv" >wave1-part.csv # without q_trust
# shellcheck disable=SC2086
run "$CONCORD" import survey wave1-part.csv --wave part --weight wt --area-column province $FORM
like "$RC/$OUT" "^0/.*read 11, added 11, .*rejected 0" "an export with some of the form's columns loads"

# Feedback
run "$CONCORD" feedback import "$D/feedback.csv" --personal name,phone
like "$OUT" "read 6, added 6, updated 0, unchanged 0, rejected 0" "feedback loads"
run "$CONCORD" feedback import "$D/feedback.csv" --personal name,phone
like "$OUT" "unchanged since the last import" "and again changes nothing"
run "$CONCORD" feedback add --date 2021-03-25 --area AF05 --channel hotline \
	--text "Families returned to the market after the patrols" --category security \
	--sentiment positive --giver-name "Respondent F" --giver-contact "+00 000 000 006"
like "$OUT" "feedback 7 added" "feedback add"
run "$CONCORD" feedback add --date 2021-03-25 --area AF05 --channel hotline \
	--text "Families returned to the market after the patrols" --category security \
	--sentiment positive --giver-name "Respondent F" --giver-contact "+00 000 000 006"
like "$OUT" "unchanged" "the same item twice is one item"
run "$CONCORD" feedback add --date 2021-03-25 --text x --sentiment angry
is "$RC" 2 "an unknown sentiment is a usage error"
run "$CONCORD" feedback list
unlike "$OUT" "Respondent" "list never shows the giver"
like "$OUT" "7 items" "seven items"
run "$CONCORD" feedback list --counts --csv
like "$OUT" "security,AF05,2021-03,2,0" "counts by category x area x month"
like "$OUT" "security,AF05,2021-02,1,1" "Logar by name, with its negative item"
run "$CONCORD" feedback search frightening
like "$OUT" "\[frighten\]" "stemmed full-text search with a snippet"
like "$OUT" "1 item" "one hit"
run "$CONCORD" feedback search clinic --json
N=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$N" 2 "two items mention the clinic"
run "$CONCORD" feedback import "$D/feedback_bad.csv" --strict
is "$RC" 1 "strict import of bad feedback fails"
like "$ERR" "feedback_bad.csv:2: date: '2021-13-01' is not a date" "bad date named"
like "$ERR" "feedback_bad.csv:3: sentiment: unknown sentiment 'angry'" "bad sentiment named"
like "$ERR" "feedback_bad.csv:4: text: the text is empty" "empty text named"
run "$CONCORD" feedback list
like "$OUT" "7 items" "and nothing of it was stored"

run "$CONCORD" help survey
like "$OUT" "Kish" "help survey explains the method"

done_testing
