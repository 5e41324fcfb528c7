#!/bin/sh
# install-tool.sh COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is missing (as root,
# or with sudo). For the tools of `make bench` and `make soak`, which `make test` does not need.
set -eu
cmd=$1 pkg=$2
command -v "$cmd" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-tool: $cmd is missing and neither root nor sudo can install $pkg" >&2
	exit 1
fi
echo "install-tool: installing $pkg" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >&2 ||
	{ $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >&2; }
