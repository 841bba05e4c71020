#!/usr/bin/env bash
# Side by side: a JMH benchmark of this working tree against the same benchmark of an earlier commit, one JVM fork
# at a time, alternating (base, this, this, base, base, this, ...), so that whatever slows this machine for a while
# (on a shared 2-core VM, whole forks of either build can run 30% slower for tens of seconds) falls on both builds
# alike. Prints every fork's score, then per build the median, the lowest and the highest, and this build's median
# less the base's. Figures and how to read them: docs/PERFORMANCE.md.
#
#   examples/benchmarks/compare.sh BASE [ROUNDS] [JMH options...]
#
# BASE: a commit (built in a git worktree under target/compare, removed afterwards). ROUNDS: forks per build
# (default 8). JMH options are added to each run (e.g. -t 2, -p clients=header). Environment: BENCH, the benchmark
# (default 'RecordingBenchmark.bandwidthStats$'); JMH_ARGS, warm-up and measurement (default '-wi 3 -w 2s -i 4 -r 2s').
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
base_commit="$(git rev-parse --verify --quiet "$1^{commit}")" || { echo "compare.sh: BASE '$1' is not a commit" >&2; exit 2; }
shift
rounds=8
if [ $# -ge 1 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  rounds="$1"
  shift
fi
[ "$rounds" -ge 1 ] || { echo "compare.sh: ROUNDS must be 1 or more, was $rounds" >&2; exit 2; }
bench="${BENCH:-RecordingBenchmark.bandwidthStats\$}"
read -r -a jmh_args <<<"${JMH_ARGS:--wi 3 -w 2s -i 4 -r 2s}"

out="target/compare"
base_tree="$out/base-${base_commit:0:12}"
mkdir -p "$out"
rm -f "$out"/*.csv
cleanup() { git worktree remove --force "$base_tree" >/dev/null 2>&1 || rm -rf "$base_tree"; git worktree prune; }
trap cleanup EXIT
cleanup
git worktree add -q --detach "$base_tree" "$base_commit"

echo "compare.sh: building this tree and ${base_commit:0:12} (mvn -Pbenchmarks -DskipTests test-compile)"
mvn -q -B -Pbenchmarks -DskipTests test-compile
(cd "$base_tree" && mvn -q -B -Pbenchmarks -DskipTests test-compile)

run() { # $1: base or this; $2: round; then JMH options
  local dir=. label="$1" round="$2"
  shift 2
  [ "$label" = base ] && dir="$base_tree"
  local csv="$PWD/$out/$label-$round.csv"
  (cd "$dir" && java -cp "target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)" \
    org.openjdk.jmh.Main "$bench" -f 1 "${jmh_args[@]}" "$@" -rf csv -rff "$csv" >/dev/null 2>&1) \
    || { echo "compare.sh: the $label build's run $round failed; run it by hand to see why" >&2; exit 1; }
  # Benchmark, parameters, score: one line per benchmark the pattern matched.
  awk -F, -v label="$label" -v round="$round" 'NR > 1 {
      name = $1; gsub(/"|io\.github\.httpbandwidth\./, "", name); params = ""
      for (i = 8; i <= NF; i++) { p = $i; gsub(/"/, "", p); params = params " " p }
      printf "%s%s\t%s\t%s\t%s\n", name, params, label, round, $5 }' "$csv"
}

echo "compare.sh: $rounds forks per build of $bench ${jmh_args[*]} $*; base ${base_commit:0:12}, this $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' with changes')"
results="$out/results.tsv"
: >"$results"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="base this"; else order="this base"; fi
  for label in $order; do
    run "$label" "$round" "$@" | tee -a "$results" | awk -F'\t' '{ printf "  fork %s %-4s %s: %s\n", $3, $2, $1, $4 }'
  done
done

echo "per build (ns/op or the benchmark's unit): median, lowest, highest of the forks"
sort -t$'\t' -k1,1 -k2,2 -k4,4g "$results" | awk -F'\t' '
  function flush() {
    if (n == 0) return
    median = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "  %-48s %-4s median %8.3f  lowest %8.3f  highest %8.3f  (%d forks)\n", key, build, median, v[1], v[n], n
    med[key, build] = median; keys[key] = 1; count[build]++; only[build] = key; n = 0
  }
  function less(k, t, b) {
    printf "  %-48s this less base: %+.3f (%+.1f%%)\n", k, med[t, "this"] - med[b, "base"], 100 * (med[t, "this"] / med[b, "base"] - 1)
  }
  { if ($1 != key || $2 != build) { flush(); key = $1; build = $2 } v[++n] = $4 }
  END {
    flush()
    for (k in keys) if ((k, "base") in med && (k, "this") in med) { less(k, k, k); paired++ }
    # One benchmark each whose parameters differ (an older commit without a @Param): compare those two.
    if (!paired && count["base"] == 1 && count["this"] == 1)
      less(only["this"] " / " only["base"], only["this"], only["base"])
  }'
