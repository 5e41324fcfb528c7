#!/bin/sh
# GET /api/exposure on a server started here on 127.0.0.1 and stopped after: each answer equals
# `concord --as ORG exposure --json` with the same options byte for byte, and the caller's
# visibility applies, checked on a constructed case over the real UCDP excerpt:
#   AADA (NGO, owner-only)   a clinic at Kabul centre (34.5553, 69.2075)          a.csv
#   MRRD (public)            a health post at the Kabul events' point             b.csv
#   WHO  (public, exact site owner-only: --geo-releasability org, no owner)        p.csv
# and one Kabul event (UCDP 146522, 4 deaths, 1996) marked owner-only for AADA.
# The 3W import releases exact sites to the mission's partners (members). So the operator sees
# three point sites; AADA sees its own, MRRD's and WHO's at the centroid of Kabul province
# (AF01); MRRD sees its post and WHO's at the centroid; the outsider (not a member) both public
# activities at the centroid, one site of two activities. At MRRD's post, AADA counts the
# marked event and MRRD does not: one incident and four deaths fewer.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "exposure API" "curl is not installed"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
for m in AADA:ngo MRRD:government OUTSIDE:ngo; do
	"$CONCORD" member add "${m%%:*}" --kind "${m#*:}" >/dev/null
done
"$CONCORD" member remove OUTSIDE >/dev/null
"$CONCORD" import events "$TDATA/events/ucdp_ged_v23_1_afg.csv" >/dev/null
H='Organisation,Cluster,Province code,District code,Activity,Start,End,Latitude,Longitude
#org+acronym,#sector+cluster+code,#adm1+code,#adm2+code,#activity,#date+start,#date+end,#geo+lat,#geo+lon'
printf '%s\n%s\n' "$H" "AADA,HEA,AF01,AF0101,Clinic at Kabul centre,1995-01-01,1999-06-30,34.5553,69.2075" >a.csv
printf '%s\n%s\n' "$H" "MRRD,HEA,AF01,AF0101,Health post,1996-01-01,1998-12-31,34.531094,69.162796" >b.csv
printf '%s\n%s\n' "$H" "WHO,HEA,AF01,AF0101,Field hospital,1996-03-01,1997-12-31,34.45,69.30" >p.csv
"$CONCORD" import 3w a.csv --owner AADA --releasability org >/dev/null
"$CONCORD" import 3w b.csv >/dev/null
"$CONCORD" import 3w p.csv --geo-releasability org >/dev/null
ID=$(sqlite3 concord.db "SELECT id FROM incident WHERE source_id = '146522'")
"$CONCORD" mark incident "$ID" --releasability org --owner AADA >/dev/null
is "$(sqlite3 concord.db "SELECT fatalities, releasability FROM incident WHERE id = $ID")" "4.0|org" \
	"the case: one 4-death Kabul event is AADA's only"

for u in aada:AADA mrrd:MRRD out:OUTSIDE; do
	"$CONCORD" user add "${u%%:*}" --org "${u#*:}" --role viewer >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_mrrd=$(tok mrrd); T_out=$(tok out)

# Kabul province's population (the real figure of the case's population file), for the rates
printf 'Province,Year,Population\n#adm1+code,#date+year,#population\nAF01,1998,6700513\n' >pop.csv
"$CONCORD" import population pop.csv >/dev/null

serve_start --threads 2
req() { # req NAME TOKEN URL: body in NAME.body, $STATUS
	STATUS=$(curl -s -o "$1.body" -w '%{http_code}' -H "Authorization: Bearer $2" "$3")
}
field() { python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }
same() { if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$1" "$2" | head -5)"; fi; }

OPT="--radius 10 --days 3650 --at 1999-12-31"
Q="radius=10&days=3650&at=1999-12-31"
SITES='sorted((s["site"], s["placed"]) for s in j["sites"])'
POST='[(s["incidents"], s["fatalities"]) for s in j["sites"] if s["site"] == "34.5311 69.1628"][0]'

# shellcheck disable=SC2086
"$CONCORD" exposure $OPT --json >op.cli
is "$(field op.cli "$SITES")" \
	"[('34.4500 69.3000', 'point'), ('34.5311 69.1628', 'point'), ('34.5553 69.2075', 'point')]" \
	"the operator: three point sites"
OPN=$(field op.cli "$POST")
like "$OPN" "^([1-9]" "(the operator counts incidents at MRRD's post: $OPN)"
OPN_N=$(field op.cli "$POST[0]") OPN_F=$(field op.cli "$POST[1]")

