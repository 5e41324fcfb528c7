#!/bin/sh
# Who sees what: records of every releasability, owned by organisations of every kind (a
# military provincial reconstruction team, a national NGO, a UN agency, a ministry, the
# coordination cell) and read by each of them, by an organisation outside the mission, by the
# partners audience and by the public — through the CLI (--as, --audience: coverage, export)
# and the HTTP API (lists page by page, single reads, coverage). What each reader must see is
# computed here by a third implementation of the rule, in python3 over the store's tables, so
# a mistake shared by the C rule and its SQL twin still fails. Then marking changes: roles,
# If-Match (lost updates), sharing by name, and the audit chain after it all.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "sharing" "curl is not installed"
	done_testing
	exit 0
fi

D="$TDATA/sharing"
export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null

# ---- members and markings ----
run "$CONCORD" member add ISAF-PRT --kind military --name "Provincial Reconstruction Team"
is "$RC" 0 "member add registers a new organisation with its kind"
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null
"$CONCORD" member add MRRD --kind government >/dev/null
"$CONCORD" member add OUTSIDE --kind ngo >/dev/null
run "$CONCORD" member remove OUTSIDE
is "$OUT" "local:OUTSIDE: not a member" "member remove"
run "$CONCORD" member list
like "$OUT" "^4 members of mission AFG" "member list: four members"
run "$CONCORD" member add NOBODY
is "$RC" 1 "member add of an unknown organisation without --kind fails"

run "$CONCORD" import 3w "$D/isaf.csv" --owner ISAF-PRT --releasability partners
is "$RC" 0 "import with --owner (military) and --releasability partners"
"$CONCORD" import 3w "$D/aada.csv" --owner AADA --releasability TLP:AMBER --geo-releasability org >/dev/null
"$CONCORD" import 3w "$D/unicef.csv" --owner UNICEF --figures-releasability partners >/dev/null
"$CONCORD" import 3w "$D/mrrd.csv" --owner MRRD --releasability org >/dev/null
"$CONCORD" import 3w "$D/cell.csv" >/dev/null
run "$CONCORD" import 3w "$D/cell.csv" --owner NOBODY
is "$RC" 2 "--owner naming no organisation is a usage error"
like "$ERR" "no organisation 'NOBODY'" "... that names it"
run "$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" --releasability org
is "$RC" 2 "import areas takes no marking"

q() { sqlite3 concord.db "$1"; }
# a date as the store keeps it: days since 1970-01-01
day_number() { echo $(($(date -u -d "$1" +%s) / 86400)); }
is "$(q "SELECT group_concat(DISTINCT releasability || '/' || deny) FROM activity WHERE owner_id = (SELECT id FROM organisation WHERE key = 'local:AADA')")" \
	"partners/1" "an NGO's rows deny military readers by default (TLP:AMBER read as partners)"
is "$(q "SELECT group_concat(DISTINCT deny) FROM activity WHERE owner_id = (SELECT id FROM organisation WHERE key = 'local:ISAF-PRT')")" \
	"0" "a military owner's rows deny nobody"
AADA1=$(q "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE o.key = 'local:AADA'")
run "$CONCORD" mark activity "$AADA1" --share ISAF-PRT
is "$RC" 0 "mark --share: AADA releases one record to the PRT by name"
like "$OUT" "shared with 1 organisation" "... and says so"
run "$CONCORD" mark activity 99999 --releasability public
is "$RC" 1 "mark of a missing record fails"

# ---- the rule, a third time, in python over the tables ----
cat >rule.py <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
reader = sys.argv[2]  # operator, public, partners, or an organisation key
bits = {"military": 1, "un": 2, "eu": 4, "government": 8, "ngo": 16, "rcrc": 32,
        "private": 64, "other": 128}
mission = db.execute("SELECT id FROM mission").fetchone()[0]
members = {r[0] for r in db.execute("SELECT org_id FROM mission_member WHERE mission_id = ?",
                                    (mission,))}
