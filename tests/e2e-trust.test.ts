// Issue 17: nothing a clerk or a hospital file does can stop a month, pay twice or hide a mistake. The
// built CLI on generated files; amounts worked out by hand from the Tinghu table (一类人群, A 类 一般疾病:
// 年度起付线 3000, 50%).
import { describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ROOT, run, runCli, startCli } from './helpers/cli.js';
import { ledgerState } from './helpers/ledger.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';
import { readSheets } from './helpers/workbook.js';

const P1 = makeId('320902', '1960-05-01', '211');
const P2 = makeId('320902', '1972-08-09', '322');
const row = (
  id: string,
  person: string,
  name: string,
  total: string,
  inScope: string,
  o: { lineNo?: string; hospital?: string; date?: string } = {},
) => [
  id,
  o.lineNo ?? '1',
  person,
  name,
  o.hospital ?? '亭湖区人民医院',
  '门诊',
  o.date ?? '2024-06-10',
  o.date ?? '2024-06-10',
  'J18.9',
  '肺炎',
  total,
  inScope,
];

function setup() {
  const dir = tmp('assist-trust-');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
  ]);
  const ledger = join(dir, 'assist.db');
  return {
    dir,
    roster,
    ledger,
    file: (name: string, rows: string[][]) => writeCsv(join(dir, name), [CLAIM_HEAD, ...rows]),
    adjudicate: (file: string, out: string, extra: string[] = []) =>
      runCli([
        'adjudicate',
        file,
        '--roster',
        roster,
        '--policies',
        'th-2021',
        '--ledger',
        ledger,
        '--out',
        join(dir, out),
        ...extra,
      ]),
    results: (out: string, month = '2024-06') =>
      readFileSync(join(dir, out, `results-${month}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              claimId: string;
              row: number;
              status: string;
              reasons: string[];
              payments: Record<string, string>;
            },
        ),
  };
}
const FUND = 'th-2021.district';

describe('one line never stops the month (SPEC §6)', () => {
  test('in-scope above the total, amounts of ten billion or more and 1,2,3 are invalid rows in validate and adjudicate; the good line is paid; exit 0', async () => {
    const s = setup();
    const f = s.file('claims.csv', [
      row('T1', P1, '王一', '9000', '9000'), // (9000 − 3000) × 50% = 3000.00
      row('T2', P2, '李二', '5000', '9000'), // IN_SCOPE_EXCEEDS_COST
      row('T3', P2, '李二', '100000000000000000000', '100'), // AMOUNT_OUT_OF_RANGE
      row('T4', P2, '李二', '9999999999999999.99', '100'), // AMOUNT_OUT_OF_RANGE
      row('T5', P2, '李二', '1,2,3', '1'), // BAD_AMOUNT, not 123
    ]);
    const v = await runCli(['validate', f, '--kind', 'claims', '--out', join(s.dir, 'v')]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/读取 5 行：有效 1，无效 4/);
    expect(v.stdout).toMatch(/IN_SCOPE_EXCEEDS_COST [^\n]*：1 行/);
    expect(v.stdout).toMatch(/AMOUNT_OUT_OF_RANGE [^\n]*：2 行/);
    expect(v.stdout).toMatch(/BAD_AMOUNT [^\n]*：1 行/);
    // the amount is shown as it is, not masked as if it were an ID number
    expect(v.stdout).toContain('“医疗总费用”的值“100000000000000000000”达到或超过 100 亿元');
    const a = await s.adjudicate(f, 'o');
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('读取结算明细 5 行：无效 4 行，审核 1 行');
    const rows = s.results('o');
    expect(rows.map((r) => `${r.claimId} ${r.status} ${r.reasons.join(',')} ${r.payments[FUND] ?? ''}`)).toEqual([
      'T1 approved  3000.00',
      'T2 invalid IN_SCOPE_EXCEEDS_COST ',
      'T3 invalid AMOUNT_OUT_OF_RANGE ',
      'T4 invalid AMOUNT_OUT_OF_RANGE ',
      'T5 invalid BAD_AMOUNT ',
    ]);
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});

describe('no double payment through spelling (SPEC §5 line keys)', () => {
  test('th2024…, ＴＨ 2024…, a spaced hospital and a full-width line number are the line already paid: skipped, nothing paid twice', async () => {
    const s = setup();
    const june = s.file('june.csv', [row('TH2024060000020', P1, '王一', '9000', '9000')]);
    const first = await s.adjudicate(june, 'first');
    expect(first.code, first.stderr).toBe(0);
    expect(s.results('first')[0]!.payments[FUND]).toBe('3000.00');
    const again = s.file('again.csv', [
      row('th2024060000020', P1, '王一', '9000', '9000'),
      row('ＴＨ 2024060000020', P1, '王一', '9000', '9000', {
        hospital: '亭湖区 人民医院',
        lineNo: '１',
        date: '2024-06-10',
      }),
    ]);
    // the two spellings in one file are one line twice: both DUPLICATE_LINE
    const dup = await s.adjudicate(again, 'dup', ['--month', '2024-06']);
    expect(dup.code, dup.stderr).toBe(0);
    expect(s.results('dup').map((r) => `${r.status} ${r.reasons.join(',')}`)).toEqual([
      'invalid DUPLICATE_LINE',
      'invalid DUPLICATE_LINE',
    ]);
    // each spelling alone: ALREADY_ADJUDICATED
    for (const [i, r] of [
      row('th2024060000020', P1, '王一', '9000', '9000'),
      row('ＴＨ 2024060000020', P1, '王一', '9000', '9000', { hospital: '亭湖区 人民医院', lineNo: '１' }),
    ].entries()) {
      const out = `again${i}`;
      const res = await s.adjudicate(s.file(`${out}.csv`, [r]), out);
      expect(res.code, res.stderr).toBe(0);
      expect(s.results(out).map((x) => `${x.claimId} ${x.status} ${x.reasons.join(',')}`)).toEqual([
        'TH2024060000020 skipped ALREADY_ADJUDICATED',
      ]);
    }
    // a corrected line spelled differently supersedes the original (reversal of 3000.00), never pays beside it
    const fixed = await s.adjudicate(
      s.file('fixed.csv', [row('th2024060000020', P1, '王一', '8000', '8000')]),
      'fixed',
      ['--supersede'],
    );
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('更正重报 1 行：冲正原结果 1 条');
    expect(s.results('fixed')[0]!.payments[FUND]).toBe('2500.00');
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});

describe('deleting runs is detected (SPEC §5: a witness outside the database)', () => {
  // run 1 pays P1 3000.00, run 2 pays P2 3000.00; the code of run 2 is read off its printed disbursement list
  async function twoRuns() {
    const s = setup();
    for (const [i, r] of [
      row('T1', P1, '王一', '9000', '9000'),
      row('T2', P2, '李二', '9000', '9000', { date: '2024-06-11' }),
    ].entries()) {
      const res = await s.adjudicate(s.file(`m${i}.csv`, [r]), `o${i}`);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`台账：第 ${i + 1} 次运行已提交.*；台账校验码 ${i + 1}-[0-9A-F]{8}`));
    }
    const { rows } = await readSheets(join(s.dir, 'o1', `disbursement-${FUND}-2024-06.xlsx`));
    const printed = rows('拨付清单')
      .flat()
      .find((c) => typeof c === 'string' && c.startsWith('台账校验码：')) as string;
    expect(printed).toMatch(/^台账校验码：2-[0-9A-F]{8}$/);
    const { rows: srows } = await readSheets(join(s.dir, 'o1', 'settlement-2024-06.xlsx'));
    expect(srows('核对').flat()).toContain(printed.slice('台账校验码：'.length));
    const check = await runCli(['ledger', 'check', '--ledger', s.ledger, '--head', printed.slice(6)]);
    expect(check.code, check.stdout).toBe(0);
    return { ...s, code: printed.slice(6) };
  }
  const edit = (ledger: string, sql: string) => {
    const db = new Database(ledger);
    db.exec(sql);
    db.close();
  };
  const DROP_RUN = (id: number) =>
    `DELETE FROM results WHERE line_id IN (SELECT id FROM lines WHERE run_id = ${id}); DELETE FROM lines WHERE run_id = ${id}; DELETE FROM trace_chunks WHERE run_id = ${id}; DELETE FROM runs WHERE id = ${id};`;

  test('the last run deleted: check exits 1; the next run is 3, never 2 again', async () => {
    const s = await twoRuns();
    edit(s.ledger, 'PRAGMA foreign_keys = OFF; DELETE FROM runs WHERE id = 2'); // as the sqlite3 shell does it (foreign keys off)
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/校验码日志记有第 2 次运行（校验码 2-[0-9A-F]{8}），台账中已没有该运行：运行被删除/);
    const next = await s.adjudicate(
      s.file('m3.csv', [row('T3', P1, '王一', '100', '100', { date: '2024-06-12' })]),
      'o3',
    );
    expect(next.stdout).toContain('台账：第 3 次运行已提交');
  });

  test('the last two runs deleted: check exits 1 naming both', async () => {
    const s = await twoRuns();
    edit(s.ledger, DROP_RUN(2) + DROP_RUN(1) + 'DELETE FROM accumulators;');
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('校验码日志记有第 1 次运行');
    expect(c.stdout).toContain('校验码日志记有第 2 次运行');
  });

  test('the last run, its lines and results deleted and the accumulators adjusted: the chain and the sums agree, the journal and the printed code do not', async () => {
    const s = await twoRuns();
    edit(s.ledger, DROP_RUN(2) + `DELETE FROM accumulators WHERE id_number = '${P2}';`);
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code).toBe(1);
    expect(c.stdout).not.toContain('哈希链断开');
    expect(c.stdout).not.toContain('累计额不符');
    expect(c.stdout).toMatch(/台账中已没有该运行：运行被删除/);
    // the journal gone as well: its absence is reported, and the code read off the printed list still speaks
    rmSync(`${s.ledger}.journal.txt`);
    const h = await runCli(['ledger', 'check', '--ledger', s.ledger, '--head', s.code]);
    expect(h.code).toBe(1);
    expect(h.stdout).toContain('台账校验码日志');
    expect(h.stdout).toContain(`校验码 ${s.code} 对应的第 2 次运行不在台账中：台账最后的运行已被删除`);
  });
});

describe('private scratch files; SIGINT/SIGTERM (SPEC §5 signals)', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-run: scratch directory 0700 with files 0600 while running, then removed; staging removed; 已中断：台账未改动; exit %i',
    async (signal, code) => {
      const s = setup();
      const first = await s.adjudicate(s.file('m0.csv', [row('T1', P1, '王一', '9000', '9000')]), 'o0');
      expect(first.code, first.stderr).toBe(0);
      const before = ledgerState(s.ledger);
      const scratchRoot = join(s.dir, 'tmp');
      mkdirSync(scratchRoot);
      const args = [
        'adjudicate',
        s.file('m1.csv', [row('T2', P2, '李二', '9000', '9000')]),
        '--roster',
        s.roster,
        '--policies',
        'th-2021',
        '--ledger',
        s.ledger,
        '--out',
        join(s.dir, 'o1'),
      ];
      const child = startCli(args, { ASSIST_TEST_PAUSE_BEFORE_ENGINE_MS: '60000', TMPDIR: scratchRoot });
      await child.stderrHas('ASSIST_TEST: 已开始审核，等待');
      const dirs = readdirSync(scratchRoot).filter((n) => n.startsWith('.assist-'));
      expect(dirs).toHaveLength(1);
      expect(statSync(join(scratchRoot, dirs[0]!)).mode & 0o777).toBe(0o700);
      const files = readdirSync(join(scratchRoot, dirs[0]!));
      expect(files.length).toBeGreaterThanOrEqual(2); // the roster store and the external sort (its list staging)
      for (const f of files) expect(statSync(join(scratchRoot, dirs[0]!, f)).mode & 0o777, f).toBe(0o600);
      expect(readdirSync(join(s.dir, 'o1')).some((n) => n.startsWith('.assist-staging-'))).toBe(true);
      child.signal(signal);
      const r = await child.done;
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain('已中断：台账未改动');
      expect(readdirSync(scratchRoot)).toEqual([]);
      expect(readdirSync(join(s.dir, 'o1'))).toEqual([]);
      expect(ledgerState(s.ledger)).toEqual(before);
      expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
    },
  );
});

describe('a committed run keeps its files (SPEC §5)', () => {
  test('killed between COMMIT and the renames: the next adjudicate places run 1’s files first; report settlement rebuilds the workbook from the ledger', async () => {
    const s = setup();
    const june = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000'), row('T2', P2, '李二', '4000', '4000')]);
    const child = startCli(
      [
        'adjudicate',
        june,
        '--roster',
        s.roster,
        '--policies',
        'th-2021',
        '--ledger',
        s.ledger,
        '--out',
        join(s.dir, 'o'),
      ],
      { ASSIST_TEST_PAUSE_BEFORE_PLACING_MS: '60000' },
    );
    await child.stderrHas('ASSIST_TEST: 已提交，等待放置文件');
    child.kill();
    await child.done;
    const left = readdirSync(join(s.dir, 'o'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.assist-staging-\d+$/);
    const next = await s.adjudicate(
      s.file('late.csv', [row('T3', P1, '王一', '100', '100', { date: '2024-06-20' })]),
      'o',
    );
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/第 1 次运行已提交但其文件未放置到位（提交后中断）；现已放置：/);
    expect(readdirSync(join(s.dir, 'o')).sort()).toEqual([
      `disbursement-${FUND}-2024-06-run2.xlsx`,
      `disbursement-${FUND}-2024-06.xlsx`,
      'results-2024-06-run2.jsonl',
      'results-2024-06.jsonl',
      'settlement-2024-06-run2.xlsx',
      'settlement-2024-06.xlsx',
    ]);
    const original = await readSheets(join(s.dir, 'o', 'settlement-2024-06.xlsx'));
    expect(s.results('o').map((r) => `${r.claimId} ${r.payments[FUND]}`)).toEqual(['T1 3000.00', 'T2 500.00']);
    // rebuilt from the ledger: the same 明细 and 核对
    const r = await runCli([
      'report',
      'settlement',
      '--month',
      '2024-06',
      '--run',
      '1',
      '--ledger',
      s.ledger,
      '--out',
      join(s.dir, 'rep'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rebuilt = await readSheets(join(s.dir, 'rep', 'settlement-2024-06-run1.xlsx'));
    expect(rebuilt.rows('明细')).toEqual(original.rows('明细'));
    expect(rebuilt.rows('核对')).toEqual(original.rows('核对'));
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});

describe('a run whose seal fails leaves nothing (SPEC §5)', () => {
  // the workbook is finished on the second core while the run is sealed: a failed seal must stop it too
  test.each(['1', '0'])(
    'ASSIST_WORKERS=%s: exit 2, no file placed, no run, the next run pays as if it never started',
    async (workers) => {
      const s = setup();
      const june = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000')]);
      const out = join(s.dir, 'o');
      const failed = await runCli(
        ['adjudicate', june, '--roster', s.roster, '--policies', 'th-2021', '--ledger', s.ledger, '--out', out],
        { env: { ASSIST_TEST_FAIL_SEAL: '1', ASSIST_WORKERS: workers }, timeout: 60_000 },
      );
      expect(failed.signal).toBeNull();
      expect(failed.code, failed.stderr).toBe(2);
      expect(failed.stderr).toContain('封存失败');
      expect(readdirSync(out)).toEqual([]);
      const db = new Database(s.ledger, { readonly: true });
      expect(db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM lines').pluck().get()).toBe(0);
      db.close();
      const again = await s.adjudicate(june, 'o');
      expect(again.code, again.stderr).toBe(0);
      // 一类 A: (9000 − 3000) × 50 % = 3000.00, as in the first run of the month
      expect(s.results('o')[0]!.payments[FUND]).toBe('3000.00');
      expect(again.stdout).toContain('第 1 次运行已提交');
    },
  );
});

describe('a run that adds nothing writes nothing (SPEC §5); dry runs say so and never overwrite each other', () => {
  test('the same file twice: no run 2, no workbook or list, only the jsonl with every line skipped; the console names run 1', async () => {
    const s = setup();
    const june = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000'), row('T2', P2, '李二', '4000', '4000')]);
    expect((await s.adjudicate(june, 'o')).code).toBe(0);
    const again = await s.adjudicate(june, 'o');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('没有新的明细：2 行已于第 1 次运行审核');
    const runs = await runCli(['ledger', 'runs', '--ledger', s.ledger]);
    expect(runs.stdout.match(/^#\d+ /gm)).toEqual(['#1 ']);
    const files = readdirSync(join(s.dir, 'o')).sort();
    expect(files).toEqual([
      `disbursement-${FUND}-2024-06.xlsx`,
      'results-2024-06-skipped.jsonl',
      'results-2024-06.jsonl',
      'settlement-2024-06.xlsx',
    ]);
    const skipped = readFileSync(join(s.dir, 'o', 'results-2024-06-skipped.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; reasons: string[] });
    expect(skipped.map((r) => `${r.status} ${r.reasons.join(',')}`)).toEqual([
      'skipped ALREADY_ADJUDICATED',
      'skipped ALREADY_ADJUDICATED',
    ]);
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });

  test('two dry runs: -dryrun and -dryrun-2, 试算，未入账 in the title of every sheet', async () => {
    const s = setup();
    const june = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000')]);
    for (let i = 0; i < 2; i++) expect((await s.adjudicate(june, 'o', ['--dry-run'])).code).toBe(0);
    expect(readdirSync(join(s.dir, 'o')).sort()).toEqual([
      `disbursement-${FUND}-2024-06-dryrun-2.xlsx`,
      `disbursement-${FUND}-2024-06-dryrun.xlsx`,
      'results-2024-06-dryrun-2.jsonl',
      'results-2024-06-dryrun.jsonl',
      'settlement-2024-06-dryrun-2.xlsx',
      'settlement-2024-06-dryrun.xlsx',
    ]);
    for (const f of [`disbursement-${FUND}-2024-06-dryrun.xlsx`, 'settlement-2024-06-dryrun-2.xlsx']) {
      const { wb, rows } = await readSheets(join(s.dir, 'o', f));
      for (const ws of wb.worksheets) expect(String(rows(ws.name)[0]![0]), `${f} ${ws.name}`).toContain('试算，未入账');
    }
  });
});

describe('revert where the clerk means it (SPEC §5)', () => {
  async function juneThenMay() {
    const s = setup();
    expect((await s.adjudicate(s.file('june.csv', [row('T1', P1, '王一', '9000', '9000')]), 'o6')).code).toBe(0);
    expect(
      (await s.adjudicate(s.file('may.csv', [row('T0', P2, '李二', '9000', '9000', { date: '2024-05-10' })]), 'o5'))
        .code,
    ).toBe(0);
    return s;
  }
  test('the June run reverted after a May run: booked into June by default, said so, its list titled June, written before the commit', async () => {
    const s = await juneThenMay();
    const r = await runCli(['ledger', 'revert', '1', '--ledger', s.ledger, '--out', join(s.dir, 'rv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('冲正记入 2024-06 月（被撤销运行的月份；如需记入其他月份请用 --month）');
    expect(readdirSync(join(s.dir, 'rv'))).toEqual([`disbursement-${FUND}-2024-06-revert-3.xlsx`]);
    const { rows } = await readSheets(join(s.dir, 'rv', `disbursement-${FUND}-2024-06-revert-3.xlsx`));
    expect(rows('拨付清单')[0]![0]).toBe('区健康救助资金 拨付清单（2024-06）');
    expect(rows('拨付清单').flat()).toContain(-3000);
    const code = /台账校验码 (3-[0-9A-F]{8})/.exec(r.stdout)![1]!;
    expect(rows('拨付清单').flat()).toContain(`台账校验码：${code}`);
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
  test('--out at a file is exit 2 and the ledger is untouched', async () => {
    const s = await juneThenMay();
    const r = await runCli(['ledger', 'revert', '1', '--ledger', s.ledger, '--out', s.ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out 应为文件夹');
    expect((await runCli(['ledger', 'runs', '--ledger', s.ledger])).stdout.match(/^#\d+ /gm)).toEqual(['#1 ', '#2 ']);
  });
  test('on a terminal it asks 确认撤销第 N 次运行？ — n leaves the ledger as it was; --yes never asks', async () => {
    const s = await juneThenMay();
    const cmd = `"${process.execPath}" "${join(ROOT, 'bin', 'assist.js')}" ledger revert 2 --ledger "${s.ledger}" --out "${join(s.dir, 'rv')}"`;
    const no = await run('script', ['-qec', cmd, '/dev/null'], { input: 'n\n' });
    expect(no.stdout).toContain('确认撤销第 2 次运行？');
    expect(no.stdout).toContain('已取消：台账未改动。');
    expect((await runCli(['ledger', 'runs', '--ledger', s.ledger])).stdout.match(/^#\d+ /gm)).toEqual(['#1 ', '#2 ']);
    const yes = await run('script', ['-qec', `${cmd} --yes`, '/dev/null'], { input: '' });
    expect(yes.stdout).not.toContain('确认撤销');
    expect(yes.stdout).toContain('冲正记入 2024-05 月');
  });
});

describe('refuse what cannot be right, before reading (SPEC §6)', () => {
  const config = (s: ReturnType<typeof setup>, name: string, body: string) => {
    const f = join(s.dir, name);
    writeFileSync(f, body);
    return f;
  };
  test.each([
    [
      'no roster for th-2021',
      null,
      '政策 th-2021 需要救助对象名单，但没有提供：请用 --roster 指定名单文件，或在配置文件的 "rosters" 中列出',
    ],
    [
      '"roster" for "rosters"',
      '{"policies":["th-2021"],"roster":["roster.csv"]}',
      '中有未知的键“roster”（最接近的是“rosters”）',
    ],
    ['JSON syntax', '{"policies":["th-2021"],\n  "rosters": ["roster.csv"],,\n}', '不是有效的 JSON（第 2 行第 29 列）'],
    [
      'a ratio of the wrong type',
      '{"policies":["qd-rigid-2018"],"rosters":["roster.csv"],"parameters":{"qd-rigid-2018":{"ratio":"abc"}}}',
      '配置中的参数 qd-rigid-2018.ratio 的值 "abc" 不是有效的非负数',
    ],
    [
      'an unknown cap item',
      '{"policies":["qd-rigid-2018"],"rosters":["roster.csv"],"parameters":{"qd-rigid-2018":{"caps":{"达沙替尼片剂":"40000"}}}}',
      '“达沙替尼片剂”不是目录中的救助项目（最接近的是“达沙替尼”）',
    ],
    [
      'an unknown parameter',
      '{"policies":["th-2021"],"rosters":["roster.csv"],"parameters":{"th-2021":{"ratios":{}}}}',
      '政策 th-2021 没有参数“ratios”（最接近的是“ratio”）',
    ],
    // issue 19 §2: typed parameters, checked when the policy loads (a number, but not a share)
    [
      'a ratio above 1',
      '{"policies":["th-2021"],"rosters":["roster.csv"],"parameters":{"th-2021":{"ratio":{"A":"1.5","B":"0.50","C":"0.70"}}}}',
      '政策参数 th-2021.ratio 的值 {"A":"1.5","B":"0.50","C":"0.70"} 不对：应为对象 { "A": …, "B": …, "C": … }，每项为 0 到 1 之间的比例',
    ],
    [
      'an unknown category id',
      '{"policies":["th-2021"],"rosters":["roster.csv"],"parameters":{"th-2021":{"class2Categories":["severe-disability","alien"]}}}',
      '政策参数 th-2021.class2Categories 的值 ["severe-disability","alien"] 不对：应为人员类别编号的列表',
    ],
    [
      'a fractional month count',
      '{"policies":["th-2021"],"rosters":["roster.csv"],"parameters":{"th-2021":{"identityMonths":1.5}}}',
      '政策参数 th-2021.identityMonths 的值 1.5 不对：应为非负整数',
    ],
  ])('%s: exit 2 naming the key, no ledger created, nothing read', async (_what, body, message) => {
    const s = setup();
    const claims = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000')]);
    const args = body === null ? ['--policies', 'th-2021'] : ['--config', config(s, 'assist.config.json', body)];
    const r = await runCli(['adjudicate', claims, ...args, '--ledger', s.ledger, '--out', join(s.dir, 'o')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('内部错误');
    expect(existsSync(s.ledger)).toBe(false);
  });

  test('a configured trial end that has passed: one console notice for the whole run', async () => {
    const s = setup();
    const f = s.file('june.csv', [row('T1', P1, '王一', '9000', '9000'), row('T2', P2, '李二', '4000', '4000')]);
    const cfg = join(s.dir, 'trial.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        policies: ['th-2021'],
        rosters: ['roster.csv'],
        parameters: { 'th-2021': { trialEnd: '2023-12-31' } },
      }),
    );
    const r = await runCli(['adjudicate', f, '--config', cfg, '--ledger', s.ledger, '--out', join(s.dir, 'o')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/提示：亭湖区健康救助：配置的试行期截止日期 2023-12-31 已过/g)).toHaveLength(1);
  });
});
