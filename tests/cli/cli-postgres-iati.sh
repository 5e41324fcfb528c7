#!/bin/sh
# IATI and the exports on PostgreSQL against SQLite: the repository's IATI files (1.0x in an API
# wrapper, 2.0x with results, versions mixed, the same activity in two files, the Afghanistan
# case's results) and, when the shared data is there, the shared IATI files, imported on both;
# the reports, the rows (ids, digests, every detail) compared with psql and sqlite3; re-imports
# that change nothing; a truncated file that stores nothing; money, the indicators fed by the
# results (progress), export iati (valid against the IATI 2.03 schema), export 3w and export
# areas compared byte for byte, also as the public and the partners; round trips SQLite ->
# export -> PostgreSQL -> export. Skips, saying why, where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db
D="$TDATA/iati"

both() { # both ARGS...: runs concord on SQLite (SOUT, SERR, SRC) and PostgreSQL (OUT, ERR, RC)
	run "$CONCORD" -d "$SQ" "$@"
	SOUT=$OUT SERR=$ERR SRC=$RC
	run "$CONCORD" -d "$PG" "$@"
}
same() { # same DESCRIPTION: PostgreSQL said (stdout and stderr) and exited what SQLite did
	if [ "$OUT" = "$SOUT" ] && [ "$ERR" = "$SERR" ] && [ "$RC" = "$SRC" ]; then
		ok "$1"
	else
		not_ok "$1" "SQLite ($SRC): $(printf '%s\n' "$SOUT" "$SERR" | head -5)
PostgreSQL ($RC): $(printf '%s\n' "$OUT" "$ERR" | head -5)"
	fi
}
sq() { sqlite3 "$SQ" "$1"; }
# rows DESCRIPTION SQL [SQLITE-SQL]: the same rows on both ('|' between columns; numbers made
# integers by the query, since the two shells print floating point differently)
rows() {
	P=$(psql cc "$2") S=$(sq "${3:-$2}")
	if [ "$P" = "$S" ] && [ -n "$S" ]; then
		ok "$1"
	else
		not_ok "$1" "SQLite:     $(printf '%s\n' "$S" | head -3)
PostgreSQL: $(printf '%s\n' "$P" | head -3)
$(printf '%s\n' "$S" >s.rows; printf '%s\n' "$P" >p.rows; diff s.rows p.rows | head -6)"
	fi
}
# files DESCRIPTION A B: two files with the same bytes
files() {
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$2" "$3" 2>&1 | head -8)"
	fi
}
# iati FILE: an IATI export without its generated-datetime (the time of the export)
iati() { sed 's/ generated-datetime="[^"]*"//' "$1"; }
# a number as an integer in both dialects (x * 1000 rounded half up)
I() { echo "cast(floor($1 * 1000 + 0.5) as bigint)"; }
# text and numbers of a row, NULL as '~'
T() { echo "coalesce($1, '~')"; }
N() { echo "coalesce($(I "$1"), -1)"; }

IATI_TABLES="iati_activity iati_org iati_date iati_recipient iati_sector iati_location iati_budget iati_transaction iati_indicator iati_period iati_result_value"

