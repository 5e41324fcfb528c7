#!/bin/sh
# The PostgreSQL backend against the SQLite one: a throwaway cluster (initdb + pg_ctl on a free
# loopback port, sockets in the test's directory) with PostGIS; the same steps on both backends
# and the outputs compared byte for byte; the rows themselves compared with psql and sqlite3;
# idempotent re-import, atomic rejection, the change log, visibility, and a domain not yet on
# PostgreSQL. Skips, saying why, where the server packages or the backend are missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
AFG3W="$CASE/afg_3w_operational_presence_2021q3.csv"
PERIOD=2021-07-01/2021-09-30

. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
pg_createdb plain >/dev/null || pg_skip_all "cannot create a database"
PG=$PGURI
PORT=$PG_PORT
# PostgreSQL's migrations, as the source tree lists them: "1 0001_core.sql,2 …" and their number
MIGS="" NMIG=0
for f in "$ROOT"/src/store/migrations/pg/[0-9]*.sql; do
	NMIG=$((NMIG + 1))
	MIGS="$MIGS${MIGS:+,}$NMIG $(basename "$f")"
done

# the store interface itself, against SQLite (tests/unit/t-postgres.c, built beside concord)
T_PG=$(dirname "$CONCORD")/tests/t-postgres
if [ -x "$T_PG" ] && U=$(pg_createdb unit); then
	CC_TEST_PG=$U run "$T_PG"
	if [ "$RC" -eq 0 ] && ! printf '%s\n' "$OUT" | grep -q '^not ok\|# SKIP'; then
		ok "t-postgres: per-table digests equal SQLite's, rollbacks, look-ups ($(printf '%s\n' "$OUT" | grep -c '^ok') tests)"
	else
		not_ok "t-postgres: per-table digests equal SQLite's, rollbacks, look-ups" "$OUT
$ERR"
	fi
else
	skip "t-postgres" "no $T_PG"
fi
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

# ---- set up the Afghanistan case on both ----
run "$CONCORD" -d "$PG" coverage
is "$RC" 1 "a database without a store is refused"
like "$ERR" "no concord store in PostgreSQL database.*run 'concord init'" "... saying to run init"

both init --mission AFG --name Afghanistan --country AFG
is "$RC" 0 "init on PostgreSQL"
like "$OUT" "ready (schema $NMIG); mission AFG: Afghanistan, AFG" "init creates the schema and the mission"
is "$(psql cc "select string_agg(version || ' ' || name, ',') from schema_migration")" \
	"$MIGS" "the migrations are recorded"
is "$(psql cc "select extname from pg_extension where extname = 'postgis'")" postgis \
	"PostGIS is installed by the migration"
run "$CONCORD" -d "$PG" migrate
like "$OUT" "is up to date (schema $NMIG)" "migrate: nothing to do"
run "$CONCORD" -d "$PG" init --mission AFG
is "$RC" 0 "init again is harmless"
is "$(psql cc 'select count(*) from mission')" 1 "... and adds no mission"
is "$(psql cc 'select count(*) from sector')" "$(sq 'select count(*) from sector')" \
	"the code lists load: as many sectors as on SQLite"
run "$CONCORD" -d "$SQ" init --mission AFG

both import areas "$CASE/afg_global_pcodes_subset.csv"
same "import areas (the P-code gazetteer) reports as on SQLite"
both import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv"
same "import areas (boundaries) reports as on SQLite"
like "$OUT" "updated 34" "... 34 provinces get their boundaries"
is "$(psql cc 'select id, pcode, coalesce(parent_id, 0), level, name_norm from area order by id' | sha256sum)" \
	"$(sq 'select id, pcode, coalesce(parent_id, 0), level, name_norm from area order by id' | sha256sum)" \
	"areas have the same ids, parents and names on both"
is "$(psql cc "select count(*) from area where geom is not null and ST_IsValid(geom)")" 34 \
	"34 valid PostGIS geometries"
is "$(psql cc "select pcode || upper(encode(ST_AsBinary(geom, 'NDR'), 'hex')) from area where geom is not null order by pcode" | sha256sum)" \
	"$(sq "select pcode || hex(geom) from area where geom is not null order by pcode" | sha256sum)" \
	"each geometry's WKB is the bytes SQLite keeps"
is "$(psql cc "select indexdef like '%USING gist (geom)%' from pg_indexes where indexname = 'area_geom'")" t \
	"the geometry has a GiST index"

# ---- the 3W import ----
both import 3w "$AFG3W" --period "$PERIOD"
is "$RC" 3 "the real 3W imports with rejected rows (exit 3)"
same "... and reports as on SQLite"
like "$OUT" "read 2414, added 2335, updated 0, removed 0, unchanged 0, rejected 79" "... 2335 added, 79 rejected"
is "$(printf '%s\n' "$ERR" | sort | sha256sum)" "$(printf '%s\n' "$SERR" | sort | sha256sum)" \
	"the rejected rows are the same, with file:line: field: reason"
