#!/usr/bin/env bash
# The WildFly checks, run by .ci/run: a real WildFly (examples/wildfly/wildfly.sh, free ports on 127.0.0.1), the
# example WAR under the server-wide filter and the same application monitored per application, curl's own byte
# counts against the agent's scrape and a real Prometheus, a Jakarta WebSocket endpoint's frames against a client's
# own socket counts (WsProbe.java), the MBeans over WildFly's JMX remoting as jconsole.sh reads them (JmxProbe.java),
# 20 deploy/undeploy/redeploy cycles with class histograms, then the same module
# and filter read by the OpenTelemetry Java agent with the shipped OpenTelemetry rules. Everything it starts,
# it stops (by pid), also when a check fails.
#
#   examples/wildfly/check.sh      exit 0 when every check passed; each check prints one line
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WILDFLY="$ROOT/examples/wildfly/wildfly.sh"
CYCLES="${WILDFLY_CHECK_CYCLES:-20}"
WORK="$(mktemp -d)"
PROMETHEUS_PID=""
WS_PID=""
checks=0

say() { printf '%s\n' "$*"; }
# FAIL_CONTEXT, when set, goes with a failure's message: what the steps before the failing check saw.
FAIL_CONTEXT=""
fail() { printf 'wildfly check FAILED: %s\n' "$*${FAIL_CONTEXT:+ ($FAIL_CONTEXT)}" >&2; exit 1; }
pass() { checks=$((checks + 1)); say "ok: $*"; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected $3, got $2"; pass "$1 = $3"; }

cleanup() {
  cli_close
  [ -n "$WS_PID" ] && kill "$WS_PID" 2>/dev/null || true
  [ -n "$PROMETHEUS_PID" ] && kill "$PROMETHEUS_PID" 2>/dev/null && wait "$PROMETHEUS_PID" 2>/dev/null || true
  # WILDFLY_CHECK_KEEP=1 leaves the server running, to look into it after a failure; stop it with wildfly.sh stop.
  [ "${WILDFLY_CHECK_KEEP:-}" = 1 ] || "$WILDFLY" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Free: nothing listens on it, and no socket here has it as its own port (a client's port stays in TIME_WAIT for 60 s
# after it closed, and a listener's bind to it fails then, though nothing answers on it).
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null \
    && ! grep -qsE "^ *[0-9]+: [0-9A-F]+:$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6
}

# A free port for a listener started now (Prometheus, the in-process exporter), chosen when it is needed and below the
# kernel's range of client ports (net.ipv4.ip_local_port_range, 32768 to 60999 by default): a port from that range
# chosen minutes before can be a curl's own port by then, in TIME_WAIT, and the listener's bind fails.
listener_port() {
  local port below
  below="$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  [ "$below" -gt 30101 ] 2>/dev/null || below=32768
  for port in $(shuf -i 30001-$((below - 1)) -n 40); do port_free "$port" && { echo "$port"; return 0; }; done
  fail "found no free port for a listener on 127.0.0.1 in 30001-$((below - 1))"
}

# A port offset under which every port the default standalone.xml opens is free, and a free agent port apart from them
# (offsets up to 20000 put them up to 29993, into the agent's range).
choose_ports() {
  local offset port ok opened
  for offset in $(shuf -i 1000-20000 -n 50); do
    ok=1
    opened=" "
    for port in $("$WILDFLY" ports); do
      port_free $((port + offset)) || { ok=0; break; }
      opened="$opened$((port + offset)) "
    done
    [ "$ok" = 1 ] || continue
    for port in $(shuf -i 20000-30000 -n 20); do
      case "$opened" in *" $port "*) continue ;; esac
      port_free "$port" && { export WILDFLY_PORT_OFFSET="$offset" METRICS_PORT="$port"; return 0; }
    done
  done
  fail "found no free ports on 127.0.0.1"
}

scrape() { curl -fsS --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics"; }

# The value of one series in the exposition at URL $1, as an integer (0 when absent).
series_value() {
  curl -fsS --max-time 10 "$1" \
    | awk -v s="$2" 'index($0, s " ") == 1 { printf "%.0f\n", $NF; found = 1 } END { if (!found) print 0 }'
}
metric() { series_value "http://127.0.0.1:$METRICS_PORT/metrics" "$1"; }

# wait_for WHAT EXPECTED COMMAND...: runs the command until it prints EXPECTED, for up to 30 s, then checks.
# WAIT_SECONDS=120 wait_for ...: for up to 120 s.
wait_for() {
  local what="$1" expected="$2" value=""
  shift 2
  for _ in $(seq 1 $(( ${WAIT_SECONDS:-30} * 5 ))); do
    value="$("$@")"
    [ "$value" = "$expected" ] && break
    sleep 0.2
  done
  if [ "$value" != "$expected" ] && [ "$1" = metric ]; then
    # Where the counts went: every series of the metric's family in the agent's last scrape.
    FAIL_CONTEXT+="${FAIL_CONTEXT:+; }the agent's ${2%%\{*} series: $(scrape 2>/dev/null | grep "^${2%%\{*}{" | tr '\n' ' ' || true)"
  fi
  expect_eq "$what" "$value" "$expected"
}
wait_metric() { wait_for "$1" "$2" metric "$1"; }

# Requests through curl, adding curl's own counts of body bytes sent and received.
SENT=0
RECEIVED=0
REQUESTS=0
request() {
  local out
  out="$(curl -sS -o /dev/null --max-time 30 -w '%{http_code} %{size_upload} %{size_download}' "$@")" \
    || fail "curl $* failed"
  set -- $out
  LAST_STATUS="$1"
  [ "$1" -lt 500 ] || fail "status $1 from curl $*"
  SENT=$((SENT + $2))
  RECEIVED=$((RECEIVED + $3))
  REQUESTS=$((REQUESTS + 1))
}
reset_counts() { SENT=0; RECEIVED=0; REQUESTS=0; }

# ws_check URL ENDPOINT HANDLER...: one WebSocket connection to the example's Jakarta endpoint (EchoSocket, whose
# handshake completes on a worker thread, as every servlet handshake does) through WsProbe, a client on a plain (or,
# for wss://, a TLS) socket that counts what it writes and reads after the 101: messages of 0 B to 300,000 B (every
# frame length form), each echoed, the connection then held until each handler's open-upgrades gauge reads 1, then a
# close handshake. Each handler must have counted exactly those bytes in its totals and on ENDPOINT (the
# @ServerEndpoint template; only these checks use it, each after the row's hold has ended), the handshake as one
# request, and its gauge back at 0. Adds them to SENT and RECEIVED.
ws_check() {
  local url="$1" endpoint="$2" handler out sent received requests_on in_on out_on
  shift 2
  local -A in_before out_before requests_before row_before
  for handler in "$@"; do
    row_before[$handler]="$(row_of "$endpoint" "$handler")"
    in_before[$handler]="$(metric "scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"$handler\"}")"
    out_before[$handler]="$(metric "scheduler_http_bandwidth_bytes_total{direction=\"outbound\",handler=\"$handler\"}")"
    requests_before[$handler]="$(metric "scheduler_http_requests_total{handler=\"$handler\"}")"
  done
  rm -f "$WORK/ws-hold"
  java -cp "$WORK/probe" WsProbe "$url" 0 1 125 126 1000 65535 65536 300000 "hold=$WORK/ws-hold" >"$WORK/ws.out" 2>&1 &
  WS_PID=$!
  for handler in "$@"; do
    wait_metric "scheduler_http_upgraded_connections_open{handler=\"$handler\"}" 1
  done
  touch "$WORK/ws-hold"
  wait "$WS_PID" || fail "WsProbe $url: $(cat "$WORK/ws.out")"
  WS_PID=""
  out="$(cat "$WORK/ws.out")"
  [[ "$out" =~ ^sent=([0-9]+)\ received=([0-9]+)$ ]] || fail "WsProbe $url printed: $out"
  sent="${BASH_REMATCH[1]}"
  received="${BASH_REMATCH[2]}"
  for handler in "$@"; do
    wait_metric "scheduler_http_upgraded_connections_open{handler=\"$handler\"}" 0
    expect_eq "WebSocket (${url%%:*}), $handler: inbound bytes (the probe wrote $sent after the 101)" \
      $(( $(metric "scheduler_http_bandwidth_bytes_total{direction=\"inbound\",handler=\"$handler\"}") - ${in_before[$handler]} )) "$sent"
    expect_eq "WebSocket (${url%%:*}), $handler: outbound bytes (the probe read $received after the 101)" \
      $(( $(metric "scheduler_http_bandwidth_bytes_total{direction=\"outbound\",handler=\"$handler\"}") - ${out_before[$handler]} )) "$received"
    expect_eq "WebSocket (${url%%:*}), $handler: the handshake, one request" \
      $(( $(metric "scheduler_http_requests_total{handler=\"$handler\"}") - ${requests_before[$handler]} )) 1
    read -r requests_on in_on out_on <<<"${row_before[$handler]}"
    wait_for "WebSocket (${url%%:*}), $handler: requests, inbound and outbound bytes on $endpoint" \
      "$((requests_on + 1)) $((in_on + sent)) $((out_on + received))" row_of "$endpoint" "$handler"
  done
  SENT=$((SENT + sent))
  RECEIVED=$((RECEIVED + received))
  REQUESTS=$((REQUESTS + 1))
}
row_of() {
  local labels="endpoint=\"$1\",handler=\"$2\""
  echo "$(metric "scheduler_http_endpoint_requests_total{$labels}")" \
    "$(metric "scheduler_http_endpoint_bandwidth_bytes_total{direction=\"inbound\",$labels}")" \
    "$(metric "scheduler_http_endpoint_bandwidth_bytes_total{direction=\"outbound\",$labels}")"
}

# WildFly's own CLI, one session per server start: a jboss-cli per command cost 2.2-3 s of JVM start each (120 of them
# in the cycles below), a command in an open session 0.2 s. Each command is followed by an `echo` of a mark; what the
# CLI answers before the mark is the command's answer: nothing, or an outcome of success, else the check fails.
CLI_PID=""
cli_seq=0
cli() {
  local line answer="" mark
  if [ -z "$CLI_PID" ]; then
    coproc CLI { JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" exec "$JBOSS_HOME/bin/jboss-cli.sh" -c \
      --controller="127.0.0.1:$MANAGEMENT_PORT" --no-color-output 2>&1; }
  fi
  cli_seq=$((cli_seq + 1))
  mark="__check_done_${cli_seq}__"
  printf '%s\necho %s\n' "$1" "$mark" >&"${CLI[1]}" || fail "jboss-cli ended before: $1"
  while :; do
    IFS= read -r -t 300 line <&"${CLI[0]}" || fail "jboss-cli ended or went silent during: $1${answer:+ ($answer)}"
    [ "$line" = "$mark" ] && break
    case "$line" in "["*"@"*"] "*) continue ;; esac # the prompt, with the command it read
    # The JVM's own warnings as the CLI starts (Java 24 and later: sun.misc.Unsafe's memory access methods).
    case "$line" in "WARNING: "*) continue ;; esac
    answer+="$line "
  done
  [ -z "$answer" ] || [[ "$answer" == *'"outcome" => "success"'* ]] || fail "jboss-cli: $1: $answer"
}
cli_close() {
  [ -n "$CLI_PID" ] || return 0
  exec {CLI[1]}>&- 2>/dev/null || true
  wait "$CLI_PID" 2>/dev/null || true
  CLI_PID=""
}

# Copies of the library loaded (one per class loader) and instances of its classes, after a full GC.
library_copies() { jcmd "$PID" VM.class_hierarchy | grep -c 'io\.github\.httpbandwidth\.BandwidthStats/' || true; }
app_copies() { jcmd "$PID" VM.class_hierarchy | grep -c 'com\.example\.shop\.OrdersResource/' || true; }
histogram_lines() { jcmd "$PID" GC.class_histogram | grep -c ' io\.github\.httpbandwidth\.' || true; }
full_gc() { jcmd "$PID" GC.run >/dev/null; }
# The application's copies after a full GC, waited for: once, right after the wait for idle threads (which ends on
# the library's count, not the application's), the count printed was one too high and the next read right.
gc_app_copies() { full_gc; app_copies; }

# Full GCs until at most $1 copies of the library are loaded, plus one per WildFly task thread (each may keep the
# last exchange it ran, see below; what check_copies allows), or, with $2 = idle, at most $1 with no task thread left
# (once task-core-threads=0 and a short keep-alive let idle ones end), for up to 120 s; prints the last count. The
# threads are counted before each GC, so the GC that ends the wait ran after the last of them had ended.
settle_copies() {
  local most="$1" idle="${2:-}" copies="" threads
  for _ in $(seq 1 24); do
    threads="$(task_threads)"
    full_gc
    copies="$(library_copies)"
    if [ "$idle" = idle ]; then
      [ "$copies" -le "$most" ] && [ "$threads" = 0 ] && break
    else
      [ "$copies" -le $((most + threads)) ] && break
    fi
    sleep 5
  done
  printf '%s' "$copies"
}

# WildFly's worker threads each keep the last exchange they ran, and with it that exchange's deployment, until they
# run another task or end (a heap dump shows EnhancedQueueExecutor$Task -> HttpServerExchange -> the deployment; a
# WAR without the library is kept the same way, see "application copies" in server mode). So beyond $1 copies, at
# most one per live task thread may remain, and only through that path.
task_threads() { jcmd "$PID" Thread.print | grep -c '^"default task-' || true; }
# No core task threads and a 2 s keep-alive (both runtime changes, no reload), so idle ones end in seconds rather than
# after the default minute.
let_idle_task_threads_end() {
  cli "/subsystem=io/worker=default:write-attribute(name=task-keepalive, value=2000)"
  cli "/subsystem=io/worker=default:write-attribute(name=task-core-threads, value=0)"
}
check_copies() {
  local what="$1" most="$2" copies threads
  copies="$(settle_copies "$most")"
  threads="$(task_threads)"
  say "$what: library copies loaded $copies, application copies $(app_copies), library lines in the class histogram $(histogram_lines), BandwidthStats lines $(jcmd "$PID" GC.class_histogram | grep -c ' io\.github\.httpbandwidth\.BandwidthStats$' || true), WildFly task threads $threads"
  [ "$copies" -le $((most + threads)) ] || fail "$what: $copies library copies loaded; at most $most, plus one per WildFly task thread ($threads), may remain"
  pass "$what: $copies library copies loaded (expected $most; at most $threads more, held by idle WildFly task threads)"
}

# 0. An agent port on one of WildFly's is refused before anything is built or started.
refusal="$(WILDFLY_PORT_OFFSET=1000 METRICS_PORT=9080 "$WILDFLY" start 2>&1)" && fail "wildfly.sh started with METRICS_PORT on WildFly's HTTP port"
case "$refusal" in
  *"METRICS_PORT=9080 is WildFly's port 8080 plus WILDFLY_PORT_OFFSET=1000"*) pass "METRICS_PORT on WildFly's HTTP port refused" ;;
  *) fail "METRICS_PORT on WildFly's HTTP port: wildfly.sh said: $refusal" ;;
