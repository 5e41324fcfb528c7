#!/usr/bin/env python3
"""`sqlite3 [-csv] STORE SQL` for the PostgreSQL pass of the test suites (see tests/cli/lib.sh).

Runs SQL on the database behind STORE's marker file (tests/pg-suite/concord) with psql and
prints the rows the way the sqlite3 shell does, so that a test's own look into its store reads
the same on both backends: '|' between columns, NULL as nothing, a floating-point value with
".0" when it is whole (SQLite's REAL), a boolean as 1 or 0. The column types come from psql's
\\gdesc before the query runs.
"""
import csv
import os
import subprocess
import sys

SEP = '\x1f'


def psql(db, sql, *extra):
    """Runs SQL (psql's input, so \\gdesc works) on database db."""
    env = dict(os.environ, PGOPTIONS='-c client_min_messages=warning')
    return subprocess.run([os.path.join(os.environ['CC_TEST_PG_BIN'], 'psql'), '-X', '-q', '-At',
                           '-F', SEP, '-h', '127.0.0.1', '-p', os.environ['CC_TEST_PG_PORT'],
                           '-U', 'concord', '-d', db, '-v', 'ON_ERROR_STOP=1'] + list(extra),
                          input=sql + '\n', env=env, capture_output=True, text=True)


def real(v):
    """A float as sqlite3 prints a REAL: whole values keep '.0'; 15 significant digits."""
    try:
        f = float(v)
    except ValueError:
        return v
    if f != f or f in (float('inf'), float('-inf')):
        return v
    s = '%.15g' % f
    if 'e' not in s and '.' not in s:
        s += '.0'
    return s


def main():
    args = sys.argv[1:]
    as_csv = args[0] == '-csv'
    if as_csv:
        args.pop(0)
    store, sql = args
    with open(store, encoding='utf-8') as f:
        db = f.read().split()[1]
    types = []
    body = sql.strip().rstrip(';')
    if ';' not in body:  # one statement: its column types
        d = psql(db, body + ' \\gdesc')
        if d.returncode == 0:
            types = [line.split(SEP)[1] if SEP in line else '' for line in d.stdout.splitlines()]
    r = psql(db, sql)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        return 1
    w = csv.writer(sys.stdout, lineterminator='\n')
    for line in r.stdout.splitlines():
        cols = line.split(SEP)
        if len(cols) == len(types):
            for i, t in enumerate(types):
                if cols[i] == '':
                    continue
                if t in ('double precision', 'real'):
                    cols[i] = real(cols[i])
                elif t == 'boolean':
                    cols[i] = '1' if cols[i] == 't' else '0'
        if as_csv:
            w.writerow(cols)
        else:
            print('|'.join(cols))
    return 0


if __name__ == '__main__':
    sys.exit(main())
