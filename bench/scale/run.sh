#!/bin/sh
# bench/scale/run.sh: a country-sized synthetic mission (N_INCIDENTS incidents, N_ACTIVITIES
# activities, N_OBSERVATIONS indicator observations) on PostgreSQL, served by two
# `concord serve` processes behind a transaction-mode pgbouncer, against the same mission in an
# SQLite store served by one `concord serve`; see README.md.
#
# Not timed (the load times are printed): generating the inputs (cached in OUT), loading the
# SQLite store through Concord's importers (cached in OUT too), and copying it into a
# PostgreSQL database of a throwaway cluster with `concord copy`.
# Timed:
#   wrk on each endpoint of ENDPOINTS (list pages and analyses), DURATION seconds each: the
#       two PostgreSQL servers together (one wrk whose threads alternate between their ports,
#       CONNS connections in all) and the SQLite server alone (the same wrk, one port);
#       requests/s, p50/p99 and the ratio PG/SQLite of requests/s. On 2 cores this is a parity
#       check (does the PostgreSQL path keep up?), not a scaling claim;
#   `concord exposure --radius 10 --days 90 --at end --csv` and
#       `concord overlap --min-score 0.5 --csv` on each backend, best of REPS (wall time of the
#       process), with the bulk read apart (bench/exposure/exptime.c, bench/overlap/ovtime.c);
#       goal: PostgreSQL within 1.5x of SQLite. The CSV answers must be identical on both.
#
# Environment: N_INCIDENTS (default 2000000), N_ACTIVITIES (default 1000000, of which N_SITES
# have coordinates: default N_ACTIVITIES / 100), N_OBSERVATIONS (default 12000000), REPS
# (default 3), DURATION (seconds of wrk an endpoint and backend, default 20), CONNS (default
# 16), SLOW_ENDPOINTS (default "exposure overlap": requests of seconds each at full size),
# which take SLOW_DURATION (default 60) and SLOW_CONNS (default 2) instead, ENDPOINTS (lines
# name=path), THREADS (wrk threads, even, default 2), SERVER_THREADS (each server's, default 2),
# PG_POOL (pgbouncer's server connections, default 8), API_ROLE (the PostgreSQL role the
# servers read under, row-level security; default concord_api, empty: the owner), SEED_EVENTS
# (default 20140630), SEED_3W (default 20210701), BUILD (default build-bench), OUT (default
# bench/out), KEEP_STORE=0 (remove the cached SQLite store at the end).
# A quick run: N_INCIDENTS=100000 N_ACTIVITIES=50000 N_OBSERVATIONS=600000 sh bench/scale/run.sh
# Installs wrk, pgbouncer, postgresql-15 and postgresql-15-postgis-3 (Debian) when missing, as
# root or with sudo. Exit status: 0; 1 when the answers differ, a request fails or a command
# fails; 2 when something is missing or a variable is wrong. Missing the goal is reported, not
# an error.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

N_INCIDENTS=${N_INCIDENTS:-2000000}
N_ACTIVITIES=${N_ACTIVITIES:-1000000}
N_SITES=${N_SITES:-$((N_ACTIVITIES / 100))}
N_OBSERVATIONS=${N_OBSERVATIONS:-12000000}
REPS=${REPS:-3}
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
SLOW_DURATION=${SLOW_DURATION:-60}
SLOW_CONNS=${SLOW_CONNS:-2}
SLOW_ENDPOINTS=${SLOW_ENDPOINTS:-exposure overlap}
THREADS=${THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
PG_POOL=${PG_POOL:-8}
API_ROLE=${API_ROLE-concord_api}
SEED_EVENTS=${SEED_EVENTS:-20140630}
SEED_3W=${SEED_3W:-20210701}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
KEEP_STORE=${KEEP_STORE:-1}
RADIUS=10
DAYS=90
MIN_SCORE=0.5
whole N_INCIDENTS N_ACTIVITIES N_SITES N_OBSERVATIONS CONNS THREADS SERVER_THREADS PG_POOL \
	SEED_EVENTS SEED_3W SLOW_CONNS
positive REPS DURATION SLOW_DURATION
[ "$N_INCIDENTS" -ge 1 ] && [ "$N_SITES" -ge 1 ] && [ "$N_OBSERVATIONS" -ge 2400 ] ||
	usage "N_INCIDENTS and N_SITES must be at least 1, N_OBSERVATIONS at least 2400"
[ "$N_ACTIVITIES" -gt "$N_SITES" ] || usage "N_ACTIVITIES must exceed N_SITES"
[ "$THREADS" -ge 2 ] && [ $((THREADS % 2)) -eq 0 ] || usage "THREADS must be even (one half a PG server)"
[ "$CONNS" -ge "$THREADS" ] && [ "$SLOW_CONNS" -ge "$THREADS" ] ||
	usage "CONNS and SLOW_CONNS must be at least THREADS"
case $API_ROLE in *[!A-Za-z0-9_]*) usage "API_ROLE: letters, digits and _ only" ;; esac
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac
PCODES=data/cases/afghanistan/afg_global_pcodes_subset.csv
PGBIN=/usr/lib/postgresql/15/bin

