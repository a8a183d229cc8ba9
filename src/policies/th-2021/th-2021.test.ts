import { describe, expect, test } from 'vitest';
import { adjudicate } from '../../engine/adjudicate.js';
import { AccumulatorStore } from '../../engine/accumulators.js';
import { createPolicy, coverageOf } from './index.js';
import { line, person, people, genId } from '../../testkit.js';
import { fmt } from '../../domain/money.js';
import type { Person } from '../../roster/merge.js';

const ID = genId('320902', '1960-03-05');
const FUND = 'th-2021.district';
const dibao = (f: Partial<Person> = {}) =>
  person(ID, [['dibao', '2023-01-01', null]], {
    ...f,
    periods: f.periods ?? [{ category: 'dibao', validFrom: '2023-06-01', validTo: '2026-12-31', source: '', row: 1 }],
  });
const l = (inScope: string, f = {}) =>
  line({
    idNumber: ID,
    totalCost: inScope,
    inScopeCost: inScope,
    diagnosisCode: 'I10.X00',
    diagnosisName: '高血压',
    settlementDate: '2024-06-10',
    ...f,
  });
const run = (
  lines: ReturnType<typeof line>[],
  who: Person = dibao(),
  overrides?: Record<string, unknown>,
  acc?: AccumulatorStore,
) => adjudicate(lines, people(who), [createPolicy(overrides)], acc);
const brief = (rs: ReturnType<typeof run>['results']) =>
  rs.map((r) => [r.status, fmt(r.base), fmt(r.payments[FUND]!), r.reasons.join(',')]);

describe('th-2021 救助标准表 — category A (一般疾病、慢性病), class 1: deductible 3000 per year, 50%, cap 5万', () => {
  test('2000 stays below the deductible (pended, base accumulates); the next 4000 pays (6000 − 3000) × 50% = 1500', () => {
    const { results, accumulators } = run([
      l('2000.00', { settlementDate: '2024-03-10' }),
      l('4000.00', { settlementDate: '2024-04-10' }),
    ]);
    expect(brief(results)).toEqual([
      ['pended', '2000.00', '0.00', 'BELOW_DEDUCTIBLE'],
      ['approved', '4000.00', '1500.00', ''],
    ]);
    expect(fmt(accumulators.get({ policy: 'th-2021', idNumber: ID, year: 2024, key: 'A' }).base)).toBe('6000.00');
  });
  test('exactly the deductible is reached, not "below": approved with 0', () => {
    expect(brief(run([l('3000.00')]).results)).toEqual([['approved', '3000.00', '0.00', '']]);
  });
  test('E = max(0, inScopeCost − priorPaid): in-scope 5000 with 1200 already paid by basic insurance → E 3800 → (3800 − 3000) × 50% = 400', () => {
    expect(brief(run([l('5000.00', { totalCost: '6000.00', basicPaid: '1200.00' })]).results)).toEqual([
      ['approved', '3800.00', '400.00', ''],
    ]);
  });
  test('class 2 (重度残疾人) has deductible 5000: 8000 → 1500', () => {
    const p = person(ID, [['severe-disability', '2023-06-01', null]]);
    expect(brief(run([l('8000.00')], p).results)).toEqual([['approved', '8000.00', '1500.00', '']]);
  });
  test('就高: a person in class 1 and class 2 gets the class-1 deductible', () => {
    const p = person(ID, [
      ['severe-disability', '2023-06-01', null],
      ['dibao', '2023-06-01', null],
    ]);
    expect(brief(run([l('8000.00')], p).results)).toEqual([['approved', '8000.00', '2500.00', '']]);
  });
  test('the annual cap: 110000 → min(107000 × 50%, 50000) = 50000; then CAP_REACHED pays 0; next year starts again', () => {
    const { results } = run([
      l('110000.00', { settlementDate: '2024-02-01' }),
      l('10000.00', { settlementDate: '2024-03-01' }),
      l('5000.00', { settlementDate: '2025-01-05' }),
    ]);
    expect(brief(results)).toEqual([
      ['approved', '110000.00', '50000.00', ''],
      ['approved', '10000.00', '0.00', 'CAP_REACHED'],
      ['approved', '5000.00', '1000.00', ''],
    ]);
  });
});

