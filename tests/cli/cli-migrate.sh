#!/bin/sh
# Schema versions: an older store is refused until `concord migrate`, which upgrades it and
# keeps its records; a newer store is refused with a message to upgrade concord. On the
# PostgreSQL pass the same points on PostgreSQL's own migrations (src/store/migrations/pg/,
# recorded one row each in schema_migration): a database left at version 1 is made here by
# applying only the first of them, as postgres.c records it.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
MIG="$ROOT/src/store/migrations"

if [ "$CC_BACKEND" = postgres ]; then
	PGMIG="$MIG/pg"
	VERSION="select max(version) from schema_migration"
	"$CONCORD" -d new.db init >/dev/null
	WANT=$(sqlite3 new.db "$VERSION")
	is "$WANT" "$(ls "$PGMIG"/*.sql | wc -l | tr -d ' ')" "a new store has every migration applied"
	is "$(sqlite3 new.db "select string_agg(version || ' ' || name, ',' order by version) from schema_migration")" \
		"$(ls "$PGMIG"/*.sql | awk '{ n = split($0, p, "/"); printf "%s%d %s", (NR > 1 ? "," : ""), NR, p[n] }')" \
		"... each recorded by number and file name"

	# A database as version 1 of the PostgreSQL schema left it, with a record in it.
	run "$CONCORD" -d old.db coverage
	is "$RC" 1 "an empty database is not a store"
	like "$ERR" "no concord store in PostgreSQL database .*; run 'concord init'" "... and the message says so"
	sqlite3 old.db "$(cat "$PGMIG/0001_core.sql")
create table schema_migration (version integer primary key, name text not null, applied_at text not null);
insert into schema_migration values (1, '$(basename "$(ls "$PGMIG"/0001_*.sql)")', '2024-01-01T00:00:00Z');
insert into mission (code, name, country) values ('KFOR-1999', 'Kosovo 1999', 'XKX');
insert into source (mission_id, name, digest) values (1, 'old.csv', 'abc');" >/dev/null
	is "$(sqlite3 old.db "$VERSION")" 1 "the old database is at version 1"
	NEWTABLES="select count(*) from information_schema.tables where table_schema = current_schema() and table_name in ('incident', 'lesson', 'webhook')"
	is "$(sqlite3 old.db "$NEWTABLES")" 0 "... without the later migrations' tables"
else
	"$CONCORD" -d new.db init >/dev/null
	WANT=$(sqlite3 new.db 'pragma user_version')
	is "$WANT" "$(ls "$MIG"/*.sql | wc -l | tr -d ' ')" "a new store has every migration applied"

	# A store as version 1 of Concord made it, with a record in it.
	sqlite3 old.db <"$MIG/0001_init.sql"
	sqlite3 old.db "pragma user_version = 1; insert into mission (code, name, country) values ('KFOR-1999', 'Kosovo 1999', 'XKX'); insert into source (mission_id, name, digest) values (1, 'old.csv', 'abc');"
fi

run "$CONCORD" -d old.db coverage
is "$RC" 1 "an older store is refused"
like "$ERR" "schema version 1 is older than this program's $WANT; run 'concord migrate'" "the message says what to run"

run "$CONCORD" -d old.db migrate
is "$RC" 0 "migrate upgrades it"
like "$OUT" "migrated from schema 1 to $WANT" "migrate says what it did"
if [ "$CC_BACKEND" = postgres ]; then
	is "$(sqlite3 old.db "$VERSION")" "$WANT" "the store is at the current version"
	is "$(sqlite3 old.db "select count(*) from schema_migration")" "$WANT" "... with one record per migration"
else
	is "$(sqlite3 old.db 'pragma user_version')" "$WANT" "the store is at the current version"
fi
is "$(sqlite3 old.db "select code || ' ' || country from mission")" "KFOR-1999 XKX" "records survive the migration"
if [ "$CC_BACKEND" = postgres ]; then
	is "$(sqlite3 old.db "$NEWTABLES")" 3 "the later migrations' tables exist"
else
	is "$(sqlite3 old.db "select count(*) from pragma_table_info('source') where name = 'n_rejected'")" 1 "the new column exists"
fi
is "$(sqlite3 old.db "select name from source")" "old.csv" "old sources survive"

run "$CONCORD" -d old.db migrate
is "$RC" 0 "migrate on a current store is harmless"
like "$OUT" "up to date" "and says so"

run "$CONCORD" -d old.db init
is "$RC" 0 "init on a migrated store loads the code lists"
run "$CONCORD" -d old.db coverage --csv
is "$RC" 0 "the migrated store answers queries"

if [ "$CC_BACKEND" = postgres ]; then
	sqlite3 new.db "insert into schema_migration values (99, '0099_future.sql', '2099-01-01T00:00:00Z')"
else
	sqlite3 new.db "pragma user_version = 99"
fi
run "$CONCORD" -d new.db coverage
is "$RC" 1 "a newer store is refused"
like "$ERR" "newer than this program's $WANT; upgrade concord" "the message says to upgrade concord"
run "$CONCORD" -d new.db migrate
is "$RC" 1 "migrate refuses to downgrade a newer store"
like "$ERR" "newer than this program's $WANT; upgrade concord" "... with the same message"
if [ "$CC_BACKEND" = postgres ]; then
	is "$(sqlite3 new.db "$VERSION")" 99 "... and leaves its version as it was"
else
	is "$(sqlite3 new.db 'pragma user_version')" 99 "... and leaves its version as it was"
fi

done_testing
