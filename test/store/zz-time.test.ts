import { it, inject } from 'vitest';
import pg from 'pg';
it('times', async () => {
  const url = inject('postgresUrl');
  const t: Record<string, number> = { connect: 0, create: 0, drop: 0, createWal: 0 };
  for (let i = 0; i < 10; i++) {
    let s = performance.now();
    const c = new pg.Client({ connectionString: url }); await c.connect(); t.connect += performance.now() - s; s = performance.now();
    await c.query(`create database zz${i} strategy file_copy`); t.create += performance.now() - s; s = performance.now();
    await c.query(`drop database zz${i} with (force)`); t.drop += performance.now() - s; s = performance.now();
    await c.query(`create database zw${i}`); t.createWal += performance.now() - s; s = performance.now();
    await c.query(`drop database zw${i} with (force)`);
    await c.end();
  }
  console.log(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v / 10)])));
});
