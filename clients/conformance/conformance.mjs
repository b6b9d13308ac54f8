#!/usr/bin/env node
// Conformance check of the Colibri MCP server, driven by the official TypeScript MCP client.
//
//   node conformance.mjs [path/to/colibri.jar]      (or env COLIBRI_JAR; default ../../target/colibri.jar)
//
// Starts `java -jar <jar>` over stdio with COLIBRI_HOME and COLIBRI_AUDIT_KEY_FILE in fresh temp
// dirs, lists the tools, checks the contract's tool set, schemas and annotations, then calls every
// tool in the order a round would (so each one works on real state), plus a few bad calls. The
// client validates every structuredContent against the tool's listed outputSchema, so a result that
// drifts from its schema fails the run. Prints one line per call; exits 1 on the first failure.
// Set COLIBRI_CONFORMANCE_KEEP=1 to keep the temp workspace for inspection.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jar = path.resolve(process.argv[2] || process.env.COLIBRI_JAR || path.join(here, '..', '..', 'target', 'colibri.jar'));
const schemasDir = process.env.COLIBRI_SCHEMAS_DIR || path.join(here, '..', '..', 'schemas');
const CALL_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 180_000;

// Contract tools (CONTRACT.md section 3). backup_prune is not in the contract: checked when present.
const REQUIRED_TOOLS = ['task_upsert', 'thought_record_append', 'merkle_finalize', 'merkle_root', 'audit_verify_chain',
    'round_seal', 'backup_create', 'backup_verify', 'backup_list', 'restore_plan'];
const OPTIONAL_TOOLS = ['backup_prune'];
// Tools the contract describes as pure reads.
const READ_ONLY_TOOLS = ['merkle_root', 'audit_verify_chain', 'backup_verify', 'backup_list', 'restore_plan'];
const ANNOTATIONS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

// What the contract says structuredContent must contain, per tool: true = a field, an object = a
// nested object, a one-element array = a list of objects. Checked against the listed outputSchema's
// `required` (so the schema cannot silently drop a contract field) and against every result.
const SNAPSHOT = { name: true, path: true, size_bytes: true, sha256: true, created_at: true, kind: true, round: true, tier: true };
const CONTRACT_FIELDS = {
    backup_create: { snapshot: SNAPSHOT, integrity: true, duration_ms: true },
    backup_verify: { snapshot: true, safe_to_restore: true, checks: [{ name: true, status: true, detail: true }] },
    backup_list: { snapshots: [{ name: true, kind: true, round: true, created_at: true, age_days: true, size_bytes: true,
        tier: true, retention: true, reason: true }] },
    restore_plan: { candidate: true, rejected: [{ name: true, reason: true }], steps: [{ step: true, action: true, command: true }],
        data_loss: { snapshot_created_at: true, records_after_snapshot: true } },
    audit_verify_chain: { status: true, length: true, head_hash: true },
    merkle_root: { root: true, size: true, anchor: { status: true, anchored_root: true } },
    task_upsert: { task: { id: true, status: true, progress: true, deps: true } },
    thought_record_append: { position: true, hash: true, prev_hash: true },
    merkle_finalize: { size: true, root: true, anchored: true },
    round_seal: { round: true, merkle: { size: true, root: true }, snapshot: SNAPSHOT, seal_document: true },
};
const VERIFY_CHECKS = ['integrity_check', 'foreign_key_check', 'load_bearing_tables', 'checksum', 'audit_chain', 'merkle_root'];

// ---------------------------------------------------------------------------------------------

class CheckFailed extends Error {}

function fail(message) {
    throw new CheckFailed(message);
}

