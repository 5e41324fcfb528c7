#!/bin/sh
# concord allocate: the hand-made problem files (optima worked out in their "description"),
# the infeasible file (the conflicting pair known by construction), errors naming the field,
# options adding budgets and teams, the model solved again by GLPK's own glpsol (skipped when
# glpsol is absent) with the same objective, and cells built from the store (the real HNO
# excerpt, and the case's HNO caseload) compared with `gaps --by pillar`, their models written
# with --write-model and solved by glpsol to the same objective.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/allocate"

jget() { # jget EXPR: evaluates a python expression on the JSON document "j" read from stdin
	python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

run "$CONCORD" allocate --help
like "$OUT" "usage: concord allocate" "--help prints the usage"

run "$CONCORD" allocate --problem "$D/two_cells.json" --json
is "$RC" 0 "two cells: solved"
is "$(printf '%s' "$OUT" | jget '"%.6f" % j["objective"]')" "600.000000" "two cells: optimum 600 (by hand)"
is "$(printf '%s' "$OUT" | jget '" ".join("%s=%.2f" % (f["area"], f["usd"]) for f in j["funding"])')" \
	"A=1000.00 B=2000.00" "two cells: 1000 USD fill A, 2000 go to B"
is "$(printf '%s' "$OUT" | jget '" ".join("%s:%.6f" % (c["kind"], c["shadow_price"]) for c in j["constraints"] if c["binding"])')" \
	"budget:0.100000 need:3.000000" "two cells: budget and A's need bind, at 0.1 per USD and 3 per person"

run "$CONCORD" allocate --problem "$D/two_cells.json"
like "$OUT" "budget of donor .Donor One. .* one more USD buys 0.1 weighted people" \
	"the table says what one more USD buys"
like "$OUT" "Binding constraints and shadow prices" "the table lists binding constraints"

run "$CONCORD" allocate --problem "$D/two_cells.json" --budget 'Extra=1000:pillars=governance' --json
is "$(printf '%s' "$OUT" | jget '"%.6f" % j["objective"]')" "700.000000" \
	"--budget adds a donor: 1000 USD more for governance buy 100 people (700)"

run "$CONCORD" allocate --problem "$D/earmark.json" --json
is "$(printf '%s' "$OUT" | jget '"%.6f" % j["objective"]')" "450.000000" "earmark: optimum 450 (by hand)"
is "$(printf '%s' "$OUT" | jget '" ".join("%.6f" % c["shadow_price"] for c in j["constraints"] if c["kind"] == "earmark")')" \
	"0.300000" "earmark: binds at 0.3 per USD"

run "$CONCORD" allocate --problem "$D/two_cells.json" --csv
is "$(printf '%s\n' "$OUT" | head -1)" "kind,name,area,pillar,sector,value,rounded" "CSV header"
is "$(printf '%s\n' "$OUT" | grep -c '^funding,')" "2" "CSV: two funding rows"

run "$CONCORD" allocate --problem "$D/infeasible.json" --json
is "$RC" 1 "infeasible: exit status 1"
like "$ERR" "infeasible" "infeasible: said on stderr"
is "$(printf '%s' "$OUT" | jget '" | ".join(c["label"] for c in j["conflict"])')" \
	"budget of donor 'Tied' | need of cell A security" "infeasible: exactly the known conflicting pair"
run "$CONCORD" allocate --problem "$D/infeasible.json"
like "$OUT" "These 2 cannot all hold" "infeasible: the table names the conflicting set"

run "$CONCORD" allocate --problem "$D/bad_field.json"
is "$RC" 1 "a bad field fails"
like "$ERR" "bad_field.json: donors\[1\]\.earmarks\[0\]\.max_usd: max_usd must be a number" \
	"the error names the file and the field path"
run "$CONCORD" allocate --problem "$D/two_cells.json" --budget 'X=abc'
is "$RC" 2 "a bad --budget is a usage error"
run "$CONCORD" allocate --problem "$D/two_cells.json" --weights 'colour=1'
is "$RC" 2 "a bad --weights is a usage error"
# a time limit already spent: an error saying so, not a result (the server's is 30 s)
run "$CONCORD" allocate --problem "$D/infeasible.json" --time-limit 0.000001 --json
is "$RC" 1 "a spent --time-limit: exit status 1"
like "$ERR" "did not finish within its time limit of 1e-06 s" "... said on stderr"
is "$OUT" "" "... and no result printed"
run "$CONCORD" allocate --problem "$D/two_cells.json" --time-limit 60 --json
is "$RC" 0 "a time limit the solver keeps: the result as without it"
run "$CONCORD" allocate --problem "$D/two_cells.json" --time-limit 0
is "$RC" 2 "--time-limit 0 is a usage error"

# ---- the exported model, solved by glpsol ----
glpsol_obj() { # glpsol_obj OUTPUT-FILE: the objective value of glpsol's solution report
	sed -n 's/^Objective: *[^=]*= *\([-0-9.eE+]*\).*/\1/p' "$1" | head -1
}
same_num() { # same_num A B: relative difference below 1e-7
	python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-7 * max(1, abs(a), abs(b)) else 1)' "$1" "$2"
}
if command -v glpsol >/dev/null 2>&1; then
	for f in two_cells earmark mixed; do
		for ext in lp mps; do
			# MPS carries no objective sense: glpsol is told to maximise
			flag=--lp
			[ "$ext" = mps ] && flag="--freemps --max"
			run "$CONCORD" allocate --problem "$D/$f.json" --write-model "$f.$ext" --json
			mine=$(printf '%s' "$OUT" | jget 'repr(j["objective"])')
			glpsol $flag "$f.$ext" --primal -o "$f.$ext.sol" >"$f.$ext.log" 2>&1
			theirs=$(glpsol_obj "$f.$ext.sol")
			if [ -n "$theirs" ] && same_num "$mine" "$theirs"; then
				ok "$f: glpsol on the .$ext model finds the same optimum ($theirs)"
			else
				not_ok "$f: glpsol on the .$ext model" "concord $mine, glpsol '$theirs'"
			fi
		done
	done
	run "$CONCORD" allocate --problem "$D/infeasible.json" --write-model inf.lp
	glpsol --lp inf.lp --primal -o inf.sol >inf.log 2>&1
	like "$(cat inf.log)" "PROBLEM HAS NO PRIMAL FEASIBLE SOLUTION" "glpsol agrees the infeasible model is infeasible"
