import { defineConfig } from 'vitest/config';

// Two projects, each file in a process of its own:
//   unit          many files at once;
//   integration   real agents, Blender and Chromium: two files at once. Files whose agents live in
//                 network namespaces share nothing but the CPU (each test bed makes its own hub and
//                 hosts); files whose agents run on 127.0.0.1 may see each other's mDNS
//                 announcements, so none of them counts on what "nearby" lists.
// Every test must hold on a busy machine anyway (README, "Tests"): the files beside it are that
// busy machine. On 2 cores the suite is bound by CPU, so more files at once would only slow each.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 4,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'], maxWorkers: 2 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          maxWorkers: 2,
          // Only a hang fails a test on time: real agents, Blender and Chromium on a busy laptop are slow.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