function check(condition, message) {
    if (!condition) {
        fail(message);
    }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Contract fields in the schema: each must be `required` at its level and described under `properties`. */
function checkSchemaCoversContract(tool, schema, spec, where = 'outputSchema') {
    for (const [field, sub] of Object.entries(spec)) {
        check(Array.isArray(schema?.required) && schema.required.includes(field),
            `${tool}: ${where} does not list contract field "${field}" in "required"`);
        const prop = schema.properties?.[field];
        check(prop, `${tool}: ${where}.properties has no "${field}"`);
        if (Array.isArray(sub)) {
            checkSchemaCoversContract(tool, prop.items, sub[0], `${where}.properties.${field}.items`);
        } else if (typeof sub === 'object') {
            checkSchemaCoversContract(tool, prop, sub, `${where}.properties.${field}`);
        }
    }
}

/** Contract fields in a result (independently of the schema, in case both drift together). */
function checkResultHasContract(tool, value, spec, where = 'structuredContent') {
    check(value && typeof value === 'object', `${tool}: ${where} is not an object`);
    for (const [field, sub] of Object.entries(spec)) {
        check(field in value, `${tool}: ${where} has no contract field "${field}"`);
        if (Array.isArray(sub)) {
            check(Array.isArray(value[field]), `${tool}: ${where}.${field} is not a list`);
            value[field].forEach((item, i) => checkResultHasContract(tool, item, sub[0], `${where}.${field}[${i}]`));
        } else if (typeof sub === 'object') {
            checkResultHasContract(tool, value[field], sub, `${where}.${field}`);
        }
    }
}

/** Result fields the outputSchema does not declare (allowed: fields may be added; reported, not failed). */
function undeclared(value, schema, where, out) {
    if (!schema || typeof schema !== 'object' || value === null || typeof value !== 'object') {
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item) => undeclared(item, schema.items, `${where}[]`, out));
        return;
    }
    if (!schema.properties) {
        return;
    }
    for (const [k, v] of Object.entries(value)) {
        if (k in schema.properties) {
            undeclared(v, schema.properties[k], `${where}.${k}`, out);
        } else {
            out.add(`${where}.${k}`);
        }
    }
}

function stripMeta(schema) {
    const { $schema, $id, ...rest } = schema;
    return rest;
}

function summary(value) {
    const s = JSON.stringify(value);
    return s.length > 110 ? `${s.slice(0, 107)}...` : s;
}

// ---------------------------------------------------------------------------------------------

const tmpRoots = [];
function freshDir(prefix) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tmpRoots.push(dir);
    return dir;
}

let client;
let transport;
const stderrTail = [];
const transportErrors = [];
const everyResult = [];
let lineNo = 0;
const toolSchemas = new Map();
const undeclaredFields = new Set();

function line(status, what, detail = '') {
    lineNo += 1;
    console.log(`${String(lineNo).padStart(2)} ${status.padEnd(4)} ${what}${detail ? `  ${detail}` : ''}`);
}

/** One tools/call that must succeed: not a protocol error, isError false, structuredContent present. */
async function call(name, args, options = {}) {
    const started = Date.now();
    let result;
    try {
        result = await client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS, ...options });
    } catch (e) {
        // The SDK throws McpError both for JSON-RPC errors and for a structuredContent that does not
        // validate against the tool's outputSchema.
        fail(`${name}(${summary(args)}) failed: ${e instanceof McpError ? `MCP error ${e.code}: ${e.message}` : e}`);
    }
    everyResult.push(result);
    undeclared(result.structuredContent, toolSchemas.get(name), name, undeclaredFields);
    const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join(' ');
    check(result.isError !== true, `${name}(${summary(args)}) returned isError: true: ${text}`);
    check(result.structuredContent && typeof result.structuredContent === 'object',
        `${name}(${summary(args)}) returned no structuredContent`);
    check(text.length > 0, `${name}: no human-readable text content`);
    if (CONTRACT_FIELDS[name]) {
        checkResultHasContract(name, result.structuredContent, CONTRACT_FIELDS[name]);
    }
    line('ok', `${name} ${summary(args)}`, `${Date.now() - started} ms: ${text.length > 90 ? `${text.slice(0, 87)}...` : text}`);
    return result.structuredContent;
}

