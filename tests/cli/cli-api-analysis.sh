#!/bin/sh
# The analysis endpoints of the API (gaps, overlap, progress, plan review, the report) on a
# server started here on 127.0.0.1 and stopped after. Each answer is compared byte for byte
# with the CLI's --json for the same store, options and reader (--as), and the figures are
# worked out by hand from the constructed case below. Then visibility: three organisations'
# records, two of them owner-only, read by each organisation, by a military partner and by an
# organisation outside the mission (who sees the public records only).
#
# The case: Kapisa (AF02) health, 120,000 people in need, severity 4. People reached (all in
# the first half of 2024, cluster HEA):
#   AADA (NGO, owner-only)          Mahmood-e-Raqi (AF0201)  30,000   a.csv
#   MRRD (government, owner-only)   Kohistan II (AF0202)     50,000   b.csv
#   WHO  (no owner: public)         Mahmood-e-Raqi (AF0201)  20,000   p.csv
# Covered is the largest single organisation's figure (reach max), gap = 4 x (PIN - covered):
#   operator: 50,000 -> 280,000 (3 orgs); AADA: 30,000 -> 360,000 (2); MRRD: 50,000 ->
#   280,000 (2); the PRT and the outsider: 20,000 -> 400,000 (1).
# Overlap at level 1 (all three in Kapisa, same cluster, same dates): the operator sees three
# pairs, AADA and MRRD one each (their own with WHO's), the outsider none.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "analysis API" "curl is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
for m in AADA:ngo MRRD:government ISAF-PRT:military OUTSIDE:ngo; do
	"$CONCORD" member add "${m%%:*}" --kind "${m#*:}" >/dev/null
done
"$CONCORD" member remove OUTSIDE >/dev/null

