// Issue 21 §1, §2, §4 on a real PostgreSQL server (tests/helpers/pg-ledger.ts; .ci/run installs Debian's package):
// - the ledger runs suite (tests/suites/ledger-runs.ts) that tests/e2e-ledger.test.ts runs on a SQLite file, here on
//   the shared ledger, as an office's login user that is only a member of assist_writer;
// - the reader role; the Jinzhou report from both ledgers.
// Several offices at once and ledger copy are in postgres-offices.test.ts: two files, so the slow tests' two forks
// share the PostgreSQL work (each file starts its own server).
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { readSheets } from '../helpers/workbook.js';
import { tmp } from '../helpers/files.js';
import { pgLedgers } from '../helpers/pg-ledger.js';
import { adjudicate, adjudicateArgs, claim, ledgerRunsSuite, P1, setup, FUND } from '../suites/ledger-runs.js';

const pg = pgLedgers();

describe.skipIf(!pg.server)('on PostgreSQL', () => {
  ledgerRunsSuite(pg.backend);
});

describe.skipIf(!pg.server)(
  'the reader role (assist_reader): reports, reconcile, explain and check; never a run',
  () => {
    test('a viewer’s login reads the ledger; its adjudicate is refused by the server, nothing written', async () => {
      const s = setup(pg.backend);
      await adjudicate(s, s.file('may.csv', [claim('R3', P1, '王一', '2024-05-04', '5000', '5000')]), 'adj');
      const db = /@\/([^?]+)/.exec(s.ledger)![1]!;
      pg.psql(db, 'DO $$ BEGIN CREATE ROLE viewer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$');
      pg.psql(db, 'GRANT assist_reader TO viewer');
      const viewer = pg.server!.url('viewer', db);
      const d = await runCli([
        'report',
        'disbursement',
        '--fund',
        FUND,
        '--month',
        '2024-05',
        '--ledger',
        viewer,
        '--out',
        join(s.dir, 'v'),
      ]);
      expect(d.code, d.stderr).toBe(0);
      const e = await runCli(['explain', 'R3', '--ledger', viewer]);
      expect(e.stdout).toContain('支付：区健康救助资金 1,000.00');
      expect((await runCli(['ledger', 'check', '--ledger', viewer])).code).toBe(0);
      const june = s.file('june.csv', [claim('J1', P1, '王一', '2024-06-04', '800', '800')]);
      const a = await runCli(adjudicateArgs({ ...s, ledger: viewer }, june, 'vj'));
      expect(a.code).toBe(2);
      expect(a.stderr).toContain('登录用户 viewer 没有写入 PostgreSQL 台账');
      expect(a.stderr).toContain('GRANT assist_writer TO viewer');
      expect(pg.psql(db, 'SELECT count(*) FROM runs').trim()).toBe('1');
    });
  },
);

describe.skipIf(!pg.server)('the Jinzhou demo month on both ledgers', () => {
  test('jinzhou-monthly from the shared ledger equals the one from a SQLite file, sheet by sheet', async () => {
    const dir = tmp('assist-jz-pg-');
    const demo = join(ROOT, 'fixtures', 'demo', 'jinzhou');
    const config = join(demo, 'assist.config.json');
    const month = async (ledger: string, out: string) => {
      const a = await runCli([
        'adjudicate',
        join(demo, 'claims.xlsx'),
        '--config',
        config,
        '--ledger',
        ledger,
        '--out',
        join(dir, out),
      ]);
      expect(a.code, a.stderr).toBe(0);
      const r = await runCli([
        'report',
        'jinzhou-monthly',
        '--month',
        '2019-05',
        '--config',
        config,
        '--ledger',
        ledger,
        '--out',
        join(dir, `${out}-rep`),
      ]);
      expect(r.code, r.stderr).toBe(0);
      return readSheets(join(dir, `${out}-rep`, 'jinzhou-monthly-2019-05.xlsx'));
    };
    const file = await month(join(dir, 'jz.db'), 'sqlite');
    const shared = await month(pg.newDatabase(), 'pg');
    expect(shared.wb.worksheets.map((w) => w.name)).toEqual(file.wb.worksheets.map((w) => w.name));
    for (const w of file.wb.worksheets.slice(1)) expect(shared.rows(w.name), w.name).toEqual(file.rows(w.name));
    // the month has patients in it (附件4 lists them)
    expect(file.rows('附件4-患者名单').length).toBeGreaterThan(5);
  });
});
