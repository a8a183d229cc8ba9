// Issue 21 §3 (first slice): `assist ledger init` on a real PostgreSQL server creates the shared ledger's tables and
// two roles, and the server itself refuses what the program promises never to do — a writer deleting or rewriting a
// past result or a sealed run, a reader writing anything. Passwords are never printed. A throwaway server is started
// from Debian's postgresql binaries (tests/helpers/postgres.ts); .ci/run installs them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';
import { PG_MISSING, startPostgres, type PgServer } from '../helpers/postgres.js';

if (PG_MISSING) console.warn(`跳过 PostgreSQL 测试：${PG_MISSING}`);

describe.skipIf(PG_MISSING !== null)('assist ledger init on PostgreSQL', () => {
  let server: PgServer;
  const as = async <T>(user: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: server.url(user) });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const refused = async (user: string, sql: string): Promise<string> =>
    as(user, (c) =>
      c.query(sql).then(
        () => 'accepted',
        (e: Error) => e.message,
      ),
    );

  beforeAll(async () => {
    server = startPostgres();
    // the office's login users: one writes (adjudicate), one reads (reports, reconcile)
    await as('postgres', async (c) => {
      await c.query('CREATE ROLE clerk LOGIN');
      await c.query('CREATE ROLE viewer LOGIN');
    });
  }, 60_000);
  afterAll(() => server?.stop());

  test('init creates the tables and roles, once; the password in the URL is never printed', async () => {
    // the server trusts local connections: the password is not needed, only carried in the URL
    const url = server.url('postgres:s3cret-pw');
    const first = await runCli(['ledger', 'init', '--ledger', url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('已建立（结构版本 4）');
    expect(first.stdout).toContain('postgres:***@');
    const again = await runCli(['ledger', 'init'], { env: { ASSIST_LEDGER_URL: url } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('已存在，表、触发器和角色已核对');
    for (const r of [first, again]) expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
    const tables = await as('postgres', (c) =>
      c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"),
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      'accumulators',
      'exceptions',
      'hospitals',
      'ledger_meta',
      'lines',
      'openings',
      'people',
      'results',
      'reversals',
      'runs',
      'schema_migrations',
      'texts',
      'trace_chunks',
    ]);
    await as('postgres', async (c) => {
      await c.query('GRANT assist_writer TO clerk');
      await c.query('GRANT assist_reader TO viewer');
    });
  });

  test('the writer appends a run and its results; the server refuses DELETE and rewriting', async () => {
    const ids = await as('clerk', async (c) => {
      const run = await c.query(
        "INSERT INTO runs (kind, started_at, operator, command_line, policies, inputs) VALUES ('adjudicate', '2024-07-01T00:00:00Z', 'clerk', 'assist adjudicate', '[]', '[]') RETURNING id",
      );
      const text = await c.query("INSERT INTO texts (t) VALUES ('approved') RETURNING id");
      const hospital = await c.query("INSERT INTO hospitals (name) VALUES ('亭湖区人民医院') RETURNING id");
      const [r, t, h] = [run.rows[0].id, text.rows[0].id, hospital.rows[0].id];
      const line = await c.query(
        `INSERT INTO lines (run_id, claim_id, line_no, hospital_id, content_hash, source, row, id_number, name, visit_type,
           admission_date, settlement_date, total_cost, basic_paid, serious_paid, assistance_paid, other_paid, personal_burden,
           patient_remaining, status, trace_chunk, trace_index)
         VALUES ($1, 'T1', 1, $2, '\\x00', $3, 2, '320902196003050012', '王一', $3, 20240610, 20240610, 900000, 0, 0, 0, 0, 900000, 900000, $3, 0, 0) RETURNING id`,
        [r, h, t],
      );
      await c.query('INSERT INTO results (line_id, policy, status, reasons, base) VALUES ($1, $2, $2, $2, 0)', [
        line.rows[0].id,
        t,
      ]);
      // the run is sealed once
      await c.query("UPDATE runs SET content_hash = 'c', prev_hash = '', hash = 'h' WHERE id = $1", [r]);
      return { run: r as string, line: line.rows[0].id as string };
    });
    expect(await refused('clerk', 'DELETE FROM results')).toBe('permission denied for table results');
    expect(await refused('clerk', 'DELETE FROM lines')).toBe('permission denied for table lines');
    expect(await refused('clerk', 'DELETE FROM runs')).toBe('permission denied for table runs');
    expect(await refused('clerk', 'UPDATE results SET base = 1')).toBe('permission denied for table results');
    expect(await refused('clerk', `UPDATE lines SET total_cost = 1 WHERE id = ${ids.line}`)).toBe(
      'permission denied for table lines',
    );
    expect(await refused('clerk', `UPDATE runs SET hash = 'forged' WHERE id = ${ids.run}`)).toBe(
      `第 ${ids.run} 次运行已经封存，不能再改动`,
    );
    expect(await refused('clerk', 'TRUNCATE results')).toBe('permission denied for table results');
    // a text id that is not in texts (checked once per statement, not by a per-row foreign key)
    expect(
      await refused(
        'clerk',
        `INSERT INTO results (line_id, policy, status, reasons, base) SELECT ${ids.line}, id, id, 987654321, 0 FROM texts`,
      ),
    ).toBe('results 中有行引用了不存在的文字或医疗机构编号');
    // a line is superseded once (from NULL), never again
    expect(await refused('clerk', `UPDATE lines SET superseded_by = ${ids.run} WHERE id = ${ids.line}`)).toBe(
      'accepted',
    );
    expect(await refused('clerk', `UPDATE lines SET superseded_by = NULL WHERE id = ${ids.line}`)).toBe(
      `明细 ${ids.line} 已被第 ${ids.run} 次运行冲正，不能再改动`,
    );
  });

  test('the reader reads and writes nothing', async () => {
    expect(await as('viewer', (c) => c.query('SELECT count(*)::int AS n FROM results')).then((r) => r.rows[0].n)).toBe(
      1,
    );
    expect(await refused('viewer', "INSERT INTO texts (t) VALUES ('x')")).toBe('permission denied for table texts');
    expect(await refused('viewer', 'DELETE FROM results')).toBe('permission denied for table results');
  });

  test('ledger runs and check on the shared ledger: the password never printed', async () => {
    const url = server.url('postgres:s3cret-pw');
    const r = await runCli(['ledger', 'runs', '--ledger', url]);
    // the run the writer added by hand above, listed
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/#\d+ 审核 2024-07-01/);
    const c = await runCli(['ledger', 'check', '--ledger', url]);
    expect(c.stdout).toContain('核对台账 postgresql://postgres:***@');
    for (const x of [r, c]) expect(x.stdout + x.stderr).not.toContain('s3cret-pw');
  });
});
