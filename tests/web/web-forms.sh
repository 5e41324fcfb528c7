#!/bin/sh
# The dashboard's forms in a real browser: `concord serve` on 127.0.0.1 (port 0) over a small
# store of its own; forms.mjs drives Debian's chromium through playwright-core, signed in as an
# editor (adds and edits an activity, an observation, feedback and a lesson through the forms,
# sees the activity in the 3W matrix and through the API, and a bad value's server error next to
# its field) and as a viewer (no forms). Screenshots go to $CC_WEB_OUT. Skips, saying why, when
# node, chromium or the built dashboard (web/node_modules, npm ci) are missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

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
	skip "the dashboard's forms in a browser" "$reason"
	done_testing
	exit 0
fi

export CONCORD_DB="$WORK/concord.db"
setup() {
	"$CONCORD" init --mission AFG --country AFG &&
	"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" &&
	"$CONCORD" import indicators "$TDATA/indicators/indicators.csv" &&
	"$CONCORD" import observations "$TDATA/indicators/observations.csv" &&
	"$CONCORD" member add AADA --kind ngo &&
	"$CONCORD" member add WFP --kind un &&
	"$CONCORD" user add aada-ed --org AADA --role editor &&
	"$CONCORD" user add wfp-v --org WFP --role viewer
}
if ! setup >setup.log 2>&1; then
	not_ok "the fixture store" "$(tail -5 setup.log)"
	done_testing
	exit 1
fi
TOKEN_EDITOR=$("$CONCORD" token create aada-ed 2>/dev/null)
TOKEN_VIEWER=$("$CONCORD" token create wfp-v 2>/dev/null)

serve_start --threads 4 --web "$WEB"

OUT_DIR=${CC_WEB_OUT:-$(dirname "$CONCORD")/tests/web-output}
mkdir -p "$OUT_DIR"
export WEB_URL="http://127.0.0.1:$PORT" TOKEN_EDITOR TOKEN_VIEWER OUT_DIR CHROMIUM
export TAP_COUNT_FILE="$WORK/tap.count" TAP_FIRST=$((T_N + 1))
node "$ROOT/tests/web/forms.mjs"
rc=$?
kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
N0=$T_N
T_N=$(cat "$WORK/tap.count" 2>/dev/null || echo "$T_N")
[ "$rc" -ne 0 ] && T_FAILED=$((T_FAILED + 1))
if [ "$T_N" -eq "$N0" ]; then
	not_ok "the browser tests ran" "forms.mjs exited with status $rc before its first test"
fi
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' srv.log; then
	not_ok "the server behind the browser ran clean under the sanitizers" \
		"$(grep -A20 'Sanitizer\|runtime error:' srv.log | head -40)"
else
	ok "the server behind the browser ran clean under the sanitizers"
fi
run "$CONCORD" audit verify
is "$RC" 0 "the audit chain verifies after the forms' writes"
done_testing
