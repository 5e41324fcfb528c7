#!/bin/sh
# --map COLUMN=FIELD on every CSV importer: each real excerpt is copied with other headers (and,
# for HXL files, without the hashtag row), imported with the --map that names the fields again,
# and must store exactly the records the original file stores. Then the errors: a field the
# importer does not read, a mapped column missing from the file, a malformed --map.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
ND="$TDATA/needs"

# rename IN OUT SKIP [FIELDS]: OUT is IN with the header of each column the importer reads
# called "Column i" (FIELDS, comma-separated: the names it reads, or with SKIP 1, an HXL file,
# the tags; the hashtag row is then made a blank line, so that lines keep their numbers); prints the --map arguments that undo it, one a line
rename() {
	python3 - "$1" "$2" "$3" "${4:-}" <<'PY'
import csv, sys
src, dst, skip, fields = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(',')
rows = list(csv.reader(open(src, newline='', encoding='utf-8-sig')))
head, tags, body = rows[0], rows[1] if skip else None, rows[1 + skip:]
maps, out = [], []
for i, h in enumerate(head):
    field = tags[i].strip() if tags else h.strip()
    key = field.lstrip('#').split('+')[0].strip().lower() if tags else field.lower()
    if field and key in fields:
        maps.append('--map=Column %d=%s' % (i + 1, field))
        out.append('Column %d' % (i + 1))
    else:
        out.append(h)
with open(dst, 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(out)
    if skip:
        f.write('\n')
    w.writerows(body)
print('\n'.join(maps))
PY
}

# fresh DB: a store with the mission and the Afghan P-codes (none with NOAREAS=1)
fresh() {
	rm -f "$1"
	"$CONCORD" -d "$1" init --mission AFG --name Afghanistan --country AFG >/dev/null
	[ -n "${NOAREAS:-}" ] ||
		"$CONCORD" -d "$1" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
}

# same KIND TABLE ORIGINAL SKIP FIELDS [IMPORT-ARGS...]: imports ORIGINAL into one store and
# its renamed copy with --map into another (same file name, so the same source), and compares
# TABLE row by row (or the rows of the query SQL, when set)
same() {
	_kind=$1 _table=$2 _orig=$3 _skip=$4 _fields=$5
	shift 5
	mkdir -p a b
	cp "$_orig" a/in.csv
	rename "$_orig" b/in.csv "$_skip" "$_fields" >maps
	fresh a.db
	fresh b.db
	case $_kind in
	lesson) set -- lesson import ;;
	feedback) set -- feedback import ;;
	*) set -- import "$_kind" "$@" ;;
	esac
	"$CONCORD" -d a.db "$@" a/in.csv >a.out 2>a.err
	RC_A=$?
	# the --map arguments hold spaces: one per line, read without word splitting
	_n=$(wc -l <maps)
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_i=$((_i + 1))
		set -- "$@" "$(sed -n "${_i}p" maps)"
	done
	run "$CONCORD" -d b.db "$@" b/in.csv
	is "$RC" "$RC_A" "$_kind: the renamed copy with --map exits as the original ($RC_A)"
	A=$(sqlite3 a.db "${SQL:-select * from $_table order by id}")
	B=$(sqlite3 b.db "${SQL:-select * from $_table order by id}")
	if [ -n "$A" ] && [ "$A" = "$B" ]; then
		ok "$_kind: $(printf '%s\n' "$A" | wc -l) records of $_table identical to the original's"
	else
		not_ok "$_kind: records of $_table identical to the original's" "$(diff a.out b.out; printf '%s\n' "$ERR" | head -5)"
	fi
}

same 3w activity "$CASE/afg_3w_operational_presence_2021q3.csv" 1 \
	org,sector,adm1,adm2,date,targeted,reached,geo,activity,status,value,currency \
	--period 2021-07-01/2021-09-30
same events incident "$CASE/ucdp_ged_v23_1_afg.csv" 0 \
	id,date_start,date_end,date_prec,type_of_violence,side_a,side_b,adm_1,adm_2,latitude,longitude,where_prec,best,low,high
same indicators indicator "$CASE/afg_wdi_indicators.csv" 0 \
	code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max
same needs need "$ND/afg_hno_2024_hxl_excerpt.csv" 1 \
	adm1,adm2,sector,gender,age_group,is_disabled,population_group,population,inneed,targeted,affected,reached \
	--period 2024-01-01/2024-12-31
same lesson lesson "$TDATA/lessons/ranking.csv" 0 \
	key,title,observation,discussion,conclusion,recommendation,pillars,areas,tags,date,source,status
same feedback feedback "$TDATA/survey/feedback.csv" 0 \
	id,date,area,channel,organisation,text,category,sentiment

# survey: the id, weight, area and question columns renamed, the form's names mapped back
SD="$TDATA/survey"
SQL="select r.key, r.wave, r.area_id, r.weight, q.name, a.status, a.value, a.code
	from survey_answer a join survey_respondent r on r.id = a.respondent_id
	join survey_question q on q.id = a.question_id order by r.key, q.name" \
	same survey survey_answer "$SD/wave1.csv" 0 _uuid,province,wt,q_safe,q_trust,age \
	--wave 2021-03 --weight wt --area-column province \
	--questions "$SD/form_survey.csv" --questions "$SD/form_choices.csv"
