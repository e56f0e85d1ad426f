// The hub's parts as the production shape runs them: `sealflow server` and `sealflow worker`
// (bin/sealflow.mjs), each its own process in its own process group, so a test can SIGKILL one
// the way an OOM killer or a lost machine would. Every part started here is stopped by
// stopAllParts() (call it in afterAll), whatever the test did.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/hub-process';

const root = new URL('../..', import.meta.url).pathname;
const started = new Set<Part>();

export interface PartEnvironment {
  temporalAddress: string;
  databaseUrl: string;
  taskQueue: string;
  masterKeyHex: string;
  adminToken: string;
  dataDir: string;
  /** Where signing links point (a server's URL). */
  publicUrl?: string;
  /** SEALFLOW_SMTP_URL: mail really goes out (besides the dev outbox). */
  smtpUrl?: string;
}

export interface Part {
  role: 'server' | 'worker';
  pid: number;
  /** The server's URL, or the worker's health URL. */
  url: string;
  output(): string;
  /** Resident memory of the process, in MiB (from /proc). */
  rssMiB(): number;
  /** SIGTERM, and the exit once the process is gone (a worker drains first). */
  stop(): Promise<void>;
  /** SIGKILL of its process group: no cleanup at all. */
  kill(): Promise<void>;
  alive(): boolean;
}

/** Settings shared by every part of one hub: the same database, task queue and master key. */
export function partEnvironment(base: Omit<PartEnvironment, 'taskQueue' | 'masterKeyHex' | 'adminToken'> & Partial<PartEnvironment>): PartEnvironment {
  return {
    taskQueue: `reliability-${randomBytes(4).toString('hex')}`,
    masterKeyHex: randomBytes(32).toString('hex'),
    adminToken: `reliability-admin-${randomBytes(12).toString('hex')}`,
    ...base,
  };
}

export async function startPart(role: 'server' | 'worker', env: PartEnvironment, options: { port?: number } = {}): Promise<Part> {
  const port = options.port ?? (await freePort());
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_TASK_QUEUE: env.taskQueue,
    DATABASE_URL: env.databaseUrl,
    SEALFLOW_MASTER_KEY: env.masterKeyHex,
    SEALFLOW_ADMIN_TOKEN: env.adminToken,
    SEALFLOW_DATA_DIR: env.dataDir,
    ...(role === 'server' ? { PORT: String(port) } : { SEALFLOW_HEALTH_PORT: String(port) }),
    ...(env.publicUrl ? { SEALFLOW_PUBLIC_URL: env.publicUrl } : {}),
    ...(env.smtpUrl ? { SEALFLOW_SMTP_URL: env.smtpUrl } : {}),
  };
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/sealflow.mjs'), role], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitGone = async () => {
    await exited;
    for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 100));
  };
  const part: Part = {
    role,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => groupAlive() && process.kill(-child.pid!, 'SIGKILL'), 30_000);
      await waitGone();
      clearTimeout(timer);
      started.delete(part);
    },
    async kill() {
      if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
      await waitGone();
      started.delete(part);
    },
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  started.add(part);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} not ready in 120 s:\n${output}`)), 120_000);
    const check = () => {
      if (output.includes('ready.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${role} exited before it was ready:\n${output}`));
    });
  });
  return part;
}

export async function stopAllParts(): Promise<void> {
  await Promise.all([...started].map((part) => part.kill()));
}

/** JSON over HTTP with a deadline: a hub that hangs is a finding, not a stuck test. */
export async function request(url: string, method: string, path: string, options: { body?: unknown; token?: string | null; timeoutMs?: number } = {}): Promise<{ status: number; body: any; ms: number }> {
  const begun = performance.now();
  const response = await fetch(url + path, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  const body = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
  return { status: response.status, body, ms: performance.now() - begun };
}
