#!/bin/sh
# Needs, population, indicators, benchmarks, observations, computed indicators, rates and money
# on PostgreSQL against SQLite: the Afghanistan case imported on both, every analysis that reads
# them (gaps, progress, rollup, index, indicators compute, money) compared byte for byte, the
# rows compared with psql and sqlite3 (ids included), re-imports that change nothing, a bad file
# that stores nothing, readers other than the operator, and an import of observations large
# enough to be sent in several statements. Skips, saying why, where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db

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
# same_or_skip DESCRIPTION: as same, but a point that needs a domain this tree may not have on
# PostgreSQL yet (the activities read, IATI: the budgets gaps and money read) is skipped saying so
same_or_skip() {
	case "$ERR" in
	*"cannot list activities"*) skip "$1" "the activities read (budgets) is not on PostgreSQL yet" ;;
	*"has no IATI tables"*) skip "$1" "IATI (the budgets money reads) is not on PostgreSQL yet" ;;
	*) same "$1" ;;
	esac
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
# the measurement tables of PostgreSQL and the change log's length, as one hash; needs and
# population without their batch, which every import moves on (as on SQLite)
state() {
	psql cc "select md5(concat((select string_agg(concat_ws(',', id, natkey, digest, line, in_need, releasability), ';' order by id) from need t), '/',
		(select string_agg(concat_ws(',', id, area_id, year, value, source_id, line), ';' order by id) from population t), '/',
		(select string_agg(t::text, ';' order by id) from indicator t), '/',
		(select string_agg(t::text, ';' order by id) from benchmark t), '/',
		(select string_agg(t::text, ';' order by id) from observation t), '/',
		(select string_agg(t::text, ';' order by currency, kind, date) from fx_rate t), '/',
		(select string_agg(t::text, ';' order by mission_id) from mission_money t), '/',
		(select count(*) from change where tbl not in ('need', 'population'))))"
}
# a number as an integer in both dialects: x * 1000 rounded half up (PostgreSQL's round() of
# a double rounds half to even, SQLite's half away from zero)
I() { echo "cast(floor($1 * 1000 + 0.5) as bigint)"; }

# ---- the Afghanistan case on both ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" 0/0 "init on both"
is "$(psql cc "select count(*) from information_schema.tables where table_name in ('need', 'population', 'indicator', 'benchmark', 'observation', 'fx_rate', 'mission_money')")" 7 \
	"the measurement tables are made by the migrations"
# the columns of each table, in order, as SQLite's (so that equal rows hash alike)
for t in need population indicator benchmark observation fx_rate mission_money; do
	is "$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = '$t'")" \
		"$(sq "select group_concat(name, ',') from pragma_table_info('$t')")" \
		"table $t: SQLite's columns in SQLite's order"
done
both import areas "$CASE/afg_global_pcodes_subset.csv"
both import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv"
same "the areas import as on SQLite"

# ---- population ----
both import population "$CASE/afg_population_adm1.csv"
is "$RC" 0 "import population on PostgreSQL"
same "... reports as on SQLite"
like "$OUT" "added 34" "... 34 provinces"
rows "population rows: same ids, areas, years, values, lines" \
	"select id, area_id, year, value, source_id, line, batch from population order by id"

# ---- needs ----
both import needs "$CASE/afg_hno_2024_needs_by_area.csv"
same "import needs (the 2024 HNO) reports and rejects as on SQLite"
like "$OUT" "added [1-9]" "... needs were added"
is "$(psql cc 'select count(*) from need')" "$(sq 'select count(*) from need')" "as many needs on both"
NEED_ROW="id, mission_id, source_id, coalesce(area_id, 0), coalesce(sector_id, 0), coalesce(period_from, -1), coalesce(period_to, -1), is_total, coalesce(sex, ''), coalesce(age_group, ''), coalesce(pop_group, ''), coalesce(disability, ''), coalesce(label, ''), coalesce(severity, 0), line, batch, releasability"
rows "need rows: same ids, keys, digests, areas, sectors, breakdowns, lines, batches" \
	"select $NEED_ROW, encode(natkey, 'hex'), encode(digest, 'hex') from need order by id" \
	"select $NEED_ROW, lower(hex(natkey)), lower(hex(digest)) from need order by id"
