#!/usr/bin/env bash
# The README's "run the main job" command: builds the demo jar if needed and runs the demo
# (io.fairlead.demo.DemoCommand, in the examples module; the server jar does not carry it).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=examples/target/fairlead-demo.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path '*/node_modules' -prune -o -path '*/target' -prune -o \
    \( -name '*.java' -o -name pom.xml -o -path './examples/demo/*' \) -newer "$JAR" -print -quit)" ]; then
  echo "Building Fairlead and its demo (mvn package -DskipTests)..."
  mvn -B -ntp -q package -DskipTests
fi
exec java -jar "$JAR" "$@"