else
	for i in 1 2 3 4 5 6 7; do skip "glpsol comparison $i" "glpsol not installed"; done
fi
run "$CONCORD" allocate --problem "$D/two_cells.json" --write-model /nonexistent-dir/m.lp
is "$RC" 1 "an unwritable model path fails"
like "$ERR" "nonexistent-dir" "… naming the path"

# ---- cells from the store: unmet need per province × pillar, as gaps --by pillar ----
"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import needs "$TDATA/needs/afg_hno_2024_hxl_excerpt.csv" --period 2024-01-01/2024-12-31 >/dev/null
run "$CONCORD" allocate
is "$RC" 2 "from the store without budgets or teams: a usage error"
run "$CONCORD" gaps --by pillar --json
printf '%s' "$OUT" >gaps.json
run "$CONCORD" allocate --budget 'Pooled=5000000' --teams 'Mobile=20:ppt=500:pillars=humanitarian' \
	--write-model store.lp --json
is "$RC" 0 "from the store: solved"
printf '%s' "$OUT" >alloc.json
python3 - gaps.json alloc.json >check.txt <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
a = json.load(open(sys.argv[2]))
want = {}
for r in g['rows']:
    if r['key'] == 'ALL' or r['in_need'] is None:
        continue
    need = r['unmet'] if r['unmet'] is not None else r['in_need']
    want[(r['pcode'], r['key'])] = need
got = {(c['area'], c['pillar']): c['need'] for c in a['cells']}
print('cells', len(want) == len(got) and len(got) > 0)
print('needs', all(abs(got.get(k, -1) - v) < 1e-6 for k, v in want.items()))
# covered never above need; 5,000,000 USD at the default 100 USD a person is 50,000 people
print('capped', all(c['covered'] <= c['need'] + 1e-6 for c in a['cells']))
funded = sum(c['funded_usd'] for c in a['cells'])
print('budget', funded <= 5000000 + 1e-3)
# the need (millions) exceeds what the budget and the teams reach: all of the budget is spent,
# and 50,000 people by money plus 20 teams x 500 people are covered
total_need = sum(c['need'] for c in a['cells'])
print('spent', total_need > 5000000 / 100 + 20 * 500 and abs(funded - 5000000) < 1e-3)
print('people', abs(a['people_covered'] - (5000000 / 100 + 20 * 500)) < 1e-6)
PY
is "$(cat check.txt | tr '\n' ' ')" \
	"cells True needs True capped True budget True spent True people True " \
	"store cells: one per province x pillar with need, each need the unmet need of gaps, none over"

# exposure from the stored events: the security cell of a province with incidents in the last
# 90 days gets a security row, as many incidents as `exposure --by area` counts there
cat >needs2.csv <<'CSV'
Province,District,Cluster,In need,Severity
#adm1+code,#adm2+code,#sector+code,#inneed,#severity
AF08,,15250,3000,4
AF01,,15250,8000,3
CSV
"$CONCORD" import needs needs2.csv --source constructed >/dev/null
"$CONCORD" import events "$CASE/ucdp_ged_v23_1_afg.csv" >/dev/null
run "$CONCORD" exposure --by area --level 1 --json
printf '%s' "$OUT" >expo.json
run "$CONCORD" allocate --budget 'P=500000' --teams 'Deminers=3:ppt=400:pillars=security' \
	--weights threshold=1,security=2,cost=50 --write-model store2.mps --json
