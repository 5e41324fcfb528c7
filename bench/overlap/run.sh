#!/bin/sh
# bench/overlap/run.sh: `concord overlap` against a SQL self-join on (district, sector, date
# overlap) in SQLite (the sqlite3 shell) and in DuckDB (Node, @duckdb/node-api), on the same
# generated activities (bench/overlap/gen.py; see README.md), at each size of SIZES.
#
# Not timed: generating the files, `concord import 3w` (its time is printed), loading the SQL
# tables and SQLite's index on (district, sector, start).
# Timed, best of REPS (SQLite: best of SQLITE_REPS, it is slow):
#   concord end to end: `concord overlap --min-score MIN_SCORE --json` (the whole process; its
#            CPU time, user + system, is printed too: on a loaded machine it is the steadier);
#   concord read / candidates / scoring: bench/overlap/ovtime.c, the same steps through
#            libconcord: cc_store_load_overlap(), then cc_overlap_compute(), which times its
#            candidate pass and its scoring (TF-IDF cosine, dates, place, people, and the sort of
#            the kept pairs) itself;
#   sqlite3: the count of the self-join (one query, wall time of the shell);
#   duckdb:  the same count, timed inside Node around the query on an open database file.
# The candidate count (n_candidates of the command's JSON, the same in ovtime) must equal both
# SQL counts; the run exits 1 otherwise. Concord's candidates are the pairs of different
# organisations, same sector or sector category, overlapping dates and the same area at level
# 2: with these files (every activity in a district, IASC clusters without categories, every
# activity dated) that is exactly the SQL join.
#
# Environment: SIZES (default "250000 500000 1000000"), MIN_SCORE (default 0.5), REPS (default
# 3), SQLITE_REPS (default 1), SQLITE_MAX (largest size given to SQLite, default 1000000), SEED
# (default 20210701), DUCKDB_VERSION (default 1.5.6-r.1), BUILD (default build-bench), OUT
# (default bench/out). Exit status: 0; 1 when the counts differ or a command fails; 2 when
# something is missing.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

SIZES=${SIZES:-250000 500000 1000000}
MIN_SCORE=${MIN_SCORE:-0.5}
REPS=${REPS:-3}
SQLITE_REPS=${SQLITE_REPS:-1}
SQLITE_MAX=${SQLITE_MAX:-1000000}
SEED=${SEED:-20210701}
DUCKDB_VERSION=${DUCKDB_VERSION:-1.5.6-r.1}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
for v in $SIZES; do number SIZES "$v"; done
whole SQLITE_MAX SEED
positive REPS SQLITE_REPS
PCODES=data/cases/afghanistan/afg_global_pcodes_subset.csv

need python3
need sqlite3 scripts/install-deps.sh
NODE_DIR=$ROOT/$OUT/node-duckdb
duckdb_node "$NODE_DIR" "$DUCKDB_VERSION"

if [ -z "${CONCORD:-}" ]; then
	release_build concord bench/runstat bench/ovtime
	CONCORD=$ROOT/$BUILD/concord
fi
RUNSTAT=${RUNSTAT:-$ROOT/$BUILD/bench/runstat}
OVTIME=${OVTIME:-$ROOT/$BUILD/bench/ovtime}

mkdir -p "$OUT"
tmpdir "${TMPDIR:-/tmp}/concord-overlap.XXXXXX"

status=0
RESULTS=$TMP/results
: >"$RESULTS"
cp bench/overlap/duck.mjs "$NODE_DIR/overlap.mjs"

