#!/bin/sh
# Single-record writes over HTTP: activities (a 3W row), observations, feedback, indicators,
# benchmarks and needs created with POST and edited with PUT (If-Match). Each created record is read back by GET and by the CLI
# with the values sent; every bad value answers 400 naming the field, and the importer refuses
# the same value in a file (the write and the import share one row check); a refused write
# stores nothing; editors edit only their organisation's records (403), a record the caller may
# not see answers like a missing one (404); a stale version is 412; every write is in the audit
# log with the API user as actor and in the feed of those who may see it.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1 ||
	! command -v python3 >/dev/null 2>&1; then
	skip "write API" "curl, sqlite3 or python3 is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add WFP --kind un >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" >/dev/null
"$CONCORD" import observations "$TDATA/indicators/observations.csv" >/dev/null
for u in aada:AADA:editor wfp:WFP:editor isaf:ISAF-PRT:editor isafv:ISAF-PRT:viewer \
	unicef:UNICEF:coordinator; do
	"$CONCORD" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}" >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_wfp=$(tok wfp); T_isaf=$(tok isaf); T_isafv=$(tok isafv); T_unicef=$(tok unicef)
q() { sqlite3 concord.db "$1"; }
# what a write may change: records, organisations and their names, sources, the change log
dbsum() {
	sqlite3 concord.db "SELECT * FROM activity; SELECT * FROM organisation; SELECT * FROM org_alias;
		SELECT * FROM source; SELECT * FROM observation; SELECT * FROM feedback;
		SELECT * FROM submission; SELECT id, who, tbl, op, record_id FROM change" | sha256sum
}
cp concord.db base.db

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: the body in NAME.body, the status in STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
js() { # js NAME EXPRESSION: EXPRESSION over the JSON body j of NAME.body
	python3 -c "import json; j = json.load(open('$1.body')); print($2)"
}
post() { # post NAME TOKEN KIND JSON
	req "$1" "$2" -X POST -H 'Content-Type: application/json' --data-binary "$4" "$URL/api/$3"
}
put() { # put NAME TOKEN KIND/ID VERSION JSON
	req "$1" "$2" -X PUT -H 'Content-Type: application/json' -H "If-Match: \"$4\"" \
		--data-binary "$5" "$URL/api/$3"
}
version() { # version TOKEN KIND/ID
	curl -s -H "Authorization: Bearer $1" "$URL/api/$2" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])'
}
# with() JSON FIELD VALUE: JSON with FIELD set to VALUE (text)
with() {
	python3 -c 'import json, sys; j = json.loads(sys.argv[1]); j[sys.argv[2]] = sys.argv[3]; print(json.dumps(j))' "$1" "$2" "$3"
}

# ---- activities ----
ACT='{"sector": "WASH", "area": "AF0101", "title": "Water trucking", "description": "Two trucks a day",
 "start": "2021-07-01", "end": "2021-09-30", "status": "2", "targeted": 6000, "reached": "1200",
 "budget": 50000, "currency": "USD", "lat": 34.5, "lon": 69.2, "releasability": "partners",
 "deny": ["military"]}'
HEAD0=$(q "SELECT max(id) FROM change")
post a1 "$T_aada" activities "$ACT"
is "$STATUS" 201 "POST /api/activities: 201"
A1=$(js a1 'j["id"]')
like "$(tr -d '\r' <a1.head)" "^Location: /api/activities/$A1\$" "... Location names the new activity"
is "$(js a1 '"|".join(str(x) for x in [j["title"], j["description"], j["organisation"]["name"], j["sector"]["code"], j["area"]["pcode"], j["start"], j["end"], j["status"], j["targeted"], j["reached"], j["budget"], j["currency"], j["site"]["lat"], j["site"]["lon"], j["releasability"], j["owner"], j["source"]])')" \
	"Water trucking|Two trucks a day|AADA|WSH|AF0101|2021-07-01|2021-09-30|2|6000.0|1200.0|50000.0|USD|34.5|69.2|partners|local:AADA|api" \
	"... the answer holds the values sent (organisation and owner: the caller's)"
req a1g "$T_wfp" "$URL/api/activities/$A1"
is "$STATUS $(js a1g 'j["title"], j["reached"], j["area"]["pcode"]')" "200 Water trucking 1200.0 AF0101" \
	"GET /api/activities/{id} by a partner reads it back"
