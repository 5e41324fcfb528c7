#!/bin/sh
# The larger real files of the shared data folder, when it is present (skipped otherwise):
# the OCHA Libya 3W of May 2021, with its own sector codes and spaced HXL attributes; and the
# overlap of the real Afghan IATI activities against all pairs computed in the test.
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

# ---- overlap on real activities: the Afghan IATI activities against all pairs computed here ----
AFGIATI="$SHARED/iati/afg_activities.xml"
if [ ! -f "$AFGIATI" ]; then
	for i in 1 2 3; do skip "overlap on the Afghan IATI activities $i" "shared IATI file not present"; done
	done_testing
	exit 0
fi
"$CONCORD" -d afg.db init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" -d afg.db import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
"$CONCORD" -d afg.db import areas "$CASE/afg_adm1_geoboundaries.geojson" --level 1 \
	--name-field shapeName --code-map "$CASE/adm1_code_map.csv" >/dev/null
run "$CONCORD" -d afg.db import iati "$AFGIATI"
is "$RC" 0 "the Afghan IATI activities import"
# All pairs, from the rules of the overlap documentation, over the activities as stored: kind
# activity, different reporting organisations, both with a sector, the same sector or the same
# DAC-3 category (x0.75), dates overlapping (undated: assumed), the same area at the level (an
# area above it compared by itself) or sites within the distance; parts and score recomputed,
# the text with a TF-IDF written here.
cat >ov_all.py <<'PY'
import csv, math, re, sqlite3, sys, unicodedata
db, level, km, got_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
R = 6371.0088
con = sqlite3.connect(db)
parent, lvl = {}, {}
for i, p, l in con.execute('SELECT id, parent_id, level FROM area'):
    parent[i], lvl[i] = p, l
acts = con.execute('''SELECT a.id, a.org_id, a.sector_id, s.vocabulary, s.category, s.code,
    a.area_id, a.start_date, a.end_date, a.lat, a.lon, a.targeted, a.reached,
    coalesce(a.title, ''), coalesce(a.description, '')
    FROM activity a LEFT JOIN sector s ON s.id = a.sector_id
    WHERE a.kind = 1 ORDER BY a.id''').fetchall()
FOLD = {'\u064a': '\u06cc', '\u0649': '\u06cc', '\u0643': '\u06a9', '\u0629': '\u0647',
        '\u06d5': '\u0647', '\u0640': ''}
def toks(s):
    s = unicodedata.normalize('NFKD', unicodedata.normalize('NFKD', s).casefold())
    s = ''.join(FOLD.get(c, c) for c in s if unicodedata.category(c)[0] != 'M')
    s = s.replace("'", '').replace('\u2019', '')
    out, cur = [], ''
    for c in s:
        if unicodedata.category(c)[0] in 'LN':
            cur += c
        elif unicodedata.category(c) != 'Cf':
            if cur:
                out.append(cur)
            cur = ''
    if cur:
        out.append(cur)
    return out
N = len(acts)
tk = [toks(a[13] + ' ' + a[14]) for a in acts]
df = {}
for t in tk:
    for w in set(t):
        df[w] = df.get(w, 0) + 1
vec = []
for t in tk:
    v = {}
    for w in t:
        v[w] = v.get(w, 0) + 1
    v = {w: c * (math.log((1 + N) / (1 + df[w])) + 1) for w, c in v.items()}
    n = math.sqrt(sum(x * x for x in v.values()))
    vec.append({w: x / n for w, x in v.items()} if n else {})
def key(area):
    if area is None:
        return None
    a = area
    while a is not None and lvl[a] > level:
        a = parent[a]
    return a if a is not None and lvl[a] == level else area
def cat(a):
    if a[2] is None:
        return None
    if a[3] in ('1', '2'):
        return 'c' + (a[4] or a[5][:3])
    return 's%d' % a[2]
def km_between(a, b):
    p1, p2 = math.radians(a[9]), math.radians(b[9])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[10] - a[10]) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))
want = {}
for i in range(N):
    a = acts[i]
    for j in range(i + 1, N):
        b = acts[j]
        if a[1] == b[1] or cat(a) is None or cat(b) is None or cat(a) != cat(b):
            continue
        dated = None not in (a[7], a[8], b[7], b[8])
        if dated:
            s0, e0 = sorted((a[7], a[8])); s1, e1 = sorted((b[7], b[8]))
            ov = min(e0, e1) - max(s0, s1) + 1
            if ov <= 0:
                continue
        sites = None not in (a[9], a[10], b[9], b[10])
        d = km_between(a, b) if sites else None
        same_key = a[6] is not None and key(a[6]) == key(b[6])
        near = km > 0 and sites and d <= km
        if not same_key and not near:
            continue
        place = 1.0 if a[6] is not None and a[6] == b[6] else 0.5 if same_key else 0.0
        if near:
            place = max(place, 1 - d / km)
        dates = ov / (max(e0, e1) - min(s0, s1) + 1) if dated else 0.0
        pa = a[11] if a[11] is not None else a[12]
        pb = b[11] if b[11] is not None else b[12]
        ppl = min(pa, pb) / max(pa, pb) if pa and pb and pa > 0 and pb > 0 else 0.0
        text = min(1.0, sum(x * vec[j].get(w, 0) for w, x in vec[i].items()))
        factor = 1.0 if a[2] == b[2] else 0.75
        want[(a[0], b[0])] = (factor * (0.5 * text + 0.2 * dates + 0.2 * place + 0.1 * ppl),
                              text, dates, place, ppl, factor, ov if dated else -1)
got = {}
for r in csv.DictReader(open(got_path, encoding='utf-8')):
    # an undated pair has no overlap_days: -1 here
    got[(int(r['id_a']), int(r['id_b']))] = tuple(float(r[k] or -1) for k in (
        'score', 'text', 'dates', 'place', 'people', 'factor', 'overlap_days'))
bad = []
for k in sorted(set(want) | set(got)):
    if k not in got:
        bad.append('missing %s' % (k,))
    elif k not in want:
        bad.append('extra %s' % (k,))
    else:
        tol = (2e-6, 1e-5, 2e-6, 2e-6, 2e-6, 0, 0)
        if any(abs(x - y) > t for x, y, t in zip(got[k], want[k], tol)):
            bad.append('%s: got %s want %s' % (k, got[k], want[k]))
undated = sum(1 for k, v in want.items() if v[6] == -1)
print('%d %d %d %s' % (len(want), undated, len(bad), '; '.join(bad[:3])))
PY
for LK in 1:0 2:25; do
	L=${LK%%:*} K=${LK#*:}
	run "$CONCORD" -d afg.db overlap --level "$L" --distance "$K" --csv
	printf '%s\n' "$OUT" >"ov_$L.csv"
	# shellcheck disable=SC2046
	set -- $(python3 ov_all.py afg.db "$L" "$K" "ov_$L.csv")
	if [ "${3:-x}" = 0 ] && [ "${1:-0}" -gt 100 ]; then
		ok "level $L, $K km: the $1 pairs of Concord equal all pairs computed here ($2 undated), parts and scores"
	else
		not_ok "level $L, $K km: overlap on the IATI activities equals all pairs" "$*"
	fi
done

done_testing
