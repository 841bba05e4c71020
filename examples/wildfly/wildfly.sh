#!/usr/bin/env bash
# WildFly with the bandwidth monitor, under the JMX exporter agent (or the OpenTelemetry Java agent).
#
#   examples/wildfly/wildfly.sh start    provisions WildFly from Maven Central (once, into state/), builds the
#                                        example WARs, starts the server with the agent, then (WILDFLY_MODE)
#                                          server       installs the library as a JBoss module, adds the
#                                                       custom-filter and its filter-ref with jboss-cli, deploys
#                                                       shop.war (the application as it is): the default
#                                          application  deploys shop-monitored.war (the library in WEB-INF/lib,
#                                                       switched on by its undertow-handlers.conf); no module
#                                        and waits until the application answers
#   examples/wildfly/wildfly.sh stop     stops the server this script started, by pid
#   examples/wildfly/wildfly.sh status   says whether it runs
#
# start and status print these lines on stdout (progress goes to stderr), so `eval "$(wildfly.sh status)"` works:
#   JBOSS_HOME=... HTTP_PORT=... MANAGEMENT_PORT=... METRICS_PORT=... WAR=... APP_URL=...
# Then redeploy with WildFly's own CLI, for example:
#   $JBOSS_HOME/bin/jboss-cli.sh -c --controller=127.0.0.1:$MANAGEMENT_PORT --command="deploy --force $WAR"
#
# Settings: WILDFLY_MODE (server or application), WILDFLY_AGENT (jmx, the JMX exporter agent with the shipped rules:
# the default; otel, the OpenTelemetry Java agent with integrations/opentelemetry/bandwidth-otel-rules.yaml, its
# metrics in the Prometheus format on METRICS_PORT), WILDFLY_VERSION (39.0.1.Final), WILDFLY_PORT_OFFSET (300: HTTP
# 8380, management 10290; WildFly adds it to every port it opens), METRICS_PORT (9390, the agent),
# WILDFLY_STATE_DIR (examples/wildfly/state, git-ignored: the server, logs, pid), JMX_EXPORTER_CONFIG
# (jmx-exporter-config.yaml at the repository root). While the server runs, status and stop use the settings it
# was started with.
set -euo pipefail
# Debian's Maven 3.8.7 ends its quiet output with colour resets (ESC[0m) even in batch mode; this keeps them out.
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/examples/wildfly/app"
VERSION="${WILDFLY_VERSION:-39.0.1.Final}"
STATE="${WILDFLY_STATE_DIR:-$ROOT/examples/wildfly/state}"
RUN="$STATE/run"
# While a server this script started runs, the settings it was started with are the ones that count.
if [ -f "$RUN/settings" ] && [ -f "$RUN/wildfly.pid" ] && kill -0 "$(cat "$RUN/wildfly.pid")" 2>/dev/null; then
  # shellcheck source=/dev/null
  . "$RUN/settings"
fi
OFFSET="${WILDFLY_PORT_OFFSET:-300}"
METRICS_PORT="${METRICS_PORT:-9390}"
RULES="${JMX_EXPORTER_CONFIG:-$ROOT/jmx-exporter-config.yaml}"
JBOSS_HOME="$STATE/wildfly-$VERSION"
MODE="${WILDFLY_MODE:-server}"
READER="${WILDFLY_AGENT:-jmx}"
JMX_AGENT="$APP/target/agent/jmx_prometheus_javaagent.jar"
OTEL_AGENT="$APP/target/agent/opentelemetry-javaagent.jar"
OTEL_RULES="$ROOT/integrations/opentelemetry/bandwidth-otel-rules.yaml"
# The in-process exporter as a WAR (not deployed by start; examples/wildfly/check.sh and the guide deploy it).
METRICS_WAR="$ROOT/examples/wildfly/metrics-war/target/bandwidth-metrics.war"
MODULE_DIR="$JBOSS_HOME/modules/io/github/httpbandwidth/main"

say() { printf '%s\n' "$*" >&2; }
fail() { printf 'wildfly.sh: %s\n' "$*" >&2; exit 1; }

# The ports the distribution's standalone.xml opens (http, https, ajp, management http and https, the transaction
# manager's two), each plus the offset. The agent starts first: on one of them it would answer in WildFly's place.
WILDFLY_PORTS="8080 8443 8009 9990 9993 4712 4713"
# check.sh picks its ports free of these: 'wildfly.sh ports' names them, whatever else is set.
[ "${1:-}" != ports ] || { printf '%s\n' "$WILDFLY_PORTS"; exit 0; }