is "$(q "SELECT a.title, o.key, ar.pcode, a.start_date, a.end_date, a.targeted, a.reached, a.budget, a.currency, a.status, a.releasability, ow.key FROM activity a JOIN organisation o ON o.id = a.org_id JOIN area ar ON ar.id = a.area_id JOIN organisation ow ON ow.id = a.owner_id WHERE a.id = $A1")" \
	"Water trucking|local:AADA|AF0101|$(python3 -c 'import datetime; print((datetime.date(2021,7,1)-datetime.date(1970,1,1)).days)')|$(python3 -c 'import datetime; print((datetime.date(2021,9,30)-datetime.date(1970,1,1)).days)')|6000.0|1200.0|50000.0|USD|2|partners|local:AADA" \
	"... stored as sent (dates as days since 1970)"
run "$CONCORD" export 3w -o act.csv
like "$(cat act.csv)" "Water trucking" "concord export 3w holds the new activity"
run "$CONCORD" coverage --json
is "$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print([(r["pcode"], c["column"], c["activities"], c["targeted"], c["reached"])
       for r in j["rows"] for c in r["cells"] if c["activities"]])')" \
	"[('AF01', 'infrastructure', 1, 6000, 1200)]" "concord coverage counts it in AF01 (WASH: infrastructure) with its figures"
is "$(q "SELECT who || ' ' || tbl || ' ' || op || ' ' || record_id || ' ' || releasability FROM change WHERE id > $HEAD0 ORDER BY id")" \
	"api:aada activity insert $A1 partners" "the audit log: one insert by api:aada with the record's marking"
run "$CONCORD" audit verify
is "$RC" 0 "... and the chain verifies"
req feed1 "$T_wfp" "$URL/api/feed?after=$HEAD0"
is "$(js feed1 '[(e["who"], e["table"], e["op"], e["record"]) for e in j["entries"]]')" \
	"[('api:aada', 'activity', 'insert', $A1)]" "GET /api/feed: a partner sees the insert"
req feed2 "$T_isafv" "$URL/api/feed?after=$HEAD0"
is "$(js feed2 'len(j["entries"])')" 0 "... a military organisation does not (the record denies military organisations)"

# the same activity again: a conflict, nothing stored
S0=$(dbsum)
post a2 "$T_aada" activities "$ACT"
is "$STATUS $(js a2 'j["error"]["code"]')" "409 EEXIST" "the same activity again: 409"
is "$(dbsum)" "$S0" "... nothing stored"