# rates: the ECB's annual averages (the daily file's currency columns keep their codes)
SQL="select * from fx_rate order by currency, kind, date" \
	same rates fx_rate "$TDATA/rates/ecb_annual_2020_2021.csv" 0 year,currency,units_per_eur
# crosswalk: a split of Kabul district into two neighbours (constructed)
printf 'old_pcode,new_pcode,share,date\nAF0101,AF0102,0.6,2022-01-01\nAF0101,AF0103,0.4,2022-01-01\n' >cw.csv
SQL="select * from area_crosswalk order by old_id, new_id" \
	same crosswalk area_crosswalk cw.csv 0 old_pcode,new_pcode,share,date
# the gazetteer: P-Code, Name, Admin Level and Parent P-Code renamed, into stores without areas
NOAREAS=1 same areas area "$CASE/afg_global_pcodes_subset.csv" 0 \
	'p-code,name,admin level,parent p-code'

# observations need their indicators first: both stores get them from the original file
mkdir -p a b
cp "$CASE/afg_wdi_observations.csv" a/obs.csv
rename "$CASE/afg_wdi_observations.csv" b/obs.csv 0 \
	indicator,area,sex,age_group,period_start,period_end,value,source,confidence >maps
fresh a.db
fresh b.db
"$CONCORD" -d a.db import indicators "$CASE/afg_wdi_indicators.csv" >/dev/null
"$CONCORD" -d b.db import indicators "$CASE/afg_wdi_indicators.csv" >/dev/null
"$CONCORD" -d a.db import observations a/obs.csv >/dev/null 2>&1
set --
while IFS= read -r m; do set -- "$@" "$m"; done <maps
run "$CONCORD" -d b.db import observations b/obs.csv "$@"
A=$(sqlite3 a.db "select * from observation order by id")
is "$(sqlite3 b.db "select * from observation order by id")" "$A" \
	"observations: the renamed copy stores the same $(printf '%s\n' "$A" | wc -l) records"

# ---- errors ----
fresh e.db
printf 'Org,Clu,Dist,Act\nUNICEF,WASH,AF0101,Water\n' >e.csv
run "$CONCORD" -d e.db import 3w e.csv --period 2021-07-01/2021-09-30 --map 'Org=#org+acronym' \
	--map 'Clu=#sector+cluster' --map 'Dist=#adm2+code' --map 'Act=#activity'
is "$RC" 0 "a 3W without hashtags imports through --map"
like "$OUT" "read 1, added 1" "its row is stored"
# (another file each time: the one imported above would be skipped as unchanged)
cp e.csv e2.csv
run "$CONCORD" -d e.db import 3w e2.csv --map 'Org=#colour' --period 2021-07-01/2021-09-30
is "$RC" 2 "a field the importer does not read is a usage error"
like "$ERR" "'#colour' is not a field of this import; the fields are: #org, #sector" \
	"naming it and listing the fields"
run "$CONCORD" -d e.db import events e.csv --map 'Org=organisation'
is "$RC" 2 "events: an unknown field is a usage error too"
like "$ERR" "'organisation' is not a field of this import; the fields are: event_id_cnty" \
	"with the events' own field names"
run "$CONCORD" -d e.db import 3w e2.csv --map 'Agency=#org+acronym' --period 2021-07-01/2021-09-30
is "$RC" 2 "a mapped column missing from the file is a usage error"
like "$ERR" "e2.csv:1: --map: --map Agency=#org+acronym: no column 'Agency' in the header" \
	"naming the column and the file"
run "$CONCORD" -d e.db import indicators e.csv --map 'no-equals-sign'
is "$RC" 2 "a --map without '=' is a usage error"
run "$CONCORD" -d e.db import areas e.csv --map 'Org=code'
is "$RC" 2 "areas: a field the gazetteer does not read is a usage error"
like "$ERR" "'code' is not a field of this import; the fields are: P-Code, Name, Admin Level" \
	"naming the gazetteer's fields"
run "$CONCORD" -d e.db import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--map 'shapeName=Name'
is "$RC" 2 "a boundary file takes --code-field and --name-field, not --map"
like "$ERR" "is a boundary file: give --code-field, --name-field or --parent-field" "saying so"
# (a copy each: a file imported before would be skipped as unchanged, whatever the kind)
cp e.csv e3.csv
run "$CONCORD" -d e.db import rates e3.csv --map 'Org=per_usd'
is "$RC" 2 "rates: an unknown field is a usage error"
like "$ERR" "the fields are: date, year, currency, units_per_eur" "listing the rates' fields"
run "$CONCORD" -d e.db import crosswalk e3.csv --map 'Org=from'
like "$RC/$ERR" "^2/.*the fields are: old_pcode, new_pcode, share, date" \
	"crosswalk: an unknown field is a usage error, listing its fields"
run "$CONCORD" -d e.db import survey e3.csv --map 'Nope=q1'
like "$RC/$ERR" "^2/.*no column 'Nope' in the header" \
	"survey: a mapped column missing from the file is a usage error"
is "$(sqlite3 e.db "select count(*) from activity")" 1 "nothing more stored by the failed imports"

done_testing
