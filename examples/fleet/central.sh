# The two-tier fleet of examples/full-stack-deploy.sh (CENTRAL=1), sourced by it: a collector per group of masters
# (vmagent: it scrapes and remote-writes, buffering on disk while the central store is away) and a central store
# (VictoriaMetrics, single node: it takes remote write, replayed late samples included, and answers the Prometheus
# query API), with the shipped recording rules and alerts evaluated centrally by vmalert. Debian's victoria-metrics
# package brings all three. Everything listens on 127.0.0.1 and is stopped by pid.
#
# CENTRAL_PORT (8428): the central store, CENTRAL_URL; COLLECTOR_PORT (8429): collector g listens on
# COLLECTOR_PORT+g-1; VMALERT_PORT (8880); MASTERS_PER_COLLECTOR (3): masters 1-3 go to collector 1, 4-6 to 2, ...

CENTRAL_PORT="${CENTRAL_PORT:-8428}"
COLLECTOR_PORT="${COLLECTOR_PORT:-8429}"
VMALERT_PORT="${VMALERT_PORT:-8880}"
MASTERS_PER_COLLECTOR="${MASTERS_PER_COLLECTOR:-3}"
CENTRAL_DIR="$STATE/central"
CENTRAL_URL="http://127.0.0.1:$CENTRAL_PORT"

collectors() { printf '%s' $(((MASTERS + MASTERS_PER_COLLECTOR - 1) / MASTERS_PER_COLLECTOR)); }
collector_port() { printf '%s' $((COLLECTOR_PORT + $1 - 1)); }
central_pid() { running_pid central "-storageDataPath=$CENTRAL_DIR/data"; }
collector_pid() { running_pid "collector-$1" "-remoteWrite.tmpDataPath=$CENTRAL_DIR/collector-$1/buffer"; }
vmalert_pid() { running_pid vmalert "-rule=$CENTRAL_DIR/rules.yml"; }
# Every collector with a pid file, whatever MASTERS says now.
started_collectors() {
  local f n
  for f in "$RUN"/collector-*.pid; do
    [ -f "$f" ] || continue
    n="$(basename "$f" .pid)"
    echo "${n#collector-}"
  done | sort -n
}

# VictoriaMetrics' programs answer /health with "OK": any other answer is another program on that port.
vm_healthy() { [ "$(curl -fsS --max-time 5 "$1")" = OK ]; }

ensure_victoria_metrics_installed() {
  command -v victoria-metrics >/dev/null && command -v vmagent >/dev/null && command -v vmalert >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "VictoriaMetrics is not installed; installing Debian's package (apt-get install -y victoria-metrics)..."
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq victoria-metrics) >"$RUN/apt.log" 2>&1; then
      return 0
    fi
    fail "installing victoria-metrics failed (see $RUN/apt.log); nothing more was started"
  fi
  fail "CENTRAL=1 needs victoria-metrics, vmagent and vmalert (Debian's package victoria-metrics); install it with 'sudo apt-get install -y victoria-metrics'"
}

# The central tier's ports, as stack_ports lists them (after check_central_ports: MASTERS_PER_COLLECTOR is a number).
central_ports() {
  local g
  printf '%s CENTRAL_PORT\n%s VMALERT_PORT\n%s COLLECTOR_PORT\n' "$CENTRAL_PORT" "$VMALERT_PORT" "$COLLECTOR_PORT"
  for g in $(seq 2 "$(collectors)"); do
    printf "%s collector %s's COLLECTOR_PORT+%s\n" "$(collector_port "$g")" "$g" $((g - 1))
  done
}

