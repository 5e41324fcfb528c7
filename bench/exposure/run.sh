#!/bin/sh
# bench/exposure/run.sh: `concord exposure` (incidents within R km of each activity site in a
# window of D days) against PostGIS (ST_DWithin on geography, GiST index) at N_SITES sites and
# against DuckDB (a bounding-box join and a grid-cell equi-join) at N_SITES_BIG sites, on the
# same N_INCIDENTS generated incidents (bench/exposure/gen.py; see README.md).
#
# Not timed: generating the files, `concord import events` and `concord import 3w` of the sites
# (their times are printed), loading PostgreSQL and DuckDB and building their indexes.
# Two variants: one window for all sites (--at AT) and per-site reference dates (--at end:
# each site's activity ends on its own day; the peers join on s.d windows).
# Timed, best of REPS (PostGIS: best of PG_REPS, it is slow):
#   concord end to end: `concord exposure --radius R --days D --at AT --csv` (wall time of the
#            process: opening the store, reading sites and incidents, computing, writing);
#   concord read / compute: bench/exposure/exptime.c, the same steps through libconcord with a
#            clock around each (sites, incidents read out of the store, cc_exposure_sites());
#   postgis: one query through psql (wall time of psql), sphere distances;
#   duckdb:  each join, timed inside Node around the query on an open database file.
# Every answer is compared site by site (lat, lon, incidents in the window, in the previous
# window) with Concord's; the run exits 1 when one differs.
#
# Environment: N_INCIDENTS (default 2000000), N_SITES (PostGIS size, default 10000; 0 skips
# PostGIS), N_SITES_BIG (DuckDB size, default 100000; 0 skips DuckDB), RADIUS (km, default 10),
# DAYS (default 90), AT (reference date, default 2010-06-30), REPS (default 3), PG_REPS
# (default 1), SEED (default 20140630), PG_PORT (default 55432), DUCKDB_VERSION (npm version of
# @duckdb/node-api, default 1.5.6-r.1), DUCKDB_JOINS (default "grid grid_persite"; adding
# "bbox" and "bbox_persite" also times the bounding-box joins, which take more than half an hour
# at 100,000 sites), BUILD (default
# build-bench), OUT (default bench/out).
# Installs postgresql and postgresql-15-postgis-3 with apt-get when missing (as root or with
# sudo) and @duckdb/node-api with npm into OUT/node-duckdb.
# Exit status: 0; 1 when answers differ or a command fails; 2 when something is missing.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

N_INCIDENTS=${N_INCIDENTS:-2000000}
N_SITES=${N_SITES:-10000}
N_SITES_BIG=${N_SITES_BIG:-100000}
RADIUS=${RADIUS:-10}
DAYS=${DAYS:-90}
AT=${AT:-2010-06-30}
REPS=${REPS:-3}
PG_REPS=${PG_REPS:-1}
SEED=${SEED:-20140630}
PG_PORT=${PG_PORT:-55432}
DUCKDB_VERSION=${DUCKDB_VERSION:-1.5.6-r.1}
DUCKDB_JOINS=${DUCKDB_JOINS:-grid grid_persite}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac # absolute from here on
whole N_INCIDENTS N_SITES N_SITES_BIG DAYS SEED PG_PORT
positive REPS PG_REPS
PCODES=data/cases/afghanistan/afg_global_pcodes_subset.csv

