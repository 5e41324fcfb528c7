#!/bin/sh
# The registry, webhooks and the batched 3W import on PostgreSQL against SQLite: the same
# mission on both backends, a server on each; every kind of record the registry API reads,
# page by page and one by one, for three callers, compared byte for byte (bodies and versions),
# also after markings changed; organisations created and changed with If-Match; records
# removed (and a removed incident imported again); webhooks registered, listed and removed as
# on SQLite, and a delivery after a change on PostgreSQL, signed, with the entry the feed shows
# the subscriber. Then a generated 3W of 50,000 rows (more than 2,000 a statement) imported,
# imported again in another order and changed, with the same answers and the same rows (ids,
# keys, digests, batches, lines, values) as on SQLite. Skips, saying why, where PostgreSQL is
# missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
cd "$WORK" || exit 1

for c in curl python3 sqlite3; do
	command -v $c >/dev/null 2>&1 || pg_skip_all "$c is not installed"
done
pg_start
PG=$PGURI
SQ=$WORK/s.db

both() { # both ARGS...: runs concord on SQLite (SOUT, SERR, SRC) and PostgreSQL (OUT, ERR, RC)
	run "$CONCORD" -d "$SQ" "$@"
	SOUT=$OUT SERR=$ERR SRC=$RC
	run "$CONCORD" -d "$PG" "$@"
}
same() { # same DESCRIPTION: PostgreSQL said (stdout and stderr) and exited what SQLite did
	if [ "$OUT" = "$SOUT" ] && [ "$ERR" = "$SERR" ] && [ "$RC" = "$SRC" ]; then
		ok "$1"
	else
		not_ok "$1" "SQLite ($SRC): $(printf '%s\n' "$SOUT" "$SERR" | head -5)
PostgreSQL ($RC): $(printf '%s\n' "$OUT" "$ERR" | head -5)"
	fi
}
sq() { sqlite3 "$SQ" "$1"; }

# ---- the same mission on both ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" 0/0 "init on both"
is "$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'webhook'")/$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'webhook_delivery'")" \
	"$(sq "select group_concat(name, ',') from pragma_table_info('webhook')")/$(sq "select group_concat(name, ',') from pragma_table_info('webhook_delivery')")" \
	"webhook and webhook_delivery: SQLite's columns in SQLite's order"
both import areas "$CASE/afg_global_pcodes_subset.csv"
for m in AADA:ngo ISAF-PRT:military UNICEF:un; do
	both member add "${m%%:*}" --kind "${m##*:}"
done
both import indicators "$TDATA/indicators/indicators.csv"
both import benchmarks "$TDATA/indicators/benchmarks.csv"
both import observations "$TDATA/indicators/observations.csv"
same "indicators, benchmarks and observations imported as on SQLite"
both import needs "$TDATA/needs/afg_hno_2024_hxl_excerpt.csv"
same "needs imported as on SQLite"
both import events "$TDATA/events/acled_synthetic.csv"
same "incidents imported as on SQLite"
both import 3w "$TDATA/sharing/aada.csv" --owner AADA --releasability partners
same "a 3W of a partner imported as on SQLite"
# lessons, feedback and survey responses: where this tree has their domains on PostgreSQL
# (then on SQLite too, so that both stores keep the same records)
EXTRA=""
extra() { # extra KIND ARGS...: the import on PostgreSQL, then on SQLite if it worked there
	k=$1
	shift
	run "$CONCORD" -d "$PG" "$@"
	if [ "$RC" = 0 ]; then
		PRC=$RC POUT=$OUT PERR=$ERR
		run "$CONCORD" -d "$SQ" "$@"
		SOUT=$OUT SERR=$ERR SRC=$RC OUT=$POUT ERR=$PERR RC=$PRC
		same "$k imported as on SQLite"
		EXTRA="$EXTRA $k"
	else
		skip "$k" "not on PostgreSQL in this tree: $(printf '%s' "$ERR" | head -1)"
	fi
}
extra lessons lesson import "$ROOT/data/lessons/afg-001.md" "$ROOT/data/lessons/afg-002.md"
extra feedback feedback import "$TDATA/survey/feedback.csv" --personal name,phone
extra survey-responses import survey "$TDATA/survey/wave1.csv" --wave 2021-03 --weight wt \
	--area-column province --personal name,phone
