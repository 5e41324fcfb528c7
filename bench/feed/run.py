#!/usr/bin/env python3
"""bench/feed: how long an edit takes to reach a partner's open live feed.

Loads the Afghanistan case (P-codes, the OCHA 3W) into a temporary store, starts `concord serve`
(release build) on 127.0.0.1 and opens GET /api/feed as Server-Sent Events for a viewer of
another organisation (ACTED), the way the dashboard does. A coordinator (UNICEF) then changes
the marking of public activities N times, one at a time, between "public" and "partners"
(both visible to the viewer, a member of the mission). For each edit it records the time from
sending the request to its acknowledgement, and from the acknowledgement to the arrival of the
change's event (matched by table and record) on the viewer's stream. Prints the percentiles of
both, in milliseconds, and the share of events that arrived (every one must). Run with
`--writers K` to add K-1 concurrent writers on other activities (their events arrive too and
are counted apart).

Usage: run.py [--concord BIN] [--n 500] [--writers 1] [--out bench/out/feed.txt]
"""
import argparse
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--concord", default=os.path.join(ROOT, "build-bench", "concord"))
p.add_argument("--n", type=int, default=500)
p.add_argument("--writers", type=int, default=1)
p.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "feed.txt"))
a = p.parse_args()
case = os.path.join(ROOT, "data", "cases", "afghanistan")
work = tempfile.mkdtemp(prefix="concord-feed.")
db = os.path.join(work, "feed.db")


def concord(*args, ok=(0,)):
    r = subprocess.run([a.concord, "-d", db] + list(args), capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit("concord %s: exit %d\n%s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout.strip()


concord("init", "--mission", "AFG-2021Q3", "--name", "feed", "--country", "AFG")
concord("import", "areas", os.path.join(case, "afg_global_pcodes_subset.csv"))
concord("import", "3w", os.path.join(case, "afg_3w_operational_presence_2021q3.csv"),
        "--period", "2021-07-01/2021-09-30", ok=(0, 3))
concord("member", "add", "ACTED")
concord("member", "add", "UNICEF")
concord("user", "add", "viewer", "--org", "ACTED", "--role", "viewer")
concord("user", "add", "coord", "--org", "UNICEF", "--role", "coordinator")
viewer = concord("token", "create", "viewer")
coord = concord("token", "create", "coord")
con = sqlite3.connect(db)
con.execute("UPDATE activity SET releasability = 'public'")
con.commit()
ids = [r[0] for r in con.execute("SELECT id FROM activity ORDER BY id")]
con.close()

srv = subprocess.Popen([a.concord, "-d", db, "serve", "--listen", "127.0.0.1:0", "--threads", "4"],
                       stdout=subprocess.PIPE, stderr=open(os.path.join(work, "serve.log"), "w"),
                       text=True)
line = srv.stdout.readline()
if not line.startswith("listening on 127.0.0.1:"):
    sys.exit("serve did not start: %r" % line)
port = int(line.strip().rsplit(":", 1)[1])

arrived = {}  # activity id -> monotonic time of its latest event
cond = threading.Condition()
stop = threading.Event()


def listen():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /api/feed HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
               "Authorization: Bearer %s\r\n\r\n" % viewer).encode())
    f = s.makefile("rb")
    while not stop.is_set():
        raw = f.readline()
        if not raw:
            break
        t = time.monotonic()
        text = raw.decode("utf-8", "replace")
        # chunked transfer: data lines may carry a chunk-size line before them
        i = text.find("data: ")
        if i < 0:
            continue
        try:
            ev = json.loads(text[i + 6:])
        except ValueError:
            continue
        if ev.get("table") == "activity" and ev.get("record"):
            with cond:
                arrived[ev["record"]] = t
                cond.notify_all()
    s.close()


threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)


def put(c, aid, rel):
    c.request("PUT", "/api/activities/%d/marking" % aid, body=json.dumps({"releasability": rel}),
              headers={"Authorization": "Bearer " + coord, "If-Match": "*",
                       "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    return r.status


def background(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine = ids[1000 + k * 50: 1000 + (k + 1) * 50]
    n = 0
    while not stop.is_set():
        put(c, mine[n % len(mine)], "partners" if (n // len(mine)) % 2 == 0 else "public")
        n += 1


others = [threading.Thread(target=background, args=(k,), daemon=True) for k in range(a.writers - 1)]
for t in others:
    t.start()

c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
ack, lat, missing = [], [], 0
for i in range(a.n):
    aid = ids[i % 500]
    rel = "partners" if (i // 500) % 2 == 0 else "public"
    with cond:
        arrived.pop(aid, None)
    t0 = time.monotonic()
    st = put(c, aid, rel)
    t1 = time.monotonic()
    if st != 200:
        sys.exit("PUT answered %d" % st)
    ack.append(t1 - t0)
    with cond:
        ok = cond.wait_for(lambda: aid in arrived, timeout=10)
        if ok:
            lat.append(max(0.0, arrived[aid] - t1))
        else:
            missing += 1
stop.set()
srv.terminate()
srv.wait(timeout=30)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")


lines = ["# bench/feed: %d edits, %d writer(s), concord serve --threads 4, 127.0.0.1" % (a.n, a.writers),
         "%-28s %8s %8s %8s %8s" % ("ms", "p50", "p90", "p99", "max"),
         "%-28s %8.2f %8.2f %8.2f %8.2f" % ("edit acknowledged", pct(ack, .5), pct(ack, .9), pct(ack, .99), pct(ack, 1)),
         "%-28s %8.2f %8.2f %8.2f %8.2f" % ("ack -> event on the feed", pct(lat, .5), pct(lat, .9), pct(lat, .99), pct(lat, 1)),
         "events arrived: %d of %d" % (len(lat), a.n)]
os.makedirs(os.path.dirname(a.out), exist_ok=True)
open(a.out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
sys.exit(1 if missing else 0)
