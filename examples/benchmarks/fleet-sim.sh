#!/usr/bin/env bash
# Toward thousands of instances, measured (docs/PERFORMANCE.md, "Fleet simulation"): a benchmark, not a test.
#
#   examples/benchmarks/fleet-sim.sh [N ...]     (default: 50 200 500)
#
# 1. Records real scrapes of one master by the real agent with the shipped rules: the default caps full (256
#    endpoints x 2 status classes, 50 clients) and a typical use (12 endpoints, 8 clients); prints their series.
# 2. For each N: N synthetic instances (one JVM serving the full recording, or with SIM_TEMPLATE=typical the
#    typical one, on N loopback ports, each instance with
#    values of its own, growing every scrape), scraped every SIM_INTERVAL (15 s) by vmagent collectors (one per
#    COLLECTOR_SIZE instances, 250) into a fresh VictoriaMetrics, with vmalert evaluating the shipped rules.yml
#    every SIM_INTERVAL. After SIM_SECONDS (240) it measures: active series, the store's memory (RSS) and disk
#    (after a flush), the ingestion rate, every dashboard query's latency over the last 10 minutes, and the rules'
#    evaluation time; then stops everything it started (by pid) and removes its files.
#
# Everything listens on 127.0.0.1; the synthetic instances stop themselves after SIM_SECONDS + 120 s whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
INTERVAL="${SIM_INTERVAL:-15}"
SECONDS_PER_STEP="${SIM_SECONDS:-240}"
COLLECTOR_SIZE="${COLLECTOR_SIZE:-250}"
TEMPLATE="${SIM_TEMPLATE:-full}"
[ "$TEMPLATE" = full ] || [ "$TEMPLATE" = typical ] || { echo "fleet-sim: SIM_TEMPLATE is full or typical, got '$TEMPLATE'" >&2; exit 2; }
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=(50 200 500)
for n in "${STEPS[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]{0,3}$ ]] && [ "$n" -le 2000 ] || { echo "fleet-sim: N must be 1 to 2000, got '$n'" >&2; exit 2; }
done
for tool in victoria-metrics vmagent vmalert curl; do
  command -v "$tool" >/dev/null || { echo "fleet-sim: needs $tool (apt-get install -y victoria-metrics curl)" >&2; exit 2; }
done

mvn -q -B test-compile
CP="target/classes:target/test-classes:$(cat target/child-jvm-classpath.txt)"
# exec: started with &, the background subshell becomes the JVM, so $! is its pid and the step stops it.
sim() {
  exec java -Djmx.exporter.agent=target/jmx-exporter/jmx_prometheus_javaagent.jar \
    -Dchild.jvm.classpath.file=target/child-jvm-classpath.txt \
    -Djava.util.logging.config.file=src/test/resources/logging.properties -cp "$CP" io.github.httpbandwidth.FleetSim "$@"
}

REC="$(mktemp -d)"
STEP=""
PIDS=()
stop_step() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  [ -z "$STEP" ] || rm -rf "$STEP"
  STEP=""
}
trap 'stop_step; rm -rf "$REC"' EXIT

