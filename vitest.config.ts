import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The distributed scheduler and workers check their invariants after every transition.
    env: { DASK_TS_VALIDATE: '1' },
  },
});
