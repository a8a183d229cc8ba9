// End-to-end: the built CLI on fixtures/demo, results compared with a reviewed golden file, workbooks read back.
import { beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Decimal } from 'decimal.js';
import Database from 'better-sqlite3';
import { runCli, runNode, FULL_ID, ROOT, type Ran } from './helpers/cli.js';
import { tmp } from './helpers/files.js';
import { unzipParts } from './helpers/zip.js';
import { readSheets } from './helpers/workbook.js';

const demo = (f: string) => join(ROOT, 'fixtures', 'demo', f);
/** The demo month (both claims files, the demo config) into `out` and its own ledger there; ASSIST_WORKERS as given. */
const adjudicateDemo = (out: string, workers: '0' | '1'): Promise<Ran> =>
  runCli(
    [
      'adjudicate',
      demo('claims.xlsx'),
      demo('claims-gb18030.csv'),
      '--config',
      demo('assist.config.json'),
      '--out',
      out,
      '--ledger',
      join(out, 'ledger.db'),
    ],
    { env: { ASSIST_WORKERS: workers } },
  );
type Row = {
  claimId: string;
  lineNo: number;
  policy: string | null;
  status: string;
  reasons: string[];
  base: string | null;
  payments: Record<string, string>;
  patientRemaining: string | null;
  idNumber: string;
};

