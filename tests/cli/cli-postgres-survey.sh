#!/bin/sh
# Surveys, feedback and overlap on PostgreSQL against SQLite: the survey fixtures of
# cli-survey.sh (two waves with a form, corrections, bad rows, the Lyall excerpt, alpha), the
# estimates with their intervals, feedback add/import/list/search/counts, `overlap` on the real
# Afghan IATI activities (shared data) and on cli-overlap.sh's constructed case (also with
# --distance), each step on
# both backends and compared byte for byte; the rows compared with psql and sqlite3 (ids
# included); re-imports that change nothing; a bad file that stores nothing; readers other than
# the operator; and a survey big enough to be sent in several statements. Skips, saying why,
# where PostgreSQL is missing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
pg_start
PG=$PGURI
SQ=$WORK/s.db
D="$TDATA/survey"

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
PostgreSQL ($RC): $(printf '%s\n' "$OUT" "$ERR" | head -5)
$(printf '%s\n' "$SOUT" "$SERR" >s.out; printf '%s\n' "$OUT" "$ERR" >p.out; diff s.out p.out | head -8)"
	fi
}
sq() { sqlite3 "$SQ" "$1"; }
# rows DESCRIPTION SQL [SQLITE-SQL]: the same rows on both, '|' between columns
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
# a number as an integer in both dialects: x * 1000 rounded half up
I() { echo "cast(floor($1 * 1000 + 0.5) as bigint)"; }
# the source by its name: a refused import leaves a gap in PostgreSQL's source ids (the core's
# sequence, docs/postgres.md), which SQLite fills
RESP="id, mission_id, wave, key, coalesce((select s.name from source s where s.id = source_id), ''), coalesce(line, 0), coalesce(area_id, 0), $(I weight), coalesce(personal, ''), releasability, coalesce(owner_id, 0), deny, shared"
ANS="respondent_id, question_id, status, coalesce($(I value), -1), coalesce(code, '')"
FB="id, mission_id, key, date, coalesce(area_id, 0), coalesce(channel, ''), coalesce(organisation, ''), text, coalesce(category, ''), coalesce(sentiment, ''), coalesce(giver, ''), releasability"
same_rows() { # same_rows WHAT: every survey and feedback row is SQLite's
	rows "$1: questions as on SQLite" \
		"select id, mission_id, name, coalesce(label, ''), coalesce(type, ''), coalesce(list_name, '') from survey_question order by id"
	rows "$1: choices as on SQLite" \
		"select question_id, code, coalesce(label, '') from survey_choice order by question_id, code"
	rows "$1: respondents (ids, keys, sources, lines, areas, weights, personal data, markings) as on SQLite" \
		"select $RESP from survey_respondent order by id"
	rows "$1: answers as on SQLite" \
		"select $ANS from survey_answer order by respondent_id, question_id"
}
# the survey and feedback tables of PostgreSQL and the change log's length, as one hash; the
# respondents without their batch, which every import moves on (as on SQLite)
state() {
	psql cc "select md5(concat((select string_agg(t::text, ';' order by id) from survey_question t), '/',
		(select string_agg(t::text, ';' order by question_id, code) from survey_choice t), '/',
		(select string_agg(concat_ws(',', $RESP), ';' order by id) from survey_respondent t), '/',
		(select string_agg(t::text, ';' order by respondent_id, question_id) from survey_answer t), '/',
		(select string_agg(t::text, ';' order by id) from feedback t), '/',
		(select string_agg(t::text, ';' order by id) from feedback_fts t), '/',
		(select count(*) from change)))"
}

# ---- the schema ----
both init --mission AFG --name Afghanistan --country AFG
is "$RC/$SRC" 0/0 "init on both"
for t in survey_question survey_choice survey_respondent survey_answer feedback sensitive_column; do
	is "$(psql cc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = '$t'")" \
		"$(sq "select group_concat(name, ',') from pragma_table_info('$t')")" \
		"table $t: SQLite's columns in SQLite's order"
done
rows "sensitive columns listed as on SQLite" "select tbl, col, what from sensitive_column order by tbl, col"
both import areas "$CASE/afg_global_pcodes_subset.csv"
same "the areas import as on SQLite"
# nothing stored yet: empty answers, as on SQLite (the report asks for the feedback counts)
for args in "feedback list --counts --csv" "feedback list --json" "feedback search water" \
	"survey results --question q_safe" "overlap --json"; do
	# shellcheck disable=SC2086
	both $args
	same "$args on an empty store: as on SQLite"
