// Issue 7: the corpus of broken and hostile inputs (tests/corpus, made by scripts/make-corpus.mjs). Every
// file ends in exit 2 with a named message or exit 0 with the expected rows — never exit 3, a stack
// trace or a hang (each run is bounded by a timeout).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, FULL_ID, runCli } from './helpers/cli.js';
import { tmp } from './helpers/files.js';

interface Expect {
  file: string;
  note: string;
  exit: 0 | 2;
  message?: string;
  rows?: number;
  valid?: number;
  invalid?: Record<string, number>;
  noText?: string;
}
const CORPUS = join(ROOT, 'tests', 'corpus');
const cases = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Expect[];

async function run(args: string[]) {
  const r = await runCli(args, { timeout: 30_000 });
  return { code: r.signal ? null : r.code, signal: r.signal, out: r.stdout + r.stderr };
}

describe('corpus of bad inputs', () => {
  test('the corpus covers the issue’s list', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  const out = tmp('assist-corpus-');
  test.each(cases.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const v = await run(['validate', join(CORPUS, c.file), '--kind', 'claims', '--out', out]);
    expect(v.signal, 'timed out').toBeNull();
    expect(v.out).not.toMatch(/\n\s+at .*\(/); // no stack trace
    expect(v.out).not.toMatch(FULL_ID);
    expect(v.code, v.out).toBe(c.exit);
    if (c.exit === 2) {
      expect(v.out).toContain('错误：');
      expect(v.out).toContain(c.file);
      if (c.message) expect(v.out).toContain(c.message);
    } else {
      const m = /读取 (\d+) 行：有效 (\d+)，无效 (\d+)/.exec(v.out)!;
      expect(m, v.out).not.toBeNull();
      expect(Number(m[1])).toBe(c.rows);
      expect(Number(m[2])).toBe(c.valid);
      expect(Number(m[1])).toBe(Number(m[2]) + Number(m[3])); // every row accounted for
      for (const [code, n] of Object.entries(c.invalid ?? {}))
        expect(v.out).toMatch(new RegExp(`${code} [^\\n]*：${n} 行`));
      if (c.noText) expect(v.out).not.toContain(c.noText);
    }
    // the same file through adjudicate: the same exit (0 or 2), never 3
    const a = await run([
      'adjudicate',
      join(CORPUS, c.file),
      '--policies',
      'th-2021',
      '--roster',
      join(ROOT, 'fixtures', 'demo', 'roster.xlsx'),
      '--ledger',
      join(out, 'l.db'),
      '--out',
      join(out, 'adj'),
      '--dry-run',
      '--quiet',
    ]);
    expect(a.signal).toBeNull();
    expect(a.code, a.out).toBe(c.exit);
    expect(a.out).not.toMatch(/\n\s+at .*\(/);
  });
});
