// The ledger end to end (issue 4), on either ledger (issue 21 §1: one suite, run on a SQLite file by
// tests/e2e-ledger.test.ts and on a PostgreSQL server by tests/slow/postgres-ledger.test.ts): the built CLI run
// month after month against one ledger. Amounts are worked out by hand from the Tinghu table (一类人群, A 类
// 一般疾病: 年度起付线 3000, 50%).
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { runCli, FULL_ID, type Ran } from '../helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from '../helpers/files.js';
import { isPostgresUrl } from '../../src/ledger/postgres/url.js';
import { readSheets } from '../helpers/workbook.js';

export const P1 = makeId('320902', '1960-05-01', '211');
export const P2 = makeId('320902', '1972-08-09', '322');
/** with 基本医保支付, for the lines whose prior payments matter */
export const PAID_HEAD = [...CLAIM_HEAD, '基本医保支付'];
type Claim = [string, number, string, string, string, string, string, string, string, string, string, string, string];
export const claim = (
  id: string,
  person: string,
  name: string,
  date: string,
  total: string,
  inScope: string,
  basic = '0',
): Claim => [id, 1, person, name, '亭湖区人民医院', '门诊', date, date, 'J18.9', '肺炎', total, inScope, basic];

/** Where a test group's ledger lives: a new SQLite file, or a new database on a PostgreSQL server. */
export interface LedgerBackend {
  name: 'sqlite' | 'postgres';
  /** a new ledger in `dir` (a PostgreSQL database is made in a beforeAll of the calling group) */
  newLedger(dir: string): string;
}
export const SQLITE: LedgerBackend = { name: 'sqlite', newLedger: (dir) => join(dir, 'assist.db') };

export type Setup = { dir: string; ledger: string; roster: string; file: (name: string, rows: Claim[]) => string };

export function setup(backend: LedgerBackend = SQLITE): Setup {
  const dir = tmp('assist-ledger-');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
  ]);
  return {
    dir,
    ledger: backend.newLedger(dir),
    roster,
    file: (name, rows) => writeCsv(join(dir, name), [PAID_HEAD, ...rows]),
  };
}

/** The command line of one month's adjudicate on the group's ledger (th-2021, the group's roster). */
export function adjudicateArgs(s: Setup, file: string, out: string, extra: string[] = []): string[] {
  return [
    'adjudicate',
    file,
    '--roster',
    s.roster,
    '--policies',
    'th-2021',
    '--ledger',
    s.ledger,
    '--out',
    join(s.dir, out),
    ...extra,
  ];
}

