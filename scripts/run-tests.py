#!/usr/bin/env python3
"""Runs every test suite of a build directory with meson and counts TAP results.

    run-tests.py BUILD [--backends sqlite,postgres] [MESON TEST ARGS...]

Prints meson's own progress, then one line per suite and, last, the line
"N passed, N failed, N skipped" counted over individual TAP test points (a program
that crashed or printed no TAP counts as one failure). Exits 1 if anything failed.

The PostgreSQL pass runs the CLI suites listed in tests/pg-suite/suites.txt once more with
their stores in one throwaway cluster (tests/pg-suite/cluster.sh; see tests/cli/lib.sh); its
lines start with "pg/". A suite not listed there yet counts as one skipped point, and where
the server packages are missing the whole pass counts as one skipped point, saying why.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_meson(build, args, env=None):
    """Runs meson test; returns (exit code, the test log's records)."""
    log = os.path.join(build, 'meson-logs', 'testlog.json')
    if os.path.exists(log):
        os.remove(log)
    rc = subprocess.call(['meson', 'test', '-C', build, '--num-processes', '2',
                          '--print-errorlogs'] + args, env=env)
    if not os.path.exists(log):
        return rc, None
    with open(log, encoding='utf-8', errors='replace') as f:
        return rc, [json.loads(line) for line in f]


def count(records, prefix, failures):
    """Counts TAP points per suite, printing a line each; returns (passed, failed, skipped)."""
    passed = failed = skipped = 0
    for t in records:
        name = prefix + t['name']
        p = f = s = 0
        diag = 0  # diagnostic lines still to keep after a failing point
        for out in (t.get('stdout') or '').splitlines():
            m = re.match(r'^(not ok|ok)\b(.*)$', out)
            if not m:
                if diag and out.startswith('#'):
                    failures.append((name, out))
                    diag -= 1
                else:
                    diag = 0
                continue
            diag = 0
            rest = m.group(2)
            if re.search(r'#\s*SKIP', rest, re.I):
                s += 1
            elif m.group(1) == 'ok':
                p += 1
            elif re.search(r'#\s*TODO', rest, re.I):
                p += 1
            else:
                f += 1
                failures.append((name, out))
                diag = 12
        if t.get('result') not in ('OK', 'SKIP', 'EXPECTEDFAIL') and f == 0:
            f += 1  # crashed, timed out or exited non-zero without a failing test point
            failures.append((name, 'exited with %s' % t.get('result')))
        print('%-26s %-8s %4d passed, %d failed, %d skipped' % (name, t.get('result'), p, f, s))
        passed += p
        failed += f
        skipped += s
    return passed, failed, skipped


def cli_suites(build):
    """The CLI suites meson knows, by name."""
    out = subprocess.check_output(['meson', 'test', '-C', build, '--list', '--no-rebuild',
                                   '--suite', 'cli'], text=True, stderr=subprocess.DEVNULL)
    return [line.split(' / ')[-1].strip() for line in out.splitlines() if ' / ' in line]


def own_cluster(suite):
    """True for a suite that starts a PostgreSQL cluster of its own (tests/cli/pglib.sh)."""
    try:
        with open(os.path.join(ROOT, 'tests', 'cli', suite + '.sh'), encoding='utf-8') as f:
            return 'pglib.sh' in f.read()
    except OSError:
        return False


def postgres_pass(build, args, failures):
    """The CLI suites again on PostgreSQL; returns (passed, failed, skipped, meson's rc)."""
    listed = []
    with open(os.path.join(ROOT, 'tests', 'pg-suite', 'suites.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                listed.append(line)
    known = cli_suites(build)
    run = [s for s in known if s in listed]
    later = [s for s in known if s not in listed and not own_cluster(s)]
    tmp = tempfile.mkdtemp(prefix='concord-pg-')
    cluster = os.path.join(tmp, 'cluster')
    script = os.path.join(ROOT, 'tests', 'pg-suite', 'cluster.sh')
    try:
        os.chmod(tmp, 0o755)
        r = subprocess.run(['sh', script, 'start', cluster], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode == 2:
            print('%-26s %-8s    0 passed, 0 failed, 1 skipped (%s)'
                  % ('pg/*', 'SKIP', r.stderr.strip()))
            return 0, 0, 1, 0
        if r.returncode != 0:
            print('pg/cluster: cannot start PostgreSQL: ' + r.stderr.strip())
            failures.append(('pg/cluster', r.stderr.strip()))
            return 0, 1, 0, 1
        port, pgbin = r.stdout.split()
        env = dict(os.environ, CC_TEST_BACKEND='postgres', CC_TEST_PG_PORT=port,
                   CC_TEST_PG_BIN=pgbin)
        rc, records = run_meson(build, args + run, env)
        if records is None:
            print('no test log written for the PostgreSQL pass')
            return 0, 1, 0, rc or 1
        p, f, s = count(records, 'pg/', failures)
        for name in later:
            print('%-26s %-8s    0 passed, 0 failed, 1 skipped (not on PostgreSQL yet)'
                  % ('pg/' + name, 'SKIP'))
        return p, f, s + len(later), rc
    finally:
        subprocess.call(['sh', script, 'stop', cluster], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    argv = sys.argv[1:]
    build = 'build-asan'
    if argv and not argv[0].startswith('-'):
        build = argv.pop(0)
    backends = ['sqlite']
    if argv and argv[0].startswith('--backends'):
        value = argv.pop(0).split('=', 1)[1] if '=' in argv[0] else (argv.pop(0), argv.pop(0))[1]
        backends = [b for b in value.split(',') if b]
    failures = []  # (suite, line): each failing point and its diagnostics, shown again at the end
    passed = failed = skipped = 0
    rc = 0
    if 'sqlite' in backends:
        rc, records = run_meson(build, argv)
        if records is None:
            print('no test log written')
            print('0 passed, 1 failed, 0 skipped')
            return 1
        passed, failed, skipped = count(records, '', failures)
    if 'postgres' in backends:
        p, f, s, prc = postgres_pass(build, argv, failures)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        rc = rc or prc
    # the failures once more, just above the summary, so that a log's tail names them
    for name, out in failures[:60]:
        print('%s: %s' % (name, out))
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or rc else 0


if __name__ == '__main__':
    sys.exit(main())