shares = {}
for rid, org in db.execute("SELECT record_id, org_id FROM share WHERE tbl = 'activity'"):
    shares.setdefault(rid, set()).add(org)
org = kinds = None
member = False
if reader not in ("operator", "public", "partners"):
    org, kind = db.execute("SELECT id, kind FROM organisation WHERE key = ?",
                           ("local:" + reader,)).fetchone()
    kinds = bits.get(kind or "", 0)
    member = org in members
elif reader == "partners":
    kinds, member = 255, True
else:
    kinds = 255

def visible(owner, rel, deny, rid, rec_mission, shared=True):
    if reader == "operator":
        return True
    if org is not None and (owner == org or (shared and org in shares.get(rid, ()))):
        return True
    if deny & kinds:
        return False
    if rel == "public":
        return True
    return rel == "partners" and member and rec_mission in (None, mission)

out = {"ids": [], "exact": [], "figures": []}
for rid, owner, rel, deny, m, geo, fig, lat in db.execute(
        "SELECT id, owner_id, releasability, deny, mission_id, geo_rel, figures_rel, lat "
        "FROM activity ORDER BY id"):
    if visible(owner, rel, deny, rid, m):
        out["ids"].append(rid)
        names = ["public", "partners", "org"]
        # a field marked more strictly than its record: its own marking, without named shares
        field = lambda f: (f is None or names.index(f) <= names.index(rel)
                           or visible(owner, f, deny, rid, m, shared=False))
        if lat is not None and field(geo):
            out["exact"].append(rid)
        if field(fig):
            out["figures"].append(rid)
print(json.dumps(out))
EOF
expect() { python3 rule.py concord.db "$1"; }
n_of() { python3 -c "import json, sys; print(len(json.loads(sys.argv[1])['$2']))" "$1"; }
TOTAL=$(q "SELECT count(*) FROM activity")
is "$TOTAL" 10 "ten activities stored"

# ---- the CLI reads for a reader ----
for r in operator public partners ISAF-PRT AADA UNICEF MRRD OUTSIDE; do
	E=$(expect "$r")
	if [ "$r" = operator ]; then as=""; else as="--as $r"; fi
	# shellcheck disable=SC2086
	got=$("$CONCORD" $as coverage --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["n_records"])')
	is "$got" "$(n_of "$E" ids)" "coverage --as $r counts only what $r may see"
	# shellcheck disable=SC2086
	"$CONCORD" $as export 3w -o "exp-$r.csv" >/dev/null 2>&1
	is "$(($(wc -l <"exp-$r.csv") - 2))" "$(n_of "$E" ids)" "export 3w --as $r: one row per visible activity"
done
is "$(n_of "$(expect public)" ids)" 2 "the public sees the cell's two rows only (UNICEF's public rows deny military readers, and a public file reaches anyone)"
run "$CONCORD" --audience public coverage --json
like "$OUT" '"releasability": "public"' "an aggregate for the public is marked public"
run "$CONCORD" coverage --json
like "$OUT" '"releasability": "org"' "the operator's matrix takes its strictest input's marking"
run "$CONCORD" --as NOBODY coverage
is "$RC" 1 "--as an unknown organisation fails"
run "$CONCORD" --audience partners export 3w -o partners.csv
unlike "$(cat partners.csv)" "Mobile health team" "a file for the partners audience holds no record denied to any kind of partner"
like "$(cat partners.csv)" "Clinic rebuilt" "... but does hold the PRT's partners rows"
like "$(cat exp-UNICEF.csv)" "Mobile health team" "UNICEF (a member, not military) sees AADA's rows"

# ---- the server ----
for u in isaf:ISAF-PRT:viewer aada:AADA:editor unicef:UNICEF:coordinator mrrd:MRRD:viewer out:OUTSIDE:viewer; do
	"$CONCORD" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}" >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_isaf=$(tok isaf); T_aada=$(tok aada); T_unicef=$(tok unicef); T_mrrd=$(tok mrrd); T_out=$(tok out)

