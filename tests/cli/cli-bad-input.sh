#!/bin/sh
# The bad-input matrix: every CSV importer (3w, areas, needs, population, events, indicators,
# benchmarks, observations, lessons, survey, rates, crosswalk) against the same malformed inputs,
# generated here from one good header and row per importer. Each case checks the exit status
# (README: 1 failure with nothing stored, 2 usage error, 3 stored with rejected rows), the error
# line (FILE:LINE: FIELD: where a row or field is at fault) and the store: a failed import
# leaves every table as it was, and a file with rejected rows stores nothing under --strict.
# Then: files of another kind given to each importer, a swapped point in a 3W, boundary files
# (GeoJSON) with coordinates out of range or not GeoJSON at all.
#
# The rule for a header without rows: a fault of the whole file for every kind ("FILE: no rows
# after the header", exit 1, nothing stored), since an import of nothing is never what was meant
# and a re-import would empty the source. `lesson import` and the API uploads of every kind
# (below) follow the same rule.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

dbsum() { # a digest of every row of the store
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
}
dbtext() { # every value of the store as text: SQLite's dump; on PostgreSQL the backup archive's
	if [ "$CC_BACKEND" = postgres ]; then
		"$CONCORD" -d "$1" backup -o - 2>/dev/null | gzip -dc | tr '\000' '\n'
	else
		sqlite3 "$1" .dump
	fi
}

"$CONCORD" -d base.db init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d base.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d base.db import indicators "$TDATA/indicators/indicators.csv" >/dev/null
BASE=$(dbsum base.db)

# setup_kind KIND: H the header line(s), R a good row, FIRST the line of the first data row;
# the columns (1-based) of a number (NUM, named NUMF in errors), a date (DATE, DATEF),
# a latitude and longitude (LAT, LON, named LATF), a free text (TXT) and a required column (REQ).
setup_kind() {
	NUM='' NUMF='' DATE='' DATEF='' LAT='' LON='' LATF='' TXT=2 REQ=1
	case $1 in
	3w)
		H='Organisation,Cluster,District code,Start,End,Targeted,Latitude,Longitude,Activity
#org+acronym,#sector+cluster+code,#adm2+code,#date+start,#date+end,#targeted,#geo+lat,#geo+lon,#activity'
		R='UNICEF,WASH,AF0101,2021-07-01,2021-09-30,6000,34.5,69.2,Water trucking'
		FIRST=3 NUM=6 NUMF='#targeted' DATE=4 DATEF='#date+start' LAT=7 LON=8 LATF='#geo+lat'
		TXT=9 ;;
	areas)
		H='P-Code,Name,Admin Level,Parent P-Code'
		R='AF0199,Testland,2,AF01'
		FIRST=2 NUM=3 NUMF='Admin Level' ;;
	needs)
		H='Admin 1 PCode,Sector,Gender,Age Group,Population Group,In Need,Targeted,Severity
