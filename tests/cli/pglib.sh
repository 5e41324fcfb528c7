# A throwaway PostgreSQL cluster for CLI tests (POSIX sh). Source it after lib.sh, then call
# pg_start: it skips the whole test (saying why, exit 0) where the server packages, PostGIS, psql
# or concord's PostgreSQL backend are missing; otherwise it runs initdb and pg_ctl on a free port
# of 127.0.0.1 with the sockets in the test's directory, makes the database "cc", and sets
#   PG_PORT   the server's port
#   PGURI     postgresql://concord@127.0.0.1:PORT/cc (the store's URI)
#   PGBIN, PSQL_BIN, PGDIR
# and stops the server at exit (a failing test leaves no server behind). PostgreSQL refuses to run
# as root: then the cluster belongs to the "postgres" user (or "nobody"), run through runuser (or
# setpriv). CC_PG_BIN names another PostgreSQL's bin directory.
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

pg_stop() {
	[ -n "${PGDIR:-}" ] && [ -f "$PGDIR/data/postmaster.pid" ] &&
		(cd / && $PG_AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1)
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
	PGBIN=${CC_PG_BIN:-/usr/lib/postgresql/15/bin}
	[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
		pg_skip_all "no initdb/pg_ctl in $PGBIN (Debian package postgresql-15)"
	[ -f "$("$PGBIN/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)/extension/postgis.control" ] ||
		pg_skip_all "no PostGIS extension (Debian package postgresql-15-postgis-3)"
	PSQL_BIN=$PGBIN/psql
	[ -x "$PSQL_BIN" ] || PSQL_BIN=$(command -v psql) || pg_skip_all "no psql"
	run "$CONCORD" -d postgresql://127.0.0.1:1/none coverage
	case "$ERR" in *"not built"*) pg_skip_all "concord was built without libpq (-Dpostgres)" ;; esac

	# PostgreSQL refuses to run as root: then the cluster belongs to an unprivileged user.
	PG_AS=""
	if [ "$(id -u)" -eq 0 ]; then
		PG_USER_OS=""
		for u in postgres nobody; do
			id "$u" >/dev/null 2>&1 && { PG_USER_OS=$u; break; }
		done
		[ -n "$PG_USER_OS" ] || pg_skip_all "running as root and no unprivileged user to run postgres as"
		if command -v runuser >/dev/null 2>&1; then
			PG_AS="runuser -u $PG_USER_OS --"
		elif command -v setpriv >/dev/null 2>&1; then
			PG_AS="setpriv --reuid=$PG_USER_OS --regid=$(id -g "$PG_USER_OS") --init-groups --"
		else
			pg_skip_all "running as root without runuser or setpriv"
		fi
		chmod 755 "$WORK"
	fi
	PGDIR=$WORK/pg
	mkdir "$PGDIR"
	[ -n "$PG_AS" ] && chown "$PG_USER_OS" "$PGDIR"
	trap 'pg_stop; rm -rf "$WORK"' EXIT
	trap 'exit 1' INT TERM

	PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if ! (cd / && $PG_AS "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U concord -E UTF8 --no-locale \
		>"$PGDIR/initdb.log" 2>&1); then
		not_ok "initdb creates a cluster" "$(tail -5 "$PGDIR/initdb.log")"
		done_testing
		exit 1
	fi
	if ! (cd / && $PG_AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
		-o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
		start >/dev/null 2>&1); then
		not_ok "the cluster starts" "$(tail -5 "$PGDIR/server.log")"
		done_testing
		exit 1
	fi
	ok "a throwaway cluster runs on 127.0.0.1:$PG_PORT"
	PGURI=$(pg_createdb cc) || pg_skip_all "cannot create a database"
}