function readJsonl(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}
function compact(rows: Row[]): string[] {
  return rows.map((r) =>
    [
      r.claimId,
      r.lineNo,
      r.policy,
      r.status,
      r.reasons.join(','),
      r.base,
      Object.entries(r.payments)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
      r.patientRemaining,
    ].join(' | '),
  );
}
/** Golden files were generated once, reviewed line by line (see README), and are compared exactly. Set UPDATE_GOLDEN=1 to rewrite. */
function golden(name: string, actual: string[]): void {
  const file = join(ROOT, 'tests', 'golden', name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, JSON.stringify(actual, null, 1) + '\n');
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('assist adjudicate (built CLI) on the demo data', () => {
  const out = tmp();
  let run!: Ran;
  let rows: Row[] = [];
  beforeAll(async () => {
    // on the second core, though the demo month is small enough for one thread: the test below compares both
    run = await adjudicateDemo(out, '1');
    if (run.code === 0) rows = readJsonl(join(out, 'results-2024-06.jsonl'));
  });

  test('exit 0, Chinese summary, masked terminal output, month chosen from the data', async () => {
    expect(run.stderr).toContain('结算月份：2024-06');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('读取结算明细 61 行：无效 11 行，审核 50 行');
    expect(run.stdout).toContain('核对：读取 61 = 审核 50 + 无效 11；金额守恒一致');
    expect(run.stdout + run.stderr).not.toMatch(FULL_ID);
  });

  test('results jsonl has exactly the keys of SPEC §7 and matches the reviewed golden file', async () => {
    for (const r of rows)
      expect(Object.keys(r)).toEqual([
        'source',
        'row',
        'claimId',
        'lineNo',
        'hospital',
        'idNumber',
        'name',
        'settlementDate',
        'policy',
        'status',
        'reasons',
        'base',
        'payments',
        'patientRemaining',
        'trace',
      ]);
    golden('demo-2024-06.json', compact(rows));
  });

  test('hand-checked lines: the AS drug and its injection fee', async () => {
    const fee = rows.find((r) => r.claimId === 'LN2024060000024' && r.lineNo === 2 && r.policy === 'ln-as-2022')!;
    // D 13.65, basic 6.82 → S 6.83; F = min(6.83, round(0.2 × 13.65) = 2.73); T = 4.10
    expect([fee.status, fee.base, fee.payments, fee.patientRemaining]).toEqual([
      'approved',
      '6.83',
      { 'ln-as-2022.special-fund': '2.73', 'ln-as-2022.third-party': '4.10' },
      '0.00',
    ]);
    const invalid = rows.filter((r) => r.status === 'invalid');
    expect(invalid).toHaveLength(11);
    expect(invalid.flatMap((r) => r.reasons).sort()).toEqual([
      'BAD_AMOUNT',
      'BAD_DATE',
      'BURDEN_MISMATCH',
      'DATE_ORDER',
      'DUPLICATE_LINE',
      'DUPLICATE_LINE',
      'INVALID_ID',
      'INVALID_ID',
      'MISSING_FIELD',
      'NEGATIVE_AMOUNT',
      'PAYMENTS_EXCEED_COST',
    ]);
  });

  test('settlement workbook: sheets, 核对 all 一致, 明细 rows = results', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, 'settlement-2024-06.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概览', '汇总', '按政策', '明细', '异常', '核对']);
    const checks: string[] = [];
    wb.getWorksheet('核对')!.eachRow(
      (row, n) => n > 1 && checks.push(String(row.getCell(4).value ?? row.getCell(2).value)),
    );
    // the three checks, then the run's 台账校验码 (SPEC §5), the one the console printed
    expect(checks.slice(0, 3)).toEqual(['一致', '一致', '一致']);
    expect(run.stdout).toContain(`台账校验码 ${checks[3]}`);
    expect(checks[3]).toMatch(/^1-[0-9A-F]{8}$/);
    const detail = wb.getWorksheet('明细')!;
    // header + one row per result + 合计
    expect(detail.actualRowCount - 2).toBe(rows.filter((r) => r.status !== 'invalid').length);
    const last = detail.getRow(detail.actualRowCount);
    expect(last.getCell(1).value).toBe('合计');
    const cost = rows
      .filter((r) => r.status !== 'invalid')
      .reduce((s, r) => s.plus(r.payments['th-2021.district'] ?? 0), new Decimal(0));
    const thCol = (detail.getRow(1).values as string[]).indexOf('区健康救助资金');
    expect(new Decimal(last.getCell(thCol).value as number).toFixed(2)).toBe(cost.toFixed(2));
    expect(wb.getWorksheet('明细')!.views[0]).toMatchObject({ state: 'frozen' });
    expect(statSync(join(out, 'settlement-2024-06.xlsx')).mode & 0o777).toBe(0o600);
  });

  test('汇总 counts each claim line once: its 合计 equals 核对 and the jsonl (a line seen by three policies is one line, one 医疗总费用)', async () => {
    const { rows: sheet } = await readSheets(join(out, 'settlement-2024-06.xlsx'));
    const header = sheet('汇总')[1]!;
    const total = sheet('汇总').find((r) => r[0] === '合计')!;
    const col = (name: string) => total[header.indexOf(name)];
    // the jsonl: one object per (line, policy); a line once by its source and row
    const lines = new Map<string, Row & { totalCost?: string }>();
    for (const r of rows)
      if (r.status !== 'invalid')
        lines.set(`${(r as unknown as { source: string }).source}|${(r as unknown as { row: number }).row}`, r);
    expect(col('明细数')).toBe(lines.size);
    expect(lines.size).toBe(50);
    const checks = sheet('核对');
    expect(checks[1]![2]).toBe(`${lines.size} + 11`);
    const [cost, rest] = [checks[2]![1] as string, (checks[2]![2] as string).split(' + ')];
    expect(new Decimal(col('医疗总费用') as number).toFixed(2)).toBe(cost);
    expect(new Decimal(col('已支付') as number).toFixed(2)).toBe(rest[0]);
    expect(new Decimal(col('个人负担') as number).toFixed(2)).toBe(rest[2]);
    const funds = header.slice(header.indexOf('已支付') + 1, header.indexOf('个人负担'));
    expect(funds.reduce((s, f) => s.plus(col(f as string) as number), new Decimal(0)).toFixed(2)).toBe(rest[1]);
    const paid = rows.reduce((s, r) => Object.values(r.payments).reduce((a, v) => a.plus(v), s), new Decimal(0));
    expect(paid.toFixed(2)).toBe(rest[1]);
    // the per-policy table still counts results: more than the lines
    const byPolicy = sheet('按政策').find((r) => r[0] === '合计')!;
    expect(byPolicy[2] as number).toBeGreaterThan(lines.size);
  });

  test('the workbook written on the second core is the one written in the main thread (ASSIST_WORKERS=0) part for part, the jsonl byte for byte, as are the lists', async () => {
    const one = tmp();
    const r = await adjudicateDemo(one, '0');
    expect(r.code, r.stderr).toBe(0);
    expect(
      readFileSync(join(one, 'results-2024-06.jsonl')).equals(readFileSync(join(out, 'results-2024-06.jsonl'))),
    ).toBe(true);
    // the workbooks part by part, the 台账校验码 aside: each ledger's chain hash covers its own run's start time
    const code = (dir: string) =>
      readFileSync(join(dir, 'ledger.db.journal.txt'), 'utf8').trim().split('\n').at(-1)!.split('\t')[1]!;
    const parts = async (dir: string, f: string) =>
      (await unzipParts(readFileSync(join(dir, f)))).map(([n, b]) => [
        n,
        b.toString('latin1').replaceAll(code(dir), 'CODE'),
      ]);
    for (const f of ['settlement-2024-06.xlsx', 'disbursement-th-2021.district-2024-06.xlsx'])
      expect(await parts(one, f), f).toEqual(await parts(out, f));
  });

  test('each disbursement list totals exactly what the results pay from that fund, with 大写 and signature lines', async () => {
    for (const fund of [
      'ln-as-2022.special-fund',
      'ln-as-2022.third-party',
      'qd-rigid-2018.insurer',
      'th-2021.district',
    ]) {
      const expected = rows.reduce((s, r) => s.plus(r.payments[fund] ?? 0), new Decimal(0));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(out, `disbursement-${fund}-2024-06.xlsx`));
      const ws = wb.getWorksheet('拨付清单')!;
      let total: number | null = null;
      let capital = '';
      let signature = false;
      ws.eachRow((row) => {
        if (row.getCell(1).value === '合计') total = row.getCell(9).value as number;
        const first = String(row.getCell(1).value ?? '');
        if (first.startsWith('合计金额（大写）')) capital = first;
        if (first === '制表人：') signature = true;
      });
      expect(new Decimal(total!).toFixed(2)).toBe(expected.toFixed(2));
      expect(capital).toMatch(/元/);
      expect(signature).toBe(true);
    }
  });

  test('the Jinzhou 2019 file: report-only results for jz-21-2019', async () => {
    const o = tmp();
    const r = await runCli([
      'adjudicate',
      demo('claims-jinzhou.xlsx'),
      '--config',
      demo('assist.config.json'),
      '--policies',
      'jz-21-2019',
      '--out',
      o,
      '--ledger',
      join(o, 'ledger.db'),
    ]);
    expect(r.code).toBe(0);
    const rs = readJsonl(join(o, 'results-2019-05.jsonl'));
    for (const x of rs) expect(x.payments).toEqual({});
    golden('demo-jinzhou-2019-05.json', compact(rs));
  });

  test('usage errors exit 2: no policy, unknown policy, bad month', async () => {
    const o = tmp();
    expect((await runCli(['adjudicate', demo('claims.xlsx'), '--out', o], { cwd: o })).code).toBe(2);
    expect((await runCli(['adjudicate', demo('claims.xlsx'), '--policies', 'xx-1', '--out', o], { cwd: o })).code).toBe(
      2,
    );
    expect(
      (
        await runCli(['adjudicate', demo('claims.xlsx'), '--policies', 'th-2021', '--month', '2024-13', '--out', o], {
          cwd: o,
        })
      ).code,
    ).toBe(2);
  });
});