#adm1+code,#sector+code,#gender+code,#age_group+code,#population_group+code,#inneed,#targeted,#severity'
		R='AF01,FSC,t,all,all,2160768,2000000,4'
		FIRST=3 NUM=6 NUMF='#inneed' REQ=2 ;;
	population)
		H='ADM_PCODE,alpha_3,Population'
		R='AF01,AFG,6700513'
		FIRST=2 NUM=3 NUMF='#population' ;;
	events)
		H='event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso'
		R='AFG90001,2021-07-03,2021,1,Political violence,Battles,Armed clash,Group A,Group B,Kabul,Kabul,,Kabul,34.5553,69.2075,1,Synthetic,note,3,1625400000,4'
		FIRST=2 NUM=19 NUMF=fatalities DATE=2 DATEF=event_date LAT=14 LON=15 LATF=latitude
		TXT=18 ;;
	indicators)
		H='code,name,pillar,unit,measure,direction,aggregation,period_days,goal_min,goal_max'
		R='FZ-ONE,Fuzz one,security,officers,unit,higher,sum,90,,'
		FIRST=2 NUM=8 NUMF=period_days ;;
	benchmarks)
		H='indicator,area,sex,age_group,kind,date,value'
		R='POL-TRAINED,AF01,,,baseline,2024-01-01,200'
		FIRST=2 NUM=7 NUMF=value DATE=6 DATEF=date ;;
	observations)
		H='indicator,area,sex,age_group,period_start,period_end,value,source,confidence'
		R='POL-TRAINED,AF01,,,2024-01-01,2024-03-31,310,MoI,high'
		FIRST=2 NUM=7 NUMF=value DATE=5 DATEF=period_start TXT=8 ;;
	lessons)
		H='key,title,observation,pillars,date,status'
		R='FZ1,A lesson,text of it,security,2004-03-17,observed'
		FIRST=2 DATE=5 DATEF=date TXT=3 ;;
	survey) # the id last: a repeated id would be named before a bad value
		H='province,wt,q_safe,age,_uuid'
		R='AF01,1.5,yes,34,s-01'
		FIRST=2 NUM=2 NUMF=wt TXT=3 REQ=2 ;;
	rates) # the annual layout (the daily one: see the date cases below)
		H='year,currency,units_per_eur'
		R='2021,USD,1.1827'
		FIRST=2 NUM=3 NUMF=units_per_eur ;;
	crosswalk)
		H='old_pcode,new_pcode,share,date'
		R='AF0101,AF0102,1,2022-01-01'
		FIRST=2 NUM=3 NUMF=share DATE=4 DATEF=date ;;
	esac
	# the column a "bad value" case breaks, and the field its error names
	BADC=${NUM:-$DATE} BADF=${NUMF:-$DATEF}
}

set_col() { # set_col ROW N VALUE: the row with field N replaced
	printf '%s\n' "$1" | awk -F, -v OFS=, -v n="$2" -v v="$3" '{ $n = v; print }'
}

gen() { # gen CASE: the malformed input CASE for the current kind, on standard output
	case $1 in
	empty) : ;;
	header) printf '%s\n' "$H" ;;
	bom) printf '\357\273\277%s\n%s\n' "$H" "$R" ;;
	crlf) # a good row, then a bad one: the error must name the second data line
		{ printf '%s\n%s\n' "$H" "$R"; set_col "$R" "$BADC" many; } | sed 's/$/\r/' ;;
	semicolon) printf '%s\n%s\n' "$H" "$R" | tr , ';' ;;
	newline) # a quoted field over two lines, then a bad row: its error names the line after
		printf '%s\n%s\n' "$H" "$(set_col "$R" "$TXT" '"two
lines"')"
		set_col "$R" "$BADC" many ;;
	unterminated) printf '%s\n%s\n%s\n' "$H" "$R" "$(set_col "$R" "$TXT" '"open')" ;;
	utf8) printf '%s\n%s\n' "$H" "$(set_col "$R" "$TXT" "caf\351")" ;;
	nul) printf '%s\n' "$H"; printf '%s\n' "$R" | sed 's/,/,\x00/' ;;
	long) # a field over the reader's limit of 1 MiB
		printf '%s\n' "$H"
		printf '%s' "$R" | cut -d, -f1 | tr -d '\n'
		printf ','
		head -c 1100000 /dev/zero | tr '\0' x
		printf ',%s\n' "$(printf '%s' "$R" | cut -d, -f3-)" ;;
	dupheader) # the first column twice, the second time with another value
		printf '%s\n' "$H" | sed 's/^\([^,]*\),\(.*\)$/\1,\2,\1/'
		printf '%s,ZZ99\n' "$R" ;;
	missing) printf '%s\n%s\n' "$H" "$R" | cut -d, --complement -f"$REQ" ;;
	toomany) printf '%s\n%s,extra\n' "$H" "$R" ;;
	toofew) printf '%s\n%s\n' "$H" "$(printf '%s' "$R" | cut -d, -f1-2)" ;;
	number) printf '%s\n%s\n' "$H" "$(set_col "$R" "$NUM" many)" ;;
	date) printf '%s\n%s\n' "$H" "$(set_col "$R" "$DATE" 2021-02-30)" ;;
	coords) printf '%s\n%s\n' "$H" "$(set_col "$(set_col "$R" "$LAT" 134.5)" "$LON" 69.2)" ;;
	ddmm) printf '%s\n%s\n' "$H" "$(set_col "$R" "$DATE" 21/07/2021)" ;;
	sector) printf '%s\n%s\n' "$H" "$(set_col "$R" 2 XYZSECT)" ;;
	nofigure) printf '%s\n%s\n' "$H" "$(set_col "$(set_col "$(set_col "$R" 6 '')" 7 '')" 8 '')" ;;
	esac
}

