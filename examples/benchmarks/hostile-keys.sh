#!/usr/bin/env bash
# What a hostile client can make a client key cost: forwardedFor's CPU time on the worst X-Forwarded-For headers and
# a header key's on the longest values (blanks folded before the cut),
# and the heap the top clients keep after 128 requests keyed by 1,000,000-byte header values.
# Arguments: [cpu|heap|both [longest header in characters]]. Figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
cp="target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)"
java -Xmx1g -cp "$cp" io.github.httpbandwidth.HostileKeyCost "$@"
