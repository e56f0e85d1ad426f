// The real Temporal server (not the dev server) on PostgreSQL, for tests of the production path.
//
// Binaries: scripts/setup-temporal-server.mjs builds temporal-server and temporal-sql-tool from the Go
// module proxy into .tools/ (once; a cold build takes minutes, so `npm test` runs it before vitest).
// Persistence: two fresh databases on the PostgreSQL server the caller names (usually the embedded one
// from inject('postgresUrl')), given their schema by temporal-sql-tool exactly as an operator does.
// Configuration: the server's own embedded config template, driven by the same environment variables the
// official temporalio/server image reads (DB, POSTGRES_SEEDS, DBNAME, …) — so this is the shape
// docker-compose.yml runs, only with free ports on loopback.
//
// One process, all four services (frontend, history, matching, worker), in its own process group;
// stop() ends the group, start() brings it back on the same databases (for restart tests).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { dropDatabases } from './postgres-admin';
// @ts-expect-error -- plain ESM script without type declarations
import { setupTemporalServer } from '../../scripts/setup-temporal-server.mjs';

export interface TemporalClusterOptions {
  /** A PostgreSQL server URL whose user may create databases; the cluster's two databases go there. */
  postgresUrl: string;
  /** Registered once the server answers (default `default`, as Sealflow's config expects). */
  namespace?: string;
  /** Server log level (default `warn`; the log is kept and shown by output()). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface TemporalCluster {
  /** host:port of the frontend (gRPC). */
  address: string;
  namespace: string;
  /** The two databases the cluster persists to, on the caller's PostgreSQL server. */
  databases: { temporal: string; visibility: string };
  /** The server's log so far (the tail, at most ~1 MB). */
  output(): string;
  /** Ends the server's process group (SIGTERM, SIGKILL after 20 s); its databases stay. */
  stop(): Promise<void>;
  /** Starts the server again on the same databases and ports (the schema steps first, again) and waits until the namespace answers. */
  start(): Promise<void>;
  /** stop(), then drops both databases and the scratch folder. */
  destroy(): Promise<void>;
}

const PORT_NAMES = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/**
 * Distinct free ports below 32768: the server records its services' ports in PostgreSQL as smallint
 * (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768 and up) are refused there.
 * Every listener stays open until all are chosen, so none is handed out twice.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const listen = (port: number) =>
    new Promise<Server | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  try {
    for (let tries = 0; servers.length < count; tries++) {
      if (tries > 2000) throw new Error('no free ports between 20000 and 32767');
      const server = await listen(20_000 + Math.floor(Math.random() * 12_768));
      if (server) servers.push(server);
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** gRPC status codes the frontend answers while it (or its namespace cache) is still coming up. */
const NOT_YET = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */, 5 /* NOT_FOUND: namespace not in the cache yet */]);