# --- tools -----------------------------------------------------------------------------------
need_pkgs=""
command -v wrk >/dev/null 2>&1 || need_pkgs="$need_pkgs wrk"
PGB=$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)
[ -x "$PGB" ] || need_pkgs="$need_pkgs pgbouncer"
[ -x "$PGBIN/initdb" ] || need_pkgs="$need_pkgs postgresql-15"
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need_pkgs="$need_pkgs postgresql-15-postgis-3"
if [ -n "$need_pkgs" ]; then
	# shellcheck disable=SC2086 # one word per package
	apt_install $need_pkgs
	PGB=$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)
fi
for t in curl python3 cmp; do need "$t"; done

# PostgreSQL and pgbouncer refuse to run as root: then they run as "postgres" (or "nobody").
AS=""
if [ "$(id -u)" -eq 0 ]; then
	for u in postgres nobody; do
		id "$u" >/dev/null 2>&1 && { OS_USER=$u; break; }
	done
	[ -n "${OS_USER:-}" ] || usage "running as root and no unprivileged user for PostgreSQL"
	AS="runuser -u $OS_USER --"
fi

# --- Concord, release build ------------------------------------------------------------------
if [ -z "${CONCORD:-}" ]; then
	release_build concord bench/runstat bench/exptime bench/ovtime
	CONCORD=$ROOT/$BUILD/concord
fi
RUNSTAT=${RUNSTAT:-$ROOT/$BUILD/bench/runstat}
EXPTIME=${EXPTIME:-$ROOT/$BUILD/bench/exptime}
OVTIME=${OVTIME:-$ROOT/$BUILD/bench/ovtime}
for b in "$CONCORD" "$RUNSTAT" "$EXPTIME" "$OVTIME"; do [ -x "$b" ] || die "no program at $b"; done
warn_buildtype

