#!/bin/sh
# tests/bench/verdicts.sh: the A/A table of the three-way verdict (same / different /
# inconclusive shares at 3, 5, 10 and 20 trials and 2, 3, 5% noise); tests/bench/verdicts.c
# says how. `make bench` builds obj/rel/bench_verdicts first.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$ROOT/obj/rel/bench_verdicts
[ -x "$BIN" ] || { echo "verdicts: $BIN is not built (make obj/rel/bench_verdicts)"; exit 1; }
"$BIN" "${VERDICT_REPS:-1000}"
