#!/usr/bin/env bash
# What one scrape of the JMX exporter agent costs with the shipped rules, at 1 endpoint, at the default endpoint
# cap and at the cap after an overflow flood. Prints a table; see docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B test-compile
cp="target/classes:target/test-classes:$(cat target/child-jvm-classpath.txt)"
exec java -Djmx.exporter.agent=target/jmx-exporter/jmx_prometheus_javaagent.jar \
  -Dscrape.cost.config="${SCRAPE_COST_CONFIG:-jmx-exporter-config.yaml}" \
  -Dchild.jvm.classpath.file=target/child-jvm-classpath.txt \
  -Djava.util.logging.config.file=src/test/resources/logging.properties \
  -cp "$cp" io.github.httpbandwidth.ScrapeCost