serve_start --threads 2
req() { # req NAME TOKEN [CURL ARGS] PATH
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
# all pages of /api/activities for a token, 3 rows a page: ids, exact sites, visible figures
pages() {
	python3 - "$URL" "$1" <<'EOF'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
ids, exact, figures, after, pages = [], [], [], None, 0
while True:
    u = url + "/api/activities?limit=3" + ("&after=" + after if after else "")
    r = urllib.request.urlopen(urllib.request.Request(u, headers={"Authorization": "Bearer " + tok}))
    j = json.load(r)
    pages += 1
    for a in j["activities"]:
        ids.append(a["id"])
        if a["site"] is not None and a["site"]["exact"]:
            exact.append(a["id"])
        if not a["figures_hidden"]:
            figures.append(a["id"])
    after = j["next"]
    if after is None:
        break
print(json.dumps({"ids": ids, "exact": exact, "figures": figures}, sort_keys=True), pages)
EOF
}
norm() { python3 -c "import json, sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))" "$1"; }
for r in isaf:ISAF-PRT aada:AADA unicef:UNICEF mrrd:MRRD out:OUTSIDE; do
	eval "t=\$T_${r%%:*}"
	got=$(pages "$t")
	want=$(norm "$(expect "${r#*:}")")
	is "${got% *}" "$want" "GET /api/activities as ${r#*:}: exactly the visible rows, exact sites and figures, page by page"
done
# the pillar filter agrees with the pillar each row reports, and the pillars partition the list
is "$(python3 - "$URL" "$T_mrrd" <<'EOF'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
get = lambda q: json.load(urllib.request.urlopen(urllib.request.Request(
    url + "/api/activities?limit=1000" + q, headers={"Authorization": "Bearer " + tok})))
rows = get("")["activities"]
ok = True
total = 0
for p in ["security", "governance", "infrastructure", "economy", "humanitarian", "other"]:
    ids = sorted(a["id"] for a in get("&pillar=" + p)["activities"])
    ok &= ids == sorted(a["id"] for a in rows if a["pillar"] == p)
    total += len(ids)
print(ok, total == len(rows), len(rows) > 0)
EOF
)" "True True True" "?pillar= returns exactly the rows of that pillar; the six pillars partition the list"
# AADA's site marking is 'org': the PRT sees the shared record at its province's centre
E=$(expect ISAF-PRT)
is "$(python3 -c "import json, sys; e = json.loads(sys.argv[1]); print($AADA1 in e['ids'], $AADA1 in e['exact'])" "$E")" \
	"True False" "the PRT sees the record AADA shared with it, but not its exact site"
req site "$T_isaf" "$URL/api/activities/$AADA1"
is "$(python3 -c 'import json; s = json.load(open("site.body"))["site"]; print(s["exact"], 34 < s["lat"] < 35.5, 68 < s["lon"] < 70, s["lat"] != 34.55)')" \
	"False True True True" "... coarsened to the centre of Kabul province, not the exact point"
req site2 "$T_aada" "$URL/api/activities/$AADA1"
is "$(python3 -c 'import json; s = json.load(open("site2.body"))["site"]; print(s["exact"], s["lat"], s["lon"])')" \
	"True 34.55 68.95" "the owner sees the exact site"

# a record the caller may not see answers exactly like a missing one
MRRD1=$(q "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE o.key = 'local:MRRD'")
req hidden "$T_isaf" "$URL/api/activities/$MRRD1"
s1=$STATUS
req missing "$T_isaf" "$URL/api/activities/999999"
is "$s1 $STATUS" "404 404" "GET an invisible activity: 404, as for a missing one"
is "$(sed "s/$MRRD1/N/g" hidden.body)" "$(sed 's/999999/N/g' missing.body)" "... with the same body"
req own "$T_mrrd" "$URL/api/activities/$MRRD1"
is "$STATUS" 200 "the owner reads it"
req cov "$T_isaf" "$URL/api/coverage"
is "$(python3 -c 'import json; print(json.load(open("cov.body"))["n_records"])')" \
	"$(n_of "$(expect ISAF-PRT)" ids)" "GET /api/coverage as the PRT counts only what it may see"

# ---- changing a marking: roles, If-Match, lost updates ----
V=$(python3 -c 'import json; print(json.load(open("own.body"))["version"])')
body='{"releasability": "partners"}'
req m1 "$T_mrrd" -X PUT -H 'Content-Type: application/json' -d "$body" "$URL/api/activities/$MRRD1/marking"
is "$STATUS" 403 "a viewer may not change a marking"
req m2 "$T_aada" -X PUT -H 'Content-Type: application/json' -d "$body" "$URL/api/activities/$AADA1/marking"
is "$STATUS" 400 "an editor of the owner must send If-Match"
like "$(cat m2.body)" '"field":"If-Match"' "... the error names If-Match"
req a1 "$T_aada" "$URL/api/activities/$AADA1"
VA=$(python3 -c 'import json; print(json.load(open("a1.body"))["version"])')
req m3 "$T_aada" -X PUT -H "If-Match: \"$VA\"" -d '{"releasability": "public", "deny": []}' "$URL/api/activities/$AADA1/marking"
is "$STATUS" 200 "the owner's editor releases its record to the public (If-Match: the version read)"
is "$(python3 -c 'import json; j = json.load(open("m3.body")); print(j["releasability"], j["deny"], j["version"] != "'"$VA"'")')" \
	"public [] True" "... the answer shows the new marking and a new version"
req m4 "$T_aada" -X PUT -H "If-Match: \"$VA\"" -d '{"releasability": "org"}' "$URL/api/activities/$AADA1/marking"
is "$STATUS" 412 "a second write with the old version is refused: no lost update"
# two partners write at once with the version they both read: exactly one wins
AADA2=$(q "SELECT max(a.id) FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE o.key = 'local:AADA'")
req a2 "$T_aada" "$URL/api/activities/$AADA2"
V2=$(python3 -c 'import json; print(json.load(open("a2.body"))["version"])')
for k in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "Authorization: Bearer $T_aada" \
		-H "If-Match: \"$V2\"" -d "{\"releasability\": \"partners\", \"deny\": [\"military\", \"private\"]}" \
		"$URL/api/activities/$AADA2/marking" >"race$k.txt" &
	eval "R$k=\$!"
done
wait "$R1" "$R2" "$R3" "$R4"
is "$(cat race1.txt race2.txt race3.txt race4.txt | sort | tr '\n' ' ')" "200 412 412 412 " \
	"four concurrent writes with the same If-Match: one succeeds, three get 412"
req m5 "$T_aada" -X PUT -H "If-Match: *" -d '{"releasability": "org"}' "$URL/api/activities/$MRRD1/marking"
is "$STATUS" 404 "an editor cannot touch a record it cannot see"
req o1 "$T_out" "$URL/api/activities/$AADA1"
is "$STATUS" 200 "the outsider now sees the released record"
req m6 "$T_unicef" -X PUT -H "If-Match: *" -d '{"releasability": "org", "owner": "MRRD"}' "$URL/api/activities/$AADA1/marking"
is "$STATUS" 200 "a coordinator may change any record's marking it can see"
is "$(cat m6.body)" "{\"id\":$AADA1,\"releasability\":\"org\",\"visible\":false}" \
	"... and is told when the change takes the record out of its own sight"
req m7 "$T_unicef" -X PUT -H "If-Match: *" -d '{"releasability": "secret"}' "$URL/api/activities/$AADA1/marking"
is "$STATUS" 404 "... after handing it to MRRD as owner-only, it no longer sees it"
req sh1 "$T_mrrd" -X POST -d '{"org": "UNICEF"}' "$URL/api/activities/$AADA1/shares"
is "$STATUS" 403 "sharing needs an editor"
req mem "$T_isaf" "$URL/api/members"
is "$(python3 -c 'import json; print(json.load(open("mem.body"))["count"])')" 4 "GET /api/members"
req mem2 "$T_isaf" -X POST -d '{"org": "OUTSIDE"}' "$URL/api/members"
is "$STATUS" 403 "only an admin adds members"

# ---- lessons: the same rule on another table ----
"$CONCORD" lesson import "$ROOT/data/lessons/afg-001.md" >/dev/null
LID=$(q "SELECT id FROM lesson LIMIT 1")
LKEY=$(q "SELECT key FROM lesson LIMIT 1")
LWORD=$(q "SELECT lower(substr(title, 1, instr(title || ' ', ' ') - 1)) FROM lesson LIMIT 1")
run "$CONCORD" mark lesson "$LID" --releasability org --owner AADA
is "$RC" 0 "mark lesson: owner-only, held by AADA"
run "$CONCORD" --as ISAF-PRT lesson search "$LWORD"
is "$RC" 0 "lesson search as the PRT runs"
unlike "$OUT" "$LKEY" "lesson search as the PRT does not find AADA's owner-only lesson"
run "$CONCORD" --as ISAF-PRT lesson show "$LKEY"
is "$RC" 1 "lesson show of it as the PRT: not found"
run "$CONCORD" --as AADA lesson search "$LWORD"
like "$OUT" "$LKEY" "the owner finds it"

# ---- the live feed ----
# the log so far, as each reader may see it (concord watch reads the same function)
feed_of() { "$CONCORD" --as "$1" watch --after 0 --once --json; }
entry() { # entry READER DETAIL OP: "count" of that entry, or "absent"
	feed_of "$1" | python3 -c '
import json, sys
hits = [json.loads(l) for l in sys.stdin if l.strip()]
hits = [e for e in hits if e["detail"] == sys.argv[1] and e["op"] == sys.argv[2]]
print(hits[0]["count"] if hits else "absent")' "$2" "$3"
}
is "$(entry MRRD mrrd.csv insert)" 1 "watch: MRRD sees its own import"
is "$(entry ISAF-PRT mrrd.csv insert)" absent "... the PRT does not see that MRRD imported anything"
is "$(entry ISAF-PRT aada.csv insert)" 1 "... and of AADA's import of 3 only the one record shared with it"
is "$(entry OUTSIDE cell.csv insert)" 2 "... an outsider sees the cell's public import"
is "$(entry OUTSIDE isaf.csv insert)" absent "... but not the PRT's partners-only one"
is "$(entry UNICEF aada.csv insert)" 2 "... a member sees two of AADA's three (the third is MRRD's, owner-only, since above)"
feed_of ISAF-PRT | python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))' >watch-ids
api_ids=$(python3 - "$URL" "$T_isaf" <<'EOF'
import json, sys, urllib.request
url, tok, after, ids = sys.argv[1], sys.argv[2], 0, []
while True:  # pages of at most 100 examined entries, until the cursor stops
    r = urllib.request.urlopen(urllib.request.Request(
        "%s/api/feed?after=%d&limit=100" % (url, after), headers={"Authorization": "Bearer " + tok}))
    j = json.load(r)
    ids += [str(e["id"]) for e in j["entries"]]
    if j["next"] == after:
        break
    after = j["next"]
print(" ".join(ids))
EOF
)
is "$api_ids" "$(cat watch-ids)" "GET /api/feed (JSON pages) holds exactly what watch shows the same reader"