done

# ---- surveys: the waves of cli-survey.sh ----
FORM="--questions $D/form_survey.csv --questions $D/form_choices.csv"
# shellcheck disable=SC2086
both import survey "$D/wave1.csv" --wave 2021-03 --weight wt --area-column province $FORM \
	--personal name,phone
same "wave 1 with its form and personal columns reports as on SQLite"
like "$OUT" "read 11, added 11, updated 0, removed 0, unchanged 0, rejected 0" "... eleven respondents on PostgreSQL"
# shellcheck disable=SC2086
both import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province $FORM
same "wave 2 (semicolon-separated) as on SQLite"
same_rows "two waves"
BEFORE=$(state)
# shellcheck disable=SC2086
both import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province $FORM
same "the same file again: as on SQLite"
like "$OUT" "unchanged since the last import" "... unchanged since the last import"
awk 'NR == 2 { sub(/;yes;/, ";no;") } NR <= 91' "$D/wave2.csv" >wave2.csv
# shellcheck disable=SC2086
both import survey wave2.csv --source wave2.csv --wave 2021-09 --weight wt --area-column province \
	$FORM
same "a corrected wave 2 (one answer changed, ten respondents withdrawn) as on SQLite"
like "$OUT" "read 90, added 0, updated 1, removed 10, unchanged 89, rejected 0" "... on PostgreSQL: one updated, ten removed"
same_rows "the corrected wave"
# shellcheck disable=SC2086
both import survey "$D/wave2.csv" --wave 2021-09 --weight wt --area-column province $FORM \
	--source wave2.csv
same "and back: as on SQLite"
like "$OUT" "read 100, added 10, updated 1, removed 0, unchanged 89, rejected 0" "... ten added again, one updated"
same_rows "the waves after a correction and back"
rows "personal data sit in the sensitive column, as on SQLite" \
	"select personal from survey_respondent where key = 'w1-01'"
rows "don't know stays don't know" \
	"select a.status || ':' || a.code || ':' || coalesce(cast(a.value as text), 'null') from survey_answer a join survey_question q on q.id = a.question_id join survey_respondent r on r.id = a.respondent_id where q.name = 'q_trust' and r.key = 'w1-09'"

for args in "--question q_safe --by wave" "--question q_safe --by wave --csv" \
	"--question q_safe --by wave --json" "--question q_trust --by wave --likert 5 --json" \
	"--question q_trust --likert 5 --reverse --wave 2021-09" \
	"--question q_safe --by area --level 1 --wave 2021-03" \
	"--question q_safe --by area --level 1 --json" \
	"--question q_safe --by group --group age --wave 2021-03" \
	"--question q_safe --confidence 0.9 --json" "--question nothing" \
	"--question q_safe --wave 2030"; do
	# shellcheck disable=SC2086
	both survey results $args
	same "survey results $args: byte for byte as on SQLite"
done
like "$ERR" "unknown wave '2030'" "an unknown wave fails on PostgreSQL too"
both survey results --question q_safe --by wave --json
like "$OUT" '"lo":0\.[0-9]' "the estimates carry their confidence intervals"

# shellcheck disable=SC2086
both import survey "$D/zero_weights.csv" --wave zero --weight wt --area-column province $FORM
same "zero weights import as on SQLite"
both import survey "$D/alpha.csv" --wave alpha --id-column id
same "the alpha items import as on SQLite"
for args in "results --question q_safe --wave zero" "results --question q_safe --by wave" \
	"alpha --items i1,i2,i3" "alpha --items i1,i2,i3 --json" "alpha --items i1"; do
	# shellcheck disable=SC2086
	both survey $args
	same "survey $args: as on SQLite"
done
both survey alpha --items i1,i2,i3
like "$OUT" "Cronbach's alpha of 3 items: 0.9316" "alpha on PostgreSQL: the DOMAIN example"

# bad rows: rejected as on SQLite; with --strict nothing stored
BEFORE=$(state)
# shellcheck disable=SC2086
both import survey "$D/bad.csv" --wave bad --weight wt --area-column province $FORM --strict
same "bad rows with --strict: refused as on SQLite, naming file, line and column"
is "$RC" 1 "... exit 1 on PostgreSQL"
is "$(state)" "$BEFORE" "... and nothing of the file is stored on PostgreSQL"
# shellcheck disable=SC2086
both import survey "$CASE/ucdp_ged_v23_1_afg.csv" --wave wrong $FORM
same "a file that is not a respondent export is refused as on SQLite"
is "$(state)" "$BEFORE" "... and stores nothing"
# shellcheck disable=SC2086
both import survey "$D/bad.csv" --wave bad --weight wt --area-column province $FORM
same "bad rows without --strict: the good ones stored, the others named, as on SQLite"
like "$ERR" "bad.csv:7: _uuid: respondent 'b-01' repeats line 2" "... a repeated respondent named"
same_rows "after the bad file"