esac

choose_ports
eval "$("$WILDFLY" start)"
PID="$(cat "$ROOT/examples/wildfly/state/run/wildfly.pid")"
BASE="http://127.0.0.1:$HTTP_PORT"
MONITORED="$ROOT/examples/wildfly/app/target/shop-monitored.war"
head -c 123456 /dev/urandom > "$WORK/upload.bin"
head -c 54321 /dev/urandom > "$WORK/small-upload.bin"
javac -d "$WORK/probe" "$ROOT/examples/wildfly/WsProbe.java" "$ROOT/examples/wildfly/JmxProbe.java"
say "WildFly runs: pid $PID, HTTP $HTTP_PORT, management $MANAGEMENT_PORT, agent $METRICS_PORT"

# 1. Server-wide: the custom-filter from the JBoss module counts the plain WAR exactly, named by its templates.
before_requests="$(metric 'scheduler_http_requests_total{handler="server"}')"
before_in="$(metric 'scheduler_http_bandwidth_bytes_total{direction="inbound",handler="server"}')"
before_out="$(metric 'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="server"}')"
reset_counts
for i in 1 2 3 4 5; do request "$BASE/shop/hello"; done
for i in 1 2 3; do request "$BASE/shop/files/dir$i/file.bin?size=100000"; done
for i in 11 12 13 14; do request "$BASE/shop/api/orders/$i"; done
for i in 1 2; do request -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/upload.bin" "$BASE/shop/api/orders/$i/attachment"; done
# Through a sub-resource locator of a request-scoped CDI bean (JAX-RS gets WildFly's proxy of it).
for i in 1 2; do request "$BASE/shop/api/customers/c$i/notes/$i"; done
# HTTP/2 over cleartext (WildFly's http-listener has enable-http2) with a body of no length, larger than Undertow
# buffers for the upgrade: Undertow gives the upgrade up, hands back what it read and resets the request channel,
# and the request stays on HTTP/1.1 (the filter answered it 500 before). curl's size_upload counts the chunks'
# framing, so the body's own size is added.
h2c_chunked_upload() {
  local out
  out="$(curl -sS -o /dev/null --max-time 30 --http2 -X PUT -H 'Transfer-Encoding: chunked' \
    -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/upload.bin" -w '%{http_code} %{size_download}' \
    "$1")" || fail "curl --http2 with a chunked upload to $1 failed"
  set -- $out
  [ "$1" -lt 500 ] || fail "status $1 for an h2c upgrade with a chunked body of 123456 B"
  SENT=$((SENT + 123456))
  RECEIVED=$((RECEIVED + $2))
  REQUESTS=$((REQUESTS + 1))
}
h2c_chunked_upload "$BASE/shop/api/orders/3/attachment"
request "$BASE/shop/no/such/page"
wait_metric 'scheduler_http_requests_total{handler="server"}' $((before_requests + REQUESTS))
expect_eq "server-wide inbound bytes (curl sent $SENT)" \
  $(( $(metric 'scheduler_http_bandwidth_bytes_total{direction="inbound",handler="server"}') - before_in )) "$SENT"
