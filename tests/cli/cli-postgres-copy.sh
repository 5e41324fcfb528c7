#!/bin/sh
# concord copy between SQLite and PostgreSQL, and backup/restore on PostgreSQL: the Afghanistan
# case copied from SQLite to PostgreSQL and back with equal digests at each step, the commands
# answering the same on every copy, what the digest leaves out rebuilt on PostgreSQL (a
# partition per year of incidents, incident_key, the identity sequences, the foreign keys and
# the change log's guards as they were), a PostgreSQL archive restored into PostgreSQL and into
# SQLite. Skips, saying why, where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI

digest() { "$CONCORD" -d "$1" backup --digest; }
# same_answers STORE-A STORE-B WHAT: the commands answer alike on both stores
same_answers() {
	for cmd in "coverage --json" "gaps --json" "exposure --json" "progress --csv" \
		"lesson search water" "feedback search water" "feedback search famil*" "audit verify"; do
		# shellcheck disable=SC2086
		A=$("$CONCORD" -d "$1" $cmd 2>&1) B=$("$CONCORD" -d "$2" $cmd 2>&1)
		if [ "$A" = "$B" ] && [ -n "$A" ]; then
			ok "'$cmd' answers the same on $3"
		else
			not_ok "'$cmd' answers the same on $3" "$(printf '%s\n' "$A" >a.out; printf '%s\n' "$B" >b.out; diff a.out b.out | head -6)"
		fi
	done
}

run "$CONCORD" -d s.db demo load "$CASE"
[ "$RC" -eq 0 ] && ok "the Afghanistan case loads on SQLite" || {
	not_ok "the Afghanistan case loads on SQLite" "$(printf '%s\n' "$ERR" | tail -5)"
	done_testing
	exit 1
}
# feedback, whose search index each backend makes of its own (FTS5 on SQLite, feedback_fts's
# tokens on PostgreSQL) and an archive does not carry from SQLite: rebuilt by the target
run "$CONCORD" -d s.db feedback import "$TDATA/survey/feedback.csv" --personal name,phone
is "$RC" 0 "feedback imports on SQLite"
FB_HIT=$("$CONCORD" -d s.db feedback search water)
like "$FB_HIT" "^1 item" "... and its search finds the one item about water"
DS=$(digest s.db)

# SQLite -> PostgreSQL
run "$CONCORD" copy --from "sqlite:$WORK/s.db" --to "$PG" -v
case "$ERR" in
*"has no counterpart in this store"*)
	skip "copy SQLite -> PostgreSQL" "a domain of the case is not on PostgreSQL in this tree: $ERR"
	done_testing
	exit 0
	;;
esac
is "$RC" 0 "copy SQLite -> PostgreSQL succeeds"
like "$OUT" "^store digest now: $DS (the same)\$" "... and reports the same digest"
like "$ERR" "^  incident  *$(sqlite3 s.db 'select count(*) from incident') rows\$" \
	"... with rows per table on stderr (-v)"
is "$(digest "$PG")" "$DS" "the PostgreSQL copy's digest is SQLite's"
same_answers s.db "$PG" "the PostgreSQL copy"
is "$("$CONCORD" -d "$PG" feedback search water)" "$FB_HIT" \
	"feedback search on the PostgreSQL copy finds SQLite's item, with its snippet"
is "$(psql cc "select count(*) || ' ' || sum(ntok) from feedback_fts")" \
	"$(psql cc "select count(*) from feedback") $(python3 -c '
import csv, re, sys
# the tokens of text, category, channel and organisation as unicode61 splits them
n = 0
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    for c in ("text", "category", "channel", "organisation"):
        n += len(re.findall(r"[^\W_]+", r[c]))
print(n)' "$TDATA/survey/feedback.csv")" \
	"feedback_fts: one row per item, with every token of its four columns"

# what the digest leaves out, rebuilt on PostgreSQL
YEARS=$(sqlite3 s.db "select count(distinct strftime('%Y', date * 86400, 'unixepoch')) from incident")
is "$(psql cc "select count(*) from pg_inherits where inhparent = 'incident'::regclass")" "$YEARS" \
	"one partition per year that has incidents"
is "$(psql cc "select count(*) from incident_key k join incident i using (id) where k.year = extract(year from date '1970-01-01' + i.date) and k.source = i.source and k.source_id = i.source_id and k.digest = i.digest")" \
	"$(sqlite3 s.db 'select count(*) from incident')" "incident_key: one row per incident, as the writer makes it"
is "$(psql cc "select count(*) from pg_constraint where contype = 'f' and condeferrable")" 0 \
	"the foreign keys are not deferrable again"
is "$(psql cc "select count(*) from pg_trigger where not tgisinternal and tgenabled = 'D'")" 0 \
	"no trigger left disabled"
