#!/bin/sh
# concord backup and restore on the Afghanistan case: the archive decoded and every digest
# recomputed by an independent reader (Python), a restore that gives the same store digest and
# the same answers (coverage, gaps, exposure, lesson search, an events import placed through the
# rebuilt spatial index), archives refused when truncated, damaged, of a newer schema or with a
# column the store lacks (nothing stored), a store with records refused without --force, and
# --force restores that replace and give the same store each time.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
cd "$WORK" || exit 1

digest() { "$CONCORD" -d "$1" backup --digest; }
count() { sqlite3 "$1" "select count(*) from $2"; }
# the areas the spatial index holds: SQLite's R*Tree; on PostgreSQL the areas a box query finds
# through the GiST index of area.geom (sequential scans off)
spatial() {
	if [ "$CC_BACKEND" = postgres ]; then
		sqlite3 "$1" "set enable_seqscan = off; select count(*) from area where geom && st_makeenvelope(-180, -90, 180, 90, 4326)"
	else
		count "$1" area_rtree
	fi
}

# The archive read by a second, independent reader: every table's rows hashed as the store's
# digest hashes them, checked against the digests recorded; prints "store DIGEST", then "TABLE
# ROWS" per table. `rewrite` makes a copy with one change (tests of refused archives).
cat >arch.py <<'EOF'
import gzip, hashlib, struct, sys

def read(path):
    f = gzip.open(path, 'rb')
    def rd(n):
        b = f.read(n)
        if len(b) != n:
            raise SystemExit('truncated')
        return b
    def u64():
        return struct.unpack('<Q', rd(8))[0]
    def s():
        return rd(u64())
    recs = [('magic', rd(12))]
    store = hashlib.sha256()
    tables = {}
    while True:
        tag = rd(1)
        if tag == b'H':
            recs.append(('H', s(), u64()))
        elif tag == b'T':
            name = s(); flags = rd(1)[0]; cols = [s() for _ in range(u64())]
            recs.append(('T', name, flags, cols))
            h = hashlib.sha256(name + b'\0')
            if flags & 1:
                store.update(name + b'\0')
            rows = 0
        elif tag == b'R':
            vals = []
            for _ in cols:
                t = rd(1)
                v = rd(8) if t in (b'\1', b'\2') else s() if t in (b'\3', b'\4') else b''
                vals.append((t, v))
                enc = t + (v if t in (b'\1', b'\2') else struct.pack('<Q', len(v)) + v
                           if t in (b'\3', b'\4') else b'')
                h.update(enc)
                if flags & 1:
                    store.update(enc)
            h.update(b'\n')
            if flags & 1:
                store.update(b'\n')
            rows += 1
            recs.append(('R', vals))
        elif tag == b'E':
            n = u64(); fl = rd(1); d = rd(64)
            if d.decode() != h.hexdigest() or n != rows:
                raise SystemExit('table %s: digest or count differs' % name.decode())
            tables[name.decode()] = rows
            recs.append(('E', n, fl, d))
        elif tag == b'Z':
            n = u64(); d = rd(64)
            if d.decode() != store.hexdigest():
                raise SystemExit('store digest differs')
            recs.append(('Z', n, d))
            return recs, d.decode(), tables
        else:
            raise SystemExit('bad record')

def write(path, recs):
    with gzip.open(path, 'wb') as f:
        p = lambda n: struct.pack('<Q', n)
        ps = lambda b: p(len(b)) + b
        for r in recs:
            if r[0] == 'magic': f.write(r[1])
            elif r[0] == 'H': f.write(b'H' + ps(r[1]) + p(r[2]))
            elif r[0] == 'T': f.write(b'T' + ps(r[1]) + bytes([r[2]]) + p(len(r[3])) + b''.join(ps(c) for c in r[3]))
            elif r[0] == 'R':
                f.write(b'R' + b''.join(t + (v if t in (b'\1', b'\2') else ps(v) if t in (b'\3', b'\4') else b'') for t, v in r[1]))
            elif r[0] == 'E': f.write(b'E' + p(r[1]) + r[2] + r[3])
            elif r[0] == 'Z': f.write(b'Z' + p(r[1]) + r[2])

cmd = sys.argv[1]
recs, d, tables = read(sys.argv[2])
if cmd == 'show':
    print('store', d)
    for t in sorted(tables):
        print(t, tables[t])
