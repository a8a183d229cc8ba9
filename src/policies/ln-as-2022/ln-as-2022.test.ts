import { describe, expect, test } from 'vitest';
import { adjudicate } from '../../engine/adjudicate.js';
import { createPolicy } from './index.js';
import { line, person, people, genId } from '../../testkit.js';
import { fmt } from '../../domain/money.js';

const ID = genId('210102', '1985-04-12');
const DRUG = '注射用重组人Ⅱ型肿瘤坏死因子受体-抗体融合蛋白';
const HOSP = '中国医科大学附属第一医院';
const p = (f = {}) =>
  person(ID, [['dibao', '2023-01-01', null]], {
    asSeverity: 'severe',
    asBiologicQualified: true,
    lastReview: '2024-05-01',
    chosenHospital: HOSP,
    insuranceType: 'resident',
    ...f,
  });
const l = (f = {}) =>
  line({
    idNumber: ID,
    hospital: HOSP,
    itemName: DRUG,
    diagnosisCode: 'M45.X00',
    diagnosisName: '强直性脊柱炎',
    settlementDate: '2024-06-10',
    ...f,
  });
const run = (lines: ReturnType<typeof line>[], who = p()) => adjudicate(lines, people(who), [createPolicy()]).results;
const pay = (r: ReturnType<typeof run>[number]) => [
  r.status,
  fmt(r.payments['ln-as-2022.special-fund']!),
  fmt(r.payments['ln-as-2022.third-party']!),
  fmt(r.patientRemaining),
];

describe('ln-as-2022 三、救助费用保障: F = min(S, round(20% × D)), T = S − F, nothing left to the patient', () => {
  test('D 333.33 with nothing paid: F = round(66.666) = 66.67, T = 266.66', () => {
    expect(pay(run([l({ totalCost: '333.33' })])[0]!)).toEqual(['approved', '66.67', '266.66', '0.00']);
  });
  test('D 1000, basic 600 + serious 100: S = 300, F = min(300, 200) = 200, T = 100', () => {
    expect(pay(run([l({ totalCost: '1000.00', basicPaid: '600.00', seriousIllnessPaid: '100.00' })])[0]!)).toEqual([
      'approved',
      '200.00',
      '100.00',
      '0.00',
    ]);
  });
  test('D 1000, basic 900: S = 100 < 200, so F = 100 and T = 0', () => {
    expect(pay(run([l({ totalCost: '1000.00', basicPaid: '900.00' })])[0]!)).toEqual([
      'approved',
      '100.00',
      '0.00',
      '0.00',
    ]);
  });
  test('the injection fee of the same settlement is covered (药品费用（包括注射费用）); alone it is not', () => {
    const drug = l({ claimId: 'S1', lineNo: 1, totalCost: '2000.00', basicPaid: '1000.00' });
    const fee = l({ claimId: 'S1', lineNo: 2, itemName: '皮下注射费', totalCost: '10.00' });
    const lonelyFee = l({ claimId: 'S2', itemName: '皮下注射费', totalCost: '10.00' });
    const r = run([drug, fee, lonelyFee]);
    expect(r.map((x) => [x.line.claimId, x.line.lineNo, x.status])).toEqual([
      ['S1', 1, 'approved'],
      ['S1', 2, 'approved'],
      ['S2', 1, 'not-covered'],
    ]);
    expect(pay(r[1]!)).toEqual(['approved', '2.00', '8.00', '0.00']);
  });
  test('aliases and spellings of the drug: 益赛普, II, 2', () => {
    for (const item of [
      '益赛普',
      '注射用重组人II型肿瘤坏死因子受体抗体融合蛋白',
      '注射用重组人2型肿瘤坏死因子受体-抗体融合蛋白(安佰诺)',
    ])
      expect(run([l({ itemName: item })])[0]!.status).toBe('approved');
  });
});

