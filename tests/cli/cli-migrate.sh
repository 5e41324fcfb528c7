#!/bin/sh
# Schema versions: an older store is refused until `concord migrate`, which upgrades it and
# keeps its records; a newer store is refused with a message to upgrade concord.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
MIG="$ROOT/src/store/migrations"

"$CONCORD" -d new.db init >/dev/null
WANT=$(sqlite3 new.db 'pragma user_version')
is "$WANT" "$(ls "$MIG"/*.sql | wc -l | tr -d ' ')" "a new store has every migration applied"

# A store as version 1 of Concord made it, with a record in it.
sqlite3 old.db <"$MIG/0001_init.sql"
sqlite3 old.db "pragma user_version = 1; insert into mission (code, name, country) values ('KFOR-1999', 'Kosovo 1999', 'XKX'); insert into source (mission_id, name, digest) values (1, 'old.csv', 'abc');"

run "$CONCORD" -d old.db coverage
is "$RC" 1 "an older store is refused"
like "$ERR" "schema version 1 is older than this program's $WANT; run 'concord migrate'" "the message says what to run"

run "$CONCORD" -d old.db migrate
is "$RC" 0 "migrate upgrades it"
like "$OUT" "migrated from schema 1 to $WANT" "migrate says what it did"
is "$(sqlite3 old.db 'pragma user_version')" "$WANT" "the store is at the current version"
is "$(sqlite3 old.db "select code || ' ' || country from mission")" "KFOR-1999 XKX" "records survive the migration"
is "$(sqlite3 old.db "select count(*) from pragma_table_info('source') where name = 'n_rejected'")" 1 "the new column exists"
is "$(sqlite3 old.db "select name from source")" "old.csv" "old sources survive"

run "$CONCORD" -d old.db migrate
is "$RC" 0 "migrate on a current store is harmless"
like "$OUT" "up to date" "and says so"

run "$CONCORD" -d old.db init
is "$RC" 0 "init on a migrated store loads the code lists"
run "$CONCORD" -d old.db coverage --csv
is "$RC" 0 "the migrated store answers queries"

sqlite3 new.db "pragma user_version = 99"
run "$CONCORD" -d new.db coverage
is "$RC" 1 "a newer store is refused"
like "$ERR" "newer than this program's $WANT; upgrade concord" "the message says to upgrade concord"
run "$CONCORD" -d new.db migrate
is "$RC" 1 "migrate refuses to downgrade a newer store"

done_testing
