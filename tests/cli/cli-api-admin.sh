#!/bin/sh
# The administration of a mission as endpoints, on a server started here on 127.0.0.1 and
# stopped after: GET/PUT /api/mission, POST /api/areas/{pcode}/aliases, GET/PUT
# /api/areas/{pcode}/validity, GET /api/crosswalk, GET /api/areas/population, POST /api/users,
# POST /api/retention, GET /api/template/3w and /3w-lists. For each: success, a bad argument
# answered 400 naming the field, the wrong role 403, a missing record 404; the answer compared
# byte for byte with what the CLI prints with --json (or writes) for the same store; writes
# seen by the CLI afterwards and in the change log under the API caller's name; and the figures
# worked out here from the seeds (the re-districting's split population, the sites older than
# the cut-off). The audit chain verifies at the end.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "admin API" "curl or sqlite3 is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --name "Afghanistan test" --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
q() { sqlite3 concord.db "$1"; }
# a date as the store keeps it: days since 1970-01-01
day_number() { echo $(($(date -u -d "$1" +%s) / 86400)); }

# activities with exact sites: one ended 2021-09-30, one 2021-12-31
{
	echo "Organisation,Cluster,Province code,Activity,Start,End,Targeted,Reached,Latitude,Longitude"
	echo "#org+acronym,#sector+cluster+code,#adm1+code,#activity,#date+start,#date+end,#targeted,#reached,#geo+lat,#geo+lon"
	echo "AADA,HEA,AF01,Clinic early,2021-07-01,2021-09-30,100,50,34.52,69.17"
	echo "UNICEF,WSH,AF02,Wells late,2021-10-01,2021-12-31,300,200,34.30,68.90"
} >sites.csv
"$CONCORD" import 3w sites.csv >/dev/null || not_ok "seed activities"
"$CONCORD" feedback import "$TDATA/survey/feedback.csv" --personal name,phone >/dev/null ||
	not_ok "seed feedback"
is "$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL")" 2 "two activities with exact sites seeded"

"$CONCORD" user add vi --org AADA --role viewer >/dev/null
"$CONCORD" user add ed --org AADA --role editor >/dev/null
"$CONCORD" user add co --org UNICEF --role coordinator >/dev/null
"$CONCORD" user add boss --org UNICEF --role admin >/dev/null
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_vi=$(tok vi); T_ed=$(tok ed); T_co=$(tok co); T_boss=$(tok boss)

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] URL: body in NAME.body, headers in NAME.head, $STATUS
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -D "$name.head" -o "$name.body" -w '%{http_code}' \
		-H "Authorization: Bearer $t" "$@")
}
send() { # send NAME TOKEN METHOD PATH JSON
	req "$1" "$2" -X "$3" -H 'Content-Type: application/json' --data-binary "$5" "$URL$4"
}
header() { # header NAME HEADER: its value in NAME.head
	sed -n "s/^$2: *//Ip" "$1.head" | tr -d '\r' | head -1
}
field() { # field FILE EXPR: a python expression over the parsed JSON document j
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1
}
same() { # same FILE1 FILE2 DESCRIPTION: byte for byte
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$1" "$2" | head -5)"; fi
}
bad() { # bad NAME STATUS FIELD DESCRIPTION: the error answer of the last req
	is "$STATUS $(field "$1.body" 'j["error"]["field"]')" "$2 $3" "$4"
}
api_changes() { # api_changes TABLE: entries of the change log written by API callers
	q "SELECT count(*) FROM change WHERE tbl = '$1' AND who LIKE 'api:%'"
}

# ---- GET /api/mission ----
req m0 "$T_vi" "$URL/api/mission"
"$CONCORD" mission show --json >cli-m0.json
is "$STATUS" 200 "a viewer's GET /api/mission answers 200"
same m0.body cli-m0.json "... the bytes of \`concord mission show --json\`"
is "$(field m0.body 'j["mission"], j["name"], j["country"], j["currency"], j["rate_tolerance"]')" \
	"AFG Afghanistan test AFG None 5" "... the mission, no currency yet, the default tolerance"
