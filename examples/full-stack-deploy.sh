#!/usr/bin/env bash
# The example stack: the scheduler master (HTTPS API with the bandwidth monitor) under the JMX exporter agent,
# and Prometheus scraping it with the shipped configuration and rules.
#
#   examples/full-stack-deploy.sh start    builds what is missing, starts what is not running, waits until
#                                          everything answers, prints the URLs
#   examples/full-stack-deploy.sh stop     stops exactly what start started
#   examples/full-stack-deploy.sh status   says what runs
#   examples/full-stack-deploy.sh restart-master N
#                                          stops master N and starts it again (a fleet member's restart)
#   examples/full-stack-deploy.sh stop-collector [G] | start-collector [G] | stop-central | start-central
#                                          (CENTRAL=1) an outage of collector G (1 by default) or of the central
#                                          store, and its end
#
# CENTRAL=1 (with MASTERS=N) runs the fleet on two tiers instead of one Prometheus: a collector (vmagent) per group of
# MASTERS_PER_COLLECTOR masters, remote-writing to a central store (VictoriaMetrics) that answers the Prometheus query
# API at CENTRAL_URL (also written into .env), with the shipped recording rules and alerts evaluated there by
# vmalert. See examples/fleet/central.sh for its ports.
#
# MASTERS=N (1 to 9, default 1) starts a fleet of N masters, each under its own agent, all scraped by the one
# Prometheus (instance label 127.0.0.1:<its metrics port>). They share the API key.
# Ports (all on 127.0.0.1): MASTER_PORT (8080), METRICS_PORT (9090, the agent), PROMETHEUS_PORT (9091); master i
# (from 1) listens on MASTER_PORT+i-1 and its agent on METRICS_PORT+2(i-1): 8080/9090, 8081/9092, 8082/9094.
# Files: MASTER_ENV_FILE (.env at the repository root: MASTER_API_KEY, created on first start),
# STACK_STATE_DIR (examples/scheduler-master/state: certificate, artifacts, logs, pids, Prometheus data; master i>1
# keeps its certificate and artifacts in master-i below it),
# JMX_EXPORTER_CONFIG (the agent's configuration, jmx-exporter-config.yaml at the repository root).
#
# AGENT=otel runs the masters under the OpenTelemetry Java agent instead (the jar from Maven Central), with the
# shipped integrations/opentelemetry/bandwidth-otel-rules.yaml (OTEL_JMX_CONFIG), its metrics served in the Prometheus
# format by the agent's Prometheus exporter on the same METRICS_PORT and scraped by the same Prometheus: the
# undertow_bandwidth_* names (docs/BANDWIDTH_MONITORING.md, "OpenTelemetry", maps them to scheduler_http_*).
# AGENT=jmx (the default) is the JMX exporter agent. Stop the stack before switching.
set -euo pipefail
# Debian's Maven 3.8.7 ends its quiet output with colour resets (ESC[0m) even in batch mode; this keeps them out.
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/scheduler-master"
JAR="$EXAMPLE/target/scheduler-master.jar"
READER="${AGENT:-jmx}"
case "$READER" in
  jmx|otel) ;;
  *) printf 'full-stack-deploy: AGENT=%s is not a reader; use AGENT=jmx (the JMX exporter agent, the default) or AGENT=otel (the OpenTelemetry Java agent)\n' "$READER" >&2; exit 1 ;;
esac
AGENT_JAR="$EXAMPLE/target/agent/jmx_prometheus_javaagent.jar"
OTEL_JAR="$EXAMPLE/target/agent/opentelemetry-javaagent.jar"
RULES="${JMX_EXPORTER_CONFIG:-$ROOT/jmx-exporter-config.yaml}"
OTEL_RULES="${OTEL_JMX_CONFIG:-$ROOT/integrations/opentelemetry/bandwidth-otel-rules.yaml}"
MASTER_PORT="${MASTER_PORT:-8080}"
METRICS_PORT="${METRICS_PORT:-9090}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9091}"
MASTERS="${MASTERS:-1}"
STATE="${STACK_STATE_DIR:-$EXAMPLE/state}"
ENV_FILE="${MASTER_ENV_FILE:-$ROOT/.env}"
RUN="$STATE/run"
PROM_DIR="$STATE/prometheus"
CENTRAL="${CENTRAL:-0}"
case "$CENTRAL" in
  0|1) ;;
  *) printf 'full-stack-deploy: CENTRAL=%s: use CENTRAL=1 (collectors and a central store) or leave it out\n' "$CENTRAL" >&2; exit 1 ;;