# every IATI row of both stores, as SQL for each backend (hex digests differ in spelling)
# the source by name: a rolled-back import (the truncated file, --strict) leaves a gap in
# PostgreSQL's source ids, not in SQLite's (docs/postgres.md, "Ids")
ACT="id, mission_id, (select name from source s where s.id = source_id), identifier, batch, coalesce(line, 0), version, $(T title), $(T description), $(T status), $(T default_currency), coalesce(hierarchy, 0), humanitarian, $(T reporting_ref), $(T reporting_type), $(T reporting_name), $(T last_updated)"
compare_rows() { # compare_rows WHAT: every IATI table's rows equal on both
	rows "$1: iati_activity rows (ids, keys, batches, lines, fields)" \
		"select $ACT from iati_activity order by id"
	# the digests of activities without results: the importer's digest of an activity with
	# results is not the same from one run to the next (see below), on either backend
	rows "$1: iati_activity digests (activities without results)" \
		"select id, encode(digest, 'hex') from iati_activity where id not in (select activity_id from iati_indicator) order by id" \
		"select id, lower(hex(digest)) from iati_activity where id not in (select activity_id from iati_indicator) order by id"
	rows "$1: iati_org rows" \
		"select activity_id, seq, $(T role), $(T type), $(T ref), $(T name) from iati_org order by activity_id, seq"
	rows "$1: iati_date rows" "select activity_id, seq, type, date from iati_date order by activity_id, seq"
	rows "$1: iati_recipient rows" \
		"select activity_id, seq, kind, code, $(T vocabulary), $(N percentage) from iati_recipient order by activity_id, seq"
	rows "$1: iati_sector rows" \
		"select activity_id, seq, vocabulary, code, $(N percentage) from iati_sector order by activity_id, seq"
	rows "$1: iati_location rows" \
		"select activity_id, seq, $(T ref), $(T name), coalesce(cast(floor(lat * 1000000 + 0.5) as bigint), -1), coalesce(cast(floor(lon * 1000000 + 0.5) as bigint), -1), $(T exactness), $(T admin), coalesce(area_id, 0) from iati_location order by activity_id, seq"
	rows "$1: iati_budget rows" \
		"select activity_id, seq, kind, $(T type), $(T status), coalesce(period_start, 0), coalesce(period_end, 0), $(I value), $(T currency), coalesce(value_date, 0) from iati_budget order by activity_id, seq"
	rows "$1: iati_transaction rows" \
		"select activity_id, seq, type, coalesce(date, 0), $(I value), $(T currency), coalesce(value_date, 0), $(T provider_ref), $(T provider_name), $(T receiver_ref), $(T receiver_name) from iati_transaction order by activity_id, seq"
	if [ "$(sq 'select count(*) from iati_indicator')" -gt 0 ]; then
		rows "$1: iati_indicator rows" \
			"select activity_id, seq, result, position, $(T result_type), indicator_code, $(T ref), $(T title), measure, ascending, coalesce(baseline_date, 0), $(N baseline), n_periods from iati_indicator order by activity_id, seq"
		rows "$1: iati_period rows" \
			"select activity_id, seq, indicator, coalesce(period_start, 0), coalesce(period_end, 0), $(N target), $(N actual) from iati_period order by activity_id, seq"
		rows "$1: iati_result_value rows" \
			"select activity_id, seq, indicator, coalesce(period, 0), kind, $(N value), coalesce(date, 0), $(T locations), $(T dimensions) from iati_result_value order by activity_id, seq"
	fi
	for t in $IATI_TABLES; do
		C=$(sq "select count(*) from $t")
		[ "$(psql cc "select count(*) from $t")" = "$C" ] || {
			not_ok "$1: as many rows in $t on both" "SQLite $C, PostgreSQL $(psql cc "select count(*) from $t")"
			return
		}
	done
	ok "$1: as many rows in every IATI table on both"
}
# the IATI tables of PostgreSQL as one hash (batches left out: every import moves them on)
state() {
	psql cc "select md5(concat((select string_agg(concat_ws(',', id, source_id, identifier, encode(digest, 'hex'), line, title, last_updated), ';' order by id) from iati_activity), '/',
		(select string_agg(t::text, ';' order by activity_id, seq) from iati_org t), '/',
		(select string_agg(t::text, ';' order by activity_id, seq) from iati_transaction t), '/',
		(select string_agg(t::text, ';' order by activity_id, seq) from iati_budget t), '/',
		(select string_agg(t::text, ';' order by activity_id, seq) from iati_location t), '/',
		(select string_agg(t::text, ';' order by activity_id, seq) from iati_result_value t), '/',
		(select string_agg(concat_ws(',', id, natkey, digest, line, org_id, sector_id, area_id), ';' order by id) from activity), '/',
		(select string_agg(t::text, ';' order by id) from observation t), '/',
		(select count(*) from change)))"
}