rows "need figures: the same numbers" \
	"select id, coalesce($(I population), -1), coalesce($(I in_need), -1), coalesce($(I targeted), -1), coalesce($(I affected), -1), coalesce($(I reached), -1) from need order by id"

# ---- the 3W, for the gaps ----
both import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" --period 2021-07-01/2021-09-30
is "$RC/$SRC" 3/3 "the 3W imports on both (79 rejected rows)"

for args in "--json" "--level 2 --json" "--by pillar --csv" "--planning --reach sum --json" \
	"--from 2024-01-01 --to 2024-12-31 --csv"; do
	# shellcheck disable=SC2086
	both gaps $args
	same_or_skip "gaps $args: byte for byte as on SQLite"
done

# ---- indicators, observations, benchmarks (the WDI series) ----
both import indicators "$CASE/afg_wdi_indicators.csv"
same "import indicators reports as on SQLite"
both import observations "$CASE/afg_wdi_observations.csv"
same "import observations reports as on SQLite"
like "$OUT" "added 4[0-9]" "... the WDI values added"
both import benchmarks "$CASE/afg_benchmarks_illustrative.csv"
same "import benchmarks reports as on SQLite"
rows "indicator rows as on SQLite" \
	"select id, mission_id, code, name, coalesce(pillar, ''), coalesce(unit, ''), measure, higher_is_better, aggregation, coalesce(period_days, 0), coalesce($(I goal_min), -1), coalesce($(I goal_max), -1), releasability from indicator order by id"
rows "observation rows as on SQLite (ids, keys, mission)" \
	"select id, indicator_id, coalesce(area_id, 0), coalesce(sex, ''), coalesce(age_group, ''), coalesce(period_start, -1), period_end, coalesce($(I value), -1), coalesce(source, ''), coalesce(confidence, ''), mission_id from observation order by id"
rows "benchmark rows as on SQLite" \
	"select id, indicator_id, coalesce(area_id, 0), coalesce(sex, ''), coalesce(age_group, ''), kind, date, $(I value) from benchmark order by id"
for args in "--json" "--csv" "--at 2010-12-31 --json" ""; do
	# shellcheck disable=SC2086
	both progress $args
	same "progress ${args:-(the table)}: as on SQLite"
done
CODE=$(psql cc "select code from indicator order by id limit 1")
both progress --indicator "$CODE" --json
same "progress --indicator $CODE (one indicator's series) as on SQLite"
for args in "--json" "--level 0 --csv" "--level 1 --at 2015-12-31 --json"; do
	# shellcheck disable=SC2086
	both rollup $args
	same "rollup $args: as on SQLite"
done
both index --config "$CASE/afg_index.yaml" --json
same "index with the case's afg_index.yaml: as on SQLite"
both index --config "$CASE/afg_index.yaml" --level 1
same "... its table too"

# ---- computed indicators ----
# with the UCDP events where this tree has them on PostgreSQL (then on SQLite too); else both
# stores hold no incidents, so the incident indicators count none on either (--events acled:
# the default looks for UCDP events first, which asks the events domain)
run "$CONCORD" -d "$PG" import events "$CASE/ucdp_ged_v23_1_afg.csv"
if [ "$RC" -eq 0 ]; then
	EV=""
	run "$CONCORD" -d "$SQ" import events "$CASE/ucdp_ged_v23_1_afg.csv"
	is "$RC" 0 "the UCDP events on both: the incident indicators count them"
else
	EV="--events acled"
	skip "the incident indicators with events" "events are not on PostgreSQL in this tree: $(printf '%s\n' "$ERR" | head -1)"
fi
both indicators compute $EV --period year --from 2020-01-01 --to 2022-12-31
same "indicators compute (activities running, needs covered) as on SQLite"
like "$OUT" "[1-9][0-9]* added" "... observations were added"
rows "computed observations: the same ids and values" \
	"select id, indicator_id, coalesce(area_id, 0), period_start, period_end, coalesce($(I value), -1), source from observation where source = 'computed' order by id"
