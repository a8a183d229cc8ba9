// Issue 7: injection, privacy, file modes, --mask, exact numbers at the extremes.
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipParts } from './helpers/zip.js';
import { runCli, FULL_ID, type Ran } from './helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';
import { readSheets } from './helpers/workbook.js';
import { neutraliseCsv } from '../src/io/csv-writer.js';
import { adjudicate } from '../src/engine/adjudicate.js';
import { createPolicies } from '../src/policies/registry.js';
import { line, person, people } from '../src/testkit.js';
import { fromFen, money, sum, toFen } from '../src/domain/money.js';

describe('CSV formula injection: every prefix neutralised', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['  =1', "'  =1"],
    ['\u3000=1', "'\u3000=1"],
    ['＝1', "'＝1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠1', "'＠1"],
    [' ＠1', "' ＠1"],
    ['张三', '张三'],
    ['C2024001', 'C2024001'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(neutraliseCsv(input)).toBe(out));
});

async function zipTexts(file: string): Promise<string[]> {
  return (await unzipParts(readFileSync(file))).map(([, b]) => b.toString('utf8'));
}

describe('hostile text in claims and rosters: inert in every output, files stay in the output folder, IDs masked on screen, files 0600', () => {
  const dir = tmp('assist-hostile-');
  const P = makeId('320902', '1960-05-01', '211');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P, '=HYPERLINK("http://x","y")', '特困人员', '2024-01-01', '江苏省盐城市亭湖区', '是', "=cmd|' /C calc'!A0"],
  ]);
  const claims = writeCsv(join(dir, 'c.csv'), [
    CLAIM_HEAD.filter((h) => h !== '行号'),
    [
      '@SUM(1)',
      P,
      '=HYPERLINK("http://x","y")',
      '../../evil',
      '门诊',
      '2024-05-02',
      '2024-05-02',
      'J18.9',
      '+肺炎',
      '9000',
      '9000',
    ],
  ]);
  const out = join(dir, 'out');
  const ledger = join(dir, 'l', 'assist.db');
  let runs: Ran[] = [];
  beforeAll(async () => {
    runs = [
      await runCli(['validate', claims, roster, '--out', join(dir, 'v')]),
      await runCli([
        'adjudicate',
        claims,
        '--roster',
        roster,
        '--policies',
        'th-2021',
        '--ledger',
        ledger,
        '--out',
        out,
      ]),
      await runCli(['ledger', 'runs', '--ledger', ledger]),
      await runCli(['ledger', 'check', '--ledger', ledger]),
      await runCli(['explain', '@SUM(1)', '--ledger', ledger]),
      await runCli([
        'report',
        'disbursement',
        '--fund',
        'th-2021.district',
        '--month',
        '2024-05',
        '--csv',
        '--ledger',
        ledger,
        '--out',
        join(dir, 'rep'),
      ]),
      await runCli([
        'report',
        'publicity',
        '--policy',
        'th-2021',
        '--month',
        '2024-05',
        '--ledger',
        ledger,
        '--out',
        join(dir, 'rep'),
      ]),
      await runCli(['report', 'th-annual', '--year', '2024', '--ledger', ledger, '--out', join(dir, 'rep')]),
      await runCli(['report', 'th-service-subsidy', '--year', '2024', '--roster', roster, '--out', join(dir, 'rep')]),
      await runCli([
        'report',
        'jinzhou-monthly',
        '--month',
        '2024-05',
        '--roster',
        roster,
        '--ledger',
        ledger,
        '--out',
        join(dir, 'rep'),
      ]),
      await runCli([
        'reconcile',
        writeCsv(join(dir, 'st.csv'), [
          ['结算单号', '医疗机构', '支付金额'],
          ['@SUM(1)', '../../evil', '=1+1'],
          ['@SUM(1)', '../../evil', '1.00'],
        ]),
        '--fund',
        'th-2021.district',
        '--month',
        '2024-05',
        '--ledger',
        ledger,
        '--out',
        join(dir, 'rep'),
      ]),
      await runCli(['ledger', 'revert', '1', '--ledger', ledger, '--out', join(dir, 'rv')]),
    ];
  });

  test('every command ends 0 or 1 (reconcile), never 3; no full ID number on stdout or stderr of any command', async () => {
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    for (const r of runs) {
      expect(r.stdout + r.stderr).not.toMatch(FULL_ID);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  test('xlsx outputs hold the hostile text as text: no formula element anywhere', async () => {
    const files = [
      ...readdirSync(out).map((f) => join(out, f)),
      ...readdirSync(join(dir, 'rep')).map((f) => join(dir, 'rep', f)),
    ].filter((f) => f.endsWith('.xlsx'));
    expect(files.length).toBeGreaterThan(6);
    for (const f of files) for (const xml of await zipTexts(f)) expect(xml).not.toMatch(/<(\w+:)?f[ >]/);
    const { rows } = await readSheets(join(out, 'settlement-2024-05.xlsx'));
    const detail = rows('明细');
    expect(detail[1]![2]).toBe('@SUM（1）');
    expect(detail[1]![6]).toBe('=HYPERLINK("http://x","y")');
  });

  test('the CSV list neutralises the hostile cells and keeps amounts as numbers', async () => {
    const csv = readFileSync(join(dir, 'rep', 'disbursement-th-2021.district-2024-05.csv'), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(`\n'=cmd|' /C calc'!A0,`);
    expect(csv).toContain("'@SUM（1）"); // claim ids are normalised (full-width brackets)
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toMatch(/,9000,3000,\r\n/); // E 9000, 一类 A: (9000 − 3000) × 50% = 3000.00
  });

  test('a hospital named ../../evil changes no file name: everything is inside the output folder', async () => {
    expect(existsSync(join(dirname(out), 'evil'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual([
      'disbursement-th-2021.district-2024-05.xlsx',
      'results-2024-05.jsonl',
      'settlement-2024-05.xlsx',
    ]);
  });

  test('output files and the ledger are created with mode 0600', async () => {
    for (const d of [out, join(dir, 'rep'), join(dir, 'rv'), join(dir, 'v')])
      for (const f of readdirSync(d)) expect(statSync(join(d, f)).mode & 0o777, `${d}/${f}`).toBe(0o600);
    for (const f of readdirSync(join(dir, 'l'))) expect(statSync(join(dir, 'l', f)).mode & 0o777, f).toBe(0o600);
  });

  test('--mask: workbooks with masked IDs and names for sharing; the ledger and jsonl keep the full values', async () => {
    const m = join(dir, 'masked');
    const r = await runCli([
      'adjudicate',
      claims,
      '--roster',
      roster,
      '--policies',
      'th-2021',
      '--ledger',
      join(dir, 'm.db'),
      '--out',
      m,
      '--mask',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const detail = (await readSheets(join(m, 'settlement-2024-05.xlsx'))).rows('明细');
    expect(detail[1]![5]).toBe(`${P.slice(0, 6)}********${P.slice(-4)}`);
    expect(detail[1]![6]).toBe(`=${'*'.repeat([...'=HYPERLINK("http://x","y")'].length - 2)})`);
    const list = (await readSheets(join(m, 'disbursement-th-2021.district-2024-05.xlsx'))).rows('拨付清单');
    expect(JSON.stringify(list)).not.toContain(P);
    expect(readFileSync(join(m, 'results-2024-05.jsonl'), 'utf8')).toContain(P);
  });
});

describe('numbers: up to 10^12 yuan and down to 0.01, exact', () => {
  test('fen round trip at the extremes', async () => {
    for (const v of ['0.01', '999999999999.99', '1000000000000.00', '0.00'])
      expect(fromFen(toFen(money(v))).toFixed(2)).toBe(v);
  });

  test('property: random batches with amounts up to 10^12 — conservation on every line, no payment over a cap', async () => {
    const TH = makeId('320902', '1960-03-05', '331');
    const roster = people(person(TH, [['dibao', '2023-01-01', '2026-12-31']]));
    const policies = createPolicies(['th-2021']);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            total: fc.bigInt({ min: 1n, max: 100_000_000_000_000n }),
            basicShare: fc.integer({ min: 0, max: 100 }),
            day: fc.integer({ min: 1, max: 28 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (gs) => {
          const lines = gs.map((g, i) => {
            const total = money(g.total.toString()).dividedBy(100);
            const basic = total.times(g.basicShare).dividedBy(100).toDecimalPlaces(2, 1);
            return line({
              claimId: `N${i}`,
              idNumber: TH,
              totalCost: total.toFixed(2),
              basicPaid: basic.toFixed(2),
              settlementDate: `2024-06-${String(g.day).padStart(2, '0')}`,
              diagnosisCode: 'J18.9',
              diagnosisName: '肺炎',
            });
          });
          const { results, accumulators } = adjudicate(lines, roster, policies);
          for (const r of results) {
            const paid = sum(Object.values(r.payments));
            expect(r.line.priorPaid.plus(paid).plus(r.patientRemaining).equals(r.line.totalCost)).toBe(true);
            expect(paid.decimalPlaces()).toBeLessThanOrEqual(2);
          }
          for (const a of accumulators.map.values())
            if (a.year > 0 && a.key === 'A') expect(a.entitled.lessThanOrEqualTo(50000)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
