#!/bin/sh
# bench/allocate/run.sh: Concord's allocation LP against GLPK's own solver, glpsol, on the same
# model.
#
# Generates a problem of AREAS areas x 4 pillars and ORGS organisations (bench/allocate/gen.py,
# deterministic; the defaults give 1,600 cells and 79,200 variables), has Concord write it as a
# CPLEX LP file (`concord allocate --problem P.json --write-model P.lp`, not timed), then, best
# of REPS:
#   concord: `concord allocate --problem P.json --json`; timed: build + solve, measured inside
#            the command around cc_allocate() (the model built from the problem in memory,
#            scaled, an advanced basis, primal simplex, duals, rounding) and reported as
#            solve_seconds; the wall time of the whole command (reading the JSON, writing the
#            result) is shown too;
#   peer:    `glpsol --lp P.lp --primal` (reads the file, scales, advanced basis, primal
#            simplex: its defaults); timed: wall time of the process. `glpsol --lp P.lp --check`
#            (reading only) is timed too, so that glpsol's solve alone can be shown.
# Both optima must agree (relative 1e-8; glpsol prints 10 digits). Prints
# `case  concord_s  peer_s  ratio` (ratio = peer_s / concord_s; >= 1: Concord is faster) and
# whether the goal, Concord within 1.25x of glpsol (ratio >= 0.8), is met.
#
# Environment: AREAS (default 400), ORGS (default 50), DONORS (default 12), SEED, REPS (default
# 3), BUILD (build dir, default build-bench), OUT (default bench/out), CONCORD (use this binary
# instead of building one). Exit status: 0; 1 when the optima disagree or a command fails; 2
# when something needed is missing.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

. bench/lib.sh

AREAS=${AREAS:-400}
ORGS=${ORGS:-50}
DONORS=${DONORS:-12}
SEED=${SEED:-20210815}
REPS=${REPS:-3}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/out}
whole AREAS ORGS DONORS SEED
positive REPS

need glpsol "the peer: scripts/install-deps.sh installs the Debian package glpk-utils"
need python3

if [ -z "${CONCORD:-}" ]; then
	release_build concord
	CONCORD=$ROOT/$BUILD/concord
fi
[ -x "$CONCORD" ] || die "no concord binary at $CONCORD"

mkdir -p "$OUT"
name="allocate_${AREAS}x4_${ORGS}orgs_${DONORS}donors_seed${SEED}"
P="$OUT/$name.json"
LP="$OUT/$name.lp"
[ -s "$P" ] || python3 bench/allocate/gen.py "$AREAS" "$ORGS" "$DONORS" "$SEED" >"$P" ||
	die "the generator failed"
"$CONCORD" allocate --problem "$P" --write-model "$LP" --json >"$OUT/allocate_concord.json" ||
	die "concord allocate failed"

now() { date +%s.%N; }
secs() { python3 -c 'import sys; print("%.4f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }
best() { # best A B: the smaller
	python3 -c 'import sys; print(min(float(a) for a in sys.argv[1:]))' "$@"
}

c_solve=inf c_wall=inf g_wall=inf g_read=inf c_obj= g_obj=
i=0
while [ "$i" -lt "$REPS" ]; do
	i=$((i + 1))
	t0=$(now)
	"$CONCORD" allocate --problem "$P" --json >"$OUT/allocate_concord.json" || die "concord failed"
	t1=$(now)
	c_wall=$(best "$c_wall" "$(secs "$t0" "$t1")")
	set -- $(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(j["solve_seconds"], repr(j["objective"]), j["n_variables"], j["n_constraints"], j["status"])
' "$OUT/allocate_concord.json")
	c_solve=$(best "$c_solve" "$1")
	c_obj=$2 n_vars=$3 n_rows=$4
	[ "$5" = optimal ] || die "concord: status $5"

	t0=$(now)
	glpsol --lp "$LP" --primal >"$OUT/allocate_glpsol.log" 2>&1 || die "glpsol failed"
	t1=$(now)
	g_wall=$(best "$g_wall" "$(secs "$t0" "$t1")")
	grep -q 'OPTIMAL LP SOLUTION FOUND' "$OUT/allocate_glpsol.log" || die "glpsol: not optimal"
	g_obj=$(sed -n 's/^\* *[0-9]*: obj = *\([-0-9.eE+]*\).*/\1/p' "$OUT/allocate_glpsol.log" | tail -1)

	t0=$(now)
	glpsol --lp "$LP" --check >/dev/null 2>&1 || die "glpsol --check failed"
	t1=$(now)
	g_read=$(best "$g_read" "$(secs "$t0" "$t1")")
done

python3 - "$c_obj" "$g_obj" <<'PY' || die "the optima disagree"
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
ok = abs(a - b) <= 1e-8 * max(1.0, abs(a), abs(b))
print('# optimum: concord %.10g, glpsol %.10g: %s' % (a, b, 'agree' if ok else 'DISAGREE'), file=sys.stderr)
sys.exit(0 if ok else 1)
PY

python3 - "$c_solve" "$c_wall" "$g_wall" "$g_read" "$n_vars" "$n_rows" "$REPS" "$name" <<'PY' | tee "$OUT/allocate.txt"
import sys
c_solve, c_wall, g_wall, g_read = map(float, sys.argv[1:5])
n_vars, n_rows, reps, name = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
g_solve = max(g_wall - g_read, 1e-9)
print('# %s: %s variables, %s constraints; best of %s; primal simplex both' % (name, n_vars, n_rows, reps))
print('%-44s %10s %10s %7s' % ('case', 'concord_s', 'peer_s', 'ratio'))
rows = [
    ('build+solve vs glpsol read+solve', c_solve, g_wall),
    ('build+solve vs glpsol solve (minus read)', c_solve, g_solve),
    ('whole command vs glpsol read+solve', c_wall, g_wall),
]
for label, c, g in rows:
    print('%-44s %10.3f %10.3f %7.2f' % (label, c, g, g / c))
print('# glpsol reading the LP file alone: %.3f s' % g_read)
print('# goal: build+solve within 1.25x of glpsol (ratio >= 0.80): %s' %
      ('met' if g_wall / c_solve >= 0.8 else 'missed'))
PY
