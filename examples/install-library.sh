#!/usr/bin/env bash
# Installs the library (io.github.httpbandwidth:undertow-bandwidth, the version in ../pom.xml) into the local
# Maven repository, the way a user's build would then find it, when the installed jar is missing or older than
# the sources. It builds in target/library-install, apart from target/ where the test suite runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -1)"
jar="$HOME/.m2/repository/io/github/httpbandwidth/undertow-bandwidth/$version/undertow-bandwidth-$version.jar"
if [ -f "$jar" ] && [ -z "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "install-library: Maven is needed; install it: apt-get install -y maven" >&2; exit 1; }
echo "Installing the library $version into the local Maven repository..."
mvn -q -B -f "$ROOT/pom.xml" -Dmaven.test.skip=true -Dlibrary.build.directory="$ROOT/target/library-install" install
