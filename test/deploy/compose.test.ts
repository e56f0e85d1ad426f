// docker-compose.yml is for users; this machine runs no Docker engine. What can be checked here is what
// `docker compose config` says of it (the real Compose: its parser, schema and interpolation; built by
// scripts/setup-test-tools.sh): its shape (what scales, what waits for what, health checks, volumes),
// that the settings it gives Sealflow's processes are accepted by Sealflow's own configuration, that the
// Temporal release it pins is the one test/deploy/cluster.test.ts builds and runs, and that it runs the
// project's real entry points.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
// @ts-expect-error -- plain ESM script without type declarations
import { TEMPORAL_SERVER_VERSION } from '../../scripts/setup-temporal-server.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const composeBinary = join(repo, '.tools/docker-compose/docker-compose');
const pkg = JSON.parse(read('package.json'));
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** .env.example's lines, as a user starts from them: the required secrets filled in. */
const exampleEnv = read('.env.example')
  .replace(/^SEALFLOW_ADMIN_TOKEN=$/m, 'SEALFLOW_ADMIN_TOKEN=a-token-long-enough-for-config')
  .replace(/^SEALFLOW_MASTER_KEY=$/m, `SEALFLOW_MASTER_KEY=${'11'.repeat(32)}`)
  .replace(/^POSTGRES_PASSWORD=$/m, 'POSTGRES_PASSWORD=secret');

/** `docker compose --env-file <env> config --format json`, with nothing of this process's environment. */
function composeConfig(envFile: string) {
  if (!existsSync(composeBinary)) throw new Error(`${composeBinary} is missing: run bash scripts/setup-test-tools.sh (npm test does)`);
  const file = join(scratch, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, envFile);
  const run = spawnSync(composeBinary, ['--project-directory', repo, '-f', join(repo, 'docker-compose.yml'), '--env-file', file, 'config', '--format', 'json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: scratch },
    timeout: 30_000,
  });
  return { status: run.status, stderr: run.stderr, config: run.status === 0 ? JSON.parse(run.stdout) : null };
}

const resolved = composeConfig(exampleEnv);
const services: Record<string, any> = resolved.config?.services ?? {};
const dependsOn = (service: string): Record<string, { condition: string }> => services[service].depends_on ?? {};

