#!/bin/sh
# concord import iati: the CLI's summary, rejected activities reported as file:line: element:
# reason, whole-file faults refused with the line and nothing stored, re-imports, the rejects
# file, and the activities seen by coverage; wrong versions, results by sex, the same activity
# in two files; concord export iati: field values kept by a round trip, and the export of
# every real file valid against the IATI 2.03 XSD (xmllint). Figures come from the constructed
# files' hand counts (tests/data/iati/SOURCES.md) and from the real excerpts counted here with
# python's xml.etree (a second reader).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
D="$TDATA/iati"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 --name-field shapeName \
	--code-map "$CASE/adm1_code_map.csv" >/dev/null

count() { # count FILE XPATH: elements in the file, by python
	python3 -c 'import sys, xml.etree.ElementTree as E
print(len(E.parse(sys.argv[1]).getroot().findall(sys.argv[2])))' "$1" "$2"
}

# 1.0x in an API wrapper
N=$(count "$D/dfid_v1_excerpt.xml" './/iati-activity')
run "$CONCORD" import iati "$D/dfid_v1_excerpt.xml"
is "$RC" 0 "a 1.0x file in an API wrapper imports"
like "$OUT" "read $N, added $N, updated 0, removed 0, unchanged 0, rejected 0" \
	"every activity of the 1.0x file added ($N)"
run "$CONCORD" import iati "$D/dfid_v1_excerpt.xml"
like "$OUT" "unchanged since the last import" "importing it again does nothing"

# --strict: a file with rejected activities stores nothing; --dry-run stores nothing either
run "$CONCORD" import iati --strict "$D/mixed_versions.xml"
is "$RC" 1 "--strict fails on rejected activities"
like "$OUT" "rejected 5 (strict: nothing stored)" "and says nothing was stored"
run "$CONCORD" import iati --dry-run "$D/ebola_multi_v2_excerpt.xml"
like "$OUT" "(dry run: nothing stored)" "a dry run"
is "$(sqlite3 concord.db 'SELECT count(*) FROM iati_activity' 2>/dev/null)" "$N" \
	"neither stored an activity (only the $N of the first file are there)"

# 2.0x, versions mixed per activity, and a second file in the same run
N2=$(count "$D/ebola_multi_v2_excerpt.xml" './/iati-activity')
run "$CONCORD" import iati "$D/ebola_multi_v2_excerpt.xml" "$D/mixed_versions.xml" \
	--rejects rejects.csv
is "$RC" 3 "rejected activities make the exit status 3"
like "$OUT" "ebola_multi_v2_excerpt.xml: read $N2, added $N2, .* rejected 0" \
	"the 2.0x excerpt: every activity added ($N2)"
like "$OUT" "mixed_versions.xml: read 7, added 2, updated 0, removed 0, unchanged 0, rejected 5" \
	"the constructed file: 2 added, 5 rejected"
like "$ERR" "mixed_versions.xml:54: iati-identifier: duplicate of the activity at line 5" \
	"a repeated identifier is reported with its line"
like "$ERR" "mixed_versions.xml:64: activity-date: iso-date '31/12/2020' is not a date" \
	"a date in the wrong format is reported, saying which"
like "$ERR" "mixed_versions.xml:72: pos: latitude and longitude look swapped" \
	"swapped coordinates are reported"
like "$ERR" "mixed_versions.xml:34: sector: warning: sectors of vocabulary 1 percentages sum to 90" \
	"sector percentages that do not sum to 100 are reported"
is "$(grep -c . rejects.csv)" "$((1 + 5 + 3))" \
	"the rejects file of the last file: header, 5 rejected activities, 3 warnings"
like "$(head -1 rejects.csv)" "iati-identifier,element,error" "the rejects file's header"

# results feed the indicator tables: baseline 2, target 20, actual 7 → progress 5/18 = 0.278
run "$CONCORD" progress --at 2022-01-01
like "$OUT" "XX-TEST-2#1.1 .* 7 @ 2020-12-31 *0.278" "concord progress sees the IATI indicator"

# whole-file faults: refused with the line, nothing stored
B=$(sqlite3 concord.db 'SELECT count(*) FROM iati_activity' 2>/dev/null || echo x)
run "$CONCORD" import iati "$D/truncated.xml"
is "$RC" 1 "a truncated file is refused"
like "$ERR" "truncated.xml:10: not well-formed XML at line 10, column 40" \
	"the fault is reported with line and column"
