#!/bin/sh
# A throwaway PostgreSQL cluster (POSIX sh): the one every suite of a test run shares
# (scripts/run-tests.py --backend postgres), and the one of a single suite (tests/cli/pglib.sh).
#
#   cluster.sh start DIR   initdb + pg_ctl on a free port of 127.0.0.1, sockets and data in DIR;
#                          makes the template database "cc_template" (PostGIS installed, nothing
#                          else) from which each test store is copied; prints "PORT BINDIR".
#                          Exits 2, saying why on stderr, where the server packages are missing.
#   cluster.sh start --suite DIR
#                          one suite's own cluster (tests/cli/pglib.sh): no template database
#                          (its PostGIS takes a second or more; the suite makes its databases),
#                          and PostgreSQL's defaults for commits and connections (see below).
#   cluster.sh stop DIR    stops it (immediate) and removes DIR.
#
# Either start also writes DIR/cluster.env, shell assignments for the caller to source: PG_PORT,
# PGBIN, PG_AS (the prefix that runs a command as the cluster's owner, empty but as root) and
# PG_USER_OS (that owner, empty but as root).
#
# PostgreSQL refuses to run as root: then the cluster belongs to the "postgres" user (or "nobody"),
# run through runuser (or setpriv); the caller makes DIR's parent reachable by it. CC_PG_BIN names
# another PostgreSQL's bin directory.
set -u
usage() {
	echo "usage: cluster.sh start [--suite] DIR | cluster.sh stop DIR" >&2
	exit 64
}
cmd=${1:-}
[ $# -gt 0 ] && shift
suite=false
if [ "$cmd" = start ] && [ "${1:-}" = --suite ]; then
	suite=true
	shift
fi
dir=${1:-}
[ -n "$cmd" ] && [ -n "$dir" ] || usage
bin=${CC_PG_BIN:-/usr/lib/postgresql/15/bin}

as=""
user=""
if [ "$(id -u)" -eq 0 ]; then
	for u in postgres nobody; do
		id "$u" >/dev/null 2>&1 && { user=$u; break; }
	done
	[ -n "$user" ] || { echo "running as root and no unprivileged user to run postgres as" >&2; exit 2; }
	if command -v runuser >/dev/null 2>&1; then
		as="runuser -u $user --"
	elif command -v setpriv >/dev/null 2>&1; then
		as="setpriv --reuid=$user --regid=$(id -g "$user") --init-groups --"
	else
		echo "running as root without runuser or setpriv" >&2
		exit 2
	fi
fi

case $cmd in
stop)
	[ -f "$dir/data/postmaster.pid" ] &&
		(cd / && $as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1)
	rm -rf "$dir"
	exit 0
	;;
start) ;;
*) usage ;;
esac

[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/psql" ] ||
	{ echo "no initdb/pg_ctl/psql in $bin (Debian package postgresql-15)" >&2; exit 2; }
share=$("$bin/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)
[ -f "$share/extension/postgis.control" ] ||
	{ echo "no PostGIS extension (Debian package postgresql-15-postgis-3)" >&2; exit 2; }

mkdir -p "$dir" || exit 1
if [ -n "$as" ]; then
	chmod 755 "$dir"
	chown "$user" "$dir"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! (cd / && $as "$bin/initdb" -D "$dir/data" -A trust -U concord -E UTF8 --no-locale \
	>"$dir/initdb.log" 2>&1); then
	echo "initdb failed:" >&2
	tail -5 "$dir/initdb.log" >&2
	exit 1
fi
# many small databases, each test's own: no durability. The run's shared cluster also answers a
# commit before its WAL is on disk and takes more connections than the default; a suite's own
# keeps both defaults, as its suite may follow the WAL (a standby made with pg_basebackup gets
# only flushed WAL, and refuses to start with fewer connections than its primary).
opts="-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
$suite || opts="$opts -c synchronous_commit=off -c max_connections=300"
if ! (cd / && $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-p $port -k $dir $opts" start >/dev/null 2>&1); then
	echo "the cluster did not start:" >&2
	tail -5 "$dir/server.log" >&2
	exit 1
fi
printf "PG_PORT=%s\nPGBIN='%s'\nPG_AS='%s'\nPG_USER_OS='%s'\n" "$port" "$bin" "$as" "$user" \
	>"$dir/cluster.env" || exit 1
if ! $suite && { ! "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U concord -d postgres \
	-c "CREATE DATABASE cc_template TEMPLATE template0 ENCODING 'UTF8'" >/dev/null ||
	! "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U concord -d cc_template \
		-c "CREATE EXTENSION postgis" -f "$(dirname "$0")/sqlite-compat.sql" >/dev/null; }; then
	echo "cannot make the template database" >&2
	exit 1
fi
echo "$port $bin"
