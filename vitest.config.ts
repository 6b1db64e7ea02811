import { defineConfig } from 'vitest/config';

// Two projects that run side by side: unit tests, many files at once in their own workers, and the
// integration and end-to-end tests, one file at a time (each starts real agents in network
// namespaces, Blender, Chromium: on 2 cores, two such files at once mostly wait on each other).
// Every test must hold on a busy machine anyway (README, "Tests"): the unit files running beside an
// integration file are that busy machine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          fileParallelism: false,
          // Only a hang fails a test on time: real agents, Blender and Chromium on a busy laptop are slow.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