expect_eq "server-wide outbound bytes (curl received $RECEIVED)" \
  $(( $(metric 'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="server"}') - before_out )) "$RECEIVED"
wait_for "requests on /shop/api/orders/{id}" 4 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/api/orders/{id}",handler="server"}'
wait_for "requests on /shop/api/orders/{id}/attachment" \
  3 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/api/orders/{id}/attachment",handler="server"}'
wait_for "inbound bytes on /shop/api/orders/{id}/attachment" \
  370368 metric 'scheduler_http_endpoint_bandwidth_bytes_total{direction="inbound",endpoint="/shop/api/orders/{id}/attachment",handler="server"}'
wait_for "requests on /shop/api/customers/{cid}/notes/{n} (a sub-resource locator's whole template)" \
  2 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/api/customers/{cid}/notes/{n}",handler="server"}'
wait_for "outbound bytes on /shop/api/customers/{cid}/notes/{n}" \
  1400 metric 'scheduler_http_endpoint_bandwidth_bytes_total{direction="outbound",endpoint="/shop/api/customers/{cid}/notes/{n}",handler="server"}'
wait_for "requests on /shop/files/*" 3 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/files/*",handler="server"}'
wait_for "requests on /shop/* (the default servlet: the 404)" 1 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/*",handler="server"}'
raw="$(scrape | grep -E 'endpoint="[^"]*(dir[0-9]|orders/[0-9]|customers/c|no/such)' || true)"
expect_eq "rows named by a raw path" "$raw" ""
wait_for "the 404 on /shop/* in its status class" \
  1 metric 'scheduler_http_endpoint_status_requests_total{endpoint="/shop/*",handler="server",status_class="4xx"}'
wait_for "every request on the top client 127.0.0.1 (the default key, the remote address)" \
  "$(metric 'scheduler_http_requests_total{handler="server"}')" metric 'scheduler_http_client_requests_total{client="127.0.0.1",handler="server"}'

# 1a. The console's view over WildFly's own JMX remoting, as bin/jconsole.sh connects (service:jmx:remote+http on the
# management port, bin/client/jboss-client.jar): every attribute of every MBean of ours reads there, the handler's
# totals are the exporter's, the console's row for /shop/files/* holds the three downloads above, and the in-flight
# view's operation answers.
jmx_out="$(java -cp "$JBOSS_HOME/bin/client/jboss-client.jar:$WORK/probe" JmxProbe \
  "service:jmx:remote+http://127.0.0.1:$MANAGEMENT_PORT" server '/shop/files/*' 2>"$WORK/jmx.err")" \
  || fail "JmxProbe over remote+http: $(grep -v -e '^INFO:' -e ' AM \| PM ' -e SLF4J "$WORK/jmx.err" | tail -5)"
[[ "$jmx_out" =~ ^mbeans=([0-9]+)\ failures=([0-9]+)\ requests=([0-9]+)\ bytes_sent=([0-9]+)\ endpoint_requests=([0-9]+)\ endpoint_bytes_sent=([0-9]+)\ transfers=([0-9]+)$ ]] \
  || fail "JmxProbe printed: $jmx_out"
expect_eq "remote JMX (jconsole.sh's connection): attributes that did not read, over ${BASH_REMATCH[1]} MBeans" "${BASH_REMATCH[2]}" 0
expect_eq "remote JMX: the handler's Requests, as the exporter says" "${BASH_REMATCH[3]}" "$(metric 'scheduler_http_requests_total{handler="server"}')"
expect_eq "remote JMX: the handler's BytesSent, as the exporter says" "${BASH_REMATCH[4]}" \
  "$(metric 'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="server"}')"
expect_eq "remote JMX: the console's /shop/files/* row, requests and bytes sent" \
  "${BASH_REMATCH[5]} ${BASH_REMATCH[6]}" "3 300000"
expect_eq "remote JMX: largestTransfersInFlight(5) with nothing in flight" "${BASH_REMATCH[7]}" 0

# 1b. WebSocket, server-wide: the frames on the endpoint's template, the 101 on its status class.
ws_check "ws://127.0.0.1:$HTTP_PORT/shop/ws/echo/lobby" '/shop/ws/echo/{room}' server
# The same over TLS (WildFly's https-listener, its generated certificate): the frames inside TLS, as for bodies.
ws_check "wss://127.0.0.1:$((8443 + WILDFLY_PORT_OFFSET))/shop/ws/echo/secure" '/shop/ws/echo/{room}' server
wait_for "the WebSocket handshakes in the 1xx class of /shop/ws/echo/{room}" \
  2 metric 'scheduler_http_endpoint_status_requests_total{endpoint="/shop/ws/echo/{room}",handler="server",status_class="1xx"}'

# 2. Per application: the same application with the library in WEB-INF/lib and undertow-handlers.conf.
cli "deploy --force $MONITORED"
reset_counts
for i in 1 2 3; do request -H 'X-Worker-Id: wf-worker-7' "$BASE/shop-monitored/hello"; done
for i in 21 22; do request "$BASE/shop-monitored/api/orders/$i"; done
request -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/small-upload.bin" "$BASE/shop-monitored/api/orders/9/attachment"
wait_metric 'scheduler_http_requests_total{handler="shop-monitored"}' "$REQUESTS"
expect_eq "per-application inbound bytes (curl sent $SENT)" \
  "$(metric 'scheduler_http_bandwidth_bytes_total{direction="inbound",handler="shop-monitored"}')" "$SENT"
expect_eq "per-application outbound bytes (curl received $RECEIVED)" \
  "$(metric 'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="shop-monitored"}')" "$RECEIVED"
wait_for "per-application requests on /shop-monitored/api/orders/{id}" \
  2 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop-monitored/api/orders/{id}",handler="shop-monitored"}'
wait_for "per-application top client wf-worker-7 (client-key='header:X-Worker-Id|remote-address')" \
  3 metric 'scheduler_http_client_requests_total{client="wf-worker-7",handler="shop-monitored"}'
wait_for "per-application top client 127.0.0.1 (no header: the remote address)" \
  3 metric 'scheduler_http_client_requests_total{client="127.0.0.1",handler="shop-monitored"}'
wait_for "the server-wide filter saw them too, under its own handler" \
  3 metric 'scheduler_http_endpoint_requests_total{endpoint="/shop-monitored/hello",handler="server"}'
# WebSocket through both: the WAR's own handler and the server-wide filter in front of it each count every frame.
ws_check "ws://127.0.0.1:$HTTP_PORT/shop-monitored/ws/echo/lobby" '/shop-monitored/ws/echo/{room}' shop-monitored server
monitored_in="$SENT"
monitored_out="$RECEIVED"
monitored_requests="$REQUESTS"

# 3. A real Prometheus scrapes the agent with the shipped configuration and rules.
command -v prometheus >/dev/null || fail "prometheus is needed (apt-get install -y prometheus)"
mkdir -p "$WORK/prometheus"
sed -e "s/127\.0\.0\.1:9090/127.0.0.1:$METRICS_PORT/" -e 's/scrape_interval: 5s/scrape_interval: 1s/' \
  "$ROOT/examples/prometheus/prometheus.yml" > "$WORK/prometheus/prometheus.yml"
cp "$ROOT/examples/prometheus/rules.yml" "$WORK/prometheus/rules.yml"
PROMETHEUS_PORT="$(listener_port)"
prometheus --config.file="$WORK/prometheus/prometheus.yml" --storage.tsdb.path="$WORK/prometheus/data" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$WORK/prometheus.log" 2>&1 </dev/null &
PROMETHEUS_PID=$!
# What Prometheus says of the agent's target and its last log lines: in a failure's message, which outlives $WORK.
prometheus_state() {
  local targets
  targets="$(curl -fsS --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets" 2>/dev/null \
    | python3 -c 'import json,sys; print(" ".join(t["health"] + " " + (t.get("lastError") or "-") for t in json.load(sys.stdin)["data"]["activeTargets"]))' \
    2>/dev/null || echo "no answer")"
  printf 'target: %s; log: %s' "$targets" "$(tail -3 "$WORK/prometheus.log" 2>/dev/null | tr '\n' ' ')"
}
for _ in $(seq 1 300); do
  curl -fsS --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1 && break
  kill -0 "$PROMETHEUS_PID" 2>/dev/null || fail "Prometheus ended at its start: $(prometheus_state)"
  sleep 0.2
done
curl -fsS --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1 \
  || fail "Prometheus not ready after 60 s: $(prometheus_state)"
promql() {
  curl -fsS --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode "query=$1" 2>/dev/null \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(" ".join(sorted(x["metric"].get("handler","") + "=" + str(int(float(x["value"][1]))) for x in r)))' \
    2>/dev/null || true
}
# Up to 60 s: a first scrape waits for service discovery's first update (5 s), longer on a loaded machine.
wait_promql() {
  local value=""
  for _ in $(seq 1 300); do
    value="$(promql "$2")"
    [ "$value" = "$3" ] && break
    sleep 0.2
  done
  [ "$value" = "$3" ] || fail "Prometheus: $1: expected $3, got $value ($(prometheus_state))"
  pass "Prometheus: $1 = $3"
}
wait_promql "outbound bytes by handler, shop-monitored" \
  'sum by (handler) (scheduler_http_bandwidth_bytes_total{direction="outbound",handler="shop-monitored"})' "shop-monitored=$monitored_out"
wait_promql "inbound bytes by handler, shop-monitored" \
  'sum by (handler) (scheduler_http_bandwidth_bytes_total{direction="inbound",handler="shop-monitored"})' "shop-monitored=$monitored_in"
server_requests="$(metric 'scheduler_http_requests_total{handler="server"}')"
wait_promql "requests by handler (the applications apart)" 'sum by (handler) (scheduler_http_requests_total)' \
  "server=$server_requests shop-monitored=$monitored_requests"
wait_promql "the size histogram's buckets under their standard name" \
  'count by (handler) (scheduler_http_response_size_bytes_bucket{handler="shop-monitored"})' "shop-monitored=33"
kill "$PROMETHEUS_PID" && wait "$PROMETHEUS_PID" 2>/dev/null || true
PROMETHEUS_PID=""

# 3b. The in-process exporter (examples/in-process-exporter, collector 1.7.0) in WildFly, as a WAR beside the agent:
# the same rules over the same MBeans give the same figures.
INPROCESS_PORT="$(listener_port)"
cli "/system-property=bandwidth.metrics.rules:add(value=$ROOT/jmx-exporter-config.yaml)"
cli "/system-property=bandwidth.metrics.port:add(value=$INPROCESS_PORT)"
cli "deploy --force $ROOT/examples/wildfly/metrics-war/target/bandwidth-metrics.war"
for series in 'scheduler_http_requests_total{handler="server"}' 'scheduler_http_requests_total{handler="shop-monitored"}' \
    'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="server"}' \
    'scheduler_http_bandwidth_bytes_total{direction="inbound",handler="shop-monitored"}' \
    'scheduler_http_endpoint_requests_total{endpoint="/shop/api/orders/{id}",handler="server"}'; do
  expect_eq "in-process exporter in WildFly: $series (the agent: $(metric "$series"))" "$(series_value "http://127.0.0.1:$INPROCESS_PORT/metrics" "$series")" "$(metric "$series")"
done
cli "undeploy bandwidth-metrics.war"

# 4. Lifecycle under the server-wide filter: the per-application MBean goes with its undeploy; the plain WAR
# (WAR=) is deployed, undeployed and redeployed while the filter goes on counting it exactly. First three slow
# downloads at once, so that several WildFly task threads last ran an exchange of shop-monitored.war (the case
# that made this check fail once by chance, now made certain), over HTTPS and HTTP/2 (WildFly's https-listener,
# its generated certificate): an HTTP/2 stream's connection object keeps its exchange, and the module, which
# counts them, must keep none.
slow=()
for i in 1 2 3; do
  curl -sSk --http2 -o /dev/null -w '%{http_version}' --max-time 30 --limit-rate 100k \
    "https://127.0.0.1:$((8443 + WILDFLY_PORT_OFFSET))/shop-monitored/files/slow-$i.bin?size=300000" > "$WORK/slow-$i.version" &
  slow+=("$!")
done
for pid in "${slow[@]}"; do wait "$pid" || fail "a slow download from shop-monitored.war failed"; done
expect_eq "HTTP versions of the three slow downloads" "$(cat "$WORK"/slow-[123].version | tr -d '\n')" 222
cli "undeploy shop-monitored.war"
expect_eq "MBeans of shop-monitored after its undeploy" "$(scrape | grep -c 'handler="shop-monitored"' || true)" 0
errors_before="$(grep -c ' ERROR ' "$JBOSS_HOME/standalone/log/server.log" || true)"
before_requests="$(metric 'scheduler_http_requests_total{handler="server"}')"
reset_counts
statuses=""
unmatched_before="$(metric 'scheduler_http_endpoint_requests_total{endpoint="(unmatched)",handler="server"}')"
classifier_errors_before="$(metric 'scheduler_http_endpoint_classifier_errors{handler="server"}')"
for cycle in $(seq 1 "$CYCLES"); do
  cli "undeploy shop.war"
  cli "deploy $WAR"
  request "$BASE/shop/api/orders/$cycle"
  statuses+="$LAST_STATUS "
  cli "deploy --force $WAR"
  request "$BASE/shop/hello"
  statuses+="$LAST_STATUS "
done
FAIL_CONTEXT="the cycles' statuses, orders then hello: $statuses; before them: (unmatched) $unmatched_before, classifier errors $classifier_errors_before"
wait_metric 'scheduler_http_requests_total{handler="server"}' $((before_requests + REQUESTS))
# Every exchange of the cycles has completed and been named by now.
FAIL_CONTEXT+="; after them: classifier errors $(metric 'scheduler_http_endpoint_classifier_errors{handler="server"}')"
wait_for "requests on /shop/api/orders/{id} after $CYCLES cycles" \
  $((4 + CYCLES)) metric 'scheduler_http_endpoint_requests_total{endpoint="/shop/api/orders/{id}",handler="server"}'
expect_eq "ERROR lines in server.log during $CYCLES cycles of shop.war" \
  $(( $(grep -c ' ERROR ' "$JBOSS_HOME/standalone/log/server.log" || true) - errors_before )) 0
FAIL_CONTEXT=""
full_gc
say "server mode after $CYCLES cycles of shop.war: library copies loaded $(library_copies), application copies $(app_copies), WildFly task threads $(task_threads)"
# A task thread that last ran an exchange of shop-monitored.war keeps that WAR, and its copy of the library, until
# it runs another task or ends (a heap dump: EnhancedQueueExecutor$Task -> HttpServerExchange -> its completion
# listeners -> the WAR's ExchangeTally). Once the idle task threads end, as in step 5, only the module's copy and
# the deployed shop.war may remain: the module, in front of every deployment, keeps none of them.
let_idle_task_threads_end
copies="$(settle_copies 1 idle)"
say "server mode, WildFly's idle task threads ended ($(task_threads) left): library copies loaded $copies, application copies $(app_copies), library lines in the class histogram $(histogram_lines)"
expect_eq "library copies loaded in server mode once idle task threads ended (the module's only)" "$copies" 1
wait_for "application copies in server mode once idle task threads ended (the deployed shop.war)" 1 gc_app_copies

# 5. Lifecycle per application: WildFly again, with no module and no filter, and shop-monitored.war carrying the
# library. Each cycle serves requests on new connections (other worker threads) before it ends.
cli_close
"$WILDFLY" stop >/dev/null 2>&1
eval "$(WILDFLY_MODE=application "$WILDFLY" start)"
PID="$(cat "$ROOT/examples/wildfly/state/run/wildfly.pid")"
expect_eq "the per-application WAR (WAR=)" "$WAR" "$MONITORED"
full_gc
say "application mode, shop-monitored.war deployed: library copies loaded $(library_copies), application copies $(app_copies), library lines in the class histogram $(histogram_lines)"
errors_before="$(grep -c ' ERROR ' "$JBOSS_HOME/standalone/log/server.log" || true)"
for cycle in $(seq 1 "$CYCLES"); do
  cli "undeploy shop-monitored.war"
  [ "$(scrape | grep -c 'handler="shop-monitored"' || true)" = 0 ] || fail "cycle $cycle: the undeployed application's MBean is still registered"
  cli "deploy $MONITORED"
  request "$BASE/shop-monitored/hello"
  request "$BASE/shop-monitored/api/orders/$cycle"
  cli "deploy --force $MONITORED"
  reset_counts
  request "$BASE/shop-monitored/hello"
  request "$BASE/shop-monitored/api/orders/$cycle"
  request "$BASE/shop-monitored/files/x.bin?size=$cycle"
  # A new deployment counts from zero, exactly.
  wait_metric 'scheduler_http_requests_total{handler="shop-monitored"}' 3 >/dev/null
  [ "$(metric 'scheduler_http_bandwidth_bytes_total{direction="outbound",handler="shop-monitored"}')" = "$RECEIVED" ] \
    || fail "cycle $cycle: outbound bytes of the redeployed application differ from curl's $RECEIVED"
done
pass "$CYCLES deploy, undeploy and redeploy cycles of shop-monitored.war: no CLI error, the MBean gone after each undeploy, each redeployment exact from zero"
expect_eq "ERROR lines in server.log during $CYCLES cycles of shop-monitored.war" \
  $(( $(grep -c ' ERROR ' "$JBOSS_HOME/standalone/log/server.log" || true) - errors_before )) 0
check_copies "application mode after $CYCLES cycles, deployed" 1
cli "undeploy shop-monitored.war"
expect_eq "MBeans of shop-monitored after the last undeploy" "$(scrape | grep -c 'handler="shop-monitored"' || true)" 0
check_copies "application mode after the last undeploy" 0
# The proof that nothing else keeps them: let WildFly's idle task threads end (no core threads, a runtime change
# that needs no reload), and no copy of the undeployed application may remain.
let_idle_task_threads_end
copies="$(settle_copies 0 idle)"
say "application mode after the last undeploy, WildFly's idle task threads ended ($(task_threads) left): library copies loaded $copies, application copies $(app_copies), library lines in the class histogram $(histogram_lines)"
expect_eq "library copies loaded once WildFly's idle task threads ended" "$copies" 0
wait_for "application copies loaded once WildFly's idle task threads ended" 0 gc_app_copies
# Another application carrying the library with a monitor of the same name (a copy of the WAR, other.war) may not
# take the name over, which would leave shop-monitored.war counting with no MBean: its deployment fails saying why,
# and shop-monitored.war is still counted under the name.
# Last in this step: WildFly keeps the class loader of a JAX-RS and CDI application whose deployment failed (a copy
# of shop.war failing in its own handler builder, without the library, is kept alike), so no copy is counted after.
cli "deploy $MONITORED"
cp "$MONITORED" "$WORK/other.war"
answer="$(JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" "$JBOSS_HOME/bin/jboss-cli.sh" -c \
  --controller="127.0.0.1:$MANAGEMENT_PORT" --command="deploy $WORK/other.war" 2>&1 || true)"
[[ "$answer" == *'name: \"shop-monitored\" is taken by the monitor of deployment.shop-monitored.war'* ]] \
  || fail "deploying other.war, whose monitor has shop-monitored's name: expected a failure naming both, got: $answer"
pass "another application's monitor of the same name: its deployment fails naming the name and the deployment that has it"
before_requests="$(metric 'scheduler_http_requests_total{handler="shop-monitored"}')"
request "$BASE/shop-monitored/hello"
wait_metric 'scheduler_http_requests_total{handler="shop-monitored"}' $((before_requests + 1))

# 6. The OpenTelemetry Java agent instead of the JMX exporter (WILDFLY_AGENT=otel: a plain -javaagent with
# integrations/opentelemetry/bandwidth-otel-rules.yaml, its Prometheus exporter on METRICS_PORT), server-wide.
# otel_metric NAME LABEL...: the series of NAME with every LABEL (key="value"), whatever other labels it has (the
# agent adds otel_scope_name and otel_scope_version), as an integer; 0 when absent, "ambiguous" when several match.
otel_metric() {
  local name="$1"
  shift
  curl -fsS --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v name="$name" -v labels="$*" '
    index($0, name "{") == 1 {
      n = split(labels, want, " ")
      for (i = 1; i <= n; i++) {
        l = want[i]
        if (!(index($0, "{" l ",") || index($0, "{" l "}") || index($0, "," l ",") || index($0, "," l "}"))) next
      }
      value = $NF; found++
    }
    END { if (found > 1) print "ambiguous"; else if (found) printf "%.0f\n", value; else print 0 }'
}
# Up to 120 s: the agent finds a new route's row MBean at its next discovery (up to a minute apart), then shows it
# at 0 for the row hold (15 s) before its count.
wait_otel() { local what="$1" expected="$2"; shift 2; WAIT_SECONDS=120 wait_for "$what" "$expected" otel_metric "$@"; }
cli_close
"$WILDFLY" stop >/dev/null 2>&1
eval "$(WILDFLY_MODE=server WILDFLY_AGENT=otel "$WILDFLY" start)"
PID="$(cat "$ROOT/examples/wildfly/state/run/wildfly.pid")"
BASE="http://127.0.0.1:$HTTP_PORT"
say "WildFly under the OpenTelemetry agent: pid $PID, HTTP $HTTP_PORT, agent $METRICS_PORT"
for _ in $(seq 1 120); do
  [ "$(otel_metric undertow_bandwidth_requests_total 'handler="server"')" -ge 1 ] 2>/dev/null && break
  sleep 0.5
done
before_requests="$(otel_metric undertow_bandwidth_requests_total 'handler="server"')"
before_in="$(otel_metric undertow_bandwidth_body_io_bytes_total 'handler="server"' 'network_io_direction="receive"')"
before_out="$(otel_metric undertow_bandwidth_body_io_bytes_total 'handler="server"' 'network_io_direction="transmit"')"
# wildfly.sh's start asked for the application until it answered: at least one request already.
[ "$before_requests" -ge 1 ] 2>/dev/null \
  || fail "the OpenTelemetry agent shows no undertow_bandwidth_requests_total for handler server after 60 s ($before_requests): $(scrape | grep -c undertow_bandwidth || true) undertow_bandwidth lines"
reset_counts
for i in 1 2 3; do request "$BASE/shop/hello"; done
for i in 1 2; do request -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/upload.bin" "$BASE/shop/api/orders/$i/attachment"; done
request "$BASE/shop/no/such/page"
wait_otel "OpenTelemetry agent: requests" $((before_requests + REQUESTS)) undertow_bandwidth_requests_total 'handler="server"'
expect_eq "OpenTelemetry agent: inbound bytes (curl sent $SENT)" \
  $(( $(otel_metric undertow_bandwidth_body_io_bytes_total 'handler="server"' 'network_io_direction="receive"') - before_in )) "$SENT"
expect_eq "OpenTelemetry agent: outbound bytes (curl received $RECEIVED)" \
  $(( $(otel_metric undertow_bandwidth_body_io_bytes_total 'handler="server"' 'network_io_direction="transmit"') - before_out )) "$RECEIVED"
wait_otel "OpenTelemetry agent: requests on /shop/api/orders/{id}/attachment" 2 \
  undertow_bandwidth_route_requests_total 'handler="server"' 'http_route="/shop/api/orders/{id}/attachment"'
wait_otel "OpenTelemetry agent: inbound bytes on /shop/api/orders/{id}/attachment" 246912 \
  undertow_bandwidth_route_body_io_bytes_total 'handler="server"' 'http_route="/shop/api/orders/{id}/attachment"' 'network_io_direction="receive"'
wait_otel "OpenTelemetry agent: the 404 on /shop/* in its status class" 1 \
  undertow_bandwidth_route_status_requests_total 'handler="server"' 'http_route="/shop/*"' 'http_response_status_class="4xx"'
wait_otel "OpenTelemetry agent: every request on the top client 127.0.0.1" \
  "$(otel_metric undertow_bandwidth_requests_total 'handler="server"')" \
  undertow_bandwidth_client_requests_total 'handler="server"' 'client="127.0.0.1"'
expect_eq "OpenTelemetry agent: series of the JMX exporter's rules (none: that agent is not there)" \
  "$(scrape | grep -c '^scheduler_http_' || true)" 0

# The in-process exporter WAR where its users run it, with no agent that made the platform MBeanServer first: here
# WildFly's own (section 3b reads a plain JDK one, made by the JMX exporter agent). The same MBean, the same count.
INPROCESS_PORT="$(listener_port)"
cli "/system-property=bandwidth.metrics.rules:add(value=$ROOT/jmx-exporter-config.yaml)"
cli "/system-property=bandwidth.metrics.port:add(value=$INPROCESS_PORT)"
cli "deploy --force $ROOT/examples/wildfly/metrics-war/target/bandwidth-metrics.war"
expect_eq "in-process exporter on WildFly's own MBeanServer: scheduler_http_requests_total{handler=\"server\"} (the OpenTelemetry agent's count)" \
  "$(series_value "http://127.0.0.1:$INPROCESS_PORT/metrics" 'scheduler_http_requests_total{handler="server"}')" \
  "$(otel_metric undertow_bandwidth_requests_total 'handler="server"')"
# A row is born at zero for the row hold (15 s) from this view's first read, the exporter's first scrape.
WAIT_SECONDS=60 wait_for "in-process exporter on WildFly's own MBeanServer: inbound bytes on /shop/api/orders/{id}/attachment" 246912 \
  series_value "http://127.0.0.1:$INPROCESS_PORT/metrics" 'scheduler_http_endpoint_bandwidth_bytes_total{direction="inbound",endpoint="/shop/api/orders/{id}/attachment",handler="server"}'
cli "undeploy bandwidth-metrics.war"

# The per-application WAR beside the filter under the same agent, and a redeploy. No agent made the platform
# MBeanServer before WildFly booted, so it is WildFly's own, which wraps a JDK one: there an undeployed deployment's
# row MBeans used to stay registered (their MBean was told the inner server), with its figures, and the next
# deployment's rows could not take their names. After the redeploy each route shows the new deployment's figures.
cli "deploy $MONITORED"
for i in 1 2 3; do request "$BASE/shop-monitored/hello"; done
request -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/small-upload.bin" "$BASE/shop-monitored/api/orders/1/attachment"
wait_otel "OpenTelemetry agent, per application: requests on /shop-monitored/hello" 3 \
  undertow_bandwidth_route_requests_total 'handler="shop-monitored"' 'http_route="/shop-monitored/hello"'
wait_otel "OpenTelemetry agent, per application: inbound bytes on /shop-monitored/api/orders/{id}/attachment" 54321 \
  undertow_bandwidth_route_body_io_bytes_total 'handler="shop-monitored"' 'http_route="/shop-monitored/api/orders/{id}/attachment"' 'network_io_direction="receive"'
cli "deploy --force $MONITORED"
for i in 1 2; do request "$BASE/shop-monitored/hello"; done
wait_otel "OpenTelemetry agent, per application, redeployed: requests on /shop-monitored/hello (the new deployment's 2)" 2 \
  undertow_bandwidth_route_requests_total 'handler="shop-monitored"' 'http_route="/shop-monitored/hello"'
wait_otel "OpenTelemetry agent, per application, redeployed: requests (the new deployment's 2)" 2 \
  undertow_bandwidth_requests_total 'handler="shop-monitored"'
expect_eq "OpenTelemetry agent, per application, redeployed: the previous deployment's route /shop-monitored/api/orders/{id}/attachment" \
  "$(otel_metric undertow_bandwidth_route_requests_total 'handler="shop-monitored"' 'http_route="/shop-monitored/api/orders/{id}/attachment"')" 0
# Nothing of either deployment stays once it is undeployed and WildFly's idle task threads have ended (as in step
# 5, which runs on the JMX exporter agent's plain JDK MBeanServer): only the module's copy of the library is left.
cli "undeploy shop-monitored.war"
let_idle_task_threads_end
copies="$(settle_copies 1 idle)"
expect_eq "library copies loaded on WildFly's own MBeanServer once the per-application WAR, read by the OpenTelemetry agent, was redeployed and undeployed (the module's only)" "$copies" 1

# A reload, then /shop/hello asked until the server answers it with status $1 (any: with anything, once it is up);
# the last status in STATUS (000: no answer in 60 s). Not in a subshell: the CLI session is this shell's.
reload_until() {
  STATUS=000
  cli "reload"
  for _ in $(seq 1 120); do
    STATUS="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/shop/hello" || true)"
    if [ "$1" = any ]; then [ "$STATUS" != 000 ] && break; else [ "$STATUS" = "$1" ] && break; fi
    sleep 0.5
  done
}

# A reload makes the server-wide filter anew, which takes the name over from the previous one: on WildFly's own
# MBeanServer too, each route then shows the new filter's figures only.
reload_until 200
request "$BASE/shop/hello"
wait_otel "OpenTelemetry agent, reloaded: requests on /shop/hello (the new filter's, curl's 2)" 2 \
  undertow_bandwidth_route_requests_total 'handler="server"' 'http_route="/shop/hello"'
expect_eq "OpenTelemetry agent, reloaded: the previous filter's route /shop/api/orders/{id}/attachment" \
  "$(otel_metric undertow_bandwidth_route_requests_total 'handler="server"' 'http_route="/shop/api/orders/{id}/attachment"')" 0

# A custom-filter parameter whose value the library refuses. WildFly maps parameters with jboss-common-beans, which
# only logs (at FINEST) what a setter throws: the filter used to count on with the default in the value's place, and
# nothing said so. Now it fails as for a parameter name WildFly does not know: every request answers 500 and
# server.log names the parameter and what is allowed. With the parameters put back, it counts again.
params='name=server, endpointCap=128, classifier=io.github.httpbandwidth.servlet.ServletEndpoints'
refusal='clientCapacity: got 5000; allowed are 0 (no top clients) to 1000'
said_before="$(grep -cF "$refusal" "$JBOSS_HOME/standalone/log/server.log" || true)"
cli "/subsystem=undertow/configuration=filter/custom-filter=bandwidth:write-attribute(name=parameters, value={$params, clientCapacity=5000})"
reload_until any
expect_eq "status with the custom-filter parameter clientCapacity=5000 (refused)" "$STATUS" 500
log_says_more() { [ "$(grep -cF "$refusal" "$JBOSS_HOME/standalone/log/server.log" || true)" -gt "$said_before" ] && echo yes || echo no; }
wait_for "server.log says: $refusal" yes log_says_more
cli "/subsystem=undertow/configuration=filter/custom-filter=bandwidth:write-attribute(name=parameters, value={$params})"
reload_until 200
request "$BASE/shop/hello"
wait_otel "OpenTelemetry agent, parameters put back: requests on /shop/hello (curl's 2)" 2 \
  undertow_bandwidth_route_requests_total 'handler="server"' 'http_route="/shop/hello"'

say "wildfly check: $checks checks passed in ${SECONDS}s"
