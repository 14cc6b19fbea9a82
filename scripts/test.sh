#!/usr/bin/env bash
# The README's test command: builds every module and runs the whole suite.
# Everything tests need is installed from the project's own files (Maven Central, npm).
set -euo pipefail
cd "$(dirname "$0")/.."
# The grpc-node end-to-end test drives the real @grpc/grpc-js-xds client; it skips itself
# without node or without these dependencies, installed exactly as package-lock.json pins them.
if command -v node >/dev/null && command -v npm >/dev/null; then
  npm ci --prefix examples/grpc-node --no-audit --no-fund --prefer-offline
else
  echo "test.sh: node/npm not found; the grpc-node end-to-end test will be skipped" >&2
fi
mvn -B -ntp verify "$@"
