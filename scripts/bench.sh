#!/usr/bin/env bash
# Scale benchmark: prints translation and publish times and heap for N Services x M endpoints.
# Usage: scripts/bench.sh [services=10000] [endpoints-per-service=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl xds-server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec java -Xmx4g -XX:+UseParallelGC -cp "xds-server/target/test-classes:xds-server/target/classes:$(cat xds-server/target/bench.classpath)" \
  io.fairlead.bench.ScaleBenchmark "$@"
