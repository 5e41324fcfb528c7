#!/bin/sh
# Webhooks: two receivers on the loopback (python3 http.server, recording every request),
# registered for a military and an NGO member of the mission. Changes are made before and
# while `concord serve` runs; each receiver must get exactly what `concord --as ORG watch`
# shows that organisation, in order, each body signed with its secret, nothing twice — the
# NGO's receiver answering 500 to its first two requests, which the server retries and logs.
# Then the API of webhooks, and removal, which stops deliveries.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip "webhooks" "curl or python3 is not installed"
	done_testing
	exit 0
fi

R1= R2= PID=
trap 'kill $R1 $R2 $PID 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM

D="$TDATA/sharing"
export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
"$CONCORD" member add UNICEF --kind un >/dev/null

# ---- the receivers ----
cat >receiver.py <<'EOF'
import http.server, json, sys
log, port_file, fail_first = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        seen += 1
        status = 500 if seen <= fail_first else 200
        with open(log, "a") as f:
            f.write(json.dumps({"status": status, "path": self.path,
                                "event": self.headers.get("X-Concord-Event-Id"),
                                "signature": self.headers.get("X-Concord-Signature"),
                                "type": self.headers.get("Content-Type"),
                                "body": body.decode()}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOF
: >r1.log
: >r2.log
python3 receiver.py r1.log r1.port 0 &
R1=$!
python3 receiver.py r2.log r2.port 2 &
R2=$!
i=0
while [ $i -lt 100 ] && ! { [ -s r1.port ] && [ -s r2.port ]; }; do sleep 0.1; i=$((i + 1)); done
P1=$(cat r1.port)
P2=$(cat r2.port)

# ---- registration ----
run "$CONCORD" webhook add "http://127.0.0.1:$P1/hook" --org ISAF-PRT
is "$RC" 0 "webhook add for the military member"
S1=$OUT
like "$S1" '^[0-9a-f]\{64\}$' "... prints a 64-hex-digit secret"
like "$ERR" "shown only now" "... once"
run "$CONCORD" webhook add "http://localhost:$P2/hook" --org AADA
is "$RC" 0 "webhook add for the NGO member"
S2=$OUT
run "$CONCORD" webhook add "http://192.0.2.1/hook" --org AADA
is "$RC" 1 "a host that is not the loopback is refused"
like "$ERR" "loopback" "... saying why"
run "$CONCORD" webhook add "ftp://127.0.0.1/hook" --org AADA --any-host
is "$RC" 1 "a scheme other than http(s) is refused"
run "$CONCORD" webhook add "http://127.0.0.1/hook" --org NOBODY
is "$RC" 1 "an unknown organisation is refused"
run "$CONCORD" webhook add "http://127.0.0.1/hook"
is "$RC" 2 "--org is required"
run "$CONCORD" webhook list
is "$(printf '%s\n' "$OUT" | wc -l)" 2 "webhook list: the two registered"
ID1=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:ISAF-PRT" { print $1 }')
ID2=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:AADA" { print $1 }')
C1=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:ISAF-PRT" { print $4 }')
C2=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "local:AADA" { print $4 }')
like "$OUT" "	active	" "... both active"

# ---- changes while no server runs: delivered when it starts ----
"$CONCORD" import 3w "$D/isaf.csv" --owner ISAF-PRT --releasability partners >/dev/null
"$CONCORD" import 3w "$D/aada.csv" --owner AADA --releasability partners >/dev/null
"$CONCORD" import 3w "$D/cell.csv" >/dev/null
"$CONCORD" import 3w "$D/mrrd.csv" --owner UNICEF --releasability org >/dev/null

serve_start --threads 2

# ---- changes while it runs ----
sleep 0.5
"$CONCORD" import 3w "$D/unicef.csv" --owner UNICEF --releasability partners >/dev/null
"$CONCORD" import 3w "$D/cell.csv" --source cell-again.csv >/dev/null

# what each organisation may see, as the feed shows it
"$CONCORD" --as ISAF-PRT watch --after "$C1" --once --json >want1.jsonl
"$CONCORD" --as AADA watch --after "$C2" --once --json >want2.jsonl
acked() { python3 -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"] == 200))' "$1"; }
N1=$(wc -l <want1.jsonl)
N2=$(wc -l <want2.jsonl)
i=0
while [ $i -lt 300 ] && { [ "$(acked r1.log)" -lt "$N1" ] || [ "$(acked r2.log)" -lt "$N2" ]; }; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5 # anything more would arrive now

like "$(cat want1.jsonl)" '"detail":"isaf.csv"' "the military member may see its own import"
unlike "$(cat want1.jsonl)" '"detail":"aada.csv"' "... not the NGO's (civil-military separation)"
like "$(cat want2.jsonl)" '"detail":"aada.csv"' "the NGO may see its own import"
unlike "$(cat want2.jsonl)" '"detail":"mrrd.csv"' "... not UNICEF's owner-only one"
unlike "$(cat want2.jsonl)" '"table":"webhook"' "... nor the registration of webhooks"

# checks a receiver's log against what its organisation may see
cat >check.py <<'EOF'
import hashlib, hmac, json, sys
log, want, secret = sys.argv[1], sys.argv[2], sys.argv[3].encode()
reqs = [json.loads(l) for l in open(log)]
want = [l.rstrip("\n") for l in open(want)]
acked = [r["body"] for r in reqs if r["status"] == 200]
ids = [json.loads(b)["id"] for b in acked]
print("same" if acked == want else "differ: got %s want %s" % (acked, want))
print("ordered" if ids == sorted(set(ids)) else "out of order or twice: %s" % ids)
bad = [r["event"] for r in reqs if r["signature"] != "sha256=" +
       hmac.new(secret, r["body"].encode(), hashlib.sha256).hexdigest()]
print("signed" if not bad else "bad signatures: %s" % bad)
bad = [r["event"] for r in reqs if r["event"] != str(json.loads(r["body"])["id"])
       or r["type"] != "application/json" or r["path"] != "/hook"]
print("headers" if not bad else "bad headers: %s" % bad)
print(len(reqs))
print(" ".join(str(r["status"]) + ":" + r["event"] for r in reqs[:3]))
EOF
python3 check.py r1.log want1.jsonl "$S1" >c1.out
python3 check.py r2.log want2.jsonl "$S2" >c2.out
is "$(sed -n 1p c1.out)" same "the military member's receiver got exactly what it may see ($N1 entries)"
is "$(sed -n 2p c1.out)" ordered "... in order, none twice"
is "$(sed -n 3p c1.out)" signed "... each signature verifies (HMAC-SHA256 with its secret)"
is "$(sed -n 4p c1.out)" headers "... with its event id, JSON content type and the path registered"
is "$(sed -n 5p c1.out)" "$N1" "... one request each"
is "$(sed -n 1p c2.out)" same "the NGO's receiver got exactly what it may see ($N2 entries)"
is "$(sed -n 2p c2.out)" ordered "... in order, none twice, though it failed at first"
is "$(sed -n 3p c2.out)" signed "... each signature verifies"
is "$(sed -n 4p c2.out)" headers "... with its event id and content type"
is "$(sed -n 5p c2.out)" "$((N2 + 2))" "... two requests more: the two answered 500"
FIRST2=$(head -1 want2.jsonl | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
is "$(sed -n 6p c2.out)" "500:$FIRST2 500:$FIRST2 200:$FIRST2" \
	"... the first entry was retried until acknowledged, the next ones waited"

run "$CONCORD" webhook deliveries "$ID2"
is "$RC" 0 "webhook deliveries"
is "$(printf '%s\n' "$OUT" | wc -l)" "$((N2 + 2))" "... one line per attempt"
is "$(printf '%s\n' "$OUT" | head -3 | cut -f1,2,4)" "$FIRST2	1	500
$FIRST2	2	500
$FIRST2	3	200" "... the attempts at the first entry numbered, with their statuses"
like "$(printf '%s\n' "$OUT" | head -1)" "answered HTTP 500" "... and why it failed"
# waits of 1 s then 2 s: at least 3 s from the first attempt to the third (times in seconds)
is "$(sqlite3 concord.db "SELECT max(at) - min(at) >= 3 FROM webhook_delivery WHERE webhook_id = $ID2 AND change_id = $FIRST2")" \
	1 "... retried after 1 s, then after 2 s more"
run "$CONCORD" webhook deliveries "$ID1"
is "$(printf '%s\n' "$OUT" | cut -f4 | sort -u)" 200 "the other webhook: every attempt delivered"

# ---- the API ----
"$CONCORD" user add aada --org AADA --role editor >/dev/null
"$CONCORD" user add aadav --org AADA --role viewer >/dev/null
T_aada=$("$CONCORD" token create aada 2>/dev/null)
T_aadav=$("$CONCORD" token create aadav 2>/dev/null)
req() { # req NAME TOKEN [CURL ARGS] PATH
	name=$1 t=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -w '%{http_code}' -H "Authorization: Bearer $t" "$@")
}
field() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1" "$2"; }
req list "$T_aada" "$URL/api/webhooks"
is "$STATUS" 200 "GET /api/webhooks"
is "$(field list.body count)" 1 "... only the caller organisation's"
is "$(field list.body webhooks.0.id)" "$ID2" "... its webhook"
req dl "$T_aadav" "$URL/api/webhooks/$ID2/deliveries"
is "$STATUS" 200 "GET /api/webhooks/{id}/deliveries (a viewer)"
is "$(field dl.body count)" "$((N2 + 2))" "... every attempt"
is "$(field dl.body deliveries.1.status)/$(field dl.body deliveries.1.attempt)" "500/2" \
	"... oldest first"
req dl "$T_aadav" "$URL/api/webhooks/$ID2/deliveries?limit=1"
is "$(field dl.body count)/$(field dl.body deliveries.0.id)" \
	"1/$(sqlite3 concord.db "SELECT max(id) FROM webhook_delivery WHERE webhook_id = $ID2")" \
	"... ?limit=1: the newest"
req dl1 "$T_aada" "$URL/api/webhooks/$ID1/deliveries"
is "$STATUS" 404 "another organisation's webhook is not found"
req add "$T_aada" -X POST -d "{\"url\":\"http://127.0.0.1:$P2/other\"}" "$URL/api/webhooks"
is "$STATUS" 201 "POST /api/webhooks registers one"
like "$(field add.body secret)" '^[0-9a-f]\{64\}$' "... answering its secret"
ID3=$(field add.body id)
req list2 "$T_aada" "$URL/api/webhooks"
unlike "$(cat list2.body)" secret "... which no listing shows"
req far "$T_aada" -X POST -d '{"url":"http://192.0.2.1/hook"}' "$URL/api/webhooks"
is "$STATUS" 400 "a non-loopback URL is refused (the server was not started with --webhook-any-host)"
is "$(field far.body error.field)" url "... naming the field"
req viewer "$T_aadav" -X POST -d "{\"url\":\"http://127.0.0.1:$P2/x\"}" "$URL/api/webhooks"
is "$STATUS" 403 "a viewer may not register one"
req del "$T_aada" -X DELETE "$URL/api/webhooks/$ID3"
is "$STATUS" 200 "DELETE /api/webhooks/{id}"
is "$(field del.body active)" False "... removed"
req del2 "$T_aada" -X DELETE "$URL/api/webhooks/$ID1"
is "$STATUS" 404 "... not another organisation's"

# ---- removal stops deliveries ----
run "$CONCORD" webhook remove "$ID1"
is "$RC" 0 "webhook remove"
run "$CONCORD" webhook remove "$ID1"
is "$RC" 1 "... not twice"
# registered for any host from the command line, but this server delivers to the loopback only
run "$CONCORD" webhook add "http://192.0.2.1:9/hook" --org UNICEF --any-host
is "$RC" 0 "webhook add --any-host registers a host that is not the loopback"
ID4=$("$CONCORD" webhook list | awk -F'\t' '$2 == "local:UNICEF" { print $1 }')
B1=$(wc -l <r1.log)
"$CONCORD" import 3w "$D/cell.csv" --source cell-third.csv >/dev/null
i=0
while [ $i -lt 100 ] && ! grep -q 'cell-third.csv' r2.log; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
like "$(tail -1 r2.log)" 'cell-third.csv' "the active webhook gets the new public change"
is "$(wc -l <r1.log)" "$B1" "... the removed one gets nothing more"
is "$(python3 -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(json.loads(l)["body"])["detail"] == "cell-third.csv"))' r2.log)" \
	1 "... and the other exactly once"

i=0
while [ $i -lt 50 ] && [ -z "$("$CONCORD" webhook deliveries "$ID4")" ]; do sleep 0.1; i=$((i + 1)); done
run "$CONCORD" webhook deliveries "$ID4"
is "$(printf '%s\n' "$OUT" | head -1 | cut -f4)" 0 \
	"... the server without --webhook-any-host refuses to deliver to it"
like "$OUT" "webhook-any-host" "... and the delivery log says why"
kill -TERM "$PID"
wait "$PID"
is "$?" 0 "the server stops on SIGTERM"
PID=
run "$CONCORD" webhook list
like "$OUT" "^$ID1	local:ISAF-PRT	removed	" "webhook list shows the removed one as removed"
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies"
is "$(sqlite3 concord.db "SELECT op FROM change WHERE tbl = 'webhook' ORDER BY id" | paste -sd, -)" \
	"insert,insert,insert,delete,delete,insert" "registrations and removals are in the change log"

done_testing