run "$CONCORD" import iati "$D/not_iati.xml"
is "$RC" 1 "an XML file that is not IATI is refused"
like "$ERR" "not_iati.xml:3: kml: not an IATI activity file" "saying what its root is"
run "$CONCORD" import iati "$CASE/afg_global_pcodes_subset.csv"
is "$RC" 1 "a CSV file is refused"
like "$ERR" "afg_global_pcodes_subset.csv:1: not well-formed XML" "as not XML, at line 1"
: >empty.xml
run "$CONCORD" import iati empty.xml
like "$ERR" "empty.xml: empty file (0 bytes)" "a 0-byte file is refused"
if command -v sqlite3 >/dev/null; then
	is "$(sqlite3 concord.db 'SELECT count(*) FROM iati_activity')" "$B" \
		"nothing of the refused files was stored"
else
	skip "nothing of the refused files was stored" "no sqlite3 program"
fi

# the activities are Concord activities: coverage counts them
run "$CONCORD" coverage --level 1 --csv
is "$RC" 0 "coverage runs over the IATI activities"
like "$OUT" "AF01" "Kabul (AF01), where a constructed activity lies, is in the coverage"

# export: IATI 2.03 that imports back into the same records
run "$CONCORD" export iati -o out.xml
is "$RC" 0 "export iati runs"
NA=$(sqlite3 concord.db 'SELECT count(*) FROM iati_activity' 2>/dev/null || echo x)
like "$OUT" "$NA IATI activities written to out.xml" "every stored activity is written ($NA)"
is "$(count out.xml './/iati-activity')" "$NA" "python reads as many activities in the file"
"$CONCORD" -d second.db init --mission AFG --name Afghanistan --country AFG >/dev/null
run "$CONCORD" -d second.db import iati out.xml
like "$OUT" "read $NA, added $NA, updated 0, removed 0, unchanged 0, rejected 0" \
	"the exported file imports into a new store without a fault"
# the round trip keeps field values, not only rows (the unit test compares every table; here
# the transactions, sectors, organisations and result values, by identifier and position; a
# missing transaction-date or value-date is written from the other)
rows() { # rows DB SQL
	sqlite3 "$1" "$2" 2>/dev/null || echo "sqlite3 failed"
}
for q in "SELECT a.identifier, t.seq, t.type, coalesce(t.date, t.value_date), t.value,
		t.currency, coalesce(t.value_date, t.date), t.provider_name, t.receiver_name
		FROM iati_transaction t JOIN iati_activity a ON a.id = t.activity_id ORDER BY 1, 2" \
	"SELECT a.identifier, s.seq, s.vocabulary, s.code, s.percentage FROM iati_sector s
		JOIN iati_activity a ON a.id = s.activity_id ORDER BY 1, 2" \
	"SELECT a.identifier, o.seq, o.role, o.type, o.ref, o.name FROM iati_org o
		JOIN iati_activity a ON a.id = o.activity_id ORDER BY 1, 2" \
	"SELECT a.identifier, v.indicator, v.period, v.kind, v.value, v.date, v.locations,
		v.dimensions FROM iati_result_value v JOIN iati_activity a ON a.id = v.activity_id
		WHERE NOT (v.kind = 'baseline' AND v.date IS NULL) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"; do
	T=$(printf '%s' "$q" | sed -n 's/.*FROM \(iati_[a-z_]*\).*/\1/p')
	A=$(rows concord.db "$q")
	[ -n "$A" ] && [ "$A" = "$(rows second.db "$q")" ] && ok "round trip: $T keeps its values" ||
		not_ok "round trip: $T keeps its values" "rows differ"
done

