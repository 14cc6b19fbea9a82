#!/usr/bin/env bash
# The README's "run the main job" command: builds Fairlead if needed and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=xds-server/target/fairlead.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./node_modules -prune -o -name '*.java' -newer "$JAR" -print -quit)" ]; then
  echo "Building Fairlead (mvn package -DskipTests)..."
  mvn -B -ntp -q package -DskipTests
fi
exec java -jar "$JAR" demo "$@"
