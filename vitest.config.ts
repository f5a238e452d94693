import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'deploy/**/*.test.ts',
      'shared/**/*.test.ts',
      'services/**/*.test.ts',
      'web/**/*.test.ts',
      'bench/**/*.test.ts',
      'k6/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['./vitest.global-setup.ts'],
    pool: 'forks',
    // Integration tests start real servers and measure RSS; running files one at a
    // time on a 2-core machine keeps their timing honest.
    fileParallelism: false,
  },
});
