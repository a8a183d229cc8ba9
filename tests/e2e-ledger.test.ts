// The ledger end to end (issue 4): the built CLI run month after month against one ledger file.
// Amounts are worked out by hand from the Tinghu table (一类人群, A 类 一般疾病: 年度起付线 3000, 50%).
import { beforeAll, describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runCli, startCli, FULL_ID, ROOT, type Ran } from './helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';
import { ledgerState } from './helpers/ledger.js';
import { SqliteLedger } from '../src/ledger/sqlite.js';
import { contentHashVersion, makeLineCodec } from '../src/ledger/content.js';
import { LINE_SCHEMA } from '../src/domain/line-schema.js';
import type { ClaimLine } from '../src/domain/types.js';

const P1 = makeId('320902', '1960-05-01', '211');
const P2 = makeId('320902', '1972-08-09', '322');
/** with 基本医保支付, for the lines whose prior payments matter */
const PAID_HEAD = [...CLAIM_HEAD, '基本医保支付'];
type Claim = [string, number, string, string, string, string, string, string, string, string, string, string, string];
const claim = (
  id: string,
  person: string,
  name: string,
  date: string,
  total: string,
  inScope: string,
  basic = '0',
): Claim => [id, 1, person, name, '亭湖区人民医院', '门诊', date, date, 'J18.9', '肺炎', total, inScope, basic];

function setup(): { dir: string; ledger: string; roster: string; file: (name: string, rows: Claim[]) => string } {
  const dir = tmp('assist-ledger-');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
  ]);
  return {
    dir,
    ledger: join(dir, 'assist.db'),
    roster,
    file: (name, rows) => writeCsv(join(dir, name), [PAID_HEAD, ...rows]),
  };
}

