#!/bin/sh
# The dashboard in a real browser: `concord serve` on 127.0.0.1 (port 0) over the Afghanistan
# case, with one record visible only to a military team (ISAF-PRT) and one only to a national
# NGO (AADA), needs, people reached and index observations of a few provinces (tests/web/data)
# and a coordinator of MRRD; dashboard.mjs then drives Debian's chromium through playwright-core, signed in as
# a user of each, and checks what each sees, the map, the tables' filter and sort, the live
# feed and the page's headers. Screenshots go to $CC_WEB_OUT. Skips, saying why, when node,
# chromium or the built dashboard (web/node_modules, npm ci) are missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

# ---- static files, from a directory made here (needs curl only) ----
start_server() { # start_server ARGS...: sets PID and PORT (empty when it did not start)
	: >srv.out
	"$CONCORD" serve --listen 127.0.0.1:0 --threads 4 "$@" >srv.out 2>>srv.log &
	PID=$!
	i=0
	while [ $i -lt 200 ] && ! grep -q '^listening on ' srv.out; do
		sleep 0.1
		i=$((i + 1))
	done
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' srv.out)
}
export CONCORD_DB="$WORK/concord.db"
if command -v curl >/dev/null 2>&1 && "$CONCORD" init --mission T --country AFG >/dev/null 2>&1; then
	mkdir -p site/sub
	printf '<!doctype html><title>t</title>\n' >site/index.html
	printf 'x = 1;\n' >site/a.js
	printf 'b { color: red }\n' >site/sub/s.css
	printf '\211PNG\r\n' >site/i.png
	printf 'data' >site/blob.bin
	echo "outside the web directory" >outside.txt
	ln -s ../outside.txt site/link.txt
	echo hidden >site/.hidden
	start_server --web "$WORK/site"
	U="http://127.0.0.1:$PORT"
	get() { # get PATH [CURL ARGS]: status and Content-Type in $GOT, body in body, headers in head
		p=$1
		shift
		rm -f body head
		: >body
		GOT=$(curl -s --path-as-is -o body -D head -w '%{http_code} %{content_type}' "$@" "$U$p")
	}
	get /
	is "$GOT" "200 text/html; charset=utf-8" "--web DIR: GET / answers its index.html as text/html"
	is "$(cmp -s body site/index.html && echo same)" same "... byte for byte"
	like "$(cat head)" "^Content-Security-Policy: default-src 'none'; script-src 'self'" "... with a Content-Security-Policy"
	like "$(cat head)" "^Cache-Control: no-cache" "... revalidated on every load"
	TAG=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' head)
	get / -H "If-None-Match: $TAG"
	is "$GOT $(wc -c <body)" "304  0" "If-None-Match with its ETag: 304 and no body"
	get /a.js
	is "$GOT" "200 text/javascript; charset=utf-8" "a .js file as text/javascript"
	get /sub/s.css
	is "$GOT" "200 text/css; charset=utf-8" "a .css file in a subdirectory as text/css"
	get /i.png
	is "$GOT" "200 image/png" "a .png as image/png"
	get /blob.bin
	is "$GOT" "200 application/octet-stream" "an unknown extension as application/octet-stream"
	for p in /../outside.txt /sub/../../outside.txt /%2e%2e/outside.txt /sub/%2E%2E/%2E%2E/outside.txt \
		/link.txt /.hidden /sub/ /sub //a.js /./a.js /a.js/ "/a%20b.js"; do
		get "$p"
		case "$GOT" in
		404*) if grep -q 'outside the web directory' body; then not_ok "GET $p is refused" "$(cat body)"; else ok "GET $p is refused (404)"; fi ;;
		*) not_ok "GET $p is refused" "$GOT: $(head -c 200 body)" ;;
		esac
	done
	get /a.js -X POST
	is "${GOT%% *}" 404 "POST to a file is not served"
	get /api/health
	is "$GOT" "200 application/json" "the API is answered as before"
	get /api/nothing
	like "$GOT $(cat body)" '^404 application/json.*no route' "an unknown /api/ path is the API's JSON 404, not a file"
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	rm -f concord.db concord.db-wal concord.db-shm
else
	skip "the static files" "curl is not installed"
fi

WEB=${CC_WEB_DIR:-$(dirname "$CONCORD")/web}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
reason=
if ! command -v node >/dev/null 2>&1; then
	reason="node is not installed"
elif [ ! -f "$ROOT/web/node_modules/playwright-core/package.json" ]; then
	reason="web/node_modules is missing (npm ci has not run)"
elif [ -f "$WEB/BUILD-MISSING" ]; then
	reason="the dashboard was not built: $(cat "$WEB/BUILD-MISSING")"
elif [ ! -s "$WEB/app.js" ]; then
	reason="no built dashboard in $WEB"
