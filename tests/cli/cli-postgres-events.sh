#!/bin/sh
# Incidents on PostgreSQL against SQLite: the same steps on both backends (a throwaway cluster,
# tests/cli/pglib.sh), the outputs compared byte for byte and the rows with psql and sqlite3.
# The real UCDP GED excerpt and the synthetic ACLED files go in; a re-import changes nothing; a
# revised date moves an incident to another year's partition without duplicating it (the key
# table and the partitions counted with psql against SQLite's rows counted by year); a bad file
# stores nothing, not even a partition; exposure (by site and by area) and export events equal
# SQLite's, also as the public and the partners after the same rows were marked on both; two
# imports at once. Skips, saying why, where the server packages or the backend are missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
EV="$TDATA/events"
UCDP="$CASE/ucdp_ged_v23_1_afg.csv"

. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db

both() { # both ARGS...: runs concord on SQLite (SOUT, SERR, SRC) and PostgreSQL (OUT, ERR, RC)
	run "$CONCORD" -d "$SQ" "$@"
	SOUT=$OUT SERR=$ERR SRC=$RC
	run "$CONCORD" -d "$PG" "$@"
}
same() { # same DESCRIPTION: PostgreSQL said and exited what SQLite did
	if [ "$OUT" = "$SOUT" ] && [ "$RC" = "$SRC" ]; then
		ok "$1"
	else
		not_ok "$1" "SQLite ($SRC): $(printf '%s\n' "$SOUT" | head -3)
PostgreSQL ($RC): $(printf '%s\n' "$OUT" | head -3)
$ERR"
	fi
}
sq() { sqlite3 "$SQ" "$1"; }

# every stored column but the floating-point ones (those are compared through the exports,
# which print them), in id order; the same text from both
ROWS="id, source, source_id, date, date_end, coalesce(date_prec, -1), coalesce(type, ''),
 coalesce(sub_type, ''), coalesce(actor1, ''), coalesce(actor2, ''), coalesce(geo_prec, -1),
 coalesce(area_id, -1), coalesce(revised, -1), coalesce(notes, ''), batch, coalesce(line, -1),
 coalesce(mission_id, -1), releasability, coalesce(owner_id, -1), deny, shared"
same_rows() { # same_rows DESCRIPTION: the incident rows (and their digests) are SQLite's
	is "$(psql cc "select $ROWS, encode(digest, 'hex') from incident order by id" | sha256sum)" \
		"$(sq "select $ROWS, lower(hex(digest)) from incident order by id" | sha256sum)" "$1"
}
# incidents per year of their first day: SQLite's rows counted by year (day numbers read by
# SQLite's own date functions), and PostgreSQL's partitions with their rows
by_year_sq() { sq "select y || ' ' || n from (select strftime('%Y', date * 86400, 'unixepoch') as y, count(*) as n from incident group by y) order by 1"; }
by_part_pg() { psql cc "select substr(c.relname, 11) || ' ' || (select count(*) from incident i where i.tableoid = c.oid) from pg_inherits h join pg_class c on c.oid = h.inhrelid where h.inhparent = 'incident'::regclass and exists (select 1 from incident i where i.tableoid = c.oid) order by 1"; }
state() { # what a failed import must leave as it was
	psql cc "select (select count(*) from incident) || '/' || (select count(*) from incident_key) || '/' || (select count(*) from change) || '/' || (select count(*) from pg_inherits where inhparent = 'incident'::regclass) || '/' || (select md5(string_agg(id || ':' || batch || ':' || date, ',' order by id)) from incident)"
}

# ---- a store with the Afghanistan areas on both ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" "0/0" "init on both"
is "$(psql cc "select relkind from pg_class where relname = 'incident'")/$(psql cc "select count(*) from pg_inherits where inhparent = 'incident'::regclass")" \
	"p/0" "incident is a partitioned table, with no partition yet (none by default)"
both import areas "$CASE/afg_global_pcodes_subset.csv"
same "the P-code gazetteer imports as on SQLite"
both import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv"
same "the province boundaries import as on SQLite"

# ---- the real UCDP GED excerpt ----
both import events "$UCDP"
is "$RC" 0 "the real UCDP GED excerpt imports on PostgreSQL"
same "... and reports as on SQLite"
like "$OUT" "read 135, added 135, updated 0, removed 0, unchanged 0, rejected 0" "... 135 incidents added"
is "$(psql cc 'select count(*) from incident')/$(psql cc 'select count(*) from incident_key')" \
	"135/135" "135 incidents, one key each"
same_rows "the rows, ids, areas and digests are SQLite's"
is "$(by_part_pg)" "$(by_year_sq)" "one partition per year, each holding that year's incidents (as SQLite's rows by year)"
N_YEARS=$(by_year_sq | wc -l | tr -d ' ')
is "$(psql cc "select count(*) from pg_inherits where inhparent = 'incident'::regclass")" "$N_YEARS" \
	"... $N_YEARS partitions, no empty one"
