#!/bin/sh
# Imports by upload: POST /api/imports/{kind} runs the importer `concord import` runs, in one
# transaction and idempotently, and answers the summary with every rejected row. The rejected
# rows are checked against the ones the command line prints for the same file into a second
# store, the stored rows against the file and the tables; the marking of an editor's upload,
# the roles, size limit and bad requests, and the audit log's actor.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
	skip "imports by upload" "curl or sqlite3 is not installed"
	done_testing
	exit 0
fi

setup() { # setup DB: a mission with areas, three members and their users
	CONCORD_DB="$1" "$CONCORD" init --mission AFG --country AFG >/dev/null
	CONCORD_DB="$1" "$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	CONCORD_DB="$1" "$CONCORD" member add AADA --kind ngo >/dev/null
	CONCORD_DB="$1" "$CONCORD" member add UNICEF --kind un >/dev/null
}
setup "$WORK/other.db"
export CONCORD_DB="$WORK/concord.db"
setup "$CONCORD_DB"
for u in aada:AADA:editor view:AADA:viewer unicef:UNICEF:coordinator; do
	"$CONCORD" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}" >/dev/null
done
tok() { "$CONCORD" token create "$1" 2>/dev/null; }
T_aada=$(tok aada); T_view=$(tok view); T_unicef=$(tok unicef)
q() { sqlite3 concord.db "$1"; }

serve_start --threads 2
body() { # body FILE: {"content": the file's text} into up.json
	python3 -c 'import json, sys; json.dump({"content": open(sys.argv[1], encoding="utf-8").read()}, open("up.json", "w"))' "$1"
}
up() { # up NAME TOKEN KIND QUERY: uploads up.json; NAME.body, STATUS
	STATUS=$(curl -s -o "$1.body" -w '%{http_code}' -H "Authorization: Bearer $2" \
		-H 'Content-Type: application/json' --data-binary @up.json "$URL/api/imports/$3?$4")
}
js() { python3 -c "import json; j = json.load(open('$1.body')); print($2)"; }

# ---- a 3W file from an editor: its rows, its organisation's, marked as asked ----
body "$TDATA/sharing/aada.csv"
up a1 "$T_view" 3w "name=aada.csv"
is "$STATUS" 403 "a viewer may not import"
up a2 "$T_aada" 3w "name=aada.csv&releasability=partners"
is "$STATUS" 200 "an editor uploads a 3W file"
rows=$(($(wc -l <"$TDATA/sharing/aada.csv") - 2))
is "$(js a2 '[j["read"], j["added"], j["rejected"], j["stored"]]')" "[$rows, $rows, 0, True]" \
	"... every data row of the file read and added"
is "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT a.releasability) || ' ' || group_concat(DISTINCT o.key) FROM activity a JOIN source s ON s.id = a.source_id LEFT JOIN organisation o ON o.id = a.owner_id WHERE s.name = 'aada.csv'")" \
	"$rows partners local:AADA" "... stored under the given name, marked partners, held by the editor's organisation"
is "$(q "SELECT DISTINCT who FROM change WHERE detail LIKE '%aada.csv%'")" "api:aada" "... the import in the audit log by the API user"
snap() { q "SELECT group_concat(id || ':' || hex(digest) || ':' || releasability || ':' || ifnull(owner_id, 0), ',') FROM activity"; }
before=$(snap)
n_change=$(q "SELECT count(*) FROM change")
up a3 "$T_aada" 3w "name=aada.csv&releasability=partners"
is "$STATUS $(js a3 'j["added"] + j["updated"] + j["removed"]')" "200 0" "the same file again: nothing added, updated or removed"
is "$(snap) $(q "SELECT count(*) FROM change")" "$before $n_change" "... the store and the audit log unchanged"
up a4 "$T_aada" 3w "name=unicef.csv&owner=UNICEF"
is "$STATUS" 403 "an editor may not upload rows for another organisation"
body "$TDATA/sharing/unicef.csv"
up a5 "$T_unicef" 3w "name=unicef.csv&owner=UNICEF&releasability=org"
is "$STATUS $(q "SELECT group_concat(DISTINCT a.releasability) FROM activity a JOIN source s ON s.id = a.source_id WHERE s.name = 'unicef.csv'")" \
	"200 org" "a coordinator uploads for an organisation it names"

