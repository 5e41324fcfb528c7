#!/usr/bin/env python3
"""Runs every test suite of a build directory with meson and counts TAP results.

Prints meson's own progress, then one line per suite and, last, the line
"N passed, N failed, N skipped" counted over individual TAP test points (a program
that crashed or printed no TAP counts as one failure). Exits 1 if anything failed.
"""
import json
import os
import re
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else 'build-asan'
log = os.path.join(build, 'meson-logs', 'testlog.json')
if os.path.exists(log):
    os.remove(log)
rc = subprocess.call(['meson', 'test', '-C', build, '--num-processes', '2',
                      '--print-errorlogs'] + sys.argv[2:])

passed = failed = skipped = 0
failures = []  # (suite, line): each failing test point and its diagnostics, shown again at the end
if not os.path.exists(log):
    print('no test log written')
    print('0 passed, 1 failed, 0 skipped')
    sys.exit(1)
for line in open(log, encoding='utf-8', errors='replace'):
    t = json.loads(line)
    p = f = s = 0
    diag = 0  # diagnostic lines still to keep after a failing point
    for out in (t.get('stdout') or '').splitlines():
        m = re.match(r'^(not ok|ok)\b(.*)$', out)
        if not m:
            if diag and out.startswith('#'):
                failures.append((t['name'], out))
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
            failures.append((t['name'], out))
            diag = 12
    if t.get('result') not in ('OK', 'SKIP', 'EXPECTEDFAIL') and f == 0:
        f += 1  # crashed, timed out or exited non-zero without a failing test point
    print('%-22s %-8s %4d passed, %d failed, %d skipped' % (t['name'], t.get('result'), p, f, s))
    passed += p
    failed += f
    skipped += s
# the failures once more, just above the summary, so that a log's tail names them
for name, out in failures[:60]:
    print('%s: %s' % (name, out))
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed or rc else 0)