elif [ -z "$CHROMIUM" ]; then
	reason="chromium is not installed"
fi
if [ -n "$reason" ]; then
	skip "the dashboard in a browser" "$reason"
	done_testing
	exit 0
fi

D="$ROOT/tests/web/data"
setup() {
	"$CONCORD" init --mission AFG-2021Q3 --country AFG &&
	"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" &&
	"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
		--name-field shapeName --code-map "$CASE/adm1_code_map.csv" &&
	"$CONCORD" import population "$CASE/afg_population_adm1.csv" &&
	{ "$CONCORD" import needs "$CASE/afg_hno_2024_needs_by_area.csv"; [ $? -le 3 ]; } &&
	"$CONCORD" lesson import "$ROOT"/data/lessons/*.md &&
	"$CONCORD" lesson add --title "QUOKKA <img src=x onerror=alert(1)> markup stays text" \
		--observation "A quokka <b>observation</b> with markup." &&
	(cd "$CASE" && "$CONCORD" import survey ./afg_lyall_survey_excerpt.csv --wave 2011 \
		--area-column province --area-map ./adm1_code_map.csv \
		--questions ./afg_lyall_form_survey.csv --questions ./afg_lyall_form_choices.csv) &&
	"$CONCORD" import events "$CASE/ucdp_ged_v23_1_afg.csv" &&
	"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" &&
	"$CONCORD" import benchmarks "$TDATA/indicators/benchmarks.csv" &&
	"$CONCORD" import observations "$TDATA/indicators/observations.csv" &&
	"$CONCORD" member add ISAF-PRT --kind military --name "Provincial Reconstruction Team" &&
	"$CONCORD" member add AADA --kind ngo &&
	"$CONCORD" member add MRRD --kind government &&
	"$CONCORD" import 3w "$D/isaf-marker.csv" --owner ISAF-PRT --releasability org &&
	"$CONCORD" import 3w "$D/aada-marker.csv" --owner AADA --releasability org &&
	{ "$CONCORD" import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" \
		--period 2021-07-01/2021-09-30; [ $? -le 3 ]; } &&
	"$CONCORD" indicators compute --period year --from 2021-01-01 --to 2021-12-31 &&
	"$CONCORD" import needs "$D/reach-needs.csv" &&
	"$CONCORD" import 3w "$D/reach-3w.csv" --owner MRRD --geo-releasability org &&
	"$CONCORD" import observations "$D/index-observations.csv" &&
	"$CONCORD" user add isaf-ed --org ISAF-PRT --role editor &&
	"$CONCORD" user add aada-v --org AADA --role viewer &&
	"$CONCORD" user add mrrd-co --org MRRD --role coordinator
}
if ! setup >setup.log 2>&1; then
	not_ok "the fixture store" "$(tail -5 setup.log)"
	done_testing
	exit 1
fi
TOKEN_ISAF=$("$CONCORD" token create isaf-ed 2>token.err)
TOKEN_ISAF_ID=$(sed -n 's/^token \([0-9]*\) .*/\1/p' token.err)
TOKEN_AADA=$("$CONCORD" token create aada-v 2>/dev/null)
TOKEN_COORD=$("$CONCORD" token create mrrd-co 2>/dev/null)

start_server --web "$WEB"
if [ -z "$PORT" ]; then
	not_ok "serve prints 'listening on 127.0.0.1:PORT'" "$(cat srv.out srv.log)"
	kill "$PID" 2>/dev/null
	done_testing
	exit 1
fi

OUT_DIR=${CC_WEB_OUT:-$(dirname "$CONCORD")/tests/web-output}
mkdir -p "$OUT_DIR"
export WEB_URL="http://127.0.0.1:$PORT" TOKEN_ISAF TOKEN_ISAF_ID TOKEN_AADA TOKEN_COORD OUT_DIR CHROMIUM CONCORD
export WEB_DIR="$WEB" FIXTURE_DIR="$D" TAP_COUNT_FILE="$WORK/tap.count" TAP_FIRST=$((T_N + 1))
node "$ROOT/tests/web/dashboard.mjs"
rc=$?
kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
N0=$T_N
T_N=$(cat "$WORK/tap.count" 2>/dev/null || echo "$T_N")
[ "$rc" -ne 0 ] && T_FAILED=$((T_FAILED + 1))
if [ "$T_N" -eq "$N0" ]; then
	not_ok "the browser tests ran" "dashboard.mjs exited with status $rc before its first test"
fi
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' srv.log; then
	not_ok "the server behind the browser ran clean under the sanitizers" \
		"$(grep -A20 'Sanitizer\|runtime error:' srv.log | head -40)"
else
	ok "the server behind the browser ran clean under the sanitizers"
fi
done_testing