mkdir -p "$OUT"
tmpdir "${TMPDIR:-/tmp}/concord-scale.XXXXXX"
chmod 755 "$TMP"
PIDS=""
PGDATA=$TMP/pg
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	[ -s "$TMP/bouncer/pgbouncer.pid" ] && kill "$(cat "$TMP/bouncer/pgbouncer.pid")" 2>/dev/null || true
	[ -f "$PGDATA/postmaster.pid" ] &&
		(cd / && $AS "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1) || true
	rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

# --- inputs (cached; the names are those of bench/exposure and bench/overlap, which share them)
N_PLAIN=$((N_ACTIVITIES - N_SITES))
INC=$OUT/exposure_incidents_${N_INCIDENTS}_seed$SEED_EVENTS.csv
SITES=$OUT/exposure_sites_v2_${N_SITES}_seed$SEED_EVENTS
ACT=$OUT/overlap_${N_PLAIN}_seed$SEED_3W
OBS=$OUT/scale_obs_$N_OBSERVATIONS
if [ ! -s "$INC" ]; then
	say "bench: generating $INC"
	python3 bench/exposure/gen.py incidents -n "$N_INCIDENTS" --seed "$SEED_EVENTS" "$INC.tmp" >&2 &&
		mv "$INC.tmp" "$INC" || die "generator failed"
fi
if [ ! -s "$SITES.csv" ] || [ ! -s "$SITES.txt" ]; then
	say "bench: generating $SITES.csv"
	python3 bench/exposure/gen.py sites -n "$N_SITES" --seed "$SEED_EVENTS" "$SITES.csv" \
		"$SITES.txt" >&2 || die "generator failed"
fi
if [ ! -s "$ACT.csv" ] || [ ! -s "$ACT.peer.csv" ]; then
	say "bench: generating $ACT.csv"
	python3 bench/overlap/gen.py -n "$N_PLAIN" --seed "$SEED_3W" "$ACT.csv" "$ACT.peer.csv" >&2 ||
		die "generator failed"
fi
if [ ! -s "$OBS.observations.csv" ]; then
	say "bench: generating $OBS.*.csv"
	python3 bench/scale/gen_obs.py -n "$N_OBSERVATIONS" "$OBS.tmp" >&2 || die "generator failed"
	for k in indicators benchmarks observations; do mv "$OBS.tmp.$k.csv" "$OBS.$k.csv"; done
fi

# --- the SQLite store, through Concord's importers (cached) ----------------------------------
BASE=$OUT/scale_store_${N_INCIDENTS}_${N_ACTIVITIES}_${N_SITES}_$N_OBSERVATIONS.db
timed() { # label command...: runs it, prints its wall time
	label=$1
	shift
	"$RUNSTAT" -o "$TMP/stat" -- "$@" >"$TMP/step.log" 2>&1 || {
		rc=$?
		# 3: stored with rejected rows; the generators make none, so that is a failure too
		tail -n 5 "$TMP/step.log" >&2
		die "$label failed (exit $rc)"
	}
	say "bench: load: $label: $(field "$TMP/stat" wall_s) s"
	printf '%s %s\n' "$label" "$(field "$TMP/stat" wall_s)" >>"$TMP/load_times"
}
: >"$TMP/load_times"
if [ ! -s "$BASE" ] || [ ! -s "$BASE.tokens" ]; then
	rm -f "$BASE" "$BASE-wal" "$BASE-shm" "$BASE.tokens" "$BASE.tmp" "$BASE.tmp-wal" "$BASE.tmp-shm"
	D=$BASE.tmp
	say "bench: loading the SQLite store $BASE"
	timed "sqlite init + areas" sh -c "\"$CONCORD\" -d \"$D\" init --mission SCALE --name 'Scale benchmark' --country AFG && \"$CONCORD\" -d \"$D\" import areas $PCODES"
	timed "sqlite import events ($N_INCIDENTS)" "$CONCORD" -d "$D" import events "$INC"
	timed "sqlite import 3w ($N_PLAIN activities)" "$CONCORD" -d "$D" import 3w "$ACT.csv" --source activities
	timed "sqlite import 3w ($N_SITES sites)" "$CONCORD" -d "$D" import 3w "$SITES.csv" --source sites
	timed "sqlite import indicators" "$CONCORD" -d "$D" import indicators "$OBS.indicators.csv"
	timed "sqlite import benchmarks" "$CONCORD" -d "$D" import benchmarks "$OBS.benchmarks.csv"
	timed "sqlite import observations" "$CONCORD" -d "$D" import observations "$OBS.observations.csv"
	# a member organisation's viewer reads through the API (cc_visible() on every row)
	"$CONCORD" -d "$D" member add UNICEF >/dev/null &&
		"$CONCORD" -d "$D" user add scale-viewer --org UNICEF --role viewer >/dev/null &&
		"$CONCORD" -d "$D" token create scale-viewer >"$D.tokens" 2>/dev/null ||
		die "member / user / token failed"
	mv "$D" "$BASE"
	rm -f "$D-wal" "$D-shm"
	mv "$D.tokens" "$BASE.tokens"
fi
"$CONCORD" -d "$BASE" migrate >/dev/null || die "concord migrate of $BASE failed"
TOKEN=$(head -n 1 "$BASE.tokens")
counts=$(python3 - "$BASE" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(' '.join(str(c.execute('SELECT count(*) FROM ' + t).fetchone()[0])
               for t in ('incident', 'activity', 'observation')))
PY
) || die "cannot count the store's rows"
set -- $counts
say "bench: the store holds $1 incidents, $2 activities, $3 observations"
[ "$1" -eq "$N_INCIDENTS" ] && [ "$2" -eq "$N_ACTIVITIES" ] ||
	die "the store should hold $N_INCIDENTS incidents and $N_ACTIVITIES activities"
N_OBS_REAL=$3

# --- PostgreSQL: a throwaway cluster, the mission copied in, pgbouncer in front ---------------
mkdir "$PGDATA" "$TMP/bouncer"
[ -z "$AS" ] || chown "$OS_USER" "$PGDATA" "$TMP/bouncer"
PG_PORT=$(free_port)
(cd / && $AS "$PGBIN/initdb" -D "$PGDATA" -A trust -U concord -E UTF8 --no-locale) \
	>"$TMP/initdb.log" 2>&1 || { tail -n 5 "$TMP/initdb.log" >&2; die "initdb failed"; }
# fsync off: the load is not the result, and nothing here needs to survive a crash
(cd / && $AS "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 120 -o "-p $PG_PORT \
-k $PGDATA -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=1GB \
-c work_mem=64MB -c maintenance_work_mem=512MB -c fsync=off -c full_page_writes=off \
-c synchronous_commit=off -c max_wal_size=4GB" start) >/dev/null 2>&1 ||
	{ tail -n 5 "$PGDATA/server.log" >&2; die "PostgreSQL did not start"; }
psql_() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U concord "$@"; }
psql_ -d postgres -c "CREATE DATABASE scale TEMPLATE template0 ENCODING 'UTF8'" &&
	psql_ -d scale -c 'CREATE EXTENSION postgis' >/dev/null || die "cannot create the database"
PGURI=postgresql://concord@127.0.0.1:$PG_PORT/scale
timed "postgres: concord copy --from sqlite:STORE --to postgresql://..." \
	"$CONCORD" copy --from "sqlite:$BASE" --to "$PGURI"
psql_ -d scale -c 'VACUUM ANALYZE' || die "VACUUM ANALYZE failed"
ROLE_Q=""
if [ -n "$API_ROLE" ]; then
	psql_ -d scale -c "CREATE ROLE $API_ROLE NOLOGIN" -c "GRANT $API_ROLE TO concord" \
		-c "SELECT concord_grant_api('$API_ROLE')" >/dev/null || die "cannot make the API role"
	ROLE_Q="?db_role=$API_ROLE"
fi

B_PORT=$(free_port)
echo '"concord" ""' >"$TMP/bouncer/users.txt"
printf '%s\n' "[databases]" "scale = host=127.0.0.1 port=$PG_PORT dbname=scale user=concord" \
	"[pgbouncer]" "listen_addr = 127.0.0.1" "listen_port = $B_PORT" "unix_socket_dir =" \
	"auth_type = trust" "auth_file = $TMP/bouncer/users.txt" "pool_mode = transaction" \
	"default_pool_size = $PG_POOL" "max_client_conn = 500" \
	"ignore_startup_parameters = extra_float_digits" \
	"logfile = $TMP/bouncer/pgbouncer.log" "pidfile = $TMP/bouncer/pgbouncer.pid" \
	>"$TMP/bouncer/pgbouncer.ini"
[ -z "$AS" ] || chown -R "$OS_USER" "$TMP/bouncer"
(cd / && $AS "$PGB" -d "$TMP/bouncer/pgbouncer.ini") >/dev/null 2>&1 || die "pgbouncer did not start"
i=0
while ! [ -s "$TMP/bouncer/pgbouncer.pid" ]; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || die "pgbouncer wrote no pid file within 5 s"
	sleep 0.1
done
BURI=postgresql://concord@127.0.0.1:$B_PORT/scale$ROLE_Q

# --- servers ---------------------------------------------------------------------------------
start() { # name store: `concord serve`; sets $port
	"$CONCORD" -d "$2" serve --listen 127.0.0.1:0 --threads "$SERVER_THREADS" \
		>"$TMP/$1.out" 2>"$TMP/$1.err" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	while ! grep -q '^listening on ' "$TMP/$1.out" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { tail -n 5 "$TMP/$1.err" >&2; die "$1 did not start"; }
		i=$((i + 1))
		[ "$i" -lt 300 ] || die "$1 did not say where it listens within 30 s"
		sleep 0.1
	done
	port=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP/$1.out")
	[ -n "$port" ] || die "$1: unexpected first line: $(head -n 1 "$TMP/$1.out")"
}
# LISTEN does not survive a transaction-mode pool: the servers poll the feed instead
CONCORD_FEED_NOTIFY=off
export CONCORD_FEED_NOTIFY
start pg_a "$BURI"
PORT_A=$port
start pg_b "$BURI"
PORT_B=$port
start sqlite "$BASE"
PORT_S=$port

# --- endpoints: every answer 200, and the same on both backends ------------------------------
ENDPOINTS=${ENDPOINTS:-"activities=/api/activities?limit=100
incidents=/api/incidents?limit=100
observations=/api/observations?limit=100
coverage=/api/coverage
exposure=/api/exposure?radius=$RADIUS&days=$DAYS&at=end
overlap=/api/overlap?min_score=$MIN_SCORE"}
status=0
printf '%s\n' "$ENDPOINTS" >"$TMP/endpoints"
while IFS='=' read -r name path; do
	[ -n "$name" ] || continue
	for s in "a $PORT_A" "b $PORT_B" "s $PORT_S"; do
		set -- $s
		code=$(curl -s -o "$TMP/ans_$name.$1" -w '%{http_code}' --max-time 600 \
			-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$2$path") || code=000
		[ "$code" = 200 ] || { say "bench: GET $path answered $code on server $1:";
			head -c 300 "$TMP/ans_$name.$1" >&2; say ""; die "an endpoint failed"; }
	done
	if cmp -s "$TMP/ans_$name.a" "$TMP/ans_$name.s" && cmp -s "$TMP/ans_$name.b" "$TMP/ans_$name.s"; then
		echo "$name same $(wc -c <"$TMP/ans_$name.s")" >>"$TMP/same"
	else
		echo "$name DIFFER $(wc -c <"$TMP/ans_$name.s")" >>"$TMP/same"
		say "bench: DIFFER: GET $path answers differently on PostgreSQL and SQLite"
		status=1
	fi
done <"$TMP/endpoints"

# --- wrk -------------------------------------------------------------------------------------
# Thread k of wrk connects to port k mod (number of ports) of BENCH_PORTS: with the two
# PostgreSQL servers, half the threads (and connections) each.
cat >"$TMP/bench.lua" <<'EOF'
local ports, n = {}, 0
for p in string.gmatch(os.getenv("BENCH_PORTS"), "%d+") do table.insert(ports, p) end
function setup(thread)
	local addrs = wrk.lookup("127.0.0.1", ports[n % #ports + 1])
	thread.addr = addrs[1]
	n = n + 1
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
		"status_errors=%d socket_errors=%d\n", summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99), e.status,
		e.connect + e.read + e.write + e.timeout))
end
EOF
RESULTS=$TMP/results
: >"$RESULTS"
wrk_case() { # name path ports label
	c=$CONNS d=$DURATION
	case " $SLOW_ENDPOINTS " in *" $1 "*) c=$SLOW_CONNS d=$SLOW_DURATION ;; esac
	say "bench: wrk $1 on $4: -t$THREADS -c$c -d${d}s $2"
	BENCH_PORTS=$3 BENCH_TOKEN=$TOKEN wrk -t"$THREADS" -c"$c" -d"${d}s" \
		--timeout 600s --latency -s "$TMP/bench.lua" "http://127.0.0.1:$PORT_S$2" \
		>"$TMP/wrk.out" 2>&1 || { cat "$TMP/wrk.out" >&2; die "wrk failed"; }
	grep -q '^RESULT ' "$TMP/wrk.out" || { cat "$TMP/wrk.out" >&2; die "no result from wrk"; }
	f=$TMP/wrk.out
	bad=$(($(field "$f" status_errors) + $(field "$f" socket_errors)))
	[ "$bad" -eq 0 ] || { say "bench: $1 on $4: $bad requests failed"; status=1; }
	[ "$(field "$f" requests)" -gt 0 ] || say "bench: $1 on $4: no request completed in ${d}s"
	printf '%s %s %s %s %s %s %s %s\n' "$1" "$4" "$(field "$f" requests)" \
		"$(field "$f" duration_us)" "$(field "$f" p50_us)" "$(field "$f" p99_us)" "$bad" "$c" >>"$RESULTS"
	cp "$f" "$OUT/scale_$1_$4.wrk.txt"
}
while IFS='=' read -r name path; do
	[ -n "$name" ] || continue
	wrk_case "$name" "$path" "$PORT_A $PORT_B" pg
	wrk_case "$name" "$path" "$PORT_S" sqlite
done <"$TMP/endpoints"
for p in $PIDS; do kill "$p" 2>/dev/null || true; done
for p in $PIDS; do wait "$p" 2>/dev/null || true; done
PIDS=""

# --- the analyses on each backend, best of REPS ----------------------------------------------
EXP_ARGS="--radius $RADIUS --days $DAYS --at end --csv"
OV_ARGS="--min-score $MIN_SCORE --csv"
: >"$TMP/analyses"
analysis() { # name backend store args...
	a_name=$1 a_be=$2 a_db=$3
	shift 3
	best='' cpu=''
	r=1
	while [ "$r" -le "$REPS" ]; do
		"$RUNSTAT" -o "$TMP/stat" -- "$CONCORD" -d "$a_db" "$a_name" "$@" \
			>"$TMP/$a_name.$a_be.csv" 2>"$TMP/$a_name.err" ||
			{ cat "$TMP/$a_name.err" >&2; die "concord $a_name on $a_be failed"; }
		best=$(min "$(field "$TMP/stat" wall_s)" "$best")
		cpu=$(min "$(awk -v u="$(field "$TMP/stat" user_s)" -v s="$(field "$TMP/stat" sys_s)" \
			'BEGIN { print u + s }')" "$cpu")
		# the bulk read alone, through libconcord
		if [ "$a_name" = exposure ]; then
			"$EXPTIME" "$a_db" "$RADIUS" "$DAYS" end >"$TMP/split.out" || die "exptime failed"
		else
			"$OVTIME" "$a_db" "$MIN_SCORE" >"$TMP/split.out" || die "ovtime failed"
		fi
		rd=$(field "$TMP/split.out" read_s)
		[ "$r" -gt 1 ] || rd_best=
		rd_best=$(min "$rd" "$rd_best")
		say "bench: concord $a_name on $a_be, run $r: $(field "$TMP/stat" wall_s) s; read $rd s"
		r=$((r + 1))
	done
	printf '%s %s %s %s %s %s\n' "$a_name" "$a_be" "$best" "$cpu" "$rd_best" \
		"$(($(wc -l <"$TMP/$a_name.$a_be.csv") - 1))" >>"$TMP/analyses"
}
PG_DIRECT=$PGURI
analysis exposure sqlite "$BASE" $EXP_ARGS
analysis exposure pg "$PG_DIRECT" $EXP_ARGS
analysis overlap sqlite "$BASE" $OV_ARGS
analysis overlap pg "$PG_DIRECT" $OV_ARGS
for a in exposure overlap; do
	if cmp -s "$TMP/$a.sqlite.csv" "$TMP/$a.pg.csv"; then
		echo "$a identical" >>"$TMP/agree"
	else
		echo "$a DIFFER" >>"$TMP/agree"
		say "bench: DIFFER: concord $a answers differently on PostgreSQL and SQLite:"
		diff "$TMP/$a.sqlite.csv" "$TMP/$a.pg.csv" | head -n 6 >&2
		status=1
	fi
	cp "$TMP/$a.pg.csv" "$OUT/scale_$a.pg.csv"
	cp "$TMP/$a.sqlite.csv" "$OUT/scale_$a.sqlite.csv"
done
[ "$KEEP_STORE" != 0 ] || rm -f "$BASE" "$BASE-wal" "$BASE-shm" "$BASE.tokens"

# --- report ----------------------------------------------------------------------------------
{
	printf '# bench/scale: %s incidents, %s activities (%s with coordinates), %s observations; %s, %s cores\n' \
		"$N_INCIDENTS" "$N_ACTIVITIES" "$N_SITES" "$N_OBS_REAL" "$(date -u +%Y-%m-%d)" \
		"$(nproc 2>/dev/null || echo '?')"
	printf '# PostgreSQL %s: two `concord serve --threads %s` through pgbouncer %s (transaction mode, %s server connections%s);\n' \
		"$("$PGBIN/postgres" --version | awk '{ print $3 }')" "$SERVER_THREADS" \
		"$("$PGB" --version 2>/dev/null | head -n 1 | awk '{ print $2 }')" "$PG_POOL" \
		"${API_ROLE:+, reads under the role $API_ROLE with row-level security}"
	printf '# SQLite: one `concord serve --threads %s`. wrk -t%s -c%s -d%ss (%s: -c%s -d%ss), a member organisation'"'"'s viewer.\n' \
		"$SERVER_THREADS" "$THREADS" "$CONNS" "$DURATION" "$SLOW_ENDPOINTS" "$SLOW_CONNS" "$SLOW_DURATION"
	printf '# On %s cores with everything on one machine this is a parity check, not a scaling claim.\n' \
		"$(nproc 2>/dev/null || echo '?')"
	printf '# load average at the start: %s, at the end: %s\n' "$LOAD0" \
		"$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	printf '\nload (not the result):\n'
	awk '{ t = $NF; $NF = ""; printf "  %-60s %9.1f s\n", $0, t }' "$TMP/load_times"
	[ -s "$TMP/load_times" ] || printf '  (the SQLite store came from the cache: %s)\n' "$(basename "$BASE")"
	printf '\n'
	awk -v same="$TMP/same" '
	BEGIN { while ((getline l < same) > 0) { split(l, w, " "); ans[w[1]] = w[2]; sz[w[1]] = w[3] } }
	function ms(us, k) { return k ? sprintf("%.2f", us / 1000) : "-" }
	{ rps = $3 / ($4 / 1e6)
	  if ($2 == "pg") { pr[$1] = rps; p50p[$1] = ms($5, $3); p99p[$1] = ms($6, $3); bp[$1] = $7
	                    np[$1] = $3; cn[$1] = $8; order[++n] = $1 }
	  else { sr[$1] = rps; p50s[$1] = ms($5, $3); p99s[$1] = ms($6, $3); bs[$1] = $7; ns[$1] = $3 } }
	END {
		printf "%-13s %5s %10s %9s %9s %10s %9s %9s %7s %7s %8s %9s %6s %6s\n", "endpoint", "conns",
		       "pg_req/s", "pg_p50ms", "pg_p99ms", "sq_req/s", "sq_p50ms", "sq_p99ms", "pg_n",
		       "sq_n", "ratio", "bytes", "answer", "failed"
		for (i = 1; i <= n; i++) {
			e = order[i]
			printf "%-13s %5d %10.1f %9s %9s %10.1f %9s %9s %7d %7d %8s %9d %6s %6d\n", e, cn[e],
			       pr[e], p50p[e], p99p[e], sr[e], p50s[e], p99s[e], np[e], ns[e],
			       (sr[e] ? sprintf("%.2f", pr[e] / sr[e]) : "-"), sz[e], ans[e], bp[e] + bs[e]
		}
		printf "(ratio = PostgreSQL req/s (both servers) / SQLite req/s (one server))\n"
	}' "$RESULTS"
	printf '\n%-10s %10s %10s %10s %10s %10s %10s %8s %8s %6s %s\n' analysis sqlite_s pg_s ratio \
		sqlite_cpu pg_cpu sq_read_s pg_read_s rd_ratio rows answer
	awk -v agree="$TMP/agree" '
	BEGIN { while ((getline l < agree) > 0) { split(l, w, " "); ok[w[1]] = w[2] } }
	{ t[$1, $2] = $3; c[$1, $2] = $4; r[$1, $2] = $5; n[$1, $2] = $6; if ($2 == "pg") order[++k] = $1 }
	END {
		for (i = 1; i <= k; i++) {
			a = order[i]
			printf "%-10s %10.3f %10.3f %10.2f %10.3f %10.3f %10.3f %10.3f %8.2f %6d %s\n", a,
			       t[a, "sqlite"], t[a, "pg"], t[a, "pg"] / t[a, "sqlite"], c[a, "sqlite"],
			       c[a, "pg"], r[a, "sqlite"], r[a, "pg"],
			       (r[a, "sqlite"] > 0 ? r[a, "pg"] / r[a, "sqlite"] : 0), n[a, "sqlite"], ok[a]
		}
		printf "(ratio = PostgreSQL time / SQLite time, end to end, best of the runs; rd = the bulk read alone)\n"
		for (i = 1; i <= k; i++) {
			a = order[i]
			x = t[a, "pg"] / t[a, "sqlite"]
			printf "goal %s on PostgreSQL within 1.5x of SQLite: %.2fx %s\n", a, x,
			       x <= 1.5 ? "met" : "MISSED"
		}
	}' "$TMP/analyses"
	[ "$status" -eq 0 ] && echo "answers: identical on both backends" || echo "answers: DIFFER"
} | tee "$OUT/scale.txt"
exit "$status"