both indicators compute $EV --period year --from 2020-01-01 --to 2022-12-31
same "computed again: unchanged, as on SQLite"
like "$OUT" "0 added, 0 updated" "... nothing added or updated"
both indicators compute $EV --period quarter --from 2021-07-01 --to 2021-09-30 --csv
same "a quarter computed (CSV) as on SQLite"
rows "observations after recomputing: the same ids on both" \
	"select id, indicator_id, coalesce(area_id, 0), period_end from observation order by id"
both progress --csv
same "progress with the computed indicators as on SQLite"

# ---- rates and money ----
both money
same_or_skip "money without a reporting currency: the same answer"
both mission set --currency USD --rate-tolerance 5
same "mission set --currency as on SQLite"
both import rates "$TDATA/rates/ecb_daily_2021_07.csv"
same "import rates (ECB daily) as on SQLite"
both import rates "$TDATA/rates/ecb_annual_2020_2021.csv"
same "import rates (annual averages) as on SQLite"
rows "rates as on SQLite" "select currency, kind, date, $(I per_eur), coalesce(source, '') from fx_rate order by currency, kind, date"
rows "the mission's money as on SQLite" "select mission_id, currency, tolerance_days from mission_money"
for args in "" "--csv" "--rates" "--currency EUR --csv"; do
	# shellcheck disable=SC2086
	both money $args
	same_or_skip "money ${args:-(the summary)}: as on SQLite"
done
both gaps --json
same_or_skip "gaps with money converted as on SQLite"

# ---- re-imports change nothing ----
B=$(state)
both import population "$CASE/afg_population_adm1.csv"
same "population again: as on SQLite"
both import needs "$CASE/afg_hno_2024_needs_by_area.csv"
same "needs again: as on SQLite"
like "$OUT" "added 0, updated 0" "... nothing added or updated"
both import indicators "$CASE/afg_wdi_indicators.csv"
both import observations "$CASE/afg_wdi_observations.csv"
same "observations again: as on SQLite"
like "$OUT" "added 0, updated 0" "... nothing added or updated"
both import benchmarks "$CASE/afg_benchmarks_illustrative.csv"
both import rates "$TDATA/rates/ecb_daily_2021_07.csv"
same "rates again: as on SQLite"
is "$(state)" "$B" "the re-imports leave every measurement table as it was"
is "$(psql cc 'select count(*) from observation')" "$(sq 'select count(*) from observation')" \
	"... as many observations as on SQLite"

# ---- a bad file stores nothing ----
{
	head -1 "$CASE/afg_wdi_observations.csv"
	sed -n '2,6p' "$CASE/afg_wdi_observations.csv" | sed 's/,20[0-9][0-9]-12-31,/,2030-12-31,/'
	sed -n '2p' "$CASE/afg_wdi_observations.csv" | sed 's/^[^,]*,/NOPE,/'
} >bad.csv
B=$(state)
both import observations bad.csv --strict
is "$RC" 1 "a file with a bad row and --strict fails on PostgreSQL"
same "... with SQLite's messages"
like "$ERR" "bad.csv:7:.*unknown indicator" "... naming file, line and field"
is "$(state)" "$B" "... and nothing of it is stored"

# ---- readers: the public and the partners ----
# markings set directly (the sharing commands are not on PostgreSQL yet), the same on both
for db in pg sq; do
	for sql in "update need set releasability = 'partners' where id % 3 = 0" \
		"update need set releasability = 'org' where id % 7 = 0" \
		"update indicator set releasability = 'partners' where id = 1" \
		"update activity set releasability = 'partners', figures_rel = 'org' where id % 5 = 0"; do
		if [ $db = pg ]; then psql cc "$sql" >/dev/null; else sq "$sql"; fi
	done
done
for who in public partners; do
	for cmd in "gaps --json" "gaps --level 2 --csv" "progress --json" "rollup --json"; do
		# shellcheck disable=SC2086
		both --as $who $cmd
		same_or_skip "--as $who $cmd: as on SQLite"
		eval "V_${who}_$(echo "$cmd" | cut -c1-4)=\$OUT"
	done
