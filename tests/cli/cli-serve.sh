#!/bin/sh
# The HTTP API: `concord serve` on 127.0.0.1 (port 0, read back from its first line) over the
# Afghanistan case loaded as `make demo` does. Every route's status and body, errors and their
# statuses, tokens (missing, wrong, revoked, expired), roles, body limits, the OpenAPI document
# against the route table, and a graceful SIGTERM while a slow client is mid-request. Expected
# values come from the input files, from python3 and sqlite3, or from the CLI's own command
# for the same library call (coverage).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "serve" "curl is not installed"
	done_testing
	exit 0
fi

GAZ="$CASE/afg_global_pcodes_subset.csv"
export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG-2021Q3 --country AFG >/dev/null
"$CONCORD" import areas "$GAZ" >/dev/null
"$CONCORD" import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" \
	--period 2021-07-01/2021-09-30 >/dev/null 2>&1

# ---- users and tokens on the command line ----
run "$CONCORD" user add amina --org UNICEF --role admin
is "$RC" 0 "user add (admin, organisation by name)"
run "$CONCORD" user add bo --org unicef --role viewer
is "$RC" 0 "user add (viewer)"
run "$CONCORD" user add bo --org UNICEF --role viewer
is "$RC" 1 "user add: a second 'bo' is refused"
like "$ERR" "user 'bo' exists" "... and says why"
run "$CONCORD" user add cy --org NO-SUCH-ORG --role viewer
is "$RC" 1 "user add: unknown organisation"
run "$CONCORD" user add cy --org UNICEF --role boss
is "$RC" 2 "user add: unknown role is a usage error"

token() { # token USER [ARGS]: prints the token; the id goes to $WORK/id
	"$CONCORD" token create "$@" 2>"$WORK/token.err"
	sed -n 's/^token \([0-9]*\) .*/\1/p' "$WORK/token.err" >"$WORK/id"
}
TA=$(token amina)
TV=$(token bo)
TR=$(token bo); RID=$(cat id)
TE=$(token bo --expires 1); EID=$(cat id)
is "$(printf %s "$TA" | grep -c '^[0-9a-f]\{64\}$')" 1 "token create prints 64 hex digits"
is "$(sqlite3 concord.db "SELECT count(*) FROM api_token WHERE hash IN ('$TA', '$TV')")" 0 \
	"the store does not hold the tokens themselves"
run "$CONCORD" token revoke "$RID"
is "$RC" 0 "token revoke"
# two days pass for the token that expires after one
sqlite3 concord.db "UPDATE api_token SET created = created - 2 * 86400, expires = expires - 2 * 86400 WHERE id = $EID"

# ---- the server ----
serve_start --threads 2 --timeout 3
ok "serve listens on 127.0.0.1:$PORT"
N_REQ=0

# req NAME [CURL ARGS] PATH: body in NAME.body, headers in NAME.head, status in $STATUS
req() {
	name=$1
	shift
	N_REQ=$((N_REQ + 1))
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' "$@")
}
field() { # field FILE EXPR: a python expression over the parsed JSON document j
	python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1" 2>&1
}
auth_v="Authorization: Bearer $TV"
auth_a="Authorization: Bearer $TA"

# health and version
req health "$URL/api/health"
is "$STATUS" 200 "GET /api/health"
is "$(field health.body 'j["status"], j["version"]')" \
	"ok $("$CONCORD" --version | cut -d' ' -f2)" "... status ok and the program's version"
like "$(cat health.head)" '^Content-Type: application/json' "... served as application/json"
like "$(cat health.head)" '^X-Request-Id: [0-9]' "... with a request id"