check_central_ports() {
  local g
  case "$MASTERS_PER_COLLECTOR" in
    [1-9]) ;;
    *) fail "MASTERS_PER_COLLECTOR=$MASTERS_PER_COLLECTOR is not a number of masters; use 1 to 9" ;;
  esac
  check_port_value CENTRAL_PORT "$CENTRAL_PORT"
  check_port_value VMALERT_PORT "$VMALERT_PORT"
  check_port_value "COLLECTOR_PORT (of collector $(collectors))" "$(collector_port "$(collectors)")"
  central_pid >/dev/null || ! port_taken "$CENTRAL_PORT" \
    || fail "port $CENTRAL_PORT (CENTRAL_PORT) on 127.0.0.1 is taken by another program; stop it or set CENTRAL_PORT. Nothing was started."
  vmalert_pid >/dev/null || ! port_taken "$VMALERT_PORT" \
    || fail "port $VMALERT_PORT (VMALERT_PORT) on 127.0.0.1 is taken by another program; stop it or set VMALERT_PORT. Nothing was started."
  for g in $(seq 1 "$(collectors)"); do
    collector_pid "$g" >/dev/null || ! port_taken "$(collector_port "$g")" \
      || fail "port $(collector_port "$g") (COLLECTOR_PORT of collector $g) on 127.0.0.1 is taken by another program; stop it or set COLLECTOR_PORT. Nothing was started."
  done
}

# Collector g's scrape configuration: the shipped job (its interval and the _bucket renaming), its group's masters.
prepare_collector_config() {
  local g="$1" first last i targets
  first=$(((g - 1) * MASTERS_PER_COLLECTOR + 1))
  last=$((g * MASTERS_PER_COLLECTOR))
  [ "$last" -le "$MASTERS" ] || last="$MASTERS"
  targets="\"127.0.0.1:$(metrics_port "$first")\""
  for i in $(seq $((first + 1)) "$last"); do targets="$targets, \"127.0.0.1:$(metrics_port "$i")\""; done
  mkdir -p "$CENTRAL_DIR/collector-$g/buffer"
  # vmagent reads Prometheus' scrape configuration; rules and their interval are the central vmalert's.
  awk '/^rule_files:/ { skip = 1; next } skip && /^  - / { next } /^  evaluation_interval:/ { next } { skip = 0; print }' \
      "$ROOT/examples/prometheus/prometheus.yml" | sed "s/\"127\.0\.0\.1:9090\"/$targets/" > "$CENTRAL_DIR/collector-$g/scrape.yml"
  local out
  out="$(vmagent -dryRun -promscrape.config="$CENTRAL_DIR/collector-$g/scrape.yml" 2>&1)" \
    || { printf 'full-stack-deploy: collector %s'"'"'s scrape configuration is not valid; it said:\n%s\n' "$g" "$out" >&2; exit 1; }
}

start_central() {
  local pid
  if pid="$(central_pid)"; then say "The central store already runs (pid $pid)."; return 0; fi
  mkdir -p "$CENTRAL_DIR/data"
  # Response caching off: samples a collector replays after an outage must show in queries at once, and a query
  # at "now" sees the samples of the last scrape (latency offset 5 s, the scrape interval, not 30 s).
  setsid nohup victoria-metrics -storageDataPath="$CENTRAL_DIR/data" -httpListenAddr="127.0.0.1:$CENTRAL_PORT" \
    -retentionPeriod=30d -search.disableCache -search.latencyOffset=5s \
    >>"$RUN/central.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$RUN/central.pid"
  wait_for "The central store (VictoriaMetrics)" "$pid" "$RUN/central.log" vm_healthy "$CENTRAL_URL/health" \
    || start_failed central
}

# start_collector G [again]: with "again" (start-collector after stop-collector), collector G keeps the masters the
# stack's start gave it.
start_collector() {
  local g="$1" pid
  if pid="$(collector_pid "$g")"; then say "Collector $g already runs (pid $pid)."; return 0; fi
  if [ "${2:-}" = again ]; then
    [ -f "$CENTRAL_DIR/collector-$g/scrape.yml" ] \
      || fail "collector $g has no configuration; start the stack with CENTRAL=1 (and MASTERS=N) first"
  else
    prepare_collector_config "$g"
  fi
  # Scrapes go to disk when the central store does not answer (up to 1 GB), and are sent when it is back.
  setsid nohup vmagent -promscrape.config="$CENTRAL_DIR/collector-$g/scrape.yml" \
    -remoteWrite.url="$CENTRAL_URL/api/v1/write" -remoteWrite.tmpDataPath="$CENTRAL_DIR/collector-$g/buffer" \
    -remoteWrite.maxDiskUsagePerURL=1GB -httpListenAddr="127.0.0.1:$(collector_port "$g")" \
    >>"$RUN/collector-$g.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$RUN/collector-$g.pid"
  wait_for "Collector $g (vmagent)" "$pid" "$RUN/collector-$g.log" vm_healthy "http://127.0.0.1:$(collector_port "$g")/health" \
    || start_failed "collector-$g"
}

