#!/usr/bin/env bash
# What one scrape of the JMX exporter agent costs with the shipped rules, at 1 endpoint, at the default endpoint
# cap and at the cap after an overflow flood. Prints a table; see docs/PERFORMANCE.md.
#   SCRAPE_COST_CONFIG=file   another rules file instead of jmx-exporter-config.yaml
#   WARMUP=n                  scrapes before the 100 measured ones in each case (default 30)
#   AGENT=assembled-1.7       instead of the real agent 1.0.1 jar, what the agent 1.7.0 does at start, assembled
#                             from its parts on Maven Central (examples/benchmarks/AssembledAgent.java): the agents
#                             after 1.0.1 are published on GitHub only
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B test-compile
cp="target/classes:target/test-classes:$(cat target/child-jvm-classpath.txt)"
assembled=()
case "${AGENT:-1.0.1}" in
  1.0.1) ;;
  assembled-1.7)
    # the test class path under -Pcollector-1.7: the collector 1.7.0, client_java 1.9.0 and their dependencies
    mvn -q -B -Pcollector-1.7 dependency:build-classpath -Dmdep.outputFile=target/agent-1.7-classpath.txt
    rm -rf target/assembled-agent
    javac -d target/assembled-agent -cp "$(cat target/agent-1.7-classpath.txt)" examples/benchmarks/AssembledAgent.java
    assembled=("-Dassembled.agent.classpath=target/assembled-agent:$(cat target/agent-1.7-classpath.txt)")
    ;;
  *) echo "AGENT must be 1.0.1 (the real agent jar, the default) or assembled-1.7, not: ${AGENT}" >&2; exit 2 ;;
esac
exec java -Djmx.exporter.agent=target/jmx-exporter/jmx_prometheus_javaagent.jar \
  -Dscrape.cost.config="${SCRAPE_COST_CONFIG:-jmx-exporter-config.yaml}" -Dscrape.cost.warmup="${WARMUP:-30}" \
  -Dchild.jvm.classpath.file=target/child-jvm-classpath.txt \
  -Djava.util.logging.config.file=src/test/resources/logging.properties \
  "${assembled[@]}" -cp "$cp" io.github.httpbandwidth.ScrapeCost
