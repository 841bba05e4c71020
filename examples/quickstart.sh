#!/usr/bin/env bash
# Installs the library into the local Maven repository, builds examples/quickstart (which depends on it by its
# coordinates, as a user's project does) and runs it on 127.0.0.1:${QUICKSTART_PORT:-8080}.
set -euo pipefail
# Debian's Maven 3.8.7 ends its quiet output with colour resets (ESC[0m) even in batch mode; this keeps them out.
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true"
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "quickstart: java not found; install a JDK 17 (apt-get install -y openjdk-17-jdk)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "quickstart: mvn not found; install Maven (apt-get install -y maven)" >&2; exit 1; }
port="${QUICKSTART_PORT:-8080}"
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "quickstart: QUICKSTART_PORT=$port is not a port; allowed are 1 to 65535" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "quickstart: port $port on 127.0.0.1 is taken; set QUICKSTART_PORT to a free one" >&2
  exit 1
fi
examples/install-library.sh
mvn -q -B -f examples/quickstart/pom.xml package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile
cd examples/quickstart
QUICKSTART_PORT="$port" exec java -cp "target/classes:$(cat target/classpath.txt)" io.github.httpbandwidth.quickstart.QuickStart