# Free: nothing listens on it, and no socket here has it as its own port (a client's port stays in TIME_WAIT for 60 s
# after it closed, and a listener's bind to it fails then, though nothing answers on it).
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null \
    && ! grep -qsE "^ *[0-9]+: [0-9A-F]+:$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6
}
# A first port with $1 free ports after it.
free_range() {
  local first n="$1" p ok
  for first in $(shuf -i 20000-50000 -n 40); do
    ok=1
    for p in $(seq "$first" $((first + n - 1))); do port_free "$p" || { ok=0; break; }; done
    [ "$ok" = 1 ] && { echo "$first"; return 0; }
  done
  echo "fleet-sim: found no $n free ports" >&2
  exit 1
}
wait_http() {
  local i
  for i in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "fleet-sim: $1 did not answer" >&2
  exit 1
}
metric() { curl -fsS "$1/metrics" | awk -v m="$2" 'index($0, m) == 1 { s += $NF } END { printf "%.0f\n", s }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
query() { curl -fsS "$1/api/v1/query" --data-urlencode "query=$2" | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p'; }

echo "== Recorded scrapes of one master (the real agent, the shipped rules)"
(sim record "$REC")

for n in "${STEPS[@]}"; do
  STEP="$(mktemp -d)"
  step="$STEP"
  mkdir -p "$step/data"
  collectors=$(((n + COLLECTOR_SIZE - 1) / COLLECTOR_SIZE))
  first="$(free_range "$n")"
  base="$(free_range $((2 + collectors)))"
  vm="http://127.0.0.1:$base"
  sim serve "$REC/$TEMPLATE.prom" "$first" "$n" $((SECONDS_PER_STEP + 120)) > "$step/sim.log" 2>&1 &
  PIDS+=($!)
  victoria-metrics -storageDataPath="$step/data" -httpListenAddr="127.0.0.1:$base" -retentionPeriod=1d \
    > "$step/vm.log" 2>&1 &
  vm_pid=$!
  PIDS+=("$vm_pid")
  wait_http "$vm/health"
  agent_pids=()
  for g in $(seq 1 "$collectors"); do
    lo=$(((g - 1) * COLLECTOR_SIZE)); hi=$((g * COLLECTOR_SIZE)); [ "$hi" -le "$n" ] || hi="$n"
    targets=""
    for i in $(seq "$lo" $((hi - 1))); do targets="$targets${targets:+, }\"127.0.0.1:$((first + i))\""; done
    awk '/^rule_files:/ { skip = 1; next } skip && /^  - / { next } /^  evaluation_interval:/ { next } { skip = 0; print }' \
        examples/prometheus/prometheus.yml \
      | sed -e "s/\"127\.0\.0\.1:9090\"/$targets/" -e "s/^  scrape_interval: .*/  scrape_interval: ${INTERVAL}s/" \
      > "$step/scrape-$g.yml"
    vmagent -promscrape.config="$step/scrape-$g.yml" -remoteWrite.url="$vm/api/v1/write" \
      -remoteWrite.tmpDataPath="$step/buffer-$g" -httpListenAddr="127.0.0.1:$((base + g + 1))" \
      > "$step/vmagent-$g.log" 2>&1 &
    agent_pids+=($!)
    PIDS+=($!)
  done
  vmalert -rule="$ROOT/examples/prometheus/rules.yml" -datasource.url="$vm" -remoteWrite.url="$vm" \
    -remoteRead.url="$vm" -evaluationInterval="${INTERVAL}s" -notifier.url="http://127.0.0.1:9" \
    -httpListenAddr="127.0.0.1:$((base + 1))" > "$step/vmalert.log" 2>&1 &
  PIDS+=($!)
  alert="http://127.0.0.1:$((base + 1))"
  wait_http "$alert/health"

  sleep $((SECONDS_PER_STEP - 60))
  rows_before="$(metric "$vm" 'vm_rows_inserted_total')"
  sleep 60
  rows_after="$(metric "$vm" 'vm_rows_inserted_total')"
  active="$(metric "$vm" 'vm_cache_entries{type="storage/hour_metric_ids"}')"
  # The store's own count of series, and how many of them the rules recorded (names with a colon).
  curl -fsS "$vm/api/v1/status/tsdb?topN=1000" > "$step/tsdb.json"
  total="$(grep -o '"totalSeries":[0-9]*' "$step/tsdb.json" | cut -d: -f2)"
  recorded="$(sed 's/.*"seriesCountByMetricName":\[\([^]]*\)\].*/\1/' "$step/tsdb.json" \
    | grep -o '"name":"[^"]*:[^"]*","value":[0-9]*' | awk -F'"value":' '{ s += $2 } END { print s + 0 }')"
  up="$(query "$vm" 'count(up{job="scheduler-master"} == 1)')"
  vm_rss="$(rss_kb "$vm_pid")"
  agent_rss=0
  for pid in "${agent_pids[@]}"; do agent_rss=$((agent_rss + $(rss_kb "$pid"))); done
  curl -fsS "$vm/internal/force_flush" >/dev/null
  sleep 2
  disk="$(du -sb "$step/data" | cut -f1)"
  stored="$(metric "$vm" 'vm_rows{type="storage/')"
  iter_sum="$(metric "http://127.0.0.1:$((base + 1))" 'vmalert_iteration_duration_seconds_sum')"
  iter_count="$(metric "http://127.0.0.1:$((base + 1))" 'vmalert_iteration_duration_seconds_count')"
  groups="$(curl -fsS "$alert/api/v1/rules" | grep -o '"name":"scheduler-[a-z-]*"' | sort -u | wc -l)"
  echo
  echo "== $n instances, the $TEMPLATE recording ($collectors collector(s), scrape and rules every ${INTERVAL} s, ${SECONDS_PER_STEP} s)"
  echo "  instances up:                 $up of $n"
  echo "  series (store):               $total, of which recorded by the rules $recorded; active this hour $active"
  echo "  ingestion:                    $(( (rows_after - rows_before) / 60 )) samples/s"
  echo "  store memory (RSS):           $((vm_rss / 1024)) MiB, $(( vm_rss * 1024 / (total > 0 ? total : 1) )) B per series"
  echo "  collectors' memory (RSS):     $((agent_rss / 1024)) MiB"
  echo "  store disk:                   $((disk / 1024 / 1024)) MiB for $stored samples, $(awk -v d="$disk" -v s="$stored" 'BEGIN { printf "%.2f", (s > 0 ? d / s : 0) }') B per sample"
  echo "  rule evaluation:              $(awk -v s="$iter_sum" -v c="$iter_count" -v g="$groups" 'BEGIN { printf "%.1f ms per group iteration (mean over %d iterations of %d groups)", (c > 0 ? s / c * 1000 : 0), c, g }')"
  echo "  dashboard queries, last 10 minutes (median of 3):"
  (sim queries "$vm" 600) > "$step/queries.txt"
  head -6 "$step/queries.txt"
  tail -1 "$step/queries.txt"
  stop_step
done