describe('ln-as-2022 eligibility', () => {
  test.each([
    [
      'settled after the transition period',
      { settlementDate: '2026-01-05' },
      { lastReview: '2025-12-01' },
      'rejected',
      ['POLICY_NOT_IN_FORCE'],
    ],
    ['settled on the last day of it', { settlementDate: '2025-12-31' }, { lastReview: '2025-12-01' }, 'approved', []],
    [
      'settled before publication',
      { settlementDate: '2022-08-30' },
      {
        lastReview: '2022-08-01',
        periods: [{ category: 'tuopin', validFrom: '2021-01-01', validTo: null, source: '', row: 1 }],
      },
      'rejected',
      ['POLICY_NOT_IN_FORCE'],
    ],
    ['not insured', {}, { insuranceType: 'uninsured' }, 'rejected', ['NOT_INSURED']],
    ['insurance unknown and basic paid 0', { basicPaid: '0.00' }, { insuranceType: null }, 'rejected', ['NOT_INSURED']],
    ['insurance unknown but basic paid > 0', { basicPaid: '1.00' }, { insuranceType: null }, 'approved', []],
    ['mild', {}, { asSeverity: 'mild' }, 'rejected', ['SEVERITY_NOT_MET']],
    ['not biologic-qualified', {}, { asBiologicQualified: false }, 'rejected', ['SEVERITY_NOT_MET']],
    ['not AS', { diagnosisCode: 'M06.9', diagnosisName: '类风湿关节炎' }, {}, 'rejected', ['DISEASE_NOT_COVERED']],
    [
      'not an annex hospital',
      { hospital: '沈阳市某民营医院' },
      { chosenHospital: '' },
      'rejected',
      ['NOT_DESIGNATED_HOSPITAL'],
    ],
    ['not the chosen hospital', { hospital: '辽宁省人民医院' }, {}, 'rejected', ['HOSPITAL_NOT_CHOSEN']],
    [
      'review overdue: 2024-01-01 + 90 days = 2024-03-31 < 2024-04-01',
      { settlementDate: '2024-04-01' },
      { lastReview: '2024-01-01' },
      'pended',
      ['REVIEW_OVERDUE'],
    ],
    [
      'review on the 90th day is in time',
      { settlementDate: '2024-03-31' },
      { lastReview: '2024-01-01' },
      'approved',
      [],
    ],
    [
      'rejected wins over pended',
      { settlementDate: '2024-04-01', hospital: '辽宁省人民医院' },
      { lastReview: '2024-01-01' },
      'rejected',
      ['HOSPITAL_NOT_CHOSEN', 'REVIEW_OVERDUE'],
    ],
  ])('%s', (_n, lf, pf, status, reasons) => {
    const r = run([l(lf)], p(pf))[0]!;
    expect(r.status).toBe(status);
    expect(r.reasons).toEqual(reasons);
    if (status !== 'approved') expect(Object.values(r.payments).every((v) => v.isZero())).toBe(true);
  });
  test('category outside the five, or not in any roster', () => {
    expect(
      run(
        [l()],
        p({ periods: [{ category: 'orphan', validFrom: '2020-01-01', validTo: null, source: '', row: 1 }] }),
      )[0]!.reasons,
    ).toEqual(['CATEGORY_NOT_COVERED']);
    expect(adjudicate([l()], new Map(), [createPolicy()]).results[0]!.reasons).toEqual(['NOT_IN_ROSTER']);
  });
  test('the 20% ratio is a parameter the config can override', () => {
    const r = adjudicate([l({ totalCost: '1000.00' })], people(p()), [createPolicy({ specialFundRatio: '0.30' })])
      .results[0]!;
    expect(fmt(r.payments['ln-as-2022.special-fund']!)).toBe('300.00');
  });
  test('every step of the trace names its clause', () => {
    const r = run([l()])[0]!;
    expect(r.trace.length).toBeGreaterThan(5);
    for (const s of r.trace) expect(s.clause).toMatch(/辽医保〔2022〕67号/);
  });
});