esac

say() { printf '%s\n' "$*"; }
fail() { printf 'full-stack-deploy: %s\n' "$*" >&2; exit 1; }

# A pid file names a process we started; it counts only while that process still runs our command line.
running_pid() {
  local name="$1" marker="$2" pid
  [ -f "$RUN/$name.pid" ] || return 1
  pid="$(cat "$RUN/$name.pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  printf '%s' "$pid"
}
# Master i: its name (pid and log files), ports and state directory. Master 1 keeps the names of a single master.
master_name() { if [ "$1" = 1 ]; then printf master; else printf 'master-%s' "$1"; fi; }
master_port() { printf '%s' $((MASTER_PORT + $1 - 1)); }
metrics_port() { printf '%s' $((METRICS_PORT + 2 * ($1 - 1))); }
master_state() { if [ "$1" = 1 ]; then printf '%s' "$STATE"; else printf '%s/master-%s' "$STATE" "$1"; fi; }
master_pid() { running_pid "$(master_name "${1:-1}")" "$JAR"; }
# Every master with a pid file, whatever MASTERS says now: stop and status must find all that start started.
started_masters() {
  local f n
  for f in "$RUN"/master.pid "$RUN"/master-*.pid; do
    [ -f "$f" ] || continue
    n="$(basename "$f" .pid)"
    if [ "$n" = master ]; then echo 1; else echo "${n#master-}"; fi
  done | sort -n
}
prometheus_pid() { running_pid prometheus "--storage.tsdb.path=$PROM_DIR/data"; }
# shellcheck source=fleet/central.sh
. "$ROOT/examples/fleet/central.sh"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_port_value() {
  case "$2" in
    ''|*[!0-9]*) fail "$1=$2 is not a port number; use 1 to 65535" ;;
  esac
  [ "$2" -ge 1 ] && [ "$2" -le 65535 ] || fail "$1=$2 is not a port number; use 1 to 65535"
}

# Every port the stack listens on, one "port what" line each: what a user sets, and what follows from it.
stack_ports() {
  local i
  for i in $(seq 1 "$MASTERS"); do
    if [ "$i" = 1 ]; then
      printf '%s MASTER_PORT\n%s METRICS_PORT\n' "$MASTER_PORT" "$METRICS_PORT"
    else
      printf "%s master %s's MASTER_PORT+%s\n" "$(master_port "$i")" "$i" $((i - 1))
      printf "%s master %s's METRICS_PORT+%s\n" "$(metrics_port "$i")" "$i" $((2 * (i - 1)))
    fi
  done
  if [ "$CENTRAL" = 1 ]; then central_ports; else printf '%s PROMETHEUS_PORT\n' "$PROMETHEUS_PORT"; fi
}

# Two parts of the stack given one port: the second would fail to bind while the first answered its health check.
check_ports_apart() {
  local clash
  clash="$(stack_ports | awk '{ port = $1; sub(/^[0-9]+ /, "") } port in seen { printf "%sport %s is both %s and %s", sep, port, seen[port], $0; sep = "; "; next } { seen[port] = $0 }')"
  [ -z "$clash" ] || fail "$clash; set them apart. Nothing was started."
}

wait_for() {
  local what="$1" pid="$2" log="$3"; shift 3
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$what exited while starting; the end of $log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  say "$what did not answer within 60 s; the end of $log:" >&2
  tail -n 20 "$log" >&2 || true
  return 1
}

http_ok() { curl -fsS -o /dev/null --max-time 5 "$@"; }

build_if_needed() {
  if [ -f "$JAR" ] && [ -f "$AGENT_JAR" ] && [ -f "$OTEL_JAR" ] && [ -z "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$EXAMPLE/src" "$EXAMPLE/pom.xml" -newer "$JAR" -type f -print -quit)" ]; then
    return 0
  fi
  command -v mvn >/dev/null || fail "Maven is needed to build the example and is not installed; install it: apt-get install -y maven"
  # The example depends on the library by its coordinates, as a user's service does.
  "$ROOT/examples/install-library.sh" || fail "installing the library into the local Maven repository failed (see above)"
  say "Building the example (mvn package in examples/scheduler-master)..."
  mvn -q -B -f "$EXAMPLE/pom.xml" package || fail "the build of examples/scheduler-master failed (see above)"
}

