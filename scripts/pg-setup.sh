#!/bin/sh
# One command to put a mission on PostgreSQL on this machine (Debian 12), as root or with sudo:
#
#   sh scripts/pg-setup.sh DATABASE [concord init options...]
#   e.g. sh scripts/pg-setup.sh afg --mission AFG-2021 --name "Afghanistan" --country AFG
#
# Installs PostgreSQL 15 and PostGIS (Debian packages), starts the distribution's cluster, makes
# a login role for the user and DATABASE owned by it with PostGIS installed (an extension needs
# a superuser, so it is made here rather than by concord), then runs `concord init` on it and
# prints the store's URI. Safe to run again: what exists is kept. CONCORD names the program
# (default: build/concord, else concord on PATH); PGPORT the cluster's port (default 5432).
set -eu
db=${1:-}
[ -n "$db" ] || { sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 2; }
shift
case $db in *[!a-z0-9_]*) echo "pg-setup: DATABASE must be lower-case letters, digits and _" >&2; exit 2 ;; esac
port=${PGPORT:-5432}
root=$(cd "$(dirname "$0")/.." && pwd)
concord=${CONCORD:-}
[ -n "$concord" ] || { [ -x "$root/build/concord" ] && concord=$root/build/concord; } || concord=concord

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
if ! dpkg -s postgresql-15 postgresql-15-postgis-3 >/dev/null 2>&1; then
	echo "pg-setup: installing postgresql-15 and postgresql-15-postgis-3"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql-15 postgresql-15-postgis-3
fi
pg_lsclusters -h 2>/dev/null | grep -q '^15 *main ' || $sudo pg_createcluster 15 main -p "$port"
pg_lsclusters -h | grep -q '^15 *main .* online' || $sudo pg_ctlcluster 15 main start

as_pg() { # as_pg SQL [DB]: runs SQL as the cluster's superuser
	(cd / && $sudo runuser -u postgres -- psql -X -q -At -p "$port" -d "${2:-postgres}" -c "$1")
}
# the database belongs to the role of the user who runs concord (peer authentication over the
# local socket); other users and hosts need a password (~/.pgpass) or a certificate and a
# pg_hba.conf line (README, "Running a mission on PostgreSQL")
user=${CONCORD_PG_USER:-${SUDO_USER:-$(id -un)}}
[ "$(as_pg "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" = 1 ] ||
	as_pg "CREATE ROLE \"$user\" LOGIN"
[ "$(as_pg "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] ||
	as_pg "CREATE DATABASE $db OWNER \"$user\" ENCODING 'UTF8' TEMPLATE template0"
[ "$(as_pg "SELECT 1 FROM pg_extension WHERE extname = 'postgis'" "$db")" = 1 ] ||
	as_pg "CREATE EXTENSION postgis" "$db"

uri="postgresql:///$db?host=/var/run/postgresql&port=$port"
if [ "$user" = "$(id -un)" ]; then
	"$concord" -d "$uri" init "$@"
else
	$sudo runuser -u "$user" -- "$concord" -d "$uri" init "$@"
fi
echo "store: $uri"
echo "use it with: export CONCORD_DB='$uri'"