describe('th-2021 减半: 放弃依从基础健康服务', () => {
  test('4000 above a filled deductible → 2000 × 50% = 1000 entitled, paid 500', () => {
    expect(brief(run([l('7000.00')], dibao({ compliance: false })).results)).toEqual([
      ['approved', '7000.00', '1000.00', 'NON_COMPLIANCE_HALVED'],
    ]);
  });
  test('halving halves the cap: entitled runs to 50000 unhalved, so at most 25000 is paid in the year', () => {
    const { results } = run(
      [l('110000.00', { settlementDate: '2024-02-01' }), l('20000.00', { settlementDate: '2024-03-01' })],
      dibao({ compliance: false }),
    );
    expect(brief(results)).toEqual([
      ['approved', '110000.00', '25000.00', 'NON_COMPLIANCE_HALVED'],
      ['approved', '20000.00', '0.00', 'CAP_REACHED'],
    ]);
  });
});

describe('th-2021 category B (30类重大疾病): first-time deductible, once per person across years; cap 7万', () => {
  const b = (amount: string, date: string) =>
    l(amount, { diagnosisCode: 'C34.900', diagnosisName: '肺癌', settlementDate: date });
  test('2000 pended, 2000 → (4000 − 3000) × 50% = 500; next year no new deductible: 1000 → 500', () => {
    const { results } = run([b('2000.00', '2024-05-01'), b('2000.00', '2024-06-01'), b('1000.00', '2025-02-01')]);
    expect(brief(results)).toEqual([
      ['pended', '2000.00', '0.00', 'BELOW_DEDUCTIBLE'],
      ['approved', '2000.00', '500.00', ''],
      ['approved', '1000.00', '500.00', ''],
    ]);
  });
  test('roster says 已扣首次起付线: no deductible, 1000 → 500', () => {
    expect(brief(run([b('1000.00', '2024-06-01')], dibao({ firstDeductibleApplied: true })).results)).toEqual([
      ['approved', '1000.00', '500.00', ''],
    ]);
  });
  test('category C (configured rare disease with a provincial policy): no deductible, 70%: 1000 → 700', () => {
    const r = run([l('1000.00', { diagnosisName: '戈谢病', diagnosisCode: 'E75.2' })], dibao(), {
      rareWithProvincialPolicy: { icd: ['E75.2'], keywords: ['戈谢病'] },
    });
    expect(brief(r.results)).toEqual([['approved', '1000.00', '700.00', '']]);
  });
});

describe('th-2021 identity period: 12 months retroactive, end of the exit month, the whole inpatient stay', () => {
  test('coverage of a period', () => {
    expect(coverageOf({ validFrom: '2024-06-15', validTo: null }, 12, 12)).toEqual({
      from: '2023-06-15',
      to: '2025-06-30',
    });
    expect(coverageOf({ validFrom: '2024-06-15', validTo: '2024-09-03' }, 12, 12)).toEqual({
      from: '2023-06-15',
      to: '2024-09-30',
    });
  });
  const p = (validFrom: string, validTo: string | null) => person(ID, [['dibao', validFrom, validTo]]);
  test.each([
    [
      'recognised 2024-06-15, treated 2023-06-15 (12 months before)',
      '2024-06-15',
      null,
      { settlementDate: '2023-06-15' },
      'approved',
    ],
    ['recognised 2024-06-15, treated 2023-06-14', '2024-06-15', null, { settlementDate: '2023-06-14' }, 'rejected'],
    [
      'exit 2024-03-15, treated 2024-03-31 (still that month)',
      '2023-01-01',
      '2024-03-15',
      { settlementDate: '2024-03-31' },
      'approved',
    ],
    [
      'exit 2024-03-15, treated 2024-04-01 (次月起不再享受)',
      '2023-01-01',
      '2024-03-15',
      { settlementDate: '2024-04-01' },
      'rejected',
    ],
    [
      'exit 2024-03-15, admitted 2024-03-30, discharged and settled 2024-04-10 (当次住院仍享受)',
      '2023-01-01',
      '2024-03-15',
      {
        visitType: 'inpatient',
        admissionDate: '2024-03-30',
        dischargeDate: '2024-04-10',
        settlementDate: '2024-04-10',
      },
      'approved',
    ],
    [
      'exit 2024-03-15, admitted 2024-04-02',
      '2023-01-01',
      '2024-03-15',
      {
        visitType: 'inpatient',
        admissionDate: '2024-04-02',
        dischargeDate: '2024-04-10',
        settlementDate: '2024-04-10',
      },
      'rejected',
    ],
    [
      'no exit date: recognised 2023-05-10 covers to 2024-05-31',
      '2023-05-10',
      null,
      { settlementDate: '2024-05-31' },
      'approved',
    ],
    [
      'no exit date: 2024-06-01 is a year and a month later',
      '2023-05-10',
      null,
      { settlementDate: '2024-06-01' },
      'rejected',
    ],
  ])('%s', (_n, from, to, lf, status) => {
    const r = run([l('5000.00', lf)], p(from, to)).results[0]!;
    expect(r.status).toBe(status);
    if (status === 'rejected') expect(r.reasons).toEqual(['NOT_ELIGIBLE_ON_DATE']);
    else expect(fmt(r.payments[FUND]!)).toBe('1000.00');
  });
});