import() { # import DB KIND FILE [OPTION...]: runs the importer of KIND (sets RC, OUT, ERR)
	_db=$1 _kind=$2 _f=$3
	shift 3
	case $_kind in
	lessons) run "$CONCORD" -d "$_db" lesson import "$_f" "$@" ;;
	3w | needs | population)
		run "$CONCORD" -d "$_db" import "$_kind" "$_f" --period 2021-07-01/2021-09-30 "$@" ;;
	survey)
		run "$CONCORD" -d "$_db" import survey "$_f" --wave bad --weight wt \
			--area-column province "$@" ;;
	*) run "$CONCORD" -d "$_db" import "$_kind" "$_f" "$@" ;;
	esac
}

# try KIND CASE STATUS PATTERN: imports the input CASE into a copy of the base store, expects
# exit STATUS and PATTERN (grep) in the errors, then checks the store as the status says.
try() {
	setup_kind "$1"
	F="$1-$2.csv"
	gen "$2" >"$F"
	cp base.db t.db
	import t.db "$1" "$F"
	is "$RC" "$3" "$1 $2: exit status $3"
	if [ -n "$4" ]; then
		like "$ERR" "$4" "$1 $2: the error says '$4'"
	else
		is "$ERR" "" "$1 $2: no error"
	fi
	case $3 in
	1 | 2) is "$(dbsum t.db)" "$BASE" "$1 $2: nothing stored" ;;
	3)
		_out=$OUT
		cp base.db s.db
		import s.db "$1" "$F" --strict
		is "$RC/$(dbsum s.db)" "1/$BASE" "$1 $2: with --strict, exit 1 and nothing stored"
		OUT=$_out ;;
	esac
}