cat >needs.csv <<'EOF'
Province,District,Cluster,In need,Severity
#adm1+code,#adm2+code,#sector+code,#inneed,#severity
AF02,,HEA,120000,4
EOF
H='Organisation,Cluster,Province code,District code,Activity,Start,End,Reached
#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#reached'
printf '%s\n%s\n' "$H" "AADA,HEA,AF02,AF0201,Mobile clinics in Mahmood-e-Raqi,2024-01-01,2024-06-30,30000" >a.csv
printf '%s\n%s\n' "$H" "MRRD,HEA,AF02,AF0202,Health posts in Kohistan,2024-01-01,2024-06-30,50000" >b.csv
printf '%s\n%s\n' "$H" "WHO,HEA,AF02,AF0201,Primary health clinics,2024-01-01,2024-06-30,20000" >p.csv
# two public activities in Kabul City whose exact sites and figures are marked more strictly
# (org, without an owner: the operator alone sees them)
cat >s.csv <<'EOF'
Organisation,Cluster,Province code,District code,Activity,Start,End,Reached,Latitude,Longitude
#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#reached,#geo+lat,#geo+lon
UNHCR,EDU,AF01,AF0101,Temporary classrooms,2024-01-01,2024-06-30,900,34.52,69.13
IOM,EDU,AF01,AF0101,Temporary classrooms for returnees,2024-01-01,2024-06-30,700,34.53,69.14
EOF
"$CONCORD" import needs needs.csv >/dev/null
P="--period 2024-01-01/2024-12-31"
# shellcheck disable=SC2086
{
	"$CONCORD" import 3w a.csv $P --owner AADA --releasability org >/dev/null
	"$CONCORD" import 3w b.csv $P --owner MRRD --releasability org >/dev/null
	"$CONCORD" import 3w p.csv $P >/dev/null
	"$CONCORD" import 3w s.csv $P --geo-releasability org --figures-releasability org >/dev/null
}
D="$TDATA/indicators"
"$CONCORD" import indicators "$D/indicators.csv" >/dev/null
"$CONCORD" import benchmarks "$D/benchmarks.csv" >/dev/null
"$CONCORD" import observations "$D/observations.csv" >/dev/null
"$CONCORD" lesson import "$ROOT"/data/lessons/*.md >/dev/null
is "$(sqlite3 concord.db "SELECT group_concat(releasability, ' ') FROM (SELECT releasability FROM activity ORDER BY id) AS sub")" \
	"org org public public public" "the case: two owner-only activities and three public"

for u in aada:AADA mrrd:MRRD isaf:ISAF-PRT out:OUTSIDE; do
	"$CONCORD" user add "${u%%:*}" --org "${u#*:}" --role viewer >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_mrrd=$(tok mrrd); T_isaf=$(tok isaf); T_out=$(tok out)

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: body in NAME.body, headers in NAME.head, $STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
field() { # field FILE EXPR: a python expression over the parsed JSON document j
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1
}
same() { # same FILE1 FILE2 DESCRIPTION: byte for byte
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$1" "$2" | head -5)"; fi
}
err_of() { field "$1" 'j["error"]["code"], j["error"]["field"]'; }

# ---- gaps ----
KAPISA='[(r["covered"], r["gap"], r["n_orgs"], r["status"]) for r in j["rows"] if r["pcode"] == "AF02" and r["key"] == "HEA"][0]'
"$CONCORD" gaps --json >gaps.op
is "$(field gaps.op "$KAPISA")" "(50000, 280000, 3, 'scored')" "the operator: covered 50,000 by MRRD, gap 280,000, three organisations"
for r in aada:AADA:30000:360000:2 mrrd:MRRD:50000:280000:2 isaf:ISAF-PRT:20000:400000:1 out:OUTSIDE:20000:400000:1; do
	u=${r%%:*} rest=${r#*:}
	org=${rest%%:*} rest=${rest#*:}
	cov=${rest%%:*} rest=${rest#*:}
	gap=${rest%%:*} n=${rest#*:}
	eval "t=\$T_$u"
	req "gaps-$u" "$t" "$URL/api/gaps"
	is "$STATUS" 200 "GET /api/gaps as $org"
	is "$(field "gaps-$u.body" "$KAPISA")" "($cov, $gap, $n, 'scored')" \
		"... counts only what $org may see: covered $cov, gap $gap, $n organisation(s)"
	"$CONCORD" --as "$org" gaps --json >"gaps-$u.cli"
	same "gaps-$u.body" "gaps-$u.cli" "... byte for byte 'concord --as $org gaps --json'"
done
req g2 "$T_aada" "$URL/api/gaps?by=pillar&reach=sum&level=1&from=2024-01-01&to=2024-12-31&planning=false"
is "$STATUS" 200 "GET /api/gaps with every option"
"$CONCORD" --as AADA gaps --json --by pillar --reach sum --level 1 --from 2024-01-01 --to 2024-12-31 >g2.cli
same g2.body g2.cli "... equals the CLI with the same options"
is "$(field g2.body '[(r["pcode"], r["key"], r["covered"], r["gap"]) for r in j["rows"]]')" \
	"[('AF02', 'infrastructure', 50000, 280000)]" \
	"... health under its pillar, AADA's and WHO's figures summed: 4 x (120,000 - 50,000)"
req g4 "$T_aada" "$URL/api/gaps?level=2"
is "$(field g4.body '[r["pcode"] for r in j["rows"]], j["n_needs_above"]')" "[] 1" \
	"level=2: the province's need is above the level, not distributed"
req g3 "$T_aada" "$URL/api/gaps?planning=true"
is "$(field g3.body 'j["compared_with"]')" "targeted" "planning=true compares with people targeted"
req geo "$T_aada" "$URL/api/gaps?format=geojson"
"$CONCORD" --as AADA gaps --geojson >geo.cli
same geo.body geo.cli "format=geojson equals 'gaps --geojson'"
for bad in level=9:level by=cluster:by reach=median:reach planning=maybe:planning \
	from=2024-13-01:from to=soon:to format=pdf:format "from=2024-06-01&to=2024-01-01:to" levle=2:levle; do
	req e "$T_aada" "$URL/api/gaps?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "gaps?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- overlap ----
NP='j["n_activities"], len(j["pairs"])'
"$CONCORD" overlap --json --level 1 >ov.op
is "$(field ov.op "$NP")" "5 4" "the operator: five activities, four pairs at level 1 (three in Kapisa)"
for r in aada:AADA:2 mrrd:MRRD:2 isaf:ISAF-PRT:1 out:OUTSIDE:1; do
	u=${r%%:*} rest=${r#*:}
	org=${rest%%:*} n=${rest#*:}
	eval "t=\$T_$u"
	req "ov-$u" "$t" "$URL/api/overlap?level=1"
	is "$STATUS $(field "ov-$u.body" 'len(j["pairs"])')" "200 $n" "GET /api/overlap?level=1 as $org: $n pair(s)"
	"$CONCORD" --as "$org" overlap --json --level 1 >"ov-$u.cli"
	same "ov-$u.body" "ov-$u.cli" "... byte for byte 'concord --as $org overlap --json --level 1'"
done
is "$(field ov-aada.body 'sorted(sorted([p["a"]["org"], p["b"]["org"]]) for p in j["pairs"])')" \
	"[['AADA', 'WHO'], ['IOM', 'UNHCR']]" "AADA's pairs: its clinics and WHO's, and the public classrooms"
unlike "$(cat ov-aada.body)" "MRRD\|Kohistan" "... nothing of MRRD's owner-only record"
unlike "$(cat ov-mrrd.body)" "AADA\|Mobile clinics" "MRRD's answer names nothing of AADA's"
unlike "$(cat ov-out.body gaps-out.body)" "AADA\|MRRD\|Mobile clinics\|Kohistan" \
	"the outsider's gaps and overlap hold nothing of the owner-only records"
# the classrooms' sites are the operator's alone: no distance, no site, no figures for others
SITES='[(p["distance_km"], p["parts"]["people"]) for p in j["pairs"] if p["a"]["org"] in ("IOM", "UNHCR")]'
"$CONCORD" overlap --json --distance 5 >ovs.op
like "$(field ovs.op "$SITES")" "^\[(1\.4" "the operator: the classrooms' sites 1.4 km apart"
req ovs "$T_aada" "$URL/api/overlap?distance=5"
is "$(field ovs.body "$SITES" | sed 's/, [0-9.]*)/)/')" "[(None)]" \
	"AADA, reading the same records: no distance, since their exact sites are not AADA's to see"
req ovsg "$T_aada" "$URL/api/overlap?distance=5&format=geojson"
unlike "$(cat ovsg.body)" "69\.13\|69\.14\|34\.52\|34\.53" "... nor the sites in its GeoJSON"
req ov2 "$T_aada" "$URL/api/overlap?distance=5&min_score=0.1&level=2"
"$CONCORD" --as AADA overlap --json --distance 5 --min-score 0.1 --level 2 >ov2.cli
same ov2.body ov2.cli "overlap with distance, min_score and level equals the CLI"
req ovg "$T_aada" "$URL/api/overlap?level=1&format=geojson"
"$CONCORD" --as AADA overlap --geojson --level 1 >ovg.cli
same ovg.body ovg.cli "overlap format=geojson equals 'overlap --geojson'"
for bad in distance=-1:distance distance=1001:distance min_score=2:min_score level=6:level \
	distance=far:distance format=csv:format; do
	req e "$T_aada" "$URL/api/overlap?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "overlap?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- progress ----
AT=2025-06-30
req pr "$T_isaf" "$URL/api/progress?at=$AT"
is "$STATUS" 200 "GET /api/progress?at=$AT"
"$CONCORD" progress --json --at "$AT" >pr.cli
same pr.body pr.cli "... byte for byte 'concord progress --json --at $AT'"
is "$(field pr.body 'len(j["results"]), j["as_of"]')" "6 $AT" "... six series, as of the day asked"
# police trained in Kabul, worked out from the files: (latest by then - baseline) / (target -
# baseline)
want=$(python3 - "$D" "$AT" <<'PY'
import csv, sys
d, at = sys.argv[1], sys.argv[2]
key = lambda r: (r['indicator'], r['area'], r['sex'], r['age_group']) == ('POL-TRAINED', 'AF01', '', '')
obs = sorted((r['period_end'], float(r['value'])) for r in csv.DictReader(open(d + '/observations.csv'))
             if key(r) and r['period_end'] <= at)
bm = {r['kind']: float(r['value']) for r in csv.DictReader(open(d + '/benchmarks.csv')) if key(r)}
print('%.6g %s' % ((obs[-1][1] - bm['baseline']) / (bm['target'] - bm['baseline']), obs[-1][0]))
PY
)
is "$(field pr.body '[(r["progress"], r["latest_date"]) for r in j["results"] if r["indicator"] == "POL-TRAINED" and r["area"] == "AF01" and not r["sex"]][0]' | tr -d "(),'")" \
	"$want" "... police trained in Kabul: (latest - baseline) / (target - baseline) = $want"
req pr2 "$T_isaf" "$URL/api/progress?at=$AT&indicator=SEC-INC&on_track=0.8&at_risk=0.5&alpha=0.1&max_age=400"
"$CONCORD" progress --json --at "$AT" --indicator SEC-INC --on-track 0.8 --at-risk 0.5 --alpha 0.1 --max-age 400 >pr2.cli
same pr2.body pr2.cli "progress with every option equals the CLI"
req pr3 "$T_isaf" "$URL/api/progress?at=$AT&area=AF02"
"$CONCORD" progress --json --at "$AT" --area AF02 >pr3.cli
same pr3.body pr3.cli "progress?area=AF02 equals the CLI"
req e "$T_isaf" "$URL/api/progress?indicator=NOPE"
is "$STATUS $(err_of e.body)" "404 ENOTFOUND indicator" "an unknown indicator: 404 naming 'indicator'"
for bad in at=2025-13-01:at on_track=0:on_track alpha=2:alpha max_age=0:max_age \
	"on_track=0.5&at_risk=0.7:at_risk"; do
	req e "$T_isaf" "$URL/api/progress?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "progress?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- roll-up ----
req ru "$T_isaf" "$URL/api/rollup?at=$AT"
is "$STATUS" 200 "GET /api/rollup?at=$AT"
"$CONCORD" rollup --json --at "$AT" >ru.cli
same ru.body ru.cli "... byte for byte 'concord rollup --json --at $AT'"
req ru0 "$T_isaf" "$URL/api/rollup?level=0&indicator=POL-TRAINED&at=$AT"
"$CONCORD" rollup --json --level 0 --indicator POL-TRAINED --at "$AT" >ru0.cli
same ru0.body ru0.cli "rollup?level=0&indicator= equals the CLI"
# police trained is summed: Kabul's latest 1,010 and Kapisa's latest 88 by mid-2025
is "$(field ru0.body '[(r["area"], r["value"], r["how"]) for r in j["results"] if not r["sex"]]')" \
	"[('AFG', 1098, 'rolled up')]" "... the country's police trained: 1,010 (Kabul) + 88 (Kapisa)"
req e "$T_isaf" "$URL/api/rollup?indicator=NOPE"
is "$STATUS $(err_of e.body)" "404 ENOTFOUND indicator" "rollup of an unknown indicator: 404 naming 'indicator'"
for bad in level=6:level at=mid-2025:at; do
	req e "$T_isaf" "$URL/api/rollup?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "rollup?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- composite index (the default definition: indicators with goalposts, weight 1) ----
req ix "$T_isaf" "$URL/api/index?at=$AT"
is "$STATUS" 200 "GET /api/index?at=$AT"
"$CONCORD" index --json --at "$AT" >ix.cli
same ix.body ix.cli "... byte for byte 'concord index --json --at $AT'"
# incidents in Kabul, lower is better between the goalposts 0 and 60: (60 - 33) / 60
is "$(field ix.body '[a["values"]["SEC-INC"] for a in j["areas"] if a["area"] == "AF01"]')" \
	"[0.45]" "... Kabul's incidents score (60 - 33) / (60 - 0) = 0.45"
is "$(field ix.body 'sorted(i["code"] for i in j["indicators"])')" "['LIT-F', 'SEC-INC']" \
	"... over the two indicators with goalposts"
req ix2 "$T_isaf" "$URL/api/index?level=2&at=$AT"
"$CONCORD" index --json --level 2 --at "$AT" >ix2.cli
same ix2.body ix2.cli "index?level=2 equals the CLI"
for bad in level=-1:level at=2025-02-30:at; do
	req e "$T_isaf" "$URL/api/index?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "index?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- plan review ----
RV="$TDATA/review"
python3 -c 'import json, sys; print(json.dumps({"text": open(sys.argv[1]).read()}))' "$RV/findings.yaml" >plan-yaml.json
req rv "$T_aada" -X POST -H 'Content-Type: application/json' --data-binary @plan-yaml.json "$URL/api/review"
is "$STATUS" 200 "POST /api/review with a YAML plan ({\"text\": ...}): 200"
"$CONCORD" --as AADA review "$RV/findings.yaml" --json >rv.cli
strip() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j.pop("plan"); print(json.dumps(j, sort_keys=True))' "$1"; }
is "$(strip rv.body)" "$(strip rv.cli)" "... the same findings as 'concord review --json' (but the plan's file name)"
# R1, R2, R4, R5, R6 twice are errors or warnings as the CLI test works out; here: counted
is "$(field rv.body 'j["errors"] == sum(f["severity"] == "error" for f in j["findings"]), j["errors"] > 0')" \
	"True True" "... 'errors' counts the findings of severity error"
req rvj "$T_aada" -X POST --data-binary @"$RV/findings.json" "$URL/api/review"
"$CONCORD" --as AADA review "$RV/findings.json" --json >rvj.cli
is "$STATUS $(strip rvj.body)" "200 $(strip rvj.cli)" "a JSON plan as the body itself: the same findings"
req rvc "$T_aada" -X POST --data-binary @"$RV/clean.json" "$URL/api/review?as_of=2022-06-30&threshold=5&window=30"
"$CONCORD" --as AADA review "$RV/clean.json" --json --as-of 2022-06-30 --threshold 5 --window 30 >rvc.cli
is "$STATUS $(strip rvc.body)" "200 $(strip rvc.cli)" "review with as_of, threshold and window equals the CLI"
req e "$T_aada" -X POST --data-binary @"$RV/malformed.json" "$URL/api/review"
is "$STATUS" 400 "a malformed plan body: 400"
req e "$T_aada" -X POST -d '{"activities": 5}' "$URL/api/review"
is "$STATUS $(err_of e.body)" "400 EINVALID activities" "a plan of the wrong shape: 400 naming the member"
req e "$T_aada" -X POST -d '{"text": "activities: [unclosed"}' "$URL/api/review"
is "$STATUS $(err_of e.body)" "400 EPARSE body" "a YAML plan that does not parse: 400"
req e "$T_aada" -X POST -d '[1, 2]' "$URL/api/review"
is "$STATUS $(err_of e.body)" "400 EUSAGE body" "a body that is no plan: 400 naming the body"
req e "$T_aada" -X POST "$URL/api/review"
is "$STATUS $(err_of e.body)" "400 EUSAGE body" "no body: 400 naming the body"
req e "$T_aada" -X POST --data-binary @plan-yaml.json "$URL/api/review?as_of=yesterday"
is "$STATUS $(err_of e.body)" "400 EUSAGE as_of" "review?as_of=yesterday: 400 naming 'as_of'"
req e "$T_aada" "$URL/api/review"
is "$STATUS" 405 "GET /api/review: 405"

# ---- the report ----
req rep "$T_aada" "$URL/api/report"
is "$STATUS" 200 "GET /api/report as AADA"
like "$(head -c 64 rep.body)" "^<!DOCTYPE html>" "... an HTML document"
like "$(tr -d '\r' <rep.head)" "Content-Type: text/html" "... served as text/html"
like "$(tr -d '\r' <rep.head)" 'Content-Disposition: attachment; filename="report.html"' \
	"... as an attachment named report.html"
like "$(cat rep.body)" "a\.csv" "... names AADA's own source"
unlike "$(cat rep.body)" "b\.csv\|Kohistan" "... and nothing of MRRD's owner-only import"
req rep2 "$T_out" "$URL/api/report?format=md"
is "$STATUS" 200 "GET /api/report?format=md as the outsider"
like "$(head -n 1 rep2.body)" "^# " "... Markdown"
like "$(cat rep2.body)" "p\.csv" "... names the public source"
unlike "$(cat rep2.body)" "a\.csv\|b\.csv\|Kohistan\|Mobile clinics" "... nothing of either owner-only import"
req rep3 "$T_out" "$URL/api/report?format=md&level=1&from=2024-01-01&to=2024-12-31"
like "$(cat rep3.body)" "2024-01-01/2024-12-31" "the report states the period asked"
# the report's gap for Kapisa is the caller's: 400,000 for the outsider, 360,000 for AADA
like "$(tr -d ', ' <rep2.body)" "400000" "the outsider's report ranks Kapisa's gap at 400,000"
unlike "$(tr -d ', ' <rep2.body)" "360000\|280000" "... not AADA's or the operator's figure"
req rep4 "$T_aada" "$URL/api/report?format=md"
like "$(tr -d ', ' <rep4.body)" "360000" "AADA's report: 360,000"
req e "$T_aada" "$URL/api/report?survey=q_nope"
is "$STATUS $(err_of e.body)" "404 ENOTFOUND survey" "a report of an unknown survey question: 404 naming 'survey'"
for bad in format=pdf:format level=7:level by=colour:by from=never:from; do
	req e "$T_aada" "$URL/api/report?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "report?${bad%:*}: 400 naming '${bad##*:}'"
done

# ---- tokens and the OpenAPI document ----
req e none "$URL/api/gaps"
is "$STATUS" 401 "an analysis without a valid token: 401"
req api none "$URL/api/openapi.json"
is "$(field api.body '[p for p in ["/api/gaps", "/api/overlap", "/api/progress", "/api/rollup", "/api/index", "/api/review", "/api/report"] if p not in j["paths"]]')" \
	"[]" "the OpenAPI document lists every analysis route"
is "$(field api.body 'sorted(q["name"] for q in j["paths"]["/api/gaps"]["get"]["parameters"])')" \
	"['by', 'format', 'from', 'level', 'planning', 'reach', 'to']" "... with the query arguments of /api/gaps"

kill "$PID"
wait "$PID"
is "$?" 0 "the server stops cleanly on SIGTERM"

# ---- serve --index FILE: the index the server computes (and the dashboard maps) ----
cat >ix.yaml <<'EOF'
name: Test index
method: geometric
level: 1
indicators:
  - code: SEC-INC
    weight: 2
  - code: LIT-F
    weight: 1
EOF
run "$CONCORD" serve --listen 127.0.0.1:0 --index nosuch.yaml
is "$RC" 1 "serve --index with no such file: exit 1, before listening"
like "$ERR" "nosuch.yaml" "... naming the file"
serve_start --threads 2 --index ix.yaml
req ixc "$T_isaf" "$URL/api/index?at=$AT"
is "$STATUS" 200 "serve --index FILE: GET /api/index"
"$CONCORD" index --config ix.yaml --json --at "$AT" >ixc.cli
same ixc.body ixc.cli "... byte for byte 'concord index --config FILE --json'"
is "$(field ixc.body 'j["name"], j["method"]')" "Test index geometric" "... the file's definition, not the default"
kill "$PID"
wait "$PID"
done_testing
