#!/usr/bin/env bash
# Reading the console's endpoint MBeans (one row, the whole tree) and the heap a row costs with its MBeans. See docs/PERFORMANCE.md.
# Usage: console-cost.sh [heap]   (heap: only the heap per row)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
exec java -Xmx2g -XX:+UseSerialGC -cp "target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)" \
  io.github.httpbandwidth.ConsoleCost "$@"
