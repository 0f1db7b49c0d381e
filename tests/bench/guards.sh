#!/bin/sh
# tests/bench/guards.sh: the cost of the guards against a busy or slow machine: the
# interference figure per trial and the speed canary per round (tests/bench/guards.c), and,
# when a lab run directory is given (GUARDS_RUN=reports/free-threading-lab-STAMP), the
# canary's share of that run's time from its metadata.json and rounds.jsonl.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$ROOT/obj/rel/bench_guards
[ -x "$BIN" ] || { echo "guards: $BIN is not built (make obj/rel/bench_guards)"; exit 1; }
"$BIN" 2000
[ -n "${GUARDS_RUN:-}" ] || exit 0
python3 - "$GUARDS_RUN" <<'PY'
import json, sys, datetime as dt
d = sys.argv[1]
m = json.load(open(d + "/metadata.json"))
rounds = [json.loads(l) for l in open(d + "/rounds.jsonl")]
t = lambda s: dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
span = (t(m["ended"]) - t(m["started"])).total_seconds()
c = [r["canary_after"] for r in rounds if r["canary_after"]]
cost = 3 * sum(c) + sum(p["wall"] * 3 for p in m["canary"]["python"])  # repetitions of C; Python's loop
print(f"canary in {d}: {len(c)} C samples, {len(m['canary']['python'])} Python samples, "
      f"about {cost:.1f} s of {span:.0f} s ({100 * cost / span:.2f}%)")
PY
