// docker-compose.yml is written for users and cannot run here (no Docker engine): check
// that it is valid and wired the way the hub expects.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'));

describe('docker-compose.yml', () => {
  it('has the production-like stack: PostgreSQL, Temporal, its UI, Sealflow', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'sealflow', 'temporal', 'temporal-ui']);
    for (const [name, service] of Object.entries<any>(compose.services)) {
      expect(Boolean(service.image) !== Boolean(service.build), `${name} needs exactly one of image/build`).toBe(true);
      for (const dependency of Object.keys(service.depends_on ?? {}).concat(Array.isArray(service.depends_on) ? service.depends_on : [])) {
        if (typeof dependency === 'string' && !/^\d+$/.test(dependency)) expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      }
      for (const port of service.ports ?? []) expect(port).toMatch(/^\d+:\d+$/);
    }
  });

  it('gives Sealflow settings that its own configuration accepts', () => {
    const env = { ...compose.services.sealflow.environment, SEALFLOW_ADMIN_TOKEN: 'a-token-long-enough-for-config', SEALFLOW_MASTER_KEY: '11'.repeat(32) };
    expect(compose.services.sealflow.environment.SEALFLOW_MASTER_KEY).toMatch(/SEALFLOW_MASTER_KEY:\?/);
    const config = loadConfig(env);
    expect(config.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(config.temporal.address).toBe('temporal:7233');
    expect(compose.services.temporal.ports).toContain('7233:7233');
  });

  it('builds from the repository Dockerfile, which runs the same start script', () => {
    expect(compose.services.sealflow.build).toBe('.');
    expect(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8')).toContain('scripts/start.ts');
  });
});
