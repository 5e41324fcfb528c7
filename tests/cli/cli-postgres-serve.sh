#!/bin/sh
# concord serve on PostgreSQL: users and tokens, activities a page at a time, markings and the
# live feed work on a postgresql:// store and answer what the same server answers on SQLite for
# the same data and callers; two servers on one database share one feed: a marking changed
# through server B reaches a reader of server A's feed (a JSON page and an SSE stream) within
# 10 s, no entry skipped or repeated.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
cd "$WORK" || exit 1

for c in curl python3; do
	command -v $c >/dev/null 2>&1 || pg_skip_all "$c is not installed"
done
pg_start
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"

# the same mission on both backends: tokens differ (they are random), ids do not
setup() { # setup STORE: prints the tokens "aada isaf wfp unicef", one per line
	"$CONCORD" -d "$1" init --mission AFG --country AFG >/dev/null &&
		"$CONCORD" -d "$1" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null &&
		"$CONCORD" -d "$1" import 3w "$AFG3W" --period 2021-07-01/2021-09-30 >/dev/null 2>&1
	for m in AADA:ngo WFP:un ISAF-PRT:military UNICEF:un; do
		"$CONCORD" -d "$1" member add "${m%%:*}" --kind "${m##*:}" >/dev/null || return 1
	done
	for u in aada:AADA:editor isaf:ISAF-PRT:viewer wfp:WFP:editor unicef:UNICEF:coordinator; do
		"$CONCORD" -d "$1" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" \
			--role "${u##*:}" >/dev/null || return 1
	done
	for u in aada isaf wfp unicef; do
		"$CONCORD" -d "$1" token create "$u" 2>/dev/null || return 1
	done
}
SQ="$WORK/sq.db"
setup "$SQ" >sq.tokens
ok_ret=$?
setup "$PGURI" >pg.tokens
is "$ok_ret $? $(wc -l <sq.tokens) $(wc -l <pg.tokens)" "0 0 4 4" \
	"the same mission, members, users and tokens on SQLite and PostgreSQL"
tokof() { sed -n "$2p" "$1.tokens"; } # tokof sq|pg N

mkdir a b s
start_in() { # start_in DIR STORE: a server whose PID and URL land in DIR/pid and DIR/url
	(cd "$1" && serve_start -d "$2" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
}
start_in s "$SQ"
start_in a "$PGURI"
start_in b "$PGURI"
SURL=$(cat s/url) AURL=$(cat a/url) BURL=$(cat b/url)
trap 'kill $(cat s/pid a/pid b/pid 2>/dev/null) 2>/dev/null; pg_stop; rm -rf "$WORK"' EXIT
ok "three servers started (one on SQLite, two on the same PostgreSQL database)"

get() { # get URL TOKEN PATH: the body; the status in the file get.status (see status)
	curl -s -o get.body -w '%{http_code}' -H "Authorization: Bearer $2" "$1$3" >get.status
	cat get.body
}
status() { cat get.status; }
# the answers, without what differs by design (tokens' ids and times, the request id)
norm() {
	python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("at", "created", "expires", "token_id", "took_ms")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))'
}

n=1
for who in aada isaf wfp unicef; do
	s=$(get "$SURL" "$(tokof sq $n)" /api/me | norm)
	p=$(get "$AURL" "$(tokof pg $n)" /api/me | norm)
	is "$(status) $p" "200 $s" "$who: GET /api/me answers alike on both backends"
	for path in "/api/activities?limit=100" "/api/activities?limit=7&after=40" \
		"/api/activities?area=AF01&limit=50" "/api/activities?pillar=infrastructure&limit=20" \
		"/api/coverage?level=1"; do
		s=$(get "$SURL" "$(tokof sq $n)" "$path" | norm)
		p=$(get "$AURL" "$(tokof pg $n)" "$path" | norm)
		is "$(status) $(printf %s "$p" | sha256sum)" "200 $(printf %s "$s" | sha256sum)" \
			"$who: GET $path answers alike on both backends"
	done
	n=$((n + 1))
done
# the first page really holds activities, so the comparisons above compare something
count=$(get "$AURL" "$(tokof pg 1)" "/api/activities?limit=100" |
	python3 -c 'import json, sys; print(len(json.load(sys.stdin)["activities"]))')
is "$count" 100 "a page of 100 activities on PostgreSQL"

