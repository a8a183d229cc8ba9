// Issue 21 §2, §4 on a real PostgreSQL server (tests/helpers/pg-ledger.ts; .ci/run installs Debian's package):
// - several offices at once: runs with disjoint people do not wait for each other, a run sharing a person waits and
//   then sees the first run's accumulators; four processes with overlapping people leave exactly the ledger of
//   their commit order run one after another; a killed run leaves nothing;
// - ledger copy both ways, the chain and the 台账校验码 unchanged, ledger check passing on both sides; into a shared
//   ledger with other offices' runs: appended and re-chained, accumulators added, a line in force on both refused.
import { beforeAll, describe, expect, test } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, startCli } from '../helpers/cli.js';
import { tmp, writeCsv } from '../helpers/files.js';
import { ledgerState } from '../helpers/ledger.js';
import { checkedCode, pgLedgers } from '../helpers/pg-ledger.js';
import {
  acc,
  adjudicate,
  adjudicateArgs,
  claim,
  local,
  P1,
  P2,
  results,
  setup,
  FUND,
  type Setup,
} from '../suites/ledger-runs.js';

const pg = pgLedgers();

describe.skipIf(!pg.server)('several offices at once on one PostgreSQL ledger', () => {
  test('disjoint people do not wait; a run sharing a person waits for the first and sees its accumulators', async () => {
    const s = setup(pg.backend);
    const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
    const other = s.file('other.csv', [claim('B1', P2, '李二', '2024-03-20', '900', '900')]);
    const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
    const args = (file: string, out: string) => adjudicateArgs(s, file, out);
    // the first run holds P1 (and its transaction open) while it waits before the engine
    const first = startCli(args(march, 'm'), { ASSIST_TEST_PAUSE_BEFORE_ENGINE_MS: '9000' });
    await first.stderrHas('ASSIST_TEST: 已开始审核，等待');
    let firstDone = false;
    void first.done.then(() => (firstDone = true));
    // P2 only: through to its commit while the first still waits
    const disjoint = await runCli(args(other, 'b'));
    expect(disjoint.code, disjoint.stderr).toBe(0);
    expect(disjoint.stdout).toContain('台账：第 1 次运行已提交');
    expect(firstDone).toBe(false);
    // P1 again: waits for the first run, then reads P1's base 2000 (not 0): 3500, 500 over → 250.00
    const sharing = startCli(args(april, 'a'));
    await sharing.stderrHas('台账正被另一个审核进程使用');
    const [f, a] = await Promise.all([first.done, sharing.done]);
    expect(f.code, f.stderr).toBe(0);
    expect(a.code, a.stderr).toBe(0);
    expect(f.stdout).toContain('台账：第 2 次运行已提交');
    expect(a.stdout).toContain('台账：第 3 次运行已提交');
    expect(results(s, 'a', '2024-04')[0]!.payments[FUND]).toBe('250.00');
    expect((await acc(s.ledger))['P1|2024|A']).toBe('base 3500 paid 250 entitled 250');
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  }, 120_000);

  test('four processes with overlapping people: exactly the ledger of their commit order, run one after another', async () => {
    const s = setup(pg.backend);
    // every file has both people, with amounts that cross the deductible and the payments in between: the order matters
    const files = [
      ['m1.csv', '2024-03-05', '2600', '2400'],
      ['m2.csv', '2024-03-12', '1900', '1200'],
      ['m3.csv', '2024-03-19', '3100', '2800'],
      ['m4.csv', '2024-03-26', '800', '700'],
    ].map(([name, date, total, inScope], i) =>
      s.file(name!, [
        claim(`C${i}a`, P1, '王一', date!, total!, inScope!),
        claim(`C${i}b`, P2, '李二', date!, String(Number(total) * 2), String(Number(inScope) * 2)),
      ]),
    );
    const runs = await Promise.all(files.map((f, i) => runCli(adjudicateArgs(s, f, `o${i}`))));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const check = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toContain('4 次运行');
    // the commit order, from the ledger; the same files one after another into a SQLite ledger
    const copy = await local(s.ledger);
    const order = (await runCli(['ledger', 'runs', '--ledger', copy])).stdout
      .split('\n')
      .map((l) => /输入：(m\d\.csv)/.exec(l)?.[1])
      .filter((x): x is string => Boolean(x));
    expect([...order].sort()).toEqual(['m1.csv', 'm2.csv', 'm3.csv', 'm4.csv']);
    const serial = setup();
    for (const name of order) {
      const r = await adjudicate({ ...serial, roster: s.roster }, join(s.dir, name), `s-${name}`);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(ledgerState(copy)).toEqual(ledgerState(serial.ledger));
    expect(checkedCode(check.stdout)).toBeDefined();
  }, 180_000);

  test('a process killed inside its transaction leaves the ledger as if its run never started', async () => {
    const s = setup(pg.backend);
    const march = s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]);
    const april = s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]);
    expect((await adjudicate(s, march, 'm')).code).toBe(0);
    const before = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    const run = startCli(adjudicateArgs(s, april, 'a'), { ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS: '60000' });
    // sealed and sent: its rows are in the server's open transaction, the commit lock held
    await run.stderrHas('ASSIST_TEST: 事务已写入，等待提交');
    run.kill();
    await run.done;
    const after = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    expect(after.code, after.stdout).toBe(0);
    expect(checkedCode(after.stdout)).toBe(checkedCode(before.stdout));
    expect((await acc(s.ledger))['P1|2024|A']).toBe('base 2000 paid 0 entitled 0');
    // nothing left locked: the same file goes through, as run 2
    const again = await adjudicate(s, april, 'a2');
    expect(again.stdout).toContain('台账：第 2 次运行已提交');
    expect(results(s, 'a2', '2024-04')[0]!.payments[FUND]).toBe('250.00');
  }, 120_000);
});