req m0n none "$URL/api/mission"
is "$STATUS" 401 "without a token: 401"

# ---- PUT /api/mission ----
send m1 "$T_ed" PUT /api/mission '{"currency": "eur"}'
is "$STATUS" 403 "an editor may not set the mission (coordinator)"
send m1 "$T_co" PUT /api/mission '{"rate_tolerance": 3}'
bad m1 400 currency "a tolerance alone while the mission has no currency: 400 naming currency"
send m1 "$T_co" PUT /api/mission '{"currency": "dollars"}'
bad m1 400 currency "a currency that is not a code: 400 naming currency"
like "$(field m1.body 'j["error"]["message"]')" "'dollars' is not an ISO 4217 code" "... saying why"
send m1 "$T_co" PUT /api/mission '{"currency": "eur", "rate_tolerance": 40}'
bad m1 400 rate_tolerance "a tolerance of 40 days: 400 naming rate_tolerance"
send m1 "$T_co" PUT /api/mission '{"currency": 978}'
bad m1 400 currency "a currency that is not a string: 400 naming it"
send m1 "$T_co" PUT /api/mission '{"currency": "eur", "colour": "red"}'
bad m1 400 colour "an unknown member: 400 naming it"
req m1 "$T_co" -X PUT "$URL/api/mission"
bad m1 400 body "no body: 400 naming the body"
is "$(q "SELECT count(*) FROM mission_money")" 0 "none of them stored anything"
send m2 "$T_co" PUT /api/mission '{"currency": "eur", "rate_tolerance": 3}'
is "$STATUS" 200 "a coordinator sets currency and tolerance: 200"
is "$(field m2.body 'j["currency"], j["rate_tolerance"]')" "EUR 3" "... stored upper-case"
"$CONCORD" mission show >cli-m2.txt
like "$(cat cli-m2.txt)" "reporting currency: EUR" "\`mission show\` sees the currency"
like "$(cat cli-m2.txt)" "rate tolerance: 3 days" "... and the tolerance"
"$CONCORD" mission show --json >cli-m2.json
same m2.body cli-m2.json "the answer is the bytes of \`mission show --json\` after it"
send m3 "$T_co" PUT /api/mission '{"rate_tolerance": 7}'
is "$STATUS $(field m3.body 'j["currency"], j["rate_tolerance"]')" "200 EUR 7" \
	"a tolerance alone keeps the currency"
is "$(api_changes mission_money)" 2 "two settings writes in the change log, by the API caller"
is "$(q "SELECT who FROM change WHERE tbl = 'mission_money' ORDER BY id DESC LIMIT 1")" "api:co" \
	"... under the coordinator's name"
"$CONCORD" mission set --currency usd --json >cli-m4.json
req m4 "$T_vi" "$URL/api/mission"
same m4.body cli-m4.json "\`mission set --json\` prints what GET /api/mission answers after it"

# ---- POST /api/areas/{pcode}/aliases ----
send al1 "$T_co" POST /api/areas/AF0101/aliases '{"name": "Kabul  City"}'
is "$STATUS" 201 "a coordinator adds an alias: 201"
is "$(field al1.body 'j["pcode"], j["name"], j["alias"], j["matched_as"]')" \
	"AF0101 Kabul Kabul  City kabul city" "... the area, the alias and its matched form"
is "$(q "SELECT a.pcode || ' ' || x.source FROM area_alias x JOIN area a ON a.id = x.area_id WHERE x.alias_norm = 'kabul city'")" \
	"AF0101 api" "the alias is stored for AF0101"