export function adjudicate(
  s: Setup,
  file: string,
  out: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Ran> {
  return runCli(adjudicateArgs(s, file, out, extra), { env });
}

type Result = {
  claimId: string;
  status: string;
  reasons: string[];
  payments: Record<string, string>;
  patientRemaining: string | null;
  policy: string | null;
};
export function results(s: Setup, out: string, month: string): Result[] {
  return readFileSync(join(s.dir, out, `results-${month}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Result);
}
/** The ledger's rows as a SQLite file: the file itself, or a copy of the server's ledger (assist ledger copy). */
export async function local(ledger: string): Promise<string> {
  if (!isPostgresUrl(ledger)) return ledger;
  const { copyToSqlite } = await import('../../src/ledger/postgres/copy.js');
  const file = join(tmp('assist-copy-'), 'copy.db');
  await copyToSqlite(ledger, file);
  return file;
}

export async function acc(ledger: string): Promise<Record<string, string>> {
  const db = new Database(await local(ledger), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT id_number, policy, year, key, base, paid, entitled FROM accumulators_text ORDER BY id_number, policy, year, key',
      )
      .all() as Record<string, string | number>[];
    return Object.fromEntries(
      rows.map((r) => [
        `${r.id_number === P1 ? 'P1' : r.id_number === P2 ? 'P2' : r.id_number}|${r.year}|${r.key}`,
        `base ${Number(r.base) / 100} paid ${Number(r.paid) / 100} entitled ${Number(r.entitled) / 100}`,
      ]),
    );
  } finally {
    db.close();
  }
}
export async function count(ledger: string, table: string): Promise<number> {
  const file = await local(ledger);
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
export async function disbursement(file: string): Promise<(string | number | null)[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows: (string | number | null)[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as (string | number | null)[]).slice(1)));
  return rows;
}

export const FUND = 'th-2021.district';

/** The ledger across runs — deductible carried, corrections, revert, dry run, opening balances — on `backend`. */
export function ledgerRunsSuite(backend: LedgerBackend): void {
  describe('across runs: the deductible continues (March below it, April paid)', () => {
    const s = setup(backend);
    const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
    const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
    let r1!: Ran;
    let r2!: Ran;
    beforeAll(async () => {
      r1 = await adjudicate(s, march, 'm');
      r2 = await adjudicate(s, april, 'a');
    });

    test('March: E = 2000 < 3000 → pended BELOW_DEDUCTIBLE, nothing paid, base accumulates', async () => {
      expect(r1.code, r1.stderr).toBe(0);
      const [m] = results(s, 'm', '2024-03');
      expect(m!.status).toBe('pended');
      expect(m!.reasons).toContain('BELOW_DEDUCTIBLE');
      expect(m!.payments[FUND]).toBe('0.00');
    });

    test('April: base 2000 → 3500, over the deductible 500, paid round(500 × 50%) = 250.00', async () => {
      expect(r2.code, r2.stderr).toBe(0);
      const [a] = results(s, 'a', '2024-04');
      expect(a!.status).toBe('approved');
      expect(a!.payments[FUND]).toBe('250.00');
      expect(a!.patientRemaining).toBe('1550.00');
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
    });

    test('the same April file again: every line skipped ALREADY_ADJUDICATED, nothing paid, nothing committed or listed (SPEC §5)', async () => {
      const r = await adjudicate(s, april, 'a2');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('跳过 1 行：已审核过 1');
      expect(r.stdout).toContain('没有新的明细：1 行已于第 2 次运行审核');
      const rows = results(s, 'a2', '2024-04');
      expect(rows.map((x) => [x.status, x.reasons[0], x.policy])).toEqual([['skipped', 'ALREADY_ADJUDICATED', null]]);
      expect(readdirSync(join(s.dir, 'a2'))).toEqual(['results-2024-04.jsonl']);
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
    });

    test('ledger check passes; runs list the two runs that added lines, with the operator and file hashes', async () => {
      const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
      expect(c.code, c.stdout).toBe(0);
      expect(c.stdout).toContain('2 次运行');
      const runs = await runCli(['ledger', 'runs', '--ledger', s.ledger]);
      expect(runs.stdout).toMatch(/#1 审核 .* 月份 2024-03/);
      expect(runs.stdout).toMatch(/#2 审核 .* 月份 2024-04：.*跳过 0/);
      expect(runs.stdout).not.toContain('#3 ');
      expect(runs.stdout).toContain('april.csv（sha256 ');
    });

    test('explain shows inputs, parameters with dates and clauses, each step, accumulators before and after — IDs masked', async () => {
      const e = await runCli(['explain', 'A1', '--ledger', s.ledger]);
      expect(e.code, e.stderr).toBe(0);
      expect(e.stdout).toContain('══ 结算单 A1 第 1 行 · 亭湖区人民医院 ══');
      expect(e.stdout).toContain('政策范围内费用 1500.00');
      // a value that has always applied shows no date (issue 18 §6)
      expect(e.stdout).toMatch(
        /救助比例 = A类（一般疾病、慢性病） 0\.50，B类[^\n]*（亭湖区健康救助实施方案 三、（一）2\./,
      );
      expect(e.stdout).not.toContain('1900-01-01');
      expect(e.stdout).toContain('【依据：亭湖区健康救助实施方案');
      expect(e.stdout).toContain(
        '累计额（2024 年 A 类）：变动前 基数 2000.00，应救助 0.00，已支付 0.00 → 变动后 基数 3500.00，应救助 250.00，已支付 250.00',
      );
      expect(e.stdout).toContain('支付：区健康救助资金 250.00');
      expect(e.stdout).not.toMatch(FULL_ID);
      expect((await runCli(['explain', 'NOPE', '--ledger', s.ledger])).code).toBe(2);
    });
  });

  describe('corrections: CONFLICTING_RESUBMISSION, then --supersede with 冲正', () => {
    const s = setup(backend);
    const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
    const april = s.file('april.csv', [
      claim('A1', P1, '王一', '2024-04-10', '1800', '1500'),
      claim('A2', P2, '李二', '2024-04-11', '4000', '4000'),
    ]);
    const fixed = s.file('april-fixed.csv', [
      claim('A1', P1, '王一', '2024-04-10', '1800', '1700'),
      claim('A2', P2, '李二', '2024-04-11', '4000', '4000'),
    ]);
    beforeAll(async () => {
      await adjudicate(s, march, 'm');
      await adjudicate(s, april, 'a');
    });

    test('changed content without --supersede: skipped CONFLICTING_RESUBMISSION, left alone', async () => {
      const r = await adjudicate(s, fixed, 'c');
      expect(r.code, r.stderr).toBe(0);
      const rows = results(s, 'c', '2024-04');
      expect(rows.map((x) => `${x.claimId} ${x.status} ${x.reasons[0]}`)).toEqual([
        'A1 skipped CONFLICTING_RESUBMISSION',
        'A2 skipped ALREADY_ADJUDICATED',
      ]);
      expect(r.stdout).toContain('内容不同未处理 1（如需更正请加 --supersede）');
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
    });

    test('--supersede: reversal −250.00 (冲正) and the new result 350.00; accumulators corrected', async () => {
      const r = await adjudicate(s, fixed, 's', ['--supersede']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('更正重报 1 行');
      const rows = results(s, 's', '2024-04');
      // E = 1700: base 2000 → 3700, over 700, 50% → 350.00
      expect(rows.map((x) => `${x.claimId} ${x.status} ${x.payments[FUND] ?? '-'}`)).toEqual([
        'A1 approved 350.00',
        'A2 skipped -',
      ]);
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3700 paid 350 entitled 350');
      const list = await disbursement(join(s.dir, 's', `disbursement-${FUND}-2024-04.xlsx`));
      const a1 = list.filter((row) => row[2] === 'A1');
      expect(a1.map((row) => [row[8], row[9] ?? ''])).toEqual([
        [-250, '冲正（更正重报，原第 2 次运行）'],
        [350, ''],
      ]);
      const total = list.find((row) => row[0] === '合计');
      expect(total?.[8]).toBe(100);
      expect(list.some((row) => String(row[0]).includes('壹佰元整'))).toBe(true);
      // the settlement workbook's 冲正: the original run's result negated, and its 合计
      const settlement = await readSheets(join(s.dir, 's', 'settlement-2024-04.xlsx'));
      const reversed = settlement.rows('冲正').filter((row) => row[1] === 'A1' || row[0] === '合计');
      expect(reversed.map((row) => [row[0], row[1], row[2], row[6], row.at(-1)])).toEqual([
        [2, 'A1', 1, '更正重报', -250],
        ['合计', null, null, null, -250],
      ]);
    });

    test('history is kept: explain shows the old line as 已冲正 and the new one in force; check passes', async () => {
      const e = await runCli(['explain', 'A1', '--ledger', s.ledger]);
      // runs: March 1, April 2, the changed file without --supersede adds nothing (no run), --supersede 3
      expect(e.stdout).toMatch(/状态：已冲正 —— 第 3 次运行/);
      expect(e.stdout).toContain('冲正：第 3 次运行（审核');
      expect(e.stdout).toContain('状态：有效（通过）');
      expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
      expect(await count(s.ledger, 'reversals')).toBe(1);
    });

    test('the corrected file once more: ALREADY_ADJUDICATED (no double payment)', async () => {
      const r = await adjudicate(s, fixed, 's2', ['--supersede']);
      expect(results(s, 's2', '2024-04').map((x) => x.reasons[0])).toEqual([
        'ALREADY_ADJUDICATED',
        'ALREADY_ADJUDICATED',
      ]);
      expect(r.code).toBe(0);
    });
  });

  describe('ledger revert and --dry-run', () => {
    const s = setup(backend);
    const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
    const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
    beforeAll(async () => {
      await adjudicate(s, march, 'm');
    });

    test('--dry-run writes outputs but commits nothing', async () => {
      const before = await count(s.ledger, 'runs');
      const r = await adjudicate(s, april, 'dry', ['--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('试运行（--dry-run）：未写入台账');
      // a dry run's files carry -dryrun (SPEC §5)
      expect(readFileSync(join(s.dir, 'dry', 'results-2024-04-dryrun.jsonl'), 'utf8')).toContain(
        '"th-2021.district":"250.00"',
      );
      expect(await count(s.ledger, 'runs')).toBe(before);
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
    });

    test('a dry run carries its own changes into a later batch: base 2000 + 1500 → 250.00, then + 800 → 400.00; ledger unchanged', async () => {
      // 1,000 lines of P2 between P1's two: D2 comes in the engine's next batch (CHUNK_LINES), whose accumulators
      // are loaded again — from the ledger and the dry run's own changes (it writes none into the ledger)
      const between = Array.from({ length: 1000 }, (_, i) =>
        claim(`F${String(i).padStart(4, '0')}`, P2, '李二', '2024-04-15', '10', '10'),
      );
      const two = s.file('april-two.csv', [
        claim('D1', P1, '王一', '2024-04-10', '1800', '1500'),
        ...between,
        claim('D2', P1, '王一', '2024-04-20', '1000', '800'),
      ]);
      const r = await adjudicate(s, two, 'dry2', ['--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      const paid = results(s, 'dry2', '2024-04-dryrun')
        .filter((x) => x.claimId.startsWith('D'))
        .map((x) => [x.claimId, x.status, x.payments[FUND]]);
      // D2 is over the deductible only with D1's 1500 (kept by the dry run, not in the ledger): 3500 + 800 → 400.00
      expect(paid).toEqual([
        ['D1', 'approved', '250.00'],
        ['D2', 'approved', '400.00'],
      ]);
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
    });

    test.skipIf(backend.name !== 'sqlite')('a dry run without a ledger file creates none', async () => {
      const d = tmp();
      const r = await runCli([
        'adjudicate',
        april,
        '--roster',
        s.roster,
        '--policies',
        'th-2021',
        '--ledger',
        join(d, 'none.db'),
        '--out',
        join(d, 'o'),
        '--dry-run',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(d, 'none.db'))).toBe(false);
    });

    test('revert the April run: 冲正 rows (and a 冲正 disbursement list), accumulators back, history kept, the file can be adjudicated again', async () => {
      await adjudicate(s, april, 'a');
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
      const r = await runCli([
        'ledger',
        'revert',
        '2',
        '--ledger',
        s.ledger,
        '--operator',
        '复核员',
        '--out',
        join(s.dir, 'rv'),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('冲正 1 条结果（1 行明细）');
      expect(r.stdout).toContain('th-2021.district：冲正 ¥-250.00');
      expect((await acc(s.ledger))['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
      const list = await disbursement(join(s.dir, 'rv', `disbursement-${FUND}-2024-04-revert-3.xlsx`));
      expect(list.filter((row) => row[2] === 'A1').map((row) => [row[8], row[9]])).toEqual([
        [-250, '冲正（撤销运行，原第 2 次运行）'],
      ]);
      expect(list.some((row) => String(row[0]).includes('负贰佰伍拾元整'))).toBe(true);
      expect(await count(s.ledger, 'lines')).toBe(2);
      expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
      expect((await runCli(['ledger', 'revert', '2', '--ledger', s.ledger])).code).toBe(2);
      expect((await runCli(['ledger', 'runs', '--ledger', s.ledger])).stdout).toMatch(
        /#3 撤销 .*操作员 复核员.*撤销第 2 次运行：冲正 1 条结果/,
      );
      const again = await adjudicate(s, april, 'a3');
      expect(again.code).toBe(0);
      expect(results(s, 'a3', '2024-04')[0]!.payments[FUND]).toBe('250.00');
    });
  });

  describe('assist ledger import-opening', () => {
    test('a year-to-date base from before the tool counts toward the deductible (2800 + 1500 → 650.00)', async () => {
      const s = setup(backend);
      const opening = writeCsv(join(s.dir, 'opening.csv'), [
        ['身份证号', '姓名', '政策', '年度', '累计项目', '累计基数', '累计支付'],
        [P1, '王一', 'th-2021', '2024', 'A类', '2800.00', '0'],
        [P2, '李二', '亭湖区健康救助', '2024', 'B类', '5000', '1000'],
      ]);
      const r = await runCli(['ledger', 'import-opening', opening, '--ledger', s.ledger]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('已导入期初余额 2 行');
      expect((await acc(s.ledger))['P2|2024|B']).toBe('base 5000 paid 1000 entitled 1000');
      const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
      await adjudicate(s, april, 'a');
      // 2800 → 4300: over the deductible by 1300, 50% → 650.00
      expect(results(s, 'a', '2024-04')[0]!.payments[FUND]).toBe('650.00');
      expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
      const again = await runCli(['ledger', 'import-opening', opening, '--ledger', s.ledger]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('已于第 1 次运行');
    });

    test('bad rows: file, row, column and what to fix; nothing imported', async () => {
      const s = setup(backend);
      const bad = writeCsv(join(s.dir, 'bad.csv'), [
        ['身份证号', '政策', '年度', '累计项目', '累计基数', '累计支付'],
        [P1, 'th-2021', '2024', 'A类', '100', '0'],
        ['320902196005012110', 'th-2021', '2024', 'A类', '100', '0'],
        [P2, 'xx-2030', '2024', 'A类', '100', '0'],
        [P2, 'th-2021', '24', 'A类', '100', '0'],
        [P2, 'th-2021', '2024', 'D类', '100', '0'],
        [P2, 'th-2021', '2024', 'B类', '1OO', '0'],
        [P1, 'th-2021', '2024', 'A类', '50', '0'],
        [P2, 'th-2021', '2024', 'B类起付线', '100', '0'],
      ]);
      const r = await runCli(['ledger', 'import-opening', bad, '--ledger', s.ledger]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('bad.csv 有 7 行错误，未导入任何期初余额');
      expect(r.stderr).toMatch(/bad\.csv 第 3 行.*\[身份证号\]/);
      expect(r.stderr).toMatch(/第 4 行.*\[政策\] 无法识别的政策“xx-2030”/);
      expect(r.stderr).toMatch(/第 5 行.*\[年度\] 年度应为四位年份/);
      expect(r.stderr).toMatch(/第 6 行.*\[累计项目\] 亭湖区健康救助的累计项目应为/);
      expect(r.stderr).toMatch(/第 7 行.*\[累计基数\]/);
      expect(r.stderr).toMatch(/第 8 行.*\[累计项目\] 与第 2 行重复/);
      // B's first deductible counts across years: no year is given for it
      expect(r.stderr).toMatch(/第 9 行.*\[年度\] 累计项目“B类起付线”不分年度/);
      expect(r.stderr + r.stdout).not.toMatch(FULL_ID);
      expect(await count(s.ledger, 'openings')).toBe(0);
    });
  });
  describe('reports and reconcile read the ledger', reportsFromLedger(backend));
}

/** Every report and reconcile, from the ledger alone (issue 21 §1): P2 E 4000 → over 3000 by 1000 → 500.00, then
 *  E 1000 → 500.00; P1 E 5000 → over 2000 → 1000.00. */
function reportsFromLedger(backend: LedgerBackend): () => void {
  return () => {
    const s = setup(backend);
    const may = s.file('may.csv', [
      claim('R1', P2, '李二', '2024-05-02', '4000', '4000'),
      claim('R2', P2, '李二', '2024-05-03', '1000', '1000'),
      claim('R3', P1, '王一', '2024-05-04', '5000', '5000'),
    ]);
    const report = (args: string[]) => runCli(['report', ...args, '--ledger', s.ledger, '--out', join(s.dir, 'rep')]);
    beforeAll(async () => {
      const r = await adjudicate(s, may, 'adj');
      expect(r.code, r.stderr).toBe(0);
    });

    test('the disbursement list and settlement workbook from the ledger equal the ones the run wrote', async () => {
      const d = await report(['disbursement', '--fund', FUND, '--month', '2024-05']);
      expect(d.code, d.stderr).toBe(0);
      const name = `disbursement-${FUND}-2024-05.xlsx`;
      const fromLedger = (await readSheets(join(s.dir, 'rep', name))).rows('拨付清单');
      expect(fromLedger).toEqual((await readSheets(join(s.dir, 'adj', name))).rows('拨付清单'));
      expect(fromLedger.flat()).toEqual(expect.arrayContaining([500, 1000, 2000]));
      const st = await report(['settlement', '--month', '2024-05']);
      expect(st.code, st.stderr).toBe(0);
      const a = await readSheets(join(s.dir, 'adj', 'settlement-2024-05.xlsx'));
      const b = await readSheets(join(s.dir, 'rep', 'settlement-2024-05.xlsx'));
      expect(b.wb.worksheets.map((w) => w.name)).toEqual(a.wb.worksheets.map((w) => w.name));
      // 汇总 differs only in its note (由台账重建…); the lines and the per-policy totals are the same
      for (const name of ['明细', '按政策', '核对']) expect(b.rows(name), name).toEqual(a.rows(name));
      expect(b.rows('明细').flat()).toEqual(expect.arrayContaining([500, 1000]));
    });

    test('th-annual: each person’s year, worked out by hand', async () => {
      const r = await report(['th-annual', '--year', '2024']);
      expect(r.code, r.stderr).toBe(0);
      const y = (await readSheets(join(s.dir, 'rep', 'th-annual-2024.xlsx'))).rows('年度结算').slice(2);
      expect(y.find((x) => x[0] === '李二')).toEqual([
        '李二',
        P2,
        '一类',
        'A 类',
        2,
        5000,
        3000,
        5000,
        1000,
        1000,
        '已达起付线',
      ]);
      expect(y.find((x) => x[0] === '王一')).toEqual([
        '王一',
        P1,
        '一类',
        'A 类',
        1,
        5000,
        3000,
        5000,
        1000,
        1000,
        '已达起付线',
      ]);
    });

    test('publicity: one row a person, IDs and names masked, amounts by hand', async () => {
      const r = await report(['publicity', '--policy', 'th-2021', '--month', '2024-05']);
      expect(r.code, r.stderr).toBe(0);
      const all = (await readSheets(join(s.dir, 'rep', 'publicity-th-2021-2024-05.xlsx'))).rows('公示名单');
      const people = all.slice(2).filter((x) => typeof x[0] === 'number');
      expect(people.map((p) => [p[1], p[4], p[5], p[6]]).sort()).toEqual([
        ['李*', 2, 5000, 1000],
        ['王*', 1, 5000, 1000],
      ]);
      expect(all.find((x) => x[0] === '合计')![6]).toBe(2000);
      expect(JSON.stringify(all)).not.toMatch(FULL_ID);
    });

    test('reconcile: a statement with each kind of difference, then one that ties out', async () => {
      const rec = (st: string) =>
        runCli([
          'reconcile',
          st,
          '--fund',
          FUND,
          '--month',
          '2024-05',
          '--ledger',
          s.ledger,
          '--out',
          join(s.dir, 'rec'),
        ]);
      const head = ['结算单号', '医疗机构', '行号', '拨付金额'];
      const off = await rec(
        writeCsv(join(s.dir, 'off.csv'), [
          head,
          ['R1', '亭湖区人民医院', 1, '500.00'],
          ['R2', '亭湖区人民医院', 1, '450.00'],
          ['X9', '亭湖区人民医院', 1, '200.00'],
          ['R1', '亭湖区人民医院', 1, '500.00'],
        ]),
      );
      expect(off.code, off.stderr).toBe(1);
      expect(off.stdout).toContain('台账 ¥2,000.00，对账单 ¥1,650.00');
      expect(off.stdout).toContain('一致 1，金额不符 1，应付未付 1，无依据支付 1，重复支付 1');
      const even = await rec(
        writeCsv(join(s.dir, 'even.csv'), [
          head,
          ['R1', '亭湖区人民医院', 1, '500.00'],
          ['R2', '亭湖区人民医院', 1, '500.00'],
          ['R3', '亭湖区人民医院', 1, '1000.00'],
        ]),
      );
      expect(even.code, even.stderr).toBe(0);
      expect(even.stdout).toContain('一致 3，金额不符 0，应付未付 0，无依据支付 0，重复支付 0');
      expect(even.stdout).toContain('结论：一致');
    });
  };
}
