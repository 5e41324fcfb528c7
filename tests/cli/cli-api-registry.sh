#!/bin/sh
# The registry over HTTP: every kind of record listed a keyset page at a time and read one by
# one (checked against the store's tables read with sqlite3), organisations created and
# changed with typed checks and If-Match, markings changed on the newly marked kinds
# (indicators, observations, feedback, survey responses) with the CLI's --as following them,
# lessons written one at a time, records removed by their owner's editors or a coordinator,
# each write in the audit log with the API user as actor, and a forbidden id answering
# exactly like a missing one.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "registry API" "curl or sqlite3 is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" >/dev/null
"$CONCORD" import benchmarks "$TDATA/indicators/benchmarks.csv" >/dev/null
"$CONCORD" import observations "$TDATA/indicators/observations.csv" >/dev/null
"$CONCORD" import needs "$TDATA/needs/afg_hno_2024_hxl_excerpt.csv" >/dev/null 2>&1
"$CONCORD" lesson import "$ROOT/data/lessons/afg-001.md" "$ROOT/data/lessons/afg-002.md" >/dev/null
"$CONCORD" feedback import "$TDATA/survey/feedback.csv" --personal name,phone >/dev/null
"$CONCORD" import events "$TDATA/events/acled_synthetic.csv" >/dev/null 2>&1
for u in aada:AADA:editor isaf:ISAF-PRT:viewer unicef:UNICEF:coordinator; do
	"$CONCORD" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}" >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_isaf=$(tok isaf); T_unicef=$(tok unicef)
q() { sqlite3 concord.db "$1"; }

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: the body in NAME.body, the status in STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
js() { # js NAME EXPRESSION: EXPRESSION over the JSON body j of NAME.body
	python3 -c "import json; j = json.load(open('$1.body')); print($2)"
}
# every id of a list, page by page (2 a page), as "id id id …" and the number of pages
pages() { # pages TOKEN KIND
	python3 - "$URL" "$1" "$2" <<'EOF'
import json, sys, urllib.request
url, tok, kind = sys.argv[1:4]
ids, after, n = [], None, 0
while True:
    u = "%s/api/%s?limit=2%s" % (url, kind, "&after=" + after if after else "")
    j = json.load(urllib.request.urlopen(urllib.request.Request(
        u, headers={"Authorization": "Bearer " + tok})))
    n += 1
    assert j["count"] == len(j["items"]) and j["kind"] == kind
    ids += [str(r["id"]) for r in j["items"]]
    after = j["next"]
    if after is None:
        break
print(" ".join(ids), n)
EOF
}

