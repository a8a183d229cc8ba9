// The SQLite ledger end to end: the runs suite (tests/suites/ledger-runs.ts, shared with PostgreSQL), then what only a
// ledger file has — tamper evidence by editing the file, its schema and migrations, ledger init, a schema-1 ledger,
// two processes on one file.
import { describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runCli, startCli, FULL_ID, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/files.js';
import { ledgerState } from './helpers/ledger.js';
import { SqliteLedger } from '../src/ledger/sqlite.js';
import { contentHashVersion, makeLineCodec } from '../src/ledger/content.js';
import { LINE_SCHEMA } from '../src/domain/line-schema.js';
import type { ClaimLine } from '../src/domain/types.js';
import {
  adjudicate,
  adjudicateArgs,
  claim,
  ledgerRunsSuite,
  P1,
  P2,
  setup,
  SQLITE,
  type Setup,
} from './suites/ledger-runs.js';

ledgerRunsSuite(SQLITE);

describe('tamper evidence: assist ledger check exits 1 on any mismatch', () => {
  async function fresh(): Promise<Setup> {
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
    const lines = [...l.linesOfRun(1)];
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

describe('killed between the first COMMIT and its journal line', () => {
  test('check passes with a note (not “journal deleted”); the next run writes both lines', async () => {
    const s = setup();
    const run = startCli(
      adjudicateArgs(s, s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm'),
      { ASSIST_TEST_PAUSE_AFTER_COMMIT_MS: '60000' },
    );
    await run.stderrHas('ASSIST_TEST: 已提交，尚未记入日志');
    run.kill();
    await run.done;
    const c = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(c.code, c.stdout).toBe(0);
    expect(c.stdout).toContain('第 1 次运行尚未记入校验码日志（提交后中断？）');
    expect(c.stdout).not.toContain('不存在（被删除或移走）');
    await adjudicate(s, s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]), 'a');
    const journal = readFileSync(`${s.ledger}.journal.txt`, 'utf8');
    expect(
      journal
        .split('\n')
        .filter((l) => /^\d+\t/.test(l))
        .map((l) => l.split('\t')[0]),
    ).toEqual(['1', '2']);
    const again = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).not.toContain('尚未记入');
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
    const args = (file: string, out: string) => adjudicateArgs(s, file, out);
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
    for (const f of order) await runCli(adjudicateArgs({ ...s, ledger: seq }, join(s.dir, f), `seq-${f}`));
    expect(ledgerState(s.ledger)).toEqual(ledgerState(seq));
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});
