// Issue 19 §3: a policy owns its vocabulary. A small fifth policy (tests/fixtures/policy-xx-2025: funds, typed
// parameters, accumulator words, opening-balance spelling, its own report) is added to a copy of the sources with no
// edit outside its folder but one registry line, compiled, and run through adjudicate, import-opening, explain and
// its report. Amounts by hand: 60 % of (政策范围内费用 − 已支付), at most 2000 a year.
import { describe, expect, test } from 'vitest';
import { cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from '../helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from '../helpers/files.js';
import { readSheets } from '../helpers/workbook.js';

const REGISTRY = join('src', 'policies', 'registry.ts');
const LINE = "  'xx-2025': (await import('./xx-2025/index.js')).createPolicy,";

/** Every file under a folder, relative, sorted. */
function files(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, join(base, e.name)) : [join(base, e.name)]))
    .sort();
}

describe('a fifth policy from its own folder and one registry line', () => {
  test('adjudicate, import-opening, explain and its report, with nothing else edited', async () => {
    const copy = tmp('assist-fifth-');
    for (const f of ['src', 'bin', 'scripts', 'package.json', 'tsconfig.json'])
      cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    cpSync(join(ROOT, 'tests', 'fixtures', 'policy-xx-2025'), join(copy, 'src', 'policies', 'xx-2025'), {
      recursive: true,
    });
    const registry = readFileSync(join(copy, REGISTRY), 'utf8');
    writeFileSync(join(copy, REGISTRY), registry.replace(/(\n {2}'th-2021': [^\n]*\n)/, `$1${LINE}\n`));
    // the whole change: the new folder, and one added line in the registry
    const before = files(join(ROOT, 'src'));
    const after = files(join(copy, 'src'));
    expect(after.filter((f) => !before.includes(f)).every((f) => f.startsWith(join('policies', 'xx-2025')))).toBe(true);
    for (const f of before)
      if (f !== join('policies', 'registry.ts'))
        expect(readFileSync(join(copy, 'src', f), 'utf8'), f).toBe(readFileSync(join(ROOT, 'src', f), 'utf8'));
    const was = readFileSync(join(ROOT, REGISTRY), 'utf8').split('\n');
    const now = readFileSync(join(copy, REGISTRY), 'utf8').split('\n');
    expect(now.filter((l) => !was.includes(l))).toEqual([LINE]);
    expect(now).toHaveLength(was.length + 1);

    const tsc = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      { cwd: copy, timeout: 180_000 },
    );
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    expect((await run(process.execPath, ['scripts/copy-assets.mjs'], { cwd: copy })).code).toBe(0);
    const cli = (args: string[]) =>
      run(process.execPath, [join(copy, 'bin', 'assist.js'), ...args], { cwd: copy, timeout: 120_000 });

    const P1 = makeId('320902', '1960-05-01', '211');
    const P2 = makeId('320902', '1972-08-09', '322');
    const roster = writeCsv(join(copy, 'roster.csv'), [
      ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地'],
      [P1, '王一', '低保对象', '2024-01-01', '2024-12-31', '示例县'],
      [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '示例县'],
    ]);
    const head = [...CLAIM_HEAD, '基本医保支付'];
    const ledger = join(copy, 'a.db');
    // P1 had 1500.00 paid this year before the tool: 500.00 of the cap left
    const opening = writeCsv(join(copy, 'opening.csv'), [
      ['身份证号', '姓名', '政策', '年度', '累计项目', '累计基数', '累计支付'],
      [P1, '王一', '示例县健康救助', '2024', '年度已救助', '2500', '1500'],
    ]);
    const op = await cli(['ledger', 'import-opening', opening, '--ledger', ledger]);
    expect(op.code, op.stderr).toBe(0);
    expect(op.stdout).toContain('已导入期初余额 1 行');
    const badOpening = writeCsv(join(copy, 'opening-2.csv'), [
      ['身份证号', '姓名', '政策', '年度', '累计项目', '累计基数', '累计支付'],
      [P2, '李二', 'xx-2025', '2024', '年度封顶', '0', '0'],
    ]);
    const refused = await cli(['ledger', 'import-opening', badOpening, '--ledger', ledger]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('示例县健康救助的累计项目应为“年度已救助”，而不是“年度封顶”');

    const claims = writeCsv(join(copy, 'june.csv'), [
      head,
      // (3000 − 1000) × 0.6 = 1200.00, but only 500.00 of P1's cap is left
      [
        'X1',
        '1',
        P1,
        '王一',
        '示例县人民医院',
        '门诊',
        '2024-06-10',
        '2024-06-10',
        'J18.9',
        '肺炎',
        '3500',
        '3000',
        '1000',
      ],
      // (1800.50 − 600) × 0.6 = 720.30
      [
        'X2',
        '1',
        P2,
        '李二',
        '示例县人民医院',
        '门诊',
        '2024-06-12',
        '2024-06-12',
        'J18.9',
        '肺炎',
        '2000',
        '1800.50',
        '600',
      ],
    ]);
    const adj = await cli([
      'adjudicate',
      claims,
      '--roster',
      roster,
      '--policies',
      'xx-2025',
      '--ledger',
      ledger,
      '--out',
      join(copy, 'o'),
    ]);
    expect(adj.code, adj.stderr).toBe(0);
    expect(adj.stdout).toContain('示例县健康救助资金（xx-2025.county）：¥1,220.30');
    const results = readFileSync(join(copy, 'o', 'results-2024-06.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { claimId: string; payments: Record<string, string>; reasons: string[] });
    expect(results.map((r) => [r.claimId, r.payments['xx-2025.county'], r.reasons.join(',')])).toEqual([
      ['X1', '500.00', ''],
      ['X2', '720.30', ''],
    ]);
    const list = (await readSheets(join(copy, 'o', 'disbursement-xx-2025.county-2024-06.xlsx'))).rows('拨付清单');
    expect(list[0]![0]).toContain('示例县健康救助资金 拨付清单');

    const ex = await cli(['explain', 'X1', '--ledger', ledger]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toContain(
      '累计额（2024 年 年度已救助）：变动前 基数 2500.00，应救助 0.00，已支付 1500.00 → 变动后 基数 4500.00，应救助 500.00，已支付 2000.00',
    );
    expect(ex.stdout).toContain('支付：示例县健康救助资金 500.00');
    expect(ex.stdout).toContain('救助比例 = 0.60（示例县健康救助办法（测试用，虚构）第三条');

    const rep = await cli(['report', 'xx-annual', '--year', '2024', '--ledger', ledger, '--out', join(copy, 'r')]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain('示例县 2024 年度汇总：2 人');
    const sheet = (await readSheets(join(copy, 'r', 'xx-annual-2024.xlsx'))).rows('年度汇总');
    expect(sheet.slice(2)).toEqual([
      ['王一', P1, 2000],
      ['李二', P2, 720.3],
      ['合计', null, 2720.3],
    ]);
    expect((await cli(['ledger', 'check', '--ledger', ledger])).code).toBe(0);
  }, 600_000);
});