case "$OFFSET" in ''|*[!0-9]*) fail "WILDFLY_PORT_OFFSET=$OFFSET is not a number; use 0 to 50000" ;; esac
case "$METRICS_PORT" in ''|*[!0-9]*) fail "METRICS_PORT=$METRICS_PORT is not a port number; use 1 to 65535" ;; esac
[ "$OFFSET" -le 50000 ] || fail "WILDFLY_PORT_OFFSET=$OFFSET is too large; use 0 to 50000"
HTTP_PORT=$((8080 + OFFSET))
MANAGEMENT_PORT=$((9990 + OFFSET))
for port in $WILDFLY_PORTS; do
  [ "$METRICS_PORT" != $((port + OFFSET)) ] || fail "METRICS_PORT=$METRICS_PORT is WildFly's port $port plus WILDFLY_PORT_OFFSET=$OFFSET; choose METRICS_PORT or the offset apart"
done
case "$MODE" in
  server) WAR="$APP/target/shop.war"; APP_URL="http://127.0.0.1:$HTTP_PORT/shop/hello" ;;
  application) WAR="$APP/target/shop-monitored.war"; APP_URL="http://127.0.0.1:$HTTP_PORT/shop-monitored/hello" ;;
  *) fail "WILDFLY_MODE=$MODE: use server (the custom-filter for every deployment) or application (the WAR's own undertow-handlers.conf)" ;;
esac
case "$READER" in
  jmx|otel) ;;
  *) fail "WILDFLY_AGENT=$READER: use jmx (the JMX exporter agent, the default) or otel (the OpenTelemetry Java agent)" ;;
esac

