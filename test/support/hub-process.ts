// The hub as its own process, started the way `npm start` does (scripts/start.ts) or as its
// parts (`npx sealflow server|worker`), for tests about processes: Ctrl-C, SIGTERM, restarts,
// a kill -9 in the middle of a contract.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

export interface HubProcess {
  process: ChildProcess;
  output: () => string;
  /** Ctrl-C, and the exit code once every process of the hub is gone. */
  stop(): Promise<number | null>;
  /** kill -9 of the whole hub (its process group): no cleanup at all. */
  kill(): Promise<void>;
}

/** Resolves once no process of this group is left (at most 30 s, then it kills what remains). */
async function groupGone(pgid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let waited = 0; alive() && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(-pgid, 'SIGKILL');
}

/** Starts scripts/start.ts with this environment (on top of the test's, less Temporal/DB overrides and the anchoring schedule) and waits for "ready.". */
export function startHubProcess(env: NodeJS.ProcessEnv): Promise<HubProcess> {
  // To tsx alone: it passes Ctrl-C on to the hub once (the whole group would get it twice, and a second Ctrl-C means "now").
  return spawnUntilReady(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/start.ts')], env, 'SIGINT');
}

/**
 * Starts one part of the hub as a deployment does (`sealflow server|worker`, as docker-compose.yml
 * runs it: node bin/sealflow.mjs) with this environment (on top of the test's, less Temporal/DB
 * overrides), and waits for "ready.". stop() sends SIGTERM, as compose and systemd do. Not through
 * npx: npm dies of a SIGTERM without passing it on, and the part it started would run on, orphaned.
 */
export function startPartProcess(role: 'server' | 'worker', env: NodeJS.ProcessEnv): Promise<HubProcess> {
  return spawnUntilReady(process.execPath, [join(root, 'bin/sealflow.mjs'), role], env, 'SIGTERM');
}

function spawnUntilReady(command: string, args: string[], env: NodeJS.ProcessEnv, stopSignal: NodeJS.Signals): Promise<HubProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.TEMPORAL_ADDRESS;
  delete childEnv.DATABASE_URL;
  // No evidence-anchoring schedule, unless `env` asks for one: these hubs mostly share the test Temporal
  // server, where each schedule would go on ticking after its test (test/e2e/anchor-schedule.test.ts).
  childEnv.SEALFLOW_ANCHOR_EVERY = 'off';
  Object.assign(childEnv, env);
  // Its own process group, like a command in a terminal: tsx (or npx) runs the hub as a child process,
  // and a kill -9 of the parent alone would leave that child running for ever. kill() hits the group.
  const proc = spawn(command, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  proc.stdout!.on('data', (chunk) => (output += chunk));
  proc.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const hub: HubProcess = {
    process: proc,
    output: () => output,
    async stop() {
      // To the parent alone, which passes it on to the hub once.
      proc.kill(stopSignal);
      const code = await exited;
      await groupGone(proc.pid!);
      return code;
    },
    async kill() {
      signalGroup('SIGKILL');
      await exited;
      await groupGone(proc.pid!);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 120 s:\n${output}`)), 120_000);
    proc.stdout!.on('data', () => {
      if (output.includes('ready.')) {
        clearTimeout(timer);
        resolve(hub);
      }
    });
    exited.then((code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

/** JSON over HTTP to a hub on this port. */
export function httpClient(port: number, adminToken: string) {
  return async (method: string, path: string, body?: unknown, token: string | null = adminToken) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as any };
  };
}