start_vmalert() {
  local pid
  if pid="$(vmalert_pid)"; then say "vmalert already runs (pid $pid)."; return 0; fi
  cp "$ROOT/examples/prometheus/rules.yml" "$CENTRAL_DIR/rules.yml"
  # Recording rules and alert states are written back to the central store; alerts go to -notifier.url (an
  # Alertmanager; none runs in this example, so firing alerts are in the ALERTS series and vmalert's own page).
  setsid nohup vmalert -rule="$CENTRAL_DIR/rules.yml" -datasource.url="$CENTRAL_URL" \
    -remoteWrite.url="$CENTRAL_URL" -remoteRead.url="$CENTRAL_URL" -evaluationInterval=5s \
    -notifier.url="http://127.0.0.1:9093" -httpListenAddr="127.0.0.1:$VMALERT_PORT" \
    >>"$RUN/vmalert.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$RUN/vmalert.pid"
  wait_for "vmalert" "$pid" "$RUN/vmalert.log" vm_healthy "http://127.0.0.1:$VMALERT_PORT/health" \
    || start_failed vmalert
}

# CENTRAL_URL in the .env file, beside MASTER_API_KEY.
write_central_url() {
  [ -f "$ENV_FILE" ] || return 0
  local rest
  rest="$(grep -v '^CENTRAL_URL=' "$ENV_FILE" || true)"
  printf '%s\nCENTRAL_URL=%s\n' "$rest" "$CENTRAL_URL" > "$ENV_FILE"
}

# Before any master starts: the engines are there and every collector's configuration is valid.
prepare_central_tier() {
  local g
  ensure_victoria_metrics_installed
  for g in $(seq 1 "$(collectors)"); do
    prepare_collector_config "$g"
  done
}

start_central_tier() {
  local g
  start_central
  for g in $(seq 1 "$(collectors)"); do
    start_collector "$g" again
  done
  start_vmalert
  write_central_url
}

central_summary() {
  local g lines=""
  for g in $(seq 1 "$(collectors)"); do
    lines="$lines
  Collector $g (vmagent):             http://127.0.0.1:$(collector_port "$g")/targets"
  done
  cat <<SUMMARY
  Central store (VictoriaMetrics):   $CENTRAL_URL   (CENTRAL_URL in $ENV_FILE; Prometheus API: $CENTRAL_URL/api/v1/query)$lines
  Rules and alerts (vmalert):        http://127.0.0.1:$VMALERT_PORT
SUMMARY
}

central_status() {
  local pid any=1 g
  if pid="$(central_pid)"; then say "central:    running, pid $pid, $CENTRAL_URL"; any=0; else say "central:    not running"; fi
  for g in $(started_collectors); do
    if pid="$(collector_pid "$g")"; then
      say "collector $g: running, pid $pid, http://127.0.0.1:$(collector_port "$g")"
      any=0
    else
      say "collector $g: not running"
    fi
  done
  if pid="$(vmalert_pid)"; then say "vmalert:    running, pid $pid, http://127.0.0.1:$VMALERT_PORT"; any=0; else say "vmalert:    not running"; fi
  return $any
}

stop_central_tier() {
  local g
  stop_one vmalert
  for g in $(started_collectors); do stop_one "collector-$g"; done
  stop_one central
}

central_pids() {
  local g
  central_pid || true
  vmalert_pid || true
  for g in $(started_collectors); do collector_pid "$g" || true; done
}

collector_number() {
  case "${1:-}" in
    [1-9]) printf '%s' "$1" ;;
    '') printf 1 ;;
    *) fail "a collector is a number, 1 to 9; got '$1'" ;;
  esac
}