# every bad value: 400 naming the field; the importer refuses the value too
H3='#org+name,#sector,#adm2+code,#activity,#activity+description,#date+start,#date+end,#status,#targeted,#reached,#value+budget,#currency,#geo+lat,#geo+lon,#meta+kind'
R3='AADA,WASH,AF0101,Water trucking,Two trucks a day,2021-07-01,2021-09-30,2,6000,1200,50000,USD,34.5,69.2,activity'
col3() { # the column of a JSON field in H3
	case $1 in
	organisation) echo 1 ;; sector) echo 2 ;; area) echo 3 ;; title) echo 4 ;; description) echo 5 ;;
	start) echo 6 ;; end) echo 7 ;; status) echo 8 ;; targeted) echo 9 ;; reached) echo 10 ;;
	budget) echo 11 ;; currency) echo 12 ;; lat) echo 13 ;; lon) echo 14 ;; kind) echo 15 ;;
	esac
}
set_col() { # set_col ROW N VALUE
	printf '%s\n' "$1" | awk -F, -v OFS=, -v n="$2" -v v="$3" '{ $n = v; print }'
}
# bad KIND FIELD VALUE BODY HEADER ROW COLUMN IMPORT...: the write and the import of the value
bad() {
	kind=$1 field=$2 value=$3 body=$4 header=$5 row=$6 col=$7
	shift 7
	post bad "$T_aada" "$kind" "$(with "$body" "$field" "$value")"
	is "$STATUS $(js bad 'j["error"]["field"]')" "400 $field" "POST /api/$kind $field '$value': 400 naming $field"
	tag=$(printf '%s\n' "$header" | cut -d, -f"$col")
	printf '%s\n%s\n' "$header" "$(set_col "$row" "$col" "$value")" >bad.csv
	cp "${BASE_DB:-base.db}" imp.db
	CONCORD_DB="$WORK/imp.db" run "$@" bad.csv
	like "$ERR" "bad.csv:2: $tag: " "... the $kind importer refuses it too, naming $tag"
}
S0=$(dbsum)
for fv in targeted:many targeted:-5 reached:many budget:many start:2021-02-30 end:2021-02-30 \
	end:2021-06-01 lat:134.5 lon:200 sector:NOPE area:XX99 status:nope kind:nope; do
	f=${fv%%:*} v=${fv#*:}
	bad activities "$f" "$v" "$ACT" "$H3" "$R3" "$(col3 "$f")" "$CONCORD" import 3w
done
post bad "$T_aada" activities "$(with "$ACT" currency dollars)"
is "$STATUS $(js bad 'j["error"]["field"]')" "400 currency" "currency 'dollars': 400 naming currency"
post bad "$T_aada" activities '{"sector": "WASH", "area": "AF0101", "colour": "red"}'
is "$STATUS $(js bad 'j["error"]["field"]')" "400 colour" "a member that is no field: 400 naming it"
post bad "$T_aada" activities '{"sector": "WASH", "area": "AF0101", "targeted": true}'
is "$STATUS $(js bad 'j["error"]["field"]')" "400 targeted" "true for a number: 400 naming it"
post bad "$T_aada" activities '{"sector": "WASH"}'
is "$STATUS $(js bad 'j["error"]["field"]')" "400 area" "no area: 400 naming area"
post bad "$T_aada" activities "$(with "$ACT" releasability secret)"
is "$STATUS $(js bad 'j["error"]["field"]')" "400 releasability" "releasability 'secret': 400"
post bad "$T_aada" activities "$(with "$ACT" organisation 'Brand New NGO')"
is "$STATUS" 201 "an organisation the mission does not know is added, as the importer adds it"
B1=$(js bad 'j["id"]')
req del "$T_aada" -X DELETE "$URL/api/activities/$B1"
S0=$(dbsum)
post bad "$T_isafv" activities "$(with "$ACT" title 'By a viewer')"
is "$STATUS" 403 "a viewer may not create: 403"
post bad "$T_aada" activities "$(with "$(with "$ACT" title 'Owned by WFP')" owner WFP)"
is "$STATUS $(js bad 'j["error"]["field"]')" "403 owner" "an editor may not give another organisation the record: 403"
python3 -c 'import json, sys; j = json.loads(sys.argv[1]); j["title"] = "x" * 2000000; print(json.dumps(j))' "$ACT" >long.json
req bad "$T_aada" -X POST -H 'Content-Type: application/json' --data-binary @long.json "$URL/api/activities"
is "$(printf '%s' "$STATUS" | cut -c1)" 4 "a field over the limits is refused ($STATUS)"
is "$(dbsum)" "$S0" "no refused write stored anything (records, organisations, sources, audit log)"

# a coordinator names another owner
post a3 "$T_unicef" activities "$(with "$(with "$ACT" title 'Food distribution')" owner AADA)"
is "$STATUS $(js a3 'j["owner"], j["organisation"]["name"]')" "201 local:AADA UNICEF" \
	"a coordinator may make another organisation the owner"
A3=$(js a3 'j["id"]')

# ---- editing an activity ----
V1=$(version "$T_aada" "activities/$A1")
S0=$(dbsum)
put p0 "$T_aada" "activities/$A1" "0123456789abcdef0123456789abcdef" '{"reached": 3000}'
is "$STATUS $(js p0 'j["error"]["code"]')" "412 ECHANGED" "PUT with a stale version: 412"
req p0 "$T_aada" -X PUT -d '{"reached": 3000}' "$URL/api/activities/$A1"
is "$STATUS $(js p0 'j["error"]["field"]')" "400 If-Match" "PUT without If-Match: 400"
put p1 "$T_wfp" "activities/$A1" "$V1" '{"reached": 3000}'
is "$STATUS" 403 "an editor of another organisation that sees it: 403"
put p1 "$T_isaf" "activities/$A1" "$V1" '{"reached": 3000}'
is "$STATUS $(js p1 'j["error"]["message"].replace("'"$A1"'", "N")')" \
	"404 no activity 'N'" "one that may not see it: 404 ..."
put p2 "$T_isaf" "activities/999999" "$V1" '{"reached": 3000}'
is "$STATUS $(js p2 'j["error"]["message"].replace("999999", "N")')" \
	"404 no activity 'N'" "... exactly like a missing one"
put p3 "$T_aada" "activities/$A1" "$V1" '{"reached": "lots"}'
is "$STATUS $(js p3 'j["error"]["field"]')" "400 reached" "PUT with a bad value: 400 naming it"
is "$(dbsum)" "$S0" "... no refused edit stored anything"
HEAD1=$(q "SELECT max(id) FROM change")
put p4 "$T_aada" "activities/$A1" "$V1" '{"reached": 3000, "title": "Water trucking (phase 1)", "start": "2021-07-15"}'
is "$STATUS $(js p4 'j["id"], j["title"], j["reached"], j["start"], j["targeted"], j["area"]["pcode"]')" \
	"200 $A1 Water trucking (phase 1) 3000.0 2021-07-15 6000.0 AF0101" \
	"PUT: the record keeps its id; the fields sent change, the others stay"
is "$(q "SELECT title, reached FROM activity WHERE id = $A1")" "Water trucking (phase 1)|3000.0" "... stored"
put p5 "$T_aada" "activities/$A1" "$V1" '{"reached": 3500}'
is "$STATUS" 412 "... and the version read before it is stale now"
is "$(q "SELECT who || ' ' || tbl || ' ' || op || ' ' || record_id FROM change WHERE id > $HEAD1 ORDER BY id")" \
	"api:aada activity update $A1" "the audit log: one update by api:aada"
V3=$(version "$T_unicef" "activities/$A3")
put p6 "$T_unicef" "activities/$A3" "$V3" '{"releasability": "org", "targeted": 10}'
is "$STATUS $(js p6 'j["releasability"], j["visible"]')" "200 org False" \
	"a coordinator edits any record and its marking with it (out of its own sight: visible false)"
is "$(q "SELECT targeted, releasability FROM activity WHERE id = $A3")" "10.0|org" "... stored"
req p7 "$T_wfp" "$URL/api/activities/$A3"
is "$STATUS" 404 "... the marking holds: another organisation no longer sees it"
post a4 "$T_aada" activities "$(with "$ACT" title 'Water trucking (phase 1)')"
V4=$(version "$T_aada" "activities/$(js a4 'j["id"]')")
put p8 "$T_aada" "activities/$(js a4 'j["id"]')" "$V4" '{"start": "2021-07-15"}'
is "$STATUS $(js p8 'j["error"]["code"]')" "409 EEXIST" "an edit onto another record's natural key: 409"

# an edit writes every field: figures the editor may not read cannot be kept (403); a site it
# may not read stays as stored
printf '%s\n%s\n' "$H3" "AADA,WASH,AF0101,Hidden figures,,2021-07-01,2021-09-30,2,100,50,,,34.5,69.2,activity" >hidden-fig.csv
printf '%s\n%s\n' "$H3" "AADA,WASH,AF0101,Hidden site,,2021-07-01,2021-09-30,2,100,50,,,34.5,69.2,activity" >hidden-geo.csv
"$CONCORD" import 3w hidden-fig.csv --owner AADA --releasability partners --figures-releasability org >/dev/null
"$CONCORD" import 3w hidden-geo.csv --owner AADA --releasability partners --geo-releasability org >/dev/null
HID=$(q "SELECT id FROM activity WHERE title = 'Hidden figures'")
put ph "$T_unicef" "activities/$HID" "$(version "$T_unicef" "activities/$HID")" '{"title": "Renamed"}'
is "$STATUS $(js ph 'j["error"]["message"]')" "403 the figures of this activity are hidden from you" \
	"a coordinator who may not read its figures may not edit it: 403"
HID=$(q "SELECT id FROM activity WHERE title = 'Hidden site'")
req ph "$T_unicef" "$URL/api/activities/$HID"
is "$(js ph 'j["site"]')" "None" "a coordinator does not see the exact site of another record ..."
put ph "$T_unicef" "activities/$HID" "$(version "$T_unicef" "activities/$HID")" '{"description": "checked by UNICEF"}'
is "$STATUS $(q "SELECT description || ' ' || lat || ' ' || lon FROM activity WHERE id = $HID")" \
	"200 checked by UNICEF 34.5 69.2" "... edits it, and the site it may not read stays as stored"

# ---- observations ----
OBS='{"indicator": "POL-TRAINED", "area": "AF01", "period_start": "2025-07-01", "period_end": "2025-09-30",
 "value": 1140, "source": "MoI training directorate", "confidence": "medium"}'