# the real survey: the Lyall excerpt, by province
both import survey "$D/lyall_excerpt.csv" --area-column province --area-map "$CASE/adm1_code_map.csv"
same "the Lyall excerpt imports as on SQLite"
both survey results --question violent.exp.ISAF --by area --csv
same "violent.exp.ISAF by province as on SQLite"
same_rows "every survey"

# ---- a survey larger than one statement: 3,000 respondents × 4 questions ----
python3 - <<'PY'
import random
random.seed(7)
with open('big.csv', 'w') as f:
    f.write('_uuid,province,wt,q_safe,q_trust,age,q_text\n')
    for i in range(3000):
        f.write('big-%04d,AF%02d,%.3f,%s,%d,%d,word%d\n' % (i, 1 + i % 9, 0.5 + random.random(),
                random.choice(['yes', 'no', '']), random.randint(1, 5), 18 + i % 60, i % 13))
changed = 0
with open('big2.csv', 'w') as f:
    for n, line in enumerate(open('big.csv')):
        if n and n % 10 == 0 and n < 3000:
            c = line.rstrip('\n').split(',')
            changed += c[4] != '3'
            c[4] = str(6 - int(c[4]))
            line = ','.join(c) + '\n'
        if n < 3000:
            f.write(line)
print(changed, file=open('big2.changed', 'w'))
PY
# shellcheck disable=SC2086
both import survey big.csv --wave big --weight wt --area-column province $FORM
same "3,000 respondents (12,000 answers) import as on SQLite"
like "$OUT" "added 3000" "... all added on PostgreSQL"
# shellcheck disable=SC2086
both import survey big2.csv --source big.csv --wave big --weight wt --area-column province $FORM
same "every tenth answer changed and one respondent gone: as on SQLite"
like "$OUT" "updated $(cat big2.changed), removed 1, unchanged $((2999 - $(cat big2.changed)))" \
	"... the changed respondents updated (counted from the files), the last one removed"
same_rows "the big survey after its correction"
BEFORE=$(state)
# shellcheck disable=SC2086
both import survey big2.csv --source big.csv --wave big --weight wt --area-column province $FORM
same "the big survey again: as on SQLite"
is "$(state)" "$BEFORE" "... changes nothing on PostgreSQL"
both survey results --question q_trust --by area --level 1 --likert 5 --json
same "Likert index by province over the big survey, as on SQLite"

# ---- feedback ----
both feedback import "$D/feedback.csv" --personal name,phone
same "feedback import as on SQLite"
both feedback import "$D/feedback.csv" --personal name,phone
same "... again: unchanged, as on SQLite"
for i in 1 2; do
	both feedback add --date 2021-03-25 --area AF05 --channel hotline \
		--text "Families returned to the market after the patrols" --category security \
		--sentiment positive --giver-name "Respondent F" --giver-contact "+00 000 000 006"
	same "feedback add (time $i) as on SQLite"
done
both feedback add --date 2021-04-02 --area AF01 --channel radio --org "Radio Kabul" \
	--text "The clinic's night shift frightened nobody; clinics nearby were frightening" \
	--category health --sentiment neutral
same "a third item that stems like the others, as on SQLite"
both feedback add --date 2021-03-25 --text x --sentiment angry
same "an unknown sentiment is refused as on SQLite"
BEFORE=$(state)
both feedback import "$D/feedback_bad.csv" --strict
same "bad feedback with --strict: refused as on SQLite"
is "$(state)" "$BEFORE" "... and nothing stored on PostgreSQL"
rows "feedback rows (ids, keys, dates, areas, givers) as on SQLite" "select $FB from feedback order by id"
for args in "list" "list --json" "list --csv" "list --counts --csv" "list --counts --json" \
	"list --category security" "list --area AF01 --json" "list --from 2021-03-01 --to 2021-03-31" \
	"search frightening" "search clinic --json" "search clinic*" "search clinic --csv" \
	"search families market" "search frighten night --json" "search fam* --area AF05" \
	"search water" "search nothingatall" "search !!"; do
	# shellcheck disable=SC2086
	both feedback $args
	same "feedback $args: as on SQLite (items, order, snippets)"