# ---- reads: every kind, page by page, against the tables ----
for kt in missions:mission organisations:organisation needs:need incidents:incident \
	indicators:indicator benchmarks:benchmark observations:observation lessons:lesson \
	feedback:feedback; do
	kind=${kt%%:*} table=${kt#*:}
	want=$(q "SELECT group_concat(id, ' ') FROM (SELECT id FROM $table ORDER BY id) AS sub")
	n=$(q "SELECT count(*) FROM $table")
	got=$(pages "$T_unicef" "$kind")
	is "$got" "$want $(((n + 1) / 2 > 0 ? (n + 1) / 2 : 1))" "GET /api/$kind: every record of the table, in id order, 2 a page"
done
is "$(q "SELECT count(*) > 1 FROM need") $(q "SELECT count(*) > 1 FROM incident") $(q "SELECT count(*) > 1 FROM feedback")" \
	"1 1 1" "... the lists above were not trivially short"
IND=$(q "SELECT id FROM indicator WHERE code = 'POL-TRAINED'")
req i1 "$T_isaf" "$URL/api/indicators/$IND"
is "$STATUS" 200 "GET /api/indicators/{id}"
is "$(js i1 '[j["code"], j["name"], j["unit"], j["higher_is_better"], j["releasability"], len(j["version"])]')" \
	"$(q "SELECT '[''' || code || ''', ''' || name || ''', ''' || unit || ''', True, ''public'', 32]' FROM indicator WHERE id = $IND")" \
	"... its fields as stored, public, with a version"
OB=$(q "SELECT min(o.id) FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.code <> 'POL-TRAINED'")
req o1 "$T_isaf" "$URL/api/observations/$OB"
# the stored row (the date as days since 1970-01-01, the value a REAL), turned into the API's
# fields here
is "$(js o1 '"%s|%s|%s|%g" % (j["indicator"], j["area"] or "", j["period_end"], j["value"])')" \
	"$(q "SELECT i.code, coalesce(a.pcode, ''), o.period_end, o.value FROM observation o JOIN indicator i ON i.id = o.indicator_id LEFT JOIN area a ON a.id = o.area_id WHERE o.id = $OB" |
		python3 -c 'import datetime, sys; c, a, d, v = sys.stdin.read().strip().split("|"); print("%s|%s|%s|%g" % (c, a, datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d)), float(v)))')" \
	"GET /api/observations/{id}: indicator code, P-code, date as text, value"
FB=$(q "SELECT min(id) FROM feedback")
req f1 "$T_isaf" "$URL/api/feedback/$FB"
GIVER=$(q "SELECT min(id) FROM feedback WHERE giver IS NOT NULL")
req f2 "$T_isaf" "$URL/api/feedback/$GIVER"
is "$STATUS $(js f2 '"giver" in j or "personal" in j or "name" in j or "phone" in j')" \
	"200 False" "feedback is read without its giver's personal data (which the store holds)"
req bad1 "$T_isaf" "$URL/api/needs?limit=0"
is "$STATUS $(js bad1 'j["error"]["field"]')" "400 limit" "limit=0: 400 naming limit"
req bad2 "$T_isaf" "$URL/api/needs?after=x"
is "$STATUS $(js bad2 'j["error"]["field"]')" "400 after" "after=x: 400 naming after"
req bad3 "$T_isaf" "$URL/api/needs?area=AF01"
is "$STATUS $(js bad3 'j["error"]["field"]')" "400 area" "an argument the list does not take: 400 naming it"
req nf1 "$T_isaf" "$URL/api/needs/abc"
req nf2 "$T_isaf" "$URL/api/needs/999999"
is "$STATUS $(sed 's/abc/N/' nf1.body)" "404 $(sed 's/999999/N/' nf2.body)" "a malformed and a missing id answer alike: 404"

# ---- organisations: create and change, with the importers' checks ----
new='{"key": "local:HALO", "name": "The HALO Trust", "kind": "ngo", "type": "21", "local": false, "nation": "GBR"}'
req c1 "$T_aada" -X POST -d "$new" "$URL/api/organisations"
is "$STATUS" 403 "an editor may not add organisations"
req c2 "$T_unicef" -X POST -d "$new" "$URL/api/organisations"
is "$STATUS" 201 "a coordinator adds one: 201"
HALO=$(js c2 'j["id"]')
like "$(tr -d '\r' <c2.head)" "Location: /api/organisations/$HALO" "... with a Location header naming the new record"
is "$(q "SELECT key || '|' || name || '|' || kind || '|' || type || '|' || is_local || '|' || nation FROM organisation WHERE id = $HALO")" \
	"local:HALO|The HALO Trust|ngo|21|0|GBR" "... stored as sent"
is "$(q "SELECT who || ' ' || op || ' ' || record_id FROM change WHERE tbl = 'organisation' ORDER BY id DESC LIMIT 1")" \
	"api:unicef insert $HALO" "... an entry of the audit log by the API user"
run "$CONCORD" --as HALO coverage --json
is "$RC" 0 "... an organisation the CLI knows at once (--as HALO)"
req c3 "$T_unicef" -X POST -d "$new" "$URL/api/organisations"
is "$STATUS $(js c3 'j["error"]["field"]')" "409 key" "the same key again: 409 naming key"
for bad in 'kind:"alien"' 'type:"999"' 'nation:"gb"' 'local:"yes"' 'colour:"red"'; do
	f=${bad%%:*}
	req c4 "$T_unicef" -X POST -d "{\"key\": \"local:X\", \"name\": \"X\", \"$f\": ${bad#*:}}" "$URL/api/organisations"
	is "$STATUS $(js c4 'j["error"]["field"]')" "400 $f" "a bad $f: 400 naming the field"
done
req c5 "$T_unicef" -X POST -d '{"key": "local:Y"}' "$URL/api/organisations"
is "$STATUS $(js c5 'j["error"]["field"]')" "400 name" "no name: 400 naming name"
is "$(q "SELECT count(*) FROM organisation WHERE key IN ('local:X', 'local:Y')")" 0 "... and nothing of the refused ones stored"

AADA=$(q "SELECT id FROM organisation WHERE key = 'local:AADA'")
req g1 "$T_aada" "$URL/api/organisations/$AADA"
V=$(js g1 'j["version"]')
upd='{"key": "local:AADA", "name": "Afghanaid (AADA)", "kind": "ngo"}'
req u1 "$T_aada" -X PUT -d "$upd" "$URL/api/organisations/$AADA"
is "$STATUS $(js u1 'j["error"]["field"]')" "400 If-Match" "PUT without If-Match: 400"
req u2 "$T_isaf" -X PUT -H "If-Match: \"$V\"" -d "$upd" "$URL/api/organisations/$AADA"
is "$STATUS" 403 "a viewer may not change an organisation"
req u3 "$T_aada" -X PUT -H "If-Match: \"$V\"" -d "$upd" "$URL/api/organisations/$AADA"
is "$STATUS $(js u3 'j["name"]')" "200 Afghanaid (AADA)" "its own editor renames it with the version read"
is "$(q "SELECT name FROM organisation WHERE id = $AADA")" "Afghanaid (AADA)" "... stored"
req u4 "$T_aada" -X PUT -H "If-Match: \"$V\"" -d "$upd" "$URL/api/organisations/$AADA"
is "$STATUS" 412 "the same version again: 412, no lost update"
req u5 "$T_aada" -X PUT -H "If-Match: *" -d '{"key": "local:OTHER", "name": "x"}' "$URL/api/organisations/$AADA"
is "$STATUS $(js u5 'j["error"]["field"]')" "400 key" "the key never changes: 400 naming key"
req u6 "$T_aada" -X PUT -H "If-Match: *" -d "$upd" "$URL/api/organisations/$HALO"
is "$STATUS" 403 "an editor may not change another organisation"

# ---- markings on indicators, observations, feedback ----
req m1 "$T_aada" -X PUT -H "If-Match: *" -d '{"releasability": "org", "owner": "AADA"}' "$URL/api/indicators/$IND/marking"
is "$STATUS" 403 "an editor may not mark a record of the coordination cell"
req i2 "$T_unicef" "$URL/api/indicators/$IND"
VI=$(js i2 'j["version"]')
req m2 "$T_unicef" -X PUT -H "If-Match: \"$VI\"" -d '{"releasability": "orange"}' "$URL/api/indicators/$IND/marking"
is "$STATUS $(js m2 'j["error"]["field"]')" "400 releasability" "a bad releasability: 400 naming it"
req m3 "$T_unicef" -X PUT -H "If-Match: \"$VI\"" -d '{"releasability": "org", "owner": "AADA"}' "$URL/api/indicators/$IND/marking"
is "$STATUS $(js m3 'j')" "200 {'id': $IND, 'releasability': 'org', 'visible': False}" \
	"a coordinator hands the indicator to AADA, owner-only, and is told it left its sight"
is "$(q "SELECT releasability || ' ' || owner_id FROM indicator WHERE id = $IND")" "org $AADA" "... stored"
is "$(q "SELECT who || ' ' || op FROM change WHERE tbl = 'indicator' AND record_id = $IND ORDER BY id DESC LIMIT 1")" \
	"api:unicef update" "... in the audit log"
req h1 "$T_isaf" "$URL/api/indicators/$IND"
req h2 "$T_isaf" "$URL/api/indicators/999999"
is "$STATUS $(sed "s/\\b$IND\\b/N/" h1.body)" "404 $(sed 's/999999/N/' h2.body)" \
	"an indicator the caller may not see answers exactly like a missing one"
req h3 "$T_aada" "$URL/api/indicators/$IND"
is "$STATUS $(js h3 'j["owner"]')" "200 local:AADA" "its owner reads it"
req bm "$T_isaf" "$URL/api/benchmarks?limit=1000"
is "$(js bm 'sum(1 for b in j["items"] if b["indicator"] == "POL-TRAINED")')" 0 "its benchmarks go out of sight with it"
ind_codes() { "$CONCORD" --as "$1" progress --json 2>/dev/null | grep -c '"POL-TRAINED"'; }
is "$(ind_codes ISAF-PRT) $(ind_codes AADA)" "0 1" "concord --as: progress leaves it out for the PRT, keeps it for AADA"
req m4 "$T_aada" "$URL/api/observations/$OB"
VO=$(js m4 'j["version"]')
req m5 "$T_aada" -X PUT -H "If-Match: \"$VO\"" -d '{"releasability": "partners", "deny": ["military"]}' "$URL/api/observations/$OB/marking"
is "$STATUS" 403 "an editor may not mark an observation of the coordination cell"
req m6 "$T_unicef" -X PUT -H "If-Match: \"$VO\"" -d '{"releasability": "partners", "deny": ["military"]}' "$URL/api/observations/$OB/marking"
is "$STATUS $(js m6 'j["releasability"], j["deny"]')" "200 partners 1" "a coordinator marks an observation partners, denied to military readers"
req m7 "$T_isaf" "$URL/api/observations/$OB"
is "$STATUS" 404 "... the PRT no longer sees it"
req m8 "$T_unicef" -X PUT -H "If-Match: *" -d '{"releasability": "partners", "deny": ["tanks"]}' "$URL/api/feedback/$FB/marking"
is "$STATUS $(js m8 'j["error"]["field"]')" "400 deny" "an unknown kind in deny: 400 naming deny"
req m9 "$T_unicef" -X PUT -H "If-Match: *" -d '{"releasability": "org", "owner": "UNICEF"}' "$URL/api/feedback/$FB/marking"
is "$STATUS" 200 "feedback marked owner-only for UNICEF"
fb_ids() { "$CONCORD" --as "$1" feedback list --json 2>/dev/null | python3 -c 'import json, sys; print(" ".join(str(f["id"]) for f in json.load(sys.stdin)))'; }
is "$(fb_ids ISAF-PRT | grep -cw "$FB") $(fb_ids UNICEF | grep -cw "$FB")" \
	"0 1" "concord --as: feedback list leaves it out for the PRT, keeps it for UNICEF"
req m10 "$T_unicef" -X PUT -H "If-Match: *" -d '{"releasability": "org"}' "$URL/api/benchmarks/1/marking"
is "$STATUS" 404 "benchmarks carry no marking of their own (no such route)"

# ---- lessons: written one at a time, checked as the register's importer checks them ----
les='{"title": "Wells dug without the water board fail", "observation": "Three of five wells MRKwell dug in 2021 were dry by 2022.", "pillars": ["infrastructure"], "areas": ["AF01"], "tags": ["Water"], "date": "2022-03-01", "evidence": ["area:AF01"]}'
req l1 "$T_isaf" -X POST -d "$les" "$URL/api/lessons"
is "$STATUS" 403 "a viewer may not write a lesson"
req l2 "$T_aada" -X POST -d "$les" "$URL/api/lessons"
is "$STATUS" 201 "an editor adds a lesson: 201"
LNEW=$(js l2 'j["id"]')
is "$(js l2 '[j["owner"], j["status"], j["pillars"], j["tags"], j["date"], j["key"] != ""]')" \
	"['local:AADA', 'observed', 'infrastructure', 'water', '2022-03-01', True]" \
	"... held by the editor's organisation, observed, lists normalised, with a new key"
is "$(q "SELECT l.title || '|' || k.kind || ':' || k.ref FROM lesson l JOIN lesson_link k ON k.lesson_id = l.id WHERE l.id = $LNEW")" \
	"Wells dug without the water board fail|area:AF01" "... stored with its evidence"
run "$CONCORD" lesson search mrkwell
like "$OUT" "$(js l2 'j["key"]')" "... and found by the register's search"
is "$(q "SELECT who || ' ' || op FROM change WHERE tbl = 'lesson' AND record_id = $LNEW")" "api:aada insert" "... an entry of the audit log"
for bad in 'observation:null' 'pillars:["weather"]' 'status:"forgotten"' 'evidence:["rumour:x"]' 'date:"yesterday"' 'colour:"red"'; do
	f=${bad%%:*}
	body=$(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); k, v = sys.argv[2].split(":", 1); d[k] = json.loads(v); print(json.dumps(d))' "$les" "$bad")
	req l3 "$T_aada" -X POST -d "$body" "$URL/api/lessons"
	is "$STATUS $(js l3 'j["error"]["field"]')" "400 $f" "a lesson with a bad $f: 400 naming it"
done
req l4 "$T_aada" "$URL/api/lessons/$LNEW"
VL=$(js l4 'j["version"]')
upd=$(python3 -c 'import json, sys; d = json.load(open("l4.body")); d["status"] = "analysed"; d["conclusion"] = "Ask the water board first."; print(json.dumps(d))')
req l5 "$T_isaf" -X PUT -H "If-Match: \"$VL\"" -d "$upd" "$URL/api/lessons/$LNEW"
is "$STATUS" 403 "a viewer may not change a lesson"
req l6 "$T_aada" -X PUT -H "If-Match: \"$VL\"" -d "$upd" "$URL/api/lessons/$LNEW"
is "$STATUS $(js l6 'j["status"], j["conclusion"]')" "200 analysed Ask the water board first." \
	"the owner's editor puts back what it read, analysed and concluded"
is "$(q "SELECT count(*) FROM lesson_link WHERE lesson_id = $LNEW")" 1 "... the evidence kept when the body names none"
req l7 "$T_aada" -X PUT -H "If-Match: \"$VL\"" -d "$upd" "$URL/api/lessons/$LNEW"
is "$STATUS" 412 "the old version again: 412"
back=$(python3 -c 'import json; d = json.load(open("l6.body")); d["status"] = "observed"; print(json.dumps(d))')
req l8 "$T_aada" -X PUT -H "If-Match: *" -d "$back" "$URL/api/lessons/$LNEW"
is "$STATUS $(js l8 'j["error"]["field"]')" "400 status" "a status move the register forbids: 400 naming status"
rel=$(python3 -c 'import json; d = json.load(open("l6.body")); d["releasability"] = "org"; print(json.dumps(d))')
req l9 "$T_aada" -X PUT -H "If-Match: *" -d "$rel" "$URL/api/lessons/$LNEW"
is "$STATUS $(js l9 'j["error"]["field"]')" "400 releasability" "the marking is not changed by a PUT of the lesson"

# ---- removals ----
NEED=$(q "SELECT min(id) FROM need")
req d1 "$T_isaf" -X DELETE "$URL/api/needs/$NEED"
is "$STATUS" 403 "a viewer may not remove a record"
req d2 "$T_aada" -X DELETE "$URL/api/needs/$NEED"
is "$STATUS" 403 "an editor may not remove a record of the coordination cell"
"$CONCORD" mark need "$NEED" --owner AADA --releasability partners >/dev/null
n0=$(q "SELECT count(*) FROM need")
req d3 "$T_aada" -X DELETE -H 'If-Match: "0000"' "$URL/api/needs/$NEED"
is "$STATUS" 412 "a removal naming a stale version: 412"
req d4 "$T_aada" -X DELETE "$URL/api/needs/$NEED"
is "$STATUS $(js d4 'j["deleted"]')" "200 True" "its owner's editor removes it"
is "$(q "SELECT count(*) FROM need") $(q "SELECT count(*) FROM need WHERE id = $NEED")" "$((n0 - 1)) 0" "... one row fewer, that one"
is "$(q "SELECT who || ' ' || op || ' ' || tbl || ' ' || record_id || ' ' || releasability FROM change ORDER BY id DESC LIMIT 1")" \
	"api:aada delete need $NEED partners" "... the removal in the audit log, by the API user, with the record's marking"
req d5 "$T_aada" -X DELETE "$URL/api/needs/$NEED"
is "$STATUS" 404 "removing it again: 404"
NEED3=$(q "SELECT max(id) FROM need")
"$CONCORD" mark need "$NEED3" --share ISAF-PRT >/dev/null
req d10 "$T_unicef" -X DELETE "$URL/api/needs/$NEED3"
is "$STATUS $(q "SELECT count(*) FROM share WHERE tbl = 'need' AND record_id = $NEED3")" "200 0" \
	"a removed record's named shares go with it (a later record of its id inherits none)"
n_bm=$(q "SELECT count(*) FROM benchmark WHERE indicator_id = $IND")
n_ob=$(q "SELECT count(*) FROM observation WHERE indicator_id = $IND")
is "$((n_bm > 0)) $((n_ob > 0))" "1 1" "the indicator has benchmarks and observations"
req d6 "$T_isaf" -X DELETE "$URL/api/indicators/$IND"
is "$STATUS" 403 "a viewer cannot remove it (nor learn more of it)"
req d7 "$T_aada" -X DELETE "$URL/api/indicators/$IND"
is "$STATUS" 200 "its owner's editor removes the indicator"
is "$(q "SELECT count(*) FROM indicator WHERE id = $IND") $(q "SELECT count(*) FROM benchmark WHERE indicator_id = $IND") $(q "SELECT count(*) FROM observation WHERE indicator_id = $IND")" \
	"0 0 0" "... with its benchmarks and observations"
LES=$(q "SELECT id FROM lesson ORDER BY id LIMIT 1")
LKEY=$(q "SELECT key FROM lesson WHERE id = $LES")
LTITLE=$(q "SELECT title FROM lesson WHERE id = $LES")
# the keys the search finds for the lesson's title (any lesson sharing its words included)
found_keys() {
	"$CONCORD" lesson search --json --limit 100000 "$LTITLE" 2>&1 |
		python3 -c 'import json, sys; print("keys:", " ".join(sorted(h["key"] for h in json.load(sys.stdin)["hits"])))' 2>&1
}
like " $(found_keys) " " $LKEY " "the search finds the lesson $LKEY by its title"
req d8 "$T_unicef" -X DELETE "$URL/api/lessons/$LES"
is "$STATUS" 200 "a coordinator removes a lesson"
is "$(q "SELECT count(*) FROM lesson_link WHERE lesson_id = $LES") $(case "$(found_keys) " in *" $LKEY "*) echo found ;; "keys: "*) echo gone ;; *) found_keys ;; esac)" \
	"0 gone" "... with its evidence links and its search entry"
skip_on_postgres "... and its row of SQLite's lesson_fts" "PostgreSQL has no such table (the search builds it from the lessons)" ||
	is "$(q "SELECT count(*) FROM lesson_fts WHERE rowid = $LES")" 0 "... and its row of SQLite's lesson_fts"
req d9 "$T_unicef" -X DELETE "$URL/api/organisations/$HALO"
is "$STATUS" 405 "organisations are never removed (no such method)"
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies after all the writes"

kill "$PID"
wait "$PID" 2>/dev/null
done_testing
