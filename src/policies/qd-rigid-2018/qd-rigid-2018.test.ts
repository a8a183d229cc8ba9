import { describe, expect, test } from 'vitest';
import { adjudicate } from '../../engine/adjudicate.js';
import { createPolicy, catalogueItem, catalogueSize } from './index.js';
import { line, person, people, genId } from '../../testkit.js';
import { fmt } from '../../domain/money.js';
import type { Person } from '../../roster/merge.js';

const ID = genId('370202', '1970-02-02');
const CHILD = genId('370202', '2014-02-02');
const FUND = 'qd-rigid-2018.insurer';
const caps = {
  caps: { 克唑替尼: '50000', 培门冬酶: '20000', 重组人凝血因子Ⅳ: '30000', 达沙替尼: '40000', 硼替佐米: '40000' },
};
const who = (id = ID, f: Partial<Person> = {}) =>
  person(id, [['dibao', '2017-01-01', null]], { householdPlace: '山东省青岛市', ...f });
const l = (burden: string, f = {}) =>
  line({
    idNumber: ID,
    totalCost: burden,
    itemName: '克唑替尼胶囊',
    diagnosisCode: 'C34.900',
    diagnosisName: '非小细胞肺癌',
    visitType: 'outpatient-special',
    hospital: '青岛大学附属医院',
    ...f,
  });
const run = (lines: ReturnType<typeof line>[], p = who(), o: Record<string, unknown> | undefined = caps) =>
  adjudicate(lines, people(p), [createPolicy(o)]).results;
const brief = (rs: ReturnType<typeof run>) => rs.map((r) => [r.status, fmt(r.payments[FUND]!), r.reasons.join(',')]);

describe('qd-rigid-2018 catalogue (附件): 25 diseases, 19 drugs, 15 devices, 1 food', () => {
  test('sizes', () => expect(catalogueSize()).toEqual({ drugs: 19, devices: 15, foods: 1, diseases: 25 }));
  test.each([
    ['达沙替尼片', '达沙替尼', [3, 4]],
    ['注射用硼替佐米', '硼替佐米', [12, 13]],
    ['重组人凝血因子Ⅸ', '重组人凝血因子Ⅳ', [6]],
    ['重组人凝血因子Ⅳ', '重组人凝血因子Ⅳ', [6]],
    ['胸主动脉覆膜支架', '胸主动脉支架（含主体及延长支架）', [18]],
    ['外周动脉支架', '动脉支架', [19]],
    ['低蛋白食品', '低蛋白食品，无苯丙氨酸奶粉或蛋白粉', [25]],
  ])('%s → %s (rows %j)', (input, name, rows) => {
    const item = catalogueItem(input)!;
    expect([item.name, item.rows]).toEqual([name, rows]);
  });
  test('not in the catalogue', () => expect(catalogueItem('阿莫西林')).toBeNull());
});

describe('qd-rigid-2018 二、（三）救助标准', () => {
  test('no cap configured: pended CAP_NOT_CONFIGURED, never paid by guess', () => {
    expect(brief(run([l('30000.00')], who(), {}))).toEqual([['pended', '0.00', 'CAP_NOT_CONFIGURED']]);
  });
  test('100% up to the cap: 30000 paid; then 30000 more against 20000 left → 20000 paid, OVER_CAP_REVIEW with 10000 unpaid', () => {
    const r = run([l('30000.00', { settlementDate: '2024-03-01' }), l('30000.00', { settlementDate: '2024-04-01' })]);
    expect(brief(r)).toEqual([
      ['approved', '30000.00', ''],
      ['approved', '20000.00', 'OVER_CAP_REVIEW'],
    ]);
    expect(r[1]!.details?.unpaidExcess).toBe('10000.00');
    expect(fmt(r[1]!.patientRemaining)).toBe('10000.00');
  });
  test('with expert approval the cap is 1.2 × 50000 = 60000: 55000 paid in full', () => {
    expect(brief(run([l('55000.00', { expertApproval: true })]))).toEqual([['approved', '55000.00', '']]);
  });
  test('approval after the cap was used: 50000 paid, then 30000 approved → 60000 − 50000 = 10000', () => {
    const r = run([
      l('50000.00', { settlementDate: '2024-03-01' }),
      l('30000.00', { settlementDate: '2024-05-01', expertApproval: true }),
    ]);
    expect(brief(r)).toEqual([
      ['approved', '50000.00', ''],
      ['approved', '10000.00', ''],
    ]);
  });
  test('cap used up: CAP_REACHED with 0 paid; the cap is per accounting year', () => {
    const r = run([
      l('50000.00', { settlementDate: '2024-03-01' }),
      l('100.00', { settlementDate: '2024-04-01' }),
      l('100.00', { settlementDate: '2025-01-02' }),
    ]);
    expect(brief(r)).toEqual([
      ['approved', '50000.00', ''],
      ['approved', '0.00', 'CAP_REACHED,OVER_CAP_REVIEW'],
      ['approved', '100.00', ''],
    ]);
  });
  test('R is what remains after basic, serious-illness and assistance: 10000 − 6000 − 1000 = 3000', () => {
    expect(brief(run([l('10000.00', { basicPaid: '6000.00', assistancePaid: '1000.00' })]))).toEqual([
      ['approved', '3000.00', ''],
    ]);
  });
});