# coverage: byte for byte what `concord coverage --json` prints for the same arguments
req cov "$URL/api/coverage" -H "$auth_v"
is "$STATUS" 200 "GET /api/coverage"
"$CONCORD" coverage --json >cov.cli
if cmp -s cov.body cov.cli; then ok "... equals 'concord coverage --json' byte for byte ($(wc -c <cov.cli | tr -d ' ') bytes)"
else not_ok "... equals 'concord coverage --json' byte for byte" "$(diff cov.cli cov.body | head -5)"; fi
req cov2 -H "$auth_v" "$URL/api/coverage?level=2&by=cluster&from=2021-08-01&to=2021-08-31"
is "$STATUS" 200 "GET /api/coverage?level=2&by=cluster&from=&to="
"$CONCORD" coverage --json --level 2 --by cluster --from 2021-08-01 --to 2021-08-31 >cov2.cli
if cmp -s cov2.body cov2.cli; then ok "... equals the CLI with the same options"
else not_ok "... equals the CLI with the same options" "$(diff cov2.cli cov2.body | head -5)"; fi
req bad -H "$auth_v" "$URL/api/coverage?level=9"
is "$STATUS" 400 "coverage?level=9: 400"
is "$(field bad.body 'j["error"]["code"], j["error"]["field"]')" "EUSAGE level" \
	"... error names the field"
req bad -H "$auth_v" "$URL/api/coverage?by=colour"
is "$STATUS:$(field bad.body 'j["error"]["field"]')" "400:by" "coverage?by=colour: 400 naming 'by'"

req bad -H "$auth_v" "$URL/api/coverage?levle=2"
is "$STATUS:$(field bad.body 'j["error"]["field"]')" "400:levle" "an unknown query argument: 400 naming it"

# ETag and If-None-Match: the tag is a BLAKE2b-128 of the body, computed here
TAG=$(python3 -c 'import hashlib, sys; print(hashlib.blake2b(open(sys.argv[1], "rb").read(), digest_size=16).hexdigest())' cov.body)
like "$(cat cov.head)" "^ETag: \"$TAG\"" "coverage has an ETag: the BLAKE2b-128 of its body"
req cov3 -H "$auth_v" -H "If-None-Match: \"$TAG\"" "$URL/api/coverage"
is "$STATUS:$(cat cov3.body 2>/dev/null | wc -c | tr -d ' ')" "304:0" "... If-None-Match with it: 304, no body"
req cov3 -H "$auth_v" -H 'If-None-Match: "0123"' "$URL/api/coverage"
is "$STATUS" 200 "... with another tag: 200"

# gzip when asked: the same bytes once decompressed (by python3's gzip module)
req gz -H "$auth_v" -H 'Accept-Encoding: gzip, deflate' "$URL/api/coverage"
is "$STATUS" 200 "coverage with Accept-Encoding: gzip"
like "$(cat gz.head)" '^Content-Encoding: gzip' "... is sent gzip-compressed"
is "$(python3 -c 'import gzip, sys
a = gzip.decompress(open(sys.argv[1], "rb").read()); b = open(sys.argv[2], "rb").read()
print(a == b, len(open(sys.argv[1], "rb").read()) < len(b) // 3)' gz.body cov.cli)" "True True" \
	"... decompresses to the CLI's bytes, in under a third of the size"
req gz -H "$auth_v" -H 'Accept-Encoding: gzip;q=0' "$URL/api/coverage"
unlike "$(cat gz.head)" '^Content-Encoding' "... not when gzip is refused (q=0)"
req gz -H "$auth_v" -H 'Accept-Encoding: gzip' "$URL/api/me"
unlike "$(cat gz.head)" '^Content-Encoding' "... nor for a body under 1 KiB"

# areas: counted and named from the gazetteer itself
cat >gaz.py <<'PY'
import csv, sys
rows = csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline=''))
adm1 = {r['P-Code']: r['Name'] for r in rows if r['Admin Level'] == '1'}
print(len(adm1), adm1['AF01'])
PY
req areas -H "$auth_v" "$URL/api/areas?level=1"
is "$STATUS" 200 "GET /api/areas?level=1"
is "$(field areas.body 'j["count"], len(j["areas"]), sorted(set(a["level"] for a in j["areas"])), j["areas"][0]["name"]' | tr -d ",[]")" \
	"$(python3 gaz.py "$GAZ" | awk '{print $1, $1, 1, $2}')" \
	"... as many provinces as the gazetteer has, all of level 1, AF01 named as in it"