done
run "$CONCORD" -d "$PG" --as public indicators compute $EV --period year --from 2021-01-01 --to 2021-12-31 --dry-run --csv
P_PUB=$OUT
run "$CONCORD" -d "$PG" indicators compute $EV --period year --from 2021-01-01 --to 2021-12-31 --dry-run --csv
[ "$OUT" != "$P_PUB" ] && ok "the public's computed indicators differ from the operator's" ||
	not_ok "the public's computed indicators differ from the operator's"
# the activities running in Kabul: the public counts only the public ones (SQLite's read is not
# compared here: its statement numbers the viewer's parameters after ?1, so that ?2 and ?3, the
# period, overwrite them and every reader sees everything when a period is given)
N_OP=$(printf '%s\n' "$OUT" | awk -F, '$1 ~ /^cc.activities_/ && $2 == "AF01" { n += $5 } END { print n + 0 }')
N_PUB=$(printf '%s\n' "$P_PUB" | awk -F, '$1 ~ /^cc.activities_/ && $2 == "AF01" { n += $5 } END { print n + 0 }')
N_PART=$(psql cc "select count(*) from activity a join area r on r.id = a.area_id where r.pcode like 'AF01%' and a.releasability = 'partners' and (a.start_date is null or a.start_date <= 18992) and (a.end_date is null or a.end_date >= 18628)")
is "$((N_OP - N_PUB))" "$N_PART" "... by the $N_PART partners' activities running in Kabul (counted with psql)"
run "$CONCORD" -d "$PG" progress --json
[ "$OUT" != "$V_public_prog" ] && ok "the public does not see the partners' indicator" ||
	not_ok "the public does not see the partners' indicator"

# ---- many observations: sent several thousand at a time ----
python3 - "$CASE/afg_global_pcodes_subset.csv" <<'EOF' >many.csv
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')))
codes = sorted(r['P-Code'] for r in rows if r['P-Code'].startswith('AF'))
print('indicator,area,period_end,value,source')
n = 0
for year in range(2000, 2020):
    for c in codes:
        n += 1
        print(f'MANY,{c},{year}-12-31,{(n * 37) % 1000 / 7:.6f},synthetic')
EOF
printf 'code,name,measure,direction,aggregation\nMANY,Synthetic,unit,higher,sum\n' >many-ind.csv
both import indicators many-ind.csv
N=$(($(wc -l <many.csv) - 1))
both import observations many.csv
same "$N observations import as on SQLite"
like "$OUT" "added $N" "... all of them added"
[ "$N" -gt 4000 ] && ok "... more than two statements' worth ($N rows)" || not_ok "enough rows" "$N"
rows "... with the same ids, keys and values on both" \
	"select id, indicator_id, coalesce(area_id, 0), period_end, $(I value), mission_id from observation order by id"
# every third value changed, a new year added
awk -F, 'NR == 1 { print; next } NR % 3 == 0 { $4 = $4 + 1 } { OFS = ","; print }' many.csv >many2.csv
sed -n '2,11p' many.csv | sed 's/^\([^,]*,[^,]*\),[0-9]*-12-31,/\1,2020-12-31,/' >>many2.csv
both import observations many2.csv
same "a new version of them: updated and added as on SQLite"
like "$OUT" "added 10, updated $(((N + 1) / 3))" "... every third updated, ten added"
rows "... the same ids and values on both" \
	"select id, indicator_id, coalesce(area_id, 0), period_end, $(I value) from observation order by id"
B=$(state)
both import observations many2.csv
same "the same file again: as on SQLite"
like "$OUT" "added 0, updated 0" "... nothing added or updated"
is "$(state)" "$B" "... and nothing changed"
both rollup --indicator MANY --level 0 --json
same "rollup of the many observations as on SQLite"

# a big file whose last row is bad: rows already sent are rolled back with the rest
{ cat many2.csv; echo "MANY,AF01,not-a-date,1,synthetic"; } | sed 's/,synthetic$/,changed/' >many-bad.csv
B=$(state)
both import observations many-bad.csv --strict
is "$RC/$SRC" "1/1" "a big file with a bad last row and --strict fails on both"
same "... with the same messages"
is "$(state)" "$B" "... and none of its $N changed rows is stored"
printf 'indicator,area,period_end,value\nMANY,AF01,2030-12-31,1\n' >one.csv
both import observations one.csv
same "the next new observation as on SQLite"
rows "... takes the same id on both" "select max(id) from observation"

