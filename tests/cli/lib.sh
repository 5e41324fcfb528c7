# TAP helpers for CLI tests (POSIX sh). Source it, call plan N or use done_testing.
# Each test runs in its own temporary directory, removed at exit.

T_N=0
T_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/concord-test.XXXXXX")
ROOT=${CC_SOURCE_ROOT:?CC_SOURCE_ROOT is not set}
CASE="$ROOT/data/cases/afghanistan"
TDATA=${CC_TEST_DATA:-$ROOT/tests/data}
SHARED=${CC_SHARED_DATA:-$ROOT/../shared/data}
: "${CONCORD:?CONCORD is not set}"

# The PostgreSQL pass (scripts/run-tests.py --backend postgres): the same test, its stores in the
# run's shared cluster through tests/pg-suite/concord; the databases it made are dropped at exit.
CC_BACKEND=${CC_TEST_BACKEND:-sqlite}
if [ "$CC_BACKEND" = postgres ]; then
	CONCORD_BIN=$CONCORD
	CONCORD=$ROOT/tests/pg-suite/concord
	CC_PG_CREATED=$WORK/.pg-created
	CC_TEST_WORK=$WORK
	PYTHONPATH=$ROOT/tests/pg-suite/py${PYTHONPATH:+:$PYTHONPATH} # its sqlite3.connect
	export CONCORD_BIN CONCORD CC_PG_CREATED CC_TEST_WORK PYTHONPATH
fi

cleanup_work() { # the exit trap: the test's directory and, on PostgreSQL, its databases
	if [ "$CC_BACKEND" = postgres ] && [ -s "$WORK/.pg-created" ]; then
		sort -u "$WORK/.pg-created" | while read -r db; do
			"$CC_TEST_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$CC_TEST_PG_PORT" -U concord \
				-d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
		done
	fi
	rm -rf "$WORK"
}
trap cleanup_work EXIT
trap 'exit 1' INT TERM

# On the PostgreSQL pass, `sqlite3 STORE SQL` on a store the test made asks its database instead
# (tests/pg-suite/sqlite3-on-pg.py prints rows as sqlite3 does), and `sqlite3 STORE .dump` (a
# digest of every row, as the suites use it) prints the store's digest; other uses of sqlite3
# (a fixture, other dot-commands, options) go to sqlite3 itself.
if [ "$CC_BACKEND" = postgres ]; then
	sqlite3() {
		_csv=""
		[ $# -eq 3 ] && [ "$1" = -csv ] && { _csv=-csv; shift; }
		if [ $# -eq 2 ] && [ -f "$1" ] && head -c 16 "$1" | grep -q '^concord-test-pg' &&
			[ "${2#.}" = "$2" ]; then
			python3 "$ROOT/tests/pg-suite/sqlite3-on-pg.py" $_csv "$1" "$2"
		elif [ $# -eq 2 ] && [ "$2" = .dump ] && [ -f "$1" ] &&
			head -c 16 "$1" | grep -q '^concord-test-pg'; then
			# every row of the store: the digest `concord backup` computes over all tables
			"$CONCORD" -d "$1" backup --digest || echo "backup --digest failed on $1"
		elif [ -n "$_csv" ]; then
			command sqlite3 -csv "$@"
		else
			command sqlite3 "$@"
		fi
	}
fi

# skip_on_postgres DESCRIPTION REASON: true (and a skipped point) on the PostgreSQL pass, for a
# point that looks at the SQLite file itself
skip_on_postgres() {
	[ "$CC_BACKEND" = postgres ] || return 1
	skip "$1" "$2"
}

ok() { # ok DESCRIPTION: a passing point
	T_N=$((T_N + 1))
	echo "ok $T_N - $1"
}

not_ok() { # not_ok DESCRIPTION DETAIL
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
	return 0
}

skip() { # skip DESCRIPTION REASON
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

is() { # is GOT EXPECTED DESCRIPTION
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:      '$1'
expected: '$2'"; fi
}

like() { # like TEXT GREP-PATTERN DESCRIPTION
	if printf '%s\n' "$1" | grep -q -- "$2"; then ok "$3"; else not_ok "$3" "no '$2' in:
$1"; fi
}

unlike() { # unlike TEXT GREP-PATTERN DESCRIPTION
	if printf '%s\n' "$1" | grep -q -- "$2"; then not_ok "$3" "unexpected '$2' in:
$1"; else ok "$3"; fi
}

# run CMD...: runs it, sets OUT, ERR and RC
run() {
	"$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

# serve_start [SERVE OPTIONS...]: `concord serve --listen 127.0.0.1:0 OPTIONS` in the background
# (stdout srv.out, stderr appended to srv.log); once it says where it listens sets PID, PORT and
# URL. A server that says nothing in 20 s is a failing point, stopped, and the script ends.
serve_start() {
	"$CONCORD" serve --listen 127.0.0.1:0 "$@" >srv.out 2>>srv.log &
	PID=$!
	i=0
	while [ $i -lt 200 ] && ! grep -qs '^listening on ' srv.out; do
		sleep 0.1
		i=$((i + 1))
	done
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' srv.out)
	URL="http://127.0.0.1:$PORT"
	if [ -z "$PORT" ]; then
		not_ok "serve prints 'listening on 127.0.0.1:PORT'" "$(cat srv.out srv.log)"
		kill "$PID" 2>/dev/null
		done_testing
		exit 1
	fi
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