# The agent ends its JVM with little explanation on a bad configuration, so try the configuration first in a
# JVM of its own that does nothing else.
check_agent_config() {
  [ -r "$RULES" ] || fail "$RULES is missing or unreadable"
  local out
  if ! out="$(java "-javaagent:$AGENT_JAR=127.0.0.1:${1:-$METRICS_PORT}:$RULES" -cp "$JAR" \
      io.github.httpbandwidth.example.ConfigCheck 2>&1)"; then
    printf 'full-stack-deploy: the JMX exporter agent refuses its configuration (%s); nothing was started. It said:\n' "$RULES" >&2
    printf '%s\n' "$out" | grep -v '^\s*at ' | head -n 15 >&2
    exit 1
  fi
}

prepare_prometheus_config() {
  mkdir -p "$PROM_DIR"
  local targets i
  targets="\"127.0.0.1:$(metrics_port 1)\""
  for i in $(seq 2 "$MASTERS"); do targets="$targets, \"127.0.0.1:$(metrics_port "$i")\""; done
  sed "s/\"127\.0\.0\.1:9090\"/$targets/" "$ROOT/examples/prometheus/prometheus.yml" > "$PROM_DIR/prometheus.yml"
  cp "$ROOT/examples/prometheus/rules.yml" "$PROM_DIR/rules.yml"
  if command -v promtool >/dev/null; then
    local out
    out="$(promtool check config "$PROM_DIR/prometheus.yml" 2>&1)" \
      || { printf 'full-stack-deploy: the Prometheus configuration is not valid; nothing was started:\n%s\n' "$out" >&2; exit 1; }
  fi
}

ensure_prometheus_installed() {
  command -v prometheus >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Prometheus is not installed; installing Debian's package (apt-get install -y prometheus)..."
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus) >"$RUN/apt.log" 2>&1; then
      return 0
    fi
    say "Installing Prometheus failed (see $RUN/apt.log); going on without it." >&2
    return 1
  fi
  say "Prometheus is not installed and this is not root with apt-get; install it with 'sudo apt-get install -y prometheus'. Going on without it." >&2
  return 1
}

start() {
  check_port_value MASTER_PORT "$MASTER_PORT"
  check_port_value METRICS_PORT "$METRICS_PORT"
  check_port_value PROMETHEUS_PORT "$PROMETHEUS_PORT"
  case "$MASTERS" in
    [1-9]) ;;
    *) fail "MASTERS=$MASTERS is not a number of masters; use 1 to 9" ;;
  esac
  check_port_value "MASTER_PORT (of master $MASTERS)" "$(master_port "$MASTERS")"
  check_port_value "METRICS_PORT (of master $MASTERS)" "$(metrics_port "$MASTERS")"
  command -v java >/dev/null || fail "Java 17 or newer is needed and 'java' is not on the PATH; install it: apt-get install -y openjdk-17-jdk-headless"
  local version
  version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${version%%.*}" -ge 17 ] 2>/dev/null || fail "Java 17 or newer is needed; 'java' is version ${version:-unknown}"
  command -v curl >/dev/null || fail "curl is needed to check that the services answer; install it: apt-get install -y curl"
  mkdir -p "$RUN"
  # One start at a time for a state directory: a second would race the first for the same ports and pid files.
  # The services started below inherit the lock's descriptor, so it is let go explicitly whenever start ends.
  exec 9>"$RUN/start.lock"
  flock -n 9 || fail "another 'full-stack-deploy.sh start' for $STATE is in progress; wait for it to finish, then run 'status'"
  trap 'flock -u 9 2>/dev/null || true' EXIT

  local mpid ppid i of any_running=""
  ppid="$(prometheus_pid || true)"
  for i in $(seq 1 "$MASTERS"); do
    if master_pid "$i" >/dev/null; then
      any_running=yes
      continue
    fi
    of=""
    [ "$i" = 1 ] || of=" of master $i"
    port_taken "$(master_port "$i")" && fail "port $(master_port "$i") (MASTER_PORT$of) on 127.0.0.1 is taken by another program; stop it or set MASTER_PORT. Nothing was started."
    port_taken "$(metrics_port "$i")" && fail "port $(metrics_port "$i") (METRICS_PORT$of) on 127.0.0.1 is taken by another program; stop it or set METRICS_PORT. Nothing was started."
  done
  if [ "$CENTRAL" = 1 ]; then
    check_central_ports
  elif [ -z "$ppid" ]; then
    port_taken "$PROMETHEUS_PORT" && fail "port $PROMETHEUS_PORT (PROMETHEUS_PORT) on 127.0.0.1 is taken by another program; stop it or set PROMETHEUS_PORT. Nothing was started."
  fi
  check_ports_apart

  # Never rebuild the jar under a running master: a JVM whose jar is replaced can fail on its next class load.
  [ -n "$any_running" ] || build_if_needed
  if [ "$CENTRAL" = 1 ]; then prepare_central_tier; else prepare_prometheus_config; fi

  for i in $(seq 1 "$MASTERS"); do
    start_master "$i"
  done

  local prometheus_url="not running"
  if [ "$CENTRAL" = 1 ]; then
    start_central_tier
    prometheus_url="none: CENTRAL=1 (the central store below)"
  elif [ -n "$ppid" ]; then
    # It may have been started for another number of masters: it reads its targets again on SIGHUP.
    kill -HUP "$ppid"
    say "Prometheus already runs (pid $ppid); its targets are the $MASTERS master(s) now."
    prometheus_url="http://127.0.0.1:$PROMETHEUS_PORT"
  elif ensure_prometheus_installed; then
    setsid nohup prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$RUN/prometheus.log" 2>&1 </dev/null &
    ppid=$!
    echo "$ppid" > "$RUN/prometheus.pid"
    wait_for "Prometheus" "$ppid" "$RUN/prometheus.log" http_ok "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" \
      || start_failed prometheus
    prometheus_url="http://127.0.0.1:$PROMETHEUS_PORT"
  fi

  mpid="$(master_pid)"
  local fleet=""
  for i in $(seq 2 "$MASTERS"); do
    fleet="$fleet
  Master $i:                          https://127.0.0.1:$(master_port "$i"), metrics http://127.0.0.1:$(metrics_port "$i")/metrics"
  done
  local metrics_label="Metrics (JMX exporter agent):     " metric_prefix=scheduler_http reader_line="JMX exporter agent with $RULES"
  if [ "$READER" = otel ]; then
    metrics_label="Metrics (OpenTelemetry agent):    "
    metric_prefix=undertow_bandwidth
    reader_line="OpenTelemetry Java agent ($OTEL_JAR) with $OTEL_RULES, its Prometheus exporter"
  fi
  cat <<EOF

