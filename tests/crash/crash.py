#!/usr/bin/env python3
"""Crash consistency of imports: SIGKILL at chosen moments, then check the store.

For each scenario a baseline store is made once. Each run copies it, starts one import, kills
the process with SIGKILL after a delay drawn from the seeded generator (spread over 0 to 1.3 times
the import's measured duration, so that some kills land before the commit and some after), then
opens the killed store and checks:

  - PRAGMA integrity_check answers "ok" (on PostgreSQL: amcheck finds nothing wrong in any
    table or B-tree index of the store);
  - `concord audit verify` accepts the change log's hash chain;
  - the import is wholly present or wholly absent: its source row is missing and no record of it
    exists, or its source row is there with exactly the number of records a complete import
    stores;
  - the baseline's records are unchanged (a digest of their rows), and a store without the
    import is the baseline itself: its digest (`concord backup --digest`, every table) is the
    baseline's;
  - importing the same file again completes with the complete count (recovery), and a third
    import changes nothing (idempotence).

The same runs on the PostgreSQL pass of the test suites (CC_TEST_BACKEND=postgres): each store
is then a database of the test cluster (tests/pg-suite/concord), read through its sqlite3 shim.

Prints TAP. Usage: crash.py CONCORD CASE_DIR WORK_DIR RUNS SEED
"""
import csv
import hashlib
import http.client
import json
import threading
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

CONCORD, CASE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
RUNS, SEED = int(sys.argv[4]), int(sys.argv[5])

PG = os.environ.get("CC_TEST_BACKEND") == "postgres"
# amcheck over the store's schema: every table's heap and every B-tree index
PG_INTEGRITY = (
    "SELECT CASE WHEN (SELECT count(*) FROM pg_class c, verify_heapam(c.oid) WHERE "
    "c.relkind = 'r' AND c.relnamespace = current_schema()::text::regnamespace) = 0 AND "
    "(SELECT count(bt_index_check(c.oid, true)) FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
    "WHERE a.amname = 'btree' AND c.relkind = 'i' AND "
    "c.relnamespace = current_schema()::text::regnamespace) > 0 THEN 'ok' ELSE 'damaged' END")

n_test = 0
n_failed = 0


def ok(cond, desc, detail=""):
    global n_test, n_failed
    n_test += 1
    if cond:
        print("ok %d - %s" % (n_test, desc))
    else:
        n_failed += 1
        print("not ok %d - %s" % (n_test, desc))
        for line in str(detail).splitlines():
            print("# " + line)
    sys.stdout.flush()


