#!/bin/sh
# The releasability matrix. Records of every kind (activities, needs, incidents, indicators,
# observations, lessons, feedback) are seeded with every releasability (public, partners,
# org) for every kind of owner (an NGO, a military unit, a UN agency), each carrying a marker
# string ("MRKact4X") in its title, label, notes, name, source or text. Then every GET route
# of /api/openapi.json — read from the document, so routes added later are covered too — is
# called by each caller (an NGO editor, a UN viewer, a military viewer, an organisation outside
# the mission, and no token at all), with the ids of every seeded record (visible or not) put
# in the {id} of the registry's routes, and the markers found in the answers are compared with
# what the caller may see, computed here by a separate implementation of the rule in python
# over the store's tables: nothing more may appear anywhere, and everything visible must
# appear somewhere. A record the caller may not see must answer exactly like a missing one.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "releasability matrix" "curl or sqlite3 is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" member add OUTSIDE --kind ngo >/dev/null
"$CONCORD" member remove OUTSIDE >/dev/null
q() { sqlite3 concord.db "$1"; }

# ---- seeds: record k of each kind is owned by OWNERS[k / 3] and marked RELS[k % 3] ----
OWNERS="AADA ISAF-PRT UNICEF"
RELS="public partners org"
owner_of() { echo "$OWNERS" | cut -d' ' -f$(($1 / 3 + 1)); }
rel_of() { echo "$RELS" | cut -d' ' -f$(($1 % 3 + 1)); }
for k in 0 1 2 3 4 5 6 7 8; do
	p=$(printf 'AF%02d' $((k + 1)))
	{
		echo "Organisation,Org type,Cluster,Province code,Activity,Start,End,Targeted,Reached,Latitude,Longitude"
		echo "#org+acronym,#org+type,#sector+cluster+code,#adm1+code,#activity,#date+start,#date+end,#targeted,#reached,#geo+lat,#geo+lon"
		echo "AADA,National NGO,HEA,$p,Clinic MRKact${k}X,2021-07-01,2021-09-30,100,50,,"
	} >"act$k.csv"
	"$CONCORD" import 3w "act$k.csv" --owner "$(owner_of $k)" --releasability "$(rel_of $k)" >/dev/null ||
		not_ok "seed activity $k"
done
{
	echo "Admin 1 PCode,Sector,Gender,Age Group,Population Group,In Need,Description"
	echo "#adm1+code,#sector+code,#gender+code,#age_group+code,#population_group+code,#inneed,#description"
	for k in 0 1 2 3 4 5 6 7 8; do
		printf 'AF%02d,ALL,t,all,all,%d,Need MRKneed%dX\n' $((k + 1)) $((1000 + k)) "$k"
	done
} >needs.csv
{
	echo "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso"
	for k in 0 1 2 3 4 5 6 7 8; do
		echo "AFGM000$k,2021-07-0$((k + 1)),2021,1,Political violence,Battles,Armed clash,Group A,Group B,Kabul,Kabul,,Kabul,34.55,69.20,1,Synthetic,\"Synthetic event MRKinc${k}X\",1,1625400000,4"
	done
} >events.csv
{
	echo "code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max"
	for k in 0 1 2 3 4 5 6 7 8; do
		echo "IND$k,Indicator MRKind${k}X,security,people,unit,higher,sum,90,,"
	done
} >indicators.csv
{
	echo "indicator,area,sex,age_group,period_start,period_end,value,source,confidence"
	# observation k is of indicator 8 - k: seen only where both are
	for k in 0 1 2 3 4 5 6 7 8; do
		echo "IND$((8 - k)),AF01,,,2021-01-01,2021-03-31,$((10 + k)),Survey MRKobs${k}X,high"
	done
} >observations.csv
{
	echo "id,date,area,channel,organisation,category,sentiment,text"
	for k in 0 1 2 3 4 5 6 7 8; do
		echo "mfb-$k,2021-02-0$((k + 1)),AF01,hotline,Civil affairs,security,negative,Complaint MRKfb${k}X"
	done
} >feedback.csv
for k in 0 1 2 3 4 5 6 7 8; do
	cat >"les$k.md" <<EOF