The stack runs.
  Reader:                            $reader_line
  Scheduler master (HTTPS, HTTP/2):  https://127.0.0.1:$MASTER_PORT   (self-signed certificate: curl -k)
  $metrics_label http://127.0.0.1:$METRICS_PORT/metrics$fleet
  Prometheus:                        $prometheus_url
$([ "$CENTRAL" = 1 ] && central_summary)
  Logs and pids:                     $RUN

The API key is MASTER_API_KEY in $ENV_FILE (created on first start, mode 600):
  source $ENV_FILE
  curl -sk -H "Authorization: Bearer \$MASTER_API_KEY" https://localhost:$MASTER_PORT/jobs
  curl -s http://localhost:$METRICS_PORT/metrics | grep $metric_prefix

JConsole (or VisualVM) attaches to the master as a local process:
  jconsole $mpid
  then MBeans > io.github.httpbandwidth > BandwidthStats > master

Stop it all with: examples/full-stack-deploy.sh stop
EOF
}

# Starts master $1 unless it runs; waits until it and its agent answer.
start_master() {
  local i="$1" name mpid
  name="$(master_name "$i")"
  if mpid="$(master_pid "$i")"; then
    if [ "$i" = 1 ]; then say "The master already runs (pid $mpid)."; else say "Master $i already runs (pid $mpid)."; fi
    return 0
  fi
  local agent_args reader_name
  if [ "$READER" = otel ]; then
    [ -r "$OTEL_RULES" ] || fail "$OTEL_RULES is missing or unreadable"
    reader_name="OpenTelemetry agent's Prometheus exporter"
    # Metrics only, served on 127.0.0.1; MBean discovery starts at 5 s intervals (then up to the agent's 1 minute).
    agent_args=("-javaagent:$OTEL_JAR" "-Dotel.jmx.config=$OTEL_RULES" "-Dotel.service.name=$name"
      -Dotel.traces.exporter=none -Dotel.logs.exporter=none -Dotel.metrics.exporter=prometheus
      -Dotel.exporter.prometheus.host=127.0.0.1 "-Dotel.exporter.prometheus.port=$(metrics_port "$i")"
      -Dotel.jmx.discovery.delay=5000)
  else
    check_agent_config "$(metrics_port "$i")"
    reader_name="JMX exporter agent"
    agent_args=("-javaagent:$AGENT_JAR=127.0.0.1:$(metrics_port "$i"):$RULES")
  fi
  MASTER_HOST=127.0.0.1 MASTER_PORT="$(master_port "$i")" MASTER_ENV_FILE="$ENV_FILE" MASTER_STATE_DIR="$(master_state "$i")" \
    setsid nohup java "${agent_args[@]}" -jar "$JAR" \
    >"$RUN/$name.log" 2>&1 </dev/null &
  mpid=$!
  echo "$mpid" > "$RUN/$name.pid"
  wait_for "Master $i" "$mpid" "$RUN/$name.log" http_ok -k "https://127.0.0.1:$(master_port "$i")/health" \
    || start_failed "$name"
  wait_for "The $reader_name of master $i" "$mpid" "$RUN/$name.log" http_ok "http://127.0.0.1:$(metrics_port "$i")/metrics" \
    || start_failed "$name"
}

