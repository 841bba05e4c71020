#!/usr/bin/env bash
# Heap per endpoint row and per BandwidthStats filled to its endpoint cap. See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
exec java -Xmx1g -XX:+UseSerialGC -cp "target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)" \
  io.github.httpbandwidth.EndpointMemory
