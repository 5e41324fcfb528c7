#!/bin/sh
# `concord overlap` on a constructed 3W with real Afghan P-codes: the pairs and their scores are
# computed independently here (python3), never copied from Concord's output.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1
F="$TDATA/overlap/afg-3w-overlap.csv"

"$CONCORD" init --mission AFG --name Afghanistan --country AFG >/dev/null
"$CONCORD" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null
run "$CONCORD" import 3w "$F"
is "$RC" 0 "the constructed 3W loads"
is "$(sqlite3 concord.db 'select count(*) from activity where kind = 0')" 1 \
	"the row without activity, dates or figures is presence"

# expected pairs: different organisations, same cluster, overlapping dates, same area at the
# level; score = 0.5 text + 0.2 dates + 0.2 place + 0.1 people (factor 1: clusters only)
cat >expect.py <<'PY'
import csv, math, re, sys, datetime
level = int(sys.argv[2])
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))[2:]
acts = [r for r in rows if r[4] or r[6] or r[7] or r[8] or r[9]]   # presence rows are not
def toks(r): return re.sub(r'[^a-z0-9]+', ' ', (r[4] + ' ' + r[5]).lower()).split()
N = len(acts)
df = {}
for r in acts:
    for t in set(toks(r)): df[t] = df.get(t, 0) + 1
def vec(r):
    v = {}
    for t in toks(r): v[t] = v.get(t, 0) + 1
    v = {t: c * (math.log((1 + N) / (1 + df[t])) + 1) for t, c in v.items()}
    n = math.sqrt(sum(x * x for x in v.values()))
    return {t: x / n for t, x in v.items()}
def day(s): return datetime.date.fromisoformat(s).toordinal()
def people(r): return float(r[8]) if r[8] else (float(r[9]) if r[9] else None)
out = []
for i in range(N):
    for j in range(i + 1, N):
        a, b = acts[i], acts[j]
        if a[0] == b[0] or a[1] != b[1]: continue
        key = (lambda r: r[3] if level == 2 else r[2])
        if key(a) != key(b): continue
        s0, e0, s1, e1 = day(a[6]), day(a[7]), day(b[6]), day(b[7])
        ov = min(e0, e1) - max(s0, s1) + 1
        if ov <= 0: continue
        dates = ov / (max(e0, e1) - min(s0, s1) + 1)
        va, vb = vec(a), vec(b)
        text = sum(va[t] * vb.get(t, 0) for t in va)
        place = 1.0 if a[3] == b[3] else 0.5
        pa, pb = people(a), people(b)
        ppl = min(pa, pb) / max(pa, pb) if pa and pb else 0.0
        out.append((0.5 * text + 0.2 * dates + 0.2 * place + 0.1 * ppl, a[0], b[0], a[4], b[4]))
out.sort(key=lambda x: -x[0])
for s, oa, ob, ta, tb in out: print('%.5f|%s|%s|%s|%s' % (s, oa, ob, ta, tb))
PY
cat >got.py <<'PY'
import csv, sys
for r in csv.DictReader(sys.stdin):
    print('%.5f|%s|%s|%s|%s' % (float(r['score']), r['org_a'], r['org_b'], r['title_a'], r['title_b']))
PY

for L in 2 1; do
	python3 expect.py "$F" $L >want.$L
	run "$CONCORD" overlap --level $L --csv
	is "$RC" 0 "overlap --level $L runs"
	printf '%s\n' "$OUT" | python3 got.py >got.$L
	is "$(cat got.$L)" "$(cat want.$L)" "level $L: the pairs, their order and scores"
done
is "$(wc -l <want.2 | tr -d ' ')" 2 "two pairs in the same district (and never the presence row)"
is "$(wc -l <want.1 | tr -d ' ')" 3 "a third at province level"

run "$CONCORD" overlap --min-score 0.69 --json
is "$RC" 0 "overlap --json runs"
is "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["pairs"]), d["n_candidates"], all(p["score"] >= 0.69 and p["why"] for p in d["pairs"]))')" \
	"$(python3 -c '
import sys
s = [float(l.split("|")[0]) for l in open("want.2")]
print(sum(x >= 0.69 for x in s), len(s), True)')" "--min-score filters, every pair says why"

# no activities at all (a mission of its own, nothing imported): no pairs, said plainly
"$CONCORD" -d empty.db init --mission NONE --name Empty --country AFG >/dev/null
run "$CONCORD" -d empty.db overlap --csv
is "$RC $(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "0 1" "no activities: the CSV header only"
run "$CONCORD" -d empty.db overlap --distance 5 --json
is "$RC $(printf '%s\n' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["n_activities"], d["n_candidates"], len(d["pairs"]))')" "0 0 0 0" "... and the JSON says 0 activities, 0 pairs"
run "$CONCORD" -d empty.db overlap
is "$RC" 0 "... and the table runs"

run "$CONCORD" overlap
is "$RC" 0 "the table runs"
like "$OUT" "same sector, same area" "the table says why"
run "$CONCORD" overlap --distance -1
is "$RC" 2 "a negative distance is a usage error"
run "$CONCORD" overlap --level 7
is "$RC" 2 "level 7 is a usage error"

done_testing
