// fast-check generators of claim batches over four generated people (shared by the engine and ledger properties).
import fc from 'fast-check';
import { line, person, people, genId } from '../testkit.js';
import { D, fmt } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';
import type { LineResult } from './types.js';

export const TH = genId('320902', '1960-03-05');
export const LN = genId('210102', '1985-04-12');
export const DRUG = '注射用重组人Ⅱ型肿瘤坏死因子受体-抗体融合蛋白';

export const IDS = [TH, genId('320902', '1950-01-01', '002'), genId('320902', '2015-05-05', '003'), LN];
const fen = (n: number) => new D(n).div(100).toFixed(2);

export const genArb = fc.record({
  who: fc.integer({ min: 0, max: IDS.length - 1 }),
  total: fc.integer({ min: 0, max: 20_000_000 }),
  shares: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
  inScopeShare: fc.integer({ min: 0, max: 1000 }),
  day: fc.integer({ min: 0, max: 700 }),
  kind: fc.constantFrom('plain', 'major', 'as', 'qd', 'fee'),
  visit: fc.constantFrom('inpatient', 'outpatient', 'outpatient-special'),
  withInScope: fc.boolean(),
});
export type Gen = typeof genArb extends fc.Arbitrary<infer T> ? T : never;
export function build(g: Gen, i: number): ClaimLine {
  // prior payments as shares of the total that never exceed it
  let left = g.total;
  const parts = g.shares.map((s) => {
    const p = Math.floor((left * s) / 3000);
    left -= p;
    return p;
  });
  const date = new Date(Date.UTC(2024, 0, 1) + g.day * 86400000).toISOString().slice(0, 10);
  const item = g.kind === 'as' ? DRUG : g.kind === 'qd' ? '克唑替尼' : g.kind === 'fee' ? '注射费' : '';
  const dx =
    g.kind === 'major'
      ? ['C34.9', '肺癌']
      : g.kind === 'as' || g.kind === 'fee'
        ? ['M45', '强直性脊柱炎']
        : g.kind === 'qd'
          ? ['C34.9', '非小细胞肺癌']
          : ['I10', '高血压'];
  return line({
    claimId: `P${Math.floor(i / 2)}`,
    lineNo: (i % 2) + 1,
    idNumber: IDS[g.who]!,
    hospital: g.kind === 'as' || g.kind === 'fee' ? '中国医科大学附属第一医院' : '亭湖区人民医院',
    totalCost: fen(g.total),
    inScopeCost: g.withInScope ? fen(Math.floor((g.total * g.inScopeShare) / 1000)) : null,
    basicPaid: fen(parts[0]!),
    seriousIllnessPaid: fen(parts[1]!),
    assistancePaid: fen(parts[2]!),
    supplementaryPaid: fen(parts[3]!),
    hospitalWaiver: fen(parts[4]!),
    settlementDate: date,
    admissionDate: date,
    visitType: g.visit as ClaimLine['visitType'],
    itemName: item,
    diagnosisCode: dx[0],
    diagnosisName: dx[1],
  });
}
export const linesArb = (min: number, max: number) =>
  fc
    .array(genArb, { minLength: min, maxLength: max })
    .map((gs) => gs.map((g, i) => build(i % 2 === 1 ? { ...g, day: gs[i - 1]!.day } : g, i)));

export const roster = people(
  person(IDS[0]!, [['dibao', '2023-01-01', '2026-12-31']]),
  person(IDS[1]!, [['severe-disability', '2023-06-01', '2026-12-31']], { compliance: false }),
  person(IDS[2]!, [['dibao', '2024-03-01', '2024-09-15']], { householdPlace: '盐城市亭湖区' }),
  person(IDS[3]!, [['tekun', '2022-01-01', null]], {
    asSeverity: 'moderate',
    asBiologicQualified: true,
    householdPlace: '江苏省盐城市亭湖区',
  }),
);
export const ALL = ['ln-as-2022', 'qd-rigid-2018', 'th-2021', 'jz-21-2019'];
export const params = { 'qd-rigid-2018': { caps: { 克唑替尼: '30000' } } };
export const key = (r: LineResult) => `${r.line.claimId}|${r.line.lineNo}|${r.line.row}|${r.policy}`;
export const summary = (rs: LineResult[]) =>
  rs
    .map(
      (r) =>
        `${key(r)}|${r.status}|${r.reasons.join(',')}|${fmt(r.base)}|${Object.entries(r.payments)
          .map(([k, v]) => `${k}=${fmt(v)}`)
          .join(';')}|${fmt(r.patientRemaining)}`,
    )
    .sort();