is "$RC" 0 "store with events: solved"
printf '%s' "$OUT" >alloc2.json
run "$CONCORD" allocate --budget 'P=500000' --teams 'Deminers=3:ppt=400:pillars=security' \
	--weights threshold=1,security=2,cost=50 --write-model store2.lp --json
is "$(printf '%s' "$OUT" | jget 'j["objective"]')" "$(jget 'j["objective"]' <alloc2.json)" \
	"(writing the model in the other format changes nothing)"

# the models built from the store, solved by glpsol: the same optimum
if command -v glpsol >/dev/null 2>&1; then
	for m in store.lp:alloc.json store2.lp:alloc2.json store2.mps:alloc2.json; do
		f=${m%%:*} res=${m#*:}
		flag=--lp
		case $f in *.mps) flag="--freemps --max" ;; esac
		mine=$(jget 'repr(j["objective"])' <"$res")
		# shellcheck disable=SC2086
		glpsol $flag "$f" --primal -o "$f.sol" >"$f.log" 2>&1
		theirs=$(glpsol_obj "$f.sol")
		if [ -n "$theirs" ] && same_num "$mine" "$theirs"; then
			ok "$f (built from the store): glpsol finds the same optimum ($theirs)"
		else
			not_ok "$f (built from the store): glpsol" "concord $mine, glpsol '$theirs'"
		fi
	done
	like "$(grep -c '' store2.lp)" "^[1-9][0-9]" "(the second store model has rows: $(grep -c '' store2.lp) lines)"
else
	for i in 1 2 3 4; do skip "glpsol on the store models $i" "glpsol not installed"; done
fi
python3 - expo.json alloc2.json >check2.txt <<'PY'
import json, sys
e = {a['pcode']: a['incidents'] for a in json.load(open(sys.argv[1]))['areas']}
a = json.load(open(sys.argv[2]))
sec = [c for c in a['cells'] if c['pillar'] == 'security']
print('exposure', len(sec) == 2 and all(c['exposure'] == e.get(c['area'], 0) for c in sec))
rows = sorted(r['label'] for r in a['constraints'] if r['kind'] == 'security')
want = sorted('security presence in cell %s security' % c['area'] for c in sec if c['exposure'] >= 1)
print('rows', rows == want and len(rows) >= 1)
PY
is "$(cat check2.txt | tr '\n' ' ')" "exposure True rows True " \
	"store exposure: incidents per province as exposure counts them; security rows where >= 1"
run "$CONCORD" allocate --budget 'P=500000' --teams 'Deminers=3:ppt=400:pillars=security' \
	--weights threshold=1,security=4 --json
is "$RC" 1 "4 security teams required where only 3 exist: infeasible"
is "$(printf '%s' "$OUT" | jget '" | ".join(c["label"] for c in j["conflict"])')" \
	"teams of organisation 'Deminers' | security presence in cell AF08 security" \
	"… and the conflict is the Deminers' capacity against the security minimum"

# the case's real HNO caseload (Kabul, four pillars with need) in a store of its own, with
# earmarked budgets and teams: the model written from it solved by glpsol, as LP and as MPS
"$CONCORD" -d hno.db init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d hno.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d hno.db import needs "$CASE/afg_hno_2024_needs_by_area.csv" >/dev/null 2>&1
HNO_ARGS="--budget ECHO=20000000:pillars=humanitarian --budget WB=5000000:pillars=infrastructure+governance
	--budget Pooled=3000000 --teams MSF=40:ppt=2000:pillars=humanitarian
	--teams UNMAS=5:ppt=1500:pillars=security"
for ext in lp mps; do
	# shellcheck disable=SC2086
	run "$CONCORD" -d hno.db allocate $HNO_ARGS --write-model "hno.$ext" --json
	printf '%s' "$OUT" >"hno-$ext.json"
done
is "$(jget 'len(j["cells"]) >= 4 and all(c["covered"] <= c["need"] + 1e-6 for c in j["cells"])' <hno-lp.json)" \
	True "the case's HNO: one cell per pillar with need, none covered above its need"
if command -v glpsol >/dev/null 2>&1; then
	for ext in lp mps; do
		flag=--lp
		[ "$ext" = mps ] && flag="--freemps --max"
		mine=$(jget 'repr(j["objective"])' <"hno-$ext.json")
		# shellcheck disable=SC2086
		glpsol $flag "hno.$ext" --primal -o "hno.$ext.sol" >"hno.$ext.log" 2>&1
		theirs=$(glpsol_obj "hno.$ext.sol")
		if [ -n "$theirs" ] && same_num "$mine" "$theirs"; then
			ok "the case's HNO: glpsol on the .$ext model finds the same optimum ($theirs)"
		else
			not_ok "the case's HNO: glpsol on the .$ext model" "concord $mine, glpsol '$theirs'"
		fi
	done
else
	for i in 1 2; do skip "glpsol on the case's HNO model $i" "glpsol not installed"; done
fi

done_testing
