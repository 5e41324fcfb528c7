#!/bin/sh
# The lessons register, the missions' status rules and record edits on PostgreSQL against
# SQLite: the seed register imported on both, every read (list, show, evidence, search with its
# ranks and snippets, review of the sample plan, the report's lessons section) compared byte for
# byte, the rows compared with psql and sqlite3 (ids, keys, digests), re-imports that change
# nothing, a bad file that stores nothing, readers other than the operator, the status rule
# read by progress, and edits of an activity and a lesson through the API with If-Match.
# Skips, saying why, where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db
SEED="$ROOT/data/lessons"

both() { # both ARGS...: runs concord on SQLite (SOUT, SERR, SRC) and PostgreSQL (OUT, ERR, RC)
	run "$CONCORD" -d "$SQ" "$@"
	SOUT=$OUT SERR=$ERR SRC=$RC
	run "$CONCORD" -d "$PG" "$@"
}
same() { # same DESCRIPTION: PostgreSQL said (stdout and stderr) and exited what SQLite did
	if [ "$OUT" = "$SOUT" ] && [ "$ERR" = "$SERR" ] && [ "$RC" = "$SRC" ]; then
		ok "$1"
	else
		printf '%s\n' "$SOUT" "$SERR" >same.s
		printf '%s\n' "$OUT" "$ERR" >same.p
		not_ok "$1" "SQLite ($SRC), PostgreSQL ($RC):
$(diff same.s same.p | head -8)"
	fi
}
sq() { sqlite3 "$SQ" "$1"; }
rows() { # rows DESCRIPTION SQL [SQLITE-SQL]: the same rows on both, '|' between columns
	P=$(psql cc "$2") S=$(sq "${3:-$2}")
	if [ "$P" = "$S" ] && [ -n "$S" ]; then
		ok "$1"
	else
		printf '%s\n' "$S" >s.rows
		printf '%s\n' "$P" >p.rows
		not_ok "$1" "$(diff s.rows p.rows | head -6)"
	fi
}
# every column of the lessons, their evidence and the status rules, as text in both dialects
LESSON_ROW="id, coalesce(mission_id, 0), key, title, observation, coalesce(discussion, ''), coalesce(conclusion, ''), coalesce(recommendation, ''), coalesce(pillars, ''), coalesce(areas, ''), coalesce(tags, ''), coalesce(date, -1), coalesce(source, ''), status, coalesce(owner, ''), releasability, digest, coalesce(owner_id, 0), deny, shared"
lesson_rows() { # the same lessons and links on both
	rows "$1: the lesson rows (ids, keys, text, digests, markings)" \
		"select $LESSON_ROW from lesson order by id"
	rows "$1: the evidence rows" "select lesson_id, kind, ref from lesson_link order by lesson_id, kind, ref"
}
# the learning tables of PostgreSQL and the change log's length, as one hash
state() {
	psql cc "select md5(concat((select string_agg(t::text, ';' order by id) from lesson t), '/',
		(select string_agg(t::text, ';' order by lesson_id, kind, ref) from lesson_link t), '/',
		(select string_agg(t::text, ';' order by mission_id) from mission_status_rule t), '/',
		(select count(*) from change)))"
}

# ---- the schema ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" 0/0 "init on both"
for t in lesson lesson_link mission_status_rule; do
	is "$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = '$t'")" \
		"$(sq "select group_concat(name, ',') from pragma_table_info('$t')")" \
		"table $t: SQLite's columns in SQLite's order"
done