done
both feedback search clinic --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 3 \
	"three items mention the clinic (stemmed), on PostgreSQL"
both feedback search frightening
like "$OUT" "\[frighten" "stemmed full-text search with a snippet"
is "$(psql cc "select count(*) from feedback_fts")" "$(sq "select count(*) from feedback_fts")" \
	"one index row per item, as on SQLite"
# each item's number of tokens, counted by SQLite's FTS5 itself (its vocabulary's instances)
is "$(psql cc "select id || ':' || ntok from feedback_fts where ntok > 0 order by id" | tr '\n' ' ')" \
	"$(sq "create virtual table temp.v using fts5vocab(main, feedback_fts, instance); select doc || ':' || count(*) from temp.v group by doc order by doc" | tr '\n' ' ')" \
	"each item's token count is FTS5's"

# 2,100 synthetic items (more than one statement's worth), then a third of them changed: the
# same ids, rows and index as SQLite's, and searches over many items ranked and cut as FTS5 does
python3 - <<'PY'
import random
random.seed(5)
words = ('water clinic school road checkpoint market families night patrol food shelter '
         'medicine teacher flood winter fuel').split()
for name, n_changed in (('fbmany.csv', 0), ('fbmany2.csv', 700)):
    random.seed(5)
    with open(name, 'w') as f:
        f.write('id,date,area,channel,organisation,category,sentiment,text\n')
        for i in range(2100):
            text = ' '.join(random.choice(words) + random.choice(['', 's', 'ing'])
                            for _ in range(random.randint(3, 20)))
            channel = random.choice(['hotline', 'meeting', 'radio'])
            if i % 3 == 0 and n_changed:
                channel = 'sms'
            f.write('m-%04d,2022-%02d-%02d,AF%02d,%s,Org %d,%s,%s,%s\n' % (
                i, 1 + i % 12, 1 + i % 28, 1 + i % 9, channel, i % 7,
                random.choice(['security', 'health', 'services']),
                random.choice(['positive', 'neutral', 'negative']), text))
PY
both feedback import fbmany.csv
same "2,100 synthetic items import as on SQLite"
both feedback import fbmany2.csv --source fbmany.csv
same "... a third of them changed: as on SQLite"
like "$OUT" "updated 700, unchanged 1400" "... 700 updated on PostgreSQL"
rows "the feedback rows after both, as on SQLite" "select $FB from feedback order by id"
is "$(psql cc "select id || ':' || ntok from feedback_fts where ntok > 0 order by id" | md5sum)" \
	"$(sq "create virtual table temp.v using fts5vocab(main, feedback_fts, instance); select doc || ':' || count(*) from temp.v group by doc order by doc" | md5sum)" \
	"... each item's token count is FTS5's"
for args in "search clinic --json" "search water* --limit 25" "search night patrol --json" \
	"search school* medicine --csv" "search sms --limit 10" "list --counts --csv" \
	"search fuel --category health --from 2022-03-01 --to 2022-06-30 --json"; do
	# shellcheck disable=SC2086
	both feedback $args
	same "feedback $args over 2,100 more items: as on SQLite (order, snippets)"
done

# ---- overlap ----
# the Afghanistan case: the real Afghan IATI activities of the shared data (the real 3W is
# operational presence only: no activity to compare)
AFGIATI="$SHARED/iati/afg_activities.xml"
both import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" --period 2021-07-01/2021-09-30
is "$RC/$SRC" 3/3 "the real Afghanistan 3W imports on both"
if [ ! -f "$AFGIATI" ]; then
	skip "overlap on the Afghan IATI activities" "shared IATI file not present ($AFGIATI)"
else
	both import iati "$AFGIATI"
	case "$ERR" in
	*"has no IATI"* | *"not supported"* | *"no IATI"*)
		skip "overlap on the Afghan IATI activities" "IATI is not on PostgreSQL in this tree" ;;
	*)
		same "the Afghan IATI activities import as on SQLite"
		for args in "--json" "--level 1 --json" "--csv" "--min-score 0.5" \
			"--level 1 --distance 10 --json"; do
			# shellcheck disable=SC2086
			both overlap $args
			same "overlap $args on the Afghan IATI activities: byte for byte as on SQLite"
		done
		N=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["n_activities"], len(d["pairs"]) > 0)')
		is "$N" "$(psql cc "select count(*) from activity where kind = 1") True" \
			"... every activity read on PostgreSQL, and pairs found" ;;
	esac