# ---- a marking changed through B is seen through A ----
T_A=$(tokof pg 1) T_C=$(tokof pg 4)
ID=$(psql cc "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.org_id
	WHERE o.key = 'local:AADA'")
version() { # version URL TOKEN ID: the activity's version, quoted for If-Match
	get "$1" "$2" "/api/activities/$3" | python3 -c 'import json, sys; print("\"%s\"" % json.load(sys.stdin)["version"])'
}
VER=$(version "$AURL" "$T_C" "$ID")
HEAD=$(psql cc "SELECT max(id) FROM change")
# a reader of A's live stream from the current head
curl -s -N --max-time 12 -H "Accept: text/event-stream" -H "Authorization: Bearer $T_A" \
	-H "Last-Event-ID: $HEAD" "$AURL/api/feed" >sse.out 2>/dev/null &
SSE=$!
sleep 0.5
t0=$(date +%s.%N)
st=$(curl -s -o put.body -w '%{http_code}' -X PUT -H "Authorization: Bearer $T_C" \
	-H "If-Match: $VER" -d '{"releasability": "org", "owner": "AADA"}' \
	"$BURL/api/activities/$ID/marking")
is "$st" 200 "UNICEF's coordinator gives an AADA activity to AADA, marked org, through server B"
i=0 seen=""
while [ $i -lt 100 ]; do
	seen=$(get "$AURL" "$T_A" "/api/feed?after=$HEAD&limit=100" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join("%s:%s:%s" % (e["table"], e["op"], e["record"]) for e in j["entries"]))')
	[ -n "$seen" ] && break
	sleep 0.1
	i=$((i + 1))
done
t1=$(date +%s.%N)
like "$seen" "activity:[a-z]*:$ID" "server A's feed page holds the change made through B"
echo "# seen through A after $(echo "$t1 - $t0" | awk '{ print $1 - $3 }') s"
i=0
while [ $i -lt 100 ] && ! grep -q "activity" sse.out; do
	sleep 0.1
	i=$((i + 1))
done
kill $SSE 2>/dev/null
wait $SSE 2>/dev/null
like "$(tr -d '\r' <sse.out)" "\"table\":\"activity\",\"op\":\"[a-z]*\",\"record\":$ID," \
	"server A's live stream (SSE) delivers the change made through B within 10 s"
# the reader that may not see the activity any more: ISAF's viewer
get "$AURL" "$(tokof pg 2)" "/api/activities/$ID" >/dev/null
is "$(status)" 404 "ISAF's viewer, on server A, no longer sees the activity marked org through B"

# ---- the same version through both servers at once: one write wins, the other is 412 ----
ids=$(psql cc "SELECT a.id FROM activity a JOIN organisation o ON o.id = a.org_id
	WHERE o.key = 'local:AADA' AND a.id > $ID ORDER BY a.id LIMIT 20")
HEAD2=$(psql cc "SELECT max(id) FROM change")
# both bodies change the marking from what the import gave (public, nobody denied), so whichever
# commits first changes the version the other one names
k=0
for id in $ids; do
	v=$(version "$AURL" "$T_C" "$id")
	for srv in a b; do
		body='{"releasability": "public", "deny": ["military"]}'
		[ $srv = b ] && body='{"releasability": "partners"}'
		curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H "Authorization: Bearer $T_C" \
			-H "If-Match: $v" -d "$body" \
			"$(cat $srv/url)/api/activities/$id/marking" >"put-$id-$srv" 2>/dev/null &
	done
	wait
	echo "$(cat "put-$id-a") $(cat "put-$id-b")" >>puts
	k=$((k + 1))
done
is "$(sort puts | uniq -c | awk '{ printf "%s:%s/%s ", $1, $2, $3 }')" \
	"$(awk '$1 == 200 && $2 == 412 { a++ } $1 == 412 && $2 == 200 { b++ } END { s = ""; if (a) s = s a ":200/412 "; if (b) s = s b ":412/200 "; print s }' puts)" \
	"the same version sent through both servers at once: one 200 and one 412 for each of $k activities"
is "$(grep -c '200' puts)" "$k" "... so each activity was changed once"
WRITES=$(psql cc "SELECT count(*) FROM change WHERE id > $HEAD2 AND tbl = 'activity'")
got=$(get "$AURL" "$T_A" "/api/feed?after=$HEAD2&limit=500" | python3 -c '
import json, sys
ids = [e["id"] for e in json.load(sys.stdin)["entries"] if e["table"] == "activity"]
print(len(ids), len(set(ids)), ids == sorted(ids))')
is "$got" "$WRITES $WRITES True" \
	"the writes through both servers: each in A's feed once, in commit order ($WRITES)"
is "$(psql cc "SELECT count(*) FROM change")" \
	"$("$CONCORD" -d "$PGURI" audit verify 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p')" \
	"the change log of both servers is one verified chain"

done_testing
