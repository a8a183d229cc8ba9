import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// `npm test` runs everything but the long groups; `npm run test:slow` (ASSIST_TESTS=slow) runs those —
// the SIGKILL series, the LibreOffice cross-checks and the mutation fuzzer at 2,000 files. CI runs both.
const slow = process.env.ASSIST_TESTS === 'slow';

// Seconds the long files take in CI (2026-12-04, two forks). A clean clone has no cache of durations, and vitest
// then starts the largest files first: short files that run long — the PostgreSQL tests import a shared suite, the
// corpus reads a folder of inputs — would start last, on one fork while the other idles. The longest go first; the
// rest keep vitest's order (by measured duration once there is a cache, else by size). Only the order depends on
// these figures.
const SECONDS: Record<string, number> = {
  'tests/e2e-trust.test.ts': 100,
  'tests/slow/kill.test.ts': 76,
  'tests/e2e-ledger.test.ts': 75,
  'tests/slow/postgres-offices.test.ts': 70,
  'tests/slow/postgres-ledger.test.ts': 65,
  'tests/e2e-reports.test.ts': 46,
  'tests/corpus.test.ts': 43,
  'tests/e2e-adjudicate.test.ts': 40,
  'tests/slow/printing.test.ts': 38,
  'src/domain/parsers.test.ts': 19,
  'tests/slow/fifth-policy.test.ts': 19,
  'tests/slow/libreoffice.test.ts': 17,
  'tests/fuzz.test.ts': 16,
  'tests/hostile.test.ts': 16,
  'tests/e2e-explain.test.ts': 12,
  'tests/e2e-demo.test.ts': 11,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) => SECONDS[relative(this.ctx.config.root, f.moduleId)] ?? 0;
    // a stable sort: the files without a figure keep vitest's own order
    return (await super.sort(files)).sort((a, b) => seconds(b) - seconds(a));
  }
}

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
    sequence: { sequencer: LongestFirst },
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/global-setup.ts'],
  },
});
