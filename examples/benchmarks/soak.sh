#!/usr/bin/env bash
# A bounded soak (MINUTES, default 3) of mixed traffic and scrapes in one JVM: no drift between the server's
# counts and the clients' own, and a flat heap. Not part of CI. See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
exec java -Xmx256m -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)" \
  io.github.httpbandwidth.SoakRunner "${MINUTES:-3}"