function adjudicate(
  s: ReturnType<typeof setup>,
  file: string,
  out: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Ran> {
  return runCli(
    [
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
    ],
    { env },
  );
}

type Result = {
  claimId: string;
  status: string;
  reasons: string[];
  payments: Record<string, string>;
  patientRemaining: string | null;
  policy: string | null;
};
function results(s: ReturnType<typeof setup>, out: string, month: string): Result[] {
  return readFileSync(join(s.dir, out, `results-${month}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Result);
}
function acc(ledger: string): Record<string, string> {
  const db = new Database(ledger, { readonly: true });
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
function count(ledger: string, table: string): number {
  const db = new Database(ledger, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
async function disbursement(file: string): Promise<(string | number | null)[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows: (string | number | null)[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as (string | number | null)[]).slice(1)));
  return rows;
}

const FUND = 'th-2021.district';

describe('across runs: the deductible continues (March below it, April paid)', () => {
  const s = setup();
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
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
  });

  test('the same April file again: every line skipped ALREADY_ADJUDICATED, nothing paid, nothing committed or listed (SPEC §5)', async () => {
    const r = await adjudicate(s, april, 'a2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('跳过 1 行：已审核过 1');
    expect(r.stdout).toContain('没有新的明细：1 行已于第 2 次运行审核');
    const rows = results(s, 'a2', '2024-04');
    expect(rows.map((x) => [x.status, x.reasons[0], x.policy])).toEqual([['skipped', 'ALREADY_ADJUDICATED', null]]);
    expect(readdirSync(join(s.dir, 'a2'))).toEqual(['results-2024-04.jsonl']);
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
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
  const s = setup();
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
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
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
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 3700 paid 350 entitled 350');
    const list = await disbursement(join(s.dir, 's', `disbursement-${FUND}-2024-04.xlsx`));
    const a1 = list.filter((row) => row[2] === 'A1');
    expect(a1.map((row) => [row[8], row[9] ?? ''])).toEqual([
      [-250, '冲正（更正重报，原第 2 次运行）'],
      [350, ''],
    ]);
    const total = list.find((row) => row[0] === '合计');
    expect(total?.[8]).toBe(100);
    expect(list.some((row) => String(row[0]).includes('壹佰元整'))).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(s.dir, 's', 'settlement-2024-04.xlsx'));
    expect(wb.getWorksheet('冲正')).toBeDefined();
  });

  test('history is kept: explain shows the old line as 已冲正 and the new one in force; check passes', async () => {
    const e = await runCli(['explain', 'A1', '--ledger', s.ledger]);
    // runs: March 1, April 2, the changed file without --supersede adds nothing (no run), --supersede 3
    expect(e.stdout).toMatch(/状态：已冲正 —— 第 3 次运行/);
    expect(e.stdout).toContain('冲正：第 3 次运行（审核');
    expect(e.stdout).toContain('状态：有效（通过）');
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
    expect(count(s.ledger, 'reversals')).toBe(1);
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
  const s = setup();
  const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
  const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
  beforeAll(async () => {
    await adjudicate(s, march, 'm');
  });

  test('--dry-run writes outputs but commits nothing', async () => {
    const before = count(s.ledger, 'runs');
    const r = await adjudicate(s, april, 'dry', ['--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('试运行（--dry-run）：未写入台账');
    // a dry run's files carry -dryrun (SPEC §5)
    expect(readFileSync(join(s.dir, 'dry', 'results-2024-04-dryrun.jsonl'), 'utf8')).toContain(
      '"th-2021.district":"250.00"',
    );
    expect(count(s.ledger, 'runs')).toBe(before);
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
  });

  test('a dry run without a ledger file creates none', async () => {
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
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
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
    expect(acc(s.ledger)['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
    const list = await disbursement(join(s.dir, 'rv', `disbursement-${FUND}-2024-04-revert-3.xlsx`));
    expect(list.filter((row) => row[2] === 'A1').map((row) => [row[8], row[9]])).toEqual([
      [-250, '冲正（撤销运行，原第 2 次运行）'],
    ]);
    expect(list.some((row) => String(row[0]).includes('负贰佰伍拾元整'))).toBe(true);
    expect(count(s.ledger, 'lines')).toBe(2);
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
    const s = setup();
    const opening = writeCsv(join(s.dir, 'opening.csv'), [
      ['身份证号', '姓名', '政策', '年度', '累计项目', '累计基数', '累计支付'],
      [P1, '王一', 'th-2021', '2024', 'A类', '2800.00', '0'],
      [P2, '李二', '亭湖区健康救助', '2024', 'B类', '5000', '1000'],
    ]);
    const r = await runCli(['ledger', 'import-opening', opening, '--ledger', s.ledger]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('已导入期初余额 2 行');
    expect(acc(s.ledger)['P2|2024|B']).toBe('base 5000 paid 1000 entitled 1000');
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
    const s = setup();
    const bad = writeCsv(join(s.dir, 'bad.csv'), [
      ['身份证号', '政策', '年度', '累计项目', '累计基数', '累计支付'],
      [P1, 'th-2021', '2024', 'A类', '100', '0'],
      ['320902196005012110', 'th-2021', '2024', 'A类', '100', '0'],
      [P2, 'xx-2030', '2024', 'A类', '100', '0'],
      [P2, 'th-2021', '24', 'A类', '100', '0'],
      [P2, 'th-2021', '2024', 'D类', '100', '0'],
      [P2, 'th-2021', '2024', 'B类', '1OO', '0'],
    ]);
    const r = await runCli(['ledger', 'import-opening', bad, '--ledger', s.ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv 有 5 行错误，未导入任何期初余额');
    expect(r.stderr).toMatch(/bad\.csv 第 3 行.*\[身份证号\]/);
    expect(r.stderr).toMatch(/第 4 行.*\[政策\] 无法识别的政策“xx-2030”/);
    expect(r.stderr).toMatch(/第 5 行.*\[年度\] 年度应为四位年份/);
    expect(r.stderr).toMatch(/第 6 行.*\[累计项目\] 亭湖区健康救助的累计项目应为/);
    expect(r.stderr).toMatch(/第 7 行.*\[累计基数\]/);
    expect(r.stderr + r.stdout).not.toMatch(FULL_ID);
    expect(existsSync(s.ledger) ? count(s.ledger, 'openings') : 0).toBe(0);
  });
});

describe('tamper evidence: assist ledger check exits 1 on any mismatch', () => {
  async function fresh(): Promise<ReturnType<typeof setup>> {
    const s = setup();
    await adjudicate(s, s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm');
    await adjudicate(s, s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]), 'a');
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
    return s;
  }
  const edit = (ledger: string, sql: string) => {
    const db = new Database(ledger);
    db.exec(sql);
    db.close();
  };

  test('a payment changed in a result', async () => {
    const s = await fresh();
    edit(
      s.ledger,
      `UPDATE results SET payments = json_array(json_extract(payments, '$[0]'), 35000) WHERE payments IS NOT NULL`,
    );
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('第 2 次运行的内容与记录的哈希不符');
  });
  test('an accumulator changed', async () => {
    const s = await fresh();
    edit(s.ledger, `UPDATE accumulators SET paid = paid + 1 WHERE key = (SELECT id FROM texts WHERE t = 'A')`);
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(
      /累计额不符：320902\*+[\dX]{4} th-2021 2024 年 A：台账记为 基数 3500.00、支付 250.01、应救助 250.00，按结果与冲正合计应为 基数 3500.00、支付 250.00/,
    );
    expect(c.stdout).not.toMatch(FULL_ID);
  });
  test('a stored text changed (schema 3: the fund a payment went to renamed in texts)', async () => {
    const s = await fresh();
    edit(s.ledger, `UPDATE texts SET t = 'th-2021.other' WHERE t = 'th-2021.district'`);
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('第 2 次运行的内容与记录的哈希不符');
  });
  test('a run deleted (and its lines) breaks the chain', async () => {
    const s = await fresh();
    edit(
      s.ledger,
      `DELETE FROM results WHERE line_id IN (SELECT id FROM lines WHERE run_id = 1); DELETE FROM lines WHERE run_id = 1; DELETE FROM trace_chunks WHERE run_id = 1; DELETE FROM runs WHERE id = 1`,
    );
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('哈希链断开');
  });
});

describe('schema: versioned migrations, mode 0600', () => {
  test('schema_migrations records versions 1 to 4; the ledger file is 0600; a newer ledger is refused', async () => {
    const s = setup();
    await adjudicate(s, s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm');
    expect(statSync(s.ledger).mode & 0o777).toBe(0o600);
    const db = new Database(s.ledger);
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: expect.stringContaining('台账初始结构') },
      { version: 2, name: expect.stringContaining('brotli') },
      { version: 3, name: expect.stringContaining('只存一次') },
      { version: 4, name: expect.stringContaining('assist explain') },
    ]);
    // schema 3: texts stored once; the views spell them out
    expect(db.prepare('SELECT typeof(policy) AS p, typeof(status) AS s, payments FROM results').get()).toEqual({
      p: 'integer',
      s: 'integer',
      payments: null,
    });
    expect(db.prepare('SELECT policy, status, reasons, payee FROM results_text').get()).toEqual({
      policy: 'th-2021',
      status: 'pended',
      reasons: expect.stringMatching(/^[A-Z_,]+$/),
      payee: expect.any(String),
    });
    expect(db.prepare('SELECT source, visit_type, status FROM lines_text').get()).toEqual({
      source: 'march.csv',
      visit_type: expect.any(String),
      status: 'pended',
    });
    const run = db
      .prepare('SELECT kind, operator, command_line, month, policies, inputs, counts FROM runs')
      .get() as Record<string, string>;
    expect(run.kind).toBe('adjudicate');
    expect(JSON.parse(run.policies)[0]).toMatchObject({
      id: 'th-2021',
      version: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.parse(run.inputs).map((i: { role: string }) => i.role)).toEqual(['claims', 'roster']);
    expect(JSON.parse(run.counts)).toMatchObject({ rowsRead: 1, invalid: 0, lines: 1, pended: 1 });
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')").run();
    db.close();
    const r = await runCli(['ledger', 'runs', '--ledger', s.ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('结构版本为 99');
  });
});

describe('assist ledger init', () => {
  test('a SQLite ledger file: created empty at the current schema, then left as it is', async () => {
    const dir = tmp('assist-init-');
    const file = join(dir, 'city.db');
    const r = await runCli(['ledger', 'init', '--ledger', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`台账文件 ${file} 已就绪（结构版本 4）`);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(4);
    expect(db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
    db.close();
    const again = await runCli(['ledger', 'runs', '--ledger', file]);
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('a ledger written by schema version 1 (before 2026-11-23) keeps working', () => {
  // tests/fixtures/ledger-v1.db: the demo month (run 1), the Jinzhou demo (run 2) and its revert (run 3), written by
  // the version-1 program — line hashes as hex text, payee names on every result, zero payments, deflated traces.
  const dir = tmp('assist-v1-');
  const ledger = join(dir, 'v1.db');
  copyFileSync(join(ROOT, 'tests', 'fixtures', 'ledger-v1.db'), ledger);
  const config = [
    '--config',
    join(ROOT, 'fixtures', 'demo', 'assist.config.json'),
    '--ledger',
    ledger,
    '--out',
    join(dir, 'out'),
  ];

  test('opened: migrated to version 4, the hash chain (taken over the texts as version 1 stored them) and accumulators check out, explain reads a deflated trace', async () => {
    const r = await runCli(['ledger', 'check', '--ledger', ledger]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 次运行');
    const db = new Database(ledger, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[]).toEqual([
      1, 2, 3, 4,
    ]);
    // version 1 stored payments with zero amounts: kept (the run's hash covers them), now as [fundId, fen, …]
    const zero = db
      .prepare("SELECT r.payments FROM results r WHERE r.payments LIKE '%,0]' OR r.payments LIKE '%,0,%' LIMIT 1")
      .pluck()
      .get() as string;
    expect(zero).toMatch(/^\[\d+,-?\d+(,\d+,-?\d+)*\]$/);
    expect(
      db
        .prepare("SELECT COUNT(*) FROM results WHERE typeof(policy) != 'integer' OR typeof(reasons) != 'integer'")
        .pluck()
        .get(),
    ).toBe(0);
    // the rebuilt tables' old pages were given back (VACUUM after the migration)
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(db.prepare('SELECT DISTINCT codec FROM trace_chunks').pluck().all()).toEqual(['deflate']);
    db.close();
    const e = await runCli(['explain', 'QD2024060000037', '--ledger', ledger, '--policy', 'qd-rigid-2018']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain('支付：商业保险经办机构 3,740.89');
    expect(e.stdout).toContain('收款单位 青岛市妇女儿童医院');
    expect(e.stdout).toContain('计算过程');
  });

  test('a field added to the content hash (version 2) leaves every version-1 line the same content', () => {
    // the schema as a later program might have it: one more field, hashed from version 2 on
    const later = makeLineCodec([
      ...LINE_SCHEMA,
      {
        field: 'referralFrom' as keyof ClaimLine,
        label: '转出医院',
        kind: 'text',
        header: { synonyms: [], required: false },
        hashedSince: 2,
      },
    ]);
    const today = makeLineCodec(LINE_SCHEMA);
    const l = new SqliteLedger(ledger, { readonly: true });
    const lines = l.linesOfRun(1);
    expect(lines.length).toBe(50);
    for (const stored of lines) {
      expect(contentHashVersion(stored.contentHash)).toBe(1);
      // the values as the version-1 program stored them, and the same line read by the later program
      const record = l.trace(stored).line as Record<string, string | number | boolean | null>;
      const values = LINE_SCHEMA.map((f) => record[f.field] ?? null);
      expect(today.hash(values, 1)).toBe(stored.contentHash);
      expect(later.hash([...values, '某县人民医院'], 1)).toBe(stored.contentHash);
      // new lines carry the new version: 17 bytes, the version first
      expect(later.hash([...values, '某县人民医院'])).toMatch(/^02[0-9a-f]{32}$/);
      // a changed hashed field is still a change at version 1
      expect(later.hash([...values.slice(0, 7), `${values[7]}乙`, ...values.slice(8), null], 1)).not.toBe(
        stored.contentHash,
      );
    }
    l.close();
  });

  test('explain piped into `head`: the closed pipe is not an error (no EPIPE stack trace)', async () => {
    const r = await run('bash', [
      '-c',
      `set -o pipefail; "${process.execPath}" "${join(ROOT, 'bin', 'assist.js')}" explain QD2024060000037 --ledger "${ledger}" --policy qd-rigid-2018 | head -c 20`,
    ]);
    expect(r.stdout).toContain('结算单');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('the demo month again: every line ALREADY_ADJUDICATED against the old text hashes; the reverted Jinzhou month adjudicated anew; check passes', async () => {
    const again = await runCli([
      'adjudicate',
      join(ROOT, 'fixtures', 'demo', 'claims.xlsx'),
      join(ROOT, 'fixtures', 'demo', 'claims-gb18030.csv'),
      ...config,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/跳过 (\d+) 行：已审核过 \1(?!\d)/);
    const jz = await runCli([
      'adjudicate',
      join(ROOT, 'fixtures', 'demo', 'claims-jinzhou.xlsx'),
      ...config,
      '--policies',
      'jz-21-2019',
    ]);
    expect(jz.code, jz.stderr).toBe(0);
    expect(jz.stdout).not.toContain('跳过');
    // reverting the old run 1 negates its stored payments (zeros included) — check compares the non-zero amounts
    const rv = await runCli(['ledger', 'revert', '1', '--ledger', ledger, '--out', join(dir, 'out')]);
    expect(rv.code, rv.stderr).toBe(0);
    const c = await runCli(['ledger', 'check', '--ledger', ledger]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    const db = new Database(ledger, { readonly: true });
    expect(db.prepare('SELECT codec, COUNT(*) AS n FROM trace_chunks GROUP BY codec ORDER BY codec').all()).toEqual([
      { codec: 'brotli', n: expect.any(Number) },
      { codec: 'deflate', n: expect.any(Number) },
    ]);
    db.close();
  });
});

describe('concurrency: two adjudicate processes on one ledger', () => {
  test('both finish; the ledger equals running them one after the other', async () => {
    const s = setup();
    // both months touch P1's annual A accumulator, so the order matters and interleaving would show
    const march = s.file('march.csv', [
      claim('M1', P1, '王一', '2024-03-15', '2500', '2000'),
      claim('M2', P2, '李二', '2024-03-16', '9000', '9000'),
    ]);
    const april = s.file('april.csv', [
      claim('A1', P1, '王一', '2024-04-10', '1800', '1500'),
      claim('A2', P2, '李二', '2024-04-11', '500', '500'),
    ]);
    const args = (file: string, out: string) => [
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
    ];
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(2); // no ledger yet
    // the first holds the ledger (its transaction written, not yet committed) when the second starts
    // ...and keeps it until the second says it is waiting (a fixed pause raced the second's start-up on a busy machine)
    const resume = join(s.dir, 'resume');
    const a = startCli(args(march, 'pm'), {
      ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS: '100000',
      ASSIST_TEST_RESUME_FILE: resume,
    });
    await a.stderrHas('ASSIST_TEST: 事务已写入，等待提交');
    const b = startCli(args(april, 'pa'));
    await b.stderrHas('台账正被另一个审核进程使用，等待其完成后继续');
    writeFileSync(resume, '');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(ra.stderr + rb.stderr).toContain('台账正被另一个审核进程使用，等待其完成后继续');
    // replay in the order the ledger recorded, one after the other, on a fresh ledger
    const db = new Database(s.ledger, { readonly: true });
    const order = (db.prepare('SELECT inputs FROM runs ORDER BY id').all() as { inputs: string }[]).map(
      (r) => JSON.parse(r.inputs)[0].file as string,
    );
    db.close();
    expect([...order].sort()).toEqual(['april.csv', 'march.csv']);
    const seq = join(s.dir, 'sequential.db');
    for (const f of order)
      await runCli([
        'adjudicate',
        join(s.dir, f),
        '--roster',
        s.roster,
        '--policies',
        'th-2021',
        '--ledger',
        seq,
        '--out',
        join(s.dir, `seq-${f}`),
      ]);
    expect(ledgerState(s.ledger)).toEqual(ledgerState(seq));
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});
