#!/usr/bin/env bash
# Heap allocated per request through a real Undertow: with the bandwidth handler minus without it, in one run,
# from ThreadMXBean#getThreadAllocatedBytes summed over the JVM's threads around keep-alive requests from a raw
# socket. Arguments: [requests per round [rounds [client key, e.g. header:X-Worker-Id|remote-address [app]]]],
# app: plain (default) or mounted (a router under /v1, requests to /v1/jobs/42).
# Figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -Pbenchmarks -DskipTests test-compile
cp="target/test-classes:target/classes:$(cat target/benchmark-classpath.txt)"
java -cp "$cp" io.github.httpbandwidth.AllocationPerRequest "$@"
