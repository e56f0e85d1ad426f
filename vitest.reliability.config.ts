// `npm run test:reliability`: processes killed and restarted, PostgreSQL stopped, Schemathesis,
// a soak. Slow and timing-sensitive by nature, so the files run one after another (never in
// `npm test`, whose config excludes test/reliability/). The table of figures prints at the end.
// Shorter runs for development (defaults in brackets): KILL_CONTRACTS (200), SOAK_SECONDS (600),
// SCHEMATHESIS_EXAMPLES per operation (30), PG_OUTAGE_SECONDS (20), TEMPORAL_RESTART_CONTRACTS (30),
// TEMPORAL_DOWN_SECONDS (15), SOAK_P99_MS (100: the ledger's p99 bound, measured at the client); one part alone: `npx vitest run -c vitest.reliability.config.ts test/reliability/soak.test.ts`.
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
