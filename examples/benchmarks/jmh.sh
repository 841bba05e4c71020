#!/usr/bin/env bash
# JMH: the cost of recording one exchange in BandwidthStats against Micrometer and Dropwizard Metrics, on 1 and
# 2 threads, with the GC profiler (allocation per operation). Extra arguments go to JMH (e.g. -f 3).
# Figures and how to read them: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
cp="target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)"
for threads in 1 2; do
  java -cp "$cp" org.openjdk.jmh.Main RecordingBenchmark -t "$threads" -prof gc -foe true \
    -rf json -rff "target/jmh-${threads}-thread.json" "$@"
done