HEAD2=$(q "SELECT max(id) FROM change")
post o1 "$T_aada" observations "$OBS"
is "$STATUS" 201 "POST /api/observations: 201"
O1=$(js o1 'j["id"]')
req o1g "$T_wfp" "$URL/api/observations/$O1"
is "$(js o1g '"|".join(str(x) for x in [j["indicator"], j["area"], j["period_start"], j["period_end"], j["value"], j["source"], j["confidence"], j["releasability"], j["owner"]])')" \
	"POL-TRAINED|AF01|2025-07-01|2025-09-30|1140.0|MoI training directorate|medium|public|local:AADA" \
	"GET /api/observations/{id}: the values sent, owned by the caller's organisation"
run "$CONCORD" progress --csv --indicator POL-TRAINED
is "$(printf '%s\n' "$OUT" | awk -F, '$1 == "POL-TRAINED" && $2 == "AF01" && $3 == "" { print $8 "|" $9 }')" \
	"2025-09-30|1140" "concord progress --csv: the new value is the latest"
is "$(q "SELECT who || ' ' || tbl || ' ' || op || ' ' || record_id FROM change WHERE id > $HEAD2 ORDER BY id")" \
	"api:aada observation insert $O1" "the audit log: one insert"
HO='indicator,area,sex,age_group,period_start,period_end,value,source,confidence'
RO='POL-TRAINED,AF01,,,2025-07-01,2025-09-30,1140,MoI,medium'
S0=$(dbsum)
for fv in value:many period_end:2021-02-30 period_start:2021-02-30 period_start:2025-10-01 \
	indicator:NOPE area:XX99 sex:x confidence:sure; do
	f=${fv%%:*} v=${fv#*:}
	c=$(printf '%s\n' "$HO" | tr , '\n' | grep -n "^$f\$" | cut -d: -f1)
	bad observations "$f" "$v" "$OBS" "$HO" "$RO" "$c" "$CONCORD" import observations
done
post bad "$T_aada" observations '{"indicator": "LIT-F", "area": "AF03", "period_end": "2025-01-01", "value": 140}'
is "$STATUS $(js bad 'j["error"]["field"]')" "400 value" "a percentage over 100: 400 naming value"
post bad "$T_aada" observations "$OBS"
is "$STATUS" 409 "the same observation again: 409"
is "$(dbsum)" "$S0" "no refused observation stored anything"
VO=$(version "$T_aada" "observations/$O1")
put op1 "$T_aada" "observations/$O1" "$VO" '{"value": 1155, "period_end": "2025-09-29"}'
is "$STATUS $(js op1 'j["id"], j["value"], j["period_end"], j["source"]')" \
	"200 $O1 1155.0 2025-09-29 MoI training directorate" "PUT /api/observations/{id}: edited in place"
put op2 "$T_wfp" "observations/$O1" "$(version "$T_wfp" "observations/$O1")" '{"value": 1}'
is "$STATUS" 403 "... not by another organisation's editor"

# ---- feedback ----
FB='{"date": "2024-01-05", "area": "AF01", "channel": "hotline", "organisation": "AADA",
 "text": "The water point in the camp is broken", "category": "wash", "sentiment": "negative", "releasability": "org"}'