for k in 3w areas needs population events indicators benchmarks observations lessons survey \
	rates crosswalk; do
	setup_kind "$k"
	L1=$FIRST L2=$((FIRST + 1)) L3=$((FIRST + 2))
	try "$k" empty 1 "^concord: .*$k-empty.csv.*empty\|^concord: $k-empty.csv: no HXL hashtag row"
	# a header alone (population: of known names, no hashtag row) is a file without records:
	# refused whole (see the rule at the top)
	try "$k" header 1 "^concord: $k-header.csv: no rows after the header$"
	try "$k" bom 0 ""
	like "$OUT" "read 1, added 1, .*rejected 0" "$k bom: the BOM is skipped, the row stored"
	if [ -n "$BADC" ]; then
		try "$k" crlf 3 "^$k-crlf.csv:$L2: $BADF: .*'many'"
		like "$OUT" "read 2, added 1, .*rejected 1" "$k crlf: the good row is stored"
		try "$k" newline 3 "^$k-newline.csv:$L3: $BADF: .*'many'"
	fi
	case $k in
	3w | needs) try "$k" semicolon 1 "^concord: $k-semicolon.csv:$((FIRST - 1)): column 1: malformed hashtag" ;;
	areas) # the delimiter is never guessed: a ';' gazetteer is refused, saying why
		try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: the first line is separated by ';', not ','" ;;
	population) try "$k" semicolon 1 "^concord: $k-semicolon.csv: no HXL hashtag row in the first 25 rows and no known header names" ;;
	survey) # Kobo exports with ';' are read as such (the first line decides)
		try "$k" semicolon 0 ""
		like "$OUT" "read 1, added 1, .*rejected 0" "$k semicolon: a ';' export is read" ;;
	rates) try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: not an exchange-rate file" ;;
	crosswalk) try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: missing column 'old_pcode'" ;;
	events) try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: not an ACLED or UCDP GED file" ;;
	lessons) try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: .*unknown column" ;;
	*) try "$k" semicolon 1 "^concord: $k-semicolon.csv:1: no '.*' column in the header" ;;
	esac
	try "$k" unterminated 1 "^concord: $k-unterminated.csv:$L2: quoted field opened at line $L2 is never closed"
	try "$k" utf8 1 "^concord: $k-utf8.csv:$L1: file is not UTF-8 (byte 0xe9 at line $L1, column"
	try "$k" nul 1 "^concord: $k-nul.csv:$L1: NUL byte at line $L1, column"
	try "$k" long 1 "^concord: $k-long.csv:$L1: column 2: field is longer than 1048576 bytes"
	# a column named twice (for HXL files: one hashtag with the same attributes twice) is a
	# fault of the file, named with both columns: which one holds the value cannot be known
	try "$k" dupheader 1 "^concord: $k-dupheader.csv:$((FIRST - 1)): .*appears twice (columns 1 and [0-9]*)"
	case $k in
	3w) try "$k" missing 1 "^concord: $k-missing.csv:2: no organisation column (#org)" ;;
	areas) try "$k" missing 2 "^concord: no P-code column in '$k-missing.csv'" ;;
	needs) try "$k" missing 1 "^concord: $k-missing.csv.*sector" ;;
	population) try "$k" missing 1 "^concord: $k-missing.csv:1: no admin-area P-code column" ;;
	events) try "$k" missing 1 "^concord: $k-missing.csv:1: not an ACLED or UCDP GED file" ;;
	lessons) try "$k" missing 1 "^concord: $k-missing.csv:1: no 'key' column in the header" ;;
	survey) try "$k" missing 1 "^concord: $k-missing.csv:1: no weight column 'wt' in the header" ;;
	rates) try "$k" missing 1 "^concord: $k-missing.csv:1: not an exchange-rate file" ;;
	crosswalk) try "$k" missing 1 "^concord: $k-missing.csv:1: missing column 'old_pcode'" ;;
	*) try "$k" missing 1 "^concord: $k-missing.csv:1: no '.*' column in the header" ;;
	esac
	# a value beyond the header has no column: the row is rejected rather than the value lost
	try "$k" toomany 3 "^$k-toomany.csv:$L1: [0-9]* fields; the header has [0-9]*$"
	unlike "$(dbtext t.db)" "extra" "$k toomany: the extra field is not stored"
	case $k in
	3w) try "$k" toofew 3 "^$k-toofew.csv:$L1: #adm1: no admin area given" ;;
	rates) # a cut row: a rate not given is an empty or N/A cell, never a missing one
		try "$k" toofew 3 "^$k-toofew.csv:$L1: 2 fields; the header has 3$" ;;
	*) try "$k" toofew 3 "^$k-toofew.csv:$L1: [a-z_ A-Z#+]*: " ;;
	esac
	[ -n "$NUM" ] && try "$k" number 3 "^$k-number.csv:$L1: $NUMF: .*'many'"
	[ -n "$DATE" ] && try "$k" date 3 "^$k-date.csv:$L1: $DATEF: .*'2021-02-30'"
	# a day-first date: rejected, and the error says which format is expected
	# (lessons: the date is named, not yet the format; its reader belongs to the lessons work)
	case $k in
	lessons) try "$k" ddmm 3 "^$k-ddmm.csv:$L1: $DATEF: .*'21/07/2021'" ;;
	*) [ -n "$DATE" ] && try "$k" ddmm 3 "^$k-ddmm.csv:$L1: $DATEF: '21/07/2021' is not a date (.*YYYY-MM-DD" ;;
	esac
	[ -n "$LAT" ] && try "$k" coords 3 "^$k-coords.csv:$L1: $LATF: latitude '*134.5'* is not in -90..90"
