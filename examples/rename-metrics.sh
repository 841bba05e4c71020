#!/usr/bin/env bash
# Writes the rules file, the Prometheus configuration, the recording rules and alerts with their promtool tests,
# and the Grafana dashboard for a metric prefix of your own. The shipped files are the example's, prefix
# scheduler_http and title Scheduler; this script derives every name from the one prefix you choose:
#   metrics            scheduler_http_bandwidth_bytes_total  -> PREFIX_bandwidth_bytes_total
#   recording rules    scheduler:http_requests:rate1m       -> LEVEL:REST_requests:rate1m (PREFIX split at its first _)
#                      scheduler_fleet:http_requests:rate1m -> LEVEL_fleet:REST_requests:rate1m
#   rule groups, uid   scheduler-http-bandwidth             -> PREFIX with - for _, then -bandwidth
#   alerts, titles     SchedulerHighOutboundBandwidth        -> TITLE HighOutboundBandwidth (TITLE from --title)
# Usage: examples/rename-metrics.sh --prefix http_server_body [--title HttpServer] --out DIR
# With --prefix scheduler_http --title Scheduler it writes the shipped files unchanged.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

prefix="" title="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:-}"; shift 2 ;;
    --title) title="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    *) echo "rename-metrics: unknown argument '$1'; usage: --prefix PREFIX [--title Title] --out DIR" >&2; exit 2 ;;
  esac
done
[[ "$prefix" =~ ^[a-z][a-z0-9]*(_[a-z0-9]+)*$ ]] || { echo "rename-metrics: --prefix '$prefix' is not allowed; use lower-case letters, digits and single underscores, starting with a letter (a Prometheus metric name part), e.g. http_server_body" >&2; exit 2; }
[ -n "$out" ] || { echo "rename-metrics: --out DIR is required (where the files are written)" >&2; exit 2; }
if [ -z "$title" ]; then
  # http_server_body -> HttpServerBody
  title="$(echo "$prefix" | sed -E 's/(^|_)([a-z])/\U\2/g')"
fi
[[ "$title" =~ ^[A-Z][A-Za-z0-9]*$ ]] || { echo "rename-metrics: --title '$title' is not allowed; use one CamelCase word of letters and digits (it starts alert names), e.g. HttpServer" >&2; exit 2; }

level="${prefix%%_*}"
rest="${prefix#*_}"
if [ "$rest" = "$prefix" ]; then record="$level:"; fleet="${level}_fleet:"; else record="$level:${rest}_"; fleet="${level}_fleet:${rest}_"; fi
slug="${prefix//_/-}"

rename() {
  sed -e "s/scheduler_http_/${prefix}_/g" \
      -e "s/scheduler:http_/${record}/g" \
      -e "s/scheduler_fleet:http_/${fleet}/g" \
      -e "s/scheduler-http-bandwidth/${slug}-bandwidth/g" \
      -e "s/scheduler-http-fleet/${slug}-fleet/g" \
      -e "s/Scheduler\(HighOutboundBandwidth\|EndpointOverflowGrowing\|EndpointBandwidthSpike\|ClientBandwidthSpike\)/${title}\1/g" \
      -e "s/\"Scheduler: HTTP Bandwidth\"/\"${title}: HTTP Bandwidth\"/" \
      "$1" > "$2"
}

mkdir -p "$out/prometheus" "$out/grafana"
rename "$ROOT/jmx-exporter-config.yaml" "$out/jmx-exporter-config.yaml"
rename "$ROOT/examples/prometheus/prometheus.yml" "$out/prometheus/prometheus.yml"
rename "$ROOT/examples/prometheus/rules.yml" "$out/prometheus/rules.yml"
rename "$ROOT/examples/prometheus/rules_test.yml" "$out/prometheus/rules_test.yml"
rename "$ROOT/grafana/distributed-scheduler.json" "$out/grafana/dashboard.json"
echo "rename-metrics: wrote $out with prefix ${prefix}_ (recording rules ${record}..., alerts ${title}..., dashboard \"${title}: HTTP Bandwidth\")"