# --- peers and tools -------------------------------------------------------------------------
need python3
need sqlite3 scripts/install-deps.sh
PGBIN=/usr/lib/postgresql/15/bin
if [ "$N_SITES" -gt 0 ] &&
	{ [ ! -x "$PGBIN/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; }; then
	apt_install postgresql postgresql-15-postgis-3
fi
NODE_DIR=$OUT/node-duckdb
[ "$N_SITES_BIG" -eq 0 ] || duckdb_node "$NODE_DIR" "$DUCKDB_VERSION"

# --- Concord, release build ------------------------------------------------------------------
if [ -z "${CONCORD:-}" ]; then
	release_build concord bench/runstat bench/exptime
	CONCORD=$ROOT/$BUILD/concord
fi
RUNSTAT=${RUNSTAT:-$ROOT/$BUILD/bench/runstat}
EXPTIME=${EXPTIME:-$ROOT/$BUILD/bench/exptime}

mkdir -p "$OUT"
tmpdir "${TMPDIR:-/tmp}/concord-exposure.XXXXXX"
PGDATA=
cleanup() {
	if [ -n "$PGDATA" ] && [ -f "$PGDATA/postmaster.pid" ]; then
		pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- input -----------------------------------------------------------------------------------
INC=$OUT/exposure_incidents_${N_INCIDENTS}_seed$SEED.csv
if [ ! -s "$INC" ]; then
	say "bench: generating $INC"
	python3 bench/exposure/gen.py incidents -n "$N_INCIDENTS" --seed "$SEED" "$INC" >&2 ||
		die "generator failed"
fi
sites_files() { # n → sets SITES_CSV SITES_TXT
	SITES_CSV=$OUT/exposure_sites_v2_$1_seed$SEED.csv
	SITES_TXT=$OUT/exposure_sites_v2_$1_seed$SEED.txt
	if [ ! -s "$SITES_CSV" ] || [ ! -s "$SITES_TXT" ]; then
		python3 bench/exposure/gen.py sites -n "$1" --seed "$SEED" "$SITES_CSV" "$SITES_TXT" >&2 ||
			die "generator failed"
	fi
}

# The store with the incidents (kept in OUT between runs: importing takes a while).
BASE=$OUT/exposure_store_${N_INCIDENTS}_seed$SEED.db
if [ ! -s "$BASE" ]; then
	rm -f "$BASE" "$BASE-wal" "$BASE-shm"
	"$CONCORD" -d "$BASE.tmp" init --mission BENCH --name Bench --country AFG >/dev/null &&
		"$CONCORD" -d "$BASE.tmp" import areas "$PCODES" --level 1 >/dev/null ||
		die "concord init / import areas failed"
	"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$BASE.tmp" import events "$INC" \
		>"$TMP/import.log" 2>&1 || { tail "$TMP/import.log" >&2; die "concord import events failed"; }
	say "bench: concord import events: $N_INCIDENTS incidents in $(field "$TMP/stat" wall_s) s"
	mv "$BASE.tmp" "$BASE"
fi
# a store kept from an older Concord moves to this one's schema (nothing to do when current)
"$CONCORD" -d "$BASE" migrate >/dev/null || die "concord migrate of $BASE failed"

# A store of the incidents and $1 sites: $TMP/concord_$1.db
concord_store() {
	sites_files "$1"
	cp "$BASE" "$TMP/concord_$1.db"
	"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$TMP/concord_$1.db" import 3w "$SITES_CSV" \
		--source sites >"$TMP/import3w.log" 2>&1 ||
		{ tail "$TMP/import3w.log" >&2; die "concord import 3w (sites) failed"; }
	say "bench: concord import 3w: $1 sites in $(field "$TMP/stat" wall_s) s"
}

# Best of REPS of Concord at $1 sites with --at $2 (a date, or "end": each site's own date):
# c_e2e, c_places, c_read, c_compute; per-site answer in $TMP/concord_$1$3.txt (sites with at
# least one incident, sorted; $3 is "" or "_persite").
run_concord() {
	db=$TMP/concord_$1.db
	c_e2e= c_places= c_read= c_compute= c_read_cpu= c_compute_cpu=
	r=1
	while [ "$r" -le "$REPS" ]; do
		"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$db" exposure --radius "$RADIUS" \
			--days "$DAYS" --at "$2" --csv >"$TMP/cli.csv" 2>"$TMP/cli.err" ||
			{ cat "$TMP/cli.err" >&2; die "concord exposure failed"; }
		c_e2e=$(min "$(field "$TMP/stat" wall_s)" "$c_e2e")
		"$EXPTIME" "$db" "$RADIUS" "$DAYS" "$2" "$TMP/exptime.txt" >"$TMP/exptime.out" ||
			die "exptime failed"
		c_places=$(min "$(field "$TMP/exptime.out" places_s)" "$c_places")
		c_read=$(min "$(field "$TMP/exptime.out" read_s)" "$c_read")
		c_compute=$(min "$(field "$TMP/exptime.out" compute_s)" "$c_compute")
		c_read_cpu=$(min "$(field "$TMP/exptime.out" read_cpu_s)" "$c_read_cpu")
		c_compute_cpu=$(min "$(field "$TMP/exptime.out" compute_cpu_s)" "$c_compute_cpu")
		say "bench: concord $1 sites --at $2 run $r: exposure $(field "$TMP/stat" wall_s) s;" \
			"$(cat "$TMP/exptime.out")"
		r=$((r + 1))
	done
	awk '$3 + $4 > 0 { printf "%.6f %.6f %d %d\n", $1, $2, $3, $4 }' "$TMP/exptime.txt" |
		sort >"$TMP/concord_$1$3.txt"
	# the command's own CSV must say the same as the driver
	python3 - "$TMP/cli.csv" "$TMP/concord_$1$3.txt" <<'PY' || die "concord exposure --csv and exptime disagree"
import csv, sys
cli = sorted('%.6f %.6f %d %d' % (float(r['lat']), float(r['lon']), int(r['incidents']),
             int(r['prev_incidents'])) for r in csv.DictReader(open(sys.argv[1]))
             if int(r['incidents']) + int(r['prev_incidents']) > 0)
drv = open(sys.argv[2]).read().split('\n')[:-1]
sys.exit(0 if cli == drv else 1)
PY
	c_now=$(field "$TMP/exptime.out" now)
	c_prev=$(field "$TMP/exptime.out" prev)
	c_inc=$(field "$TMP/exptime.out" incidents)
}

agree() { # peer-answer concord-answer label
	sort "$1" >"$1.sorted"
	if cmp -s "$1.sorted" "$2"; then
		say "bench: $3 agrees with concord site by site ($(wc -l <"$2") sites with incidents)"
	else
		say "bench: DISAGREE: $3 differs from concord:"
		diff "$2" "$1.sorted" | head -n 10 >&2
		status=1
	fi
}

# Window bounds as dates (the command's rule: AT-D+1 … AT, previous AT-2D+1 … AT-D).
W=$(python3 -c "
import datetime as d; a = d.date.fromisoformat('$AT'); D = $DAYS
print(a - d.timedelta(D - 1), a, a - d.timedelta(2 * D - 1), a - d.timedelta(D))")
set -- $W
W_FROM=$1 W_TO=$2 P_FROM=$3 P_TO=$4

status=0
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
RESULTS=$TMP/results
: >"$RESULTS"
row() { printf '%s %s %s\n' "$1" "$2" "$3" >>"$RESULTS"; }

# --- PostGIS at N_SITES ----------------------------------------------------------------------
pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U bench -d bench "$@"; }

if [ "$N_SITES" -gt 0 ]; then
	concord_store "$N_SITES"
	run_concord "$N_SITES" end _persite
	printf '%s %s %s %s %s %s %s %s %s %s\n' "$N_SITES" "$c_e2e" "$c_places" "$c_read" "$c_compute" \
		"$c_inc" "$c_now" "$c_prev" "$c_read_cpu" "$c_compute_cpu" >>"$TMP/split_persite"
	pc_e2e=$c_e2e pc_compute=$c_compute
	run_concord "$N_SITES" "$AT" ""
	PGDATA=$TMP/pgdata
	mkdir -p "$PGDATA"
	[ "$(id -u)" -ne 0 ] || chown postgres "$TMP" "$PGDATA"
	chmod 755 "$TMP"
	pg "$PGBIN/initdb" -D "$PGDATA" -U bench --auth=trust >"$TMP/initdb.log" 2>&1 ||
		{ cat "$TMP/initdb.log" >&2; die "initdb failed"; }
	pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w \
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PGDATA -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=1GB" \
		start >/dev/null || { cat "$PGDATA/log" >&2; die "PostgreSQL did not start"; }
	pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U bench bench
	t0=$(date +%s.%N)
	psql_ <<EOF >&2 || die "loading PostGIS failed"
CREATE EXTENSION postgis;
CREATE UNLOGGED TABLE raw (id bigint, year int, type_of_violence int, side_a text, side_b text,
  where_prec int, latitude float8, longitude float8, date_prec int, date_start date,
  date_end date, best float8, high float8, low float8);
\copy raw FROM '$INC' WITH (FORMAT csv, HEADER true)
-- the narrow table the query reads: first and last day, precision, the point
CREATE TABLE inc AS SELECT id, date_start d0, date_end d1, where_prec wp,
  ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography g FROM raw;
DROP TABLE raw;
CREATE INDEX inc_g ON inc USING gist (g);
CREATE TABLE sites (lat float8, lon float8, d date);
\copy sites FROM '$SITES_TXT' WITH (FORMAT text, DELIMITER ' ')
ALTER TABLE sites ADD g geography;
UPDATE sites SET g = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE INDEX sites_g ON sites USING gist (g);
VACUUM ANALYZE inc;
VACUUM ANALYZE sites;
EOF
	say "bench: PostGIS loaded and indexed in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	# PostGIS's sphere has the radius (2a + b) / 3 of WGS84 = 6371008.771415 m; the distance is
	# scaled so that the test is d <= RADIUS on the sphere of 6371.0088 km, as Concord's.
	cat >"$TMP/pg.sql" <<EOF
\copy (SELECT to_char(s.lat, 'FM990.000000') || ' ' || to_char(s.lon, 'FM990.000000') || ' ' || count(*) FILTER (WHERE i.d0 <= '$W_TO' AND i.d1 >= '$W_FROM') || ' ' || count(*) FILTER (WHERE i.d0 <= '$P_TO' AND i.d1 >= '$P_FROM') FROM sites s JOIN inc i ON ST_DWithin(s.g, i.g, $RADIUS * 1000.0 * 6371008.771415059 / 6371008.8, false) WHERE i.d0 <= '$W_TO' AND i.d1 >= '$P_FROM' AND i.wp <= 3 GROUP BY s.lat, s.lon) TO '$TMP/postgis.txt'
EOF
	# per-site dates: each site's windows end on its own day s.d
	cat >"$TMP/pg_persite.sql" <<EOF
\copy (SELECT to_char(s.lat, 'FM990.000000') || ' ' || to_char(s.lon, 'FM990.000000') || ' ' || count(*) FILTER (WHERE i.d0 <= s.d AND i.d1 >= s.d - $((DAYS - 1))) || ' ' || count(*) FILTER (WHERE i.d0 <= s.d - $DAYS AND i.d1 >= s.d - $((2 * DAYS - 1))) FROM sites s JOIN inc i ON ST_DWithin(s.g, i.g, $RADIUS * 1000.0 * 6371008.771415059 / 6371008.8, false) WHERE i.d0 <= s.d AND i.d1 >= s.d - $((2 * DAYS - 1)) AND i.wp <= 3 GROUP BY s.lat, s.lon, s.d) TO '$TMP/postgis_persite.txt'
EOF
	for variant in "" _persite; do
		p_best=
		r=1
		while [ "$r" -le "$PG_REPS" ]; do
			"$RUNSTAT" -o "$TMP/stat" -- "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
				-p "$PG_PORT" -U bench -d bench -f "$TMP/pg$variant.sql" >&2 ||
				die "PostGIS query failed"
			say "bench: postgis$variant $N_SITES sites run $r: $(field "$TMP/stat" wall_s) s"
			p_best=$(min "$(field "$TMP/stat" wall_s)" "$p_best")
			r=$((r + 1))
		done
		agree "$TMP/postgis$variant.txt" "$TMP/concord_$N_SITES$variant.txt" "PostGIS$variant"
		[ -n "$variant" ] || p_fixed=$p_best
	done
	row "exposure_${N_SITES}_persite_compute_vs_postgis" "$pc_compute" "$p_best"
	row "exposure_${N_SITES}_persite_end_to_end_vs_postgis" "$pc_e2e" "$p_best"
	p_best=$p_fixed
	pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
	PGDATA=
	row "exposure_${N_SITES}_compute_vs_postgis" "$c_compute" "$p_best"
	row "exposure_${N_SITES}_end_to_end_vs_postgis" "$c_e2e" "$p_best"
	printf '%s %s %s %s %s %s %s %s %s %s\n' "$N_SITES" "$c_e2e" "$c_places" "$c_read" "$c_compute" \
		"$c_inc" "$c_now" "$c_prev" "$c_read_cpu" "$c_compute_cpu" >>"$TMP/split"
fi

# --- DuckDB at N_SITES_BIG -------------------------------------------------------------------
if [ "$N_SITES_BIG" -gt 0 ]; then
	concord_store "$N_SITES_BIG"
	run_concord "$N_SITES_BIG" end _persite
	printf '%s %s %s %s %s %s %s %s %s %s\n' "$N_SITES_BIG" "$c_e2e" "$c_places" "$c_read" \
		"$c_compute" "$c_inc" "$c_now" "$c_prev" "$c_read_cpu" "$c_compute_cpu" >>"$TMP/split_persite"
	pc_e2e=$c_e2e
	run_concord "$N_SITES_BIG" "$AT" ""
	cp bench/exposure/duck.mjs "$NODE_DIR/duck.mjs"
	JOINS=$DUCKDB_JOINS node "$NODE_DIR/duck.mjs" "$INC" "$SITES_TXT" "$TMP/duck.db" \
		"$RADIUS" "$W_FROM" "$W_TO" "$P_FROM" "$P_TO" "$REPS" "$TMP/duck" "$DAYS" >"$TMP/duck.out" ||
		die "the DuckDB peer failed"
	cat "$TMP/duck.out" >&2
	for j in grid bbox grid_persite bbox_persite; do
		d_s=$(field "$TMP/duck.out" "${j}_s")
		[ -n "$d_s" ] || continue
		case $j in grid*) what="DuckDB grid-cell join" ;; *) what="DuckDB bounding-box join" ;; esac
		case $j in
		*_persite)
			agree "$TMP/duck_$j.txt" "$TMP/concord_${N_SITES_BIG}_persite.txt" "$what, per-site dates"
			row "exposure_${N_SITES_BIG}_persite_end_to_end_vs_duckdb_${j%_persite}" "$pc_e2e" "$d_s" ;;
		*)
			agree "$TMP/duck_$j.txt" "$TMP/concord_$N_SITES_BIG.txt" "$what"
			row "exposure_${N_SITES_BIG}_end_to_end_vs_duckdb_$j" "$c_e2e" "$d_s" ;;
		esac
	done
	printf '%s %s %s %s %s %s %s %s %s %s\n' "$N_SITES_BIG" "$c_e2e" "$c_places" "$c_read" \
		"$c_compute" "$c_inc" "$c_now" "$c_prev" "$c_read_cpu" "$c_compute_cpu" >>"$TMP/split"
