#!/bin/sh
# The command line itself: help, version, usage errors, exit statuses, store selection.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

run "$CONCORD" --version
is "$RC" 0 "--version exits 0"
like "$OUT" '^concord [0-9][0-9.]*$' "--version prints the version"

run "$CONCORD" --help
is "$RC" 0 "--help exits 0"
for c in init migrate import coverage report help; do
	like "$OUT" "^  $c " "--help lists $c"
done

run "$CONCORD" help import
is "$RC" 0 "help import exits 0"
like "$OUT" 'usage: concord import KIND FILE' "help import shows the synopsis"
like "$OUT" 'FILE:LINE: FIELD: reason' "help import explains rejected rows"

run "$CONCORD" coverage --help
is "$RC" 0 "COMMAND --help exits 0"
like "$OUT" 'usage: concord coverage' "COMMAND --help shows the command's usage"

run "$CONCORD"
is "$RC" 2 "no command is a usage error"

run "$CONCORD" frobnicate
is "$RC" 2 "unknown command exits 2"
like "$ERR" "unknown command 'frobnicate'; the commands are: init migrate import" "unknown command lists the commands"

run "$CONCORD" coverage
is "$RC" 1 "a command on a missing store fails"
skip_on_postgres "the message names the store" "the store is the test's PostgreSQL database" ||
	like "$ERR" "concord.db" "the message names the store"
like "$ERR" "concord init" "the message says what to run"
if ! skip_on_postgres "a read command creates no store" "the PostgreSQL pass makes each database first"; then
	[ ! -e concord.db ] && ok "a read command creates no store" || not_ok "a read command creates no store"
fi

run "$CONCORD" init --country Afghanistan
is "$RC" 2 "a bad country code is a usage error"

run "$CONCORD" init
is "$RC" 0 "init creates ./concord.db"
[ -s concord.db ] && ok "concord.db exists" || not_ok "concord.db exists"
like "$OUT" "mission DEFAULT" "init creates the default mission"

run "$CONCORD" init
is "$RC" 0 "init again is harmless"

run "$CONCORD" -d other.db init --mission KFOR-1999 --name "Kosovo 1999" --country XKX
is "$RC" 0 "init -d other.db"
like "$OUT" "mission KFOR-1999: Kosovo 1999, XKX" "init names the mission"
is "$(sqlite3 other.db "select case when start_date is null then 'none' else 'set' end from mission where code = 'KFOR-1999'")" none "a mission without dates stores none"
like "$("$CONCORD" -d other.db mission show)" "^dates: (none) to (none)$" "mission show says it has no dates"
run "$CONCORD" -d other.db init --mission KFOR-1999 --start 1999-06-10 --end 2008-02-17
is "$RC" 0 "init sets the mission's dates"
is "$("$CONCORD" -d other.db mission show | sed -n 's/^name: //p; s/^dates: //p' | tr '\n' ' ')" "Kosovo 1999 1999-06-10 to 2008-02-17 " "dates stored, name kept"
run "$CONCORD" -d other.db init --mission KFOR-1999 --start 2008-02-17 --end 1999-06-10
is "$RC" 2 "an end before the start is a usage error"
CONCORD_DB=other.db run "$CONCORD" init --mission LBY-2011 --country LBY
is "$RC" 0 "CONCORD_DB selects the store"
[ -s other.db ] && ok "CONCORD_DB store written" || not_ok "CONCORD_DB store written"

run "$CONCORD" --db sqlite:other.db coverage
is "$RC" 2 "a store with several missions asks for -m"
like "$ERR" "choose one with -m" "the message says to choose a mission with -m"

run "$CONCORD" --db sqlite:other.db coverage -m LBY-2011 --csv
is "$RC" 0 "sqlite:PATH and -m after the command work"
like "$OUT" "^pcode,name,level,unspecified,column,activities,organisations,targeted,reached$" "an empty store gives the CSV header only"

run "$CONCORD" -d postgresql://localhost/concord coverage
is "$RC" 1 "postgresql:// is reserved"
like "$ERR" "PostgreSQL" "the message says PostgreSQL is not there yet"

run "$CONCORD" coverage --by colour
is "$RC" 2 "a bad --by is a usage error"
like "$ERR" "choose pillar, sector or cluster" "the usage error lists the choices"

run "$CONCORD" import
is "$RC" 2 "import without a kind is a usage error"
run "$CONCORD" import gpx x.gpx
is "$RC" 2 "an unknown import kind is a usage error"
like "$ERR" "the kinds are: 3w, areas, needs" "the usage error lists the kinds"
run "$CONCORD" import 3w "$WORK/missing.csv" --format acled
is "$RC" 2 "an option of another kind is a usage error"
like "$ERR" "'import 3w' does not take --format" "the message names the option"
run "$CONCORD" import events "$WORK/missing.csv" --add-areas
like "$ERR" "'import events' does not take --add-areas" "every kind checks its options"
run "$CONCORD" import 3w "$WORK/missing.csv" --period 2021-07-01/2021-09-30
is "$RC" 1 "a missing file fails"
like "$ERR" "missing.csv" "the message names the file"

done_testing
