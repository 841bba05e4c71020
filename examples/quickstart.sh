#!/usr/bin/env bash
# Builds the library and runs examples/quickstart/QuickStart.java on 127.0.0.1:${QUICKSTART_PORT:-8080}.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "quickstart: java not found; install a JDK 17 (apt-get install -y openjdk-17-jdk)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "quickstart: mvn not found; install Maven (apt-get install -y maven)" >&2; exit 1; }
port="${QUICKSTART_PORT:-8080}"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "quickstart: port $port on 127.0.0.1 is taken; set QUICKSTART_PORT to a free one" >&2
  exit 1
fi
mvn -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile
exec java -cp "target/classes:$(cat target/classpath.txt)" examples/quickstart/QuickStart.java
