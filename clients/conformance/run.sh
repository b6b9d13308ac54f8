#!/bin/sh
# The client conformance stage of CI (run after `mvn verify`): installs the pinned clients from
# package-lock.json, then drives the server jar with the official TypeScript MCP client
# (conformance.mjs) and with the MCP Inspector CLI (inspector.sh). Needs Node 20+ and npm.
#
#   sh clients/conformance/run.sh [path/to/colibri.jar]   (or env COLIBRI_JAR; default target/colibri.jar)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-${COLIBRI_JAR:-$here/../../target/colibri.jar}}
case $jar in /*) ;; *) jar=$(pwd)/$jar ;; esac

for tool in node npm java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool is not on PATH" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "FAIL: Node $(node --version) is too old; the conformance clients need Node 20 or newer" >&2
    exit 1
fi
if [ ! -f "$jar" ]; then
    echo "FAIL: server jar not found: $jar (build it with: mvn -q -DskipTests package)" >&2
    exit 1
fi

cd "$here"
echo "== npm ci (pinned: $(node -p 'const d=require("./package.json").dependencies;Object.entries(d).map(([k,v])=>k+"@"+v).join(" ")'))"
# No install scripts are needed (the only one, the Inspector's, is a no-op outside its own repo).
# engine-strict stays off: the Inspector declares node >=22 but its CLI mode runs on Node 20.
npm ci --ignore-scripts --no-audit --no-fund --engine-strict=false --loglevel=error

echo "== TypeScript MCP client: conformance.mjs"
node conformance.mjs "$jar"

echo "== MCP Inspector CLI: inspector.sh"
sh inspector.sh "$jar"

echo "== client conformance: all green"
