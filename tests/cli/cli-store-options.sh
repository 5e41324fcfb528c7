#!/bin/sh
# Store options in the URI (sqlite:PATH?max_size=…&synchronous=…) and a full store: an import
# that runs out of room stops with a clear error naming where it was, stores nothing, and leaves
# the store readable and unchanged; with room again the same import completes. Expected counts
# come from the input files and from sqlite3. On the PostgreSQL pass the URI options are
# PostgreSQL's (db_role, libpq's parameters, connection errors) and the full store is the
# server's disk full (SQLSTATE 53100, raised by a trigger of the test at an import's first row).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

GAZ="$CASE/afg_global_pcodes_subset.csv"
W3="$CASE/afg_3w_operational_presence_2021q3.csv"
EV="$CASE/ucdp_ged_v23_1_afg.csv"
"$CONCORD" -d s.db init --mission AFG-2021Q3 --country AFG >/dev/null
"$CONCORD" -d s.db import areas "$GAZ" >/dev/null

# everything the store holds, as one digest (sqlite3 reads the WAL too; on PostgreSQL the
# digest of every table, `concord backup --digest`)
digest() {
	if [ "$CC_BACKEND" = postgres ]; then
		sqlite3 s.db .dump
		return
	fi
	for t in activity incident lesson organisation source change; do
		sqlite3 s.db "SELECT * FROM $t ORDER BY rowid"
	done | sha256sum | cut -c1-64
}
# the integrity of the store's files: SQLite's check; on PostgreSQL amcheck's of every table
# and every B-tree index of the store's schema
integrity() {
	if [ "$CC_BACKEND" = postgres ]; then
		sqlite3 s.db "create extension if not exists amcheck;
select case when (select count(*) from pg_class c, verify_heapam(c.oid) where c.relkind = 'r'
	and c.relnamespace = current_schema()::text::regnamespace) = 0
	and (select count(bt_index_check(c.oid, true)) from pg_class c join pg_am a on a.oid = c.relam
	where a.amname = 'btree' and c.relkind = 'i'
	and c.relnamespace = current_schema()::text::regnamespace) > 0 then 'ok' else 'damaged' end"
	else
		sqlite3 s.db 'PRAGMA integrity_check'
	fi
}
BEFORE=$(digest)

if [ "$CC_BACKEND" = postgres ]; then
	# the server's disk fills at the first row an import writes to these tables
	sqlite3 s.db "create function cc_test_disk_full() returns trigger language plpgsql as \$\$ begin
	raise exception 'could not extend file: No space left on device' using errcode = 'disk_full';
end \$\$;
create trigger cc_test_full before insert on activity for each row execute function cc_test_disk_full();
create trigger cc_test_full before insert on incident for each row execute function cc_test_disk_full();
create trigger cc_test_full before insert on lesson for each row execute function cc_test_disk_full();"
	FULL=s.db FULL2=s.db
	skip_on_postgres "the store has no free pages to fill" "SQLite's pages"
else
	# a quota of the pages the store has now (free pages inside it may still take small
	# writes): none of these imports fits
	Q=$(($(sqlite3 s.db 'PRAGMA page_count') * $(sqlite3 s.db 'PRAGMA page_size')))
	FULL="sqlite:s.db?max_size=$Q" FULL2="sqlite://s.db?max_size=$Q"
	is "$(sqlite3 s.db 'PRAGMA freelist_count')" 0 "the store has no free pages to fill"
fi
run "$CONCORD" -d "$FULL" import 3w "$W3" --period 2021-07-01/2021-09-30
is "$RC" 1 "3W into a full store: exit 1 (nothing stored)"
# (on PostgreSQL the rows held for a batch fail when the next statement sends them, after
# what that statement was for: "FILE:LINE: cannot look up organisation …: the store is full")
like "$ERR" "afg_3w_operational_presence_2021q3.csv:[0-9]*: .*the store is full" \
	"... the error names the file and the line it reached"
like "$ERR" "nothing of this transaction was stored" "... and says nothing was stored"
is "$(digest)" "$BEFORE" "... the store is unchanged"
is "$(integrity)" "ok" "... and passes the integrity check"

run "$CONCORD" -d "$FULL2" import events "$EV"
is "$RC" 1 "events into a full store ($([ "$CC_BACKEND" = postgres ] && echo incidents || echo sqlite:// form)): exit 1"
like "$ERR" "the store is full" "... with the same message"
is "$(digest)" "$BEFORE" "... the store is unchanged"