for r in aada:AADA mrrd:MRRD out:OUTSIDE; do
	u=${r%%:*} org=${r#*:}
	eval "t=\$T_$u"
	req "x-$u" "$t" "$URL/api/exposure?$Q"
	is "$STATUS" 200 "GET /api/exposure as $org"
	# shellcheck disable=SC2086
	"$CONCORD" --as "$org" exposure $OPT --json >"x-$u.cli"
	same "x-$u.body" "x-$u.cli" "... byte for byte 'concord --as $org exposure --json'"
done
is "$(field x-aada.body "$SITES")" \
	"[('34.5311 69.1628', 'point'), ('34.5553 69.2075', 'point'), ('AF01', 'area centroid')]" \
	"AADA: its own clinic, MRRD's post, WHO's hospital at Kabul province's centroid"
is "$(field x-mrrd.body "$SITES")" "[('34.5311 69.1628', 'point'), ('AF01', 'area centroid')]" \
	"MRRD: no owner-only clinic, WHO's exact site hidden"
is "$(field x-out.body '[(s["site"], s["placed"], s["activities"]) for s in j["sites"]]')" \
	"[('AF01', 'area centroid', 2)]" "the outsider: both public activities at the centroid, no exact site"
CENTRE='[(s["incidents"], s["fatalities"]) for s in j["sites"] if s["site"] == "AF01"][0]'
unlike "$(cat x-mrrd.body x-out.body)" "34.45\|69.3000\|34.5553" "... no trace of the hidden points"
is "$(field x-aada.body "$POST")" "$OPN" "AADA counts its own event at MRRD's post, as the operator"
is "$(field x-mrrd.body "$POST")" "($((OPN_N - 1)), $(python3 -c "print(int($OPN_F) - 4)"))" \
	"MRRD counts one incident and four deaths fewer there"
is "$(field x-out.body "$CENTRE")" "$(field x-mrrd.body "$CENTRE")" \
	"the outsider and MRRD count the same at the centroid (neither sees AADA's event)"
is "$(field x-aada.body "$CENTRE")" "$(field x-mrrd.body "$CENTRE")" \
	"(the marked event is more than 10 km from the centroid: AADA counts the same there)"

# every option, and per-site dates
req ps "$T_aada" "$URL/api/exposure?radius=25&days=365&at=end&all_precisions=true"
is "$STATUS" 200 "GET /api/exposure?at=end"
"$CONCORD" --as AADA exposure --radius 25 --days 365 --at end --all-precisions --json >ps.cli
same ps.body ps.cli "... equals 'exposure --at end --all-precisions'"
is "$(field ps.body 'j["at"], sorted(s["at"] for s in j["sites"])')" \
	"per site ['1997-12-31', '1998-12-31', '1999-06-30']" "... each site with its activity's end date"
req ar "$T_mrrd" "$URL/api/exposure?by=area&level=1&days=3650&at=1999-12-31"
"$CONCORD" --as MRRD exposure --by area --level 1 --days 3650 --at 1999-12-31 --json >ar.cli
same ar.body ar.cli "by=area equals 'exposure --by area --json'"
KABUL='[(a["population"], a["incidents"], a["fatalities"], a["incidents_per_100k"], a["fatalities_per_100k"], a["fatalities_per_100k_year"]) for a in j["areas"] if a["pcode"] == "AF01"][0]'
RATES='import sys; p, n, f, r1, r2, r3 = eval(sys.argv[1]); w = (n * 1e5 / p, f * 1e5 / p, f * 1e5 / p * 365 / 3650)
print(p == 6700513 and n > 0 and all(abs(g - x) <= 0.005 + 1e-9 for g, x in zip((r1, r2, r3), w)))'
is "$(python3 -c "$RATES" "$(field ar.body "$KABUL")")" True \
	"by=area: Kabul's rates per 100,000 from its stored population ($(field ar.body "$KABUL"))"
req ar2 "$T_aada" "$URL/api/exposure?by=area&level=1&days=3650&at=1999-12-31"
is "$(python3 -c "$RATES" "$(field ar2.body "$KABUL")")" True "... and for AADA"
is "$(field ar2.body "$KABUL[1] - ($(field ar.body "$KABUL[1]"))"), $(field ar2.body "$KABUL[2] - ($(field ar.body "$KABUL[2]"))")" \
	"1, 4" "... whose rates count its own event (one incident, four deaths more)"
req gj "$T_out" "$URL/api/exposure?$Q&format=geojson"
# shellcheck disable=SC2086
"$CONCORD" --as OUTSIDE exposure $OPT --geojson >gj.cli
same gj.body gj.cli "format=geojson equals 'exposure --geojson'"
for bad in radius=0:radius radius=far:radius days=0:days at=yesterday:at by=pillar:by \
	level=7:level all_precisions=yes:all_precisions format=csv:format "by=area&at=start:at"; do
	req e "$T_aada" "$URL/api/exposure?${bad%:*}"
	is "$STATUS $(field e.body 'j["error"]["code"], j["error"]["field"]')" \
		"400 EUSAGE ${bad##*:}" "exposure?${bad%:*}: 400 naming '${bad##*:}'"
done
req e none "$URL/api/exposure"
is "$STATUS" 401 "without a valid token: 401"
req api none "$URL/api/openapi.json"
is "$(field api.body 'sorted(q["name"] for q in j["paths"]["/api/exposure"]["get"]["parameters"])')" \
	"['all_precisions', 'at', 'by', 'days', 'format', 'level', 'radius']" \
	"the OpenAPI document lists /api/exposure with its query arguments"

kill "$PID"
wait "$PID"
is "$?" 0 "the server stops cleanly on SIGTERM"

# ---- the default window ends at the latest incident the reader may see ----
# The latest incident of all, made AADA's only: its date is not the others' to know.
LAST=$(sqlite3 concord.db "SELECT id FROM incident ORDER BY date_end DESC, id LIMIT 1")
"$CONCORD" mark incident "$LAST" --releasability org --owner AADA >/dev/null
day() { python3 -c 'import datetime, sys; print(datetime.date(1970, 1, 1) + datetime.timedelta(days=int(sys.argv[1])))' "$1"; }
ALL=$(day "$(sqlite3 concord.db "SELECT max(date_end) FROM incident")")
SEEN=$(day "$(sqlite3 concord.db "SELECT max(date_end) FROM incident WHERE id <> $LAST AND releasability IN ('public', 'partners')")")
at_of() { "$CONCORD" --as "$1" exposure --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["at"])'; }
is "$(at_of AADA)" "$ALL" "AADA's default window ends at the latest incident, its own"
is "$(at_of MRRD)" "$SEEN" "MRRD's ends at the latest incident it may see, not at AADA's"
is "$(at_of public)" "$SEEN" "... and so does the public's"
like "$SEEN" "^[12][0-9]*-" "(an earlier incident is visible)"
done_testing
