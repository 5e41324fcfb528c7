#!/bin/sh
# Builds the libFuzzer targets of fuzz/ in their own build directory (clang,
# -fsanitize=fuzzer,address,undefined) and runs each for FUZZ_SECONDS seconds (default 60) on a
# copy of its seed corpus. Inputs that crash are saved in fuzz/crashes/TARGET/; the script fails
# when any target crashed. FUZZ_TARGETS="csv plan" runs only those; FUZZ_BUILD names the build
# directory (default build-fuzz); FUZZ_TIMEOUT the seconds one input may take (default 25; a
# wall-clock alarm, so a fuzzer run at low priority on a loaded machine wants more). Each
# target's line ends with the CPU seconds it had (on a busy machine less than FUZZ_SECONDS,
# which is wall time). A crash found and fixed belongs, as a regression input, in
# tests/data/fuzz-regressions/TARGET-NAME, which tests/unit/t-fuzz-regressions.c replays.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TIMEOUT=${FUZZ_TIMEOUT:-25}
TARGETS=${FUZZ_TARGETS:-"csv hxl import_3w events needs indicators lessons plan areas gazetteer iati survey api"}
cd "$ROOT"

if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" --buildtype=debugoptimized -Dfuzz=true -Dwerror=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
fi
ninja -C "$BUILD" fuzz-targets

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export CC_SOURCE_ROOT="$ROOT"

# CPU: user + system seconds of this script's finished children, from the shell's own `times`
# (run in this shell, not in a command substitution, whose children are others).
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
cpu_now() {
	times >"$TIMES"
	CPU=$(awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		printf "%d", t
	}' "$TIMES")
}

failed=""
for t in $TARGETS; do
	corpus="$BUILD/fuzz/corpus-$t"   # the seeds plus what the fuzzer finds; kept between runs
	crashes="fuzz/crashes/$t"
	mkdir -p "$corpus" "$crashes"
	log="$BUILD/fuzz/$t.log"
	echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)"
	cpu_now
	cpu0=$CPU
	if "$BUILD/fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout="$TIMEOUT" \
		-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"$corpus" "fuzz/corpus/$t" >"$log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+.*DONE)' \
			"$log" | tr '\n' ' '
		# the CPU time the target had (a busy machine gives it less than the wall time)
		cpu_now
		echo "cpu_seconds: $((CPU - cpu0))"
	else
		echo "fuzz: $t CRASHED; input saved in $crashes/; see $log"
		grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 || true
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed"
	exit 1
fi
echo "fuzz: no crash in $TARGETS"