elif cmd == 'digests':
    for r in recs:
        if r[0] == 'T':
            name = r[1].decode()
        elif r[0] == 'E':
            print(name, r[1], r[3].decode())
elif cmd == 'newer':        # the header's schema version made 999
    recs = [('H', r[1], 999) if r[0] == 'H' else r for r in recs]
    write(sys.argv[3], recs)
elif cmd == 'column':       # a column of table mission renamed
    recs = [('T', r[1], r[2], [b'bogus' if c == b'name' else c for c in r[3]])
            if r[0] == 'T' and r[1] == b'mission' else r for r in recs]
    write(sys.argv[3], recs)
EOF

# The Afghanistan case, as `make demo` loads it
run "$CONCORD" -d a.db demo load "$CASE"
[ "$RC" -eq 0 ] && ok "the Afghanistan case loads" || {
	not_ok "the Afghanistan case loads" "$(printf '%s\n' "$ERR" | tail -5)"
	done_testing
	exit 1
}
DA=$(digest a.db)
like "$DA" '^[0-9a-f]\{64\}$' "backup --digest prints the store's digest"

run "$CONCORD" -d a.db backup -o a.ccb -v
is "$RC" 0 "backup -o FILE succeeds"
like "$OUT" "^digest: $DA\$" "backup records the store's digest"
like "$ERR" "^  activity  *$(count a.db activity) rows\$" "-v: rows per table on stderr"
[ -f a.ccb ] && [ ! -e a.ccb.part ] && ok "the archive is in place, no part file left" ||
	not_ok "the archive is in place, no part file left" "$(ls)"

run python3 arch.py show a.ccb
is "$RC" 0 "an independent reader finds every table's and the store's digest as recorded"
is "$(printf '%s\n' "$OUT" | head -1)" "store $DA" "... and the store's digest is the store's"
is "$(printf '%s\n' "$OUT" | grep '^activity ')" "activity $(count a.db activity)" \
	"... with every activity"
is "$(printf '%s\n' "$OUT" | grep '^incident ')" "incident $(count a.db incident)" \
	"... and every incident"
is "$(printf '%s\n' "$OUT" | grep -c '^meta ')" 1 "... and the counters (meta)"

# restore into a new store: the same store
run "$CONCORD" -d b.db restore a.ccb
is "$RC" 0 "restore into a new store succeeds"
like "$OUT" "^store digest now: $DA (the same)\$" "restore reports the same digest"
is "$(digest b.db)" "$DA" "the restored store's digest is the original's"
for cmd in "coverage --json" "gaps --json" "exposure --json" "lesson search water" \
	"progress --csv" "audit verify"; do
	# shellcheck disable=SC2086
	A=$("$CONCORD" -d a.db $cmd 2>&1) B=$("$CONCORD" -d b.db $cmd 2>&1)
	[ "$A" = "$B" ] && [ -n "$A" ] && ok "'$cmd' answers the same on the restored store" ||
		not_ok "'$cmd' answers the same on the restored store" "$(echo "$B" | head -3)"
done
N_SPATIAL=$(spatial a.db)
[ "${N_SPATIAL:-0}" -gt 0 ] 2>/dev/null || not_ok "the original store's spatial index holds areas" "$N_SPATIAL"
is "$(spatial b.db)" "$N_SPATIAL" "the spatial index is rebuilt"
# events placed in areas through the spatial index: the same on both, the same stores after
A=$("$CONCORD" -d a.db import events "$TDATA/events/acled_synthetic.csv" 2>&1)
sleep 1 # another second: the import times differ, as they may anyway
B=$("$CONCORD" -d b.db import events "$TDATA/events/acled_synthetic.csv" 2>&1)
is "$B" "$A" "an events import answers the same on the restored store"
# alike but for the times of the import (the change log's entries, the source's and the
# round's import time), which the two imports need not share
"$CONCORD" -d a.db backup -o a2.ccb >/dev/null
"$CONCORD" -d b.db backup -o b2.ccb >/dev/null
is "$(python3 arch.py digests a2.ccb | grep -v '^change \|^source \|^submission ')" \
	"$(python3 arch.py digests b2.ccb | grep -v '^change \|^source \|^submission ')" \
	"... and leaves both stores alike (areas, ids, batches: every table's digest)"
Q="select id, mission_id, name, digest, batch from source order by id"
is "$(sqlite3 b.db "$Q")" "$(sqlite3 a.db "$Q")" "... and the same sources but their import times"
DA2=$(digest b.db)