HEAD3=$(q "SELECT max(id) FROM change")
post f1 "$T_aada" feedback "$FB"
is "$STATUS" 201 "POST /api/feedback: 201"
F1=$(js f1 'j["id"]')
is "$(js f1 '"|".join(str(x) for x in [j["date"], j["area"], j["channel"], j["organisation"], j["text"], j["category"], j["sentiment"], j["releasability"], j["owner"]])')" \
	"2024-01-05|AF01|hotline|AADA|The water point in the camp is broken|wash|negative|org|local:AADA" \
	"... the values sent, marked org"
run "$CONCORD" feedback list
like "$OUT" "The water point in the camp is broken" "concord feedback list shows it"
run "$CONCORD" feedback list --as WFP
unlike "$OUT" "water point in the camp" "... but not to another organisation (org)"
req f1w "$T_wfp" "$URL/api/feedback/$F1"
is "$STATUS" 404 "GET by another organisation: 404"
is "$(q "SELECT who || ' ' || tbl || ' ' || op || ' ' || record_id || ' ' || releasability FROM change WHERE id > $HEAD3 ORDER BY id")" \
	"api:aada feedback insert $F1 org" "the audit log: one insert with its marking"
HF='date,area,channel,organisation,text,category,sentiment'
RF='2024-01-05,AF01,hotline,AADA,Broken pump,wash,negative'
S0=$(dbsum)
for fv in date:2021-02-30 date: text: sentiment:angry area:XX99; do
	f=${fv%%:*} v=${fv#*:}
	c=$(printf '%s\n' "$HF" | tr , '\n' | grep -n "^$f\$" | cut -d: -f1)
	bad feedback "$f" "$v" "$FB" "$HF" "$RF" "$c" "$CONCORD" feedback import
done
is "$(dbsum)" "$S0" "no refused feedback stored anything"
VF=$(version "$T_aada" "feedback/$F1")
put fp1 "$T_aada" "feedback/$F1" "$VF" '{"text": "The water point in the camp is repaired", "sentiment": "positive", "releasability": "partners"}'
is "$STATUS $(js fp1 'j["id"], j["text"], j["sentiment"], j["releasability"]')" \
	"200 $F1 The water point in the camp is repaired positive partners" "PUT /api/feedback/{id}: edited in place, marking too"
run "$CONCORD" feedback search repaired
like "$OUT" "repaired" "... the search index follows the edit"
req f1w "$T_wfp" "$URL/api/feedback/$F1"
is "$STATUS" 200 "... and a partner sees it now"

# ---- indicators and benchmarks ----
IND='{"code": "WP-FUNCTIONAL", "name": "Water points functional", "pillar": "infrastructure", "unit": "%",
 "measure": "percentage", "direction": "higher", "aggregation": "mean", "period_days": 90,
 "goal_min": 0, "goal_max": 100, "releasability": "partners"}'
