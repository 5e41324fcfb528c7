#!/bin/sh
# bench/api/run.sh: `concord serve` under wrk against a libmicrohttpd program that answers every
# request with the same fixed body (bench/api/fixed.c: the machine's ceiling for this HTTP
# stack).
#
# Builds Concord and the fixed program in release mode (build-bench/) when needed, loads the
# Afghanistan case into a temporary store (the loading commands of `make demo`), makes one
# organisation a member, adds a viewer and a coordinator and creates their API tokens, starts
# `concord serve --listen 127.0.0.1:0 --threads SERVER_THREADS` and the fixed program with the
# same number of threads, both on loopback, and runs wrk (THREADS threads, CONNS connections,
# DURATION seconds, the viewer's bearer token) against
#   fixed.N:   the fixed program, serving the very bytes of one list page;
#   list.N:    GET /api/activities?area=AREA&limit=LIMIT (a keyset page, about 2 KB);
#              fixed.N and list.N alternate, rounds N = 1 .. ROUNDS;
#   coverage:  GET /api/coverage (the 3W/4W matrix of the mission);
#   list+w:    the list again while WRITERS writers (a wrk of WRITERS threads of one connection
#              each, as the coordinator) change the marking of activities of their own,
#              PUT /api/activities/{id}/marking with If-Match: *, flipping the releasability
#              between partners and public.
# Prints requests/s, latency p50/p90/p99/max and the ratio to the ceiling of each case
# (ratio = case req/s / fixed req/s: list.N against fixed.N of its round, the other cases
# against the mean of the fixed runs; the goals take the median of the rounds), the writers'
# successful writes and the change-log entries they made
# (`SELECT count(*) FROM change WHERE detail LIKE 'marking:%'`): a write
# answered 200 must be in the log (the log may hold up to WRITERS more: requests in flight when
# wrk stopped), and checks the goals of issue 8: list >= 50% of the ceiling with p99 <= 10 ms,
# readers' p99 <= 50 ms with the writers, no write lost.
#
# `ninja -C BUILD bench-api` runs this script against BUILD.
#
# Environment: DURATION (seconds a case, default 20), CONNS (connections, default 64), THREADS
# (wrk threads, default 2), SERVER_THREADS (server and fixed threads, default 2), WRITERS
# (default 4), LIMIT (activities a page, default 3: 1.8 KB), AREA (default AF01), BUILD (build
# dir, default build-bench), OUT (logs and the last results; default bench/out), CONCORD and
# FIXED (use these binaries instead of building them), ROUNDS (default 3), PERF=1 (profile the
# server during the first list run with `perf record --call-graph dwarf` at PERF_FREQ samples a
# second, default 199, into OUT/api_list.perf.data). Installs wrk (Debian package `wrk`) when
# it is missing. Exit status: 0; 1 when a write was lost, a request
# failed or a command failed; 2 when something needed is missing or a variable is wrong.
# Missing the performance goals is reported, not an error.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
WRITERS=${WRITERS:-4}
LIMIT=${LIMIT:-3}
AREA=${AREA:-AF01}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
PERF=${PERF:-0}
PERF_FREQ=${PERF_FREQ:-199}
ROUNDS=${ROUNDS:-3}
CASE=data/cases/afghanistan
PER_WRITER=50 # activities each writer cycles through

positive DURATION CONNS THREADS SERVER_THREADS WRITERS LIMIT ROUNDS PERF_FREQ
[ "$THREADS" -le "$CONNS" ] || usage "THREADS ($THREADS) must not exceed CONNS ($CONNS)"
case $AREA in '' | *[!A-Za-z0-9]*) usage "AREA must be a P-code, not '$AREA'" ;; esac

# --- tools -----------------------------------------------------------------------------------
command -v wrk >/dev/null 2>&1 || apt_install wrk
for t in curl sqlite3 python3; do
	need "$t" "scripts/install-deps.sh installs it"
done
[ "$PERF" = 0 ] || need perf "PERF=1"

