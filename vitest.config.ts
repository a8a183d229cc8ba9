import { defineConfig } from 'vitest/config';

// `npm test` runs everything but the long groups; `npm run test:slow` (ASSIST_TESTS=slow) runs those —
// the SIGKILL series, the LibreOffice cross-checks and the mutation fuzzer at 2,000 files. CI runs both.
const slow = process.env.ASSIST_TESTS === 'slow';

export default defineConfig({
  test: {
    include: slow ? ['tests/slow/**/*.test.ts', 'tests/fuzz.test.ts'] : ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: slow ? [] : ['tests/slow/**', 'node_modules/**'],
    // a test is given a minute, a set-up (which may run the CLI several times) two — generous on purpose:
    // a machine shared with other work runs everything two or three times slower
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // forks, not threads: better-sqlite3 and the CLI's own workers are native/threaded; two at a time on
    // two cores — most of a test's time is a CLI child process, not the test worker itself
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/global-setup.ts'],
  },
});