# refused: a store with records, without --force; nothing changes
run "$CONCORD" -d b.db restore a.ccb
[ "$RC" -ne 0 ] && ok "restore into a store with records is refused" ||
	not_ok "restore into a store with records is refused" "$OUT"
like "$ERR" "not empty.*--force" "... saying so"
is "$(digest b.db)" "$DA2" "... and changes nothing"

# --force replaces: the archive's store, twice the same
run "$CONCORD" -d b.db restore --force a.ccb
is "$RC" 0 "restore --force into a store with records succeeds"
is "$(digest b.db)" "$DA" "... and gives the archive's store (the later import gone)"
run "$CONCORD" -d b.db restore --force a.ccb
is "$(digest b.db)" "$DA" "a second restore --force gives the same store"
is "$(spatial b.db)" "$(spatial a.db)" "... with one spatial index entry per area"
is "$("$CONCORD" -d b.db lesson search water | md5sum)" \
	"$("$CONCORD" -d a.db lesson search water | md5sum)" "... and the full-text index rebuilt once"

# a small store forced over a big one: only the small one's records remain
"$CONCORD" -d s.db init --mission XYZ --country AFG >/dev/null
"$CONCORD" -d s.db backup -o s.ccb >/dev/null
run "$CONCORD" -d b.db restore --force s.ccb
is "$(digest b.db)" "$(digest s.db)" "--force replaces every table"
is "$(count b.db activity)" 0 "... no activity left"

# standard output and input
"$CONCORD" -d a.db backup -o - 2>/dev/null | "$CONCORD" -d c.db restore - >/dev/null 2>&1
is "$(digest c.db)" "$(digest a.db)" "backup -o - piped into restore - gives the same store"

# refused archives store nothing
SIZE=$(wc -c <a.ccb)
head -c $((SIZE / 2)) a.ccb >trunc.ccb
run "$CONCORD" -d t.db restore trunc.ccb
[ "$RC" -ne 0 ] && ok "a truncated archive is refused" || not_ok "a truncated archive is refused" "$OUT"
like "$ERR" "trunc.ccb.*truncated\|trunc.ccb.*damaged" "... naming the file"
is "$(count t.db mission):$(count t.db activity):$(count t.db codelist)" "0:0:0" "... and nothing is stored"
python3 -c "
import sys
b = bytearray(open('a.ccb', 'rb').read())
b[len(b) // 2] ^= 0x55
open('bad.ccb', 'wb').write(b)"
run "$CONCORD" -d t.db restore bad.ccb
[ "$RC" -ne 0 ] && ok "a damaged archive is refused" || not_ok "a damaged archive is refused" "$OUT"
like "$ERR" "bad.ccb.*damaged\|bad.ccb.*truncated" "... naming the file"
is "$(count t.db mission):$(count t.db activity)" "0:0" "... and nothing is stored"
printf 'id,name\n1,x\n' >notarchive.csv
run "$CONCORD" -d t.db restore notarchive.csv
[ "$RC" -ne 0 ] && ok "a file that is no archive is refused" || not_ok "a file that is no archive is refused" "$OUT"
python3 arch.py newer a.ccb newer.ccb
run "$CONCORD" -d t.db restore newer.ccb
[ "$RC" -ne 0 ] && ok "an archive of a newer schema is refused" ||
	not_ok "an archive of a newer schema is refused" "$OUT"
like "$ERR" "schema 999, newer than this program's" "... saying which"
is "$(count t.db mission)" 0 "... and nothing is stored"
python3 arch.py column a.ccb column.ccb
run "$CONCORD" -d t.db restore column.ccb
[ "$RC" -ne 0 ] && ok "an archive with a column the store lacks is refused" ||
	not_ok "an archive with a column the store lacks is refused" "$OUT"
like "$ERR" "table 'mission'.*column 'bogus'" "... naming the table and the column"
is "$(count t.db mission):$(count t.db activity)" "0:0" "... and nothing is stored"
run "$CONCORD" -d t.db restore missing.ccb
like "$ERR" "missing.ccb" "a missing archive is named"
run "$CONCORD" -d a.db backup
is "$RC" 2 "backup without -o is a usage error"

# after all that, the refused restores left t.db a store that takes an archive
run "$CONCORD" -d t.db restore a.ccb
is "$(digest t.db)" "$DA" "a store left by refused restores takes the archive"

done_testing