"$CONCORD" area alias add AF0101 "Kabul  City" --json >cli-al1.json
same al1.body cli-al1.json "the answer is the bytes of \`area alias add --json\`"
is "$(q "SELECT count(*) FROM area_alias WHERE alias_norm = 'kabul city'")" 1 "the same alias twice is stored once"
is "$(api_changes area_alias)" 1 "the API's alias is in the change log"
# the importers' name fallback finds it
{
	echo "Province,District,Organisation,Cluster,Activity,Start,End"
	echo "#adm1+code,#adm2+name,#org+acronym,#sector+cluster+code,#activity,#date+start,#date+end"
	echo "AF01,Kabul City,AADA,HEA,Clinic by alias,2021-07-01,2021-09-30"
} >alias.csv
"$CONCORD" import 3w alias.csv >/dev/null 2>&1
is "$(q "SELECT a.pcode FROM activity x JOIN area a ON a.id = x.area_id WHERE x.title = 'Clinic by alias'")" \
	AF0101 "an import naming the district by the alias places it in AF0101"
send al2 "$T_co" POST /api/areas/AF9999/aliases '{"name": "Nowhere"}'
bad al2 404 pcode "an unknown P-code: 404 naming pcode"
send al2 "$T_co" POST /api/areas/AF0101/aliases '{"name": "   "}'
bad al2 400 name "an empty name: 400 naming name"
send al2 "$T_co" POST /api/areas/AF0101/aliases '{}'
bad al2 400 name "no name: 400 naming name"
send al2 "$T_co" POST /api/areas/AF0101/aliases '{"name": "X", "lang": "ps"}'
bad al2 400 lang "an unknown member: 400 naming it"
send al2 "$T_ed" POST /api/areas/AF0101/aliases '{"name": "Kabul Town"}'
is "$STATUS" 403 "an editor may not add an alias (coordinator)"

# ---- GET and PUT /api/areas/{pcode}/validity ----
req v0 "$T_vi" "$URL/api/areas/AF0103/validity"
"$CONCORD" area valid AF0103 --json >cli-v0.json
is "$STATUS $(field v0.body 'j["pcode"], j["from"], j["to"]')" "200 AF0103 None None" \
	"a viewer reads an area's validity: open both ways"
same v0.body cli-v0.json "... the bytes of \`area valid AF0103 --json\`"
req v0 "$T_vi" "$URL/api/areas/AF9999/validity"
bad v0 404 pcode "the validity of an unknown P-code: 404 naming pcode"
send v1 "$T_co" PUT /api/areas/AF0103/validity '{"from": "2020-01-01", "to": "2021-12-31"}'
is "$STATUS $(field v1.body 'j["from"], j["to"]')" "200 2020-01-01 2021-12-31" \
	"a coordinator sets the dates: 200 with them"
is "$("$CONCORD" area valid AF0103)" "AF0103 valid from 2020-01-01 to 2021-12-31" "\`area valid\` sees them"
is "$(q "SELECT valid_from || ' ' || valid_to FROM area WHERE pcode = 'AF0103'")" \
	"$(python3 -c 'import datetime as d; e = d.date(1970, 1, 1); print((d.date(2020, 1, 1) - e).days, (d.date(2021, 12, 31) - e).days)')" \
	"... stored as those days"
is "$(api_changes area)" 1 "the change of dates is in the change log"
send v2 "$T_co" PUT /api/areas/AF0103/validity '{"to": null}'
is "$STATUS $(field v2.body 'j["from"], j["to"]')" "200 None None" \
	"members absent or null are open, as the CLI's options not given"
send v2 "$T_co" PUT /api/areas/AF0103/validity '{"from": "2022-01-01", "to": "2021-01-01"}'
bad v2 400 to "to before from: 400 naming to"
send v2 "$T_co" PUT /api/areas/AF0103/validity '{"from": "soon"}'
bad v2 400 from "a bad date: 400 naming from"
send v2 "$T_co" PUT /api/areas/AF9999/validity '{"from": "2022-01-01"}'
bad v2 404 pcode "an unknown P-code: 404 naming pcode"
send v2 "$T_vi" PUT /api/areas/AF0103/validity '{"from": "2022-01-01"}'
is "$STATUS" 403 "a viewer may not set the dates"
is "$("$CONCORD" area valid AF0103)" "AF0103 valid from (open) to (open)" "none of the refused writes changed them"

