#!/bin/sh
# The server's response cache: a cached answer is only ever served to a caller of the same
# visibility (two organisations of different kinds read the same URL), never after a committed
# write (a write through the API, then one by another process: the CLI), never to a revoked
# token; the query's argument order does not matter; If-None-Match answers 304 from the cache;
# the gzip form of a cached answer is the same document. What each caller must see is computed
# here from the store's tables with sqlite3, not taken from the server. X-Cache says whether an
# answer came from the cache ("hit") or was computed ("miss").
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

if ! command -v curl >/dev/null 2>&1; then
	skip "api cache" "curl is not installed"
	done_testing
	exit 0
fi

D="$TDATA/sharing"
export CONCORD_DB="$WORK/concord.db"
"$CONCORD" init --mission AFG --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" member add ISAF-PRT --kind military >/dev/null
"$CONCORD" member add AADA --kind ngo >/dev/null
# AADA's rows are for the partners but not for military readers (an NGO's default)
"$CONCORD" import 3w "$D/aada.csv" --owner AADA --releasability partners >/dev/null
"$CONCORD" import 3w "$D/isaf.csv" --owner ISAF-PRT --releasability partners >/dev/null
"$CONCORD" user add aada-v --org AADA --role viewer >/dev/null
"$CONCORD" user add aada-e --org AADA --role editor >/dev/null
"$CONCORD" user add prt-v --org ISAF-PRT --role viewer >/dev/null
T_aada=$("$CONCORD" token create aada-v 2>/dev/null)
T_edit=$("$CONCORD" token create aada-e 2>/dev/null)
T_prt=$("$CONCORD" token create prt-v 2>/dev/null)
"$CONCORD" token create prt-v 2>tok.err >tok.out
T_prt2=$(cat tok.out)
ID_prt2=$(sed -n 's/^token \([0-9]*\) .*/\1/p' tok.err)

q() { sqlite3 concord.db "$1"; }
# The ids an organisation of the mission may see, by the rule written out here: its own rows,
# and the public or partners rows that deny no bit of its kind (both organisations are members;
# no row is shared by name).
expect() { # ORG KIND_BIT
	q "SELECT group_concat(id, ' ') FROM (SELECT a.id FROM activity a
	   WHERE a.owner_id = (SELECT id FROM organisation WHERE key = 'local:$1')
	      OR (a.releasability IN ('public', 'partners') AND (a.deny & $2) = 0) ORDER BY a.id) AS sub"
}
AADA1=$(q "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE o.key = 'local:AADA'")
PRT1=$(q "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE o.key = 'local:ISAF-PRT'")
is "$(q "SELECT deny FROM activity WHERE id = $AADA1")" 1 "setup: AADA's rows deny military readers"

# ---- the server ----
serve_start --threads 2
LIST="$URL/api/activities?from=2021-01-01&limit=1000"

# req NAME TOKEN [CURL ARGS] URL: body in NAME.body, headers in NAME.head, status in $STATUS
req() {
	name=$1
	tok=$2
	shift 2
	STATUS=$(curl -s -o "$name.body" -D "$name.head" -w '%{http_code}' \
		-H "Authorization: Bearer $tok" "$@")
}
header() { # NAME HEADER: its value
	sed -n "s/^$2: \\([^\r]*\\)\r\$/\\1/Ip" "$1.head" | head -n 1
}
ids() { # NAME: the ids of a list answer, ascending
	python3 -c 'import json, sys
print(" ".join(str(i) for i in sorted(a["id"] for a in json.load(open(sys.argv[1]))["activities"])))' "$1.body"
}
rel_of() { # NAME ID: the releasability of that activity in a list answer
	python3 -c 'import json, sys
print(" ".join(a["releasability"] for a in json.load(open(sys.argv[1]))["activities"]
               if a["id"] == int(sys.argv[2])))' "$1.body" "$2"
}

# ---- two callers of different visibility, one URL ----
req a1 "$T_aada" "$LIST"
is "$STATUS $(header a1 X-Cache)" "200 miss" "AADA's first read is computed"
req a2 "$T_aada" "$LIST"
is "$STATUS $(header a2 X-Cache)" "200 hit" "AADA's second read comes from the cache"
if cmp -s a1.body a2.body; then ok "... with the same body"; else not_ok "... with the same body"; fi
is "$(ids a2)" "$(expect AADA 16)" "... holding what AADA may see"
is "$(header a2 ETag)" "$(header a1 ETag)" "... and the same ETag"

req p1 "$T_prt" "$LIST"
is "$STATUS $(header p1 X-Cache)" "200 miss" "the PRT reading the same URL is not served AADA's answer"
is "$(ids p1)" "$(expect ISAF-PRT 1)" "... it gets what the PRT may see"
unlike " $(ids p1) " " $AADA1 " "... without AADA's rows"
req p2 "$T_prt2" "$URL/api/activities?limit=1000&from=2021-01-01"
is "$STATUS $(header p2 X-Cache)" "200 hit" \
	"another PRT token, the arguments in another order: the PRT's cached answer"
