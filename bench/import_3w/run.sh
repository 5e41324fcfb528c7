#!/bin/sh
# bench/import_3w/run.sh: Concord's 3W import against sqlite3's `.import` of the same file.
#
# Builds Concord in release mode (build-bench/) when needed, generates the 3W files when absent
# (bench/import_3w/gen.py, deterministic), then, best of REPS, for N rows and SMALL rows:
#   concord: `concord init` + `concord import areas` on a fresh store (not timed), then
#            `concord import 3w FILE --source bench` (timed: wall time and peak RSS),
#   peer:    `sqlite3 DB -cmd '.mode csv' '.import FILE t'` into one plain table of a fresh
#            database (timed the same way; it validates and normalises nothing).
# Both answers are checked: Concord's store must hold rows - rejected activities, sqlite3's table
# rows + 1 (the header row names the columns; the HXL hashtag row is data to it). Prints
# `case  concord_s  peer_s  ratio` (ratio = peer_s / concord_s; >= 1: Concord is faster), rows/s
# and peak RSS of both, and Concord's peak RSS at SMALL, MID and N rows: memory must not grow
# with the file. Times and RSS come from bench/import_3w/runstat.c (wait4() ru_maxrss,
# CLOCK_MONOTONIC).
#
# Environment: N (rows, default 1000000), SMALL (second timed size, default N/4; 0 skips it),
# MID (memory-only size, one Concord run, default N/2; 0 skips it), REPS (runs per case, default
# 3), SEED (generator seed, default 20210701), BUILD (build dir, default build-bench), OUT
# (generated files, logs, results; default bench/out), CONCORD and RUNSTAT (use these binaries
# instead of building them). Exit status: 0; 1 when the answers disagree or a command fails;
# 2 when something needed is missing or a variable is wrong.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

N=${N:-1000000}
whole N
SMALL=${SMALL:-$((N / 4))}
MID=${MID:-$((N / 2))}
REPS=${REPS:-3}
SEED=${SEED:-20210701}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
PCODES=data/cases/afghanistan/afg_global_pcodes_subset.csv

whole SMALL MID SEED
positive N REPS

# --- the peer and the tools ------------------------------------------------------------------
need sqlite3 "the peer: scripts/install-deps.sh installs the Debian package sqlite3"
need python3 "to generate the input"

# --- Concord, release build ------------------------------------------------------------------
if [ -z "${CONCORD:-}" ] || [ -z "${RUNSTAT:-}" ]; then
	release_build concord bench/runstat
	CONCORD=${CONCORD:-$ROOT/$BUILD/concord}
	RUNSTAT=${RUNSTAT:-$ROOT/$BUILD/bench/runstat}
fi
[ -x "$CONCORD" ] || die "no concord binary at $CONCORD"
[ -x "$RUNSTAT" ] || die "no runstat binary at $RUNSTAT"
warn_buildtype

# --- input -----------------------------------------------------------------------------------
mkdir -p "$OUT"
tmpdir "$OUT/run.XXXXXX"

# Path of the generated file of $1 rows, generated when absent; checks its line count.
input() {
	in_f="$OUT/3w_${1}_seed${SEED}.csv"
	if [ ! -s "$in_f" ]; then
		say "bench: generating $in_f"
		python3 bench/import_3w/gen.py -n "$1" --seed "$SEED" "$in_f" >&2 ||
			die "generator failed"
	fi
	in_lines=$(wc -l <"$in_f")
	[ "$in_lines" -eq $(($1 + 2)) ] ||
		die "$in_f: $in_lines lines, expected $1 rows + 2 header rows (delete it to regenerate)"
	printf '%s\n' "$in_f"
}

# A fresh store holding the mission and the provinces and districts; not timed.
concord_prepare() {
	rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
	if ! "$CONCORD" -d "$1" init --mission BENCH --name Bench --country AFG \
		>"$TMP/prep.log" 2>&1 ||
		! "$CONCORD" -d "$1" import areas "$PCODES" --level 2 >>"$TMP/prep.log" 2>&1; then
		cat "$TMP/prep.log" >&2
		die "preparing the store failed (concord init / import areas)"
	fi
}

# One timed `concord import 3w` of $1 into a fresh store; stats in $TMP/stat, output in
# $TMP/concord.log, activities stored in $count. Exit status 3 (stored, some rows rejected) is
# accepted: the rejected rows are counted from the summary.
concord_once() {
	db="$TMP/concord.db"
	concord_prepare "$db"
	"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$db" import 3w "$1" --source bench \
		>"$TMP/concord.log" 2>&1 || true
	case $(field "$TMP/stat" status) in
	0 | 3) ;;
	*)
		tail -n 20 "$TMP/concord.log" >&2
		die "concord import 3w $1 failed (status $(field "$TMP/stat" status))"
		;;
	esac
	count=$(sqlite3 "$db" 'SELECT count(*) FROM activity' 2>/dev/null || echo '?')
}

# Best of REPS: sets best_s (fastest wall time), rss_kib (largest peak of the runs), count.
keep_best() {
	w=$(field "$TMP/stat" wall_s)
	k=$(field "$TMP/stat" maxrss_kib)
	if [ "$r" -eq 1 ] || awk "BEGIN { exit !($w < $best_s) }"; then
		best_s=$w
	fi
	if [ "$r" -eq 1 ] || [ "$k" -gt "$rss_kib" ]; then
		rss_kib=$k
	fi
	say "bench: $1  $(basename "$2")  run $r: ${w} s, $((k / 1024)) MiB, $count $3"
}