# ---- the schema ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" 0/0 "init on both"
for t in $IATI_TABLES; do
	is "$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = '$t'")" \
		"$(sq "select group_concat(name, ',') from pragma_table_info('$t')")" \
		"table $t: SQLite's columns in SQLite's order"
done
both import areas "$CASE/afg_global_pcodes_subset.csv"
both import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv"
same "the areas import as on SQLite"

# ---- the repository's files ----
both import iati "$D/dfid_v1_excerpt.xml"
is "$RC" 0 "a 1.0x file in an API wrapper imports on PostgreSQL"
same "... reporting as on SQLite"
like "$OUT" "added 12" "... its 12 activities added"
both import iati "$D/ebola_multi_v2_excerpt.xml" "$D/mixed_versions.xml" --rejects rejects.csv
same "2.0x, versions mixed, rejected activities and warnings: as on SQLite"
is "$RC" 3 "... rejected activities make the exit status 3"
like "$ERR" "mixed_versions.xml:54: iati-identifier: duplicate of the activity at line 5" \
	"... a repeated identifier reported with its first line (held rows answer the duplicate)"
both import iati "$D/cordaid_results_excerpt.xml"
same "results broken down by sex, age and location: as on SQLite"
both import iati "$CASE/afg_iati_results_excerpt.xml"
same "the Afghanistan case's IATI results: as on SQLite"
compare_rows "after the imports"
rows "the Concord activities the IATI activities gave rise to" \
	"select id, source_id, coalesce(org_id, 0), coalesce(sector_id, 0), coalesce(area_id, 0), coalesce(line, 0), $(T title) from activity order by id"
rows "indicators fed by the results" \
	"select id, code, name, measure, higher_is_better from indicator order by id"
rows "observations fed by the results" \
	"select id, indicator_id, coalesce(area_id, 0), coalesce(period_start, 0), period_end, $(N value), coalesce(sex, ''), coalesce(age_group, ''), coalesce(source, '') from observation order by id"
rows "benchmarks fed by the results" \
	"select id, indicator_id, coalesce(area_id, 0), kind, coalesce(date, 0), $(I value) from benchmark order by id"

# ---- re-import: nothing changes ----
S0=$(state)
DG0=$("$CONCORD" -d "$PG" backup --digest 2>/dev/null)
SDG0=$("$CONCORD" -d "$SQ" backup --digest 2>/dev/null)
both import iati "$D/dfid_v1_excerpt.xml"
same "re-importing the same file: as on SQLite"
like "$OUT" "unchanged since the last import" "... nothing to do"
both import iati "$D/cordaid_results_excerpt.xml"
same "re-importing the results file: as on SQLite"
is "$(state)" "$S0" "re-imports change no row on PostgreSQL"
if [ -n "$DG0" ]; then
	is "$("$CONCORD" -d "$PG" backup --digest 2>/dev/null)" "$DG0" "... the store's digest is as it was"
	is "$("$CONCORD" -d "$SQ" backup --digest 2>/dev/null)" "$SDG0" "... as SQLite's is"
else
	skip "... the store's digest is as it was" "no concord backup --digest in this tree"
fi
compare_rows "after the re-imports"

# ---- the same activity in two files: stored once, the newer copy kept ----
both import iati "$D/dup_older.xml"
same "the older copy: as on SQLite"
both import iati "$D/dup_newer.xml"
same "the newer copy replaces it: as on SQLite"
like "$ERR" "replaces the copy stored from" "... saying so"
both import iati "$D/dup_older.xml"
same "the older copy again: kept out, as on SQLite"
rows "each identifier stored once per mission" \
	"select identifier, count(*) from iati_activity group by identifier having count(*) > 1 union all select 'activities', count(*) from iati_activity"
compare_rows "after the two copies"

