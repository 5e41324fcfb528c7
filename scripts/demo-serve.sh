#!/bin/sh
# The end of `make demo` on a terminal: a coordinator of the demo store (UNOCHA, added as a
# member of the mission), a token for it, and `concord serve` with the dashboard on the
# loopback until Ctrl-C, computing the case's stabilisation index for the map. Usage:
# scripts/demo-serve.sh CONCORD DB PORT
set -e
CONCORD=$1 DB=$2 PORT=${3:-8080}
# both already there when this runs a second time on the same store
"$CONCORD" -d "$DB" member add UNOCHA --kind un \
	--name "UN Office for the Coordination of Humanitarian Affairs" >/dev/null 2>&1 || true
"$CONCORD" -d "$DB" user add demo-coordinator --org UNOCHA --role coordinator >/dev/null 2>&1 || true
TOKEN=$("$CONCORD" -d "$DB" token create demo-coordinator 2>/dev/null)
echo
echo "The dashboard: http://127.0.0.1:$PORT/  (sign in with the token below; Ctrl-C stops)"
echo "token: $TOKEN"
echo
INDEX=$(dirname "$0")/../data/cases/afghanistan/afg_index.yaml
exec "$CONCORD" -d "$DB" serve --listen "127.0.0.1:$PORT" --index "$INDEX" 2>>demo-serve.log