run_concord() { # file
	r=1
	while [ "$r" -le "$REPS" ]; do
		concord_once "$1"
		keep_best concord "$1" activities
		r=$((r + 1))
	done
	cp "$TMP/concord.log" "$OUT/import_3w_concord_$(basename "$1" .csv).log"
}

run_peer() { # file
	r=1
	while [ "$r" -le "$REPS" ]; do
		db="$TMP/peer.db"
		rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
		if ! "$RUNSTAT" -o "$TMP/stat" -- sqlite3 "$db" -cmd '.mode csv' ".import \"$1\" t" \
			>"$TMP/peer.log" 2>&1; then
			tail -n 20 "$TMP/peer.log" >&2
			die "sqlite3 .import $1 failed"
		fi
		count=$(sqlite3 "$db" 'SELECT count(*) FROM t')
		keep_best sqlite3 "$1" rows
		r=$((r + 1))
	done
}

# Rejected rows from Concord's summary line ("FILE: read N, added N, ..., rejected N").
concord_rejects() {
	n=$(sed -n 's/.*: read [0-9]*, .*rejected \([0-9][0-9]*\)$/\1/p' "$1" | tail -n 1)
	printf '%s\n' "${n:-?}"
}

status=0
RESULTS="$TMP/results"
MEMORY="$TMP/memory"
: >"$RESULTS"
: >"$MEMORY"

bench_size() { # rows
	f=$(input "$1")
	cat "$f" >/dev/null # the same warm page cache for both
	run_concord "$f"
	c_s=$best_s c_rss=$rss_kib c_count=$count
	rejects=$(concord_rejects "$OUT/import_3w_concord_$(basename "$f" .csv).log")
	run_peer "$f"
	p_s=$best_s p_rss=$rss_kib p_count=$count
	ok=yes
	if [ "$rejects" = '?' ]; then
		say "bench: DISAGREE: no summary line (read N, ..., rejected N) in concord's output"
		ok=no rejects=0
	elif [ "$c_count" != $(($1 - rejects)) ]; then
		say "bench: DISAGREE: concord stored $c_count activities, expected $1 rows - $rejects rejected"
		ok=no
	fi
	if [ "$p_count" != $(($1 + 1)) ]; then
		say "bench: DISAGREE: sqlite3's table has $p_count rows, expected $1 rows + 1 hashtag row"
		ok=no
	fi
	[ "$ok" = yes ] || status=1
	printf '%s %s %s %s %s %s %s\n' "$1" "$c_s" "$p_s" "$c_rss" "$p_rss" "$rejects" "$ok" \
		>>"$RESULTS"
	printf '%s %s\n' "$1" "$c_rss" >>"$MEMORY"
}

memory_only() { # rows: one Concord run, peak RSS only
	f=$(input "$1")
	concord_once "$f"
	say "bench: concord  $(basename "$f")  memory run: $(field "$TMP/stat" wall_s) s," \
		"$(($(field "$TMP/stat" maxrss_kib) / 1024)) MiB, $count activities"
	printf '%s %s\n' "$1" "$(field "$TMP/stat" maxrss_kib)" >>"$MEMORY"
}

# Smaller sizes first, so the report reads small → large.
if [ "$SMALL" -gt 0 ] && [ "$SMALL" -lt "$N" ]; then
	bench_size "$SMALL"
fi
if [ "$MID" -gt 0 ] && [ "$MID" -lt "$N" ] && [ "$MID" -ne "$SMALL" ]; then
	memory_only "$MID"
fi
bench_size "$N"

# --- report ----------------------------------------------------------------------------------
{
	printf '# bench/import_3w: concord import 3w vs sqlite3 .import, best of %s, %s, %s cores, %s\n' \
		"$REPS" "$(date -u +%Y-%m-%d)" "$(nproc 2>/dev/null || echo '?')" \
		"$(sqlite3 --version | cut -d' ' -f1 | sed 's/^/sqlite3 /')"
	awk '
	BEGIN {
		printf "%-20s %10s %10s %7s\n", "case", "concord_s", "peer_s", "ratio"
	}
	{ row[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			split(row[i], f, " ")
			printf "%-20s %10.3f %10.3f %7.2f\n", "import_3w_" f[1], f[2], f[3], f[3] / f[2]
		}
		printf "\n%-20s %14s %14s %12s %12s %9s %6s\n", "case", "concord_rows/s",
		       "peer_rows/s", "concord_MiB", "peer_MiB", "rejected", "agree"
		for (i = 1; i <= NR; i++) {
			split(row[i], f, " ")
			printf "%-20s %14.0f %14.0f %12.1f %12.1f %9d %6s\n", "import_3w_" f[1],
			       f[1] / f[2], f[1] / f[3], f[4] / 1024, f[5] / 1024, f[6], f[7]
		}
	}' "$RESULTS"
	sort -n "$MEMORY" | awk '
	{ rows[NR] = $1; kib[NR] = $2 }
	END {
		if (NR < 2)
			exit
		line = "memory: concord peak RSS"
		for (i = 1; i <= NR; i++)
			line = line sprintf("%s %.1f MiB at %d rows", i > 1 ? "," : "", kib[i] / 1024,
			                    rows[i])
		# the verdict compares the two largest files: growth past the first must not follow
		# the rows (10 % + 4 MiB of slack for allocator and page-cache noise)
		a = NR - 1
		b = NR
		grow = (kib[b] - kib[a]) / 1024
		verdict = kib[b] <= kib[a] * 1.10 + 4096 ? "flat" : "GROWS with the file"
		printf "\n%s\nmemory: %d -> %d rows (%.1fx): %+.1f MiB, %s\n", line, rows[a], rows[b],
		       rows[b] / rows[a], grow, verdict
	}'
} | tee "$OUT/import_3w.txt"

exit "$status"
