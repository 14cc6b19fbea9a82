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
# The subnet-affinity Lua script also runs under LuaJIT, the interpreter Envoy embeds, when it is
# installed; on Debian as root this installs it (Debian's package luajit), elsewhere the test skips.
if ! command -v luajit >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y -qq luajit >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq luajit >/dev/null 2>&1; } \
    || echo "test.sh: could not install luajit; the LuaJIT run of the Lua tests will be skipped" >&2
fi
mvn -B -ntp verify "$@"