/** A call with bad arguments: must be a tool result with isError true, never a protocol error. */
async function badCall(name, args, why) {
    let result;
    try {
        result = await client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
    } catch (e) {
        if (e instanceof McpError) {
            fail(`${name}(${summary(args)}) [${why}] came back as JSON-RPC error ${e.code} "${e.message}" instead of a tool`
                + ' result with isError: true (the TS client does not validate arguments, so this came from the server)');
        }
        fail(`${name}(${summary(args)}) [${why}] failed: ${e}`);
    }
    everyResult.push(result);
    const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join(' ');
    check(result.isError === true, `${name}(${summary(args)}) [${why}] was accepted (isError not true): ${summary(result)}`);
    check(text.length > 0, `${name}(${summary(args)}) [${why}]: error result has no message`);
    line('ok', `${name} ${summary(args)} -> isError`, `(${why}) ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`);
}

/** The client configs shipped in the repo (when run from a checkout): the shape their clients expect. */
function checkClientConfigs() {
    const repo = path.join(here, '..', '..');
    const configs = [
        ['.vscode/mcp.json', 'servers', (c) => c.type === 'stdio'],
        ['examples/claude_desktop_config.json', 'mcpServers', () => true],
    ];
    const seen = [];
    for (const [file, key, typeOk] of configs) {
        const full = path.join(repo, file);
        if (!fs.existsSync(full)) {
            continue;
        }
        let parsed;
        try {
            parsed = JSON.parse(fs.readFileSync(full, 'utf8'));
        } catch (e) {
            fail(`${file} is not valid JSON: ${e.message}`);
        }
        const c = parsed?.[key]?.colibri;
        check(c && typeOk(c) && c.command === 'java' && Array.isArray(c.args) && c.args[0] === '-jar'
            && /target\/colibri\.jar$/.test(c.args[1] ?? '') && typeof c.env?.COLIBRI_HOME === 'string',
            `${file}: ${key}.colibri is not a stdio launch of java -jar .../target/colibri.jar with env COLIBRI_HOME`);
        seen.push(file);
    }
    if (seen.length) {
        line('ok', 'client configs', seen.join(', '));
    }
}