# ---- rejected rows: the same as the command line's, as JSON ----
body "$TDATA/indicators/indicators.csv"
up i1 "$T_aada" indicators "name=indicators.csv"
is "$STATUS $(js i1 'j["added"]') $(q "SELECT count(*) FROM indicator")" \
	"200 $(($(wc -l <"$TDATA/indicators/indicators.csv") - 1)) $(($(wc -l <"$TDATA/indicators/indicators.csv") - 1))" \
	"indicators uploaded: one per data row"
CONCORD_DB="$WORK/other.db" "$CONCORD" import indicators "$TDATA/indicators/indicators.csv" >/dev/null
CONCORD_DB="$WORK/other.db" "$CONCORD" import observations "$TDATA/indicators/observations_bad.csv" >cli.out 2>cli.err
cli_rc=$?
# "FILE:LINE: FIELD: reason" → "LINE FIELD" per rejected row
cli_rejects=$(sed -n 's/^[^:]*:\([0-9][0-9]*\): \([a-z_]*\): .*/\1 \2/p' cli.err | sort -n | tr '\n' ';')
n_ob=$(q "SELECT count(*) FROM observation")
body "$TDATA/indicators/observations_bad.csv"
up o1 "$T_aada" observations "name=obs.csv&strict=1"
is "$STATUS" 422 "strict upload with rejected rows: 422"
is "$(js o1 '";".join("%d %s" % (r["line"], r["field"]) for r in sorted(j["rejects"], key=lambda r: r["line"])) + ";"')" \
	"$cli_rejects" "... every rejected row, with line and field, as the command line reports them"
is "$(js o1 'all(r["message"] for r in j["rejects"]) and j["rejected"] == len(j["rejects"])') $(q "SELECT count(*) FROM observation")" \
	"True $n_ob" "... each with its message; nothing stored"
up o2 "$T_aada" observations "name=obs.csv"
n_rej=$(printf '%s' "$cli_rejects" | tr ';' '\n' | grep -c .)
is "$STATUS $(js o2 'j["rejected"], j["stored"]') $cli_rc" "200 $n_rej True 3" \
	"the same without strict: 200, stored with its rows rejected (the command line's exit status 3)"
is "$(q "SELECT count(*) FROM observation")" "$((n_ob + $(js o2 'j["added"]')))" "... the good rows stored"
is "$(js o2 'j["added"] + j["rejected"]')" "$(js o2 'j["read"]')" "... every row either stored or rejected, none lost"

# ---- survey and feedback: their own arguments, personal data kept apart ----
body "$TDATA/survey/wave1.csv"
up s1 "$T_aada" survey "name=wave1.csv&wave=2021-03&weight=wt&area_column=province&personal=name,phone"
is "$STATUS $(js s1 'j["added"], j["rejected"]')" "200 11 0" "a survey wave uploaded with its wave, weight, area column and personal columns"
CONCORD_DB="$WORK/other.db" "$CONCORD" import survey "$TDATA/survey/wave1.csv" --wave 2021-03 --weight wt \
	--area-column province --personal name,phone >/dev/null