is "$(psql cc 'select count(*) from activity')" 2335 "2335 activities in PostgreSQL"
is "$(psql cc "select id, upper(encode(natkey, 'hex')), org_id, area_id, coalesce(sector_id, 0), kind from activity order by id" | sha256sum)" \
	"$(sq "select id, hex(natkey), org_id, area_id, coalesce(sector_id, 0), kind from activity order by id" | sha256sum)" \
	"activities: same ids, keys, organisations, areas and sectors as on SQLite"
is "$(psql cc "select id, key, coalesce(type, ''), coalesce(kind, ''), coalesce(is_local, -1) from organisation order by id" | sha256sum)" \
	"$(sq "select id, key, coalesce(type, ''), coalesce(kind, ''), coalesce(is_local, -1) from organisation order by id" | sha256sum)" \
	"organisations: the same on both"

for args in "--level 1 --json" "--level 2 --json" "--level 1 --by cluster --csv" \
	"--level 2 --by sector --json" "--level 0"; do
	# shellcheck disable=SC2086
	both coverage $args
	same "coverage $args: byte for byte as on SQLite"
done
both coverage --level 1 --from 2021-08-01 --to 2021-08-31 --json
same "coverage of a period (dates as day numbers) as on SQLite"

# ---- re-import: nothing changes ----
N_CHANGE=$(psql cc 'select count(*) from change')
COV=$(psql cc "select md5(string_agg(id || ':' || batch, ',' order by id)) from activity")
both import 3w "$AFG3W" --period "$PERIOD"
same "re-import reports as on SQLite"
like "$OUT" "added 0, updated 0, removed 0, unchanged 2335, rejected 79" "re-import on PostgreSQL changes nothing"
is "$(psql cc 'select count(*) from activity')" 2335 "... still 2335 activities"
is "$(psql cc 'select count(*) from organisation')" "$(sq 'select count(*) from organisation')" "... no organisation added"
both coverage --level 2 --json
same "... and the coverage is still the same"

# ---- a diff: update, removal, addition ----
both import 3w "$TDATA/3w/small.csv" --source partners
same "a second source imports as on SQLite"
both import 3w "$TDATA/3w/small-v2.csv" --source partners
same "its new version: one updated, one removed, one added, as on SQLite"
like "$OUT" "added 1, updated 1, removed 1, unchanged 6" "... the diff by natural key"
is "$(psql cc "select reached from activity a join area r on r.id = a.area_id where r.pcode = 'AF0101' and title = 'Water trucking'")" \
	5100 "the updated figure is stored"
both coverage --level 2 --json
same "coverage after the diff as on SQLite"

# ---- a bad file: reported with file, line and field; nothing stored ----
before() { psql cc "select (select count(*) from activity) || '/' || (select count(*) from source) || '/' || (select count(*) from organisation) || '/' || (select count(*) from change) || '/' || (select md5(string_agg(id || ':' || batch || ':' || coalesce(line, 0), ',' order by id)) from activity)"; }
B=$(before)
cp "$TDATA/3w/bad.csv" .
both import 3w bad.csv --period "$PERIOD" --strict
is "$RC" 1 "a bad file with --strict fails"
like "$ERR" "nothing stored" "... saying nothing was stored"
is "$(printf '%s\n' "$ERR" | grep '^bad.csv:' | sort)" "$(sort "$TDATA/3w/bad.errors")" \
	"each bad row named by file:line: field: reason (as written by hand)"
is "$(before)" "$B" "... and nothing of it is in PostgreSQL"
is "$(printf '%s\n' "$ERR" | sort | sha256sum)" "$(printf '%s\n' "$SERR" | sort | sha256sum)" \
	"the same messages as on SQLite"

# ---- a failed send of held activities names itself (not the statement that made them go) ----
# a constraint only the held rows break (NOT VALID: the stored ones are not checked)
psql cc "ALTER TABLE activity ADD CONSTRAINT held_send_fails CHECK (line <> 1500) NOT VALID"
B=$(before)
run "$CONCORD" -d "$PG" import 3w "$AFG3W" --period "$PERIOD" --source held-a
is "$RC" 1 "a 3W import whose held activities the server refuses fails"
like "$ERR" "afg_3w_operational_presence_2021q3.csv:[0-9]*: sending 2,000 held activities: PostgreSQL: .*held_send_fails" \
	"... naming the send of 2,000 held activities, at the line whose put sent them"
is "$(before)" "$B" "... and nothing of it is in PostgreSQL"
psql cc "ALTER TABLE activity DROP CONSTRAINT held_send_fails"
psql cc "ALTER TABLE activity ADD CONSTRAINT held_send_fails CHECK (title <> 'Water trucking') NOT VALID"
run "$CONCORD" -d "$PG" import 3w "$TDATA/3w/small.csv" --source held-b
like "$ERR" "^concord: sending [0-9]* held activities: PostgreSQL: .*held_send_fails" \
	"rows sent at the end of an import: the failed send named too"
is "$(before)" "$B" "... and nothing stored"
psql cc "ALTER TABLE activity DROP CONSTRAINT held_send_fails"