describe('qd-rigid-2018 eligibility', () => {
  test.each([
    ['ordinary outpatient visit', { visitType: 'outpatient' }, 'VISIT_TYPE_NOT_COVERED'],
    ['item for another disease', { diagnosisCode: 'C16.900', diagnosisName: '胃癌' }, 'ITEM_DISEASE_MISMATCH'],
    ['no diagnosis at all', { diagnosisCode: '', diagnosisName: '' }, 'MISSING_FIELD'],
  ])('%s', (_n, f, reason) => expect(run([l('1000.00', f)])[0]!.reasons).toEqual([reason]));
  test('merged cells: 达沙替尼 for Ph+ acute lymphoblastic leukaemia (row 4), 硼替佐米 for non-Hodgkin lymphoma (row 13)', () => {
    expect(
      brief(
        run([
          l('1000.00', { itemName: '达沙替尼', diagnosisCode: 'C91.000', diagnosisName: 'PH阳性急性淋巴细胞白血病' }),
        ]),
      ),
    ).toEqual([['approved', '1000.00', '']]);
    expect(
      brief(
        run([
          l('1000.00', { itemName: '硼替佐米', diagnosisCode: 'C83.300', diagnosisName: '复发难治性非霍奇金淋巴瘤' }),
        ]),
      ),
    ).toEqual([['approved', '1000.00', '']]);
  });
  test('child-only rows: 培门冬酶 at 10 is paid; at 20 AGE_NOT_COVERED', () => {
    const child = (id: string) =>
      l('1000.00', {
        idNumber: id,
        itemName: '培门冬酶注射液',
        diagnosisCode: 'C91.000',
        diagnosisName: '急性淋巴细胞白血病',
      });
    expect(brief(run([child(CHILD)], who(CHILD)))).toEqual([['approved', '1000.00', '']]);
    expect(run([child(ID)])[0]!.reasons).toEqual(['AGE_NOT_COVERED']);
  });
  test('factor Ⅸ (printed Ⅳ) for a child with haemophilia, capped under the printed name', () => {
    const r = run(
      [
        l('35000.00', {
          idNumber: CHILD,
          itemName: '重组人凝血因子Ⅸ',
          diagnosisCode: 'D67.X00',
          diagnosisName: '血友病B',
        }),
      ],
      who(CHILD),
    );
    expect(brief(r)).toEqual([['approved', '30000.00', 'OVER_CAP_REVIEW']]);
  });
  test('categories: 低保边缘 is not covered; 散居孤儿 is', () => {
    expect(run([l('1000.00')], person(ID, [['dibao-edge', '2020-01-01', null]]))[0]!.reasons).toEqual([
      'CATEGORY_NOT_COVERED',
    ]);
    expect(run([l('1000.00')], person(ID, [['orphan-scattered', '2020-01-01', null]]))[0]!.status).toBe('approved');
  });
});

describe('issue 17 §9: caps keyed as printed, matched after normalising; row 17 is the aneurysm, not the dissection', () => {
  const stent = (item: string, code: string, name: string) =>
    l('80000.00', { itemName: item, diagnosisCode: code, diagnosisName: name, visitType: 'inpatient' });
  test('a cap keyed 胸主动脉支架(含主体及延长支架) (half-width brackets) is the 18 主动脉夹层 item: I71.0 paid 100% up to 60000', () => {
    expect(
      brief(
        run([stent('胸主动脉覆膜支架', 'I71.0', '主动脉夹层')], who(), {
          caps: { '胸主动脉支架(含主体及延长支架)': '60000' },
        }),
      ),
    ).toEqual([['approved', '60000.00', 'OVER_CAP_REVIEW']]);
  });
  test('a dissection (I71.0) does not qualify for the row-17 aneurysm stent; an aneurysm (I71.2) does', () => {
    const o = { caps: { 主动脉覆膜支架: '70000' } };
    expect(brief(run([stent('主动脉覆膜支架', 'I71.0', '主动脉夹层')], who(), o))).toEqual([
      ['rejected', '0.00', 'ITEM_DISEASE_MISMATCH'],
    ]);
    expect(brief(run([stent('主动脉覆膜支架', 'I71.2', '胸主动脉瘤')], who(), o))).toEqual([
      ['approved', '70000.00', 'OVER_CAP_REVIEW'],
    ]);
  });
  test('a cap key that names no catalogue item stops the policy at load, naming the nearest item', () => {
    expect(() => createPolicy({ caps: { 克唑替尼片剂: '50000' } })).toThrow(
      '配置中的参数 qd-rigid-2018.caps 中的“克唑替尼片剂”不是目录中的救助项目（最接近的是“克唑替尼”）',
    );
    expect(() => createPolicy({ caps: { 克唑替尼: 'abc' } })).toThrow('不是有效金额');
    expect(() => createPolicy({ ratio: 'abc' })).toThrow(
      '配置中的参数 qd-rigid-2018.ratio 的值 "abc" 不是有效的非负数',
    );
  });
});