req area -H "$auth_v" "$URL/api/areas/AF01"
is "$STATUS" 200 "GET /api/areas/{pcode}"
is "$(field area.body 'j["pcode"], j["level"], j["parent"]')" "AF01 1 AFG" \
	"... its P-code, level and parent"
req area -H "$auth_v" "$URL/api/areas/ZZ99"
is "$STATUS:$(field area.body 'j["error"]["code"], j["error"]["field"]')" \
	"404:ENOTFOUND pcode" "an unknown P-code: 404 naming 'pcode'"

# me
req me -H "$auth_v" "$URL/api/me"
is "$STATUS" 200 "GET /api/me"
is "$(field me.body 'j["user"], j["role"], j["mission"], j["organisation"]["key"]')" \
	"bo viewer AFG-2021Q3 $(sqlite3 concord.db "SELECT o.key FROM organisation o JOIN org_alias a ON a.org_id = o.id WHERE a.alias_norm = 'unicef'")" \
	"... the token's user, role, mission and organisation"

# ---- errors ----
req e "$URL/api/nowhere"
is "$STATUS:$(field e.body 'j["error"]["code"]')" "404:ENOTFOUND" "an unknown path: 404 JSON error"
req e -X DELETE "$URL/api/coverage"
is "$STATUS" 405 "a wrong method: 405"
like "$(cat e.head)" '^Allow: GET' "... with Allow: GET"
for t in none wrong malformed revoked expired; do
	case $t in
	none) h="X-None: 1" ;;
	wrong) h="Authorization: Bearer $(printf %064d 7)" ;;
	malformed) h="Authorization: Bearer abc" ;;
	revoked) h="Authorization: Bearer $TR" ;;
	expired) h="Authorization: Bearer $TE" ;;
	esac
	req e -H "$h" "$URL/api/me"
	is "$STATUS:$(field e.body 'j["error"]["code"]')" "401:EDENIED" "token $t: 401"
