import { defineConfig } from 'vitest/config';

// Three projects that run side by side, each file in a process of its own:
//   unit          many files at once;
//   lan           files whose agents live in network namespaces of their own (each test bed makes
//                 its own hub and hosts), two files at once: they share nothing but the CPU;
//   loopback      files whose agents run on 127.0.0.1, where they would see each other's mDNS
//                 announcements: one file at a time.
// Every test must hold on a busy machine anyway (README, "Tests"): the files beside it are that
// busy machine. A new integration file that runs agents on loopback (TROUPE_TEST_LOOPBACK, or an
// in-process agent on 127.0.0.1) belongs in LOOPBACK.
const LOOPBACK = [
  'test/integration/attack-budgets.test.ts',
  'test/integration/attack-pairing.test.ts',
  'test/integration/attack-roster.test.ts',
  'test/integration/attack-ui.test.ts',
  'test/integration/blob-transfer.test.ts',
  'test/integration/control-api.test.ts',
  'test/integration/control-ui.test.ts',
  'test/integration/fuzz-budgets.test.ts',
  'test/integration/fuzz.test.ts',
  'test/integration/start-app.test.ts',
];

/** Only a hang fails a test on time: real agents, Blender and Chromium on a busy laptop are slow. */
const slow = { testTimeout: 180_000, hookTimeout: 180_000 };

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 5,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'], maxWorkers: 2 } },
      { extends: true, test: { name: 'lan', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], exclude: LOOPBACK, maxWorkers: 2, ...slow } },
      { extends: true, test: { name: 'loopback', include: LOOPBACK, maxWorkers: 1, ...slow } },
    ],
  },
});
