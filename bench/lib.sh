# bench/lib.sh: the helpers the bench/*/run.sh scripts share, so that each decides once how a
# benchmark checks its variables, finds or installs what it needs and builds Concord. Sourced
# (`. bench/lib.sh`) from the top of the tree, after `set -eu` and `cd "$ROOT"`; defines
# functions only, and reads BUILD when one is called.
#
# Exit status, as every run.sh documents it: 1 when a command fails (die), 2 when something
# needed is missing or a variable is wrong (usage).

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }
usage() { say "bench: $*"; exit 2; }

# number NAME VALUE: VALUE is a whole number, else usage.
number() {
	case $2 in '' | *[!0-9]*) usage "$1 must be a whole number, not '$2'" ;; esac
}

# whole VAR...: each variable named holds a whole number.
whole() {
	for _v; do
		eval "number $_v \"\${$_v}\""
	done
}

# positive VAR...: each variable named holds a whole number of at least 1.
positive() {
	for _v; do
		eval "number $_v \"\${$_v}\""
		eval "[ \"\${$_v}\" -ge 1 ]" || usage "$_v must be at least 1"
	done
}

# need COMMAND [HINT]: COMMAND is on the PATH, else usage (HINT says where it comes from).
need() {
	command -v "$1" >/dev/null 2>&1 || usage "$1 is needed${2:+ ($2)}"
}

# as_root COMMAND...: runs it as root, through sudo unless this is root already.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		usage "need root or sudo to run: $*"
	fi
}

# apt_install PACKAGE...: installs the Debian packages, refreshing the package lists only when
# the first attempt fails (they may be stale or absent in a fresh container).
apt_install() {
	say "bench: installing $* (Debian)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$@" >&2 || {
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends "$@" >&2
	} || usage "cannot install $*"
}

# duckdb_node DIR VERSION: @duckdb/node-api at VERSION in DIR/node_modules, installed with npm
# when absent or at another version (the DuckDB peers run in Node).
duckdb_node() {
	need node "the DuckDB peer runs in Node"
	need npm "the DuckDB peer is installed with npm"
	if [ ! -f "$1/node_modules/@duckdb/node-api/package.json" ] ||
		! grep -q "\"version\": \"$2\"" \
			"$1/node_modules/@duckdb/node-api/package.json"; then
		say "bench: npm install @duckdb/node-api@$2 into $1"
		mkdir -p "$1"
		(cd "$1" && npm install --no-audit --no-fund --silent "@duckdb/node-api@$2") >&2 ||
			die "npm install failed"
	fi
}

# release_build TARGET...: builds the ninja targets in $BUILD, first set up as a release tree
# when it is not a build tree yet.
release_build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		say "bench: meson setup $BUILD --buildtype=release"
		meson setup "$BUILD" --buildtype=release >&2 || die "meson setup failed"
	fi
	ninja -C "$BUILD" "$@" >&2 || die "build failed"
}

# warn_buildtype: a warning when $BUILD is a build tree of another type than release (as when
# `ninja -C BUILD bench-...` runs a script against a debug tree).
warn_buildtype() {
	[ -f "$BUILD/build.ninja" ] || return 0
	_bt=$(meson introspect "$BUILD" --buildoptions 2>/dev/null | python3 -c '
import json, sys
print(next((o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"), "?"))
' 2>/dev/null || echo '?')
	[ "$_bt" = release ] ||
		say "bench: warning: $BUILD is a '$_bt' build;" \
			"numbers are meaningful only for release"
}

# tmpdir TEMPLATE: makes TMP a new directory (mktemp -d TEMPLATE), removed when the script
# exits; an interrupt exits 130. A script that must stop processes too sets its own EXIT trap
# after this, and removes "$TMP" there.
tmpdir() {
	TMP=$(mktemp -d "$1") || die "cannot make a directory from $1"
	trap 'rm -rf "$TMP"' EXIT
	trap 'exit 130' INT TERM
}

# field FILE KEY: the value of KEY=VALUE in FILE, as bench/import_3w/runstat.c writes them (the
# first, should KEY= appear more than once).
field() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

# cpu FILE: the CPU seconds (user + system) of a runstat FILE.
cpu() { awk -v u="$(field "$1" user_s)" -v s="$(field "$1" sys_s)" 'BEGIN { print u + s }'; }

# min A B: the smaller number; A when B is empty (the first run of a best-of).
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