# Server-Sent Events: a stream for the PRT, then one change it may see and one it may not
curl -s -N -H "Authorization: Bearer $T_isaf" -H 'Accept: text/event-stream' "$URL/api/feed" >sse1.txt &
C1=$!
sleep 0.5
"$CONCORD" mark activity "$MRRD1" --deny military >/dev/null     # MRRD's owner-only record
"$CONCORD" import 3w "$D/cell.csv" --source cell-again.csv >/dev/null # public, visible to all
i=0
while [ $i -lt 50 ] && ! grep -q 'cell-again.csv' sse1.txt; do sleep 0.1; i=$((i + 1)); done
kill "$C1" 2>/dev/null
wait "$C1" 2>/dev/null
like "$(cat sse1.txt)" '^event: change' "GET /api/feed streams Server-Sent Events"
like "$(cat sse1.txt)" 'cell-again.csv' "... the change the PRT may see arrives"
unlike "$(cat sse1.txt)" "\"record\":$MRRD1" "... the change of a record it may not see does not"
FIRST=$(sed -n 's/^id: //p' sse1.txt | head -1)
# resume: a reconnect with Last-Event-ID gets what came after, and nothing before
"$CONCORD" import 3w "$D/cell.csv" --source cell-third.csv >/dev/null
curl -s -N -m 2 -H "Authorization: Bearer $T_isaf" -H 'Accept: text/event-stream' \
	-H "Last-Event-ID: $FIRST" "$URL/api/feed" >sse2.txt