# ---- a truncated file stores nothing ----
S0=$(state)
both import iati "$D/truncated.xml"
same "a truncated file: refused as on SQLite"
is "$RC" 1 "... with the exit status of a fault"
is "$(state)" "$S0" "... and nothing of it stored on PostgreSQL"
both import iati --strict "$D/mixed_versions.xml"
same "--strict with rejected activities: as on SQLite"
is "$(state)" "$S0" "... nothing stored"

# ---- the reads: money, progress, the exports ----
both mission set --currency USD --rate-tolerance 31
same "mission set --currency as on SQLite"
both import rates "$TDATA/rates/ecb_annual_2020_2021.csv"
both import rates "$TDATA/rates/ecb_daily_2021_07.csv"
same "import rates as on SQLite"
both money
is "$RC" 0 "money reads the IATI budgets and transactions on PostgreSQL"
same "... byte for byte as on SQLite"
like "$OUT" "IATI" "... naming the IATI amounts"
both money --csv
same "money --csv: byte for byte"
both progress --csv
same "progress of the indicators the results fed: byte for byte"
run "$CONCORD" -d "$PG" export iati -o pg.xml
P_OUT=$OUT
run "$CONCORD" -d "$SQ" export iati -o s.xml
is "$P_OUT" "$(echo "$OUT" | sed "s/s.xml/pg.xml/")" "export iati reports as on SQLite"
iati s.xml >s.cmp
iati pg.xml >pg.cmp
files "export iati: byte for byte SQLite's file (but the time it was made)" s.cmp pg.cmp
# the real files alone (the constructed ones break the schema on purpose) exported from
# PostgreSQL are valid IATI 2.03
XSD="$SHARED/iati/schema/iati-activities-schema.xsd"
if command -v xmllint >/dev/null && [ -f "$XSD" ]; then
	VAL=$(pg_createdb val)
	"$CONCORD" -d "$VAL" init --mission AFG --name Afghanistan --country AFG >/dev/null
	"$CONCORD" -d "$VAL" import iati "$D/dfid_v1_excerpt.xml" "$D/ebola_multi_v2_excerpt.xml" \
		"$D/cordaid_results_excerpt.xml" "$CASE/afg_iati_results_excerpt.xml" >/dev/null 2>&1
	run "$CONCORD" -d "$VAL" export iati -o val.xml
	like "$OUT" "^[1-9][0-9]* IATI activities written" "the real files' export from PostgreSQL"
	run xmllint --noout --nonet --schema "$XSD" val.xml
	is "$RC" 0 "... is valid against the IATI 2.03 schema"
else
	skip "the real files' export from PostgreSQL is valid IATI 2.03" "no xmllint or no schema (shared data)"
fi
run "$CONCORD" -d "$PG" export 3w -o pg3w.csv
run "$CONCORD" -d "$SQ" export 3w -o s3w.csv
files "export 3w: byte for byte SQLite's file" s3w.csv pg3w.csv
for lv in 1 2; do
	run "$CONCORD" -d "$PG" export areas --level $lv --with-coverage -o pga$lv.geojson
	P_RC=$RC
	run "$CONCORD" -d "$SQ" export areas --level $lv --with-coverage -o sa$lv.geojson
	is "$P_RC/$RC" 0/0 "export areas --level $lv --with-coverage on both"
	files "... byte for byte SQLite's GeoJSON (coverage numbers included)" sa$lv.geojson pga$lv.geojson
done

# ---- the 3W and markings: the public and the partners ----
both import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" --period 2021-07-01/2021-09-30
is "$RC/$SRC" 3/3 "the 3W imports on both"
for sql in "update activity set releasability = 'partners' where id % 5 = 0" \
	"update activity set releasability = 'org' where id % 7 = 0" \
	"update activity set figures_rel = 'org', geo_rel = 'org' where id % 3 = 0"; do
	psql cc "$sql" >/dev/null
	sq "$sql"
