#!/bin/sh
# `concord import areas` through the CLI: the OCHA P-code gazetteer, geoBoundaries provinces
# attached by name and by code map, districts placed by point on surface, a reprojected
# GeoPackage (when ogr2ogr is installed), exit statuses and the FILE:LINE: FIELD: reason lines.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
GAZ="$CASE/afg_global_pcodes_subset.csv"
ADM1="$CASE/afg_adm1_geoboundaries.geojson"
ADM2="$TDATA/areas/afg_adm2_sample.geojson"
MAP="$TDATA/areas/afg_adm1_codemap.csv"
EXPECTED="$TDATA/areas/afg_adm2_sample.expected.csv"

dbsum() { # a digest of every row of the store
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
}
q() { # q SQL: one answer from the store
	sqlite3 concord.db "$1"
}
parent_of() { # parent_of PCODE: the parent's P-code
	q "select p.pcode from area a join area p on p.id = a.parent_id where a.pcode = '$1'"
}
n_level() { # n_level N: areas of level N
	q "select count(*) from area where level = $1"
}
n_geom() { # n_geom N: areas of level N with geometry
	q "select count(*) from area where level = $1 and geom is not null"
}

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null

# ---- the gazetteer ----
N_ROWS=$(($(wc -l <"$GAZ") - 1))
is "$N_ROWS" 435 "the gazetteer has 435 rows"
run "$CONCORD" import areas "$GAZ"
is "$RC" 0 "the gazetteer loads"
like "$OUT" "read 435, added 436, updated 0, removed 0, unchanged 0, rejected 0" \
	"435 rows and the country they name"
is "$(n_level 1)/$(n_level 2)" "$(grep -c '^AFG,1,' "$GAZ")/$(grep -c '^AFG,2,' "$GAZ")" \
	"as many provinces and districts as the file"
is "$(parent_of AF0101)" AF01 "AF0101's parent is AF01"
is "$(parent_of AF01)/$(n_level 0)" AFG/1 "level-1 areas hang below the adm0 area AFG"
BEFORE=$(dbsum concord.db)
run "$CONCORD" import areas "$GAZ"
is "$RC" 0 "importing it again is fine"
like "$OUT" "unchanged since the last import" "and does nothing"
is "$(dbsum concord.db)" "$BEFORE" "the store is as it was"

# ---- usage errors: exit 2, nothing stored ----
run "$CONCORD" import areas "$ADM1" --name-field shapeName
is "$RC" 2 "a boundary file without --level is a usage error"
like "$ERR" "level is required for boundary file" "the message asks for --level"
run "$CONCORD" import areas "$ADM1" --level 1 --name-field NAME_1
is "$RC" 2 "an unknown field is a usage error"
FIELDS="shapeName, shapeISO, shapeID, shapeGroup, shapeType"
like "$ERR" "no field 'NAME_1' in '.*' (fields: $FIELDS)" "the message lists the fields of the layer"
run "$CONCORD" import areas "$ADM1" --level 1
is "$RC" 2 "a boundary file needs --name-field or --code-field"
is "$(dbsum concord.db)" "$BEFORE" "usage errors store nothing"

# ---- provinces by name: which ones cannot match, computed from the two files ----
python3 - "$GAZ" "$ADM1" >expected_rejects <<'PY'
import csv, json, re, sys
def norm(s):
    return ' '.join(re.sub(r"[^0-9a-z]+", ' ', s.lower().replace("'", '')).split())
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))[1:]
names = {norm(r[3]) for r in rows if r[1] == '1'}
feats = json.load(open(sys.argv[2]))['features']
for i, f in enumerate(feats, start=1):
    name = f['properties']['shapeName']
    if norm(name) not in names:
        print("%d\t%s" % (i, name))
PY
is "$(wc -l <expected_rejects | tr -d ' ')" 9 "9 province names differ between the files"

run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName --strict
is "$RC" 1 "--strict with rejected features fails"
like "$ERR" "9 of 34 features rejected; nothing stored" "and says nothing was stored"
is "$(dbsum concord.db)" "$BEFORE" "--strict left the store as it was"

run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName --dry-run
is "$RC" 1 "--dry-run with rejected features exits 1"
like "$OUT" "read 34, added 0, updated 25, removed 0, unchanged 0, rejected 9 (dry run" \
	"--dry-run reports what would happen"
is "$(dbsum concord.db)" "$BEFORE" "--dry-run left the store as it was"

run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName
is "$RC" 3 "stored with rejected features exits 3"
like "$OUT" "read 34, added 0, updated 25, removed 0, unchanged 0, rejected 9" \
	"25 provinces got geometry"
