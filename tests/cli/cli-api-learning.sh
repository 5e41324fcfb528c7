#!/bin/sh
# The learning endpoints of the API on a server started here on 127.0.0.1 and stopped after:
# GET /api/lessons/search (the register's full-text search) and GET /api/survey (the survey
# results). Each answer is compared with the CLI's --json for the same store, options and
# reader (--as); the figures are also worked out here from the files themselves: which seed
# lessons hold the words, the counts of the survey excerpt, the Wilson interval and Kish's
# effective n computed in Python. Then visibility: a lesson and a survey wave held owner-only
# by AADA are seen by AADA and leave no trace (hits, facets, counts) for MRRD.
#
# The case: the Afghanistan mission with the 50 seed lessons (data/lessons) and the Lyall,
# Blair & Imai survey excerpt (306 respondents, wave 2011, public); AADA (an NGO) adds a lesson
# marked org over the API and holds wave 2012 (ten weighted respondents in Logar, org).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "learning API" "curl is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add MRRD --kind government >/dev/null
"$CONCORD" lesson import "$ROOT"/data/lessons/*.md >/dev/null
(cd "$CASE" && "$CONCORD" import survey ./afg_lyall_survey_excerpt.csv --wave 2011 \
	--area-column province --area-map ./adm1_code_map.csv \
	--questions ./afg_lyall_form_survey.csv --questions ./afg_lyall_form_choices.csv) >/dev/null
# wave 2012: AADA's own respondents, weighted; employed = 1 for seven of ten
cat >w2012.csv <<'EOF'
id,province,employed,w
a1,Logar,1,1
a2,Logar,1,2
a3,Logar,0,1
a4,Logar,1,3
a5,Logar,0,1
a6,Logar,1,1
a7,Logar,1,2
a8,Logar,0,1
a9,Logar,1,1
a10,Logar,1,2
EOF
"$CONCORD" import survey w2012.csv --wave 2012 --id-column id --weight w --area-column province \
	--area-map "$CASE/adm1_code_map.csv" >/dev/null

"$CONCORD" member add OCHA --kind un >/dev/null
"$CONCORD" user add aada --org AADA --role editor >/dev/null
"$CONCORD" user add mrrd --org MRRD --role viewer >/dev/null
"$CONCORD" user add ocha --org OCHA --role coordinator >/dev/null
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_mrrd=$(tok mrrd); T_ocha=$(tok ocha)

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: body in NAME.body, $STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
field() { # field FILE EXPR: a python expression over the parsed JSON document j
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1
}
same() { # same FILE1 FILE2 DESCRIPTION: byte for byte
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$1" "$2" | head -5)"; fi
}
err_of() { field "$1" 'j["error"]["code"], j["error"]["field"]'; }

# wave 2012 handed to AADA, owner-only, by the coordinator (survey imports take no marking)
n=0
for id in $(sqlite3 concord.db "SELECT id FROM survey_respondent WHERE wave = '2012'"); do
	st=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $T_ocha" -H "If-Match: *" \
		-d '{"releasability": "org", "owner": "AADA"}' "$URL/api/survey-responses/$id/marking")
	[ "$st" = 200 ] && n=$((n + 1))
done
is "$n $(sqlite3 concord.db "SELECT releasability || ' ' || count(*) FROM survey_respondent GROUP BY releasability ORDER BY 1" | tr '\n' ' ')" \
	"10 org 10 public 306 " "the case: 306 public respondents and AADA's ten, marked owner-only over the API"

# ---- lessons: the seed register ----
# independently: the seed lessons whose text holds a word stemmed from "police" and one from
# "training" (the index: title, the four sections, tags)
WANT=$(python3 - "$ROOT/data/lessons" <<'EOF'
import glob, os, re, sys
keys = []
for p in sorted(glob.glob(os.path.join(sys.argv[1], '*.md'))):
    t = open(p, encoding='utf-8').read()
    front, body = t.split('---', 2)[1:]
    text = ' '.join(re.findall(r'^(?:title|tags): (.*)$', front, re.M)) + ' ' + body
    if re.search(r'\bpolic', text, re.I) and re.search(r'\btrain', text, re.I):
        keys.append(re.search(r'^key: (.*)$', front, re.M).group(1))
print(' '.join(sorted(keys)))
EOF
)
is "$WANT" "AFG-004 AFG-005 KOS-001 LBY-007" "the seed lessons holding police and training (read from the files)"
req s1 "$T_mrrd" "$URL/api/lessons/search?q=police%20training"
is "$STATUS" 200 "GET /api/lessons/search?q=police training"
is "$(field s1.body '" ".join(sorted(h["key"] for h in j["hits"])), j["n_matched"], j["n_hits"]')" "$WANT 4 4" \
	"... finds exactly those lessons"
"$CONCORD" --as MRRD lesson search police training --json >s1.cli
same s1.body s1.cli "... byte for byte 'concord --as MRRD lesson search police training --json'"
is "$(field s1.body '[h["key"] for h in j["hits"]]')" "['AFG-005', 'AFG-004', 'LBY-007', 'KOS-001']" \
	"... ranked: both words in the title first (title weighted 10), then the police title, then the sections"
is "$(field s1.body 'all(a["rank"] <= b["rank"] for a, b in zip(j["hits"], j["hits"][1:]))')" True \
	"... by bm25, smaller first"
is "$(field s1.body 'j["hits"][0]["title"]')" "Police training without mentoring in the field did not last" \
	"... the first hit is the only lesson with both words in its title"
like "$(field s1.body 'j["hits"][1]["snippet"]')" '\[police\] \[training\]' "... snippets mark the matched words in brackets"
is "$(field s1.body 'j["facets"]')" "{'pillar': {'security': 4, 'governance': 3}, 'mission': {'': 4}, 'status': {'analysed': 4}}" \
	"... facets count every match: pillars (AFG-004, LBY-007, KOS-001 are also governance), no mission, status"
req s2 "$T_mrrd" "$URL/api/lessons/search?q=police%20training&pillar=governance&limit=2"
"$CONCORD" --as MRRD lesson search police training --pillar governance --limit 2 --json >s2.cli
same s2.body s2.cli "pillar=governance&limit=2 equals the CLI's --pillar governance --limit 2"
is "$(field s2.body '[h["key"] for h in j["hits"]], j["n_hits"], j["facets"]["pillar"]')" \
	"['AFG-004', 'LBY-007'] 3 {'security': 4, 'governance': 3}" \
	"... the governance hits in rank order, two shown of three; the facets still count all four"
req s3 "$T_mrrd" "$URL/api/lessons/search?q=police%20training&status=validated"
is "$(field s3.body 'j["n_hits"], j["n_matched"]')" "0 4" "status=validated: no hit of four matches"
req s4 "$T_mrrd" "$URL/api/lessons/search?q=police%20training&mission=none"
is "$(field s4.body 'j["n_hits"]')" 4 "mission=none: the lessons of no mission"
req s5 "$T_mrrd" "$URL/api/lessons/search?q=police%20training&mission=AFG"
is "$(field s5.body 'j["n_hits"]')" 0 "mission=AFG: none of the seed lessons"
req s6 "$T_mrrd" "$URL/api/lessons/search?q=polic*"
"$CONCORD" --as MRRD lesson search 'polic*' --json >s6.cli
same s6.body s6.cli "a prefix query (polic*) equals the CLI"
for bad in "q=:q" "q=%21%3F:q" "pillar=weather&q=x:pillar" "status=forgotten&q=x:status" \
	"limit=0&q=x:limit" "limit=1001&q=x:limit" "q=x&colour=red:colour"; do
	[ "${bad%:*}" = "q=" ] && u="$URL/api/lessons/search" || u="$URL/api/lessons/search?${bad%:*}"
	req e "$T_mrrd" "$u"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "lessons/search?${bad%:*}: 400 naming '${bad##*:}'"
done
req e "$T_mrrd" "$URL/api/lessons/search?q="
is "$STATUS $(err_of e.body)" "400 EUSAGE q" "lessons/search?q= (empty): 400 naming 'q'"
req e "" "$URL/api/lessons/search?q=police"
is "$STATUS" 401 "no token: 401"

# ---- lessons: one held owner-only by AADA ----
les='{"title": "Police training kits left in QUIXOTIC depots", "observation": "Police training kits stayed in depots for a year.", "pillars": ["humanitarian"], "status": "validated", "releasability": "org"}'
req l1 "$T_aada" -X POST -d "$les" "$URL/api/lessons"
is "$STATUS" 201 "AADA adds a lesson marked org (owner-only)"
LKEY=$(field l1.body 'j["key"]')
req a1 "$T_aada" "$URL/api/lessons/search?q=police%20training"
is "$(field a1.body 'j["hits"][0]["key"], j["n_matched"], j["facets"]["pillar"].get("humanitarian"), j["facets"]["status"].get("validated")')" \
	"$LKEY 5 1 1" "AADA finds it first (both words in the title), five matches, counted in the facets"
"$CONCORD" --as AADA lesson search police training --json >a1.cli
same a1.body a1.cli "... byte for byte 'concord --as AADA lesson search police training --json'"
req m1 "$T_mrrd" "$URL/api/lessons/search?q=police%20training"
# (bm25 weighs a word by its frequency over the whole index, so the ranks themselves move)
is "$(field m1.body '[h["key"] for h in j["hits"]], j["n_matched"], j["facets"]')" \
	"$(field s1.body '[h["key"] for h in j["hits"]], j["n_matched"], j["facets"]')" \
	"MRRD: the same hits and facets as before the lesson was added"
"$CONCORD" --as MRRD lesson search police training --json >m1.cli
same m1.body m1.cli "... byte for byte 'concord --as MRRD lesson search police training --json'"
is "$(field m1.body '"'"$LKEY"'" in [h["key"] for h in j["hits"]], "humanitarian" in j["facets"]["pillar"], "validated" in j["facets"]["status"]')" \
	"False False False" "... AADA's lesson absent from the hits and from every facet"
req m2 "$T_mrrd" "$URL/api/lessons/search?q=quixotic"
is "$STATUS $(field m2.body 'j["n_matched"], j["hits"], j["facets"]')" \
	"200 0 [] {'pillar': {}, 'mission': {}, 'status': {}}" "MRRD searching its one unique word: nothing, not even a count"
req m3 "$T_mrrd" "$URL/api/lessons/search?q=quixotic&status=validated&pillar=humanitarian"
is "$(field m3.body 'j["n_matched"]')" 0 "... nor with the filters that would pick it"

# ---- survey ----
# independently from the file: employed among the 306 respondents, and the Wilson interval on n
EMP=$(python3 - "$CASE/afg_lyall_survey_excerpt.csv" <<'EOF'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
y = [int(r['employed']) for r in rows if r['employed'] not in ('', 'NA')]
n, k = len(y), sum(y)
z = 1.959963984540054
p = k / n
c = (p + z * z / (2 * n)) / (1 + z * z / n)
h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
print('%d %d %.6g %.6g %.6g' % (k, n, p, c - h, c + h))
EOF
)
req v1 "$T_mrrd" "$URL/api/survey?question=employed"
is "$STATUS" 200 "GET /api/survey?question=employed"
is "$(field v1.body '" ".join(str(x) for x in (lambda e: [e["count"], e["n"], e["share"], e["lo"], e["hi"]])(j["cells"][0]["estimates"][1]))')" \
	"$EMP" "... employed = 1: count, n, share and Wilson interval as computed from the file"
is "$(field v1.body '[(e["answer"], e["n_eff"], e["deff"], e["small"]) for e in j["cells"][0]["estimates"]]')" \
	"[('0', 306, 1, False), ('1', 306, 1, False)]" "... unweighted: n_eff = n = 306, deff 1, no small cell"
"$CONCORD" --as MRRD survey results --question employed --json >v1.cli
same v1.body v1.cli "... the same bytes as 'concord --as MRRD survey results --question employed --json'"
like "$(field v1.body 'j["rule"]')" "Wilson intervals on the Kish effective n.*small marks n_eff < 30" "... the rule as the CLI states it"
# the CSV too: the same rows, the same figures
"$CONCORD" --as MRRD survey results --question employed --csv >v1.csv
is "$(python3 -c '
import csv, json, sys
j = json.load(open(sys.argv[1]))
api = [(c["cell"], e["answer"], str(e["count"]), str(e["n"]), "%.6f" % e["share"], "%.6f" % e["lo"], "%.6f" % e["hi"], "yes" if e["small"] else "no") for c in j["cells"] for e in c["estimates"]]
cli = [(r["cell"], r["answer"], r["count"], r["n"], r["share"], r["lo"], r["hi"], r["small"]) for r in csv.DictReader(open(sys.argv[2]))]
print("same" if api == cli else "differ: %r %r" % (api, cli))' v1.body v1.csv)" same "... and the CLI's --csv rows"

# by area, small cells below 50: Kunar (44) and Uruzgan (43)
AREAS=$(python3 - "$CASE/afg_lyall_survey_excerpt.csv" "$CASE/adm1_code_map.csv" "$CASE/afg_global_pcodes_subset.csv" <<'EOF'
import csv, collections, sys
# a province's P-code: by the gazetteer's name, else by the name map
code = {r['Name']: r['P-Code'] for r in csv.DictReader(open(sys.argv[3], encoding='utf-8-sig')) if r['Admin Level'] == '1'}
code.update({r['feature']: r['pcode'] for r in csv.DictReader(open(sys.argv[2], encoding='utf-8'))})
n = collections.Counter(code[r['province']] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')) if r['employed'] not in ('', 'NA'))
print(' '.join('%s:%d:%s' % (p, n[p], n[p] < 50) for p in sorted(n)))
EOF
)
req v2 "$T_mrrd" "$URL/api/survey?question=employed&by=area&min_neff=50"
is "$(field v2.body '" ".join("%s:%d:%s" % (c["cell"].split(" ", 1)[0], c["estimates"][0]["n"], c["estimates"][0]["small"]) for c in j["cells"])')" \
	"$AREAS" "by=area&min_neff=50: per province its n from the file, small below 50"
"$CONCORD" --as MRRD survey results --question employed --by area --min-neff 50 --json >v2.cli
same v2.body v2.cli "... equals the CLI's --by area --min-neff 50"
req v3 "$T_mrrd" "$URL/api/survey?question=violent.exp.ISAF&cluster=village.id&confidence=0.9"
"$CONCORD" --as MRRD survey results --question violent.exp.ISAF --cluster village.id --confidence 0.9 --json >v3.cli
same v3.body v3.cli "cluster=village.id&confidence=0.9 equals the CLI's --cluster village.id --confidence 0.9"
is "$(field v3.body 'j["cells"][0]["estimates"][0]["clusters"] > 100 and j["cells"][0]["estimates"][0]["deff"] > 1')" True \
	"... clustered by village: a design effect above 1"
like "$(field v3.body 'j["rule"]')" "90% Wilson.*Clustered by village.id" "... the rule says so"

# AADA sees its wave 2012 too: independently, the weighted share and Kish n_eff of those ten
W12=$(python3 - w2012.csv <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
w = [float(r['w']) for r in rows]; y = [int(r['employed']) for r in rows]
sw = sum(w); p = sum(a * b for a, b in zip(w, y)) / sw; neff = sw * sw / sum(a * a for a in w)
print('%d %d %.6g %.6g %s' % (sum(y), len(y), p, neff, neff < 30))
EOF
)
req w1 "$T_aada" "$URL/api/survey?question=employed&by=wave"
is "$(field w1.body '[c["cell"] for c in j["cells"]]')" "['2011', '2012']" "AADA, by=wave: both waves"
is "$(field w1.body '" ".join(str(x) for x in (lambda e: [e["count"], e["n"], e["share"], e["n_eff"], e["small"]])(j["cells"][1]["estimates"][1]))')" \
	"$W12" "... wave 2012: weighted share and Kish n_eff as computed from its file, flagged small"
is "$(field w1.body 'j["cells"][1]["estimates"][1]["change"] is not None and j["cells"][1]["estimates"][1]["change"]["diff"] is not None')" True \
	"... with the change from 2011 tested"
"$CONCORD" --as AADA survey results --question employed --by wave --json >w1.cli
same w1.body w1.cli "... equals 'concord --as AADA survey results --by wave --json'"
req w2 "$T_mrrd" "$URL/api/survey?question=employed&by=wave"
is "$(field w2.body '[c["cell"] for c in j["cells"]], j["cells"][0]["estimates"][1]["n"]')" "['2011'] 306" \
	"MRRD, by=wave: AADA's owner-only wave is not counted"
"$CONCORD" --as MRRD survey results --question employed --by wave --json >w2.cli
same w2.body w2.cli "... equals 'concord --as MRRD survey results --by wave --json'"
req w3 "$T_aada" "$URL/api/survey?question=employed&by=group&group=violent.exp.ISAF&wave=2011"
"$CONCORD" --as AADA survey results --question employed --by group --group violent.exp.ISAF --wave 2011 --json >w3.cli
same w3.body w3.cli "by=group&group=violent.exp.ISAF&wave=2011 equals the CLI"

for bad in ":question" "question=employed&by=province:by" "question=employed&level=9:level" \
	"question=employed&confidence=1.5:confidence" "question=employed&min_neff=0:min_neff" \
	"question=employed&likert=1:likert" "question=employed&reverse=true:reverse" \
	"question=employed&reverse=maybe:reverse" "question=employed&by=group:group" \
	"question=employed&group=age:group" "question=employed&colour=red:colour"; do
	req e "$T_mrrd" "$URL/api/survey?${bad%:*}"
	is "$STATUS $(err_of e.body)" "400 EUSAGE ${bad##*:}" "survey?${bad%:*}: 400 naming '${bad##*:}'"
done
for bad in "question=salary:question" "question=employed&by=group&group=salary:group" \
	"question=employed&cluster=hamlet:cluster" "question=employed&wave=1999:wave"; do
	req e "$T_mrrd" "$URL/api/survey?${bad%:*}"
	is "$STATUS $(err_of e.body)" "404 ENOTFOUND ${bad##*:}" "survey?${bad%:*}: 404 naming '${bad##*:}'"
done

# ---- Cronbach's alpha of a scale: the two harm items (0/1, so KR-20) ----
ITEMS="violent.exp.ISAF,violent.exp.taliban"
req al1 "$T_mrrd" "$URL/api/survey/alpha?items=$ITEMS"
is "$STATUS" 200 "GET /api/survey/alpha"
"$CONCORD" --as MRRD survey alpha --items "$ITEMS" --json >al1.cli
same al1.body al1.cli "... the same bytes as 'concord --as MRRD survey alpha --json'"
ALPHA=$(python3 - "$CASE/afg_lyall_survey_excerpt.csv" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
x = [(float(r["violent.exp.ISAF"]), float(r["violent.exp.taliban"])) for r in rows
     if r["violent.exp.ISAF"] not in ("", "NA") and r["violent.exp.taliban"] not in ("", "NA")]
def var(v):
    m = sum(v) / len(v)
    return sum((a - m) ** 2 for a in v) / (len(v) - 1)
k = 2
items = sum(var([r[j] for r in x]) for j in range(k))
total = var([sum(r) for r in x])
print(len(x), "%.4f" % (k / (k - 1) * (1 - items / total)))
EOF
)
is "$(field al1.body 'j["used"], "%.4f" % j["alpha"]')" "$ALPHA" "... n and alpha as computed here from the 2011 file ($ALPHA)"
req al2 "$T_aada" "$URL/api/survey/alpha?items=$ITEMS"
"$CONCORD" --as AADA survey alpha --items "$ITEMS" --json >al2.cli
same al2.body al2.cli "... for AADA too (its owner-only wave 2012 counted)"
req al3 "$T_mrrd" "$URL/api/survey/alpha"
is "$STATUS $(err_of al3.body)" "400 EUSAGE items" "survey/alpha without items: 400 naming 'items'"
req al4 "$T_mrrd" "$URL/api/survey/alpha?items=employed,salary"
is "$STATUS $(err_of al4.body)" "404 ENOTFOUND items" "an unknown item: 404 naming 'items'"

# ---- lessons of another mission stay out, as they do from GET /api/lessons ----
"$CONCORD" init --mission KFOR --country SRB >/dev/null 2>&1
"$CONCORD" -m KFOR lesson add --title "Police training ZANZIBARIAN in another mission" \
	--observation "Seen elsewhere." --pillar security --releasability public >/dev/null
run "$CONCORD" -m KFOR lesson search zanzibarian
like "$OUT" "ZANZIBARIAN" "the case: a public lesson of another mission (KFOR), found there"
req k1 "$T_mrrd" "$URL/api/lessons/search?q=zanzibarian"
is "$STATUS $(field k1.body 'j["n_matched"], j["facets"]["mission"]')" "200 0 {}" \
	"MRRD (mission AFG) does not find it: no hit, no facet"
req k2 "$T_mrrd" "$URL/api/lessons?limit=200"
is "$(field k2.body '[l["key"] for l in j["items"] if "ZANZIBARIAN" in l["title"]]')" "[]" \
	"... as GET /api/lessons does not list it"
req k3 "$T_mrrd" "$URL/api/lessons/search?q=police%20training"
is "$(field k3.body 'j["n_matched"], j["facets"]["mission"]')" "4 {'': 4}" "... and 'police training' still has its four matches"

# ---- the OpenAPI document lists both with their arguments ----
req o "$T_mrrd" "$URL/api/openapi.json"
is "$(field o.body '[p["name"] for p in j["paths"]["/api/lessons/search"]["get"]["parameters"]]')" \
	"['q', 'pillar', 'status', 'mission', 'limit']" "OpenAPI: GET /api/lessons/search and its arguments"
is "$(field o.body '"question" in [p["name"] for p in j["paths"]["/api/survey"]["get"]["parameters"]]')" True \
	"OpenAPI: GET /api/survey"

kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' srv.log; then
	not_ok "the server ran clean under the sanitizers" "$(grep -A20 'Sanitizer\|runtime error:' srv.log | head -40)"
else
	ok "the server ran clean under the sanitizers"
fi
done_testing