def concord(db, *args, check=True):
    p = subprocess.run([CONCORD, "-d", db] + list(args), capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("concord %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p


def big_3w(path, copies):
    """The real Afghanistan 3W, its exact duplicates dropped, repeated with organisation names
    suffixed so that every row is a distinct activity. Returns the number of rows."""
    src = os.path.join(CASE, "afg_3w_operational_presence_2021q3.csv")
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head, tags, body = rows[0], rows[1], rows[2:]
    seen, uniq = set(), []
    for r in body:
        if tuple(r) not in seen:
            seen.add(tuple(r))
            uniq.append(r)
    acr, name = head.index("ORG_ACRONYM"), head.index("ORG_NAME")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerow(tags)
        for k in range(copies):
            for r in uniq:
                r = list(r)
                r[acr] = "%s-%d" % (r[acr], k)
                r[name] = "%s %d" % (r[name], k)
                w.writerow(r)
    return copies * len(uniq)


def big_events(path, copies):
    """The real UCDP sample repeated with new event ids (dates and places unchanged)."""
    src = os.path.join(CASE, "ucdp_ged_v23_1_afg.csv")
    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    idc = head.index("id")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for k in range(copies):
            for r in body:
                r = list(r)
                r[idc] = str(10_000_000 * (k + 1) + int(r[idc]))
                w.writerow(r)
    return copies * len(body)


def connect_ro(db):
    """The store, read only (on PostgreSQL, the shim's connection to its database)."""
    if PG:
        return sqlite3.connect(db)
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True)


def settle(db):
    """On PostgreSQL, waits until the killed process's session has ended at the server: until
    then a COMMIT it sent may still be applied, and a look would race it."""
    if not PG:
        return
    con = sqlite3.connect(db)
    for _ in range(300):
        n = con.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()").fetchone()[0]
        if n == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the killed process's session on %s did not end" % db)


def integrity_check(con):
    if PG:
        con.executescript("CREATE EXTENSION IF NOT EXISTS amcheck")
        return con.execute(PG_INTEGRITY).fetchone()[0]
    return con.execute("PRAGMA integrity_check").fetchone()[0]


def store_digest(db):
    """Every table of the store, as `concord backup --digest` hashes it."""
    p = concord(db, "backup", "--digest", check=False)
    return p.stdout.strip() if p.returncode == 0 else "backup --digest failed: " + p.stderr


def store_state(db, source_name, mine, others):
    """(source present?, records of the import, digest of the other records, integrity, digest
    of everything). mine: SQL counting the import's records; others: SQL of all other rows."""
    con = connect_ro(db)
    try:
        present = con.execute("SELECT count(*) FROM source WHERE name = ?",
                              (source_name,)).fetchone()[0] or None
        n = con.execute(mine).fetchone()[0]
        h = hashlib.sha256()
        for row in con.execute(others):
            h.update(repr(row).encode())
        integrity = integrity_check(con)
        everything = hashlib.sha256()
        for tbl in ("activity", "incident", "organisation", "source"):
            for row in con.execute("SELECT * FROM %s ORDER BY id" % tbl):  # id: the rowid
                everything.update(repr(row).encode())
    finally:
        con.close()
    return present is not None, n, h.hexdigest(), integrity, everything.hexdigest()


def copy_store(src, dst):
    """A store is its file and its write-ahead log. On PostgreSQL the file is the test
    wrapper's marker, and the database is copied when a command first names the copy: one
    does here, so that no kill lands in the copying."""
    for ext in ("", "-wal"):
        if os.path.exists(src + ext):
            shutil.copy(src + ext, dst + ext)
    if PG:
        concord(dst, "backup", "--digest")


def scenario(name, baseline_steps, import_args, source_name, mine, others, expected):
    base = os.path.join(WORK, name + "-base.db")
    for step in baseline_steps:
        p = concord(base, *step, check=False)
        if p.returncode not in (0, 3):  # 3: stored, with rejected rows reported
            raise RuntimeError("baseline %s: exit %d\n%s" % (step, p.returncode, p.stderr))
    _, _, base_digest, _, _ = store_state(base, source_name, mine, others)
    base_store = store_digest(base)

    # the import's duration, measured once on a copy
    probe = os.path.join(WORK, name + "-probe.db")
    copy_store(base, probe)
    t0 = time.monotonic()
    p = concord(probe, *import_args)
    full = time.monotonic() - t0
    present, n, _, _, _ = store_state(probe, source_name, mine, others)
    ok(p.returncode == 0 and present and n == expected,
       "%s: a complete import stores %d records (%.2f s)" % (name, expected, full),
       "exit %d, present %s, n %d\n%s" % (p.returncode, present, n, p.stderr[-2000:]))

    rng = random.Random(SEED)
    outcomes = {"absent": 0, "present": 0}
    for run in range(RUNS):
        db = os.path.join(WORK, "%s-run%d.db" % (name, run))
        copy_store(base, db)
        # spread the kills over the run, with jitter from the seed
        delay = full * 1.3 * (run + rng.random()) / RUNS
        proc = subprocess.Popen([CONCORD, "-d", db] + list(import_args),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        settle(db)
        present, n, digest, integrity, _ = store_state(db, source_name, mine, others)
        audit = concord(db, "audit", "verify", check=False)
        whole = (not present and n == 0) or (present and n == expected)
        # a store without the import is the baseline, every table of it
        same = present or store_digest(db) == base_store
        outcomes["present" if present else "absent"] += 1
        ok(integrity == "ok" and audit.returncode == 0 and whole and digest == base_digest
           and same,
           "%s: kill %d at %.3f s: integrity ok, audit chain verifies, import %s, baseline unchanged"
           % (name, run, delay, "wholly present" if present else
              "wholly absent (the store's digest the baseline's)"),
           "integrity %r; audit exit %d %s; present %s with %d of %d records; baseline %s; "
           "store digest %s"
           % (integrity, audit.returncode, audit.stderr.strip(), present, n, expected,
              "unchanged" if digest == base_digest else "CHANGED",
              "the baseline's" if same else "NOT the baseline's"))
        if run % 5 == 0 or run == RUNS - 1:
            again = concord(db, *import_args, check=False)
            present, n, digest, _, all2 = store_state(db, source_name, mine, others)
            third = concord(db, *import_args, check=False)
            _, n3, _, _, all3 = store_state(db, source_name, mine, others)
            ok(again.returncode == 0 and n == expected and digest == base_digest
               and third.returncode == 0 and n3 == expected and all3 == all2,
               "%s: kill %d: importing again completes, and once more changes nothing" % (name, run),
               "exit %d then %d; records %d then %d of %d\n%s"
               % (again.returncode, third.returncode, n, n3, expected, third.stderr[-1000:]))
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(db + ext):
                os.remove(db + ext)
    print("# %s: seed %d, %d runs: %d killed before the commit, %d after"
          % (name, SEED, RUNS, outcomes["absent"], outcomes["present"]))


def api_scenario(runs):
    """A burst of marking changes through the API, the server killed mid-burst: every change
    the server acknowledged (200) before the kill must be in the store, with its change-log entry."""
    base = os.path.join(WORK, "api-base.db")
    gaz = os.path.join(CASE, "afg_global_pcodes_subset.csv")
    for step in (["init", "--mission", "AFG-2021Q3", "--name", "crash test", "--country", "AFG"],
                 ["import", "areas", gaz],
                 ["import", "3w", os.path.join(CASE, "afg_3w_operational_presence_2021q3.csv"),
                  "--period", "2021-07-01/2021-09-30"],
                 ["user", "add", "coord", "--org", "UNICEF", "--role", "coordinator"]):
        p = concord(base, *step, check=False)
        if p.returncode not in (0, 3):
            raise RuntimeError("api baseline %s: exit %d\n%s" % (step, p.returncode, p.stderr))
    token = concord(base, "token", "create", "coord").stdout.strip()
    con = sqlite3.connect(base)
    ids = [r[0] for r in con.execute("SELECT id FROM activity WHERE releasability = 'public' "
                                     "ORDER BY id")]
    con.close()
    rng = random.Random(SEED + 1)
    for run in range(runs):
        db = os.path.join(WORK, "api-run%d.db" % run)
        copy_store(base, db)
        srv = subprocess.Popen([CONCORD, "-d", db, "serve", "--listen", "127.0.0.1:0",
                                "--threads", "2"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        line = srv.stdout.readline()
        if not line.startswith("listening on 127.0.0.1:"):
            ok(False, "api: kill %d: the server listens" % run, line)
            srv.kill()
            srv.wait()
            continue
        port = int(line.strip().rsplit(":", 1)[1])
        acked = []
        stop = threading.Event()

        def writer(share):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            for aid in share:
                if stop.is_set():
                    break
                try:
                    c.request("PUT", "/api/activities/%d/marking" % aid,
                              body=json.dumps({"releasability": "partners"}),
                              headers={"Authorization": "Bearer " + token,
                                       "If-Match": "*", "Content-Type": "application/json"})
                    r = c.getresponse()
                    r.read()
                except (OSError, http.client.HTTPException):
                    break
                if r.status == 200:
                    acked.append(aid)
            c.close()

        mine = ids[:]
        rng.shuffle(mine)
        threads = [threading.Thread(target=writer, args=(mine[k::4],)) for k in range(4)]
        for t in threads:
            t.start()
        delay = 0.05 + rng.random() * 1.5
        time.sleep(delay)
        srv.kill()
        srv.wait()
        stop.set()
        for t in threads:
            t.join()
        settle(db)
        con = connect_ro(db)
        integrity = integrity_check(con)
        stored = {r[0] for r in con.execute("SELECT id FROM activity WHERE releasability = 'partners'")}
        logged = {r[0] for r in con.execute("SELECT record_id FROM change WHERE tbl = 'activity' "
                                            "AND detail LIKE 'marking:%'")}
        con.close()
        audit = concord(db, "audit", "verify", check=False)
        lost = [a for a in acked if a not in stored or a not in logged]
        ok(integrity == "ok" and audit.returncode == 0 and not lost and acked
           and stored == logged,
           "api: kill %d at %.3f s: %d writes acknowledged, all stored and logged, integrity ok, "
           "audit chain verifies" % (run, delay, len(acked)),
           "integrity %r; audit exit %d %s; acknowledged %d, lost %s; stored %d, logged %d"
           % (integrity, audit.returncode, audit.stderr.strip(), len(acked), lost[:10],
              len(stored), len(logged)))
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(db + ext):
                os.remove(db + ext)


def main():
    print("# seed %d (CRASH_SEED=%d reproduces this run)" % (SEED, SEED))
    gaz = os.path.join(CASE, "afg_global_pcodes_subset.csv")
    init = ["init", "--mission", "AFG-2021Q3", "--name", "crash test", "--country", "AFG"]
    small_3w = os.path.join(CASE, "afg_3w_operational_presence_2021q3.csv")

    f3w = os.path.join(WORK, "big_3w.csv")
    # a PostgreSQL import of the same rows takes ten times as long: a quarter of them still
    # lasts seconds, long enough to be killed at any stage
    n3w = big_3w(f3w, 3 if PG else 12)
    scenario("3w",
             [init, ["import", "areas", gaz],
              ["import", "events", os.path.join(CASE, "ucdp_ged_v23_1_afg.csv")],
              ["import", "3w", small_3w, "--period", "2021-04-01/2021-06-30"]],
             ["import", "3w", f3w, "--period", "2021-07-01/2021-09-30"],
             "big_3w.csv",
             "SELECT count(*) FROM activity WHERE source_id IN "
             "(SELECT id FROM source WHERE name = 'big_3w.csv')",
             "SELECT * FROM activity WHERE source_id NOT IN "
             "(SELECT id FROM source WHERE name = 'big_3w.csv') ORDER BY id", n3w)

    fev = os.path.join(WORK, "big_events.csv")
    nev = big_events(fev, 120)
    scenario("events",
             [init, ["import", "areas", gaz],
              ["import", "events", os.path.join(CASE, "ucdp_ged_v23_1_afg.csv")]],
             ["import", "events", fev],
             "big_events.csv",
             "SELECT count(*) FROM incident WHERE CAST(source_id AS INTEGER) >= 10000000",
             "SELECT * FROM incident WHERE CAST(source_id AS INTEGER) < 10000000 ORDER BY id", nev)
    # the API bursts are the slowest runs: half as many in make test, CRASH_API_RUNS to choose
    api_scenario(int(os.environ.get("CRASH_API_RUNS") or max(1, RUNS // 2)))
    print("1..%d" % n_test)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