run "$CONCORD" -d "$FULL" lesson import "$ROOT"/data/lessons/*.md
is "$RC" 1 "lessons into a full store: exit 1"
is "$(digest)" "$BEFORE" "... the store is unchanged"

# reading a full store works
run "$CONCORD" -d "$FULL" coverage --level 1
is "$RC" 0 "a full store can still be read"
is "$(integrity)" "ok" "... and still passes the integrity check"
[ "$CC_BACKEND" = postgres ] &&
	sqlite3 s.db "drop trigger cc_test_full on activity; drop trigger cc_test_full on incident;
drop trigger cc_test_full on lesson; drop function cc_test_disk_full()"

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
if [ "$CC_BACKEND" = postgres ]; then
	skip_on_postgres "SQLite's store options (max_size, synchronous) and their usage errors" \
		"options of the SQLite file; PostgreSQL's URI options follow"
else
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
fi

# PostgreSQL's URI: libpq's parameters, the API's role, and connections that fail
if [ "$CC_BACKEND" = postgres ]; then
	read -r _ DB _ <s.db
	PGURI="postgresql://concord@127.0.0.1:$CC_TEST_PG_PORT/$DB"
	"$CONCORD" -d s.db coverage --level 1 >owner.txt
	run "$CONCORD" -d "$PGURI?application_name=concord_test&connect_timeout=10" coverage --level 1
	is "$RC" 0 "libpq's own parameters in the URI are taken"
	is "$OUT" "$(cat owner.txt)" "... the same answer as the store's"
	run "$CONCORD" -d "postgresql://concord:Sesame123@127.0.0.1:1/$DB" coverage
	is "$RC" 1 "a wrong port: exit 1"
	like "$ERR" "cannot connect to PostgreSQL store '127.0.0.1:1/$DB': .*Connection refused" \
		"... naming the store and the server's answer"
	unlike "$ERR" "Sesame123" "... never the password"
	run "$CONCORD" -d "postgresql://concord@127.0.0.1:$CC_TEST_PG_PORT/${DB}_missing" coverage
	is "$RC" 1 "a missing database: exit 1"
	like "$ERR" "store '127.0.0.1:$CC_TEST_PG_PORT/${DB}_missing': .*database \"${DB}_missing\" does not exist" \
		"... naming it"
	run "$CONCORD" -d "$PGURI?max_size=1M" coverage
	is "$RC" 1 "SQLite's max_size is not an option of a PostgreSQL URI"
	like "$ERR" 'invalid URI query parameter: "max_size"' "... saying so"
	run "$CONCORD" -d "postgresql://concord:Sesame123@[127.0.0.1/$DB?sslmode=disable" coverage
	is "$RC" 1 "a URI that cannot be taken apart: exit 1"
	like "$ERR" "cannot connect to PostgreSQL store 'postgresql://concord@\[127.0.0.1/$DB': .*IPv6 host" \
		"... naming the URI as given, without its password and options"
	unlike "$ERR" "Sesame123" "... nor the password libpq quotes"

	API=${DB}_api
	run "$CONCORD" -d "$PGURI?db_role=bad-name" coverage
	is "$RC" 2 "db_role: a name that is not a role name is a usage error"
	like "$ERR" "db_role: 'bad-name' is not a role name" "... saying why"
	run "$CONCORD" -d "$PGURI?db_role=$API" coverage
	is "$RC" 2 "db_role: a role that does not exist is a usage error"
	like "$ERR" "db_role: role '$API' does not exist in the database's cluster" "... naming it"
	run "$CONCORD" -d "$PGURI?db_role=concord" coverage
	is "$RC" 2 "db_role: a superuser is refused (row-level security would not apply)"
	like "$ERR" "role 'concord' is a superuser or has BYPASSRLS" "... saying why"
	sqlite3 s.db "drop role if exists $API; create role $API nologin" >/dev/null
	run "$CONCORD" -d "$PGURI?db_role=$API" coverage
	is "$RC" 2 "db_role: a role without grants on the store is refused"
	like "$ERR" "db_role: role '$API' may not read table '.*'; as the store's owner run: SELECT concord_grant_api('$API')" \
		"... saying what to run"
	sqlite3 s.db "SELECT concord_grant_api('$API')" >/dev/null
	run "$CONCORD" -d "$PGURI?db_role=$API&application_name=concord_test" coverage --level 1
	is "$RC" 0 "db_role: once granted, the role reads the store (with libpq's parameters beside it)"
	is "$OUT" "$(cat owner.txt)" "... with the owner's answer"
	sqlite3 s.db "drop owned by $API; drop role $API" >/dev/null
fi
done_testing