HEAD4=$(q "SELECT max(id) FROM change")
post i1 "$T_aada" indicators "$IND"
is "$STATUS" 201 "POST /api/indicators: 201"
I1=$(js i1 'j["id"]')
req i1g "$T_wfp" "$URL/api/indicators/$I1"
is "$(js i1g '"|".join(str(x) for x in [j["code"], j["name"], j["pillar"], j["unit"], j["measure"], j["higher_is_better"], j["aggregation"], j["period_days"], j["goal_min"], j["goal_max"], j["releasability"], j["owner"]])')" \
	"WP-FUNCTIONAL|Water points functional|infrastructure|%|$(q "SELECT measure FROM indicator WHERE code = 'LIT-F'")|True|mean|90|0.0|100.0|partners|local:AADA" \
	"GET /api/indicators/{id}: the values sent (the measure stored as the importer stores it)"
HI='code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max'
RI='WP-X,Water points,infrastructure,%,percentage,higher,mean,90,0,100'
S0=$(dbsum)
for fv in measure:litres direction:up aggregation:median period_days:0 goal_max:-1 name:; do
	f=${fv%%:*} v=${fv#*:}
	c=$(printf '%s\n' "$HI" | tr , '\n' | grep -n "^$f\$" | cut -d: -f1)
	bad indicators "$f" "$v" "$(with "$IND" code WP-X)" "$HI" "$RI" "$c" "$CONCORD" import indicators
done
post bad "$T_aada" indicators "$IND"
is "$STATUS $(js bad 'j["error"]["field"]')" "409 code" "an indicator code the mission has: 409"
is "$(dbsum)" "$S0" "no refused indicator stored anything"
VI=$(version "$T_aada" "indicators/$I1")
put ip1 "$T_aada" "indicators/$I1" "$VI" '{"code": "WP-OTHER"}'
is "$STATUS $(js ip1 'j["error"]["field"]')" "400 code" "PUT: the code of an indicator does not change"
put ip2 "$T_aada" "indicators/$I1" "$VI" '{"name": "Water points working", "direction": "higher"}'
is "$STATUS $(js ip2 'j["id"], j["name"], j["unit"]')" "200 $I1 Water points working %" "PUT /api/indicators/{id}: edited in place"
put ip3 "$T_wfp" "indicators/$I1" "$(version "$T_wfp" "indicators/$I1")" '{"name": "x"}'
is "$STATUS" 403 "... not by another organisation's editor"

BM='{"indicator": "WP-FUNCTIONAL", "area": "AF01", "kind": "baseline", "date": "2024-01-01", "value": 40}'
post b1 "$T_aada" benchmarks "$BM"
is "$STATUS $(js b1 'j["indicator"], j["area"], j["kind"], j["date"], j["value"]')" \
	"201 WP-FUNCTIONAL AF01 baseline 2024-01-01 40.0" "POST /api/benchmarks: 201 with the values sent"
B1=$(js b1 'j["id"]')
post bad "$T_wfp" benchmarks "$(with "$BM" kind target)"
is "$STATUS" 403 "a benchmark of another organisation's indicator: 403"
HB='indicator,area,sex,age_group,kind,date,value'
RB='WP-FUNCTIONAL,AF01,,,target,2025-12-31,80'
# a snapshot of the store the server is using, through the portable archive
"$CONCORD" backup -o snap.cbk >/dev/null && "$CONCORD" -d snap.db restore snap.cbk >/dev/null
BASE_DB=snap.db
S0=$(dbsum)
for fv in value:many value:140 date:2021-02-30 kind:goal indicator:NOPE sex:x; do
	f=${fv%%:*} v=${fv#*:}
	c=$(printf '%s\n' "$HB" | tr , '\n' | grep -n "^$f\$" | cut -d: -f1)
	bad benchmarks "$f" "$v" "$(with "$BM" kind target)" "$HB" "$RB" "$c" "$CONCORD" import benchmarks
done
is "$(dbsum)" "$S0" "no refused benchmark stored anything"
BASE_DB=
VB=$(version "$T_aada" "benchmarks/$B1")
put bp1 "$T_aada" "benchmarks/$B1" "$VB" '{"value": 45, "date": "2024-02-01"}'
is "$STATUS $(js bp1 'j["id"], j["value"], j["date"]')" "200 $B1 45.0 2024-02-01" "PUT /api/benchmarks/{id}: its value and date"
put bp2 "$T_aada" "benchmarks/$B1" "$(version "$T_aada" "benchmarks/$B1")" '{"area": "AF03"}'
is "$STATUS $(js bp2 'j["error"]["field"]')" "400 area" "... not its series"
run "$CONCORD" progress --csv --indicator WP-FUNCTIONAL
is "$(printf '%s\n' "$OUT" | awk -F, '$1 == "WP-FUNCTIONAL" && $2 == "AF01" { print $10 }')" "45" "concord progress --csv reads the baseline written"
is "$(q "SELECT who || ' ' || tbl || ' ' || op FROM change WHERE id > $HEAD4 ORDER BY id" | sort | uniq -c | sed 's/^ *//' | tr '\n' ';')" \
	"1 api:aada benchmark insert;1 api:aada benchmark update;1 api:aada indicator insert;1 api:aada indicator update;" \
	"the audit log: the indicator's and the benchmark's insert and update by api:aada"

# ---- needs ----
NEED='{"area": "AF01", "sector": "WASH", "period_from": "2024-01-01", "period_to": "2024-12-31",
 "in_need": 250000, "targeted": 120000, "severity": 4, "label": "Kabul WASH"}'
HEAD5=$(q "SELECT max(id) FROM change")
post n1 "$T_aada" needs "$NEED"
is "$STATUS" 201 "POST /api/needs: 201"
N1=$(js n1 'j["id"]')
req n1g "$T_wfp" "$URL/api/needs/$N1"
is "$(js n1g '"|".join(str(x) for x in [j["area"], j["sector"], j["period_from"], j["period_to"], j["total"], j["in_need"], j["targeted"], j["severity"], j["label"], j["source"], j["owner"]])')" \
	"AF01|WSH|2024-01-01|2024-12-31|True|250000.0|120000.0|4|Kabul WASH|api|local:AADA" \
	"GET /api/needs/{id}: the values sent, a total, under the api source"
HN='#adm1+code,#sector+code,#gender+code,#inneed,#targeted,#severity,#description'
RN='AF01,WASH,,250000,120000,4,Kabul WASH 2'
S0=$(dbsum)
for fv in area:XX99 sector:NOPE in_need:N/A in_need:-5 targeted:many severity:7; do
	f=${fv%%:*} v=${fv#*:}
	case $f in area) c=1 ;; sector) c=2 ;; in_need) c=4 ;; targeted) c=5 ;; severity) c=6 ;; esac
	bad needs "$f" "$v" "$(with "$NEED" label 'Kabul WASH 2')" "$HN" "$RN" "$c" "$CONCORD" import needs