/** The generated month in `dir`/fx adjudicated into `dir`/`name` and `dir`/`name`.db. */
function adjudicateGenerated(dir: string, name: string, env: Record<string, string> = {}): Promise<Ran> {
  const fx = (f: string) => join(dir, 'fx', f);
  const ledger = ['--ledger', join(dir, `${name}.db`), '--out', join(dir, name)];
  return runCli(
    ['adjudicate', fx('claims.xlsx'), '--roster', fx('roster.xlsx'), '--policies', 'th-2021,ln-as-2022', ...ledger],
    {
      env,
    },
  );
}

/** A ledger's trace chunks, each line's place in them, and the first line of the second chunk. */
function tracePlaces(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db.prepare('SELECT chunk, data FROM trace_chunks ORDER BY chunk').all() as {
      chunk: number;
      data: Buffer;
    }[];
    const places = db
      .prepare('SELECT claim_id, line_no, trace_chunk, trace_index FROM lines ORDER BY id')
      .raw(true)
      .all();
    const second = db.prepare('SELECT claim_id, line_no FROM lines WHERE trace_chunk = 1 AND trace_index = 0').get();
    return { chunks, places, second: second as { claim_id: string; line_no: number } };
  } finally {
    db.close();
  }
}

describe('a generated month of 4,000 rows (about 2,600 valid lines)', () => {
  const dir = tmp();
  let worker!: Ran;
  beforeAll(async () => {
    const gen = await runNode([
      'dist/fixtures/generate.js',
      '--rows',
      '4000',
      '--seed',
      '31',
      '--out',
      join(dir, 'fx'),
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    worker = await adjudicateGenerated(dir, 'worker', { ASSIST_WORKERS: '1' });
    expect(worker.code, worker.stderr).toBe(0);
  }, 120_000);

  test('trace chunks (2,048 lines each) made in the output worker: the same chunks, in the same places, as made in the main thread (ASSIST_WORKERS=0); explain reads a line of the second chunk; check passes', async () => {
    const main = await adjudicateGenerated(dir, 'main', { ASSIST_WORKERS: '0' });
    expect(main.code, main.stderr).toBe(0);
    const w = tracePlaces(join(dir, 'worker.db'));
    const m = tracePlaces(join(dir, 'main.db'));
    // claims.xlsx holds about 2,600 of the 4,000 generated rows: two chunks, the second one partly full
    expect(w.chunks.map((c) => c.chunk)).toEqual([0, 1]);
    expect(w.places.length).toBeGreaterThan(2048);
    expect(w.places).toEqual(m.places);
    for (const [i, c] of w.chunks.entries()) expect(c.data.equals(m.chunks[i]!.data), `chunk ${c.chunk}`).toBe(true);
    // explain reads the first line of the second chunk: every step it prints is the one in the results jsonl
    const { claim_id: claimId, line_no: lineNo } = w.second;
    const explained = await runCli(['explain', claimId, '--line', String(lineNo), '--ledger', join(dir, 'worker.db')]);
    expect(explained.code, explained.stderr).toBe(0);
    const rows = readJsonl(join(dir, 'worker', 'results-2024-06.jsonl')).filter(
      (r) => r.claimId === claimId && r.lineNo === lineNo,
    ) as (Row & { trace: { step: string; result: string }[] })[];
    expect(rows.length).toBeGreaterThan(0);
    for (const s of rows.flatMap((r) => r.trace)) {
      expect(explained.stdout).toContain(s.step);
      expect(explained.stdout).toContain(s.result);
    }
    expect((await runCli(['ledger', 'check', '--ledger', join(dir, 'worker.db')])).code).toBe(0);
  }, 120_000);

  test("npm run bench's correctness step: the month in runs of ~300 lines, each committed, pays each fund what the one run paid", async () => {
    const bench = pathToFileURL(join(ROOT, 'scripts', 'bench-chunked.mjs')).href;
    const { chunkedRun } = (await import(bench)) as { chunkedRun: (o: object) => Promise<ChunkedRun> };
    const fx = (f: string) => join(dir, 'fx', f);
    const split = await chunkedRun({
      claims: fx('claims.xlsx'),
      roster: fx('roster.xlsx'),
      policies: ['th-2021', 'ln-as-2022'],
      ledgerPath: join(dir, 'chunked.db'),
      size: 300,
    });
    const one = readJsonl(join(dir, 'worker', 'results-2024-06.jsonl'));
    expect(split.funds).toEqual(approvedByFund(one));
    expect(Object.keys(split.funds)).toHaveLength(3);
    expect(split.runs).toBeGreaterThan(8);
    const adjudicated = one.filter((r) => r.status !== 'invalid');
    expect(split.lines).toBe(new Set(adjudicated.map((r) => `${r.claimId}|${r.lineNo}`)).size);
    expect(split.rowsRead).toBe(split.lines + split.invalid);
    expect(split.problems).toBe(0);
  }, 120_000);
});

/** Each fund's approved payments in a results jsonl, as the bench prints them (1,234.50), by fund id. */
function approvedByFund(rows: Row[]): Record<string, string> {
  const paid = new Map<string, Decimal>();
  for (const r of rows)
    if (r.status === 'approved')
      for (const [fund, v] of Object.entries(r.payments)) paid.set(fund, (paid.get(fund) ?? new Decimal(0)).plus(v));
  const grouped = (v: Decimal) => v.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return Object.fromEntries([...paid].sort().map(([f, v]) => [f, grouped(v)]));
}

interface ChunkedRun {
  rowsRead: number;
  invalid: number;
  lines: number;
  runs: number;
  problems: number;
  funds: Record<string, string>;
}