is "$(psql cc "select count(*) from incident i join incident_key k on k.id = i.id and k.source = i.source and k.source_id = i.source_id where 'incident_y' || lpad(k.year::text, 4, '0') = i.tableoid::regclass::text")" \
	135 "every key names its incident and the year of its partition"
run "$CONCORD" -d "$SQ" export events -o ucdp.sq.csv
run "$CONCORD" -d "$PG" export events -o ucdp.pg.csv
is "$RC/$(cmp ucdp.sq.csv ucdp.pg.csv >/dev/null 2>&1 && echo same)" 0/same \
	"export events: the file is SQLite's byte for byte"

# ---- ACLED: the first download, then the next one ----
both import events "$EV/acled_synthetic.csv"
same "the ACLED file imports as on SQLite"
both import events "$EV/acled_synthetic_v2.csv"
same "the next ACLED download reports as on SQLite"
like "$OUT" "added 1, updated 1, removed 0, unchanged 1" "... one new, one revised, one unchanged"
same_rows "the rows after both downloads are SQLite's"

# ---- a re-import changes nothing ----
B=$(state)
cp "$UCDP" ucdp-again.csv
both import events ucdp-again.csv
same "the UCDP excerpt under another name reports as on SQLite"
like "$OUT" "added 0, updated 0, removed 0, unchanged 135" "... every incident unchanged"
is "$(psql cc "select (select count(*) from incident) || '/' || (select count(*) from incident_key) || '/' || (select md5(string_agg(id || ':' || batch || ':' || date, ',' order by id)) from incident)")" \
	"$(printf '%s\n' "$B" | awk -F/ '{ print $1 "/" $2 "/" $5 }')" "... and nothing in PostgreSQL changed"

# ---- a revised date moves the incident to another year, never duplicates it ----
# AFG90001 (2021-07-03) is revised to 2020-12-28; AFG90002 within 2021 (2021-07-20 → 2021-07-21)
sed -e 's/^AFG90001,2021-07-03,2021,/AFG90001,2020-12-28,2020,/' \
	-e 's/^AFG90002,2021-07-20,/AFG90002,2021-07-21,/' "$EV/acled_synthetic_v2.csv" >acled_v3.csv
ID1=$(psql cc "select id from incident where source_id = 'AFG90001'")
both import events acled_v3.csv
same "the revised download reports as on SQLite"
like "$OUT" "added 0, updated 2, removed 0, unchanged 1" "... two revised"
is "$(psql cc "select count(*) || ' ' || min(id) || ' ' || min(tableoid::regclass::text) from incident where source_id = 'AFG90001'")" \
	"1 $ID1 incident_y2020" "AFG90001 is one row, with its id, now in the 2020 partition"
is "$(psql cc "select count(*) || ' ' || min(year) || ' ' || min(id) from incident_key where source_id = 'AFG90001'")" \
	"1 2020 $ID1" "... its key says 2020, same id"
is "$(psql cc "select count(*) || ' ' || count(distinct id) || ' ' || count(distinct (source, source_id)) from incident")" \
	"$(sq "select count(*) || ' ' || count(distinct id) || ' ' || count(distinct source || ':' || source_id) from incident")" \
	"no incident doubled: as many rows, ids and keys as on SQLite"
is "$(psql cc 'select count(*) from incident_key')" "$(sq 'select count(*) from incident')" \
	"... and as many keys"
is "$(by_part_pg)" "$(by_year_sq)" "the partitions hold SQLite's incidents of each year"
same_rows "the rows after the move are SQLite's (same ids, dates, batches)"

# ---- bad files: reported as on SQLite; with --strict nothing is stored, not even a partition ----
both import events "$EV/acled_bad.csv"
is "$RC" 3 "a file with bad rows imports the good ones (exit 3)"
same "... and reports as on SQLite"
is "$(printf '%s\n' "$ERR" | grep '^[^ ]*acled_bad.csv:' | sed 's|^.*/||' | sort)" \
	"$(sort "$EV/acled_bad.errors")" "each bad row named by file:line: field: reason (as written by hand), the duplicate with its first line"
same_rows "the good rows are stored as on SQLite"
{
	head -1 "$EV/acled_bad.csv"
	echo 'AFG97901,1979-05-05,1979,1,Political violence,Battles,Armed clash,Synthetic Group A,,Kabul,Kabul,,Kabul,34.5553,69.2075,1,Synthetic,a year without a partition,1,1625400000,4'
	echo 'AFG97902,1979-05-06,1979,1,Political violence,Battles,Armed clash,Synthetic Group A,,Kabul,Kabul,,Kabul,34.5553,69.2075,1,Synthetic,fatalities not a number,many,1625400000,4'
} >bad1979.csv
B=$(state)
both import events bad1979.csv --strict
is "$RC" 1 "a bad file with --strict fails"
same "... as on SQLite"
like "$ERR" "nothing stored" "... saying nothing was stored"
like "$ERR" "bad1979.csv:3: fatalities" "... naming the bad row"
is "$(state)" "$B" "... and nothing of it is in PostgreSQL"
is "$(psql cc "select to_regclass('incident_y1979') is null")" t "... not even the partition of 1979"
both import events bad1979.csv
is "$RC/$(psql cc "select count(*) from incident_y1979")" "3/1" "without --strict its good row makes the 1979 partition"

