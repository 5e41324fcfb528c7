"""Python's sqlite3, for the PostgreSQL pass of the test suites (tests/cli/lib.sh puts this
directory first on PYTHONPATH there).

A test that opens its store with sqlite3.connect(PATH) gets, when PATH is a store the pass put
in PostgreSQL (a marker file of tests/pg-suite/concord), a small connection that runs each
statement through psql and returns rows typed as SQLite's would be (integers, floats, text, None,
bytes). Any other file is opened by the real sqlite3 module.
"""
import importlib
import os
import subprocess
import sys

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _real():
    """The standard library's sqlite3."""
    mine = sys.modules.pop('sqlite3')
    path = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != _HERE]
    try:
        return importlib.import_module('sqlite3')
    finally:
        sys.path[:] = path
        sys.modules['real_sqlite3'] = sys.modules['sqlite3']
        sys.modules['sqlite3'] = mine


def _marker(path):
    try:
        with open(path, 'rb') as f:
            head = f.read(200)
    except OSError:
        return None
    if not head.startswith(b'concord-test-pg '):
        return None
    return head.split()[1].decode()


def _quote(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return 'TRUE' if v else 'FALSE'
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def _bind(sql, params):
    """sql with each ? outside quotes replaced by the next parameter as a literal."""
    if not params:
        return sql
    out, k, quote = [], 0, None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == '?':
            out.append(_quote(params[k]))
            k += 1
            continue
        out.append(ch)
    return ''.join(out)


FS, RS = '\x1f', '\x1e'


class _Cursor:
    def __init__(self, rows):
        self._rows = rows
        self.rowcount = len(rows)

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return iter(self.fetchall())


class _Connection:
    def __init__(self, db):
        self._db = db

    def _psql(self, sql, rows_or_none=False):
        env = dict(os.environ, PGOPTIONS='-c client_min_messages=warning')
        r = subprocess.run([os.path.join(os.environ['CC_TEST_PG_BIN'], 'psql'), '-X', '-q', '-At',
                            '-F', FS, '-R', RS, '-P', 'null=\x15', '-h', '127.0.0.1',
                            '-p', os.environ['CC_TEST_PG_PORT'], '-U', 'concord', '-d', self._db,
                            '-v', 'ON_ERROR_STOP=1'], input=sql + '\n', env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise OperationalError(r.stderr.strip())
        out = r.stdout
        if rows_or_none and out == '':
            return None
        return out[:-1] if out.endswith('\n') else out  # the last record ends in a newline

    def execute(self, sql, params=()):
        sql = _bind(sql, params).strip().rstrip(';')
        types = []
        if ';' not in sql and sql.split(None, 1)[0].lower() in ('select', 'with', 'values'):
            types = [line.split(FS)[1] for line in self._psql(sql + ' \\gdesc').split(RS) if line]
        rows = []
        out = self._psql(sql, rows_or_none=True)
        if out is None:  # no rows at all (one row of one empty text prints a newline)
            return _Cursor(rows)
        for line in out.split(RS):
            if line == '' and not types:
                continue
            cols = line.split(FS)
            if len(cols) != len(types):
                continue
            rows.append(tuple(_value(v, t) for v, t in zip(cols, types)))
        return _Cursor(rows)

    def executescript(self, sql):
        self._psql(sql)

    def commit(self):
        pass

    def close(self):
        pass

    def cursor(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _value(v, t):
    if v == '\x15':
        return None
    if t in ('integer', 'bigint', 'smallint'):
        return int(v)
    if t in ('double precision', 'real'):
        return float(v)
    if t == 'numeric':
        return int(v) if v.lstrip('-').isdigit() else float(v)
    if t == 'boolean':
        return 1 if v == 't' else 0
    if t == 'bytea':
        return bytes.fromhex(v[2:]) if v.startswith('\\x') else v.encode()
    return v


class OperationalError(Exception):
    pass


def connect(path, *args, **kwargs):
    db = _marker(path) if isinstance(path, str) else None
    if db is None:
        return _real().connect(path, *args, **kwargs)
    return _Connection(db)