# ---- a re-districting: GET /api/crosswalk and GET /api/areas/population ----
# AF0101 (1000 people) splits 0.6 / 0.4 into AF0151 and AF0152 on 2022-01-01; AF0102 stays
printf 'ADM_PCODE,alpha_3,Population\nAF0101,AFG,1000\nAF0102,AFG,250\n' >pop.csv
"$CONCORD" import population pop.csv >/dev/null
printf 'P-Code,Name,Admin Level,Parent P-Code\nAF0151,Kabul North,2,AF01\nAF0152,Kabul South,2,AF01\n' >new.csv
"$CONCORD" import areas new.csv >/dev/null
printf 'old_pcode,new_pcode,share,date\nAF0101,AF0151,0.6,2022-01-01\nAF0101,AF0152,0.4,2022-01-01\n' >cw.csv
"$CONCORD" import crosswalk cw.csv >/dev/null || not_ok "seed crosswalk"
req cw "$T_vi" "$URL/api/crosswalk"
"$CONCORD" area crosswalk --json >cli-cw.json
is "$STATUS" 200 "GET /api/crosswalk: 200"
same cw.body cli-cw.json "... the bytes of \`area crosswalk --json\`"
is "$(field cw.body '[(r["old_pcode"], r["new_pcode"], r["share"], r["date"]) for r in j["rows"]]')" \
	"[('AF0101', 'AF0151', 0.6, '2022-01-01'), ('AF0101', 'AF0152', 0.4, '2022-01-01')]" \
	"... the two rows of the file"
req cwc "$T_vi" "$URL/api/crosswalk?format=csv"
"$CONCORD" area crosswalk >cli-cw.csv
is "$STATUS $(header cwc Content-Type)" "200 text/csv; charset=utf-8" "?format=csv: text/csv"
same cwc.body cli-cw.csv "... the bytes \`area crosswalk\` prints"
req cwx "$T_vi" "$URL/api/crosswalk?format=xml"
bad cwx 400 format "?format=xml: 400 naming format"

req p1 "$T_vi" "$URL/api/areas/population?at=2022-06-30"
"$CONCORD" area population --at 2022-06-30 --json >cli-p1.json
is "$STATUS" 200 "GET /api/areas/population: 200 (not taken for a P-code)"
same p1.body cli-p1.json "... the bytes of \`area population --at 2022-06-30 --json\`"
is "$(field p1.body '[(a["pcode"], a["population"], a["carried"]) for a in j["areas"] if a["pcode"].startswith("AF01")]')" \
	"[('AF0102', 250, False), ('AF0151', 600, True), ('AF0152', 400, True)]" \
	"after the split: 1000 carried 600/400, AF0102 untouched"
req p0 "$T_vi" "$URL/api/areas/population?at=2021-06-30&format=csv"
"$CONCORD" area population --at 2021-06-30 >cli-p0.csv
is "$STATUS $(header p0 Content-Type)" "200 text/csv; charset=utf-8" "?format=csv: text/csv"
same p0.body cli-p0.csv "... the bytes \`area population --at 2021-06-30\` prints"
is "$(grep '^AF01' p0.body | tr '\n' ' ')" "AF0101,Kabul,1000,no AF0102,Paghman,250,no " \
	"before the split: the old layout"
req p2 "$T_vi" "$URL/api/areas/population?year=1800"
bad p2 400 year "?year=1800: 400 naming year"
req p2 "$T_vi" "$URL/api/areas/population?at=someday"
bad p2 400 at "?at=someday: 400 naming at"
req p2 "$T_vi" "$URL/api/areas/population?year=2021"
is "$STATUS $(field p2.body 'j["year"], j["count"]')" "200 2021 0" "?year=2021: no figures of that year"

# ---- POST /api/users ----
send u1 "$T_boss" POST /api/users '{"name": "newbie", "org": "unicef", "role": "editor"}'
is "$STATUS" 201 "an admin adds a user: 201"
UID_NEW=$(q "SELECT id FROM user_account WHERE name = 'newbie'")
printf '{"id":%s,"name":"newbie","role":"editor","organisation":"local:UNICEF","mission":"AFG"}\n' \
	"$UID_NEW" >u1.expected
