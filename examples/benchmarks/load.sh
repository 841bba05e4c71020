#!/usr/bin/env bash
# Load benchmark: the example master with the bandwidth handler (A) against the same master without it
# (B, BANDWIDTH_ENABLED=false), side by side on 127.0.0.1, driven by wrk in interleaved runs A B A B ... so that
# machine drift cancels out. For each route it reports throughput and the server's CPU time per request (from
# /proc/PID/stat around each run), and the ratios A/B. Figures: docs/PERFORMANCE.md.
#
#   examples/benchmarks/load.sh            ROUNDS=5 SECONDS_PER_RUN=10 CONNECTIONS=16 by default
#   ONLY=small examples/benchmarks/load.sh one route (small, 64KiB or 16KiB-upload)
#
# The servers are pinned to CPU 0 and wrk to CPU 1 when taskset and two CPUs are there.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
ROUNDS="${ROUNDS:-5}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT_A="${PORT_A:-18443}"
PORT_B="${PORT_B:-18444}"

command -v wrk >/dev/null || { echo "load.sh: wrk is not installed; apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "load.sh: curl is not installed; apt-get install -y curl" >&2; exit 1; }
for port in "$PORT_A" "$PORT_B"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "load.sh: port $port is taken; set PORT_A / PORT_B" >&2; exit 1
  fi
done
mvn -q -B -f examples/scheduler-master/pom.xml package

WORK="$(mktemp -d)"
SERVER_CPU=""; CLIENT_CPU=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; fi
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_master() { # name port enabled
  mkdir -p "$WORK/$1"
  MASTER_PORT="$2" MASTER_ENV_FILE="$WORK/.env" MASTER_STATE_DIR="$WORK/$1" BANDWIDTH_ENABLED="$3" \
    $SERVER_CPU java -Xms512m -Xmx512m -jar examples/scheduler-master/target/scheduler-master.jar >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -skf -o /dev/null "https://127.0.0.1:$2/health" && return 0
    sleep 0.5
  done
  echo "load.sh: the master on port $2 did not start; see $WORK/$1.log" >&2; exit 1
}
# The first master creates the shared .env; the second reads it.
start_master with "$PORT_A" true
PID_A="${PIDS[0]}"
start_master without "$PORT_B" false
PID_B="${PIDS[1]}"
KEY="$(sed -n 's/^MASTER_API_KEY=//p' "$WORK/.env")"

head -c 65536 /dev/urandom > "$WORK/64k.bin"
for port in "$PORT_A" "$PORT_B"; do
  curl -skf -o /dev/null -H "Authorization: Bearer $KEY" -T "$WORK/64k.bin" "https://127.0.0.1:$port/artifacts/64k.bin"
done
cat > "$WORK/upload.lua" <<'EOF'
wrk.method = "PUT"
wrk.body = string.rep("u", 16384)
EOF

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# route-name path [lua-script]
ROUTES=("small GET /jobs" "64KiB GET /artifacts/64k.bin" "16KiB-upload PUT /artifacts/upload.bin")
if [ -n "${ONLY:-}" ]; then
  selected=()
  for route in "${ROUTES[@]}"; do [ "${route%% *}" = "$ONLY" ] && selected+=("$route"); done
  [ ${#selected[@]} -gt 0 ] || { echo "load.sh: ONLY=$ONLY is not a route; use small, 64KiB or 16KiB-upload" >&2; exit 2; }
  ROUTES=("${selected[@]}")
fi
RESULTS="$WORK/results"
: > "$RESULTS"
run() { # variant pid port route path script
  local before after out requests
  before="$(cpu_ticks "$2")"
  out="$($CLIENT_CPU wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -H "Authorization: Bearer $KEY" \
    ${6:+-s "$6"} "https://127.0.0.1:$3$5" 2>&1)"
  after="$(cpu_ticks "$2")"
  requests="$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')"
  if printf '%s\n' "$out" | grep -q "Non-2xx"; then
    echo "load.sh: non-2xx answers on $4 ($1):" >&2; printf '%s\n' "$out" >&2; exit 1
  fi
  # ticks are 1/CLK_TCK s; CPU microseconds per request
  awk -v v="$1" -v r="$4" -v n="$requests" -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_PER_RUN" \
    'BEGIN { printf "%s %s %.1f %.2f\n", r, v, n / s, t * 1e6 / hz / n }' >> "$RESULTS"
}

# One run of each route on A then B.
run_routes() { # variant-for-A variant-for-B
  local route name method path script
  for route in "${ROUTES[@]}"; do
    read -r name method path <<<"$route"
    script=""; [ "$method" = PUT ] && script="$WORK/upload.lua"
    run "$1" "$PID_A" "$PORT_A" "$name" "$path" "$script"
    run "$2" "$PID_B" "$PORT_B" "$name" "$path" "$script"
  done
}

echo "Warming up both servers..."
run_routes warmup warmup
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS..."
  run_routes with without
done

echo
echo "$ROUNDS rounds of ${SECONDS_PER_RUN}s per variant and route, $CONNECTIONS connections, HTTPS, ${SERVER_CPU:-no pinning}"
awk '
  { key = $1; if ($2 == "with") { wr[key] = wr[key] " " $3; wc[key] = wc[key] " " $4 } else { nr[key] = nr[key] " " $3; nc[key] = nc[key] " " $4 } ; order[key] = NR }
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
                                          return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function ratios(x, y,   a, b, n, i, out) { n = split(x, a, " "); split(y, b, " "); out = ""; for (i = 1; i <= n; i++) out = out " " a[i] / b[i]; return out }
  function spread(list,   a, n, i, lo, hi) { n = split(list, a, " "); lo = hi = a[1]; for (i = 2; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] } return sprintf("%.3f-%.3f", lo, hi) }
  END {
    printf "%-14s %12s %12s %10s %14s %14s %14s %10s %14s\n", "route", "req/s with", "req/s w/o", "ratio", "ratio range", "CPU us/req w", "CPU us/req w/o", "ratio", "ratio range"
    for (k in order) {
      tr = ratios(wr[k], nr[k]); cr = ratios(wc[k], nc[k])
      printf "%-14s %12.0f %12.0f %10.3f %14s %14.2f %14.2f %10.3f %14s\n", k, median(wr[k]), median(nr[k]), median(tr), spread(tr), median(wc[k]), median(nc[k]), median(cr), spread(cr)
    }
  }' "$RESULTS"
echo
echo "Per run (route variant req/s CPU-us/req):"
cat "$RESULTS"