done
like "$(cat e.head)" '^WWW-Authenticate: Bearer' "... with WWW-Authenticate: Bearer"
req e -H "$auth_v" -H 'Content-Type: application/json' -d '{"user": "bo"}' "$URL/api/tokens"
is "$STATUS" 403 "a viewer creating a token: 403"
like "$(field e.body 'j["error"]["message"]')" "needs the role admin" "... saying which role is needed"
head -c 1048577 /dev/zero | tr '\0' ' ' >big.json
req e -H "$auth_a" -H 'Content-Type: application/json' --data-binary @big.json "$URL/api/tokens"
is "$STATUS:$(field e.body 'j["error"]["code"]')" "413:ETOOBIG" "a body one byte over 1 MiB: 413"
req e -H "$auth_a" -H 'Transfer-Encoding: chunked' --data-binary @big.json "$URL/api/tokens"
is "$STATUS" 413 "... also when sent chunked, without a length"
BAD='{"user": "bo",'
req e -H "$auth_a" -d "$BAD" "$URL/api/tokens"
is "$STATUS" 400 "malformed JSON: 400"
pos=$(python3 -c 'import json, sys
try: json.loads(sys.argv[1])
except json.JSONDecodeError as e: print(e.pos)' "$BAD")
is "$(field e.body 'j["error"]["code"], j["error"]["field"]')" "EPARSE body" "... EPARSE on the body"
like "$(field e.body 'j["error"]["message"]')" "line 1, .*(byte $pos)" "... naming where it breaks (byte $pos)"

# ---- tokens over the API ----
req t -H "$auth_a" -d '{"user": "bo", "expires_days": 7}' "$URL/api/tokens"
is "$STATUS" 201 "an admin creates a token: 201"
NEW=$(field t.body 'j["token"]')
NID=$(field t.body 'j["id"]')
req me2 -H "Authorization: Bearer $NEW" "$URL/api/me"
is "$STATUS:$(field me2.body 'j["user"]')" "200:bo" "... which works for its user"
is "$(sqlite3 concord.db "SELECT expires - created FROM api_token WHERE id = $NID")" 604800 \
	"... and expires after 7 days (604800 s)"
req t -H "$auth_a" -X DELETE "$URL/api/tokens/$NID"
is "$STATUS" 200 "DELETE /api/tokens/{id}"
req me2 -H "Authorization: Bearer $NEW" "$URL/api/me"
is "$STATUS" 401 "... after which the token is refused"
req t -H "$auth_a" -X DELETE "$URL/api/tokens/99999"
is "$STATUS" 404 "revoking an unknown token: 404"

# ---- OpenAPI: exactly the routes of the table ----
"$CONCORD" serve --routes >routes.txt
req api "$URL/api/openapi.json"
is "$STATUS" 200 "GET /api/openapi.json"
python3 - api.body routes.txt >api.check <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ops = {}
for path, item in doc['paths'].items():
    for method, op in item.items():
        ops[(method.upper(), path)] = op
table = {}
for line in open(sys.argv[2]):
    m, p, role = line.split()
    table[(m, p)] = role
print('version', doc['openapi'])
print('missing', sorted(set(table) - set(ops)))
print('extra', sorted(set(ops) - set(table)))
bad = [k for k, op in ops.items() if k in table and
       (op['x-min-role'] != table[k] or (op['security'] == []) != (table[k] == 'none'))]
print('security', bad)
PY
is "$(cat api.check)" "version 3.0.3
missing []
extra []
security []" "the document lists every route, none extra, each with its role"
# each documented operation exists in the server (never 'no route' nor 405)
n_bad=0
while read -r m p role; do
	u=$(printf %s "$p" | sed 's/{pcode}/AF01/; s/{id}/99999/')
	req r -X "$m" -H "$auth_a" "$URL$u"
	if [ "$STATUS" = 405 ] || grep -q '"no route' r.body; then n_bad=$((n_bad + 1)); echo "# $m $p: $STATUS"; fi
done <routes.txt
is "$n_bad" 0 "every documented route answers ($(wc -l <routes.txt | tr -d ' ') routes)"

# ---- slow clients: a connection idle past --timeout 3 is closed ----
python3 - "$PORT" >idle.out <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /api/health HTTP/1.1\r\nHost: t\r\n')  # headers never finished
s.settimeout(10)
t0 = time.monotonic()
try:
    closed = s.recv(100) == b''
except (socket.timeout, ConnectionResetError):
    closed = False
print('closed' if closed else 'open', 'in time' if time.monotonic() - t0 < 8 else 'late')
PY
is "$(cat idle.out)" "closed in time" "a client that stops sending is disconnected after the timeout"

# ---- graceful shutdown: a slow client mid-request when SIGTERM comes ----
cat >slow.py <<'PY'
import os, socket, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
body = b'{"user": "bo"}'
s = socket.create_connection(('127.0.0.1', port))
s.sendall(b'POST /api/tokens HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ' + token.encode() +
          b'\r\nContent-Type: application/json\r\nContent-Length: %d\r\n'
          b'Connection: close\r\n\r\n' % len(body) + body[:5])
open('slow.started', 'w').close()
for _ in range(200):
    if os.path.exists('slow.go'):
        break
    time.sleep(0.05)
s.sendall(body[5:])
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.split(b'\r\n', 1)[0].decode())
PY
python3 slow.py "$PORT" "$TA" >slow.out &
SPID=$!
i=0
while [ $i -lt 100 ] && [ ! -f slow.started ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
N_REQ=$((N_REQ + 1))
kill -TERM "$PID"
sleep 0.5
if kill -0 "$PID" 2>/dev/null; then ok "after SIGTERM the server waits for the request in flight"
else not_ok "after SIGTERM the server waits for the request in flight"; fi
curl -s -o /dev/null --max-time 2 "$URL/api/health"
is "$?" 7 "... and accepts no new connection"
touch slow.go
wait "$SPID"
is "$(cat slow.out)" "HTTP/1.1 201 Created" "the slow request completes after SIGTERM"
wait "$PID"
is "$?" 0 "serve exits 0"
like "$(cat srv.log)" "stopped" "... after saying it stopped"
is "$(grep -c '^req=' srv.log)" "$N_REQ" "one log line per request ($N_REQ)"
is "$(grep -c 'aborted' srv.log)" 0 "... none aborted"

done_testing
