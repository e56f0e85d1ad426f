#!/usr/bin/env node
// Builds the real Temporal server (not the dev server) and its SQL schema tool from the Go module proxy,
// once, into .tools/temporal-server-<version>/: bin/temporal-server, bin/temporal-sql-tool and the
// PostgreSQL schema directories the tool applies. The production-path test (test/deploy/cluster.test.ts)
// runs this cluster on PostgreSQL, as docker-compose.yml does for users with the official image.
//
// Idempotent: a finished build leaves build.json; a later run with it present does nothing.
// The build runs under `nice` (the machine's cores are shared) and prints one progress line a while.
//
// Why v1.32.1 and not the newest v1.32.x: v1.32.2's go.mod needs Go >= 1.26.10, and this machine's Go
// (1.26.8, GOTOOLCHAIN=local) builds v1.32.1 exactly. Same release line as the temporalio/server 1.32
// image in docker-compose.yml.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_SERVER_VERSION = '1.32.1';
const MODULE = 'go.temporal.io/server';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const temporalServerDir = path.join(root, '.tools', `temporal-server-${TEMPORAL_SERVER_VERSION}`);

// The server's own Makefile builds with CGO off and this tag (it leaves out gRPC's optional admin modules);
// -s -w leaves out the debug symbols (a third of the size; stack traces keep their function names).
const BUILD_TAGS = 'disable_grpc_modules';
const TARGETS = [
  { pkg: './cmd/server', bin: 'temporal-server' },
  { pkg: './cmd/tools/sql', bin: 'temporal-sql-tool' },
];

function log(line) {
  process.stdout.write(`[temporal-server] ${line}\n`);
}

function goEnv() {
  return { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' };
}

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}

function dirSize(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function setupTemporalServer() {
  const stamp = path.join(temporalServerDir, 'build.json');
  if (fs.existsSync(stamp)) {
    log(`v${TEMPORAL_SERVER_VERSION} ready in ${path.relative(root, temporalServerDir)}`);
    return temporalServerDir;
  }
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    throw new Error('Go is needed to build the Temporal server (https://go.dev/dl/, 1.26.8 or newer)');
  }
  const started = Date.now();
  log(`building ${MODULE}@v${TEMPORAL_SERVER_VERSION} with ${go.stdout.trim()} (cold: several minutes)`);

  // Download the module (its zip carries go.sum and the schema files) and build inside it, so its own
  // go.mod (including any replace directives, which `go install pkg@version` refuses) decides the deps.
  const dl = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    encoding: 'utf8',
    env: goEnv(),
    cwd: root,
  });
  const info = JSON.parse(dl.stdout || '{}');
  if (dl.status !== 0 || info.Error || !info.Dir) {
    throw new Error(`go mod download failed: ${info.Error ?? dl.stderr}`);
  }

  const staging = `${temporalServerDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'bin'), { recursive: true });
  const ticker = setInterval(
    () => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`),
    30_000,
  );
  try {
    for (const t of TARGETS) {
      const t0 = Date.now();
      await run(
        'nice',
        ['-n', '10', 'go', 'build', '-tags', BUILD_TAGS, '-trimpath', '-ldflags=-s -w', '-o', path.join(staging, 'bin', t.bin), t.pkg],
        { cwd: info.Dir, env: goEnv() },
      );
      log(`${t.bin} built in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  } finally {
    clearInterval(ticker);
  }
  fs.cpSync(path.join(info.Dir, 'schema', 'postgresql', 'v12'), path.join(staging, 'schema', 'postgresql', 'v12'), {
    recursive: true,
  });
  // Files copied out of the read-only module cache keep its 0444 modes; make them removable.
  for (const p of [staging, ...walk(staging)]) fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
  for (const t of TARGETS) fs.chmodSync(path.join(staging, 'bin', t.bin), 0o755);

  const seconds = Math.round((Date.now() - started) / 1000);
  const bytes = dirSize(staging);
  fs.writeFileSync(
    path.join(staging, 'build.json'),
    JSON.stringify({ version: TEMPORAL_SERVER_VERSION, go: go.stdout.trim(), seconds, bytes, at: new Date().toISOString() }, null, 2),
  );
  fs.rmSync(temporalServerDir, { recursive: true, force: true });
  fs.renameSync(staging, temporalServerDir);
  log(`built in ${seconds} s, ${mb(bytes)} in ${path.relative(root, temporalServerDir)}`);
  return temporalServerDir;
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  setupTemporalServer().catch((err) => {
    console.error(`[temporal-server] ${err.message}`);
    process.exit(1);
  });
}
