// Issue 18 §7: the demo as four bureaus run it — each its own config, claims, roster and ledger — and the
// month-end small print: one validation report per input file, the publicity list's title.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { runCli, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/files.js';
import { readSheets } from './helpers/workbook.js';

const demo = (...p: string[]) => join(ROOT, 'fixtures', 'demo', ...p);
interface Result {
  status: string;
  reasons: string[];
  policy: string | null;
  idNumber: string;
}

async function bureau(b: string, claims: string[], month: string) {
  const dir = tmp();
  const r = await runCli([
    'adjudicate',
    ...claims.map((c) => demo(b, c)),
    '--config',
    demo(b, 'assist.config.json'),
    '--ledger',
    join(dir, 'a.db'),
    '--out',
    dir,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const results = readFileSync(join(dir, `results-${month}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Result);
  const read = Number(/读取结算明细 (\d+) 行/.exec(r.stdout)![1]);
  return { r, results, read };
}

describe('the demo: one config per bureau', () => {
  test('each bureau sees only its own people: no policy rejects another region, and the four split the month', async () => {
    const ln = await bureau('liaoning', ['claims.xlsx'], '2024-06');
    const qd = await bureau('qingdao', ['claims.xlsx'], '2024-06');
    const th = await bureau('tinghu', ['claims.xlsx', 'claims-gb18030.csv'], '2024-06');
    const jz = await bureau('jinzhou', ['claims.xlsx'], '2019-05');
    // the combined demo month (fixtures/demo/claims.xlsx + .csv) has 61 lines and Jinzhou's 12: each line in one bureau
    expect(ln.read + qd.read + th.read).toBe(61);
    expect(jz.read).toBe(12);
    for (const { results } of [ln, qd, th, jz]) {
      const judged = results.filter((x) => x.policy !== null);
      expect(new Set(judged.map((x) => x.policy)).size).toBe(1);
      // nobody is judged by a policy whose roster does not list them
      expect(judged.filter((x) => x.reasons.includes('NOT_IN_ROSTER'))).toEqual([]);
      expect(judged.filter((x) => x.reasons.includes('CATEGORY_NOT_COVERED'))).toEqual([]);
    }
    expect(ln.results.every((x) => x.idNumber.startsWith('21') || x.status === 'invalid')).toBe(true);
    expect(qd.results.filter((x) => x.status !== 'invalid').every((x) => x.idNumber.startsWith('37'))).toBe(true);
    expect(th.results.filter((x) => x.status !== 'invalid').every((x) => x.idNumber.startsWith('320902'))).toBe(true);
    // Tinghu's one person recognised after the visit (kept so the demo shows a rejection): 2 lines, nothing else
    expect(th.results.filter((x) => x.status === 'rejected').map((x) => x.reasons)).toEqual([
      ['NOT_ELIGIBLE_ON_DATE'],
      ['NOT_ELIGIBLE_ON_DATE'],
    ]);
    expect(ln.r.stdout).toContain('拒绝 0');
    expect(qd.r.stdout).toContain('拒绝 0');
    expect(jz.r.stdout).toContain('拒绝 0');
  }, 60_000);

  test('validate d1/claims.xlsx d2/claims.xlsx writes one report per file, named by folder', async () => {
    const out = tmp();
    const r = await runCli(['validate', demo('tinghu', 'claims.xlsx'), demo('qingdao', 'claims.xlsx'), '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['validation-qingdao-claims.xlsx', 'validation-tinghu-claims.xlsx']);
    const th = (await readSheets(join(out, 'validation-tinghu-claims.xlsx'))).rows('问题行');
    const qd = (await readSheets(join(out, 'validation-qingdao-claims.xlsx'))).rows('问题行');
    // each report lists its own file's bad rows only
    expect(th.slice(1).every((row) => row[0] === 'claims.xlsx')).toBe(true);
    expect(qd.slice(1).map((row) => row[4])).toEqual(['INVALID_ID']);
    expect(th.slice(1).map((row) => row[4])).not.toContain('INVALID_ID');
  }, 60_000);

  test('publicity title names the scheme once: 亭湖区健康救助对象公示名单', async () => {
    const dir = tmp();
    const ledger = join(dir, 'a.db');
    expect(
      (
        await runCli([
          'adjudicate',
          demo('tinghu', 'claims.xlsx'),
          '--config',
          demo('tinghu', 'assist.config.json'),
          '--ledger',
          ledger,
          '--out',
          dir,
        ])
      ).code,
    ).toBe(0);
    const r = await runCli([
      'report',
      'publicity',
      '--policy',
      'th-2021',
      '--month',
      '2024-06',
      '--ledger',
      ledger,
      '--out',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = (await readSheets(join(dir, 'publicity-th-2021-2024-06.xlsx'))).rows('公示名单');
    expect(rows[0]![0]).toBe('亭湖区健康救助对象公示名单（2024-06）');
  }, 60_000);
});