for u in aada:AADA:editor isaf:ISAF-PRT:viewer unicef:UNICEF:coordinator; do
	both user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" --role "${u##*:}"
done
for u in aada isaf unicef; do
	"$CONCORD" -d "$SQ" token create "$u" >>sq.tokens 2>/dev/null
	"$CONCORD" -d "$PG" token create "$u" >>pg.tokens 2>/dev/null
done
is "$(wc -l <sq.tokens) $(wc -l <pg.tokens)" "3 3" "users and tokens on both"
tokof() { sed -n "$2p" "$1.tokens"; } # tokof sq|pg N (1 aada, 2 isaf, 3 unicef)

mkdir s p
start_in() { # start_in DIR STORE: a server whose PID and URL land in DIR/pid and DIR/url
	(cd "$1" && serve_start -d "$2" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
}
start_in s "$SQ"
start_in p "$PG"
SURL=$(cat s/url) PURL=$(cat p/url)
R1=
trap 'kill $R1 $(cat s/pid p/pid 2>/dev/null) 2>/dev/null; pg_stop; rm -rf "$WORK"' EXIT
ok "a server on each store"

# call N PATH [CURL ARGS]: the same request to both servers as caller N; bodies in sq.body and
# pg.body, the status line and version (ETag) in sq.head and pg.head
call() {
	n=$1 path=$2
	shift 2
	for b in sq pg; do
		url=$SURL
		[ $b = pg ] && url=$PURL
		curl -s -o $b.body -D $b.hdr -H "Authorization: Bearer $(tokof $b "$n")" "$@" "$url$path"
		grep -i '^HTTP/\|^etag:' $b.hdr | tr -d '\r' >$b.head
	done
}
agree() { # agree DESCRIPTION: both servers answered the same status, version and body
	if cmp -s sq.body pg.body && cmp -s sq.head pg.head; then
		ok "$1"
	else
		not_ok "$1" "SQLite:     $(cat sq.head) $(head -c 300 sq.body)
PostgreSQL: $(cat pg.head) $(head -c 300 pg.body)"
	fi
}

# ---- reads: every kind on PostgreSQL, page by page and one by one, for three callers ----
KINDS="missions organisations needs incidents indicators benchmarks observations"
# every page of KIND for caller N (2 a page, the long lists 25) on both; pages concatenated in
# N-KIND.sq and N-KIND.pg
pages() {
	after="" k=0 lim=2
	case $2 in needs | incidents | observations | feedback | survey-responses) lim=25 ;; esac
	: >"$1-$2.sq"
	: >"$1-$2.pg"
	while [ $k -lt 400 ]; do
		call "$1" "/api/$2?limit=$lim$after"
		cat sq.body >>"$1-$2.sq"
		cat pg.body >>"$1-$2.pg"
		cmp -s sq.body pg.body || return 1
		next=$(python3 -c 'import json, sys; n = json.load(open("pg.body")).get("next"); print("" if n is None else n)')
		[ -n "$next" ] || return 0
		after="&after=$next" k=$((k + 1))
	done
	return 1
}
for n in 3 2 1; do
	for kind in $KINDS $EXTRA; do
		if pages $n $kind; then
			ok "GET /api/$kind as caller $n, page by page: PostgreSQL answers SQLite's pages"
		else
			not_ok "GET /api/$kind as caller $n, page by page" "$(head -c 300 sq.body)
$(head -c 300 pg.body)"
		fi
	done
done
count() { python3 -c 'import sys; print(sum(open(sys.argv[1]).read().count(x) for x in ("\"id\":",)))' "$1"; }
is "$(count 3-needs.pg) $(count 3-incidents.pg) $(count 3-observations.pg) $(count 3-organisations.pg)" \
	"$(sq "select count(*) from need") $(sq "select count(*) from incident") $(sq "select count(*) from observation") $(sq "select count(*) from organisation")" \
	"... the coordinator's pages hold every need, incident, observation and organisation"
# one record at a time, with its version, for the first and last of each kind
for kind in needs incidents indicators benchmarks observations organisations; do
	t=$(python3 -c "import sys; print({'needs':'need','incidents':'incident','indicators':'indicator','benchmarks':'benchmark','observations':'observation','organisations':'organisation'}['$kind'])")
	for id in $(sq "select min(id) from $t") $(sq "select max(id) from $t"); do
		call 2 "/api/$kind/$id"
		agree "GET /api/$kind/$id as a military viewer: the same answer and version"
	done
done
call 1 "/api/needs/999999"
agree "a missing record answers alike"

# ---- markings: the same changes on both, read by each caller ----
NEED=$(sq "select min(id) from need") IND=$(sq "select id from indicator where code = 'POL-TRAINED'")
INC=$(sq "select min(id) from incident")
call 3 "/api/needs/$NEED/marking" -X PUT -H "If-Match: *" -d '{"releasability":"org"}'
agree "PUT /api/needs/{id}/marking"
call 3 "/api/indicators/$IND/marking" -X PUT -H "If-Match: *" -d '{"releasability":"partners","deny":["military"]}'
agree "PUT /api/indicators/{id}/marking (an indicator's marking is its benchmarks' and observations')"
call 3 "/api/incidents/$INC/marking" -X PUT -H "If-Match: *" -d '{"releasability":"org","owner":"AADA"}'
agree "PUT /api/incidents/{id}/marking"
for n in 1 2; do
	for kind in needs incidents indicators benchmarks observations; do
		pages $n $kind
		if cmp -s "$n-$kind.sq" "$n-$kind.pg"; then
			ok "after the markings, GET /api/$kind as caller $n answers as on SQLite"
		else
			not_ok "after the markings, GET /api/$kind as caller $n" "$(diff "$n-$kind.sq" "$n-$kind.pg" | head -4)"
		fi
	done
done
is "$(grep -c '"indicator":"POL-TRAINED"' 2-observations.pg) $(count 2-observations.pg)" \
	"0 $(sq "select count(*) from observation where indicator_id <> $IND")" \
	"... the military viewer sees every observation but those of the indicator denied to it"
call 2 "/api/indicators/$IND"
agree "a record the viewer may not see answers like a missing one"
is "$(head -1 pg.head | cut -d' ' -f2)" 404 "... 404"
call 1 "/api/incidents/$INC"
agree "... and the owner it was given reads it"

# ---- organisations: created, changed with If-Match ----
NEW='{"key": "local:HALO", "name": "The HALO Trust", "kind": "ngo", "type": "21", "local": false, "nation": "GBR"}'
call 3 "/api/organisations" -X POST -d "$NEW"
agree "POST /api/organisations"
is "$(head -1 pg.head | cut -d' ' -f2)" 201 "... created"
ORG=$(python3 -c 'import json; print(json.load(open("pg.body"))["id"])')
call 3 "/api/organisations/$ORG"
V=$(python3 -c 'import json; print(json.load(open("pg.body"))["version"])')
is "$V" "$(python3 -c 'import json; print(json.load(open("sq.body"))["version"])')" "... its version as on SQLite"
call 3 "/api/organisations/$ORG" -X PUT -H "If-Match: \"$V\"" -d '{"key": "local:HALO", "name": "HALO", "kind": "ngo", "local": true}'
agree "PUT /api/organisations/{id} with the version read"
call 3 "/api/organisations/$ORG" -X PUT -H "If-Match: \"$V\"" -d '{"key": "local:HALO", "name": "Again", "kind": "ngo"}'
agree "... again with the old version: refused alike"
is "$(head -1 pg.head | cut -d' ' -f2)" 412 "... 412"
call 3 "/api/organisations" -X POST -d "$NEW"
agree "... a second organisation of the same key refused alike"

# ---- removals ----
OBS=$(sq "select max(id) from observation") BEN=$(sq "select min(id) from benchmark")
INC2=$(sq "select max(id) from incident")
for r in "needs/$(sq "select max(id) from need")" "observations/$OBS" "benchmarks/$BEN" "incidents/$INC2" "indicators/$IND"; do
	call 3 "/api/$r" -X DELETE
	agree "DELETE /api/$r"
	call 3 "/api/$r"
	agree "... then GET /api/$r answers 404 alike"
done
for k in $EXTRA; do # the first lesson, feedback and survey response, where they are here
	t=$(case $k in lessons) echo lesson ;; feedback) echo feedback ;; *) echo survey_respondent ;; esac)
	r="$k/$(sq "select min(id) from $t")"
	call 3 "/api/$r"
	agree "GET /api/$r: the same answer and version"
	call 3 "/api/$r" -X DELETE
	agree "DELETE /api/$r"
	is "$(psql cc "select count(*) from $t")" "$(sq "select count(*) from $t")" "... the same $t records left"