fi

# --- report ----------------------------------------------------------------------------------
{
	printf '# bench/exposure: %s incidents, R = %s km, D = %s days, at %s; best of %s (PostGIS %s), %s, %s cores\n' \
		"$N_INCIDENTS" "$RADIUS" "$DAYS" "$AT" "$REPS" "$PG_REPS" "$(date -u +%Y-%m-%d)" \
		"$(nproc 2>/dev/null || echo '?')"
	awk '
	BEGIN { printf "%-44s %10s %10s %8s\n", "case", "concord_s", "peer_s", "ratio" }
	{ printf "%-44s %10.3f %10.3f %8.1f\n", $1, $2, $3, $3 / $2
	  if ($1 ~ /compute_vs_postgis/) goal = 100; else if ($1 ~ /end_to_end_vs_postgis/) goal = 50; else goal = 5
	  g[NR] = sprintf("goal %s: ratio >= %d: %s", $1, goal, $3 / $2 >= goal ? "met" : "MISSED") }
	END { for (i = 1; i <= NR; i++) print g[i] }' "$RESULTS"
	if [ -f "$TMP/split" ]; then
		printf '\n%-8s %9s %9s %9s %10s %11s %10s %10s %9s %11s\n' sites end_to_end sites_s read_s \
			compute_s inc_read now prev read_cpu compute_cpu
		awk '{ printf "%-8s %9.3f %9.3f %9.3f %10.3f %11d %10d %10d %9.3f %11.3f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$TMP/split"
	fi
	if [ -f "$TMP/split_persite" ]; then
		printf '\nper-site dates (--at end)\n'
		awk '{ printf "%-8s %9.3f %9.3f %9.3f %10.3f %11d %10d %10d %9.3f %11.3f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$TMP/split_persite"
	fi
	printf 'load average (1, 5, 15 min) at the start: %s, at the end: %s\n' "$LOAD0" \
		"$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	[ "$status" -eq 0 ] && echo "answers: identical site by site" || echo "answers: DIFFER"
} | tee "$OUT/exposure.txt"
exit "$status"