like "$(cat sse2.txt)" 'cell-third.csv' "a reconnect with Last-Event-ID receives what it missed"
unlike "$(cat sse2.txt)" "^id: $FIRST\$" "... and not the event it already had"
req badcur "$T_isaf" -H 'Accept: text/event-stream' -H 'Last-Event-ID: yesterday' "$URL/api/feed"
is "$STATUS" 400 "a malformed Last-Event-ID is a 400"

# the server stops while a subscriber listens
curl -s -N -H "Authorization: Bearer $T_out" -H 'Accept: text/event-stream' "$URL/api/feed" >sse3.txt &
C3=$!
sleep 0.5
kill -TERM "$PID"
wait "$PID"
is "$?" 0 "the server stops on SIGTERM, with a stream open"
wait "$C3"
like "$(cat sse3.txt)" '^: concord feed' "... the open stream had started and has ended"
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies after the marking changes"
is "$(q "SELECT count(*) FROM change WHERE tbl = 'activity' AND detail LIKE 'marking:%'")" 4 \
	"each marking change is in the audit log"
is "$(q "SELECT group_concat(who, ' ') FROM (SELECT who FROM change WHERE detail LIKE 'marking:%' ORDER BY id) AS sub")" \
	"api:aada api:aada api:unicef cli cli" "... by who made it: the API's user, or the command line"