done
for who in public partners; do
	run "$CONCORD" -d "$PG" --as $who export 3w -o pg3w-$who.csv
	run "$CONCORD" -d "$SQ" --as $who export 3w -o s3w-$who.csv
	files "--as $who export 3w: byte for byte SQLite's file" s3w-$who.csv pg3w-$who.csv
	run "$CONCORD" -d "$PG" --as $who export areas --level 1 --with-coverage -o pga-$who.geojson
	run "$CONCORD" -d "$SQ" --as $who export areas --level 1 --with-coverage -o sa-$who.geojson
	files "--as $who export areas --with-coverage: byte for byte" sa-$who.geojson pga-$who.geojson
	both --as $who money --csv
	same "--as $who money: as on SQLite"
done
run "$CONCORD" -d "$PG" export 3w -o pg3w-all.csv
N_ALL=${OUT%% *}
run "$CONCORD" -d "$PG" --as public export 3w -o pg3w-public.csv
N_PUB=${OUT%% *}
is "$((N_ALL - N_PUB))" "$(psql cc "select count(*) from activity where releasability <> 'public'")" \
	"the public's 3W lacks exactly the activities not marked public (counted with psql)"

# ---- round trips: SQLite -> export -> PostgreSQL -> export ----
RT=$(pg_createdb rt)
"$CONCORD" -d "$RT" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d "$RT" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d "$RT" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
run "$CONCORD" -d "$RT" import iati s.xml
is "$RC" 0 "SQLite's IATI export imports into a new PostgreSQL store"
run "$CONCORD" -d "$RT" export iati -o rt.xml
iati rt.xml >rt.cmp
files "... and exports again byte for byte" s.cmp rt.cmp
run "$CONCORD" -d "$RT" import 3w s3w.csv
RT_RC=$RC RT_OUT=$OUT
run "$CONCORD" -d "$RT" export 3w -o rt3w.csv
RT_SQ=$WORK/rt.db
"$CONCORD" -d "$RT_SQ" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d "$RT_SQ" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d "$RT_SQ" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
"$CONCORD" -d "$RT_SQ" import iati s.xml >/dev/null
run "$CONCORD" -d "$RT_SQ" import 3w s3w.csv
is "$RT_RC:$RT_OUT" "$RC:$OUT" "SQLite's 3W export imports into PostgreSQL as into SQLite"
"$CONCORD" -d "$RT_SQ" export 3w -o rt3w-sq.csv >/dev/null
files "... and exports again as SQLite does after the same round trip" rt3w-sq.csv rt3w.csv

# ---- many activities, held and sent many to a statement ----
# gen N CHANGE DROP: N synthetic activities in Kosovo (no Concord activity, so nothing else is
# written between them), 12 transactions and 2 budgets each (over 2,000 detail rows a
# statement's worth); every CHANGE-th a different value, every DROP-th left out
gen() {
	python3 - "$@" <<'PY'
import sys
n, change, drop = (int(x) for x in sys.argv[1:4])
print('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">')
for i in range(1, n + 1):
    if drop and i % drop == 0:
        continue
    v = 1000 + i + (7 if change and i % change == 0 else 0)
    print(f' <iati-activity default-currency="EUR" last-updated-datetime="2022-01-01T00:00:00Z">')
    print(f'  <iati-identifier>XX-GEN-{i}</iati-identifier>')
    print('  <reporting-org ref="XX-GEN" type="21"><narrative>Generator</narrative></reporting-org>')
    print(f'  <title><narrative>Synthetic activity {i} "quoted" \\ back&amp;slash</narrative></title>')
    print('  <activity-status code="2"/>\n  <activity-date type="2" iso-date="2021-01-01"/>')
    print('  <recipient-country code="XK" percentage="100"/>')
    print(f'  <sector vocabulary="1" code="12220" percentage="100"/>')
    for b in range(2):
        print(f'  <budget type="1"><period-start iso-date="202{b}-01-01"/><period-end iso-date="202{b}-12-31"/><value value-date="202{b}-01-01">{v * 10 + b}.25</value></budget>')
    for t in range(12):
        print(f'  <transaction><transaction-type code="3"/><transaction-date iso-date="2021-{t + 1:02d}-15"/><value value-date="2021-{t + 1:02d}-15">{v}.{t:02d}</value></transaction>')
    print(' </iati-activity>')
print('</iati-activities>')
PY
}
gen 300 0 0 >gen.xml
both import iati gen.xml
same "300 synthetic activities (4,200 detail rows): as on SQLite"
like "$OUT" "added 300" "... all added"
compare_rows "after the synthetic file"
gen 300 10 0 >gen.xml
both import iati gen.xml
same "every tenth changed: as on SQLite"
like "$OUT" "updated 30, removed 0, unchanged 270" "... 30 updated, 270 unchanged"
compare_rows "after the changed file"
gen 300 10 7 >gen.xml
both import iati gen.xml
same "every seventh gone: as on SQLite"
like "$OUT" "removed 42" "... 42 removed"
compare_rows "after the removals"
# a big file cut short: the rows already sent (over 2,000 of them) are rolled back with the rest
S0=$(state)
gen 300 3 0 | head -c -200 >gen_cut.xml
both import iati gen_cut.xml
same "a big file cut short at its end: refused as on SQLite"
is "$(state)" "$S0" "... none of its rows stored on PostgreSQL"