run psql cc "delete from change where id = 1"
like "$ERR" "append-only" "the change log refuses a DELETE again"
is "$(psql cc "select count(*) from change")" "$(sqlite3 s.db 'select count(*) from change')" \
	"... and keeps every entry"
# new records get SQLite's ids: the sequences are past the copied ids
A=$("$CONCORD" -d s.db import events "$TDATA/events/acled_synthetic.csv" 2>&1)
B=$("$CONCORD" -d "$PG" import events "$TDATA/events/acled_synthetic.csv" 2>&1)
is "$B" "$A" "an events import answers the same on the copy"
ORG=$(sqlite3 s.db 'select key from organisation order by id limit 1')
run "$CONCORD" -d s.db user add copy-check --org "$ORG" --role viewer
SU=$RC
run "$CONCORD" -d "$PG" user add copy-check --org "$ORG" --role viewer
is "$RC" "$SU" "a user added on both"
is "$(psql cc "select max(id) from incident")" "$(sqlite3 s.db 'select max(id) from incident')" \
	"... with the same new ids"
is "$(psql cc "select string_agg(id::text, ',' order by id) from user_account")" \
	"$(sqlite3 s.db "select group_concat(id) from (select id from user_account order by id)")" \
	"an identity id after the copy is SQLite's next"
# the change log's entries carry their times (and hashes over them): the stores are alike but
# for those; from here on the PostgreSQL store is the one copied
is "$(psql cc "select string_agg(id || ',' || tbl || ',' || op || ',' || coalesce(record_id::text, ''), ';' order by id) from change")" \
	"$(sqlite3 s.db "select group_concat(id || ',' || tbl || ',' || op || ',' || coalesce(record_id, ''), ';') from (select * from change order by id)")" \
	"both change logs hold the same entries after the same writes"
DS2=$(digest "$PG")

# PostgreSQL -> SQLite
run "$CONCORD" copy --from "$PG" --to "$WORK/back.db"
is "$RC" 0 "copy PostgreSQL -> SQLite succeeds"
is "$(digest back.db)" "$DS2" "the SQLite copy's digest is the PostgreSQL store's"
same_answers "$PG" back.db "the copy back on SQLite"
is "$(sqlite3 back.db 'select count(*) from area_rtree')" "$(sqlite3 s.db 'select count(*) from area_rtree')" \
	"the spatial index is rebuilt on SQLite"

# backup and restore on PostgreSQL
run "$CONCORD" -d "$PG" backup -o pg.ccb
is "$RC" 0 "backup on PostgreSQL succeeds"
like "$OUT" "^digest: $DS2\$" "... recording the store's digest"
P2=$(pg_createdb r2)
run "$CONCORD" -d "$P2" restore pg.ccb
is "$RC" 0 "restore into a new PostgreSQL database succeeds"
is "$(digest "$P2")" "$DS2" "... with the same digest"
is "$(psql r2 "select count(*) from feedback_fts")" "$(psql cc "select count(*) from feedback_fts")" \
	"... and its derived tables as they were"
same_answers "$PG" "$P2" "the restored PostgreSQL store"
run "$CONCORD" -d "$P2" restore pg.ccb
[ "$RC" -ne 0 ] && ok "restore into a PostgreSQL store with records is refused" ||
	not_ok "restore into a PostgreSQL store with records is refused" "$OUT"
run "$CONCORD" -d "$P2" restore --force pg.ccb
is "$RC:$(digest "$P2")" "0:$DS2" "restore --force on PostgreSQL gives the same store"
run "$CONCORD" -d "$P2" restore --force pg.ccb
is "$RC:$(digest "$P2")" "0:$DS2" "... each time"
is "$(psql r2 "select count(*) from incident_key")" "$(psql cc "select count(*) from incident")" \
	"... with incident_key rebuilt once"
head -c $(($(wc -c <pg.ccb) * 2 / 3)) pg.ccb >trunc.ccb
run "$CONCORD" -d "$P2" restore --force trunc.ccb
[ "$RC" -ne 0 ] && ok "a truncated archive is refused on PostgreSQL" ||
	not_ok "a truncated archive is refused on PostgreSQL" "$OUT"
is "$(digest "$P2")" "$DS2" "... and the store is as it was"
run "$CONCORD" -d pgback.db restore pg.ccb
is "$RC:$(digest pgback.db)" "0:$DS2" "a PostgreSQL archive restores into SQLite with the same digest"

# a table of the source that the target lacks, holding rows, is named
P3=$(pg_createdb r3)
"$CONCORD" -d "$P3" init >/dev/null 2>&1
psql r3 "create table zz_extra (id bigint primary key); insert into zz_extra values (1)" >/dev/null
run "$CONCORD" copy --from "$P3" --to "$WORK/x.db"
[ "$RC" -ne 0 ] && ok "copy of a table the target lacks is refused" ||
	not_ok "copy of a table the target lacks is refused" "$OUT"
like "$ERR" "table 'zz_extra'.*no counterpart" "... naming it"

done_testing
