#!/bin/sh
# Installs what `make fuzz` needs beyond scripts/install-deps.sh: clang and its runtime
# libraries (libFuzzer, the sanitizers). Idempotent; runs apt-get as root, or through sudo.
set -eu

PACKAGES="clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-fuzz-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
echo "install-fuzz-deps: installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
