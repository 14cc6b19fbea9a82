#!/usr/bin/env bash
# Scale benchmark: prints translation and publish times and heap for N Services x M endpoints.
# Usage: scripts/bench.sh [services=10000] [endpoints-per-service=10]
#        scripts/bench.sh fanout [proxies=1000] [services=1000] [scoped|declared]
#        scripts/bench.sh jar [--quick] [--json FILE] [--scenario NAME]   (Fairlead against a naive
#          control plane: builds and runs bench/target/fairlead-bench.jar, see docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = jar ]; then
  shift
  mvn -B -ntp -q package -DskipTests -pl bench -am >/dev/null
  exec java -jar bench/target/fairlead-bench.jar "$@"
fi
mvn -B -ntp -q -pl xds-server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
MAIN=io.fairlead.bench.ScaleBenchmark
if [ "${1:-}" = fanout ]; then MAIN=io.fairlead.bench.ProxyFanoutBenchmark; shift; fi
exec java -Xmx4g -XX:+UseParallelGC -cp "xds-server/target/test-classes:xds-server/target/classes:$(cat xds-server/target/bench.classpath)" \
  "$MAIN" "$@"