# ---- visibility: the viewer's rule applies on PostgreSQL reads ----
both import 3w "$TDATA/3w/small.csv" --source marked --releasability partners \
	--figures-releasability org
same "records marked partners (figures: org) import as on SQLite"
for who in public partners; do
	both --as "$who" coverage --level 2 --json
	same "coverage read as $who: the same as on SQLite"
	eval "AS_$who=\$OUT"
done
run "$CONCORD" -d "$PG" coverage --level 2 --json
[ "$AS_public" != "$OUT" ] && ok "the public sees less than the operator" ||
	not_ok "the public sees less than the operator"
[ "$AS_partners" != "$OUT" ] && ok "the partners miss the org-only figures" ||
	not_ok "the partners miss the org-only figures"
# an independent count: the public reads every record but those marked partners
N_PUB=$(printf '%s\n' "$AS_public" | sed -n 's/^  "n_records": \([0-9]*\),$/\1/p')
is "$N_PUB" "$(psql cc "select count(*) from activity where releasability = 'public'")" \
	"the public reads the public records only (counted with psql)"
is "$(psql cc "select count(*) from activity where releasability = 'partners' and figures_rel = 'org'")" 8 \
	"the 8 marked records are stored with their markings"

# ---- a mission's own pillar for a sector ----
both pillar WSH security
same "pillar WSH security: set as on SQLite"
both pillar --json
same "the pillars of every sector, overrides first, as on SQLite"
both coverage --level 1 --json
same "coverage with the mission's pillar as on SQLite"

# ---- the change log ----
both audit verify
is "$RC" 0 "audit verify passes on PostgreSQL"
like "$OUT" "change log verified: [1-9][0-9]* entries" "... over every entry"
is "$(printf '%s\n' "$OUT" | sed 's/, head.*//')" "$(printf '%s\n' "$SOUT" | sed 's/, head.*//')" \
	"as many entries as on SQLite"
run psql cc "update change set who = 'x' where id = 2"
is "$(psql cc "select who from change where id = 2")" "$(sq "select who from change where id = 2")" \
	"the change log refuses updates"

# ---- writers at once ----
psql postgres "CREATE DATABASE race TEMPLATE template0 ENCODING 'UTF8'"
R=postgresql://concord@127.0.0.1:$PORT/race
"$CONCORD" -d "$R" init --mission AFG --country AFG >r1.out 2>&1 &
P1=$!
"$CONCORD" -d "$R" init --mission AFG --country AFG >r2.out 2>&1 &
P2=$!
wait $P1; R1=$?
wait $P2; R2=$?
is "$R1/$R2" "0/0" "two init on a new database at once both succeed"
is "$(psql race 'select count(*) from schema_migration')/$(psql race 'select count(*) from mission')" "$NMIG/1" \
	"... the schema made once, one mission"
"$CONCORD" -d "$R" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
for s in a b c; do
	"$CONCORD" -d "$R" import 3w "$AFG3W" --period "$PERIOD" --source "$s" >"$s.out" 2>"$s.err" &
	eval "P_$s=\$!"
done
for s in a b c; do
	eval "wait \$P_$s"
	eval "RC_$s=\$?"
done
is "$RC_a/$RC_b/$RC_c" "3/3/3" "three imports at once (the same organisations) all store"
is "$(psql race 'select count(*) from activity')" $((3 * 2335)) "... each its 2335 activities"
is "$(psql race 'select count(*) from organisation')" "$(psql cc "select count(*) from organisation o where exists (select 1 from activity a join source s on s.id = a.source_id where a.org_id = o.id and s.name = 'afg_3w_operational_presence_2021q3.csv')")" \
	"... the organisations created once"
run "$CONCORD" -d "$R" audit verify
is "$RC" 0 "... and the change log is one chain"

# ---- URIs ----
run "$CONCORD" -d "postgres://concord@127.0.0.1:$PORT/cc" coverage --level 0
is "$RC" 0 "the short scheme postgres:// works too"
CONCORD_DB=$PG run "$CONCORD" coverage --level 0
is "$RC" 0 "CONCORD_DB selects a PostgreSQL store"
run "$CONCORD" -d "postgresql://concord@127.0.0.1:1/cc" coverage
is "$RC" 1 "an unreachable server fails"
like "$ERR" "cannot connect to PostgreSQL store '127.0.0.1:1/cc'" "... naming the server, not the password"
psql plain "create table t (x int)" >/dev/null
run "$CONCORD" -d "postgresql://concord@127.0.0.1:$PORT/plain" init
is "$RC" 1 "init refuses a database that holds other tables"
like "$ERR" "not a concord store" "... saying so"

# ---- tampering is found (triggers off: only a superuser can) ----
psql cc "alter table change disable trigger user; update change set detail = 'forged' where id = 3; alter table change enable trigger user" >/dev/null
run "$CONCORD" -d "$PG" audit verify
is "$RC" 1 "a forged entry fails audit verify"
like "$ERR" "change log entry 3 does not match its hash" "... naming the entry"

done_testing
