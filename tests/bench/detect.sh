#!/bin/sh
# tests/bench/detect.sh: the detection table of the nightly regression detector
# (orchestrator/changepoint.c) on synthetic series: for steps of 3, 5 and 10% at CV 2, 5 and
# 10%, the share detected, at the exact commit, and after how many nights when run night by
# night; false alerts per 1,000 series-nights on A/A histories. tests/bench/detect.c says
# how; DETECT_SERIES sets the series per row (default 100: 3-4 minutes of CPU).
# `make bench` builds obj/rel/bench_detect first.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$ROOT/obj/rel/bench_detect
[ -x "$BIN" ] || { echo "detect: $BIN is not built (make obj/rel/bench_detect)"; exit 1; }
"$BIN" "${DETECT_SERIES:-100}"