done

# the ECB's daily layout: a day-first date names the format too
printf 'Date,USD,GBP\n21/07/2021,1.1858,0.85758\n' >rates-daily.csv
cp base.db t.db
import t.db rates rates-daily.csv
is "$RC" 3 "rates daily ddmm: exit 3"
is "$ERR" "rates-daily.csv:2: Date: '21/07/2021' is not a date (YYYY-MM-DD)" \
	"rates daily ddmm: the error says which format is expected"

# an unknown sector code: the row is rejected naming the column and the code
setup_kind 3w
try 3w sector 3 "^3w-sector.csv:3: #sector+cluster+code: unknown sector code 'XYZSECT' (not an IASC cluster, a DAC code or a known alias)"
setup_kind needs
try needs sector 3 "^needs-sector.csv:3: #sector+code: unknown sector code 'XYZSECT'"
# a needs row without any figure: rejected, naming the line (never stored as an empty need)
try needs nofigure 3 "^needs-nofigure.csv:3: #inneed: the row gives no figure"

# ---- a file of another kind than declared: refused whole, nothing stored ----
UCDP="$CASE/ucdp_ged_v23_1_afg.csv" W3="$CASE/afg_3w_operational_presence_2021q3.csv"
XML="$CASE/afg_iati_results_excerpt.xml"
cross() { # cross KIND FILE STATUS PATTERN (the file alone: no options of the kind)
	cp base.db t.db
	case $1 in
	lessons) run "$CONCORD" -d t.db lesson import "$2" ;;
	*) run "$CONCORD" -d t.db import "$1" "$2" ;;
	esac
	is "$RC/$(dbsum t.db)" "$3/$BASE" "$1 given $(basename "$2"): exit $3, nothing stored"
	like "$ERR" "$4" "$1 given $(basename "$2"): the error says why"
}
cross 3w "$UCDP" 1 "ucdp_ged_v23_1_afg.csv: no HXL hashtag row in the first 25 rows"
cross 3w "$XML" 1 "afg_iati_results_excerpt.xml: no HXL hashtag row"
cross areas "$UCDP" 2 "no P-code column in '.*ucdp_ged_v23_1_afg.csv'"
cross areas "$XML" 1 "afg_iati_results_excerpt.xml' is not a vector file GDAL can read"
cross needs "$XML" 1 "afg_iati_results_excerpt.xml: no HXL hashtag row in the first 25 rows and no known header names"
cross needs "$UCDP" 1 "ucdp_ged_v23_1_afg.csv: no HXL hashtag row in the first 25 rows and no known header names"
cross population "$UCDP" 1 "ucdp_ged_v23_1_afg.csv: no HXL hashtag row .* and no known header names"
cross events "$W3" 1 "afg_3w_operational_presence_2021q3.csv:1: not an ACLED or UCDP GED file"
cross events "$XML" 1 "afg_iati_results_excerpt.xml:1: not an ACLED or UCDP GED file"
cross indicators "$W3" 1 "afg_3w_operational_presence_2021q3.csv:1: no 'code' column in the header"
cross benchmarks "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: no 'indicator' column in the header"
cross observations "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: no 'indicator' column in the header"
cross iati "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: not well-formed XML at line 1, column 1"
cross iati "$W3" 1 "afg_3w_operational_presence_2021q3.csv:1: not well-formed XML"
cross survey "$XML" 1 "afg_iati_results_excerpt.xml:1: not a respondent CSV: the file starts with '<'"
cross survey "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: not a respondent CSV: column 'type_of_violence' makes it a UCDP GED events file"
cross survey "$W3" 1 "afg_3w_operational_presence_2021q3.csv:2: not a respondent CSV: a row of HXL hashtags"
cross rates "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: not an exchange-rate file"
cross rates "$XML" 1 "afg_iati_results_excerpt.xml:1: not an exchange-rate file"
cross crosswalk "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: missing column 'old_pcode'"
cross crosswalk "$XML" 1 "afg_iati_results_excerpt.xml:1: missing column 'old_pcode'"
cross lessons "$UCDP" 1 "ucdp_ged_v23_1_afg.csv:1: 49 columns; a lesson has at most"

