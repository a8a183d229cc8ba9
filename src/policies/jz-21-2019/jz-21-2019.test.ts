import { describe, expect, test } from 'vitest';
import { adjudicate } from '../../engine/adjudicate.js';
import { createPolicy } from './index.js';
import { line, person, people, genId } from '../../testkit.js';
import { fmt } from '../../domain/money.js';
import type { Category } from '../../domain/categories.js';

const ID = genId('210727', '1955-07-07');
const KID = genId('210727', '2005-03-01');
const who = (cat: Category = 'tuopin', rural: 'rural' | 'urban' | null = 'rural', id = ID) =>
  person(id, [[cat, '2018-06-01', null]], { householdType: rural });
const l = (f = {}) =>
  line({
    idNumber: ID,
    totalCost: '20000.00',
    basicPaid: '12000.00',
    seriousIllnessPaid: '3000.00',
    assistancePaid: '2000.00',
    hospital: '义县人民医院',
    visitType: 'inpatient',
    admissionDate: '2019-05-03',
    dischargeDate: '2019-05-20',
    settlementDate: '2019-05-20',
    diagnosisCode: 'C15.900',
    diagnosisName: '食管癌',
    ...f,
  });
const run = (lines: ReturnType<typeof line>[], p = who()) => adjudicate(lines, people(p), [createPolicy()]).results;

describe('jz-21-2019: report-only — the result records the cost structure, no fund pays', () => {
  test('county hospital, 建档立卡, 食管癌: approved; base = personal burden 20000 − 17000 = 3000, ratio 15.00%', () => {
    const r = run([l()])[0]!;
    expect([r.status, fmt(r.base), r.payments, fmt(r.patientRemaining)]).toEqual([
      'approved',
      '3000.00',
      {},
      '3000.00',
    ]);
    expect(r.details).toEqual({ disease: '食管癌', treatment: '已救治', personalBurdenRatio: '0.1500' });
  });
  test('still in hospital (no discharge date): 正在救治', () => {
    expect(run([l({ dischargeDate: null, settlementDate: '2019-05-31' })])[0]!.details?.treatment).toBe('正在救治');
  });
});

describe('jz-21-2019 三、（二）1. designated hospitals and referral', () => {
  test.each([
    ['city hospital with 转诊证明 是', { hospital: '锦州市中心医院', referral: true }, 'approved', []],
    ['city hospital without referral', { hospital: '锦州市中心医院', referral: null }, 'pended', ['REFERRAL_MISSING']],
    ['city hospital, referral 否', { hospital: '锦州市中心医院', referral: false }, 'pended', ['REFERRAL_MISSING']],
    ['any other hospital', { hospital: '锦州市第二医院' }, 'rejected', ['NOT_DESIGNATED_HOSPITAL']],
  ])('%s', (_n, f, status, reasons) => {
    const r = run([l(f)])[0]!;
    expect([r.status, r.reasons]).toEqual([status, reasons]);
  });
});

describe('jz-21-2019 二、objects: rural poor', () => {
  test.each([
    ['低保, urban household', 'dibao', 'urban', 'rejected', ['NOT_RURAL']],
    ['特困, household unknown', 'tekun', null, 'rejected', ['NOT_RURAL']],
    ['低保, rural', 'dibao', 'rural', 'approved', []],
    ['建档立卡, urban (no household condition)', 'tuopin', 'urban', 'approved', []],
    ['计生特殊困难家庭', 'family-planning', 'urban', 'approved', []],
    ['低保边缘 is not an object', 'dibao-edge', 'rural', 'rejected', ['CATEGORY_NOT_COVERED']],
  ] as const)('%s', (_n, cat, rural, status, reasons) => {
    const r = run([l()], who(cat, rural))[0]!;
    expect([r.status, r.reasons]).toEqual([status, reasons]);
  });
});

describe('jz-21-2019 disease lists: 21 in 2019, 25 from 2020; child diseases to age 14', () => {
  test('脑卒中 is not among the 21 in 2019 (not covered); it is among the 25 in 2020', () => {
    const stroke = { diagnosisCode: 'I63.900', diagnosisName: '脑梗死' };
    expect(run([l(stroke)])[0]!.status).toBe('not-covered');
    expect(
      run([
        l({ ...stroke, admissionDate: '2020-02-03', dischargeDate: '2020-02-10', settlementDate: '2020-02-10' }),
      ])[0]!.status,
    ).toBe('approved');
  });
  test('儿童白血病: born 2005-03-01, aged 13 on 2019-02-28 is covered; aged 15 on 2020-03-01 is not', () => {
    const leuk = (adm: string) =>
      l({
        idNumber: KID,
        diagnosisCode: 'C91.000',
        diagnosisName: '急性淋巴细胞白血病',
        admissionDate: adm,
        dischargeDate: adm,
        settlementDate: adm,
      });
    expect(run([leuk('2019-02-28')], who('tuopin', 'rural', KID))[0]!.status).toBe('approved');
    expect(run([leuk('2020-03-01')], who('tuopin', 'rural', KID))[0]!.status).toBe('not-covered');
  });
  test('after 2020-12-31 the programme is not in force', () => {
    const r = run([l({ admissionDate: '2021-01-05', dischargeDate: '2021-01-10', settlementDate: '2021-01-10' })])[0]!;
    expect(r.reasons).toEqual(['POLICY_NOT_IN_FORCE']);
  });
});
