// Issue 17: nothing a clerk or a hospital file does can stop a month, pay twice or hide a mistake. The
// built CLI on generated files; amounts worked out by hand from the Tinghu table (一类人群, A 类 一般疾病:
// 年度起付线 3000, 50%).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeId, tmp, writeCsv } from './helpers/files.js';

const P1 = makeId('320902', '1960-05-01', '211');
const P2 = makeId('320902', '1972-08-09', '322');
const HEAD = ['结算单号', '行号', '身份证号', '姓名', '医疗机构', '就诊类型', '入院日期', '结算日期', '诊断编码', '诊断名称', '医疗总费用', '政策范围内费用'];
const row = (id: string, person: string, name: string, total: string, inScope: string, o: { lineNo?: string; hospital?: string; date?: string } = {}) => [
  id, o.lineNo ?? '1', person, name, o.hospital ?? '亭湖区人民医院', '门诊', o.date ?? '2024-06-10', o.date ?? '2024-06-10', 'J18.9', '肺炎', total, inScope,
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
    dir, roster, ledger,
    file: (name: string, rows: string[][]) => writeCsv(join(dir, name), [HEAD, ...rows]),
    adjudicate: (file: string, out: string, extra: string[] = []) => runCli(['adjudicate', file, '--roster', roster, '--policies', 'th-2021', '--ledger', ledger, '--out', join(dir, out), ...extra]),
    results: (out: string, month = '2024-06') =>
      readFileSync(join(dir, out, `results-${month}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { claimId: string; row: number; status: string; reasons: string[]; payments: Record<string, string> }),
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
      row('ＴＨ 2024060000020', P1, '王一', '9000', '9000', { hospital: '亭湖区 人民医院', lineNo: '１', date: '2024-06-10' }),
    ]);
    // the two spellings in one file are one line twice: both DUPLICATE_LINE
    const dup = await s.adjudicate(again, 'dup', ['--month', '2024-06']);
    expect(dup.code, dup.stderr).toBe(0);
    expect(s.results('dup').map((r) => `${r.status} ${r.reasons.join(',')}`)).toEqual(['invalid DUPLICATE_LINE', 'invalid DUPLICATE_LINE']);
    // each spelling alone: ALREADY_ADJUDICATED
    for (const [i, r] of [row('th2024060000020', P1, '王一', '9000', '9000'), row('ＴＨ 2024060000020', P1, '王一', '9000', '9000', { hospital: '亭湖区 人民医院', lineNo: '１' })].entries()) {
      const out = `again${i}`;
      const res = await s.adjudicate(s.file(`${out}.csv`, [r]), out);
      expect(res.code, res.stderr).toBe(0);
      expect(s.results(out).map((x) => `${x.claimId} ${x.status} ${x.reasons.join(',')}`)).toEqual(['TH2024060000020 skipped ALREADY_ADJUDICATED']);
    }
    // a corrected line spelled differently supersedes the original (reversal of 3000.00), never pays beside it
    const fixed = await s.adjudicate(s.file('fixed.csv', [row('th2024060000020', P1, '王一', '8000', '8000')]), 'fixed', ['--supersede']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('更正重报 1 行：冲正原结果 1 条');
    expect(s.results('fixed')[0]!.payments[FUND]).toBe('2500.00');
    expect((await runCli(['ledger', 'check', '--ledger', s.ledger])).code).toBe(0);
  });
});
