// Issue 18 §6: explain finds every row a run read — adjudicated, invalid or a changed resubmission that was
// skipped — by claim id or by FILE:ROW, and speaks a clerk's words: category and fund names, no null, no JSON,
// no open-ended 1900-01-01 dates, masked ID numbers.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { FULL_ID, ROOT, runCli } from './helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';

const demo = (...p: string[]) => join(ROOT, 'fixtures', 'demo', ...p);

async function tinghuDemo() {
  const dir = tmp('assist-explain-');
  const ledger = join(dir, 'a.db');
  const r = await runCli([
    'adjudicate',
    demo('tinghu', 'claims.xlsx'),
    demo('tinghu', 'claims-gb18030.csv'),
    '--config',
    demo('tinghu', 'assist.config.json'),
    '--ledger',
    ledger,
    '--out',
    dir,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return (arg: string, extra: string[] = []) => runCli(['explain', arg, '--ledger', ledger, ...extra]);
}

describe('assist explain: invalid and skipped rows, in Chinese', () => {
  test('an invalid row by claim id and by FILE:ROW: its file, sheet, row, reason and column; nothing paid', async () => {
    const explain = await tinghuDemo();
    // fixtures/demo/tinghu/claims.xlsx row 14: a planted DATE_ORDER (discharged 06-10 after admission 06-20)
    const byId = await explain('BAD0000064');
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toContain('来源：claims.xlsx（工作表“结算明细”）第 14 行；第 1 次运行（审核');
    expect(byId.stdout).toContain('状态：无效 —— 未审核、未支付、未计入累计额');
    expect(byId.stdout).toContain(
      'DATE_ORDER 日期先后顺序错误（出院或结算早于入院）（列“出院日期”）：出院日期 2024-06-10 早于入院日期 2024-06-20',
    );
    expect(byId.stdout).toMatch(/人员：贾玉 320902\*{8}2933/);
    expect(byId.stdout + byId.stderr).not.toMatch(FULL_ID);
    const byRow = await explain('claims.xlsx:14');
    expect(byRow.stdout).toBe(byId.stdout);
    // a row whose name is missing, in the GB18030 CSV (no sheet)
    const csv = await explain(join('some', 'folder', 'claims-gb18030.csv:2'));
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('来源：claims-gb18030.csv第 2 行');
    expect(csv.stdout).toContain('MISSING_FIELD 必填字段为空或无法识别（列“姓名”）：“姓名”为空');
    expect(csv.stdout).toContain('人员：（姓名为空） 320902********3228');
    // both copies of a duplicated line, each with its row
    const dup = await explain('TH2024060000001');
    expect(dup.stdout.match(/DUPLICATE_LINE/g)).toHaveLength(2);
    expect(dup.stdout).toContain('第 3 行');
    expect(dup.stdout).toContain('第 5 行');
    // an adjudicated line by FILE:ROW is the stored line
    expect((await explain('claims.xlsx:23')).stdout).toContain('══ 结算单 TH2024060000019 第 1 行 · 亭湖区人民医院 ══');
    const none = await explain('claims.xlsx:999');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('台账中没有 claims.xlsx:999 这一行的审核记录，也没有它的无效或跳过记录');
  }, 60_000);

  test('an adjudicated line in Chinese only: fund names, 未设置, tables by their labels, no open-ended dates', async () => {
    const explain = await tinghuDemo();
    // TH2024060000006: 孙伟德, 盐城市中医院, approved and halved (依从 否)
    const r = await explain('TH2024060000006');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/支付：区健康救助资金 [\d,]+\.\d\d/);
    expect(r.stdout).not.toContain('th-2021.district');
    expect(r.stdout).toContain('试行期截止日期（过期后仅警告，不拒付） = 未设置（');
    expect(r.stdout).toContain(
      '= A类（一般疾病、慢性病）：一类人群 3000，二类人群 5000；B类（重大疾病、暂无规范政策的罕见病）：一类人群 3000，二类人群 5000；C类',
    );
    expect(r.stdout).toContain('救助比例 = A类（一般疾病、慢性病） 0.50，');
    expect(r.stdout).toContain('= ICD 前缀 无，名称关键词 无（');
    for (const internal of [
      '1900-01-01',
      '= null',
      '{"',
      '["',
      'resident',
      'severe',
      'dibao',
      'tekun',
      'inpatient',
      'outpatient',
    ])
      expect(r.stdout, internal).not.toContain(internal);
  }, 60_000);

  test('a changed resubmission skipped in a run that commits: explain shows the stored line and the skipped row, with what differs', async () => {
    const dir = tmp('assist-explain-');
    const P1 = makeId('320902', '1960-05-01', '211');
    const P2 = makeId('320902', '1972-08-09', '322');
    const head = CLAIM_HEAD;
    const line = (id: string, p: string, name: string, total: string) => [
      id,
      '1',
      p,
      name,
      '亭湖区人民医院',
      '门诊',
      '2024-06-10',
      '2024-06-10',
      'J18.9',
      '肺炎',
      total,
      total,
    ];
    const roster = writeCsv(join(dir, 'roster.csv'), [
      ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
      [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
      [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    ]);
    const ledger = join(dir, 'a.db');
    const adj = (f: string, out: string) =>
      runCli([
        'adjudicate',
        f,
        '--roster',
        roster,
        '--policies',
        'th-2021',
        '--ledger',
        ledger,
        '--out',
        join(dir, out),
      ]);
    expect((await adj(writeCsv(join(dir, 'june.csv'), [head, line('T1', P1, '王一', '9000')]), 'o1')).code).toBe(0);
    // T1 again with another total (no --supersede), and a new line T2: the run commits, T1 is skipped
    const again = await adj(
      writeCsv(join(dir, 'june-2.csv'), [head, line('T1', P1, '王一', '9500'), line('T2', P2, '李二', '9000')]),
      'o2',
    );
    expect(again.code, again.stderr).toBe(0);
    const r = await runCli(['explain', 'T1', '--ledger', ledger]);
    expect(r.code, r.stderr).toBe(0);
    // the line in force: run 1, (9000 − 3000) × 50% = 3000.00
    expect(r.stdout).toContain('来源：june.csv 第 2 行；第 1 次运行');
    expect(r.stdout).toContain('支付：区健康救助资金 3,000.00');
    // the skipped resubmission: run 2, june-2.csv row 2
    expect(r.stdout).toContain('来源：june-2.csv第 2 行；第 2 次运行');
    expect(r.stdout).toContain('状态：未处理 —— 内容与第 1 次运行已审核的记录不同，本次跳过、未支付');
    expect(r.stdout).toContain(
      'CONFLICTING_RESUBMISSION 该明细已审核过但内容不同，需使用 --supersede 更正：原审核：第 1 次运行（june.csv 第 2 行）；内容不同的字段：医疗总费用、政策范围内费用、个人负担',
    );
  }, 60_000);
});