# ---- two imports at once: the second waits for the first, ids as SQLite gives them ----
CO=$(pg_createdb co)
"$CONCORD" -d "$CO" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d "$CO" import iati "$D/dfid_v1_excerpt.xml" >co1.out 2>&1 &
P1=$!
"$CONCORD" -d "$CO" import iati "$D/ebola_multi_v2_excerpt.xml" >co2.out 2>&1 &
P2=$!
wait $P1; R1=$?
wait $P2; R2=$?
is "$R1/$R2" 0/0 "two IATI imports at once into one database: both succeed"
N_CO=$(psql co "select count(*) from iati_activity")
is "$N_CO" 26 "... storing the 12 and the 14 activities"
is "$(psql co "select min(id) || '-' || max(id) || ' ' || count(distinct source_id) from iati_activity")" \
	"1-$N_CO 2" "... with ids 1-$N_CO without a gap, one source each"
run "$CONCORD" -d "$CO" audit verify
is "$RC" 0 "... and the change log stays one chain"

# ---- the shared IATI files ----
if [ -d "$SHARED/iati" ]; then
	for f in "$SHARED/iati/dfid_iati_v1_afghanistan_kenya_2014.xml" \
		"$SHARED/iati/multi_publisher_iati_v2_ebola_2014_2020.xml" \
		"$SHARED/iati/xkx_activities.xml" "$SHARED/iati/lby_activities.xml" \
		"$SHARED/iati/afg_activities.xml"; do
		b=$(basename "$f")
		if [ ! -f "$f" ]; then
			skip "shared $b on both" "not in the shared data"
			continue
		fi
		both import iati "$f"
		same "shared $b: imported as on SQLite"
	done
	compare_rows "after the shared files"
	S0=$(state)
	both import iati "$SHARED/iati/afg_activities.xml"
	same "the largest shared file again: as on SQLite"
	is "$(state)" "$S0" "... changing nothing"
	both money --csv
	same "money over the shared files: byte for byte"
	run "$CONCORD" -d "$PG" export iati -o pg-shared.xml
	run "$CONCORD" -d "$SQ" export iati -o s-shared.xml
	iati s-shared.xml >s-shared.cmp
	iati pg-shared.xml >pg-shared.cmp
	files "export iati of the shared files: byte for byte" s-shared.cmp pg-shared.cmp
	run "$CONCORD" -d "$PG" export 3w -o pg3w-shared.csv
	run "$CONCORD" -d "$SQ" export 3w -o s3w-shared.csv
	files "export 3w with the shared files' activities: byte for byte" s3w-shared.csv pg3w-shared.csv
else
	skip "the shared IATI files on both" "no shared data (CC_SHARED_DATA)"
fi

run "$CONCORD" -d "$PG" audit verify
is "$RC" 0 "the change log's chain holds on PostgreSQL"

done_testing
