#!/bin/sh
# A short load test of `concord serve` (the long one is `make soak`): readers and writers
# together for three windows; no 5xx other than 503 with Retry-After, every acknowledged write
# stored and logged, each writer reads back what it wrote. tests/soak/api_soak.py does the work.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
python3 "$ROOT/tests/soak/api_soak.py" --concord "$CONCORD" --case "$CASE" --work "$WORK" \
	--windows 3 --window 5 --readers 8 --writers 4 --tap