describe('th-2021 other rules', () => {
  test('not in any roster, and in a roster in no Tinghu category', () => {
    expect(adjudicate([l('5000.00')], new Map(), [createPolicy()]).results[0]!.reasons).toEqual(['NOT_IN_ROSTER']);
    expect(run([l('5000.00')], person(ID, [['family-planning', '2020-01-01', null]])).results[0]!.reasons).toEqual([
      'CATEGORY_NOT_COVERED',
    ]);
  });
  test('household outside Tinghu is rejected; an empty household place is pended', () => {
    expect(run([l('5000.00')], dibao({ householdPlace: '江苏省盐城市盐都区' })).results[0]!.reasons).toEqual([
      'NOT_LOCAL_HOUSEHOLD',
    ]);
    expect(run([l('5000.00')], dibao({ householdPlace: '' })).results[0]!.reasons).toEqual(['MISSING_FIELD']);
  });
  test('a line without 政策范围内费用 is pended MISSING_FIELD and accumulates nothing', () => {
    const { results, accumulators } = run([l('5000.00', { inScopeCost: null })]);
    expect(brief(results)).toEqual([['pended', '0.00', '0.00', 'MISSING_FIELD']]);
    expect(accumulators.map.size).toBe(0);
  });
  test('before 2021-01-01 the policy is not in force', () => {
    const r = run([l('5000.00', { settlementDate: '2020-12-31' })], person(ID, [['dibao', '2020-01-01', null]]))
      .results[0]!;
    expect(r.reasons).toEqual(['POLICY_NOT_IN_FORCE']);
  });
  test('payee is the service unit when known (基层医疗机构先行支付), else the hospital', () => {
    expect(run([l('5000.00')], dibao({ serviceUnit: '亭湖区新兴镇卫生院' })).results[0]!.payee).toBe(
      '亭湖区新兴镇卫生院',
    );
    expect(run([l('5000.00')]).results[0]!.payee).toBe('亭湖区人民医院');
  });
  test('deductible override from the config (dated object)', () => {
    const r = run([l('5000.00')], dibao(), {
      deductible: {
        '2024-01-01': { A: { '1': '4000', '2': '6000' }, B: { '1': '3000', '2': '5000' }, C: { '1': '0', '2': '0' } },
      },
    });
    expect(brief(r.results)).toEqual([['approved', '5000.00', '500.00', '']]);
  });
});

describe('issue 17 §9: 儿童白血病, 儿童先天性心脏病, 儿童淋巴瘤 are category B only for ages 0–14', () => {
  const CHILD = genId('320902', '2009-06-11'); // 14 on 2024-06-10, 15 from 2024-06-11
  const kid = () =>
    person(CHILD, [['dibao', '2023-01-01', null]], {
      householdPlace: '江苏省盐城市亭湖区',
      periods: [{ category: 'dibao', validFrom: '2023-06-01', validTo: '2026-12-31', source: '', row: 1 }],
    });
  const leuk = (id: string, date: string) =>
    line({
      idNumber: id,
      totalCost: '4000.00',
      inScopeCost: '4000.00',
      diagnosisCode: 'C92.000',
      diagnosisName: '急性髓系白血病',
      settlementDate: date,
    });
  const cat = (r: ReturnType<typeof run>['results'][number]) => r.details?.diseaseCategory;
  test('a child of 14 on the service date: B (儿童白血病); the same child at 15, and an adult: A', () => {
    expect(cat(adjudicate([leuk(CHILD, '2024-06-10')], people(kid()), [createPolicy()]).results[0]!)).toBe('B');
    expect(cat(adjudicate([leuk(CHILD, '2024-06-11')], people(kid()), [createPolicy()]).results[0]!)).toBe('A');
    expect(cat(run([leuk(ID, '2024-06-10')]).results[0]!)).toBe('A');
  });
  test('a configured trial end that has passed is one run-level notice, however many lines', () => {
    const policy = createPolicy({ trialEnd: '2023-12-31' });
    adjudicate([l('100.00'), l('200.00', { settlementDate: '2024-06-11' })], people(dibao()), [policy]);
    expect([...policy.notices!]).toEqual([
      '亭湖区健康救助：配置的试行期截止日期 2023-12-31 已过，本次仍照常计算；如方案已延期或正式实施，请更新参数 th-2021.trialEnd。',
    ]);
  });
});