---
key: MTX-00$k
title: "Lesson MRKles${k}X"
pillars: [governance]
areas: [AF]
tags: [matrix]
date: 2021-08-16
source: "test"
status: observed
releasability: public
---

## Observation

Observed MRKles${k}X.
EOF
done
"$CONCORD" import needs needs.csv >/dev/null 2>&1 || not_ok "seed needs" "$("$CONCORD" import needs needs.csv 2>&1)"
"$CONCORD" import events events.csv >/dev/null 2>&1 || not_ok "seed incidents" "$("$CONCORD" import events events.csv 2>&1)"
"$CONCORD" import indicators indicators.csv >/dev/null || not_ok "seed indicators"
"$CONCORD" import observations observations.csv >/dev/null || not_ok "seed observations"
"$CONCORD" feedback import feedback.csv >/dev/null || not_ok "seed feedback"
"$CONCORD" lesson import les*.md >/dev/null || not_ok "seed lessons"
# the marking of the records imported without one, through `concord mark`
for tc in need:label incident:notes indicator:name observation:source feedback:text lesson:title; do
	t=${tc%%:*} c=${tc#*:}
	for k in 0 1 2 3 4 5 6 7 8; do
		id=$(q "SELECT id FROM $t WHERE $c LIKE '%MRK%${k}X%'")
		"$CONCORD" mark "$t" "$id" --releasability "$(rel_of $k)" --owner "$(owner_of $k)" >/dev/null ||
			not_ok "mark $t $k"
	done
done
# one named share, so that the rule's sharing branch is exercised: AADA's owner-only need
# released to the PRT
NEED2=$(q "SELECT id FROM need WHERE label LIKE '%MRKneed2X%'")
"$CONCORD" mark need "$NEED2" --share ISAF-PRT >/dev/null || not_ok "share need"
is "$(q "SELECT (SELECT count(*) FROM activity WHERE title LIKE '%MRK%') || ' ' || (SELECT count(*) FROM need WHERE label LIKE '%MRK%') || ' ' || (SELECT count(*) FROM incident WHERE notes LIKE '%MRK%') || ' ' || (SELECT count(*) FROM indicator WHERE name LIKE '%MRK%') || ' ' || (SELECT count(*) FROM observation WHERE source LIKE '%MRK%') || ' ' || (SELECT count(*) FROM feedback WHERE text LIKE '%MRK%') || ' ' || (SELECT count(*) FROM lesson WHERE title LIKE '%MRK%')")" \
	"9 9 9 9 9 9 9" "nine marked records of each of seven kinds seeded"
is "$(q "SELECT count(DISTINCT releasability || owner_id) FROM indicator WHERE name LIKE '%MRK%'")" 9 \
	"... with every releasability for every owner"

for u in aada:AADA:editor unicef:UNICEF:viewer isaf:ISAF-PRT:viewer out:OUTSIDE:viewer; do
	"$CONCORD" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}" >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_unicef=$(tok unicef); T_isaf=$(tok isaf); T_out=$(tok out)

# ---- the rule, once more, in python over the tables ----
cat >rule.py <<'EOF'
import json, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
reader = sys.argv[2]  # an organisation key, or "none" (no token: sees nothing)
bits = {"military": 1, "un": 2, "eu": 4, "government": 8, "ngo": 16, "rcrc": 32,
        "private": 64, "other": 128}
mission = db.execute("SELECT id FROM mission").fetchone()[0]
members = {r[0] for r in db.execute("SELECT org_id FROM mission_member WHERE mission_id = ?",
                                    (mission,))}
