#!/usr/bin/env bash
# Takes the guide's JConsole and VisualVM pictures (docs/jconsole-*.png, docs/visualvm-mbeans.png) from the
# running example stack, under a virtual X display:
#
#   examples/full-stack-deploy.sh start && examples/screenshots.sh
#
# Needs Debian's xvfb, xdotool, imagemagick and visualvm (apt-get install -y xvfb xdotool imagemagick visualvm).
# VisualVM's MBeans tab is a plugin that Debian's package does not carry (Tools > Plugins installs it from
# VisualVM's plugin centre); VISUALVM_USERDIR names a VisualVM user directory that has it, else VisualVM is
# skipped. Sends traffic to the master (jobs, artifacts, and one slow 64 MB upload for the transfer in flight).
# SCREENSHOT_DIR writes the pictures elsewhere than docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
for program in Xvfb xdotool import jconsole curl; do
  command -v "$program" >/dev/null || { echo "screenshots.sh: $program is missing (see the header)" >&2; exit 2; }
done
pid_file=examples/scheduler-master/state/run/master.pid
[ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null \
  || { echo "screenshots.sh: the example master does not run; start it: examples/full-stack-deploy.sh start" >&2; exit 2; }
master_pid="$(cat "$pid_file")"
port="${MASTER_PORT:-8080}"
# shellcheck disable=SC1091
source .env
work="$(mktemp -d)"
display=":${SCREENSHOT_DISPLAY:-91}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

api() { curl -sk -H "Authorization: Bearer $MASTER_API_KEY" "$@"; }

echo "traffic: jobs and artifacts"
for i in $(seq 1 30); do api -o /dev/null "https://127.0.0.1:$port/jobs"; done
for i in $(seq 1 5); do api -o /dev/null -X POST -d "{\"name\":\"build-$i\",\"command\":\"make\"}" "https://127.0.0.1:$port/jobs"; done
api -o /dev/null "https://127.0.0.1:$port/jobs/1"
for size in 20000 300000 2000000 8000000; do
  head -c "$size" /dev/urandom > "$work/a.bin"
  api -o /dev/null -T "$work/a.bin" "https://127.0.0.1:$port/artifacts/build-$size.tar"
  for i in 1 2 3; do api -o /dev/null "https://127.0.0.1:$port/artifacts/build-$size.tar"; done
done
head -c 64000000 /dev/zero > "$work/big.bin"
# A steady trickle of downloads keeps the endpoint's rate moving while JConsole charts it.
( while true; do api -o /dev/null "https://127.0.0.1:$port/artifacts/build-300000.tar"; sleep 0.5; done ) &
pids+=($!)

Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY="$display"
sleep 2

out="${SCREENSHOT_DIR:-$root/docs}"
shot() {   # shot <file>: the whole screen
  import -window root "$out/$1"
  echo "wrote $out/$1"
}
# Positions are those of OpenJDK 17's JConsole and VisualVM 2.1.5 on a 1280x860 screen, with the example
# master's endpoints (the tree rows depend on them).
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-1}"; }
double_click() { xdotool mousemove "$1" "$2" click --repeat 2 --delay 100 1; sleep "${3:-1}"; }

echo "JConsole"
jconsole -J-Djava.util.prefs.userRoot="$work/prefs" "$master_pid" >/dev/null 2>&1 &
jconsole_pid=$!
pids+=("$jconsole_pid")
sleep 10
click 553 257 6                                   # "Secure connection failed": Insecure connection (local)
window="$(xdotool search --name 'Java Monitoring' | head -1)"
xdotool windowmove "$window" 0 0 windowsize "$window" 1280 860
sleep 3
click 472 58 3                                    # the MBeans tab
xdotool mousemove 170 450 mousedown 1 mousemove 260 450 mousemove 360 450 mouseup 1   # a wider tree
sleep 1
click 16 117                                      # io.github.httpbandwidth
click 36 135                                      # BandwidthStats
click 56 153                                      # master
click 118 167 3                                   # its Attributes
click 16 200                                      # io.github.httpbandwidth.console
click 36 218                                      # master
shot jconsole-bandwidthstats.png
click 56 236                                      # Endpoints
click 76 285                                      # /artifacts/{name}
click 138 301 3                                   # its Attributes
shot jconsole-endpoint-tree.png
double_click 1000 164 2                           # chart BytesSentPerSecond1m
sleep 20
for i in 1 2 3 4 5 6; do api -o /dev/null "https://127.0.0.1:$port/artifacts/build-8000000.tar"; sleep 3; done
sleep 30
shot jconsole-endpoint-chart.png
api -o /dev/null --limit-rate 1M -T "$work/big.bin" "https://127.0.0.1:$port/artifacts/big2.bin" &
pids+=($!)
sleep 8
click 56 380                                      # TransfersInFlight
click 118 396 3                                   # its Attributes
double_click 1000 132 2                           # open the TransfersInFlight table
shot jconsole-in-flight.png
for i in 1 2 3; do click 1254 334 0.3; done       # scroll the row to its rank and age
shot jconsole-in-flight-age.png
click 56 364                                      # Sizes
click 118 380 3                                   # its Attributes
shot jconsole-sizes.png
click 76 183                                      # the listener, https-127.0.0.1-<port>
click 138 199 3                                   # its Attributes
shot jconsole-wire.png
kill "$jconsole_pid" 2>/dev/null || true

if [ -n "${VISUALVM_USERDIR:-}" ] && command -v visualvm >/dev/null; then
  echo "VisualVM"
  visualvm --userdir "$VISUALVM_USERDIR" --openpid "$master_pid" >/dev/null 2>&1 &
  pids+=($!)
  sleep 40
  # First start of a user directory: the licence; later starts have none, and the click lands on nothing.
  click 784 701 45
  for w in $(xdotool search --name 'VisualVM'); do xdotool windowmove "$w" 0 0 windowsize "$w" 1280 860 2>/dev/null || true; done
  sleep 3
  click 675 99 5                                  # the MBeans tab
  xdotool mousemove 481 500 mousedown 1 mousemove 560 500 mousemove 600 500 mouseup 1
  sleep 1
  click 292 263                                   # io.github.httpbandwidth.console
  click 312 281                                   # master
  click 332 299                                   # Endpoints
  click 432 348 4                                 # /artifacts/{name}
  shot visualvm-mbeans.png
else
  echo "VisualVM skipped: set VISUALVM_USERDIR to a user directory with the VisualVM-MBeans plugin"
fi
