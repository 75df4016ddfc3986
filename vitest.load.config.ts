import { defineConfig } from 'vitest/config';

/** `npm run test:load`: the full-size load run only (test/load is excluded from the default run). */
export default defineConfig({
  test: {
    include: ['test/load/**/*.test.ts'],
    testTimeout: 4_000_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