for n in $SIZES; do
	f=$OUT/overlap_${n}_seed$SEED.csv
	p=$OUT/overlap_${n}_seed$SEED.peer.csv
	if [ ! -s "$f" ] || [ ! -s "$p" ]; then
		say "bench: generating $f"
		python3 bench/overlap/gen.py -n "$n" --seed "$SEED" "$f" "$p" >&2 || die "generator failed"
	fi
	db=$TMP/concord_$n.db
	"$CONCORD" -d "$db" init --mission BENCH --name Bench --country AFG >/dev/null &&
		"$CONCORD" -d "$db" import areas "$PCODES" --level 2 >/dev/null ||
		die "concord init / import areas failed"
	"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$db" import 3w "$f" --source bench \
		>"$TMP/import.log" 2>&1 || { tail "$TMP/import.log" >&2; die "concord import 3w failed"; }
	say "bench: concord import 3w: $n activities in $(field "$TMP/stat" wall_s) s"

	c_e2e= c_cpu= c_read= c_cand= c_score= c_comp=
	r=1
	while [ "$r" -le "$REPS" ]; do
		"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$db" overlap --min-score "$MIN_SCORE" --json \
			>"$TMP/overlap.json" 2>"$TMP/overlap.err" || { cat "$TMP/overlap.err" >&2; die "concord overlap failed"; }
		c_e2e=$(min "$(field "$TMP/stat" wall_s)" "$c_e2e")
		c_cpu=$(min "$(cpu "$TMP/stat")" "$c_cpu")
		"$OVTIME" "$db" "$MIN_SCORE" >"$TMP/ovtime.out" || die "ovtime failed"
		c_read=$(min "$(field "$TMP/ovtime.out" read_s)" "$c_read")
		c_comp=$(min "$(field "$TMP/ovtime.out" compute_s)" "$c_comp")
		c_cand=$(min "$(field "$TMP/ovtime.out" candidates_s)" "$c_cand")
		c_score=$(min "$(field "$TMP/ovtime.out" scoring_s)" "$c_score")
		say "bench: concord $n run $r: overlap $(field "$TMP/stat" wall_s) s; $(cat "$TMP/ovtime.out")"
		r=$((r + 1))
	done
	c_json=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["n_candidates"])' "$TMP/overlap.json")
	c_drv=$(field "$TMP/ovtime.out" candidates)
	c_pairs=$(field "$TMP/ovtime.out" pairs)

	# DuckDB
	node "$NODE_DIR/overlap.mjs" "$ROOT/$p" "$TMP/duck_$n.db" "$REPS" >"$TMP/duck.out" ||
		die "the DuckDB peer failed"
	d_s=$(field "$TMP/duck.out" duckdb_s)
	d_n=$(field "$TMP/duck.out" pairs)
	rm -f "$TMP/duck_$n.db"

	# SQLite
	s_s=- s_n=-
	if [ "$n" -le "$SQLITE_MAX" ]; then
		sdb=$TMP/sqlite_$n.db
		sqlite3 "$sdb" -cmd '.mode csv' ".import \"$ROOT/$p\" act" \
			'CREATE INDEX act_block ON act (district, sector, start); ANALYZE;' ||
			die "loading SQLite failed"
		s_s=
		r=1
		while [ "$r" -le "$SQLITE_REPS" ]; do
			"$RUNSTAT" -o "$TMP/stat" -- sqlite3 "$sdb" "SELECT count(*) FROM act a JOIN act b
				ON a.district = b.district AND a.sector = b.sector
				WHERE CAST(a.id AS INTEGER) < CAST(b.id AS INTEGER) AND a.org <> b.org
				AND a.start <= b.end AND b.start <= a.end" >"$TMP/sqlite.out" 2>&1 ||
				{ cat "$TMP/sqlite.out" >&2; die "the SQLite self-join failed"; }
			s_s=$(min "$(field "$TMP/stat" wall_s)" "$s_s")
			s_n=$(cat "$TMP/sqlite.out")
			say "bench: sqlite3 $n run $r: $(field "$TMP/stat" wall_s) s, $s_n pairs"
			r=$((r + 1))
		done
		rm -f "$sdb"
	fi
	rm -f "$db" "$db-wal" "$db-shm"

	ok=yes
	[ "$c_json" = "$c_drv" ] || { say "bench: DISAGREE: concord --json says $c_json candidates, ovtime $c_drv"; ok=no; }
	[ "$c_json" = "$d_n" ] || { say "bench: DISAGREE: concord $c_json candidates, DuckDB $d_n pairs"; ok=no; }
	[ "$s_n" = - ] || [ "$c_json" = "$s_n" ] || { say "bench: DISAGREE: concord $c_json candidates, SQLite $s_n pairs"; ok=no; }
	[ "$ok" = yes ] || status=1
	printf '%s %s %s %s %s %s %s %s %s %s %s %s %s\n' "$n" "$c_e2e" "$c_read" "$c_comp" "$c_cand" \
		"$c_score" "$d_s" "$s_s" "$c_json" "$c_pairs" "$ok" "$d_n" "$c_cpu" >>"$RESULTS"
done

{
	printf '# bench/overlap: concord overlap --min-score %s vs SQL self-joins; best of %s (SQLite %s), %s, %s cores, sqlite3 %s, duckdb %s\n' \
		"$MIN_SCORE" "$REPS" "$SQLITE_REPS" "$(date -u +%Y-%m-%d)" "$(nproc 2>/dev/null || echo '?')" \
		"$(sqlite3 --version | cut -d' ' -f1)" "$DUCKDB_VERSION"
	awk '
	BEGIN { printf "%-40s %10s %10s %8s\n", "case", "concord_s", "peer_s", "ratio" }
	{ n = $1
	  printf "%-40s %10.3f %10.3f %8.2f\n", "overlap_" n "_candidates_vs_duckdb", $5, $7, $7 / $5
	  printf "%-40s %10.3f %10.3f %8.2f\n", "overlap_" n "_end_to_end_vs_duckdb", $2, $7, $7 / $2
	  if ($8 != "-")
	    printf "%-40s %10.3f %10.3f %8.2f\n", "overlap_" n "_end_to_end_vs_sqlite", $2, $8, $8 / $2 }' "$RESULTS"
	printf '\n%-9s %11s %9s %12s %8s %9s %10s %11s %10s %10s %6s\n' activities candidates kept \
		end_to_end_s cpu_s read_s cand_s scoring_s score/cand 'ns/(n+pair)' agree
	awk '{ printf "%-9s %11d %9d %12.3f %8.3f %9.3f %10.3f %11.3f %10.2f %10.1f %6s\n", $1, $9, $10,
	       $2, $13, $3, $5, $6, $6 / $5, ($5 + $6) / ($1 + $9) * 1e9, $11 }' "$RESULTS"
	awk '{ cand[NR] = $5; sc[NR] = $6; n[NR] = $1; p[NR] = $9 }
	END {
		if (NR >= 1) {
			printf "\ngoal candidates no slower than DuckDB at %d: see ratio above (>= 1)\n", n[NR]
			printf "goal scoring within 2x of the candidate pass at %d: %.2fx: %s\n", n[NR],
			       sc[NR] / cand[NR], sc[NR] <= 2 * cand[NR] ? "met" : "MISSED"
		}
		for (i = 2; i <= NR; i++)
			printf "growth %d -> %d activities (x%.1f), candidates x%.1f: candidate pass x%.2f, scoring x%.2f\n",
			       n[i-1], n[i], n[i] / n[i-1], p[i] / p[i-1], cand[i] / cand[i-1], sc[i] / sc[i-1]
	}' "$RESULTS"
	[ "$status" -eq 0 ] && echo "answers: candidate counts identical" || echo "answers: DIFFER"
} | tee "$OUT/overlap.txt"
exit "$status"
