// docker-compose.yml is for users; this machine runs no Docker engine. What can be checked here is:
// its shape (what scales, what waits for what, health checks, volumes), that the settings it gives
// Sealflow's processes are accepted by Sealflow's own configuration, that the Temporal release it pins is
// the one test/deploy/cluster.test.ts builds and runs, and that it names the project's real entry points.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
// @ts-expect-error -- plain ESM script without type declarations
import { TEMPORAL_SERVER_VERSION } from '../../scripts/setup-temporal-server.mjs';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true });
const services: Record<string, any> = compose.services;
const pkg = JSON.parse(read('package.json'));

/** .env.example as compose reads it (KEY=value lines), with the required secrets filled in as a user would. */
const envFile: Record<string, string> = {
  ...Object.fromEntries(read('.env.example').split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
  SEALFLOW_ADMIN_TOKEN: 'a-token-long-enough-for-config',
  SEALFLOW_MASTER_KEY: '11'.repeat(32),
  POSTGRES_PASSWORD: 'secret',
};

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (empty counts as unset), $$ for a literal $. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (whole, name?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const set = env[name!];
    if (set) return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? arg! : '';
  });
}

const environmentOf = (service: string, env = envFile): Record<string, string> =>
  Object.fromEntries(Object.entries<string>(services[service].environment).map(([key, value]) => [key, interpolate(String(value), env)]));

const dependsOn = (service: string): Record<string, { condition: string }> => services[service].depends_on ?? {};

describe('docker-compose.yml', () => {
  it('has the production shape: PostgreSQL, Temporal (schema, server, namespace, UI), Sealflow server and worker', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'server', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, `${name} has an image`).toBeTruthy();
      for (const dependency of Object.keys(dependsOn(name))) expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
    }
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

  it('pins the Temporal release that the cluster test builds and runs', () => {
    expect(envFile.TEMPORAL_VERSION).toBe(TEMPORAL_SERVER_VERSION);
    for (const name of ['temporal', 'temporal-schema', 'temporal-namespace']) {
      expect(services[name].image).toBe(`temporalio/${name === 'temporal' ? 'server' : 'admin-tools'}:\${TEMPORAL_VERSION:-${TEMPORAL_SERVER_VERSION}}`);
    }
    // PostgreSQL persistence through the image's own configuration template, with the schema tool's steps.
    expect(environmentOf('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', POSTGRES_PWD: 'secret' });
    expect(services['temporal-schema'].command.join('\n')).toMatch(/create-database[\s\S]*setup-schema[\s\S]*update-schema --schema-dir \/etc\/temporal\/schema\/postgresql\/v12\//);
  });

  it('runs the project entry points: `sealflow server` and `sealflow worker` from one image', () => {
    for (const role of ['server', 'worker']) {
      const service = services[role];
      expect(service.command).toEqual(['node', pkg.bin.sealflow, role]);
      expect(service.build).toBe('.');
      expect(service.image).toBe(services.server.image);
      expect(service.init, 'Docker’s SIGTERM reaches Node (the worker drains)').toBe(true);
    }
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`CMD ["node", "${pkg.bin.sealflow}", "server"]`);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('scales: no fixed container names, the worker publishes no port, servers take ports from a range', () => {
    for (const role of ['server', 'worker']) expect(services[role].container_name).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
    expect(services.server.ports).toEqual(['${SEALFLOW_PORTS:-3000-3009}:3000']);
    expect(interpolate(services.server.ports[0], envFile)).toMatch(/^\d+-\d+:3000$/);
  });

  it('gives the server and the worker settings that Sealflow’s configuration accepts, the same for both', () => {
    const server = loadConfig(environmentOf('server'));
    const worker = loadConfig(environmentOf('worker'));
    expect(server.databaseUrl).toBe('postgres://sealflow:secret@postgres:5432/sealflow');
    expect(server.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'default', taskQueue: 'sealflow-contracts' });
    expect(worker.databaseUrl).toBe(server.databaseUrl);
    expect(worker.temporal).toEqual(server.temporal);
    expect(worker.masterKey!.equals(server.masterKey!)).toBe(true);
    // The worker's health check asks the port the worker serves its health on.
    expect(worker.healthPort).toBe(3001);
    expect(services.worker.healthcheck.test.join(' ')).toContain(`127.0.0.1:${worker.healthPort}/healthz`);
    expect(services.server.healthcheck.test.join(' ')).toContain(`127.0.0.1:${server.port}/healthz`);
    // Missing secrets stop `docker compose up` with a message instead of starting an open hub.
    for (const secret of ['SEALFLOW_ADMIN_TOKEN', 'SEALFLOW_MASTER_KEY', 'POSTGRES_PASSWORD']) {
      expect(() => environmentOf('server', { ...envFile, [secret]: '' })).toThrow(secret);
    }
  });

  it('keeps its state in volumes: PostgreSQL’s data and Sealflow’s data folder', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'sealflow-data']);
    expect(services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    for (const role of ['server', 'worker']) {
      expect(services[role].volumes).toEqual(['sealflow-data:/app/data']);
      expect(environmentOf(role).SEALFLOW_DATA_DIR).toBe('/app/data');
    }
  });
});
