#!/bin/sh
# Crash consistency (docs/RELIABILITY.md): imports of the 3W and of events, and a burst of API
# writes, killed with SIGKILL at moments spread over their run; the store must pass SQLite's
# integrity check and the audit chain, hold each import wholly or not at all, keep every write
# acknowledged before the kill, and take the import again. CRASH_RUNS kills per scenario (20
# here; `make soak` runs 100), CRASH_SEED reproduces a run (printed first). On the PostgreSQL
# pass the same on a database of the test cluster, the integrity checked with amcheck and a
# store without the import compared with the baseline by its digest; 8 kills per scenario
# there, since each copies a database and reads it back through psql.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
RUNS=20
[ "$CC_BACKEND" = postgres ] && RUNS=8
python3 "$ROOT/tests/crash/crash.py" "$CONCORD" "$CASE" "$WORK" "${CRASH_RUNS:-$RUNS}" \
	"${CRASH_SEED:-$(date +%s)}"