# --- Concord and the fixed program, release build --------------------------------------------
if [ -z "${CONCORD:-}" ] || [ -z "${FIXED:-}" ]; then
	release_build concord bench/api-fixed
	CONCORD=${CONCORD:-$ROOT/$BUILD/concord}
	FIXED=${FIXED:-$ROOT/$BUILD/bench/api-fixed}
fi
warn_buildtype
[ -x "$CONCORD" ] || die "no concord binary at $CONCORD"
[ -x "$FIXED" ] || die "no fixed program at $FIXED"

# --- the store -------------------------------------------------------------------------------
mkdir -p "$OUT"
tmpdir "$OUT/api.XXXXXX"
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

DB=$TMP/api.db
C() { "$CONCORD" -d "$DB" "$@"; }
say "bench: loading the Afghanistan case into a temporary store"
{
	C init --mission AFG-2021Q3 --name "Afghanistan, humanitarian operational presence, Q3 2021" \
		--country AFG &&
		C lesson import data/lessons/*.md &&
		C import areas $CASE/afg_global_pcodes_subset.csv &&
		C import areas $CASE/afg_adm1_geoboundaries.geojson --level 1 --name-field shapeName \
			--code-map $CASE/adm1_code_map.csv &&
		C import population $CASE/afg_population_adm1.csv &&
		C import events $CASE/ucdp_ged_v23_1_afg.csv &&
		{ C import 3w $CASE/afg_3w_operational_presence_2021q3.csv \
			--period 2021-07-01/2021-09-30 --rejects "$TMP/rejects.csv" || [ $? -eq 3 ]; } &&
		C member add ACTED &&
		C user add bench-viewer --org ACTED --role viewer &&
		C user add bench-coordinator --org ACTED --role coordinator
} >"$TMP/load.log" 2>&1 || {
	tail -n 20 "$TMP/load.log" >&2
	die "loading the case failed"
}
VIEWER=$(C token create bench-viewer 2>/dev/null) || die "concord token create failed"
COORD=$(C token create bench-coordinator 2>/dev/null) || die "concord token create failed"
n_act=$(sqlite3 "$DB" 'SELECT count(*) FROM activity')

# --- servers ---------------------------------------------------------------------------------
# Starts "$@" in the background, its stdout in $1.out, stderr in $1.err (name first); sets
# $port from its first line "listening on 127.0.0.1:PORT" and $pid.
start() {
	name=$1
	shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	while ! grep -q '^listening on ' "$TMP/$name.out" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || {
			cat "$TMP/$name.err" >&2
			die "$name did not start"
		}
		i=$((i + 1))
		[ "$i" -lt 100 ] || die "$name did not say where it listens within 10 s"
		sleep 0.1
	done
	port=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP/$name.out")
	[ -n "$port" ] || die "$name: unexpected first line: $(head -n 1 "$TMP/$name.out")"
}

forget() { # pid: no longer to be stopped at exit
	PIDS=$(printf '%s\n' $PIDS | grep -vx "$1" | tr '\n' ' ' || true)
}

stop() { # pid
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}

# the request log goes to a file: one line a request, as in production
start server "$CONCORD" -d "$DB" serve --listen 127.0.0.1:0 --threads "$SERVER_THREADS"
SRV_PID=$pid SRV=http://127.0.0.1:$port
LIST_PATH="/api/activities?area=$AREA&limit=$LIMIT"

curl -fsS -H "Authorization: Bearer $VIEWER" "$SRV$LIST_PATH" -o "$TMP/page.json" ||
	die "GET $LIST_PATH failed"
curl -fsS -H "Authorization: Bearer $VIEWER" "$SRV/api/coverage" -o "$TMP/coverage.json" ||
	die "GET /api/coverage failed"
page_bytes=$(wc -c <"$TMP/page.json")
cov_bytes=$(wc -c <"$TMP/coverage.json")
page_rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["count"])' \
	"$TMP/page.json")
[ "$page_rows" -ge 1 ] || die "GET $LIST_PATH answered no activity"

start fixed "$FIXED" --threads "$SERVER_THREADS" --listen 127.0.0.1:0 --body "$TMP/page.json"
FIX_PID=$pid FIX=http://127.0.0.1:$port

# --- wrk scripts -----------------------------------------------------------------------------
# Readers: a static header (no per-request Lua), one machine-readable result line.
cat >"$TMP/read.lua" <<'EOF'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d " ..
		"p99_us=%d max_us=%d status_errors=%d socket_errors=%d\n", summary.requests,
		summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# Writers: thread w (one connection) cycles over its own activities, WRITE_IDS slice w, and
# flips each between partners and public; counts the answers by status.
cat >"$TMP/write.lua" <<'EOF'
local threads, n = {}, 0
function setup(thread)
	n = n + 1
	thread:set("wid", n)
	table.insert(threads, thread)
end
function init(args)
	local all, per = {}, tonumber(os.getenv("PER_WRITER"))
	for id in string.gmatch(os.getenv("WRITE_IDS"), "%d+") do
		table.insert(all, id)
	end
	ids = {}
	for k = (wid - 1) * per + 1, wid * per do
		table.insert(ids, all[k])
	end
	pos, round, ok, bad, last_bad = 1, 0, 0, 0, 0
	auth = "Bearer " .. os.getenv("BENCH_TOKEN")
end
function request()
	local rel = (round % 2 == 0) and "partners" or "public"
	local path = "/api/activities/" .. ids[pos] .. "/marking"
	pos = pos + 1
	if pos > #ids then
		pos, round = 1, round + 1
	end
	return wrk.format("PUT", path, { ["Authorization"] = auth, ["If-Match"] = "*",
		["Content-Type"] = "application/json" }, '{"releasability":"' .. rel .. '"}')
end
function response(status, headers, body)
	if status == 200 then
		ok = ok + 1
	else
		bad = bad + 1
		last_bad = status
	end
end
function done(summary, latency, requests)
	local ok_all, bad_all, last = 0, 0, 0
	for _, t in ipairs(threads) do
		ok_all = ok_all + t:get("ok")
		bad_all = bad_all + t:get("bad")
		if t:get("last_bad") ~= 0 then last = t:get("last_bad") end
	end
	io.write(string.format("WRITES ok=%d failed=%d last_failed_status=%d requests=%d " ..
		"p50_us=%d p99_us=%d\n", ok_all, bad_all, last, summary.requests,
		latency:percentile(50), latency:percentile(99)))
end
EOF

# --- cases -----------------------------------------------------------------------------------
RESULTS=$TMP/results
: >"$RESULTS"
status=0

result() { # file key → value from its RESULT/WRITES line
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
}

# One wrk run of the readers: case name, URL, token. Appends a line to $RESULTS.
read_case() {
	say "bench: $1: wrk -t$THREADS -c$CONNS -d${DURATION}s $2"
	BENCH_TOKEN=$3 wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$TMP/read.lua" \
		"$2" >"$TMP/$1.wrk" 2>&1 || {
		cat "$TMP/$1.wrk" >&2
		die "wrk failed on $1"
	}
	f=$TMP/$1.wrk
	grep -q '^RESULT ' "$f" || {
		cat "$f" >&2
		die "$1: no result from wrk"
	}
	bad=$(($(result "$f" status_errors) + $(result "$f" socket_errors)))
	if [ "$bad" -gt 0 ]; then
		say "bench: $1: $bad requests failed (status or socket errors):"
		grep -i 'error\|non-2xx' "$f" >&2 || true
		status=1
	fi
	printf '%s %s %s %s %s %s %s %s\n' "$1" "$(result "$f" requests)" \
		"$(result "$f" duration_us)" "$(result "$f" p50_us)" "$(result "$f" p90_us)" \
		"$(result "$f" p99_us)" "$(result "$f" max_us)" "$bad" >>"$RESULTS"
	cp "$f" "$OUT/api_$1.wrk.txt"
}

# The ceiling and the list alternate, ROUNDS times: on a shared machine the load changes from
# one minute to the next, so each list run is compared with the ceiling measured just before it.
round=1
while [ "$round" -le "$ROUNDS" ]; do
	read_case "fixed.$round" "$FIX/api/activities?area=$AREA&limit=$LIMIT" "$VIEWER"
	if [ "$PERF" != 0 ] && [ "$round" -eq 1 ]; then
		perf record --call-graph dwarf,16384 -F "$PERF_FREQ" -p "$SRV_PID" \
			-o "$OUT/api_list.perf.data" >"$TMP/perf.log" 2>&1 &
		PERF_PID=$!
		PIDS="$PIDS $PERF_PID"
		sleep 1
	fi
	read_case "list.$round" "$SRV$LIST_PATH" "$VIEWER"
	if [ "$PERF" != 0 ] && [ "$round" -eq 1 ]; then
		kill -INT "$PERF_PID" 2>/dev/null || true
		wait "$PERF_PID" 2>/dev/null || true
		forget "$PERF_PID"
		say "bench: profile of the first list run in $OUT/api_list.perf.data (perf report -i ...)"
	fi
	round=$((round + 1))
done
stop "$FIX_PID"
read_case coverage "$SRV/api/coverage" "$VIEWER"

# Readers with writers: the writers' activities are the first WRITERS x PER_WRITER of the
# mission (by id), each writer its own.
need=$((WRITERS * PER_WRITER))
WRITE_IDS=$(sqlite3 "$DB" "SELECT id FROM activity ORDER BY id LIMIT $need" | tr '\n' ' ')
[ "$(printf '%s\n' $WRITE_IDS | wc -l)" -eq "$need" ] ||
	die "the store holds fewer than $need activities for $WRITERS writers"
before=$(sqlite3 "$DB" "SELECT count(*) FROM change WHERE detail LIKE 'marking:%'")
say "bench: list+w: $WRITERS writers (PUT .../marking) with the readers"
# the writers run a second longer on each side, so the readers are measured under writes only
WRITE_IDS=$WRITE_IDS PER_WRITER=$PER_WRITER BENCH_TOKEN=$COORD \
	wrk -t"$WRITERS" -c"$WRITERS" -d"$((DURATION + 2))s" --latency -s "$TMP/write.lua" "$SRV" \
	>"$TMP/writers.wrk" 2>&1 &
W_PID=$!
PIDS="$PIDS $W_PID"
sleep 1
read_case list+w "$SRV$LIST_PATH" "$VIEWER"
wait "$W_PID" || {
	cat "$TMP/writers.wrk" >&2
	die "the writers' wrk failed"
}
forget "$W_PID"
cp "$TMP/writers.wrk" "$OUT/api_writers.wrk.txt"
grep -q '^WRITES ' "$TMP/writers.wrk" || {
	cat "$TMP/writers.wrk" >&2
	die "no result from the writers"
}
sleep 0.5 # the last request in flight, if any, commits
stop "$SRV_PID"
after=$(sqlite3 "$DB" "SELECT count(*) FROM change WHERE detail LIKE 'marking:%'")
w_ok=$(result "$TMP/writers.wrk" ok)
w_failed=$(result "$TMP/writers.wrk" failed)
logged=$((after - before))
if [ "$logged" -lt "$w_ok" ]; then
	lost="LOST $((w_ok - logged))"
	status=1
elif [ "$logged" -gt $((w_ok + WRITERS)) ]; then
	lost="log holds $((logged - w_ok)) more than answered (at most $WRITERS in flight)"
	status=1
else
	lost=none
fi
[ "$w_failed" -eq 0 ] || {
	say "bench: $w_failed writes failed (last status $(result "$TMP/writers.wrk" last_failed_status))"
	status=1
}

# --- report ----------------------------------------------------------------------------------
{
	printf '# bench/api: concord serve vs a fixed-body libmicrohttpd program, %s, %s cores, ' \
		"$(date -u +%Y-%m-%d)" "$(nproc 2>/dev/null || echo '?')"
	printf 'load %s\n' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
	printf '# wrk -t%s -c%s -d%ss on loopback; server and fixed program %s threads; %s activities\n' \
		"$THREADS" "$CONNS" "$DURATION" "$SERVER_THREADS" "$n_act"
	printf '# list page: %s, %s activities, %s bytes (the fixed program serves the same bytes);' \
		"$LIST_PATH" "$page_rows" "$page_bytes"
	printf ' coverage: %s bytes\n' "$cov_bytes"
	awk '
	{ name[NR] = $1; req[NR] = $2; p50[NR] = $4; p90[NR] = $5; p99[NR] = $6; mx[NR] = $7
	  bad[NR] = $8; rps[NR] = $2 / ($3 / 1e6)
	  if ($1 ~ /^fixed\./) { ceil[substr($1, 7)] = rps[NR]; sum += rps[NR]; n++ } }
	END {
		printf "%-10s %10s %9s %9s %9s %9s %7s %7s\n", "case", "req/s", "p50_ms", "p90_ms",
		       "p99_ms", "max_ms", "ratio", "failed"
		for (i = 1; i <= NR; i++) {
			# a round'"'"'s list against that round'"'"'s ceiling; the rest against their mean
			split(name[i], part, ".")
			c = (part[2] != "" && part[2] in ceil) ? ceil[part[2]] : (n ? sum / n : 0)
			printf "%-10s %10.0f %9.2f %9.2f %9.2f %9.1f %7.2f %7d\n", name[i], rps[i],
			       p50[i] / 1000, p90[i] / 1000, p99[i] / 1000, mx[i] / 1000,
			       c ? rps[i] / c : 0, bad[i]
		}
	}' "$RESULTS"
	printf 'writers: %s, %s writes answered 200 (%.0f/s, p50 %.2f ms, p99 %.2f ms), %s failed; ' \
		"$WRITERS" "$w_ok" "$(awk "BEGIN { print $w_ok / ($DURATION + 2) }")" \
		"$(awk "BEGIN { print $(result "$TMP/writers.wrk" p50_us) / 1000 }")" \
		"$(awk "BEGIN { print $(result "$TMP/writers.wrk" p99_us) / 1000 }")" "$w_failed"
	printf '%s marking entries in the change log; lost: %s\n' "$logged" "$lost"
	awk -v lost="$lost" '
	function median(a, k,    i, j, t) { # of a[1..k]
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	{ rps[$1] = $2 / ($3 / 1e6); p99[$1] = $6 / 1000 }
	END {
		k = 0
		for (r = 1; ("list." r) in rps; r++) {
			ratio[++k] = rps["list." r] / rps["fixed." r]
			lp[k] = p99["list." r]
			fp[k] = p99["fixed." r]
			rounds = rounds sprintf(" %.2f", ratio[k])
		}
		m = median(ratio, k)
		printf "goal list >= 0.50 of the ceiling: %.2f, the median of %d rounds (%s) %s\n", m,
		       k, substr(rounds, 2), (m >= 0.5 ? "met" : "NOT met")
		mp = median(lp, k)
		printf "goal list p99 <= 10 ms: %.2f ms, the median of %d rounds %s (the ceiling'"'"'s: %.2f ms)\n",
		       mp, k, (mp <= 10 ? "met" : "NOT met"), median(fp, k)
		printf "goal readers p99 <= 50 ms with writers: %.2f ms %s\n", p99["list+w"],
		       (p99["list+w"] <= 50 ? "met" : "NOT met")
		printf "goal no write lost: %s\n", (lost == "none" ? "met" : "NOT met")
	}' "$RESULTS"
} | tee "$OUT/api.txt"

exit "$status"
