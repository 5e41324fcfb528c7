#!/bin/sh
# The bad-input matrix: every CSV importer (3w, areas, needs, population, events, indicators,
# benchmarks, observations, lessons) against the same malformed inputs, generated here from one
# good header and row per importer. Each case checks the exit status (README: 1 failure with
# nothing stored, 2 usage error, 3 stored with rejected rows), the error line (FILE:LINE: FIELD:
# where a row or field is at fault) and the store: a failed import leaves every table as it
# was, and a file with rejected rows stores nothing under --strict. Plus boundary files (GeoJSON)
# with coordinates out of range or not GeoJSON at all.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

dbsum() { # a digest of every row of the store
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
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
	esac
}

import() { # import DB KIND FILE [OPTION...]: runs the importer of KIND (sets RC, OUT, ERR)
	_db=$1 _kind=$2 _f=$3
	shift 3
	case $_kind in
	lessons) run "$CONCORD" -d "$_db" lesson import "$_f" "$@" ;;
	3w | needs | population)
		run "$CONCORD" -d "$_db" import "$_kind" "$_f" --period 2021-07-01/2021-09-30 "$@" ;;
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

for k in 3w areas needs population events indicators benchmarks observations lessons; do
	setup_kind "$k"
	L1=$FIRST L2=$((FIRST + 1)) L3=$((FIRST + 2))
	try "$k" empty 1 "^concord: .*$k-empty.csv.*empty\|^concord: $k-empty.csv: no HXL hashtag row"
	# a header alone (population: of known names, no hashtag row) is a file without records
	try "$k" header 0 ""
	like "$OUT" "read 0, added 0, .*rejected 0" "$k header: nothing read, nothing stored"
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
	*) try "$k" missing 1 "^concord: $k-missing.csv:1: no '.*' column in the header" ;;
	esac
	# a value beyond the header has no column: the row is rejected rather than the value lost
	try "$k" toomany 3 "^$k-toomany.csv:$L1: [0-9]* fields; the header has [0-9]*$"
	unlike "$(sqlite3 t.db .dump)" "extra" "$k toomany: the extra field is not stored"
	case $k in
	3w) try "$k" toofew 3 "^$k-toofew.csv:$L1: #adm1: no admin area given" ;;
	*) try "$k" toofew 3 "^$k-toofew.csv:$L1: [a-z_ A-Z#+]*: " ;;
	esac
	[ -n "$NUM" ] && try "$k" number 3 "^$k-number.csv:$L1: $NUMF: .*'many'"
	[ -n "$DATE" ] && try "$k" date 3 "^$k-date.csv:$L1: $DATEF: .*'2021-02-30'"
	[ -n "$LAT" ] && try "$k" coords 3 "^$k-coords.csv:$L1: $LATF: latitude '*134.5'* is not in -90..90"
done

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