fi

# the constructed case of cli-overlap.sh, in a mission of its own on each backend
OV_sq=$WORK/ov.db
OV_pg=$(pg_createdb ov)
for DB in "$OV_sq" "$OV_pg"; do
	"$CONCORD" -d "$DB" init --mission AFG --name Afghanistan --country AFG >/dev/null
	"$CONCORD" -d "$DB" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
	"$CONCORD" -d "$DB" import 3w "$TDATA/overlap/afg-3w-overlap.csv" >/dev/null
done
for args in "--level 2 --csv" "--level 1 --csv" "--min-score 0.69 --json" "--distance 5 --json" \
	"--distance 50 --level 1 --json" ""; do
	# shellcheck disable=SC2086
	run "$CONCORD" -d "$OV_sq" overlap $args
	SOUT=$OUT SERR=$ERR SRC=$RC
	# shellcheck disable=SC2086
	run "$CONCORD" -d "$OV_pg" overlap $args
	same "overlap $args on the constructed case: as on SQLite"
done
run "$CONCORD" -d "$OV_pg" overlap --level 2 --csv
is "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l | tr -d ' ')" 2 "... two pairs in the same district on PostgreSQL"

# ---- markings: the same on both, read as the public and as partners ----
for db in sq pg; do
	for sql in "update survey_respondent set releasability = 'partners' where id % 3 = 0" \
		"update survey_respondent set releasability = 'org' where id % 7 = 0" \
		"update feedback set releasability = 'partners' where id % 2 = 0" \
		"update feedback set releasability = 'org' where id = 3" \
		"update activity set releasability = 'partners' where id % 5 = 0" \
		"update activity set geo_rel = 'org', figures_rel = 'partners' where id % 3 = 0"; do
		if [ $db = sq ]; then sq "$sql"; else psql cc "$sql" >/dev/null; fi
	done
done
for sql in "update activity set releasability = 'partners' where id % 4 = 0" \
	"update activity set geo_rel = 'org', figures_rel = 'partners' where id % 3 = 0"; do
	sqlite3 "$OV_sq" "$sql"
	psql ov "$sql" >/dev/null
done
for who in public partners; do
	for args in "--level 1 --json" "--distance 50 --level 1 --json"; do
		# shellcheck disable=SC2086
		run "$CONCORD" -d "$OV_sq" --as $who overlap $args
		SOUT=$OUT SERR=$ERR SRC=$RC
		# shellcheck disable=SC2086
		run "$CONCORD" -d "$OV_pg" --as $who overlap $args
		same "--as $who overlap $args on the constructed case: as on SQLite"
	done
done
run "$CONCORD" -d "$OV_pg" --as public overlap --level 1 --json
P1=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["n_activities"])')
is "$P1" "$(psql ov "select count(*) from activity where kind = 1 and releasability = 'public'")" \
	"the public's overlap reads exactly the public activities (counted with psql)"
for who in public partners; do
	for cmd in "survey results --question q_safe --by wave --json" \
		"survey results --question q_trust --by area --level 1 --likert 5 --csv" \
		"survey alpha --items i1,i2,i3" "feedback list --json" "feedback list --counts --csv" \
		"feedback search clinic --json" "feedback search fam*" "overlap --json" \
		"overlap --level 1 --distance 10 --json"; do
		# shellcheck disable=SC2086
		both --as $who $cmd
		same "--as $who $cmd: as on SQLite"
	done
done
both --as public feedback list --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"$(psql cc "select count(*) from feedback where releasability = 'public'")" \
	"the public sees exactly the public items (counted with psql)"
both --as public survey results --question q_safe --by wave --csv
P_N=$(printf '%s\n' "$OUT" | awk -F, '$2 == "2021-03" && $3 == "yes" { print $5; exit }')
is "$P_N" "$(psql cc "select count(*) from survey_respondent r join survey_answer a on a.respondent_id = r.id join survey_question q on q.id = a.question_id where q.name = 'q_safe' and a.status = 'answered' and r.wave = '2021-03' and r.releasability = 'public'")" \
	"the public's estimate counts only public respondents (counted with psql)"

# ---- the change log ----
both audit verify
is "$RC/$SRC" 0/0 "audit verify passes on both"
is "$(printf '%s' "$OUT" | sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p')" \
	"$(printf '%s' "$SOUT" | sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p')" \
	"... with as many change log entries on both"

done_testing
