#!/bin/sh
# Drives the Colibri MCP server with the MCP Inspector CLI (the locally installed, pinned
# @modelcontextprotocol/inspector; run `npm ci` here first): tools/list must name every contract
# tool, and tools/call merkle_root must return a root. CLI mode only: no web UI, no browser, and
# npx is not allowed to install or download anything.
#
#   sh inspector.sh [path/to/colibri.jar]      (or env COLIBRI_JAR; default ../../target/colibri.jar)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-${COLIBRI_JAR:-$here/../../target/colibri.jar}}
case $jar in /*) ;; *) jar=$(pwd)/$jar ;; esac
if [ ! -f "$jar" ]; then
    echo "FAIL: server jar not found: $jar (build it with: mvn -q -DskipTests package)" >&2
    exit 1
fi
if [ ! -d "$here/node_modules/@modelcontextprotocol/inspector" ]; then
    echo "FAIL: the inspector is not installed; run: (cd $here && npm ci)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/colibri-inspector-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/home" "$work/key"

inspect() {
    # --no-install: use the pinned local copy or fail; a dead registry makes any download attempt fail
    # fast instead of silently fetching. The catalog path keeps the Inspector out of ~/.mcp-inspector.
    (cd "$here" && npm_config_registry=http://127.0.0.1:9/ npm_config_update_notifier=false \
        MCP_CATALOG_PATH="$work/catalog.json" \
        npx --no-install @modelcontextprotocol/inspector --cli \
        -e "COLIBRI_HOME=$work/home" -e "COLIBRI_AUDIT_KEY_FILE=$work/key/audit.key" \
        java -jar "$jar" "$@")
}

# tools/list: every contract tool by name (backup_prune is not in the contract).
if ! inspect --method tools/list >"$work/list.json" 2>"$work/list.err"; then
    echo "FAIL: inspector tools/list exited non-zero" >&2
    cat "$work/list.err" "$work/list.json" >&2
    exit 1
fi
node -e '
const out = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const names = (out.tools || []).map((t) => t.name);
const want = ["task_upsert", "thought_record_append", "merkle_finalize", "merkle_root", "audit_verify_chain",
    "round_seal", "backup_create", "backup_verify", "backup_list", "restore_plan"];
const missing = want.filter((n) => !names.includes(n));
if (missing.length) { console.error("FAIL: inspector tools/list lacks " + missing.join(", ")); process.exit(1); }
console.log("ok   inspector tools/list: " + names.length + " tools: " + names.join(", "));
' "$work/list.json" || { cat "$work/list.err" >&2; exit 1; }

# tools/call merkle_root on the fresh workspace: a result, not an error, with a hex root.
if ! inspect --method tools/call --tool-name merkle_root >"$work/root.json" 2>"$work/root.err"; then
    echo "FAIL: inspector tools/call merkle_root exited non-zero" >&2
    cat "$work/root.err" "$work/root.json" >&2
    exit 1
fi
node -e '
const out = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const sc = out.structuredContent || {};
if (out.isError || !/^[0-9a-f]{64}$/.test(sc.root || "") || !("root" in sc)) {
    console.error("FAIL: inspector tools/call merkle_root: " + JSON.stringify(out)); process.exit(1);
}
console.log("ok   inspector tools/call merkle_root: root " + sc.root.slice(0, 16) + "... size " + sc.size
    + ", anchor " + (sc.anchor && sc.anchor.status));
' "$work/root.json" || { cat "$work/root.err" >&2; exit 1; }