done
post bad "$T_aada" needs "$(with "$NEED" period_to 2023-01-01)"
is "$STATUS $(js bad 'j["error"]["field"]')" "400 period_to" "a period that ends before it starts: 400"
post bad "$T_aada" needs "$(with "$NEED" in_need '')"
is "$STATUS $(js bad 'j["error"]["field"]')" "409 sector" "the same need again (same key): 409"
is "$(dbsum)" "$S0" "no refused need stored anything"
VN=$(version "$T_aada" "needs/$N1")
put np1 "$T_aada" "needs/$N1" "$VN" '{"in_need": 260000, "severity": 5}'
is "$STATUS $(js np1 'j["id"], j["in_need"], j["severity"], j["label"]')" "200 $N1 260000.0 5 Kabul WASH" "PUT /api/needs/{id}: its figures, in place"
S0=$(dbsum)
put np2 "$T_aada" "needs/$N1" "$(version "$T_aada" "needs/$N1")" '{"area": "AF03"}'
is "$STATUS $(js np2 'j["error"]["field"]')" "400 area" "... not its area (the natural key)"
is "$(dbsum)" "$S0" "... and the refusal stored nothing"
is "$(q "SELECT who || ' ' || tbl || ' ' || op || ' ' || record_id FROM change WHERE id > $HEAD5 ORDER BY id" | tr '\n' ';')" \
	"api:aada need insert $N1;api:aada need update $N1;" "the audit log: the need's insert and update"

