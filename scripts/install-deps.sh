#!/bin/sh
# Installs every Debian 12 package Concord needs to build, test and run the demo.
# Idempotent: packages already present are skipped by apt-get; the package lists are
# refreshed only when something is missing. Runs apt-get as root, or through sudo.
set -eu

PACKAGES="
build-essential pkg-config meson ninja-build git
sqlite3 libsqlite3-dev
libcsv-dev
libgdal-dev gdal-bin libgeos-dev
libutf8proc-dev
libjansson-dev libsodium-dev
libxml2-dev
libxml2-utils
libgsl-dev
libglpk-dev glpk-utils
libyaml-dev
libmicrohttpd-dev curl
zlib1g-dev
libcurl4-openssl-dev
libpq-dev postgresql-15 postgresql-15-postgis-3
pgbouncer
chromium
"

# node and npm build the dashboard (web/). A machine that already has them (a newer Node.js
# from another repository, whose npm comes with its nodejs) keeps its own: Debian's npm would
# conflict with it.
command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
