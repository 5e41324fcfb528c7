#!/usr/bin/env python3
"""Load and soak of `concord serve` (docs/RELIABILITY.md, promise "it keeps serving").

Loads the Afghanistan case into a temporary store, starts `concord serve` on 127.0.0.1, and for
WINDOWS windows of WINDOW seconds runs READERS reading connections (GET a keyset page of
activities and the coverage matrix, as a viewer) and WRITERS writers (each changes the marking of
its own activities, flipping partners/public, as a coordinator, then reads the activity back).
Measures per window the readers' requests/s and p50/p99 latency; counts answers by status; samples
the server's resident memory every second. Checks at the end:

  - no answer 5xx other than a deliberate 503 (with Retry-After) on overload;
  - no write lost: each writer reads back what it wrote (read-your-write), and at the end every
    activity's stored marking is the last one acknowledged for it, with one change-log entry per
    acknowledged write;
  - the memory slope after the first window, reported in KiB a minute (and bounded by
    --max-slope-kib when given).

Readers are wrk (Lua script) when --wrk is given and wrk is installed, else Python threads (fine
for correctness, too slow to saturate the server). Prints TAP with --tap, a report otherwise.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--concord", required=True)
p.add_argument("--case", required=True, help="the Afghanistan case directory")
p.add_argument("--windows", type=int, default=10)
p.add_argument("--window", type=float, default=60.0, help="seconds a window")
p.add_argument("--readers", type=int, default=64)
p.add_argument("--writers", type=int, default=4)
p.add_argument("--threads", type=int, default=2, help="server threads")
p.add_argument("--wrk", action="store_true", help="readers are wrk when installed")
p.add_argument("--tap", action="store_true")
p.add_argument("--max-slope-kib", type=float, default=None)
p.add_argument("--work", default=None)
args = p.parse_args()

n_test = n_failed = 0


def check(cond, desc, detail=""):
    global n_test, n_failed
    n_test += 1
    if not args.tap:
        print(("PASS " if cond else "FAIL ") + desc + ("" if cond else "\n  " + str(detail)))
        return
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n_test, desc))
    if not cond:
        n_failed += 1
        for line in str(detail).splitlines():
            print("# " + line)
    sys.stdout.flush()


def note(msg):
    print(("# " if args.tap else "") + msg)
    sys.stdout.flush()


work = args.work or tempfile.mkdtemp(prefix="concord-soak.")
db = os.path.join(work, "soak.db")
case = args.case


def concord(*a, ok=(0,)):
    r = subprocess.run([args.concord, "-d", db] + list(a), capture_output=True, text=True)
    if r.returncode not in ok:
        raise SystemExit("concord %s: exit %d\n%s" % (" ".join(a), r.returncode, r.stderr))
    return r


concord("init", "--mission", "AFG-2021Q3", "--name", "soak", "--country", "AFG")
concord("import", "areas", os.path.join(case, "afg_global_pcodes_subset.csv"))
concord("import", "3w", os.path.join(case, "afg_3w_operational_presence_2021q3.csv"),
        "--period", "2021-07-01/2021-09-30", ok=(0, 3))
concord("member", "add", "ACTED")
concord("member", "add", "UNICEF")
concord("user", "add", "soak-viewer", "--org", "ACTED", "--role", "viewer")
concord("user", "add", "soak-coord", "--org", "UNICEF", "--role", "coordinator")
viewer = concord("token", "create", "soak-viewer").stdout.strip()
coord = concord("token", "create", "soak-coord").stdout.strip()
con = sqlite3.connect(db)
ids = [r[0] for r in con.execute("SELECT id FROM activity ORDER BY id")]
con.execute("UPDATE activity SET releasability = 'public'")  # a known start for the writers
con.commit()
con.close()

srv = subprocess.Popen([args.concord, "-d", db, "serve", "--listen", "127.0.0.1:0",
                        "--threads", str(args.threads)],
                       stdout=subprocess.PIPE, stderr=open(os.path.join(work, "server.log"), "w"),
                       text=True)
first = srv.stdout.readline()
if not first.startswith("listening on 127.0.0.1:"):
    raise SystemExit("the server did not start: %r" % first)
port = int(first.strip().rsplit(":", 1)[1])

lock = threading.Lock()
status = {}           # status → count, readers and writers
bad_5xx = []          # (status, path, body) of 5xx other than 503
no_retry_after = [0]  # 503 without Retry-After
stop_all = threading.Event()


def count(st, path, body, headers):
    with lock:
        status[st] = status.get(st, 0) + 1
        if st >= 500 and st != 503 and len(bad_5xx) < 20:
            bad_5xx.append((st, path, body[:200]))
        if st == 503 and not headers.get("Retry-After"):
            no_retry_after[0] += 1


def request(c, method, path, token, body=None, extra=None):
    h = {"Authorization": "Bearer " + token}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(extra or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    count(r.status, path, data, dict(r.getheaders()))
    return r.status, data


# ---- writers --------------------------------------------------------------------------------
acked = {}        # activity id → last acknowledged releasability
n_acked = [0]
ryw_mismatch = []


def writer(k):
    mine = ids[k::max(1, args.writers)][:200]
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rnd = 0
    while not stop_all.is_set():
        for aid in mine:
            if stop_all.is_set():
                break
            rel = "partners" if rnd % 2 == 0 else "public"
            try:
                st, _ = request(c, "PUT", "/api/activities/%d/marking" % aid, coord,
                                json.dumps({"releasability": rel}), {"If-Match": "*"})
                if st == 200:
                    with lock:
                        acked[aid] = rel
                        n_acked[0] += 1
                    st2, data = request(c, "GET", "/api/activities/%d" % aid, coord)
                    got = json.loads(data).get("releasability") if st2 == 200 else None
                    if got != rel and len(ryw_mismatch) < 20:
                        ryw_mismatch.append((aid, rel, st2, got))
            except (OSError, http.client.HTTPException, ValueError):
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rnd += 1
    c.close()


# ---- readers --------------------------------------------------------------------------------
PATHS = ["/api/activities?area=AF01&limit=3", "/api/coverage"]


def py_readers(seconds):
    lat = []
    stop = threading.Event()

    def reader(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                request(c, "GET", PATHS[i % len(PATHS)], viewer)
            except (OSError, http.client.HTTPException):
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            with lock:
                lat.append(time.monotonic() - t0)
            i += 1
        c.close()

    ts = [threading.Thread(target=reader, args=(k,)) for k in range(args.readers)]
    for t in ts:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in ts:
        t.join()
    lat.sort()
    pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0)
    return len(lat) / seconds, pct(0.5), pct(0.99)


WRK_LUA = r'''
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SOAK_TOKEN")
local threads = {}
function setup(t) table.insert(threads, t) end
function init(a) s5 = 0; s503 = 0 end
function response(status, headers, body)
  if status >= 500 and status ~= 503 then s5 = s5 + 1 end
  if status == 503 then s503 = s503 + 1 end
end
function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("s5"); b = b + t:get("s503") end
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d " ..
    "s5xx=%d s503=%d sockerr=%d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status, a, b,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
'''


def wrk_readers(seconds):
    lua = os.path.join(work, "read.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    env = dict(os.environ, SOAK_TOKEN=viewer)
    r = subprocess.run(["wrk", "-t2", "-c%d" % args.readers, "-d%ds" % int(seconds), "-s", lua,
                        "http://127.0.0.1:%d%s" % (port, PATHS[0])],
                       capture_output=True, text=True, env=env)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT")), None)
    if not line:
        raise SystemExit("wrk gave no result:\n" + r.stdout + r.stderr)
    v = dict(kv.split("=") for kv in line.split()[1:])
    with lock:
        status["wrk-5xx"] = status.get("wrk-5xx", 0) + int(v["s5xx"])
        status["wrk-503"] = status.get("wrk-503", 0) + int(v["s503"])
        status["wrk-other-non2xx"] = status.get("wrk-other-non2xx", 0) + \
            int(v["non2xx"]) - int(v["s5xx"]) - int(v["s503"])
        status["wrk-socket-errors"] = status.get("wrk-socket-errors", 0) + int(v["sockerr"])
    return (int(v["requests"]) / (int(v["duration_us"]) / 1e6), int(v["p50_us"]) / 1000,
            int(v["p99_us"]) / 1000)


# ---- memory ---------------------------------------------------------------------------------
rss = []  # (seconds since start, KiB)
t_start = time.monotonic()


def sampler():
    while not stop_all.is_set():
        try:
            with open("/proc/%d/status" % srv.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss.append((time.monotonic() - t_start, int(line.split()[1])))
        except OSError:
            pass
        stop_all.wait(1.0)


use_wrk = args.wrk and shutil.which("wrk")
note("soak: %d windows of %g s, %d %s readers, %d writers, server threads %d, port %d"
     % (args.windows, args.window, args.readers, "wrk" if use_wrk else "python", args.writers,
        args.threads, port))
threads = [threading.Thread(target=sampler)] + \
    [threading.Thread(target=writer, args=(k,)) for k in range(args.writers)]
for t in threads:
    t.start()
windows = []
warm_end = None
for w in range(args.windows):
    rps, p50, p99 = (wrk_readers if use_wrk else py_readers)(args.window)
    windows.append((rps, p50, p99))
    if w == 0:
        warm_end = time.monotonic() - t_start
    note("window %d: %.0f req/s, p50 %.1f ms, p99 %.1f ms, writes acknowledged so far %d, RSS %d KiB"
         % (w + 1, rps, p50, p99, n_acked[0], rss[-1][1] if rss else 0))
stop_all.set()
for t in threads:
    t.join()
alive = srv.poll() is None

# ---- checks ---------------------------------------------------------------------------------
srv.send_signal(signal.SIGTERM)
try:
    srv.wait(timeout=30)
except subprocess.TimeoutExpired:
    srv.kill()
    srv.wait()
if os.environ.get("CC_TEST_BACKEND") == "postgres":
    # the PostgreSQL pass: the store's database through the test's sqlite3 shim, its
    # integrity amcheck's over every table and B-tree index of the store's schema
    con = sqlite3.connect(db)
    con.executescript("CREATE EXTENSION IF NOT EXISTS amcheck")
    integrity_sql = (
        "SELECT CASE WHEN (SELECT count(*) FROM pg_class c, verify_heapam(c.oid) WHERE "
        "c.relkind = 'r' AND c.relnamespace = current_schema()::text::regnamespace) = 0 AND "
        "(SELECT count(bt_index_check(c.oid, true)) FROM pg_class c JOIN pg_am a ON "
        "a.oid = c.relam WHERE a.amname = 'btree' AND c.relkind = 'i' AND "
        "c.relnamespace = current_schema()::text::regnamespace) > 0 THEN 'ok' ELSE 'damaged' END")
else:
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    integrity_sql = "PRAGMA integrity_check"
stored = dict(con.execute("SELECT id, releasability FROM activity"))
n_logged = con.execute("SELECT count(*) FROM change WHERE tbl = 'activity' "
                       "AND detail LIKE 'marking:%'").fetchone()[0]
integrity = con.execute(integrity_sql).fetchone()[0]
con.close()
lost = [(a, r, stored.get(a)) for a, r in acked.items() if stored.get(a) != r]

check(alive, "the server stayed up through the load")
fives = sum(v for k, v in status.items() if isinstance(k, int) and k >= 500 and k != 503) + \
    status.get("wrk-5xx", 0)
check(fives == 0, "no 5xx answer other than 503 (answers by status: %s)"
      % ", ".join("%s %d" % kv for kv in sorted(status.items(), key=lambda kv: str(kv[0]))),
      bad_5xx)
check(no_retry_after[0] == 0, "every 503 carries Retry-After", no_retry_after[0])
check(n_acked[0] > 0, "writers were acknowledged (%d writes)" % n_acked[0])
check(not ryw_mismatch, "each writer read back what it wrote", ryw_mismatch)
check(not lost, "no acknowledged write lost: %d activities' last acknowledged markings stored"
      % len(acked), lost[:10])
check(n_logged >= n_acked[0] and n_logged <= n_acked[0] + args.writers,
      "one change-log entry per acknowledged write (%d logged, %d acknowledged, up to %d in "
      "flight at the stop)" % (n_logged, n_acked[0], args.writers))
check(integrity == "ok", "the store passes the integrity check", integrity)

after = [(t, k) for t, k in rss if warm_end is None or t >= warm_end]
slope = 0.0
if len(after) >= 3:
    mt = sum(t for t, _ in after) / len(after)
    mk = sum(k for _, k in after) / len(after)
    den = sum((t - mt) ** 2 for t, _ in after)
    slope = 60 * sum((t - mt) * (k - mk) for t, k in after) / den if den else 0.0
note("memory: RSS %d KiB after warm-up, %d KiB at the end; slope after warm-up %.1f KiB/min "
     "(%d samples)" % (after[0][1] if after else 0, after[-1][1] if after else 0, slope,
                       len(after)))
note("p99 by window (ms): " + ", ".join("%.1f" % w[2] for w in windows))
note("req/s by window: " + ", ".join("%.0f" % w[0] for w in windows))
if args.max_slope_kib is not None:
    check(slope <= args.max_slope_kib, "memory flat after warm-up: slope %.1f KiB/min <= %g"
          % (slope, args.max_slope_kib))
if args.tap:
    print("1..%d" % n_test)
if not args.work:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if n_failed else 0)
