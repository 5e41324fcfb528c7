#!/bin/sh
# bench/progress/run.sh: `concord progress` (progress, status, Theil–Sen trend, Mann–Kendall
# test and projected date of every series) against a plain SQLite window-function query that
# computes progress and status only (bench/progress/peer.sql, run by the sqlite3 shell on the
# same database), at each size of SIZES (numbers of indicators; see README.md).
#
# Not timed: generating the store (concord init, the P-code gazetteer for the areas, then
# bench/progress/gen.sql inside SQLite).
# Timed, best of REPS: concord: `concord progress --csv --at AT` written to a file (the whole
# process); sqlite3: the peer query with its rows written to a file. The number of series and
# the count of each status must agree between the two; the run exits 1 otherwise.
#
# Environment: SIZES (default "1250 2500 5000": 3, 6 and 12 million observations), PER_IND
# (areas each indicator is measured in, default 40), AREAS (default 400), MONTHS (default 60),
# REPS (default 3), AT (default 2024-12-31), BUILD (default build-bench), OUT (default
# bench/out). Exit status: 0; 1 when the answers differ or a command fails; 2 when something is
# missing.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

SIZES=${SIZES:-1250 2500 5000}
PER_IND=${PER_IND:-40}
AREAS=${AREAS:-400}
MONTHS=${MONTHS:-60}
REPS=${REPS:-3}
AT=${AT:-2024-12-31}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
for v in $SIZES; do number SIZES "$v"; done
whole PER_IND AREAS MONTHS
positive REPS
[ "$AREAS" -le 401 ] || usage "AREAS is at most 401 (the districts of the gazetteer)"
[ "$PER_IND" -le $((AREAS / 10)) ] || usage "PER_IND is at most AREAS / 10"
PCODES=data/cases/afghanistan/afg_global_pcodes_subset.csv

need sqlite3 scripts/install-deps.sh
if [ -z "${CONCORD:-}" ]; then
	release_build concord bench/runstat
	CONCORD=$ROOT/$BUILD/concord
fi
RUNSTAT=${RUNSTAT:-$ROOT/$BUILD/bench/runstat}
[ -x "$RUNSTAT" ] || usage "no runstat at $RUNSTAT"

mkdir -p "$OUT"
tmpdir "${TMPDIR:-/tmp}/concord-progress.XXXXXX"

at_day=$(sqlite3 :memory: "SELECT CAST(julianday('$AT') - 2440587.5 AS INTEGER)")

RESULT=$OUT/progress.txt
printf '%-10s %12s %9s %10s %9s %7s %11s %10s %9s %8s\n' case observations series concord_s \
	peer_s ratio concord_cpu peer_cpu cpu_ratio rss_mib >"$TMP/table"

for n in $SIZES; do
	db=$TMP/p$n.db
	nobs=$((n * PER_IND * MONTHS))
	say "bench: generating $n indicators x $PER_IND areas x $MONTHS months = $nobs observations"
	"$CONCORD" -d "$db" init --mission BENCH --name "Progress benchmark" --country AFG >/dev/null ||
		die "concord init failed"
	"$CONCORD" -d "$db" import areas "$PCODES" >/dev/null || die "import areas failed"
	{ printf 'CREATE TEMP TABLE p AS SELECT %d AS n_ind, %d AS n_areas, %d AS per_ind, %d AS months;\n' \
		"$n" "$AREAS" "$PER_IND" "$MONTHS"; cat bench/progress/gen.sql; } |
		sqlite3 "$db" >/dev/null || die "generating the store failed"
	got=$(sqlite3 "$db" "SELECT count(*) FROM observation")
	[ "$got" -eq "$nobs" ] || die "$got observations generated, not $nobs"

	best_c='' best_p='' rss='' cpu_c='' cpu_p=''
	r=0
	while [ "$r" -lt "$REPS" ]; do
		"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$db" progress --csv --at "$AT" \
			>"$TMP/concord.csv" || die "concord progress failed ($(cat "$TMP/stat"))"
		best_c=$(min "$(field "$TMP/stat" wall_s)" "$best_c")
		cpu_c=$(min "$(cpu "$TMP/stat")" "$cpu_c")
		rss=$(field "$TMP/stat" maxrss_kib)
		{ printf '.mode csv\n.headers off\nCREATE TEMP TABLE atp AS SELECT %d AS at;\n' "$at_day"
		  printf '.output %s\n' "$TMP/peer.csv"; cat bench/progress/peer.sql; } >"$TMP/peer.in"
		"$RUNSTAT" -o "$TMP/stat" -- sqlite3 "$db" -init /dev/null -bail ".read $TMP/peer.in" \
			</dev/null >/dev/null || die "the peer query failed ($(cat "$TMP/stat"))"
		best_p=$(min "$(field "$TMP/stat" wall_s)" "$best_p")
		cpu_p=$(min "$(cpu "$TMP/stat")" "$cpu_p")
		r=$((r + 1))
	done

	# the same series and the same status for each
	awk -F, 'NR > 1 { print $15 }' "$TMP/concord.csv" | sort | uniq -c >"$TMP/cs"
	awk -F, '{ print $NF }' "$TMP/peer.csv" | tr -d '\r' | sort | uniq -c >"$TMP/ps"
	if ! cmp -s "$TMP/cs" "$TMP/ps"; then
		say "bench: the status counts differ (concord, then the query):"
		cat "$TMP/cs" "$TMP/ps" >&2
		exit 1
	fi
	series=$(($(wc -l <"$TMP/concord.csv") - 1))
	awk -v c="$n" -v o="$nobs" -v s="$series" -v a="$best_c" -v b="$best_p" -v m="$rss" \
		-v x="$cpu_c" -v y="$cpu_p" \
		'BEGIN { printf "%-10s %12d %9d %10.3f %9.3f %7.2f %11.3f %10.3f %9.2f %8.0f\n", c "ind", o,
		         s, a, b, b / a, x, y, y / x, m / 1024 }' >>"$TMP/table"
	say "bench: $n indicators: concord ${best_c}s, sqlite3 ${best_p}s; statuses: $(tr -s ' \n' ' ' <"$TMP/cs")"
	rm -f "$db" "$db-wal" "$db-shm"
done
cat "$TMP/table" | tee "$RESULT"
say "bench: ratio = sqlite3 time / concord time (>= 1: concord is as fast or faster), wall and CPU (user + system); written to $RESULT"