restart_master() {
  local i="${1:-}"
  case "$i" in
    [1-9]) ;;
    *) fail "restart-master needs the number of a master, 1 to 9; got '${i}'" ;;
  esac
  mkdir -p "$RUN"
  exec 9>"$RUN/start.lock"
  flock -n 9 || fail "a 'full-stack-deploy.sh start' for $STATE is in progress; wait for it to finish"
  trap 'flock -u 9 2>/dev/null || true' EXIT
  master_pid "$i" >/dev/null || fail "master $i is not running; start it with MASTERS=$i (or more) examples/full-stack-deploy.sh start"
  stop_one "$(master_name "$i")"
  start_master "$i"
  say "Master $i runs again (pid $(master_pid "$i")); its counters start from 0, which rate() and increase() take as a reset."
}

# A part did not start: it is stopped; what started before it, in this start or an earlier one, runs on.
start_failed() {
  stop_one "$1"
  if status >/dev/null 2>&1; then
    say "What had started runs on: 'examples/full-stack-deploy.sh status' lists it, 'stop' stops it." >&2
  fi
  exit 1
}

stop_one() {
  local name="$1" pid
  case "$name" in
    master) pid="$(master_pid 1 || true)" ;;
    master-*) pid="$(master_pid "${name#master-}" || true)" ;;
    prometheus) pid="$(prometheus_pid || true)" ;;
    central) pid="$(central_pid || true)" ;;
    vmalert) pid="$(vmalert_pid || true)" ;;
    collector-*) pid="$(collector_pid "${name#collector-}" || true)" ;;
  esac
  if [ -z "$pid" ]; then
    rm -f "$RUN/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
  say "Stopped $name (pid $pid)."
}

stop() {
  local before i
  before="$( (prometheus_pid; central_pids; for i in $(started_masters); do master_pid "$i"; done) 2>/dev/null || true)"
  stop_one prometheus
  stop_central_tier
  for i in $(started_masters); do
    stop_one "$(master_name "$i")"
  done
  [ -n "$before" ] || say "Nothing was running."
}

status() {
  local pid any=1
  if pid="$(master_pid 1)"; then
    say "master:     running, pid $pid, https://127.0.0.1:$MASTER_PORT, metrics http://127.0.0.1:$METRICS_PORT/metrics"
    any=0
  else
    say "master:     not running"
  fi
  local i
  for i in $(started_masters); do
    [ "$i" != 1 ] || continue
    if pid="$(master_pid "$i")"; then
      say "master $i:   running, pid $pid, https://127.0.0.1:$(master_port "$i"), metrics http://127.0.0.1:$(metrics_port "$i")/metrics"
      any=0
    fi
  done
  if pid="$(prometheus_pid)"; then
    say "prometheus: running, pid $pid, http://127.0.0.1:$PROMETHEUS_PORT"
    any=0
  else
    say "prometheus: not running"
  fi
  if [ -f "$RUN/central.pid" ] || [ -n "$(started_collectors)" ] || [ -f "$RUN/vmalert.pid" ]; then
    central_status && any=0
  fi
  return $any
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart-master) restart_master "${2:-}" ;;
  stop-collector) stop_one "collector-$(collector_number "${2:-}")" ;;
  start-collector) mkdir -p "$RUN"; start_collector "$(collector_number "${2:-}")" again; say "Collector $(collector_number "${2:-}") runs." ;;
  stop-central) stop_one central ;;
  start-central) mkdir -p "$RUN"; start_central; say "The central store runs: $CENTRAL_URL" ;;
  *) say "usage: $0 start|stop|status|restart-master N|stop-collector [G]|start-collector [G]|stop-central|start-central" >&2; exit 2 ;;
esac
