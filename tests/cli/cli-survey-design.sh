#!/bin/sh
# concord survey results --cluster and select_multiple: the Lyall, Blair & Imai survey excerpt
# (respondents sampled by village) with shares whose variance is linearised by village,
# recomputed here in python from the CSV; the full file when the shared data are there; and a
# hand-made select_multiple question reported per choice.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/survey"

# the independent computation: per province, share of violent.exp.ISAF = 1, Var linearised by
# village, n_eff = p(1-p)/Var, deff = n/n_eff, number of villages
expected() { # FILE
	python3 - "$1" <<'PY'
import csv, sys
cells = {'Helmand': 'AF30 Hilmand', 'Khost': 'AF14 Khost', 'Kunar': 'AF15 Kunar',
         'Logar': 'AF05 Logar', 'Uruzgan': 'AF25 Uruzgan'}
by = {}
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if r['violent.exp.ISAF'] == 'NA':
        continue
    by.setdefault(cells[r['province']], []).append((r['village.id'], int(r['violent.exp.ISAF'])))
for c in sorted(by):
    rows = by[c]
    n = len(rows)
    p = sum(y for _, y in rows) / n
    tot = {}
    for v, y in rows:
        tot[v] = tot.get(v, 0.0) + (y - p) / n
    C = len(tot)
    var = C / (C - 1) * sum(t * t for t in tot.values())
    if 0 < p < 1 and var > 0:
        neff = p * (1 - p) / var
    else:
        neff = n
    print('%s %.6f %.4f %.4f %d' % (c, p, neff, n / neff, C))
PY
}

design() { # FILE DESCRIPTION
	rm -f l.db
	"$CONCORD" -d l.db init --mission AFG --country AFG >/dev/null
	"$CONCORD" -d l.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	run "$CONCORD" -d l.db import survey "$1" --area-column province \
		--area-map "$CASE/adm1_code_map.csv"
	like "$OUT" "rejected 0" "$2: every row loads"
	expected "$1" >want
	run "$CONCORD" -d l.db survey results --question violent.exp.ISAF --by area \
		--cluster village.id --csv
	is "$RC" 0 "$2: clustered results"
	# cell, share, n_eff, deff, clusters of answer 1
	printf '%s\n' "$OUT" | awk -F, '$3 == "1" { print $2, $7, $10, $11, $23 }' >got
	if [ -s want ] && cmp -s got want; then
		ok "$2: shares, n_eff, deff and villages by province match the linearised variance computed here"
	else
		not_ok "$2: clustered estimates match" "$(diff got want)"
	fi
	run "$CONCORD" -d l.db survey results --question violent.exp.ISAF --by area \
		--cluster village.id
	like "$OUT" "Clustered by village.id" "$2: the table says how the intervals were made"
	like "$OUT" "C=[0-9]* ICC=" "$2: clusters and implied ICC shown"
}
design "$D/lyall_excerpt.csv" "Lyall excerpt"
if [ -f "$SHARED/surveys/afg_lyall_blair_imai_2013_survey.csv" ]; then
	design "$SHARED/surveys/afg_lyall_blair_imai_2013_survey.csv" "Lyall full survey"
	# with 2,754 respondents in about 200 villages the clustering must widen the intervals
	run "$CONCORD" -d l.db survey results --question violent.exp.ISAF --cluster village.id --csv
	deff=$(printf '%s\n' "$OUT" | awk -F, '$3 == "1" { print $11 }')
	if awk -v d="$deff" 'BEGIN { exit !(d > 1) }'; then
		ok "Lyall full survey: design effect of clustering above 1 ($deff)"
	else
		not_ok "Lyall full survey: design effect above 1" "deff '$deff'"
	fi
else
	for i in 1 2 3 4 5; do skip "Lyall full survey ($i)" "no shared data"; done
fi

run "$CONCORD" -d l.db survey results --question violent.exp.ISAF --cluster nope
is "$RC" 1 "an unknown cluster question is an error"

# select_multiple: "which services reached your village?" (hand-made, weights 1, 2, 1, 1, 1)
printf 'type,name,label\nselect_multiple services,q_serv,Services that reached the village\n' >form_s.csv
printf 'list_name,name,label\nservices,water,Water\nservices,health,Health\nservices,school,School\nservices,dk,Don'"'"'t know\n' >form_c.csv
printf 'id,wt,q_serv\nr1,1,water health\nr2,2,water\nr3,1,school\nr4,1,health school\nr5,1,dk\nr6,1,\n' >multi.csv
"$CONCORD" init --mission AFG --country AFG >/dev/null
run "$CONCORD" import survey multi.csv --weight wt --id-column id --questions form_s.csv \
	--questions form_c.csv
is "$RC" 0 "select_multiple answers load"
run "$CONCORD" survey results --question q_serv --csv
# substantive weight 5: water 3/5, health 2/5, school 2/5; one don't know, one missing
got=$(printf '%s\n' "$OUT" | awk -F, 'NR > 1 { print $3, $4, $5, $7 }')
is "$got" "health 2 4 0.400000
school 2 4 0.400000
water 2 4 0.600000" "each choice is the share of respondents who gave it"
like "$(printf '%s\n' "$OUT" | sed -n 2p)" ",4,1,[0-9.]*,0,[0-9.]*,1," "don't know and missing apart"
run "$CONCORD" survey results --question q_serv
like "$OUT" "Select multiple" "the table says the shares add up to more than 1"
done_testing