qo() { sqlite3 other.db "$1"; }
resp="SELECT group_concat(wave || ':' || key || ':' || weight || ':' || ifnull(area_id, 0) || ':' || (personal IS NOT NULL), ',') FROM (SELECT * FROM survey_respondent ORDER BY key) AS sub"
is "$(q "$resp")" "$(qo "$resp")" "... the same respondents, weights, areas and kept-apart personal data as the command line stores"
ans="SELECT count(*) || ':' || total(value) FROM survey_answer"
is "$(q "$ans")" "$(qo "$ans")" "... and the same answers"
body "$TDATA/survey/feedback.csv"
up f1 "$T_aada" feedback "name=feedback.csv&personal=name,phone"
is "$STATUS $(js f1 'j["added"]') $(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL") $(q "SELECT count(*) FROM feedback WHERE text LIKE '%+00 000%'")" \
	"200 $(($(wc -l <"$TDATA/survey/feedback.csv") - 1)) $(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL") 0" \
	"feedback uploaded with its personal columns kept apart"
is "$(($(q "SELECT count(*) FROM feedback WHERE giver IS NOT NULL") > 0))" 1 "... some givers' data kept, in their own column"
up f2 "$T_aada" 3w "name=x.csv&wave=1"
is "$STATUS $(js f2 'j["error"]["field"]')" "400 wave" "an argument of another kind's import: 400 naming it"

# ---- bad requests ----
body "$TDATA/sharing/aada.csv"
up b1 "$T_aada" tanks "name=x.csv"
is "$STATUS $(js b1 'j["error"]["field"]')" "404 kind" "an unknown kind: 404 naming kind"
up b2 "$T_aada" 3w "name=../../etc/x.csv"
is "$STATUS $(js b2 'j["error"]["field"]')" "400 name" "a name that is not a plain file name: 400"
up b3 "$T_aada" indicators "name=i.csv&releasability=org"
is "$STATUS $(js b3 'j["error"]["field"]')" "400 releasability" "a marking on an import that takes none: 400"
up b4 "$T_aada" 3w "name=x.csv&colour=red"
is "$STATUS $(js b4 'j["error"]["field"]')" "400 colour" "an unknown query argument: 400"
STATUS=$(curl -s -o b5.body -w '%{http_code}' -H "Authorization: Bearer $T_aada" --data-binary '{"file": "x"}' "$URL/api/imports/3w?name=x.csv")
is "$STATUS $(js b5 'j["error"]["field"]')" "400 body" "a body without content: 400 naming body"
STATUS=$(curl -s -o b6.body -w '%{http_code}' -H "Authorization: Bearer $T_aada" -H 'Content-Type: text/csv' --data-binary @"$TDATA/sharing/aada.csv" "$URL/api/imports/3w?name=aada.csv&releasability=partners")
is "$STATUS $(js b6 '[j["read"], j["added"] + j["updated"] + j["removed"]]')" "200 [$rows, 0]" \
	"the same file sent as it is (Content-Type: text/csv): read whole, nothing changed"
printf '#org,#activity\n' >raw-bad.csv
STATUS=$(curl -s -o b6b.body -w '%{http_code}' -H "Authorization: Bearer $T_aada" -H 'Content-Type: text/csv' --data-binary @raw-bad.csv "$URL/api/imports/3w?name=y.csv")
is "$STATUS $(js b6b 'j["error"]["code"]')" "400 EPARSE" "a raw CSV body without a usable header: 400 with the importer's error"
python3 -c 'import json; json.dump({"content": "x" * (1 << 20)}, open("big.json", "w"))'
STATUS=$(curl -s -o b7.body -w '%{http_code}' -H "Authorization: Bearer $T_aada" --data-binary @big.json "$URL/api/imports/3w?name=big.csv")
is "$STATUS" 413 "an upload over the server's body limit: 413"
printf 'Organisation,Activity\nAADA,x\n' >nohxl.csv
body nohxl.csv
n_act=$(q "SELECT count(*) FROM activity")
up b8 "$T_aada" 3w "name=nohxl.csv"
is "$STATUS $(q "SELECT count(*) FROM activity") $(q "SELECT count(*) FROM source WHERE name = 'nohxl.csv'")" \
	"400 $n_act 0" "a file the importer refuses as a whole: 400, nothing stored"
is "$(js b8 'bool(j["error"]["message"])')" True "... saying why"
# a header and nothing else is refused whole for every kind, as `concord import` refuses it
# (the events and indicator readers take such a file as one of no rows; the route checks)
head -1 "$ROOT/data/cases/afghanistan/ucdp_ged_v23_1_afg.csv" >ev-header.csv
head -1 "$TDATA/indicators/indicators.csv" >ind-header.csv
head -1 "$TDATA/indicators/benchmarks.csv" >bm-header.csv
head -1 "$TDATA/indicators/observations.csv" >ob-header.csv
printf 'key,title,observation,pillars,date,status\n' >les-header.csv
n_src=$(q "SELECT count(*) FROM source")
n_les=$(q "SELECT count(*) FROM lesson")
for h in events:ev-header.csv indicators:ind-header.csv benchmarks:bm-header.csv \
	observations:ob-header.csv lessons:les-header.csv; do
	k=${h%%:*} f=${h#*:}
	body "$f"
	up "h-$k" "$T_aada" "$k" "name=$f"
	is "$STATUS $(js "h-$k" '[j["error"]["code"], j["error"]["message"]]')" \
		"400 ['EPARSE', 'no rows after the header']" "$k: a header-only upload is refused: 400 saying so"
done
is "$(q "SELECT count(*) FROM source") $(q "SELECT count(*) FROM lesson")" "$n_src $n_les" \
	"... and nothing of them stored"
is "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'concord-upload-*' -newer srv.out 2>/dev/null | wc -l)" 0 "no upload left behind in the temporary directory"
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies"

kill "$PID"
wait "$PID" 2>/dev/null
done_testing