# The java process of the server started from this JBOSS_HOME, if it runs.
server_pid() {
  local pid
  [ -f "$RUN/wildfly.pid" ] || return 1
  pid="$(cat "$RUN/wildfly.pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "-Djboss.home.dir=$JBOSS_HOME" || return 1
  printf '%s' "$pid"
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cli() { "$JBOSS_HOME/bin/jboss-cli.sh" -c --controller="127.0.0.1:$MANAGEMENT_PORT" "$@"; }

# The lines start and status print: read them back with eval.
print_settings() {
  printf 'JBOSS_HOME=%s\nHTTP_PORT=%s\nMANAGEMENT_PORT=%s\nMETRICS_PORT=%s\nWAR=%s\nAPP_URL=%s\n' \
    "$JBOSS_HOME" "$HTTP_PORT" "$MANAGEMENT_PORT" "$METRICS_PORT" "$WAR" "$APP_URL"
}

wait_until() {
  local what="$1" pid="$2"; shift 2
  for _ in $(seq 1 240); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { say "WildFly exited while waiting for $what; the end of $RUN/server.log:"; tail -n 30 "$RUN/server.log" >&2; return 1; }
    sleep 0.5
  done
  say "$what: not within 120 s; the end of $RUN/server.log:"
  tail -n 30 "$RUN/server.log" >&2
  return 1
}

server_running() { cli --command=":read-attribute(name=server-state)" 2>/dev/null | grep -q '"result" => "running"'; }

build() {
  command -v mvn >/dev/null || fail "Maven is needed; install it: apt-get install -y maven"
  "$ROOT/examples/install-library.sh" >&2 || fail "installing the library into the local Maven repository failed (see above)"
  if [ ! -f "$WAR" ] || [ ! -f "$JMX_AGENT" ] || [ ! -f "$OTEL_AGENT" ] || [ -n "$(find "$APP/src" "$APP/pom.xml" "$HOME/.m2/repository/io/github/httpbandwidth" -newer "$WAR" -type f -print -quit 2>/dev/null)" ]; then
    say "Building the example WARs (mvn package in examples/wildfly/app)..."
    mvn -q -B -f "$APP/pom.xml" package >&2 || fail "the build of examples/wildfly/app failed (see above)"
  fi
  if [ ! -f "$METRICS_WAR" ] || [ -n "$(find "$ROOT/examples/wildfly/metrics-war/src" "$ROOT/examples/wildfly/metrics-war/pom.xml" "$HOME/.m2/repository/io/github/httpbandwidth" -newer "$METRICS_WAR" -type f -print -quit 2>/dev/null)" ]; then
    say "Building the in-process metrics WAR (mvn package in examples/wildfly/metrics-war)..."
    mvn -q -B -f "$ROOT/examples/wildfly/metrics-war/pom.xml" package >&2 || fail "the build of examples/wildfly/metrics-war failed (see above)"
  fi
}

provision() {
  [ -x "$JBOSS_HOME/bin/standalone.sh" ] && return 0
  command -v unzip >/dev/null || fail "unzip is needed to unpack WildFly; install it: apt-get install -y unzip"
  say "Provisioning WildFly $VERSION from Maven Central (org.wildfly:wildfly-dist:$VERSION:zip, about 260 MB, once)..."
  mkdir -p "$STATE"
  mvn -q -B dependency:copy -Dartifact="org.wildfly:wildfly-dist:$VERSION:zip" -DoutputDirectory="$STATE" >&2 \
    || fail "could not fetch org.wildfly:wildfly-dist:$VERSION:zip from Maven Central (see above)"
  rm -rf "$JBOSS_HOME.tmp" && mkdir -p "$JBOSS_HOME.tmp"
  unzip -q "$STATE/wildfly-dist-$VERSION.zip" -d "$JBOSS_HOME.tmp"
  mv "$JBOSS_HOME.tmp/wildfly-$VERSION" "$JBOSS_HOME" && rm -rf "$JBOSS_HOME.tmp" "$STATE/wildfly-dist-$VERSION.zip"
  cp "$JBOSS_HOME/standalone/configuration/standalone.xml" "$STATE/standalone.xml.original"
}

# The library and its servlet integration as the JBoss module io.github.httpbandwidth, the jars the WAR build
# resolved by their coordinates.
install_module() {
  rm -rf "$MODULE_DIR" && mkdir -p "$MODULE_DIR"
  local resources="" jar
  for jar in "$APP"/target/monitored/WEB-INF/lib/undertow-bandwidth*.jar; do
    cp "$jar" "$MODULE_DIR/"
    resources="$resources        <resource-root path=\"$(basename "$jar")\"/>
"
  done
  [ -n "$resources" ] || fail "no library jars in $APP/target/monitored/WEB-INF/lib; rebuild: mvn -f $APP/pom.xml package"
  cat > "$MODULE_DIR/module.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by examples/wildfly/wildfly.sh: the bandwidth monitor for WildFly's custom-filter. -->
<module xmlns="urn:jboss:module:1.9" name="io.github.httpbandwidth">
    <resources>
$resources    </resources>
    <dependencies>
        <module name="java.logging"/>
        <module name="java.management"/>
        <module name="io.undertow.core"/>
        <module name="io.undertow.servlet"/>
        <module name="org.jboss.xnio"/>
        <module name="jakarta.servlet.api"/>
        <module name="jakarta.ws.rs.api" optional="true"/>
    </dependencies>
</module>
EOF
}

start() {
  if server_pid >/dev/null; then
    say "WildFly already runs (pid $(server_pid))."
    print_settings
    return 0
  fi
  local port
  for port in "$HTTP_PORT" "$MANAGEMENT_PORT" "$METRICS_PORT"; do
    port_taken "$port" && fail "port $port on 127.0.0.1 is taken; choose others with WILDFLY_PORT_OFFSET and METRICS_PORT"
  done
  build
  provision
  rm -rf "$MODULE_DIR"
  [ "$MODE" = server ] && install_module
  # Every start begins from the distribution's configuration: what runs is what this script set up.
  cp "$STATE/standalone.xml.original" "$JBOSS_HOME/standalone/configuration/standalone.xml"
  rm -rf "$JBOSS_HOME/standalone/data" "$JBOSS_HOME/standalone/tmp" "$JBOSS_HOME/standalone/log"
  mkdir -p "$RUN"

  say "Starting WildFly $VERSION (HTTP $HTTP_PORT, management $MANAGEMENT_PORT, $READER agent $METRICS_PORT)..."
  # -Dio.github.httpbandwidth.rowHoldSeconds: every handler's row hold (a new endpoint, status class or client row
  # shows 0 to the exporter for this long first), 15 s for a Prometheus scraping every 5 s like the example stack's;
  # the library's default is 120 s. A filter expression can set its own: bandwidth(name=..., row-hold=30).
  local java_opts="${JAVA_OPTS:-}" module_opts=""
  if [ "$READER" = jmx ]; then
    # The JMX exporter agent goes through JBoss Modules (MODULE_OPTS), which loads it after WildFly's log manager is
    # in place; as a plain -javaagent it would initialise java.util.logging first and the logging subsystem would
    # refuse to boot.
    module_opts="-javaagent:$JMX_AGENT=127.0.0.1:$METRICS_PORT:$RULES"
  else
    # The OpenTelemetry agent must be a plain -javaagent (through MODULE_OPTS it stops at once: "agent initializer
    # should be loaded in boot loader"), and WildFly boots with it there. A JAVA_OPTS replaces standalone.conf's
    # defaults, so without one of the caller's they are repeated first. Its JMX discovery starts after 5 s and then
    # looks for new MBeans (a new route's row) at growing intervals, up to once a minute.
    [ -n "$java_opts" ] || java_opts="-Xms64m -Xmx512m -Djava.net.preferIPv4Stack=true -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true"
    java_opts="$java_opts -javaagent:$OTEL_AGENT -Dotel.jmx.config=$OTEL_RULES"
    java_opts="$java_opts -Dotel.service.name=wildfly -Dotel.traces.exporter=none -Dotel.logs.exporter=none"
    java_opts="$java_opts -Dotel.metrics.exporter=prometheus -Dotel.exporter.prometheus.host=127.0.0.1"
    java_opts="$java_opts -Dotel.exporter.prometheus.port=$METRICS_PORT -Dotel.jmx.discovery.delay=5000"
  fi
  JAVA_OPTS="$java_opts" MODULE_OPTS="$module_opts" setsid nohup "$JBOSS_HOME/bin/standalone.sh" \
    -b 127.0.0.1 -bmanagement 127.0.0.1 -Djboss.socket.binding.port-offset="$OFFSET" \
    -Dio.github.httpbandwidth.rowHoldSeconds=15 \
    >"$RUN/server.log" 2>&1 </dev/null &
  local launcher=$! pid=""
  for _ in $(seq 1 100); do
    pid="$(pgrep -f -- "-Djboss.home.dir=$JBOSS_HOME" | grep -v "^$launcher\$" | head -1 || true)"
    [ -n "$pid" ] && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$pid" ] || { tail -n 30 "$RUN/server.log" >&2; fail "WildFly did not start (see above)"; }
  echo "$pid" > "$RUN/wildfly.pid"
  # status prints what start chose, whatever the caller's environment says then.
  printf 'WILDFLY_MODE=%q\nWILDFLY_AGENT=%q\nWILDFLY_PORT_OFFSET=%q\nMETRICS_PORT=%q\n' "$MODE" "$READER" "$OFFSET" \
    "$METRICS_PORT" > "$RUN/settings"
  wait_until "the management interface" "$pid" server_running || { stop; exit 1; }

  if [ "$MODE" = server ]; then
    say "Adding the custom-filter and its filter-ref (jboss-cli), then reloading..."
    cli --commands="/subsystem=undertow/configuration=filter/custom-filter=bandwidth:add(class-name=io.github.httpbandwidth.BandwidthFilter, module=io.github.httpbandwidth, parameters={name=server, endpointCap=128, classifier=io.github.httpbandwidth.servlet.ServletEndpoints}),/subsystem=undertow/server=default-server/host=default-host/filter-ref=bandwidth:add,reload" >&2 \
      || { stop; fail "configuring the filter failed (see above)"; }
    sleep 1
    wait_until "the reload" "$pid" server_running || { stop; exit 1; }
  fi

  say "Deploying $WAR..."
  cli --command="deploy --force $WAR" >&2 || { stop; fail "deploying $WAR failed (see above)"; }
  wait_until "$APP_URL" "$pid" curl -fsS -o /dev/null --max-time 5 "$APP_URL" || { stop; exit 1; }
  wait_until "the agent on port $METRICS_PORT" "$pid" curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" \
    || { stop; exit 1; }
  say "WildFly runs (pid $pid); server log: $RUN/server.log. Stop it with: examples/wildfly/wildfly.sh stop"
  print_settings
}

stop() {
  local pid
  if ! pid="$(server_pid)"; then
    say "WildFly is not running (nothing started by this script)."
    return 0
  fi
  say "Stopping WildFly (pid $pid)..."
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$RUN/wildfly.pid"; say "Stopped."; return 0; }
    sleep 0.2
  done
  say "WildFly did not stop within 30 s; killing it."
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/wildfly.pid"
}

status() {
  local pid
  if pid="$(server_pid)"; then
    say "WildFly runs (pid $pid)."
    print_settings
  else
    say "WildFly is not running."
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) fail "usage: examples/wildfly/wildfly.sh start|stop|status|ports" ;;
esac
