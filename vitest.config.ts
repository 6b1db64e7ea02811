import { defineConfig } from 'vitest/config';

// Two projects, each file in a process of its own:
//   unit          many files at once;
//   integration   real agents, Blender and Chromium: two files at once. Files whose agents live in
//                 network namespaces share nothing but the CPU (each test bed makes its own hub and
//                 hosts); files whose agents run on 127.0.0.1 may see each other's mDNS
//                 announcements, so none of them counts on what "nearby" lists.
// Every test must hold on a busy machine anyway (README, "Tests"): the files beside it are that
// busy machine. On 2 cores the suite is bound by CPU, so more files at once would only slow each.
// Test timeouts only catch hangs. Engines run niced (the owner's work comes first), so beside a busy
// owner a render takes about ten times as long: a test that takes 30 s quiet may take 5 minutes.
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    maxWorkers: 4,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'], maxWorkers: 2 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          maxWorkers: 2,
          // Real agents, Blender and Chromium beside a busy owner: 15 minutes is a hang.
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
