#!/usr/bin/env bash
# The README's test command: builds every module and runs the whole suite.
# Everything tests need is installed from the project's own files (Maven Central, npm).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp verify "$@"
