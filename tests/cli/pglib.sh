# A throwaway PostgreSQL cluster for CLI tests (POSIX sh). Source it after lib.sh, then call
# pg_start: it skips the whole test (saying why, exit 0) where the server packages, PostGIS, psql
# or concord's PostgreSQL backend are missing; otherwise it starts a cluster with
# tests/pg-suite/cluster.sh (start --suite: a free port of 127.0.0.1, the sockets and data in
# the test's directory), makes the database "cc", and sets
#   PG_PORT   the server's port
#   PGURI     postgresql://concord@127.0.0.1:PORT/cc (the store's URI)
#   PGBIN, PSQL_BIN, PGDIR
#   PG_AS, PG_USER_OS  as root, the prefix that runs a command as the cluster's owner, and that
#                      owner ("postgres" or "nobody"; PostgreSQL refuses to run as root); else empty
# and stops the server at exit (a failing test leaves no server behind). CC_PG_BIN names another
# PostgreSQL's bin directory.
#
#   psql DB SQL          one value or rows of DB, '|' between columns
#   pg_createdb NAME     a new empty database (UTF8, from template0); prints its URI
#   pg_skip_all REASON   skips the whole test
#   pg_stop              stops the server (the exit trap calls it)

pg_skip_all() {
	skip "PostgreSQL backend" "$1"
	done_testing
	exit 0
}

pg_stop() { # also removes PGDIR
	[ -n "${PGDIR:-}" ] && [ -d "$PGDIR" ] &&
		sh "$ROOT/tests/pg-suite/cluster.sh" stop "$PGDIR" 2>/dev/null
	return 0
}

psql() { # psql DB SQL: one value or rows, '|' between columns
	"$PSQL_BIN" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U concord -d "$1" -c "$2"
}

pg_createdb() { # pg_createdb NAME: a new empty database; prints its URI
	psql postgres "CREATE DATABASE $1 TEMPLATE template0 ENCODING 'UTF8'" >/dev/null &&
		echo "postgresql://concord@127.0.0.1:$PG_PORT/$1"
}

pg_start() {
	run "$CONCORD" -d postgresql://127.0.0.1:1/none coverage
	case "$ERR" in *"not built"*) pg_skip_all "concord was built without libpq (-Dpostgres)" ;; esac

	# as root the cluster's owner, an unprivileged user, must reach its directory in the test's
	[ "$(id -u)" -ne 0 ] || chmod 755 "$WORK"
	PGDIR=$WORK/pg
	trap 'pg_stop; rm -rf "$WORK"' EXIT
	trap 'exit 1' INT TERM

	sh "$ROOT/tests/pg-suite/cluster.sh" start --suite "$PGDIR" >/dev/null 2>"$WORK/pg-start.err"
	case $? in
	0) ;;
	2) pg_skip_all "$(cat "$WORK/pg-start.err")" ;;
	*)
		not_ok "a throwaway cluster starts" "$(cat "$WORK/pg-start.err")"
		done_testing
		exit 1
		;;
	esac
	rm -f "$WORK/pg-start.err"
	. "$PGDIR/cluster.env"
	PSQL_BIN=$PGBIN/psql
	ok "a throwaway cluster runs on 127.0.0.1:$PG_PORT"
	PGURI=$(pg_createdb cc) || pg_skip_all "cannot create a database"
}