async function main() {
    checkClientConfigs();
    check(fs.existsSync(jar), `server jar not found: ${jar} (build it with: mvn -q -DskipTests package,`
        + ' or pass the jar path as the first argument / COLIBRI_JAR)');
    const home = freshDir('colibri-conf-home-');
    const keyFile = path.join(freshDir('colibri-conf-key-'), 'audit.key');

    transport = new StdioClientTransport({
        command: 'java',
        args: ['-jar', jar],
        env: { COLIBRI_HOME: home, COLIBRI_AUDIT_KEY_FILE: keyFile },
        stderr: 'pipe',
    });
    transport.stderr.setEncoding('utf8');
    transport.stderr.on('data', (chunk) => {
        for (const l of chunk.split('\n')) {
            if (l.trim()) {
                stderrTail.push(l);
                if (stderrTail.length > 40) {
                    stderrTail.shift();
                }
            }
        }
    });
    client = new Client({ name: 'colibri-conformance', version: '1.0.0' });
    // A line on stdout that is not JSON-RPC, or a broken pipe, ends up here.
    client.onerror = (e) => transportErrors.push(String(e?.message ?? e));

    let protocol = '?';
    transport.setProtocolVersion = (v) => { protocol = v; }; // the client reports the negotiated version here
    const t0 = Date.now();
    await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
    const sv = client.getServerVersion();
    check(client.getServerCapabilities()?.tools, 'server does not declare the tools capability');
    line('ok', 'initialize', `${sv?.name} ${sv?.version}, protocol ${protocol}, ${Date.now() - t0} ms`);

    // ---- tools/list: the set, schemas and annotations. listTools() also arms output validation.
    const tools = [];
    let cursor;
    do {
        const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: CALL_TIMEOUT_MS });
        tools.push(...page.tools);
        cursor = page.nextCursor;
    } while (cursor);
    // listTools() caches output validators for the last page only; cache all of them.
    client.cacheToolMetadata(tools);
    const byName = new Map(tools.map((t) => [t.name, t]));
    tools.forEach((t) => toolSchemas.set(t.name, t.outputSchema));
    const missing = REQUIRED_TOOLS.filter((n) => !byName.has(n));
    check(missing.length === 0, `tools/list is missing contract tools: ${missing.join(', ')}`);
    const checked = [...REQUIRED_TOOLS, ...OPTIONAL_TOOLS.filter((n) => byName.has(n))];
    for (const name of checked) {
        const t = byName.get(name);
        check(t.inputSchema?.type === 'object', `${name}: inputSchema missing or not an object schema`);
        check(t.outputSchema?.type === 'object', `${name}: outputSchema missing or not an object schema`);
        check(t.description, `${name}: no description`);
        for (const a of ANNOTATIONS) {
            check(typeof t.annotations?.[a] === 'boolean', `${name}: annotation ${a} is not set (annotations: ${summary(t.annotations)})`);
        }
        if (READ_ONLY_TOOLS.includes(name)) {
            check(t.annotations.readOnlyHint === true, `${name}: the contract makes it a read, but readOnlyHint is false`);
        }
        if (CONTRACT_FIELDS[name]) {
            checkSchemaCoversContract(name, t.outputSchema, CONTRACT_FIELDS[name]);
        }
        // The listed schemas are the project's schemas/ files (the server strips only $schema/$id).
        for (const kind of ['input', 'output']) {
            const file = path.join(schemasDir, `${name}.${kind}.json`);
            if (fs.existsSync(file)) {
                const onDisk = stripMeta(JSON.parse(fs.readFileSync(file, 'utf8')));
                check(isDeepStrictEqual(stripMeta(t[`${kind}Schema`]), onDisk),
                    `${name}: the ${kind}Schema listed by the server differs from ${path.relative(process.cwd(), file)}`
                    + ' (stale jar? rebuild it)');
            }
        }
        // Prove the client really validates this tool's output: its cached validator must reject {}.
        const validator = client.getToolOutputValidator(name);
        check(typeof validator === 'function', `${name}: the SDK did not arm an output validator (no outputSchema?)`);
        check(validator({}).valid === false, `${name}: output validator accepts {} - the outputSchema requires nothing`);
    }
    const extra = tools.map((t) => t.name).filter((n) => !checked.includes(n));
    line('ok', 'tools/list', `${tools.length} tools, schemas + 4 annotations each${byName.has('backup_prune') ? '' : ' (backup_prune absent)'}`
        + `${extra.length ? `; not in contract: ${extra.join(', ')}` : ''}`);

    // Self-test of the client's output validation, end to end: with merkle_root's schema tightened on
    // the client side only (size must be a string), its real result must be rejected.
    const strict = structuredClone(byName.get('merkle_root'));
    strict.outputSchema.properties.size = { type: 'string' };
    client.cacheToolMetadata(tools.map((t) => (t.name === 'merkle_root' ? strict : t)));
    let rejected = null;
    try {
        await client.callTool({ name: 'merkle_root', arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
    } catch (e) {
        rejected = e;
    }
    client.cacheToolMetadata(tools);
    check(rejected instanceof McpError && /output schema/.test(rejected.message),
        `the TS client did not reject a result that breaks its outputSchema (${rejected ?? 'accepted'}); output validation is off`);
    line('ok', 'client output validation', `armed for ${checked.length} tools; a drifted result is rejected: "${rejected.message.slice(0, 60)}..."`);

    // ---- A round, in order.
    const task = await call('task_upsert', { id: 'CONF.1', title: 'conformance run', status: 'in_progress', progress: 40, deps: [] });
    check(task.task.id === 'CONF.1' && task.task.progress === 40 && task.task.status === 'in_progress',
        `task_upsert echoed ${summary(task.task)}`);

    const records = [];
    for (const [i, content] of ['plan the round', 'take the snapshot', 'seal the round'].entries()) {
        const r = await call('thought_record_append', { kind: 'decision', content, task_id: 'CONF.1' });
        check(r.position === i, `thought_record_append #${i}: position ${r.position}, expected ${i} (0-based)`);
        check(HEX64.test(r.hash) && HEX64.test(r.prev_hash), 'thought_record_append: hash/prev_hash are not 64 hex');
        if (i > 0) {
            check(r.prev_hash === records[i - 1].hash, `thought_record_append #${i}: prev_hash does not link to record ${i - 1}`);
        }
        records.push(r);
    }

    const fin = await call('merkle_finalize', { round: 'r1' });
    check(fin.size === 3 && fin.anchored === true, `merkle_finalize: expected size 3 anchored, got ${summary(fin)}`);

    const root = await call('merkle_root', {});
    check(root.root === fin.root && root.size === 3 && root.anchor.status === 'match',
        `merkle_root: expected root ${fin.root} size 3 anchor match, got ${summary(root)}`);

    const chain = await call('audit_verify_chain', {});
    check(chain.status === 'ok' && chain.length === 3 && chain.head_hash === records[2].hash && !('break_at' in chain),
        `audit_verify_chain: expected ok, length 3, head ${records[2].hash}, got ${summary(chain)}`);

    const progress = [];
    const created = await call('backup_create', { kind: 'session', label: 'conformance' },
        { onprogress: (p) => progress.push(p) });
    check(progress.length >= 1, 'backup_create: sent with a progress token, but no notifications/progress arrived');
    for (let i = 1; i < progress.length; i++) {
        check(progress[i].progress > progress[i - 1].progress,
            `backup_create: progress must increase with each notification, got ${progress.map((p) => p.progress).join(', ')}`);
    }
    check(created.integrity === 'ok', `backup_create: integrity ${created.integrity}`);
    line('ok', 'backup_create progress', `${progress.length} notification(s): ${progress.map((p) => `${p.progress}/${p.total ?? '?'}`).join(', ')}`);
    const snap = created.snapshot.name;

    const list = await call('backup_list', {});
    const listed = list.snapshots.find((s) => s.name === snap);
    check(listed, `backup_list does not list the snapshot just created (${snap})`);
    for (let i = 1; i < list.snapshots.length; i++) {
        const [a, b] = [list.snapshots[i - 1].created_at, list.snapshots[i].created_at];
        const [ta, tb] = [Date.parse(a), Date.parse(b)];
        check(Number.isNaN(ta) || Number.isNaN(tb) ? a >= b : ta >= tb,
            `backup_list: snapshots are not newest first (${list.snapshots.map((s) => s.created_at).join(', ')})`);
    }

    const ver = await call('backup_verify', { snapshot: snap });
    check(ver.safe_to_restore === true, `backup_verify: a fresh snapshot is not safe to restore: ${summary(ver.checks)}`);
    const names = ver.checks.map((c) => c.name);
    const absent = VERIFY_CHECKS.filter((c) => !names.includes(c));
    check(absent.length === 0, `backup_verify: checks missing ${absent.join(', ')}`);

    const snapRoot = await call('merkle_root', { snapshot: snap });
    check(snapRoot.root === fin.root, `merkle_root on ${snap}: root differs from the finalized one`);
    const snapChain = await call('audit_verify_chain', { snapshot: snap });
    check(snapChain.status === 'ok' && snapChain.length === 3, `audit_verify_chain on ${snap}: ${summary(snapChain)}`);

    const seal = await call('round_seal', { round: 'r1' });
    check(seal.round === 'r1' && seal.merkle.root === fin.root, `round_seal: ${summary(seal)}`);
    check(fs.existsSync(path.resolve(home, seal.seal_document)), `round_seal: seal document ${seal.seal_document} was not written`);

    const listing = () => ['data', 'data/backups', 'docs', 'docs/rounds']
        .map((d) => fs.readdirSync(path.join(home, d)).filter((f) => !/-(wal|shm)$/.test(f)).sort().join(',')).join('|');
    const beforePlan = listing();
    const plan = await call('restore_plan', {});
    check(plan.candidate, `restore_plan: no candidate although ${snap} verifies clean (rejected: ${summary(plan.rejected)})`);
    check(plan.steps.length > 0, 'restore_plan: no steps');
    plan.steps.forEach((s, i) => check(s.step === i + 1, `restore_plan: steps are not numbered 1..n in order`));
    const planned = await call('restore_plan', { snapshot: snap });
    check(planned.candidate === snap, `restore_plan(${snap}): candidate is ${planned.candidate}`);
    check(listing() === beforePlan, 'restore_plan is read-only, but files under data/ or docs/ changed');

    if (byName.has('backup_prune')) {
        const before = fs.readdirSync(path.join(home, 'data', 'backups')).sort();
        const pruned = await call('backup_prune', { dry_run: true });
        check(pruned.dry_run === true, 'backup_prune: dry_run was not echoed as true');
        check(isDeepStrictEqual(fs.readdirSync(path.join(home, 'data', 'backups')).sort(), before),
            'backup_prune: a dry run changed data/backups/');
    } else {
        line('skip', 'backup_prune', 'not offered by this server');
    }

    // ---- Bad input: tool results with isError true, and the server keeps answering.
    await badCall('task_upsert', { id: 'CONF.2', progress: 150 }, 'progress out of range');
    await badCall('task_upsert', { id: 'CONF.3', deps: ['NO.SUCH.TASK'] }, 'unknown dep');
    await badCall('round_seal', {}, 'missing required round');
    await badCall('backup_verify', { snapshot: '../../data/colibri.db' }, 'path, not a name');
    await badCall('backup_verify', { snapshot: 'colibri-r9-19700101.db' }, 'unknown snapshot');
    await badCall('merkle_finalize', { round: 42 }, 'wrong type');
    await badCall('backup_list', { tier: 'hot', bogus: true }, 'unknown argument');
    await badCall('backup_create', { kind: 'round' }, 'round kind without round');
    const after = await call('merkle_root', {});
    check(after.root === fin.root, 'merkle_root after the bad calls: root changed');

    // An unknown tool is a protocol-level error by the MCP spec; it must not take the server down.
    try {
        const r = await client.callTool({ name: 'no_such_tool', arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
        check(r.isError === true, `unknown tool: got a successful result ${summary(r)}`);
        line('ok', 'no_such_tool -> isError result');
    } catch (e) {
        check(e instanceof McpError, `unknown tool: ${e}`);
        line('ok', 'no_such_tool -> JSON-RPC error', `${e.code}: ${e.message}`);
    }
    await call('audit_verify_chain', {});

    // ---- Hygiene.
    check(transportErrors.length === 0, `transport errors (non-JSON-RPC output on stdout?): ${transportErrors.join(' | ')}`);
    const key = fs.readFileSync(keyFile);
    if (process.platform !== 'win32') {
        const mode = fs.statSync(keyFile).mode & 0o777;
        check(mode === 0o600, `audit key ${keyFile} has mode ${mode.toString(8)}, expected 600`);
    }
    const leaked = [key.toString('hex'), key.toString('base64')].filter((k) => k.length >= 16
        && (JSON.stringify(everyResult).includes(k) || stderrTail.join('\n').includes(k)));
    check(leaked.length === 0, 'the audit key appears in a tool result or the server log');
    if (undeclaredFields.size) {
        line('note', 'fields returned but not declared in the outputSchema', [...undeclaredFields].join(', '));
    }
    line('ok', 'hygiene', 'stdout carried only JSON-RPC; audit key mode 600 and absent from results');
    console.log(`PASS: ${lineNo} checks against ${path.basename(jar)} in ${Date.now() - t0} ms`);
}

// A hung server must not hang CI.
const watchdog = setTimeout(() => {
    console.error(`FAIL: no verdict after ${WATCHDOG_MS / 1000} s; the server stopped answering`);
    if (stderrTail.length) {
        console.error(stderrTail.join('\n'));
    }
    process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

let code = 0;
try {
    await main();
} catch (e) {
    code = 1;
    console.error(`FAIL: ${e instanceof CheckFailed ? e.message : (e?.stack ?? e)}`);
    if (stderrTail.length) {
        console.error('--- last lines of the server log (stderr) ---');
        console.error(stderrTail.join('\n'));
    }
} finally {
    try {
        await client?.close();
    } catch {
        // the server may already be gone
    }
    if (process.env.COLIBRI_CONFORMANCE_KEEP) {
        console.error(`kept: ${tmpRoots.join(' ')}`);
    } else {
        for (const d of tmpRoots) {
            fs.rmSync(d, { recursive: true, force: true });
        }
    }
}
process.exit(code);