shares = {}
for tbl, rid, org in db.execute("SELECT tbl, record_id, org_id FROM share"):
    shares.setdefault((tbl, rid), set()).add(org)
org = None
if reader != "none":
    org, kind = db.execute("SELECT id, kind FROM organisation WHERE key = ?",
                           ("local:" + reader,)).fetchone()
    kinds = bits.get(kind or "", 0)
    member = org in members

def visible(tbl, rid):
    if reader == "none":
        return False
    owner, rel, deny, m = db.execute(
        "SELECT owner_id, releasability, deny, mission_id FROM %s WHERE id = ?" % tbl,
        (rid,)).fetchone()
    if owner == org or org in shares.get((tbl, rid), ()):
        return True
    if deny & kinds:
        return False
    return rel == "public" or (rel == "partners" and member and m in (None, mission))

columns = {"activity": "title", "need": "label", "incident": "notes", "indicator": "name",
           "observation": "source", "feedback": "text", "lesson": "title"}
seen, hidden, ids = [], [], {}
for tbl, col in columns.items():
    for rid, text in db.execute("SELECT id, %s FROM %s WHERE %s LIKE '%%MRK%%'" % (col, tbl, col)):
        marker = re.search(r"MRK[a-z]+\dX", text).group(0)
        ok = visible(tbl, rid)
        if tbl == "observation":  # seen with its indicator only
            ind = db.execute("SELECT indicator_id FROM observation WHERE id = ?", (rid,)).fetchone()[0]
            ok = ok and visible("indicator", ind)
        (seen if ok else hidden).append(marker)
        ids.setdefault(tbl, []).append(rid)
print(json.dumps({"visible": sorted(seen), "hidden": sorted(hidden), "ids": ids}))
EOF

serve_start --threads 2

# ---- every GET route of the document, for one caller ----
cat >sweep.py <<'EOF'
import json, re, sys, urllib.error, urllib.request
url, token, expect = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
# the registry's collections and the table of their ids (seeded records, visible or not)
tables = {"/api/activities": "activity", "/api/needs": "need", "/api/incidents": "incident",
          "/api/indicators": "indicator", "/api/observations": "observation",
          "/api/feedback": "feedback", "/api/lessons": "lesson"}
fixed = {"pcode": ["AF01"]}

def get(path, tok=token, accept="application/json"):
    h = {"Accept": accept}
    if tok != "none":
        h["Authorization"] = "Bearer " + tok
    try:
        r = urllib.request.urlopen(urllib.request.Request(url + path, headers=h), timeout=120)
        return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")

doc = json.loads(get("/api/openapi.json")[1])
found, calls, generic, problems = set(), 0, [], []
for path, item in sorted(doc["paths"].items()):
    if "get" not in item:
        continue
    params = re.findall(r"\{(\w+)\}", path)
    if not params:
        targets = [path]
    elif params == ["id"] and path.rsplit("/", 1)[0] in tables and path.endswith("/{id}"):
        coll = path.rsplit("/", 1)[0]
        targets = [coll + "/" + str(i) for i in expect["ids"][tables[coll]]]
        targets.append(coll + "/999999999")
    else:
        # a route of another kind: its parameters get a fixed or a dummy value
        targets = [path]
        for p in params:
            targets = [t.replace("{%s}" % p, fixed.get(p, ["1"])[0]) for t in targets]
        generic.append(path)
    for t in targets:
        status, body = get(t)
        calls += 1
        markers = set(re.findall(r"MRK[a-z]+\dX", body))
        leak = markers - set(expect["visible"])
        if leak:
            problems.append("%s %s: shows %s" % (t, status, sorted(leak)))
        found |= markers
        if t.endswith("/999999999") or status == 404:
            continue