# the export is valid IATI 2.03 (xmllint --schema exits 0) for every real file: the repo's
# excerpts and, when present, the shared files; the XSD ships with the shared data
XSD="$SHARED/iati/schema/iati-activities-schema.xsd"
for f in "$D/dfid_v1_excerpt.xml" "$D/ebola_multi_v2_excerpt.xml" "$D/cordaid_results_excerpt.xml" \
	"$CC_SOURCE_ROOT"/data/cases/*/*iati*.xml \
	"$SHARED/iati/afg_activities.xml" "$SHARED/iati/dfid_iati_v1_afghanistan_kenya_2014.xml" \
	"$SHARED/iati/lby_activities.xml" "$SHARED/iati/multi_publisher_iati_v2_ebola_2014_2020.xml" \
	"$SHARED/iati/xkx_activities.xml" "$SHARED/aid/irq_aims_iati_v2_03.xml"; do
	b=$(basename "$f" .xml)
	if ! command -v xmllint >/dev/null || [ ! -f "$XSD" ] || [ ! -f "$f" ]; then
		skip "the export of $b validates against the IATI 2.03 schema" \
			"no xmllint, schema or file"
		continue
	fi
	rm -f "x-$b.db"
	"$CONCORD" -d "x-$b.db" init --mission AFG --name Afghanistan --country AFG >/dev/null
	"$CONCORD" -d "x-$b.db" import iati "$f" >/dev/null 2>&1
	"$CONCORD" -d "x-$b.db" export iati -o "x-$b.xml" >/dev/null
	run xmllint --noout --nonet --schema "$XSD" "x-$b.xml"
	is "$RC" 0 "the export of $b validates against the IATI 2.03 schema"
done

# a version that is not one of the standard's: the activity's fault, or the whole file's
run "$CONCORD" -d ver.db init --mission AFG --name Afghanistan --country AFG
run "$CONCORD" -d ver.db import iati "$D/wrong_version.xml"
is "$RC" 3 "activities with a wrong version are rejected"
like "$ERR" "wrong_version.xml:3: version: version '3.01' is not an IATI version" \
	"naming file, line and the version attribute"
like "$ERR" "wrong_version.xml:13: activity-id: warning: participating-org activity-id is empty" \
	"an empty participating-org activity-id is reported"
run "$CONCORD" -d ver.db import iati "$D/wrong_file_version.xml"
is "$RC" 1 "a file with a wrong version is refused"
like "$ERR" "wrong_file_version.xml:3: version: version '2.04' is not an IATI version" \
	"naming file, line and the version attribute"
is "$(sqlite3 ver.db "SELECT count(*) FROM iati_activity WHERE identifier = 'XX-FVER-1'" \
	2>/dev/null)" 0 "nothing of it is stored"

# results broken down by sex feed the observations (real Cordaid figures)
run "$CONCORD" -d ver.db import iati "$D/cordaid_results_excerpt.xml"
is "$(sqlite3 ver.db "SELECT o.sex, o.value FROM observation o JOIN indicator i
	ON i.id = o.indicator_id WHERE i.code = 'NL-KVK-41160054-200832#1.1' ORDER BY o.sex" \
	2>/dev/null | tr '|' '=' | paste -s -d ' ' -)" "female=9239.0 male=2491.0" \
	"indicator 1.1's Female 9239 and Male 2491 are observations by sex"

# the same activity in two files is stored once: the copy last updated
run "$CONCORD" -d ver.db import iati "$D/dup_older.xml" "$D/dup_newer.xml"
like "$ERR" "dup_newer.xml:3: iati-identifier: warning: replaces the copy stored from dup_older.xml" \
	"the newer copy replaces the older one, and says so"
is "$(sqlite3 ver.db "SELECT count(*) || ':' || max(title) FROM iati_activity
	WHERE identifier = 'XX-DUP-1'" 2>/dev/null)" "1:Newer copy" "it is stored once"

# the larger shared files
if [ -f "$SHARED/aid/irq_aims_iati_v2_03.xml" ]; then
	run "$CONCORD" import iati "$SHARED/aid/irq_aims_iati_v2_03.xml"
	is "$RC" 0 "the Iraq AIMS file imports"
	like "$OUT" "read 1338, added 1338, updated 0, removed 0, unchanged 0, rejected 0" \
		"its 1,338 activities are added"
else
	skip "the Iraq AIMS file imports" "no shared data"
	skip "its 1,338 activities are added" "no shared data"
fi
if [ -f "$SHARED/iati/afg_activities.xml" ]; then
	N3=$(count "$SHARED/iati/afg_activities.xml" './/iati-activity')
	run "$CONCORD" import iati "$SHARED/iati/afg_activities.xml"
	like "$OUT" "read $N3, added $N3, .* rejected 0" "the Afghanistan case file ($N3 activities)"
	# d-portal keeps each activity's original version in iati-activities:version (MANIFEST.md:
	# 2.03 × 289, 2.02 × 16, 2.01 × 2)
	is "$(sqlite3 concord.db "SELECT group_concat(version || ':' || n, ' ') FROM (SELECT
		a.version, count(*) AS n FROM iati_activity a JOIN source s ON s.id = a.source_id
		WHERE s.name = 'afg_activities.xml' GROUP BY 1 ORDER BY 1) AS sub" 2>/dev/null)" \
		"2.01:2 2.02:16 2.03:289" "versions decided per activity"
	# 415 points, 413 inside Afghanistan (MANIFEST.md); the simplified province outlines
	# leave a few near the border outside, none is placed outside the country
	P=$(sqlite3 concord.db "SELECT count(l.area_id) FROM iati_location l JOIN iati_activity a
		ON a.id = l.activity_id JOIN source s ON s.id = a.source_id
		WHERE s.name = 'afg_activities.xml'" 2>/dev/null)
	[ "${P:-0}" -ge 405 ] && [ "${P:-0}" -le 413 ] && ok "points placed in provinces ($P of 415)" ||
		not_ok "points placed in provinces" "got '$P', expected 405..413"
else
	skip "the Afghanistan case file" "no shared data"
	skip "versions decided per activity" "no shared data"
	skip "points placed in provinces" "no shared data"
fi

done_testing