# ---- do no harm: exact sites are for the partners by default, and retention redacts ----
is "$(q "SELECT group_concat(DISTINCT coalesce(geo_rel, '-')) FROM activity a JOIN source s ON s.id = a.source_id WHERE s.name = 'cell.csv'")" \
	"partners" "a public import's exact sites are marked partners unless said otherwise"
N_SITES=$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL")
run "$CONCORD" retention --sites 30 --at 2021-10-15 --dry-run
like "$OUT" "before 2021-09-15: $(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL AND coalesce(end_date, start_date) < $(day_number 2021-09-15)") would be redacted" \
	"retention --dry-run counts the sites of activities ended before the cut-off"
is "$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL")" "$N_SITES" "... and changes nothing"
"$CONCORD" feedback import "$TDATA/survey/feedback.csv" --personal name,phone >/dev/null
GIVERS=$(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL AND date < $(day_number 2021-06-01)")
run "$CONCORD" retention --sites 0 --personal 0 --at 2021-06-01
is "$RC" 0 "retention --sites --personal"
like "$OUT" "$GIVERS feedback givers" "... counts the givers it redacted"
is "$(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL AND date < $(day_number 2021-06-01)")" 0 \
	"... whose personal data is gone"
run "$CONCORD" retention --sites 0 --at 2031-01-01
is "$(q "SELECT count(*) FROM activity WHERE lat IS NOT NULL OR lon IS NOT NULL")" 0 "every site redacted once its activity is over"
is "$(q "SELECT count(*) FROM activity WHERE area_id IS NULL")" 0 "... the areas stay"
like "$(q "SELECT detail FROM change WHERE detail LIKE 'retention:%' ORDER BY id DESC LIMIT 1")" \
	"retention: exact sites" "each redaction is in the audit log"
run "$CONCORD" audit verify
is "$RC" 0 "... which still verifies"
done_testing
