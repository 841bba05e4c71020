#!/usr/bin/env bash
# Where recording one exchange spends its time: RecordingBenchmark.bandwidthStats under JFR's execution sampler
# (not biased to safepoints; -XX:+DebugNonSafepoints names inlined methods), then the share of samples each method
# is on the stack and at the top of it. Extra arguments go to JMH (e.g. -t 2, -p clients=header).
# Figures and how to read them: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
cp="target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)"
recording=target/recording-profile.jfr
rm -f "$recording"
java -cp "$cp" org.openjdk.jmh.Main 'RecordingBenchmark.bandwidthStats$' -f 1 -wi 3 -w 2s -i 8 -r 2s \
  -jvmArgsAppend "-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:StartFlightRecording=filename=$recording,settings=profile" \
  "$@" | grep -E '^(Benchmark|RecordingBenchmark)'
java -cp "$cp" io.github.httpbandwidth.ProfileSummary "$recording" bandwidthStats "${PROFILE_ROWS:-30}"