describe.skipIf(!pg.server)('assist ledger copy', () => {
  test('an office’s SQLite ledger into a new shared ledger and back: same runs, chain and 台账校验码; check passes on each', async () => {
    const s = setup();
    await adjudicate(s, s.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm');
    await adjudicate(s, s.file('april.csv', [claim('A1', P1, '王一', '2024-04-10', '1800', '1500')]), 'a');
    const original = await runCli(['ledger', 'check', '--ledger', s.ledger]);
    const url = pg.newDatabase();
    const up = await runCli(['ledger', 'copy', '--from', s.ledger, '--to', url]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('已复制 2 次运行、2 行明细');
    const shared = await runCli(['ledger', 'check', '--ledger', url]);
    expect(shared.code, shared.stdout).toBe(0);
    expect(checkedCode(shared.stdout)).toBe(checkedCode(original.stdout));
    // the shared ledger carries on from the copied chain
    const next = await adjudicate(
      { ...s, ledger: url },
      s.file('may.csv', [claim('Y1', P1, '王一', '2024-05-10', '1000', '1000')]),
      'y',
    );
    expect(next.stdout).toContain('台账：第 3 次运行已提交');
    // base 3500 → 4500 over the deductible by 1500: 750 in all, 500 more
    expect(results(s, 'y', '2024-05')[0]!.payments[FUND]).toBe('500.00');
    const back = join(tmp(), 'backup.db');
    const down = await runCli(['ledger', 'copy', '--from', url, '--to', back]);
    expect(down.code, down.stderr).toBe(0);
    const backCheck = await runCli(['ledger', 'check', '--ledger', back]);
    expect(backCheck.code, backCheck.stdout).toBe(0);
    expect(backCheck.stdout).not.toContain('尚无台账校验码日志');
    expect(checkedCode(backCheck.stdout)).toBe(
      checkedCode((await runCli(['ledger', 'check', '--ledger', url])).stdout),
    );
    expect(ledgerState(back).acc).toEqual(ledgerState(await local(url)).acc);
  }, 120_000);
});

describe.skipIf(!pg.server)('assist ledger copy into a shared ledger that already has runs', () => {
  // the city's ledger has another office's runs; a county brings its own ledger of five runs (a supersede, a revert,
  // an opening balance)
  const city = setup(pg.backend);
  const office = setup();
  let officeCode: string | undefined;
  beforeAll(async () => {
    // city run 1: 王一 March, E 2000 below the 3000 deductible
    await adjudicate(city, city.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm');
    // city run 2 and office run 5: 李二's B 类 balance from before the tool, imported on both sides
    const opening = (s: Setup, base: string, paid: string) =>
      writeCsv(join(s.dir, 'opening.csv'), [
        ['身份证号', '姓名', '政策', '年度', '累计项目', '累计基数', '累计支付'],
        [P2, '李二', 'th-2021', '2024', 'B类', base, paid],
      ]);
    expect((await runCli(['ledger', 'import-opening', opening(city, '2000', '0'), '--ledger', city.ledger])).code).toBe(
      0,
    );
    // office 1: 王一 April E 1500 (alone in this ledger: below the deductible), 李二 E 4000 → 500.00
    const april = [
      claim('A1', P1, '王一', '2024-04-10', '1800', '1500'),
      claim('A2', P2, '李二', '2024-04-11', '4000', '4000'),
    ];
    await adjudicate(office, office.file('april.csv', april), 'a');
    // office 2: 李二 corrected to E 4400 → −500.00 and 700.00 (A1 unchanged: skipped, naming office run 1)
    const fixed = [april[0]!, claim('A2', P2, '李二', '2024-04-11', '4400', '4400')];
    expect((await adjudicate(office, office.file('fixed.csv', fixed), 'f', ['--supersede'])).code).toBe(0);
    // office 3: 李二 in May, then office 4 reverts it
    await adjudicate(office, office.file('may.csv', [claim('B1', P2, '李二', '2024-05-06', '1000', '1000')]), 'b');
    expect((await runCli(['ledger', 'revert', '3', '--ledger', office.ledger, '--yes'])).code).toBe(0);
    expect(
      (await runCli(['ledger', 'import-opening', opening(office, '5000', '1000'), '--ledger', office.ledger])).code,
    ).toBe(0);
    officeCode = checkedCode((await runCli(['ledger', 'check', '--ledger', office.ledger])).stdout);
  }, 240_000);

  test('appended after the city’s run, re-chained; check passes on both sides; accumulators added; the next run pays on the sum', async () => {
    const up = await runCli(['ledger', 'copy', '--from', office.ledger, '--to', city.ledger]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('已并入 5 次运行、4 行明细');
    expect(up.stdout).toContain('本科室第 1–5 次运行成为共用台账第 3–7 次运行');
    expect(up.stdout).toContain('2 人在两边都有累计额');
    expect(up.stdout).toContain('其中 1 人两边都导入过期初余额');
    const shared = await runCli(['ledger', 'check', '--ledger', city.ledger]);
    expect(shared.code, shared.stdout).toBe(0);
    expect(shared.stdout).toContain('7 次运行');
    expect(up.stdout).toContain(`共用台账校验码 ${checkedCode(shared.stdout)}`);
    // the office's own ledger is untouched
    const own = await runCli(['ledger', 'check', '--ledger', office.ledger]);
    expect(own.code, own.stdout).toBe(0);
    expect(checkedCode(own.stdout)).toBe(officeCode);
    // 王一: the city's 2000 and the county's 1500; 李二: 4400 and 700.00 paid (the May run reverted), B 类 2000 + 5000
    const a = await acc(city.ledger);
    expect(a['P1|2024|A']).toBe('base 3500 paid 0 entitled 0');
    expect(a['P2|2024|A']).toBe('base 4400 paid 700 entitled 700');
    expect(a['P2|2024|B']).toBe('base 7000 paid 1000 entitled 1000');
    // run numbers inside the office's rows moved with them: the revert names the May run by its new number
    const runs = await runCli(['ledger', 'runs', '--ledger', city.ledger]);
    expect(runs.stdout).toMatch(/#6 撤销 .*撤销第 5 次运行/);
    // 王一 in June: E 1000 on the city's year so far (3500, already past the 3000 deductible) → all of it above, 50% → 500.00
    // (without the county's 1500 it would be 2000 → 3000: nothing)
    const june = await adjudicate(
      city,
      city.file('june.csv', [claim('J1', P1, '王一', '2024-06-03', '1000', '1000')]),
      'j',
    );
    expect(june.stdout).toContain('台账：第 8 次运行已提交');
    expect(results(city, 'j', '2024-06')[0]!.payments[FUND]).toBe('500.00');
    expect((await runCli(['ledger', 'check', '--ledger', city.ledger])).code).toBe(0);
  }, 180_000);

  test('the same ledger again: its lines are in force on both sides — refused, nothing written', async () => {
    const before = checkedCode((await runCli(['ledger', 'check', '--ledger', city.ledger])).stdout);
    const again = await runCli(['ledger', 'copy', '--from', office.ledger, '--to', city.ledger]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('相同的明细在账');
    expect(again.stderr).toContain('亭湖区人民医院 结算单 A1 第 1 行');
    expect(again.stderr).toContain('未复制任何内容');
    expect(checkedCode((await runCli(['ledger', 'check', '--ledger', city.ledger])).stdout)).toBe(before);
  }, 120_000);
});

describe.skipIf(!pg.server)(
  'an old office ledger (version 1: line hashes as hex text) into a shared ledger with runs',
  () => {
    test('appended after the city’s run; ledger check passes on the shared ledger', async () => {
      const city = setup(pg.backend);
      await adjudicate(city, city.file('march.csv', [claim('M1', P1, '王一', '2024-03-15', '2500', '2000')]), 'm');
      const old = join(tmp('assist-v1-'), 'v1.db');
      copyFileSync(join(ROOT, 'tests', 'fixtures', 'ledger-v1.db'), old);
      const up = await runCli(['ledger', 'copy', '--from', old, '--to', city.ledger]);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toContain('本科室第 1–3 次运行成为共用台账第 2–4 次运行');
      const check = await runCli(['ledger', 'check', '--ledger', city.ledger]);
      expect(check.code, check.stdout).toBe(0);
      expect(check.stdout).toContain('4 次运行');
    }, 120_000);
  },
);