if cmp -s p1.body p2.body; then ok "... the same body"; else not_ok "... the same body"; fi
req a3 "$T_aada" "$URL/api/activities?from=2021-01-01&limit=2"
is "$(header a3 X-Cache) $(python3 -c 'import json; print(json.load(open("a3.body"))["count"])')" \
	"miss 2" "another argument value is another answer"

# ---- If-None-Match and gzip ----
TAG=$(header a2 ETag)
req n1 "$T_aada" -H "If-None-Match: $TAG" "$LIST"
is "$STATUS $(header n1 X-Cache) $([ -s n1.body ] && echo body || echo empty)" "304 hit empty" \
	"If-None-Match with the cached ETag: 304 Not Modified, no body"
req n2 "$T_prt" -H "If-None-Match: $TAG" "$LIST"
is "$STATUS" 200 "AADA's ETag does not match the PRT's answer"
req g1 "$T_aada" -H 'Accept-Encoding: gzip' "$URL/api/coverage"
req g2 "$T_aada" -H 'Accept-Encoding: gzip' "$URL/api/coverage"
is "$(header g1 Content-Encoding) $(header g2 Content-Encoding) $(header g2 X-Cache)" \
	"gzip gzip hit" "coverage, gzip: compressed, then served compressed from the cache"
req c1 "$T_aada" "$URL/api/coverage"
if gzip -dc <g2.body | cmp -s - c1.body; then
	ok "... the cached gzip form decompresses to the plain answer"
else
	not_ok "... the cached gzip form decompresses to the plain answer"
fi
is "$(header g2 ETag)" "$(printf '%s' "$(header c1 ETag)" | sed 's/"$/-gzip"/')" \
	"... with the plain answer's tag and -gzip"

# ---- a write through the API ----
req s1 "$T_aada" "$URL/api/activities/$AADA1"
req s2 "$T_aada" "$URL/api/activities/$AADA1"
is "$STATUS $(header s2 X-Cache)" "200 hit" "a single activity is cached too"
req w1 "$T_edit" -X PUT -H 'If-Match: *' -H 'Content-Type: application/json' \
	-d '{"releasability": "public", "deny": []}' "$URL/api/activities/$AADA1/marking"
is "$STATUS" 200 "AADA's editor releases a row to the public (PUT .../marking)"
req p3 "$T_prt" "$LIST"
is "$(header p3 X-Cache)" "miss" "the PRT's next read is computed afresh"
is "$(ids p3)" "$(expect ISAF-PRT 1)" "... and holds what the PRT may now see"
like " $(ids p3) " " $AADA1 " "... the row just released"
is "$(rel_of p3 "$AADA1")" "public" "... with its new marking"
req s3 "$T_aada" "$URL/api/activities/$AADA1"
is "$(header s3 X-Cache) $(python3 -c 'import json; print(json.load(open("s3.body"))["releasability"])')" \
	"miss public" "the single activity shows the new marking"
req n3 "$T_aada" -H "If-None-Match: $TAG" "$LIST"
is "$STATUS" 200 "the ETag read before the write no longer matches"

# ---- a write by another process: the command line ----
req a4 "$T_aada" "$LIST"
req a5 "$T_aada" "$LIST"
is "$(header a5 X-Cache)" "hit" "AADA's list is cached again"
run "$CONCORD" mark activity "$PRT1" --releasability org
is "$RC" 0 "the CLI marks one of the PRT's rows for its owner only"
req a6 "$T_aada" "$LIST"
is "$(header a6 X-Cache)" "miss" "AADA's next read is computed afresh"
is "$(ids a6)" "$(expect AADA 16)" "... and holds what AADA may now see"
unlike " $(ids a6) " " $PRT1 " "... not the row the CLI withdrew"
req s4 "$T_aada" "$URL/api/activities/$PRT1"
is "$STATUS" 404 "the withdrawn row read alone: 404"
req p4 "$T_prt" "$LIST"
is "$(rel_of p4 "$PRT1")" "org" "its owner sees the new marking"

# ---- tokens ----
req t1 "$T_prt2" "$LIST"
is "$STATUS $(header t1 X-Cache)" "200 hit" "the second PRT token reads from the cache"
run "$CONCORD" token revoke "$ID_prt2"
is "$RC" 0 "the CLI revokes it"
req t2 "$T_prt2" "$LIST"
is "$STATUS" 401 "the revoked token is refused at once"
req t3 "$T_prt" "$LIST"
is "$STATUS" 200 "the PRT's other token still reads"
req t4 "nonsense" "$LIST"
is "$STATUS" 401 "an unknown token is refused"

kill "$PID"
wait "$PID"
is "$?" 0 "the server stops cleanly"
hits=$(grep -c ' 200 \| 304 ' srv.log)
[ "$hits" -gt 0 ] && ok "the request log has a line per request ($hits answered)" ||
	not_ok "the request log has a line per request" "$(cat srv.log)"
done_testing