# ---- the seed register ----
N_MD=$(ls "$SEED"/*.md | wc -l | tr -d ' ')
both lesson import "$SEED"/*.md
is "$RC" 0 "the seed register imports on PostgreSQL"
same "... and reports as on SQLite"
is "$OUT" "read $N_MD, added $N_MD, updated 0, unchanged 0, rejected 0" "... every one of the $N_MD files added"
lesson_rows "the seed register"
is "$(psql cc "select count(*) from change where tbl = 'lesson' and op = 'insert'")" "$N_MD" \
	"each insert is in PostgreSQL's change log"
BEFORE=$(state)
both lesson import "$SEED"/*.md
same "importing again reports as on SQLite"
is "$OUT" "read $N_MD, added 0, updated 0, unchanged $N_MD, rejected 0" "... all unchanged"
is "$(state)" "$BEFORE" "... and changes nothing on PostgreSQL (rows and change log)"

# ---- reads ----
for args in "list" "list --pillar humanitarian" "list --status analysed" \
	"list --evidence report:sigar-22-23-ll" "list --evidence area:AF" "show AFG-001" \
	"show $(grep -l 'report:sigar-22-23-ll' "$SEED"/*.md | head -1 | xargs sed -n 's/^key: //p')" \
	"show NO-SUCH-KEY"; do
	# shellcheck disable=SC2086
	both lesson $args
	same "lesson $args: as on SQLite"
done

# ---- search: the same hits, order, ranks and snippets ----
for q in "police training" "reintegrating" "local capacity" "mentor*" "Timelines" \
	"elections --json --limit 100" "aid --pillar economy" "aid --status analysed --json" \
	"zzyzx" "security --json --limit 100"; do
	# shellcheck disable=SC2086
	both lesson search $q
	same "lesson search $q: as on SQLite"
done
both lesson search "conditions on the ground" --json
same "a phrase ('conditions on the ground'): as on SQLite"
N_HITS=$(printf '%s\n' "$OUT" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["hits"]))')
[ "$N_HITS" -ge 1 ] && ok "... it finds $N_HITS lessons" || not_ok "the phrase finds lessons" "$N_HITS"
both lesson search security --json --limit 100
RANKS=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
h = json.load(sys.stdin)["hits"]
r = [x["rank"] for x in h]
print(len(h), r == sorted(r), len(set(r)) > 1)')
is "$RANKS" "$(printf '%s\n' "$SOUT" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["hits"]))') True True" \
	"'security': the hits best first, with ranks that differ (so the order is tested)"
both lesson search '"' '('
same "a query with no word: the same usage error"
is "$RC" 2 "... exit status 2"
# a lesson in Dari (Arabic script), found by a word of it
both lesson add --key DARI-1 --title "شورای محلی و توزیع کمک" --observation "شوراهای محلی در توزیع کمک نقش داشتند؛ local shuras shaped aid." --pillar governance
same "a lesson in Dari added as on SQLite"
for q in "شورای" "کمک" "shuras"; do
	both lesson search "$q" --json
	same "lesson search $q (Arabic script): as on SQLite"
	like "$OUT" '"key":"DARI-1"' "... it finds the Dari lesson"
done

# ---- add and edit ----
both lesson add --title "Checkpoint police without pay" --observation "Salaries arrived months late." \
	--pillar security --tag police --tag pay --area AF01
same "lesson add without a key: as on SQLite (the same new key)"
NEWKEY=$(psql cc "select key from lesson order by id desc limit 1")
is "$NEWKEY" "$(sq 'select key from lesson order by id desc limit 1')" "... the same key ($NEWKEY)"
both lesson edit "$NEWKEY" --status implemented
same "skipping a status is refused as on SQLite"
is "$RC" 1 "... exit status 1"
both lesson edit "$NEWKEY" --status analysed --owner "Police advisory cell" --evidence report:sigar-22-23-ll
same "one status step, an owner and evidence: as on SQLite"
both lesson edit "$NEWKEY" --evidence area:AF9999
same "evidence not in the store is refused as on SQLite"
both lesson show "$NEWKEY"
same "the edited lesson shows as on SQLite"
both lesson search checkpoint salaries --json
same "... and is found as on SQLite"
lesson_rows "after add and edit"

# two writers at once on PostgreSQL: both store, one after the other, ids without a gap
MAXID=$(psql cc "select max(id) from lesson")
"$CONCORD" -d "$PG" lesson add --key RACE-1 --title "First writer" --observation "At once." >race1.out 2>&1 &
R1=$!
"$CONCORD" -d "$PG" lesson add --key RACE-2 --title "Second writer" --observation "At once." >race2.out 2>&1 &
R2=$!
wait $R1
E1=$?
wait $R2
is "$E1 $?" "0 0" "two lesson adds at once both succeed"
is "$(psql cc "select string_agg(id::text, ',' order by id) from lesson where key like 'RACE-%'")" \
	"$((MAXID + 1)),$((MAXID + 2))" "... with the next two ids"
# the same lessons on SQLite, in the order PostgreSQL gave them their ids
for k in $(psql cc "select key from lesson where key like 'RACE-%' order by id"); do
	"$CONCORD" -d "$SQ" lesson add --key $k --title "$( [ $k = RACE-1 ] && echo First || echo Second) writer" --observation "At once." >/dev/null
done

# ---- a bad file stores nothing ----
cp "$SEED/afg-001.md" good.md
sed -e 's/^key: .*/key: BAD-1/' -e 's/^pillars: .*/pillars: [nowhere]/' "$SEED/afg-002.md" >bad.md
BEFORE=$(state)
both lesson import good.md bad.md --strict
same "a bad file with --strict: reported as on SQLite"
is "$RC" 1 "... and refused"
is "$(state)" "$BEFORE" "... nothing stored on PostgreSQL"
is "$(psql cc "select count(*) from lesson where key = 'BAD-1'")/$(sq "select count(*) from lesson where key = 'BAD-1'")" \
	"0/0" "... on either store"
both lesson import good.md bad.md
same "without --strict: the bad file rejected, the rest unchanged, as on SQLite"

# ---- readers other than the operator ----
both lesson add --key PART-1 --title "Partners only: convoy routes" --observation "Routes shared with partners only." --pillar security --releasability partners
both lesson add --key ORG-1 --title "Our cell only: convoy schedule" --observation "Kept within the cell." --pillar security --releasability org
same "marked lessons added as on SQLite"
for who in public partners; do
	for args in "list" "search convoy --json" "show PART-1" "show ORG-1" \
		"list --evidence report:sigar-22-23-ll"; do
		# shellcheck disable=SC2086
		both --as $who lesson $args
		same "--as $who lesson $args: as on SQLite"
	done
done
run "$CONCORD" -d "$PG" --as public lesson search convoy --json
is "$(printf '%s\n' "$OUT" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["hits"]))')" 0 \
	"the public finds neither marked lesson"
run "$CONCORD" -d "$PG" --as partners lesson search convoy --json
is "$(printf '%s\n' "$OUT" | python3 -c 'import json, sys; print(" ".join(h["key"] for h in json.load(sys.stdin)["hits"]))')" "PART-1" \
	"the partners find the partners' lesson, not the cell's"

# ---- review of a plan and the report ----
both import areas "$CASE/afg_global_pcodes_subset.csv"
same "the areas import as on SQLite"
both import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" --period 2021-07-01/2021-09-30
is "$RC/$SRC" 3/3 "the 3W imports on both (its duplicate rows rejected)"
# organisations as readers: named sharing, an owner, a denied kind
for m in AADA:ngo WFP:un ISAF-PRT:military; do
	both member add "${m%%:*}" --kind "${m##*:}"
done
same "members added as on SQLite"
both mark lesson "$(psql cc "select id from lesson where key = 'ORG-1'")" --share WFP
same "the cell's lesson shared with WFP by name, as on SQLite"
both mark lesson "$(psql cc "select id from lesson where key = 'PART-1'")" --owner AADA
same "the partners' lesson given to AADA (military readers denied), as on SQLite"
rows "the marked lessons' rows" "select key, releasability, coalesce(owner_id, 0), deny, shared from lesson where key in ('ORG-1', 'PART-1') order by key"
for who in AADA WFP ISAF-PRT; do
	for args in "list" "search convoy --json" "show ORG-1" "show PART-1"; do
		# shellcheck disable=SC2086
		both --as $who lesson $args
		same "--as $who lesson $args: as on SQLite"
	done
done
for who in AADA:PART-1 WFP:ORG-1,PART-1 ISAF-PRT:; do
	run "$CONCORD" -d "$PG" --as "${who%%:*}" lesson search convoy --json
	is "$(printf '%s\n' "$OUT" | python3 -c 'import json, sys; print(",".join(sorted(h["key"] for h in json.load(sys.stdin)["hits"])))')" "${who#*:}" \
		"${who%%:*} finds ${who#*:}"
done

for args in "" "--json" "--disable R2,R6"; do
	# shellcheck disable=SC2086
	both review $args "$CASE/sample_plan.yaml"
	same "review ${args:+$args }of the sample plan: the findings and the ranked lessons as on SQLite"
done
both review --json "$CASE/sample_plan.yaml"
like "$OUT" '"lessons":\[{"key"' "... the review's findings list lessons"
# the report, the lessons dated in its period; each store's file apart
for s in "$SQ" "$PG"; do
	run "$CONCORD" -d "$s" report --format md --from 2001-10-01 --to 2021-12-31 -o "r$( [ "$s" = "$SQ" ] && echo s || echo p).md"
	[ "$RC" -eq 0 ] && ok "report --format md on $( [ "$s" = "$SQ" ] && echo SQLite || echo PostgreSQL)" ||
		not_ok "report --format md on $( [ "$s" = "$SQ" ] && echo SQLite || echo PostgreSQL)" \
			"exit $RC: $(printf '%s\n' "$ERR" | head -4)"
done
sed -n '/^## Lessons/,/^## /p' rs.md >lessons.s
sed -n '/^## Lessons/,/^## /p' rp.md >lessons.p 2>/dev/null
N_REP=$(grep -c 'AFG-0' lessons.s)
[ "$N_REP" -ge 1 ] && cmp -s lessons.s lessons.p &&
	ok "the report's lessons section as on SQLite ($N_REP lines name an Afghanistan lesson)" ||
	not_ok "the report's lessons section as on SQLite" "$(diff lessons.s lessons.p | head -6; head -5 lessons.s)"
# the whole report, but for the times the sources were imported
for w in s p; do
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/(time)/g' "r$w.md" >"r$w.notime" 2>/dev/null
done
if cmp -s rs.notime rp.notime; then
	ok "the whole report as on SQLite (but the import times)"
else
	not_ok "the whole report as on SQLite" "$(diff rs.notime rp.notime | head -6)"
fi

# ---- the mission's status rule and progress ----
both import indicators "$CASE/afg_wdi_indicators.csv"
both import observations "$CASE/afg_wdi_observations.csv"
both import benchmarks "$CASE/afg_benchmarks_illustrative.csv"
same "the WDI series and benchmarks import as on SQLite"
both progress --json
same "progress with the default rule: as on SQLite"
DEFAULT=$OUT
both mission set --on-track 0.8 --at-risk 0.5 --max-age 400 --alpha 0.1
same "mission set --on-track 0.8 --at-risk 0.5 --max-age 400 --alpha 0.1: as on SQLite"
rows "the status rule rows" \
	"select mission_id, cast(on_track * 1000 as integer), cast(at_risk * 1000 as integer), max_age_days, cast(alpha * 1000 as integer) from mission_status_rule"
both mission show --json
same "mission show --json: the rule as on SQLite"
both progress --json
same "progress under the mission's rule: as on SQLite"
[ "$OUT" != "$DEFAULT" ] && ok "... and the rule changed what progress says" ||
	not_ok "the rule changed what progress says" "the same output as with the defaults"
both progress --at 2010-12-31 --csv
same "progress --at 2010-12-31 --csv under the rule: as on SQLite"
both mission set --at-risk 0.95
same "an at-risk above on-track is refused as on SQLite"
like "$ERR" "at_risk 0.95 (mission) is above on_track 0.8 (mission)" "... saying why"
both mission set --on-track default --max-age default
same "thresholds back to the default: as on SQLite"
rows "... the same rule rows (NULL the default)" \
	"select mission_id, coalesce(cast(on_track * 1000 as integer), -1), cast(at_risk * 1000 as integer), coalesce(max_age_days, -1), cast(alpha * 1000 as integer) from mission_status_rule"
both progress --json
same "progress after going back: as on SQLite"

# ---- edits through the API (If-Match) ----
if command -v curl >/dev/null 2>&1; then
	for s in "$SQ" "$PG"; do
		"$CONCORD" -d "$s" member add AADA --kind ngo >/dev/null &&
			"$CONCORD" -d "$s" user add boss --org AADA --role coordinator >/dev/null &&
			"$CONCORD" -d "$s" token create boss 2>/dev/null >"tok$( [ "$s" = "$SQ" ] && echo s || echo p)"
	done
	mkdir ss pp
	(cd ss && serve_start -d "$SQ" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
	(cd pp && serve_start -d "$PG" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
	trap 'kill $(cat ss/pid pp/pid 2>/dev/null) 2>/dev/null; pg_stop; rm -rf "$WORK"' EXIT
	SURL=$(cat ss/url) PURL=$(cat pp/url) TS=$(cat toks) TP=$(cat tokp)
	norm() {
		python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("at", "took_ms", "request_id")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
try:
    print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))
except ValueError:
    print("not JSON")'
	}
	# api METHOD PATH [IF-MATCH BODY]: "STATUS BODY" from both servers into SAPI and PAPI
	api() {
		for w in s p; do
			if [ $w = s ]; then U=$SURL T=$TS; else U=$PURL T=$TP; fi
			if [ -n "${3:-}" ]; then
				curl -s -o api.body -w '%{http_code}' -X "$1" -H "Authorization: Bearer $T" \
					-H 'Content-Type: application/json' -H "If-Match: $3" -d "$4" "$U$2" >api.st
			else
				curl -s -o api.body -w '%{http_code}' -X "$1" -H "Authorization: Bearer $T" "$U$2" >api.st
			fi
			v="$(cat api.st) $(norm <api.body)"
			if [ $w = s ]; then SAPI=$v; else PAPI=$v; fi
		done
	}
	ver() { printf '%s\n' "$1" | cut -d' ' -f2- | python3 -c 'import json, sys; print("\"%s\"" % json.load(sys.stdin)["version"])'; }
	ID=$(psql cc "select min(id) from activity")
	api GET "/api/activities/$ID"
	is "$PAPI" "$SAPI" "GET /api/activities/$ID answers alike on both backends"
	VER=$(ver "$PAPI")
	api PUT "/api/activities/$ID" "$VER" '{"title": "Edited through the API", "reached": 1234}'
	is "$PAPI" "$SAPI" "PUT /api/activities/$ID with If-Match: the same answer on both"
	like "$PAPI" "^200 " "... 200"
	api PUT "/api/activities/$ID" "$VER" '{"title": "A stale edit"}'
	is "$PAPI" "$SAPI" "the same PUT with the old version: the same answer on both"
	like "$PAPI" "^412 " "... 412"
	rows "the edited activity's row as on SQLite" \
		"select id, title, cast(reached as integer), encode(natkey, 'hex'), encode(digest, 'hex') from activity where id = $ID" \
		"select id, title, cast(reached as integer), lower(hex(natkey)), lower(hex(digest)) from activity where id = $ID"
	is "$(psql cc "select count(*) from change where tbl = 'activity' and op = 'update' and record_id = $ID")" \
		"$(sq "select count(*) from change where tbl = 'activity' and op = 'update' and record_id = $ID")" \
		"... one change-log entry on each"
	# an observation: a new value, then the date of another of its series (409)
	OID=$(psql cc "select min(id) from observation")
	api GET "/api/observations/$OID"
	is "$PAPI" "$SAPI" "GET /api/observations/$OID answers alike on both backends"
	OVER=$(ver "$PAPI")
	api PUT "/api/observations/$OID" "$OVER" '{"value": 12.5, "confidence": "low"}'
	is "$PAPI" "$SAPI" "PUT /api/observations/$OID with If-Match: the same answer on both"
	like "$PAPI" '^200 .*"value": 12.5' "... 200, the new value"
	OTHER=$(psql cc "select b.id from observation a join observation b on b.indicator_id = a.indicator_id and coalesce(b.area_id, 0) = coalesce(a.area_id, 0) and b.id <> a.id where a.id = $OID order by b.id limit 1")
	api GET "/api/observations/$OTHER"
	ODATE=$(printf '%s\n' "$PAPI" | cut -d' ' -f2- | python3 -c 'import json, sys; print(json.load(sys.stdin)["period_end"])')
	api GET "/api/observations/$OID"
	api PUT "/api/observations/$OID" "$(ver "$PAPI")" "{\"period_end\": \"$ODATE\"}"
	is "$PAPI" "$SAPI" "PUT of another observation's date ($ODATE): the same answer on both"
	like "$PAPI" "^409 " "... 409"
	rows "the edited observation's row as on SQLite" \
		"select id, indicator_id, period_end, cast(value * 1000 as integer), confidence from observation where id = $OID"
	LID=$(psql cc "select id from lesson where key = 'AFG-001'")
	api GET "/api/lessons/$LID"
	is "$PAPI" "$SAPI" "GET /api/lessons/$LID answers alike on both backends"
	like "$PAPI" '^200 .*"key": "AFG-001"' "... the lesson"
	LVER=$(ver "$PAPI")
	api PUT "/api/lessons/$LID" "$LVER" '{"title": "Timelines set abroad", "observation": "Edited.", "status": "action-assigned"}'
	is "$PAPI" "$SAPI" "PUT /api/lessons/$LID with If-Match: the same answer on both"
	like "$PAPI" '^200 .*"status": "action-assigned"' "... 200, the status one step on"
	api PUT "/api/lessons/$LID" "$LVER" '{"title": "A stale edit", "observation": "Stale."}'
	is "$PAPI" "$SAPI" "... again with the old version: the same answer on both"
	like "$PAPI" "^412 " "... 412"
	lesson_rows "after the API's edits"
else
	skip "edits through the API" "curl is not installed"
fi

# ---- the change log ----
both audit verify
is "$RC/$SRC" 0/0 "the change log verifies on both"
is "$(psql cc "select count(*) from change where tbl in ('lesson', 'lesson_link')")" \
	"$(sq "select count(*) from change where tbl in ('lesson', 'lesson_link')")" \
	"as many lesson entries in both change logs"

done_testing