while IFS="$(printf '\t')" read -r line name; do
	want="$ADM1:$line: shapeName: no area matches name '$name' at level 1; add it to --code-map"
	printf '%s\n' "$ERR" | grep -qxF "$want" || echo "$line $name"
done <expected_rejects >missing
is "$(cat missing)" "" "each rejected feature is reported as FILE:LINE: FIELD: reason"
is "$(printf '%s\n' "$ERR" | grep -c ': shapeName: ')" 9 "and nothing else is"
is "$(n_geom 1)" 25 "25 provinces have geometry"

run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName --code-map "$MAP"
is "$RC" 0 "the code map attaches the other 9"
like "$OUT" "read 34, added 0, updated 9, removed 0, unchanged 25, rejected 0" "only they change"
is "$(n_geom 1)" 34 "every province has geometry"
is "$(q "select a.pcode from area_alias l join area a on a.id = l.area_id
	where l.alias_norm = 'ghanzi'")" AF11 "'Ghanzi' is now an alias of Ghazni (AF11)"
is "$(q "select minx >= 68 and maxx <= 70.5 and miny >= 34 and maxy <= 35.5 from area
	where pcode = 'AF01'")" 1 "Kabul province lies within lon 68-70.5, lat 34-35.5"
skip_on_postgres "geometry is little-endian 2D WKB" "PostGIS holds the geometry" ||
	is "$(q "select hex(substr(geom, 1, 5)) from area where pcode = 'AF01'")" 0103000000 \
		"geometry is little-endian 2D WKB"
BEFORE=$(dbsum concord.db)
run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName --code-map "$MAP"
is "$RC" 0 "the same import again"
like "$OUT" "unchanged since the last import" "does nothing"
is "$(dbsum concord.db)" "$BEFORE" "and leaves the store as it was"

# ---- districts: matched by name within the province their point on surface lies in ----
run "$CONCORD" import areas "$ADM2" --level 2 --name-field shapeName
is "$RC" 3 "districts load with 3 rejected"
like "$OUT" "read 14, added 0, updated 11, removed 0, unchanged 0, rejected 3" \
	"11 of 14 districts matched"
like "$ERR" "afg_adm2_sample.geojson:8: shapeName: no area matches name 'Shahjoy' at level 2 in \
'AF26'; add it to --code-map" "an unmatched district names the province it was looked for in"
is "$(parent_of AF2605) $(parent_of AF2702) $(n_geom 2)" "AF26 AF27 11" \
	"the two Arghandab districts went to Zabul and Kandahar"

# ---- a reprojected GeoPackage: shapeID as the code, 14 new areas placed by point on surface ----
if command -v ogr2ogr >/dev/null 2>&1; then
	ogr2ogr -f GPKG -t_srs EPSG:32642 districts.gpkg "$ADM2" 2>/dev/null
	run "$CONCORD" import areas districts.gpkg --level 2 --code-field shapeID \
		--name-field shapeName
	is "$RC" 0 "a GeoPackage in UTM 42N loads"
	like "$OUT" "read 14, added 14, updated 0, removed 0, unchanged 0, rejected 0" \
		"14 new districts"
	tail -n +2 "$EXPECTED" | while IFS=, read -r n id name adm1 pcode rest; do
		got=$(parent_of "$id")
		[ "$got" = "$pcode" ] || echo "$n $id $name: $got, not $pcode"
	done >wrong
	is "$(cat wrong)" "" "each parent is the province SpatiaLite puts the point on surface in"
	is "$(q "select round(minx, 6) || ' ' || round(maxy, 6) from area
		where pcode = '17698898B53195345217503'")" "68.978058 34.610493" \
		"its box is back in degrees"
else
	skip "a GeoPackage in UTM 42N loads" "ogr2ogr not installed"
fi

# ---- failures: exit 1, nothing stored ----
BEFORE=$(dbsum concord.db)
run "$CONCORD" import areas no-such-file.geojson --level 1 --name-field shapeName
is "$RC" 1 "a missing file fails"
like "$ERR" "cannot open 'no-such-file.geojson'" "and says so"
printf 'feature,pcode\nGhanzi,AF11\nGhanzi,AF12\n' >twice.csv
run "$CONCORD" import areas "$ADM1" --level 1 --name-field shapeName --code-map twice.csv
is "$RC" 1 "a code map that maps one name twice fails"
like "$ERR" "twice.csv:3: feature: 'Ghanzi' is mapped to 'AF12' and to 'AF11' (line 2)" \
	"naming both lines"
is "$(dbsum concord.db)" "$BEFORE" "failures store nothing"

done_testing