export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const dir: string = await setupTemporalServer();
  const bin = (name: string) => join(dir, 'bin', name);
  const namespace = options.namespace ?? 'default';
  const pgUrl = new URL(options.postgresUrl);
  const suffix = randomBytes(4).toString('hex');
  const databases = { temporal: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` };
  const scratch = mkdtempSync(join(tmpdir(), 'sealflow-temporal-'));

  // Schema setup the operator's way (the same three steps docker-compose.yml's temporal-schema service runs).
  // The connection goes in the environment variables the tool reads (SQL_HOST, …), as in
  // docker-compose.yml: no password on a command line that `ps` shows.
  const sqlToolEnv = {
    PATH: process.env.PATH,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: pgUrl.hostname,
    SQL_PORT: pgUrl.port || '5432',
    SQL_USER: decodeURIComponent(pgUrl.username),
    SQL_PASSWORD: decodeURIComponent(pgUrl.password),
  };
  const sqlTool = (database: string, ...args: string[]) => {
    const run = spawnSync(bin('temporal-sql-tool'), ['--database', database, ...args], { encoding: 'utf8', env: sqlToolEnv, timeout: 120_000 });
    if (run.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed:\n${run.stdout}\n${run.stderr}`);
  };
  // Run before every start, as docker-compose.yml's temporal-schema runs on every `up`: each step is
  // safe to repeat (an existing database is passed over, only what is newer is applied).
  const setupSchema = () => {
    for (const [database, schema] of [[databases.temporal, 'temporal'], [databases.visibility, 'visibility']] as const) {
      sqlTool(database, 'create-database');
      sqlTool(database, 'setup-schema', '--version', '0.0');
      sqlTool(database, 'update-schema', '--schema-dir', join(dir, 'schema', 'postgresql', 'v12', schema, 'versioned'));
    }
  };

  const ports = await freePorts(PORT_NAMES.length);
  const address = `127.0.0.1:${ports[0]}`;
  // Dynamic config from a file of our own (the template's default is the image's path, absent here); a
  // short namespace cache refresh makes the namespace registered below usable within a second.
  const dynamicConfig = join(scratch, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfig, 'system.namespaceCacheRefreshInterval:\n  - value: 1s\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LOG_LEVEL: options.logLevel ?? 'warn',
    DB: 'postgres12',
    POSTGRES_SEEDS: pgUrl.hostname,
    DB_PORT: pgUrl.port || '5432',
    POSTGRES_USER: decodeURIComponent(pgUrl.username),
    POSTGRES_PWD: decodeURIComponent(pgUrl.password),
    DBNAME: databases.temporal,
    VISIBILITY_DBNAME: databases.visibility,
    // The test PostgreSQL is shared by every test file of a run (max_connections 200); the template's
    // defaults (20 + 10 per datastore, per service) could take most of it.
    SQL_MAX_CONNS: '4',
    SQL_MAX_IDLE_CONNS: '2',
    SQL_VIS_MAX_CONNS: '2',
    SQL_VIS_MAX_IDLE_CONNS: '1',
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
    ...Object.fromEntries(PORT_NAMES.map((name, i) => [name, String(ports[i])])),
  };

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };

  const groupAlive = (pid: number) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc?.pid) return;
    child = null;
    const pid = proc.pid;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    for (let waited = 0; groupAlive(pid) && waited < 20_000; waited += 100) await sleep(100);
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    await exited;
  }

  async function waitForNamespace(deadline: number): Promise<void> {
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!child) throw new Error(`the Temporal server exited:\n${log}`);
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address, connectTimeout: 2_000 });
        const service = connection.workflowService;
        await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }).catch((error: { code?: number }) => {
          if (error.code !== 6 /* ALREADY_EXISTS */) throw error;
        });
        // Answers only once the frontend's namespace cache has the namespace.
        await service.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: number }).code;
        if (code !== undefined && !NOT_YET.has(code) && !/ECONNREFUSED|connect|Failed to connect/i.test(String(error))) throw error;
        await sleep(250);
      } finally {
        await connection?.close().catch(() => {});
      }
    }
    throw new Error(`the Temporal server did not answer on ${address} in time (${String(lastError)}):\n${log}`);
  }

  async function start(): Promise<void> {
    if (child) return;
    setupSchema();
    const proc = spawn(bin('temporal-server'), ['--allow-no-auth', 'start'], { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    exited = new Promise((resolve) => proc.once('exit', () => {
      if (child === proc) child = null;
      resolve();
    }));
    try {
      await waitForNamespace(Date.now() + 90_000);
    } catch (error) {
      await stop();
      throw error;
    }
  }

  async function destroy(): Promise<void> {
    await stop();
    await dropDatabases(options.postgresUrl, databases.temporal, databases.visibility).catch((error) => console.warn(`[temporal-cluster] could not drop its databases: ${(error as Error).message}`));
    rmSync(scratch, { recursive: true, force: true });
  }

  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { address, namespace, databases, output: () => log, stop, start, destroy };
}
