#!/bin/sh
# Store options in the URI (sqlite:PATH?max_size=…&synchronous=…) and a full store: an import
# that runs out of room stops with a clear error naming where it was, stores nothing, and leaves
# the store readable and unchanged; with room again the same import completes. Expected counts
# come from the input files and from sqlite3.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

GAZ="$CASE/afg_global_pcodes_subset.csv"
W3="$CASE/afg_3w_operational_presence_2021q3.csv"
EV="$CASE/ucdp_ged_v23_1_afg.csv"
"$CONCORD" -d s.db init --mission AFG-2021Q3 --country AFG >/dev/null
"$CONCORD" -d s.db import areas "$GAZ" >/dev/null

# everything the store holds, as one digest (sqlite3 reads the WAL too)
digest() {
	for t in activity incident lesson organisation source change; do
		sqlite3 s.db "SELECT * FROM $t ORDER BY rowid"
	done | sha256sum | cut -c1-64
}
PAGES=$(sqlite3 s.db 'PRAGMA page_count')
PSIZE=$(sqlite3 s.db 'PRAGMA page_size')
BEFORE=$(digest)

# a quota of the pages the store has now (free pages inside it may still take small writes):
# none of these imports fits
Q=$((PAGES * PSIZE))
is "$(sqlite3 s.db 'PRAGMA freelist_count')" 0 "the store has no free pages to fill"
run "$CONCORD" -d "sqlite:s.db?max_size=$Q" import 3w "$W3" --period 2021-07-01/2021-09-30
is "$RC" 1 "3W into a full store: exit 1 (nothing stored)"
like "$ERR" "afg_3w_operational_presence_2021q3.csv:[0-9]*: the store is full" \
	"... the error names the file and the line it reached"
like "$ERR" "nothing of this transaction was stored" "... and says nothing was stored"
is "$(digest)" "$BEFORE" "... the store is unchanged"
is "$(sqlite3 s.db 'PRAGMA integrity_check')" "ok" "... and passes the integrity check"

run "$CONCORD" -d "sqlite://s.db?max_size=$Q" import events "$EV"
is "$RC" 1 "events into a full store (sqlite:// form): exit 1"
like "$ERR" "the store is full" "... with the same message"
is "$(digest)" "$BEFORE" "... the store is unchanged"

run "$CONCORD" -d "sqlite:s.db?max_size=$Q" lesson import "$ROOT"/data/lessons/*.md
is "$RC" 1 "lessons into a full store: exit 1"
is "$(digest)" "$BEFORE" "... the store is unchanged"

# reading a full store works
run "$CONCORD" -d "sqlite:s.db?max_size=$Q" coverage --level 1
is "$RC" 0 "a full store can still be read"

# with room, the same imports complete: the 3W's distinct rows (79 exact duplicates rejected)
N3=$(python3 -c '
import csv,sys
rows=list(csv.reader(open(sys.argv[1],encoding="utf-8-sig")))[2:]
print(len(set(map(tuple,rows))))' "$W3")
run "$CONCORD" -d "sqlite:s.db?max_size=64M&synchronous=full" import 3w "$W3" --period 2021-07-01/2021-09-30
is "$RC" 3 "with room (64M, synchronous=full) the 3W import completes (duplicates reported)"
is "$(sqlite3 s.db 'SELECT count(*) FROM activity')" "$N3" "... storing every distinct row"
NE=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1])))) - 1)' "$EV")
run "$CONCORD" -d "sqlite:s.db?synchronous=normal" import events "$EV"
is "$RC" 0 "events import with synchronous=normal"
is "$(sqlite3 s.db 'SELECT count(*) FROM incident')" "$NE" "... storing every event"

# options that are not options
run "$CONCORD" -d "sqlite:s.db?max_size=12X" coverage
is "$RC" 2 "max_size 12X: usage error"
like "$ERR" "max_size: '12X' is not a size" "... saying why"
run "$CONCORD" -d "sqlite:s.db?max_size=0" coverage
is "$RC" 2 "max_size 0: usage error"
run "$CONCORD" -d "sqlite:s.db?synchronous=off" coverage
is "$RC" 2 "synchronous=off is refused (it would give up crash safety)"
like "$ERR" "'off' is not normal or full" "... saying which values exist"
run "$CONCORD" -d "sqlite:s.db?journal=delete" coverage
is "$RC" 2 "an unknown option is a usage error"
like "$ERR" "unknown store option 'journal' (known: max_size, synchronous)" "... naming it"
run "$CONCORD" -d "sqlite:s.db?max_size" coverage
is "$RC" 2 "an option without a value is a usage error"
done_testing