# ---- civil-military separation: a humanitarian owner's new record is kept from military readers
# unless the body gives "deny" (as an import's owner is) ----
post cm1 "$T_aada" feedback '{"date": "2024-03-01", "area": "AF01", "text": "Road open again", "releasability": "public"}'
CM1=$(js cm1 'j["id"]')
is "$STATUS" 201 "an NGO's public feedback: 201"
is "$(q "SELECT deny != 0 FROM feedback WHERE id = $CM1")" 1 "... stored with the NGO's default deny"
req cm1m "$T_isafv" "$URL/api/feedback/$CM1"
is "$STATUS" 404 "... so a military reader does not see it"
req cm1u "$T_wfp" "$URL/api/feedback/$CM1"
is "$STATUS" 200 "... a UN partner does"
post cm2 "$T_aada" feedback '{"date": "2024-03-02", "area": "AF01", "text": "Bridge repaired", "releasability": "public", "deny": []}'
CM2=$(js cm2 'j["id"]')
req cm2m "$T_isafv" "$URL/api/feedback/$CM2"
is "$STATUS $(q "SELECT deny FROM feedback WHERE id = $CM2")" "200 0" "... unless the body says \"deny\": [] (released to all)"
post cm3 "$T_isaf" feedback '{"date": "2024-03-03", "area": "AF01", "text": "Patrol passed", "releasability": "public"}'
is "$STATUS $(q "SELECT deny FROM feedback WHERE id = $(js cm3 'j["id"]')")" "201 0" "a military owner's record denies nobody by default"

kill "$PID"
wait "$PID" 2>/dev/null
unlike "$(cat srv.log)" "Sanitizer\|runtime error" "the server ran clean (no sanitizer report)"
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies after every write"
done_testing