# many needs: sent several thousand at a time, decided against what is stored
python3 - "$CASE/afg_global_pcodes_subset.csv" "$CASE/afg_hno_2024_needs_by_area.csv" <<'EOF'
import csv, sys
gz = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')))
head = next(csv.reader(open(sys.argv[2], encoding='utf-8-sig')))
names = {r['P-Code']: r['Name'] for r in gz}
for name, bump in (('many-needs.csv', 0), ('many-needs2.csv', 1)):
    with open(name, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(head)
        n = 0
        for r in gz:
            if r['Admin Level'] != '2':
                continue
            for cluster in ('EDU', 'FSC', 'HEA', 'NUT', 'PRO', 'WSH'):
                for cat in ('Children', 'Adults'):
                    n += 1
                    v = 1000 + (n * 37) % 5000 + (1 if bump and n % 4 == 0 else 0)
                    w.writerow([r['Parent P-Code'], names.get(r['Parent P-Code'], ''), r['P-Code'],
                                r['Name'], 'Synthetic', cluster, cat, '', v, v // 2, '', '', ''])
EOF
NN=$(($(wc -l <many-needs.csv) - 1))
both import needs many-needs.csv --source synthetic-needs
same "$NN synthetic needs import as on SQLite"
like "$OUT" "added $NN" "... all added"
[ "$NN" -gt 4000 ] && ok "... more than two statements' worth ($NN rows)" || not_ok "enough needs" "$NN"
both import needs many-needs2.csv --source synthetic-needs
same "their new version: updated and unchanged as on SQLite"
like "$OUT" "added 0, updated $((NN / 4)), removed 0, unchanged $((NN - NN / 4))" "... every fourth updated"
rows "... the same needs, ids, keys, digests and batches on both" \
	"select $NEED_ROW, encode(natkey, 'hex'), encode(digest, 'hex') from need order by id" \
	"select $NEED_ROW, lower(hex(natkey)), lower(hex(digest)) from need order by id"
head -n $((NN / 2 + 1)) many-needs2.csv >half.csv
sed -n '2,4p' many-needs2.csv >>half.csv
both import needs half.csv --source synthetic-needs
same "half of them and three rows twice: the duplicates named as on SQLite"
like "$ERR" "half.csv:$((NN / 2 + 2)):.*line 2" "... the first duplicate names the line it repeats"
rows "... the same needs on both" "select id, line, batch from need order by id"
head -n $((NN / 2 + 1)) many-needs2.csv >half.csv
both import needs half.csv --source synthetic-needs
same "half of them: the other half removed as on SQLite"
like "$OUT" "removed $((NN - NN / 2))" "... $((NN - NN / 2)) removed"
rows "... the same needs left on both" "select id, line, batch from need order by id"
both gaps --level 2 --csv
same_or_skip "gaps of the synthetic needs as on SQLite"

# two imports at once into one table: the second waits for the first's lock, ids stay unique
printf 'code,name,measure,direction,aggregation\nTWO1,Two 1,unit,higher,sum\nTWO2,Two 2,unit,higher,sum\n' >two-ind.csv
"$CONCORD" -d "$PG" import indicators two-ind.csv >/dev/null
for k in 1 2; do
	sed "s/^MANY,/TWO$k,/" many.csv >two$k.csv
	"$CONCORD" -d "$PG" import observations two$k.csv >two$k.out 2>&1 &
	eval "P$k=\$!"
done
wait "$P1"; R1=$?
wait "$P2"; R2=$?
is "$R1/$R2" 0/0 "two observation imports at once both succeed"
is "$(psql cc "select count(*), count(distinct o.id), max(o.id) - min(o.id) + 1 from observation o join indicator i on i.id = o.indicator_id where i.code like 'TWO%'")" \
	"$((2 * N))|$((2 * N))|$((2 * N))" "... $((2 * N)) rows, each its own id, one import after the other"

done_testing