# ---- exposure and export events: byte for byte SQLite's ----
both import 3w "$EV/sites_3w.csv"
same "the activity sites import as on SQLite"
AT=2022-09-14
for args in "--json" "--radius 50 --days 3650 --at $AT --json" "--radius 50 --days 3650 --at $AT --csv" \
	"--radius 25 --days 1825 --at 2021-12-31 --all-precisions --geojson" \
	"--by area --days 3650 --at $AT --json" "--by area --level 2 --days 3650 --at $AT --csv" \
	"--by area --days 20000 --at $AT --all-precisions"; do
	# shellcheck disable=SC2086
	both exposure $args
	same "exposure $args: as on SQLite"
done
like "$OUT" "[1-9]" "... (the widest window counts incidents)"
for src in acled ucdp; do
	run "$CONCORD" -d "$SQ" export events --source "$src" -o "sq-$src.csv"
	run "$CONCORD" -d "$PG" export events --source "$src" -o "pg-$src.csv"
	is "$RC" 0 "export events --source $src on PostgreSQL"
	is "$(cmp "sq-$src.csv" "pg-$src.csv" >/dev/null 2>&1 && echo same)" same \
		"... the file is SQLite's byte for byte ($(($(wc -l <"pg-$src.csv") - 1)) lines)"
done

# ---- marked incidents read as the public and as the partners ----
MARK="update incident set releasability = 'partners' where id % 3 = 0;
update incident set releasability = 'org' where id % 7 = 0;
update incident set deny = 1 where id % 5 = 0;
update incident set owner_id = (select min(id) from organisation) where id % 11 = 0;"
sq "$MARK"
psql cc "$MARK" >/dev/null
same_rows "the same markings on both"
for who in public partners; do
	for args in "--radius 50 --days 3650 --at $AT --json" "--by area --days 20000 --at $AT --all-precisions --json"; do
		# shellcheck disable=SC2086
		both --as "$who" exposure $args
		same "exposure $args as $who: as on SQLite"
	done
	for src in acled ucdp; do
		run "$CONCORD" -d "$SQ" --as "$who" export events --source "$src" -o "sq-$who-$src.csv"
		run "$CONCORD" -d "$PG" --as "$who" export events --source "$src" -o "pg-$who-$src.csv"
		is "$(cmp "sq-$who-$src.csv" "pg-$who-$src.csv" >/dev/null 2>&1 && echo same)" same \
			"export events --source $src as $who: SQLite's file"
	done
done
# counted independently: the public sees public records no kind is denied; the partners also
# those released to partners (incidents belong to no mission)
is "$(($(wc -l <pg-public-ucdp.csv) - 1))" \
	"$(psql cc "select count(*) from incident where source = 'ucdp' and releasability = 'public' and deny = 0")" \
	"the public's UCDP export holds the public, undenied incidents only (counted with psql)"
is "$(($(wc -l <pg-partners-ucdp.csv) - 1))" \
	"$(psql cc "select count(*) from incident where source = 'ucdp' and releasability in ('public', 'partners') and deny = 0")" \
	"the partners' also those released to partners"
[ "$(wc -l <pg-public-ucdp.csv)" -lt "$(wc -l <pg-ucdp.csv)" ] && ok "the public sees less than the operator" ||
	not_ok "the public sees less than the operator"

# ---- the change log ----
both audit verify
is "$RC" 0 "audit verify passes on PostgreSQL after the event imports"
is "$(printf '%s\n' "$OUT" | sed 's/, head.*//')" "$(printf '%s\n' "$SOUT" | sed 's/, head.*//')" \
	"... as many entries as on SQLite"

# ---- two imports at once: one waits for the other; ids and keys stay unique ----
R=$(pg_createdb race)
"$CONCORD" -d "$R" init --mission AFG --country AFG >/dev/null
"$CONCORD" -d "$R" import events "$UCDP" >r1.out 2>&1 &
P1=$!
"$CONCORD" -d "$R" import events "$EV/acled_synthetic.csv" >r2.out 2>&1 &
P2=$!
wait $P1; R1=$?
wait $P2; R2=$?
is "$R1/$R2" "0/0" "a UCDP and an ACLED import at once both store"
is "$(psql race "select count(*) || '/' || count(distinct id) from incident")/$(psql race 'select count(*) from incident_key')" \
	"142/142/142" "... 135 + 7 incidents, distinct ids, one key each"
is "$(psql race "select min(id) || '-' || max(id) from incident")" "1-142" "... numbered 1 to 142 without a gap"

done_testing
