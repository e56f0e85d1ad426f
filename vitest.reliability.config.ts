// `npm run test:reliability`: processes killed and restarted, PostgreSQL stopped, Schemathesis,
// a soak. Slow and timing-sensitive by nature, so the files run one after another (never in
// `npm test`, whose config excludes test/reliability/). The table of figures prints at the end.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/*.test.ts'],
    globalSetup: ['test/support/postgres.global.ts', 'test/support/temporal.global.ts', 'test/reliability/figures.global.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