same u1.body u1.expected "... the user as stored: its id, role and organisation"
is "$(q "SELECT count(*) FROM change WHERE tbl = 'user_account' AND who = 'api:boss'")" 1 "... logged as the admin's write"
"$CONCORD" user add other --org AADA --role viewer --json >cli-u.json
UID_OTHER=$(q "SELECT id FROM user_account WHERE name = 'other'")
printf '{"id":%s,"name":"other","role":"viewer","organisation":"local:AADA","mission":"AFG"}\n' \
	"$UID_OTHER" >u2.expected
same cli-u.json u2.expected "\`user add --json\` prints the same object"
T_new=$("$CONCORD" token create newbie 2>/dev/null)
req me "$T_new" "$URL/api/me"
is "$STATUS $(field me.body 'j["user"], j["role"], j["organisation"]["key"]')" \
	"200 newbie editor local:UNICEF" "the CLI makes a token for the new user, which signs in"
send tk "$T_boss" POST /api/tokens '{"user": "newbie"}'
is "$STATUS" 201 "... and so does POST /api/tokens"
send u2 "$T_boss" POST /api/users '{"name": "newbie", "org": "UNICEF", "role": "viewer"}'
bad u2 409 name "a second 'newbie': 409 naming name"
send u2 "$T_boss" POST /api/users '{"name": "cy", "org": "NO-SUCH-ORG"}'
bad u2 404 org "an unknown organisation: 404 naming org"
send u2 "$T_boss" POST /api/users '{"name": "cy", "org": "UNICEF", "role": "boss"}'
bad u2 400 role "an unknown role: 400 naming role"
send u2 "$T_boss" POST /api/users '{"org": "UNICEF"}'
bad u2 400 name "no name: 400 naming name"
send u2 "$T_boss" POST /api/users '{"name": "", "org": "UNICEF"}'
bad u2 400 name "an empty name: 400 naming name"
send u2 "$T_co" POST /api/users '{"name": "cy", "org": "UNICEF"}'
is "$STATUS" 403 "a coordinator may not add users (admin)"
is "$(q "SELECT count(*) FROM user_account WHERE name = 'cy'")" 0 "none of the refused users exists"

# ---- POST /api/retention ----
# sites of activities ended before 2021-11-01 (30 days before 2021-12-01): the early clinic and
# the one placed by the alias (both ended 2021-09-30, the alias one has no site)
N_EARLY=$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL AND coalesce(end_date, start_date) < $(day_number 2021-11-01)")
is "$N_EARLY" 1 "one site belongs to an activity ended before 2021-11-01"
send r1 "$T_boss" POST /api/retention '{"sites": 30, "at": "2021-12-01", "dry_run": true}'
"$CONCORD" retention --sites 30 --at 2021-12-01 --dry-run --json >cli-r1.json
is "$STATUS $(field r1.body 'j["dry_run"], j["sites"]["before"], j["sites"]["activities"], j["personal"]')" \
	"200 True 2021-11-01 $N_EARLY None" "a dry run counts the sites older than the cut-off"
