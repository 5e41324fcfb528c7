#!/bin/sh
# The larger real files of the shared data folder, when it is present (skipped otherwise):
# the OCHA Libya 3W of May 2021, with its own sector codes and spaced HXL attributes.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
LBY3W="$SHARED/hxl/lby_3w_operational_presence_2021_05.csv"

if [ ! -f "$LBY3W" ]; then
	skip "Libya 3W import" "shared data folder not present"
	skip "Libya coverage by cluster" "shared data folder not present"
	done_testing
	exit 0
fi

"$CONCORD" init --mission LBY-2021 --name "Libya 2021" --country LBY >/dev/null
python3 - "$LBY3W" >expected <<'PY'
import csv, sys
import re, unicodedata
def norm(s):
    s = unicodedata.normalize('NFKD', s.casefold().replace("'", '').replace('\u2019', ''))
    s = ''.join(c for c in s if not unicodedata.combining(c))
    return ' '.join(re.findall(r'[^\W_]+', s))
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline='')))[2:]
keys = {}
for r in rows:
    keys.setdefault((r[3], r[4], r[1], r[2], norm(r[5])), 0)
print(len(rows), len(keys), len(rows) - len(keys))
PY
read -r N_ROWS N_KEYS N_DUPS <expected
run "$CONCORD" import 3w "$LBY3W" --period 2021-05-01/2021-05-31 --add-areas
[ "$N_DUPS" -gt 0 ] && WANT_RC=3 || WANT_RC=0
is "$RC" "$WANT_RC" "the Libya 3W imports (exit $WANT_RC: $N_DUPS duplicates)"
like "$OUT" "read $N_ROWS, added $N_KEYS, updated 0, removed 0, unchanged 0, rejected $N_DUPS" "every row is accounted for ($N_ROWS read, $N_DUPS duplicates)"
is "$(printf '%s\n' "$ERR" | grep -v 'duplicate of line' | grep -c .)" 0 "every Libyan sector code resolves (only duplicates are rejected)"
is "$(sqlite3 concord.db 'select count(*) from area where level = 2')" 22 "22 mantikas created from the file"

python3 - "$ROOT" "$LBY3W" >exp.cells <<'PY'
import csv, sys
import re, unicodedata
def norm(s):
    s = unicodedata.normalize('NFKD', s.casefold().replace("'", '').replace('\u2019', ''))
    s = ''.join(c for c in s if not unicodedata.combining(c))
    return ' '.join(re.findall(r'[^\W_]+', s))
root, path = sys.argv[1], sys.argv[2]
alias = {r['alias']: r['code'] for r in csv.DictReader(open(root + '/data/codelists/aliases.csv'))
         if r['list'] == 'IASCCluster' and r['scope'] in ('', 'LBY')}
codes = {r['code'] for r in csv.DictReader(open(root + '/data/codelists/IASCCluster.csv'))}
acts, orgs = {}, {}
for r in list(csv.reader(open(path, encoding='utf-8', newline='')))[2:]:
    c = r[2] if r[2] in codes else alias[r[2]]
    k = (r[1], c)
    acts.setdefault(k, set()).add((r[3], r[4], norm(r[5])))
    orgs.setdefault(k, set()).add(r[3])
for k in sorted(acts):
    print('%s,%s,%d,%d' % (k[0], k[1], len(acts[k]), len(orgs[k])))
PY
run "$CONCORD" coverage --level 2 --by cluster --csv
printf '%s\n' "$OUT" | python3 -c "
import csv, sys
for r in csv.DictReader(sys.stdin):
    if int(r['activities']) > 0:
        print('%s,%s,%s,%s' % (r['pcode'], r['column'], r['activities'], r['organisations']))
" | sort >got.cells
sort exp.cells >exp.sorted
if diff -u exp.sorted got.cells >diff.out; then
	ok "Libya coverage by cluster equals the counts from the file ($(wc -l <exp.sorted | tr -d ' ') cells)"
else
	not_ok "Libya coverage by cluster equals the counts from the file" "$(head -20 diff.out)"
fi

done_testing