# ---- a 3W point with latitude and longitude exchanged ----
# With the provinces' boundaries stored, a point that lies in none of them while the exchanged
# one lies in the row's area is rejected (a store without boundaries cannot tell: taken as is).
cp base.db geo.db
"$CONCORD" -d geo.db import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
GEO=$(dbsum geo.db)
setup_kind 3w
{
	printf '%s\n%s\n' "$H" "$R"
	set_col "$(set_col "$R" 7 69.2)" 8 34.5 | sed 's/Water trucking/Latrines/'
} >3w-swap.csv
cp geo.db t.db
import t.db 3w 3w-swap.csv
is "$RC" 3 "3w swapped point: exit 3"
is "$ERR" "3w-swap.csv:4: #geo+lat: latitude and longitude look swapped: 69.2 34.5 lies in no stored area, 34.5 69.2 in AF01 (Kabul), the row's area" \
	"3w swapped point: file, line, field, both readings and the area"
like "$OUT" "read 2, added 1, .*rejected 1" "3w swapped point: the good row is stored"
cp geo.db s.db
import s.db 3w 3w-swap.csv --strict
is "$RC/$(dbsum s.db)" "1/$GEO" "3w swapped point: with --strict, exit 1 and nothing stored"
cp base.db t.db
import t.db 3w 3w-swap.csv
is "$RC" 0 "3w swapped point: without boundaries the store cannot tell (exit 0)"

# ---- boundary files ----
feature() { # feature NAME LON LAT: a GeoJSON square of 0.1 degree at LON LAT
	x2=$(awk -v v="$2" 'BEGIN { print v + 0.1 }')
	y2=$(awk -v v="$3" 'BEGIN { print v + 0.1 }')
	printf '{"type":"Feature","properties":{"shapeName":"%s"},"geometry":{"type":"Polygon","coordinates":[[[%s,%s],[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]}}' \
		"$1" "$2" "$3" "$x2" "$3" "$x2" "$y2" "$2" "$y2" "$2" "$3"
}
printf '{"type":"FeatureCollection","features":[%s,\n%s]}\n' "$(feature Kabul 69.1 34.5)" \
	"$(feature Kapisa 69.5 134.9)" >range.geojson
cp base.db t.db
run "$CONCORD" -d t.db import areas range.geojson --level 1 --name-field shapeName
is "$RC" 3 "areas GeoJSON: a polygon outside -90..90 is rejected (exit 3)"
like "$ERR" "range.geojson:2: .*" "areas GeoJSON: the error names the feature's line"
cp base.db s.db
run "$CONCORD" -d s.db import areas range.geojson --level 1 --name-field shapeName --strict
is "$RC/$(dbsum s.db)" "1/$BASE" "areas GeoJSON: with --strict, exit 1 and nothing stored"

printf '{"type":"FeatureCollection","features":[' >truncated.geojson
cp base.db t.db
run "$CONCORD" -d t.db import areas truncated.geojson --level 1 --name-field shapeName
is "$RC" 1 "areas GeoJSON: a truncated file fails"
like "$ERR" "truncated.geojson" "areas GeoJSON: the error names the file"
is "$(dbsum t.db)" "$BASE" "areas GeoJSON: nothing stored"

done_testing