# the downloads of /api/export/{kind} (swept above with a dummy kind), each kind
for t in ["/api/export/3w", "/api/export/iati", "/api/export/areas?with_coverage=1&level=1"]:
    status, body = get(t)
    calls += 1
    markers = set(re.findall(r"MRK[a-z]+\dX", body))
    if status != 200 and token != "none":
        problems.append("%s: %s" % (t, status))
    if markers - set(expect["visible"]):
        problems.append("%s %s: shows %s" % (t, status, sorted(markers - set(expect["visible"]))))
    found |= markers
# the live feed's JSON page and the lists again through keyset pages of 2
for coll in tables:
    after = None
    while True:
        status, body = get(coll + "?limit=2" + ("&after=" + after if after else ""))
        calls += 1
        if status != 200:
            break
        found |= set(re.findall(r"MRK[a-z]+\dX", body))
        leak = set(re.findall(r"MRK[a-z]+\dX", body)) - set(expect["visible"])
        if leak:
            problems.append("%s pages: shows %s" % (coll, sorted(leak)))
        after = json.loads(body).get("next")
        if after is None:
            break
missing = set(expect["visible"]) - found
print(json.dumps({"calls": calls, "problems": problems, "missing": sorted(missing),
                  "generic": generic, "found": len(found)}))
EOF

for r in aada:AADA unicef:UNICEF isaf:ISAF-PRT out:OUTSIDE none:none; do
	name=${r%%:*} org=${r#*:}
	if [ "$name" = none ]; then t=none; else eval "t=\$T_$name"; fi
	E=$(python3 rule.py concord.db "$org")
	R=$(python3 sweep.py "$URL" "$t" "$E")
	n_vis=$(python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])["visible"]))' "$E")
	is "$(python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])["problems"]) or "none")' "$R")" \
		"none" "$org: no GET route shows a record it may not see ($(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["calls"])' "$R") calls, $n_vis of 63 records visible)"
	is "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["missing"])' "$R")" "[]" \
		"$org: every record it may see appears"
	[ "$name" = aada ] && echo "# routes swept with dummy parameters: $(python3 -c 'import json, sys; print(", ".join(json.loads(sys.argv[1])["generic"]) or "none")' "$R")"
done
# the rule is not trivial: readers differ
v() { python3 rule.py concord.db "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["visible"]))'; }
is "$(v none)" 0 "a caller without a token may see nothing"
va=$(v AADA) vu=$(v UNICEF) vi=$(v ISAF-PRT) vo=$(v OUTSIDE)
is "$((va > vo)) $((vu > vo)) $((vo > 0)) $((va < 63)) $((vi < 63))" "1 1 1 1 1" \
	"... members see more than an outsider, who sees the public ones; nobody sees all"

# a hidden record answers exactly like a missing one, for every kind
E=$(python3 rule.py concord.db ISAF-PRT)
same=$(python3 - "$URL" "$T_isaf" "$E" <<'EOF'
import json, re, sys, urllib.error, urllib.request
url, tok, e = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
colls = {"need": "needs", "incident": "incidents", "indicator": "indicators",
         "observation": "observations", "feedback": "feedback", "lesson": "lessons",
         "activity": "activities"}
def get(p):
    try:
        r = urllib.request.urlopen(urllib.request.Request(url + p, headers={"Authorization": "Bearer " + tok}))
        return r.status, r.read().decode()
    except urllib.error.HTTPError as x:
        return x.code, x.read().decode()
bad, n = [], 0
for tbl, ids in e["ids"].items():
    for i in ids:
        s, b = get("/api/%s/%d" % (colls[tbl], i))
        if s == 404:
            n += 1
            s2, b2 = get("/api/%s/999999999" % colls[tbl])
            if (s2, b2.replace("999999999", "N")) != (s, b.replace(str(i), "N")):
                bad.append("%s %d" % (tbl, i))
print(n, bad)
EOF
)
is "${same#* }" "[]" "the PRT's ${same%% *} hidden records each answer 404 with the body of a missing one"
is "$((${same%% *} > 10))" 1 "... and there were many of them"

kill "$PID"
wait "$PID" 2>/dev/null
done_testing