done
case $EXTRA in *survey-responses*)
	is "$(psql cc "select count(*) from survey_answer")" "$(sq "select count(*) from survey_answer")" \
		"... and the removed response's answers with it" ;;
esac
call 2 "/api/needs/$NEED" -X DELETE
agree "a viewer may not remove"
call 3 "/api/missions/1" -X DELETE
agree "a mission is never removed"
is "$(psql cc "select count(*) from need")/$(psql cc "select count(*) from observation")/$(psql cc "select count(*) from benchmark")/$(psql cc "select count(*) from indicator")/$(psql cc "select count(*) from incident")/$(psql cc "select count(*) from incident_key")" \
	"$(sq "select count(*) from need")/$(sq "select count(*) from observation")/$(sq "select count(*) from benchmark")/$(sq "select count(*) from indicator")/$(sq "select count(*) from incident")/$(sq "select count(*) from incident")" \
	"the same records are left on both (an incident's key goes with it)"
both import events "$TDATA/events/acled_synthetic.csv" --source acled-again
same "the removed incident comes back with an import, as on SQLite"
is "$(psql cc "select count(*) from incident")" "$(sq "select count(*) from incident")" "... once"
both audit verify
OUT=$(printf '%s' "$OUT" | sed 's/, head .*//') SOUT=$(printf '%s' "$SOUT" | sed 's/, head .*//')
same "audit verify: as many entries as on SQLite (the hashes hold the times)"

