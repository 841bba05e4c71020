#!/usr/bin/env bash
# Installs the library (io.github.httpbandwidth:undertow-bandwidth, the version in ../pom.xml), its servlet
# integration (undertow-bandwidth-servlet, integrations/servlet), the Spring Boot starter
# (undertow-bandwidth-spring-boot-starter, integrations/spring-boot) and the in-process exporter example (which the
# WildFly example's metrics WAR uses) into the local Maven repository, the way a user's build would then find
# them, each when its installed jar is missing or older than its sources. The core builds
# in target/library-install, apart from target/ where the test suite runs.
set -euo pipefail
# Debian's Maven 3.8.7 ends its quiet output with colour resets (ESC[0m) even in batch mode; this keeps them out.
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -1)"
repo="$HOME/.m2/repository/io/github/httpbandwidth"

# stale <installed jar> <sources...>: true when the jar is missing or a source is newer.
stale() {
  local jar="$1"; shift
  [ ! -f "$jar" ] || [ -n "$(find "$@" -newer "$jar" -type f -print -quit)" ]
}

command -v mvn >/dev/null || { echo "install-library: Maven is needed; install it: apt-get install -y maven" >&2; exit 1; }
core="$repo/undertow-bandwidth/$version/undertow-bandwidth-$version.jar"
if stale "$core" "$ROOT/src/main" "$ROOT/pom.xml"; then
  echo "Installing the library $version into the local Maven repository..."
  mvn -q -B -f "$ROOT/pom.xml" -Dmaven.test.skip=true -Dlibrary.build.directory="$ROOT/target/library-install" install
  touch "$core" # installing may keep the built jar's time; the checks above compare with now
fi
servlet="$repo/undertow-bandwidth-servlet/$version/undertow-bandwidth-servlet-$version.jar"
if stale "$servlet" "$ROOT/integrations/servlet/src/main" "$ROOT/integrations/servlet/pom.xml" "$core"; then
  echo "Installing the servlet integration $version into the local Maven repository..."
  mvn -q -B -f "$ROOT/integrations/servlet/pom.xml" -Dmaven.test.skip=true install
  touch "$servlet"
fi
starter="$repo/undertow-bandwidth-spring-boot-starter/$version/undertow-bandwidth-spring-boot-starter-$version.jar"
if stale "$starter" "$ROOT/integrations/spring-boot/src/main" "$ROOT/integrations/spring-boot/pom.xml" \
    "$ROOT/jmx-exporter-config.yaml" "$core" "$servlet"; then
  echo "Installing the Spring Boot starter $version into the local Maven repository..."
  mvn -q -B -f "$ROOT/integrations/spring-boot/pom.xml" -Dmaven.test.skip=true install
  touch "$starter"
fi
inprocess="$repo/in-process-exporter-example/$version/in-process-exporter-example-$version.jar"
if stale "$inprocess" "$ROOT/examples/in-process-exporter/src/main" "$ROOT/examples/in-process-exporter/pom.xml" "$core"; then
  echo "Installing the in-process exporter example $version into the local Maven repository..."
  mvn -q -B -f "$ROOT/examples/in-process-exporter/pom.xml" -DskipTests install
  touch "$inprocess"
fi