same r1.body cli-r1.json "... the bytes of \`retention --dry-run --json\`"
is "$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL")" 2 "... and redacts nothing"
send r2 "$T_boss" POST /api/retention '{}'
bad r2 400 sites "nothing asked: 400 naming sites"
send r2 "$T_boss" POST /api/retention '{"sites": -1}'
bad r2 400 sites "negative days: 400 naming sites"
send r2 "$T_boss" POST /api/retention '{"personal": 40000}'
bad r2 400 personal "more than 36500 days: 400 naming personal"
send r2 "$T_boss" POST /api/retention '{"sites": 1, "at": "later"}'
bad r2 400 at "a bad date: 400 naming at"
send r2 "$T_boss" POST /api/retention '{"sites": 1, "dry_run": "yes"}'
bad r2 400 dry_run "dry_run not a boolean: 400 naming it"
send r2 "$T_co" POST /api/retention '{"sites": 0}'
is "$STATUS" 403 "a coordinator may not apply retention (admin)"
GIVERS=$(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL AND date < $(day_number 2031-01-01)")
send r3 "$T_boss" POST /api/retention '{"sites": 0, "personal": 0, "at": "2031-01-01"}'
is "$STATUS $(field r3.body 'j["dry_run"], j["sites"]["activities"], j["personal"]["feedback_givers"]')" \
	"200 False 2 $GIVERS" "applied: both sites and every giver's data redacted, counted"
is "$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL OR lon IS NOT NULL") $(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL")" \
	"0 0" "... gone from the store"
is "$(q "SELECT count(*) || ' ' || sum(count) FROM change WHERE detail LIKE 'retention:%' AND who = 'api:boss'")" \
	"2 $((2 + GIVERS))" "... in the change log under the admin's name: one entry per part, with its count"
"$CONCORD" retention --sites 0 --at 2031-01-01 --dry-run >cli-r4.txt
like "$(cat cli-r4.txt)" ": 0 would be redacted" "the CLI finds nothing left to redact"

# ---- GET /api/template/3w and /3w-lists ----
req t1 "$T_vi" "$URL/api/template/3w"
req t2 "$T_vi" "$URL/api/template/3w-lists"
"$CONCORD" template 3w -o tpl.csv >/dev/null
is "$STATUS $(header t1 Content-Type)" "200 text/csv; charset=utf-8" "GET /api/template/3w: text/csv"
is "$(header t1 Content-Disposition)" 'attachment; filename="3w.csv"' "... as an attachment 3w.csv"
same t1.body tpl.csv "... the bytes of \`template 3w -o FILE\`"
is "$(header t2 Content-Disposition)" 'attachment; filename="3w-lists.csv"' "the lists as 3w-lists.csv"
same t2.body tpl-lists.csv "... the bytes of FILE-lists.csv"
is "$(sed -n 2p t1.body | cut -d, -f1-2)" "#adm1+name,#adm1+code" "the template's second row holds the hashtags"
like "$(cat t2.body)" "^adm2,AF0151,Kabul North,AF01$" "the lists hold the new district with its parent"
is "$(grep -c '^organisation,' t2.body)" "$(q "SELECT count(*) FROM organisation")" \
	"... and every organisation of the mission"
# the blank template imports (no rows) and the lists name only areas in force today
unlike "$(cat t2.body)" "^adm2,AF0101," "the district that ended is not listed"
req t3 none "$URL/api/template/3w"
is "$STATUS" 401 "without a token: 401"

# ---- the OpenAPI document lists every route of this file, with its role ----
req oa none "$URL/api/openapi.json"
is "$(field oa.body '" ".join(sorted(m.upper() + ":" + p + ":" + o["x-min-role"] for p, i in j["paths"].items() for m, o in i.items() if p in ("/api/mission", "/api/users", "/api/retention", "/api/crosswalk", "/api/areas/population", "/api/areas/{pcode}/validity", "/api/areas/{pcode}/aliases", "/api/template/3w", "/api/template/3w-lists")))')" \
	"GET:/api/areas/population:viewer GET:/api/areas/{pcode}/validity:viewer GET:/api/crosswalk:viewer GET:/api/mission:viewer GET:/api/template/3w-lists:viewer GET:/api/template/3w:viewer POST:/api/areas/{pcode}/aliases:coordinator POST:/api/retention:admin POST:/api/users:admin PUT:/api/areas/{pcode}/validity:coordinator PUT:/api/mission:coordinator" \
	"the document lists the eleven operations with their roles"

# ---- the audit chain after all of it ----
req au "$T_boss" "$URL/api/audit/verify"
is "$STATUS $(field au.body 'j["ok"]')" "200 True" "GET /api/audit/verify: the chain verifies"
run "$CONCORD" audit verify
is "$RC" 0 "\`concord audit verify\` passes after the API's writes"

kill "$PID"
wait "$PID" 2>/dev/null
unlike "$(cat srv.log)" "Sanitizer\|runtime error" "the server stopped without a sanitizer report"
done_testing