# ---- webhooks ----
cat >receiver.py <<'EOF'
import http.server, json, os, sys
log, port_file = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(log, "a") as f:
            f.write(json.dumps({"event": self.headers.get("X-Concord-Event-Id"),
                                "signature": self.headers.get("X-Concord-Signature"),
                                "body": body.decode()}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOF
: >r1.log
python3 receiver.py r1.log r1.port &
R1=$!
i=0
while [ $i -lt 100 ] && ! [ -s r1.port ]; do sleep 0.1; i=$((i + 1)); done
P1=$(cat r1.port)
both webhook add "http://127.0.0.1:$P1/hook" --org ISAF-PRT
is "$RC/$SRC" 0/0 "webhook add on both"
SECRET=$OUT
like "$SECRET" '^[0-9a-f]\{64\}$' "... a secret of 64 hex digits"
both webhook add "http://192.0.2.1/hook" --org AADA
same "a host that is not the loopback is refused alike"
both webhook add "http://127.0.0.1/hook" --org NOBODY
same "an unknown organisation is refused alike"
both webhook add "http://127.0.0.1:9/x" --org AADA
both webhook list
# the list without the time of registration (the last column) and the cursor before it: each
# server's deliverer moves a cursor past entries of other organisations when its poll comes
# round, so the two backends' cursors may differ by that poll here (checked after, settled)
cut_cursor() { printf '%s\n' "$1" | awk -F'\t' 'BEGIN { OFS = "\t" } { NF -= 2; print }'; }
is "$(cut_cursor "$OUT")" "$(cut_cursor "$SOUT")" "webhook list: as on SQLite (ids, organisations, states)"
ID1=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:ISAF-PRT" { print $1 }')
ID2=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:AADA" { print $1 }')
both webhook remove "$ID2"
same "webhook remove"
both webhook remove "$ID2"
same "... twice: refused alike"
is "$(psql cc "select active from webhook where id = $ID2")" 0 "... the row stays, inactive"
# the server skips the entries the organisation may not see (the webhooks' own) at its pace
i=0
while [ $i -lt 100 ] && [ "$(psql cc "select cursor from webhook where id = $ID1")" != "$(psql cc "select max(id) from change")" ]; do
	sleep 0.1
	i=$((i + 1))
done
C0=$(psql cc "select cursor from webhook where id = $ID1")
is "$C0" "$(psql cc "select max(id) from change")" \
	"the cursor of the webhook is past every entry so far (none for its organisation)"
call 1 "/api/webhooks"
hooks() { python3 -c 'import json, sys; print([(w["id"], w["org"], w["url"], w["cursor"], w["active"]) for w in json.load(open(sys.argv[1]))["webhooks"]])' "$1"; }
is "$(head -1 pg.head) $(hooks pg.body)" "$(head -1 sq.head) $(hooks sq.body)" \
	"GET /api/webhooks (an organisation's own, removed ones too) answers as on SQLite (but the time)"
like "$(cat pg.body)" '"active":false' "... the removed one inactive"
# a change the subscriber may see, made while the PostgreSQL server runs (and on SQLite too,
# whose server is stopped first: it would deliver to the same receiver)
kill $(cat s/pid)
both import 3w "$TDATA/sharing/cell.csv"
same "a 3W imported while the servers run"
"$CONCORD" -d "$PG" --as ISAF-PRT watch --after "$C0" --once --json >want1.jsonl
N1=$(wc -l <want1.jsonl)
i=0
while [ $i -lt 300 ] && [ "$(wc -l <r1.log)" -lt "$N1" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
is "$(wc -l <r1.log)" "$N1" "the receiver got every entry the subscriber may see ($N1)"
python3 - "$SECRET" >check.out <<'EOF'
import hashlib, hmac, json, sys
secret = sys.argv[1].encode()
want = [json.loads(l) for l in open("want1.jsonl")]
got = [json.loads(l) for l in open("r1.log")]
bad = []
for w, g in zip(want, got):
    b = json.loads(g["body"])
    if b != w or str(w["id"]) != g["event"]:
        bad.append("entry %s differs" % w["id"])
    sig = "sha256=" + hmac.new(secret, g["body"].encode(), hashlib.sha256).hexdigest()
    if g["signature"] != sig:
        bad.append("entry %s: bad signature" % w["id"])
print("ok" if want and not bad else "; ".join(bad) or "nothing delivered")
EOF
is "$(cat check.out)" ok "... each the feed's entry, in order, signed with the secret"
i=0
while [ $i -lt 100 ] && [ "$(psql cc "select cursor from webhook where id = $ID1")" != "$(psql cc "select max(id) from change")" ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(psql cc "select cursor >= $(python3 -c 'import json; print([json.loads(l) for l in open("want1.jsonl")][-1]["id"])' 2>/dev/null || echo 0) and cursor = (select max(id) from change) from webhook where id = $ID1")" t \
	"... the cursor moved past the last one delivered, to the newest entry"
run "$CONCORD" -d "$PG" webhook deliveries "$ID1"
is "$(printf '%s\n' "$OUT" | grep -c .)" "$N1" "webhook deliveries: one attempt an entry"
is "$(psql cc "select count(*) from webhook_delivery where webhook_id = $ID1 and status = 200 and attempt = 1")" "$N1" \
	"... each answered 200 at the first attempt"
kill $(cat p/pid) $R1 2>/dev/null
R1=

# ---- the batched 3W import: 50,000 generated rows ----
python3 "$ROOT/bench/import_3w/gen.py" -n 50000 big.csv >/dev/null 2>&1
python3 - <<'EOF'
import csv
with open("big.csv", newline="", encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
head, body = rows[:2], rows[2:]
# the same rows in another order: every row unchanged, on another line
with open("big_rev.csv", "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(head + body[::-1])
# a new version: every tenth row's activity in capitals (the same natural key, a new digest),
# every hundredth gone, 500 new rows
t = head[0].index("ACTIVITY")
with open("big_v2.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerows(head)
    for i, r in enumerate(body):
        if i % 100 == 99:
            continue
        if i % 10 == 0:
            r = r[:]
            r[t] = r[t].upper()
        w.writerow(r)
    a = head[0].index("ACTIVITY")
    for i in range(500):
        r = body[i][:]
        r[a] = "New activity %d" % i
        w.writerow(r)
EOF
is "$(wc -l <big.csv)" 50002 "a generated 3W of 50,000 rows"
# the rows themselves, in id order: the same on both
rows_of() {
	psql cc "select id, mission_id, source_id, encode(natkey, 'hex'), encode(digest, 'hex'), batch, line, kind, title, org_id, sector_id, area_id, start_date, end_date, releasability, owner_id, deny, shared from activity order by id" >pg.rows
	sq "select id, mission_id, source_id, lower(hex(natkey)), lower(hex(digest)), batch, line, kind, title, org_id, sector_id, area_id, start_date, end_date, releasability, owner_id, deny, shared from activity order by id" >sq.rows
	if cmp -s pg.rows sq.rows && [ -s sq.rows ]; then
		ok "$1"
	else
		not_ok "$1" "$(diff sq.rows pg.rows | head -6)"
	fi
}
both import 3w big.csv --source big
same "50,000 rows: the same report (added)"
like "$OUT" "added 50000" "... all added"
rows_of "... the same activities (ids, keys, digests, batches, lines, values)"
both import 3w big_rev.csv --source big
same "the same rows in another order: the same report"
like "$OUT" "unchanged 50000" "... every row unchanged"
rows_of "... the same activities, each with its new line"
both import 3w big_v2.csv --source big
same "a new version (5,000 changed, 500 removed, 500 new): the same report"
like "$OUT" "read 50000, added 500, updated 5000, removed 500, unchanged 44500, rejected 0" "... counted as written"
rows_of "... the same activities (the new ones with SQLite's ids)"
both coverage --level 1 --json
same "coverage of them as on SQLite"
is "$(psql cc "select count(*) from change where tbl = 'activity'")" "$(sq "select count(*) from change where tbl = 'activity'")" \
	"the change log has the imports' entries, as on SQLite"
both audit verify
OUT=$(printf '%s' "$OUT" | sed 's/, head .*//') SOUT=$(printf '%s' "$SOUT" | sed 's/, head .*//')
same "audit verify"

done_testing
