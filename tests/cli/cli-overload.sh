#!/bin/sh
# Graceful overload of `concord serve`: a connection beyond --max-connections gets 503 with
# Retry-After, a burst far beyond it gets only 200 or 503, slow clients are dropped after
# --timeout, and --per-ip keeps one address from taking every connection.
# tests/soak/overload.py does the work.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
python3 "$ROOT/tests/soak/overload.py" --concord "$CONCORD" --case "$CASE" --work "$WORK"