describe('docker-compose.yml', () => {
  it('passes `docker compose config` with the settings of .env.example', () => {
    expect(resolved.stderr).toBe('');
    expect(resolved.status).toBe(0);
    expect(resolved.config.name).toBe('sealflow');
  });

  it('has the production shape: PostgreSQL, Temporal (schema, server, namespace, UI), Sealflow server and worker', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'server', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker']);
  });

  it('starts each part only once what it needs is ready, and checks the health of every long-running one', () => {
    const oneShots = ['temporal-schema', 'temporal-namespace'];
    for (const [name, service] of Object.entries(services)) {
      if (oneShots.includes(name)) {
        expect(service.restart, `${name} retries, then stops`).toMatch(/^on-failure/);
        expect(service.healthcheck).toBeUndefined();
      } else {
        expect(service.healthcheck?.test, `${name} has a health check`).toBeTruthy();
        expect(service.restart, `${name} restarts`).toBe('unless-stopped');
      }
    }
    expect(dependsOn('temporal-schema').postgres.condition).toBe('service_healthy');
    expect(dependsOn('temporal')['temporal-schema'].condition).toBe('service_completed_successfully');
    expect(dependsOn('temporal-namespace').temporal.condition).toBe('service_healthy');
    for (const part of ['server', 'worker']) {
      expect(dependsOn(part).postgres.condition).toBe('service_healthy');
      expect(dependsOn(part)['temporal-namespace'].condition).toBe('service_completed_successfully');
    }
  });

  it('pins the Temporal release that the cluster test builds and runs, on PostgreSQL', () => {
    const withoutVersions = composeConfig(exampleEnv.replace(/^TEMPORAL_VERSION=.*$/m, ''));
    for (const config of [resolved.config, withoutVersions.config]) {
      expect(config.services.temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
      for (const oneShot of ['temporal-schema', 'temporal-namespace']) expect(config.services[oneShot].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    }
    // PostgreSQL persistence through the image's own configuration template, with the schema tool's three steps.
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', POSTGRES_PWD: 'secret' });
    expect(services['temporal-schema'].command.join('\n')).toMatch(/create-database\n.*setup-schema --version 0\.0\n.*update-schema --schema-dir \/etc\/temporal\/schema\/postgresql\/v12\//);
    expect(services['temporal-schema'].environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres', SQL_PASSWORD: 'secret' });
  });

  it('runs the project entry points, `sealflow server` and `sealflow worker`, from one image', () => {
    for (const role of ['server', 'worker']) {
      const service = services[role];
      expect(service.command).toEqual(['node', pkg.bin.sealflow, role]);
      expect(service.build.context).toBe(repo.replace(/\/$/, ''));
      expect(service.image).toBe('sealflow:local');
      expect(service.init, 'Docker’s SIGTERM reaches Node (the worker drains)').toBe(true);
    }
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`CMD ["node", "${pkg.bin.sealflow}", "server"]`);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('scales: no fixed container names, the worker publishes no port, servers take host ports from a range', () => {
    for (const role of ['server', 'worker']) expect(services[role].container_name).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
    expect(services.server.ports).toEqual([expect.objectContaining({ target: 3000, published: '3000-3009' })]);
  });

  it('gives the server and the worker settings that Sealflow’s configuration accepts, the same for both', () => {
    const server = loadConfig(services.server.environment);
    const worker = loadConfig(services.worker.environment);
    expect(server.databaseUrl).toBe('postgres://sealflow:secret@postgres:5432/sealflow');
    expect(server.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'default', taskQueue: 'sealflow-contracts' });
    expect(worker.databaseUrl).toBe(server.databaseUrl);
    expect(worker.temporal).toEqual(server.temporal);
    expect(worker.masterKey!.equals(server.masterKey!)).toBe(true);
    // Each health check asks the port its process serves health on.
    expect(worker.healthPort).toBe(3001);
    expect(services.worker.healthcheck.test.join(' ')).toContain(`127.0.0.1:${worker.healthPort}/healthz`);
    expect(services.server.healthcheck.test.join(' ')).toContain(`127.0.0.1:${server.port}/healthz`);
    // The worker's SDK metrics stay inside its container; its health port serves them with Sealflow's.
    expect(worker.observability.temporalMetricsAddress).toBe('127.0.0.1:9464');
    // Both parts log JSON lines (a log shipper parses them) at info, even without the image's NODE_ENV.
    for (const part of [server, worker]) expect(part.observability).toMatchObject({ logFormat: 'json', logLevel: 'info' });
  });

  it('refuses to run without the secrets, naming each, instead of starting an open hub', () => {
    for (const secret of ['SEALFLOW_ADMIN_TOKEN', 'SEALFLOW_MASTER_KEY', 'POSTGRES_PASSWORD']) {
      const run = composeConfig(exampleEnv.replace(new RegExp(`^${secret}=.*$`, 'm'), `${secret}=`));
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`required variable ${secret} is missing a value: set ${secret} in .env`);
    }
  });

  it('keeps its state in volumes: PostgreSQL’s data and Sealflow’s data folder', () => {
    expect(Object.keys(resolved.config.volumes).sort()).toEqual(['postgres-data', 'sealflow-data']);
    expect(services.postgres.volumes).toEqual([expect.objectContaining({ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' })]);
    for (const role of ['server', 'worker']) {
      expect(services[role].volumes).toEqual([expect.objectContaining({ type: 'volume', source: 'sealflow-data', target: '/app/data' })]);
      expect(services[role].environment.SEALFLOW_DATA_DIR).toBe('/app/data');
    }
  });
});
