import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { adjudicate, compareLines } from './adjudicate.js';
import { AccumulatorStore } from './accumulators.js';
import { createPolicies } from '../policies/registry.js';
import { line, person, people, genId } from '../testkit.js';
import { D, fmt, sum } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';
import type { LineResult } from './types.js';

const TH = genId('320902', '1960-03-05');
const LN = genId('210102', '1985-04-12');
const DRUG = '注射用重组人Ⅱ型肿瘤坏死因子受体-抗体融合蛋白';

describe('engine', () => {
  test('§3 order: settlementDate, admissionDate, hospital, claimId, lineNo — whatever the file order', () => {
    const a = line({ claimId: 'B', settlementDate: '2024-06-02' });
    const b = line({ claimId: 'A', settlementDate: '2024-06-02', lineNo: 2 });
    const c = line({ claimId: 'A', settlementDate: '2024-06-02', lineNo: 1 });
    const d = line({ claimId: 'Z', settlementDate: '2024-06-01' });
    expect([a, b, c, d].sort(compareLines).map((l) => `${l.claimId}${l.lineNo}`)).toEqual(['Z1', 'A1', 'A2', 'B1']);
  });

  test('layering: th-2021 after ln-as-2022 sees the AS payments as prior payments, so E = 0', () => {
    const who = person(LN, [['dibao', '2023-01-01', '2026-12-31']], { asSeverity: 'severe', asBiologicQualified: true, lastReview: '2024-06-01', householdPlace: '江苏省盐城市亭湖区' });
    const l = line({ idNumber: LN, hospital: '中国医科大学附属第一医院', itemName: DRUG, diagnosisCode: 'M45', totalCost: '1000.00', inScopeCost: '1000.00', basicPaid: '600.00' });
    const { results } = adjudicate([l], people(who), createPolicies(['ln-as-2022', 'th-2021']));
    expect(results.map((r) => [r.policy, r.status, fmt(r.base), fmt(sum(Object.values(r.payments))), fmt(r.patientRemaining)])).toEqual([
      ['ln-as-2022', 'approved', '400.00', '400.00', '0.00'],
      ['th-2021', 'pended', '0.00', '0.00', '0.00'],
    ]);
    expect(results[1]!.reasons).toEqual(['BELOW_DEDUCTIBLE']);
  });

  test('NAME_MISMATCH pends the result and pays nothing', () => {
    const who = person(TH, [['dibao', '2023-01-01', '2026-12-31']], { name: '李四' });
    const r = adjudicate([line({ idNumber: TH, totalCost: '9000.00' })], people(who), createPolicies(['th-2021'])).results[0]!;
    expect([r.status, r.reasons, fmt(r.payments['th-2021.district']!)]).toEqual(['pended', ['NAME_MISMATCH'], '0.00']);
  });

  test('no policy in scope: not-covered, the whole burden stays with the patient', () => {
    const r = adjudicate([line({ totalCost: '88.00', basicPaid: '8.00' })], new Map(), createPolicies(['qd-rigid-2018'])).results[0]!;
    expect([r.policy, r.status, r.reasons, fmt(r.patientRemaining)]).toEqual([null, 'not-covered', ['NO_APPLICABLE_POLICY'], '80.00']);
  });

  test('the input accumulators are not mutated (the engine is pure)', () => {
    const acc = new AccumulatorStore();
    const who = person(TH, [['dibao', '2023-01-01', '2026-12-31']]);
    adjudicate([line({ idNumber: TH, totalCost: '9000.00' })], people(who), createPolicies(['th-2021']), acc);
    expect(acc.map.size).toBe(0);
  });
});

// ---- properties ----

const IDS = [TH, genId('320902', '1950-01-01', '002'), genId('320902', '2015-05-05', '003'), LN];
const fen = (n: number) => new D(n).div(100).toFixed(2);

const genArb = fc
  .record({
    who: fc.integer({ min: 0, max: IDS.length - 1 }),
    total: fc.integer({ min: 0, max: 20_000_000 }),
    shares: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
    inScopeShare: fc.integer({ min: 0, max: 1000 }),
    day: fc.integer({ min: 0, max: 700 }),
    kind: fc.constantFrom('plain', 'major', 'as', 'qd', 'fee'),
    visit: fc.constantFrom('inpatient', 'outpatient', 'outpatient-special'),
    withInScope: fc.boolean(),
  })
  ;
type Gen = typeof genArb extends fc.Arbitrary<infer T> ? T : never;
function build(g: Gen, i: number): ClaimLine {
    // prior payments as shares of the total that never exceed it
    let left = g.total;
    const parts = g.shares.map((s) => {
      const p = Math.floor((left * s) / 3000);
      left -= p;
      return p;
    });
    const date = new Date(Date.UTC(2024, 0, 1) + g.day * 86400000).toISOString().slice(0, 10);
    const item = g.kind === 'as' ? DRUG : g.kind === 'qd' ? '克唑替尼' : g.kind === 'fee' ? '注射费' : '';
    const dx = g.kind === 'major' ? ['C34.9', '肺癌'] : g.kind === 'as' || g.kind === 'fee' ? ['M45', '强直性脊柱炎'] : g.kind === 'qd' ? ['C34.9', '非小细胞肺癌'] : ['I10', '高血压'];
    return line({
      claimId: `P${Math.floor(i / 2)}`, lineNo: (i % 2) + 1, idNumber: IDS[g.who]!, hospital: g.kind === 'as' || g.kind === 'fee' ? '中国医科大学附属第一医院' : '亭湖区人民医院',
      totalCost: fen(g.total), inScopeCost: g.withInScope ? fen(Math.floor((g.total * g.inScopeShare) / 1000)) : null,
      basicPaid: fen(parts[0]!), seriousIllnessPaid: fen(parts[1]!), assistancePaid: fen(parts[2]!), supplementaryPaid: fen(parts[3]!), hospitalWaiver: fen(parts[4]!),
      settlementDate: date, admissionDate: date, visitType: g.visit as ClaimLine['visitType'], itemName: item, diagnosisCode: dx[0], diagnosisName: dx[1],
    });
}
const linesArb = (min: number, max: number) => fc.array(genArb, { minLength: min, maxLength: max }).map((gs) => gs.map((g, i) => build(i % 2 === 1 ? { ...g, day: gs[i - 1]!.day } : g, i)));

const roster = people(
  person(IDS[0]!, [['dibao', '2023-01-01', '2026-12-31']]),
  person(IDS[1]!, [['severe-disability', '2023-06-01', '2026-12-31']], { compliance: false }),
  person(IDS[2]!, [['dibao', '2024-03-01', '2024-09-15']], { householdPlace: '盐城市亭湖区' }),
  person(IDS[3]!, [['tekun', '2022-01-01', null]], { asSeverity: 'moderate', asBiologicQualified: true, householdPlace: '江苏省盐城市亭湖区' }),
);
const ALL = ['ln-as-2022', 'qd-rigid-2018', 'th-2021', 'jz-21-2019'];
const params = { 'qd-rigid-2018': { caps: { 克唑替尼: '30000' } } };
const key = (r: LineResult) => `${r.line.claimId}|${r.line.lineNo}|${r.line.row}|${r.policy}`;
const summary = (rs: LineResult[]) => rs.map((r) => `${key(r)}|${r.status}|${r.reasons.join(',')}|${fmt(r.base)}|${Object.entries(r.payments).map(([k, v]) => `${k}=${fmt(v)}`).join(';')}|${fmt(r.patientRemaining)}`).sort();

describe('properties (fast-check)', () => {
  test('conservation on every line: totalCost = priorPaid + Σ payments + patientRemaining, exactly; payments never negative; nothing paid unless approved', () => {
    fc.assert(
      fc.property(linesArb(1, 30), (lines) => {
        const { results } = adjudicate(lines, roster, createPolicies(ALL, params));
        const byLine = new Map<ClaimLine, LineResult[]>();
        for (const r of results) byLine.set(r.line, [...(byLine.get(r.line) ?? []), r]);
        expect(byLine.size).toBe(lines.length);
        for (const [l, rs] of byLine) {
          const paid = sum(rs.flatMap((r) => Object.values(r.payments)));
          for (const r of rs) {
            expect(l.priorPaid.plus(paid).plus(r.patientRemaining).equals(l.totalCost)).toBe(true);
            for (const v of Object.values(r.payments)) {
              expect(v.isNegative()).toBe(false);
              expect(v.decimalPlaces()).toBeLessThanOrEqual(2);
              if (r.status !== 'approved') expect(v.isZero()).toBe(true);
            }
            expect(r.patientRemaining.isNegative()).toBe(false);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test('no annual cap is exceeded, whatever the split of the lines into batches (accumulators carried between batches), and the split changes nothing', () => {
    fc.assert(
      fc.property(linesArb(2, 30), fc.integer({ min: 1, max: 29 }), (lines, cutAt) => {
        const policies = createPolicies(ALL, params);
        const whole = adjudicate(lines, roster, policies);
        // batches are cut between settlements (a settlement's lines come in one file: the injection
        // fee of ln-as-2022 is in scope only beside its drug line)
        const ordered = [...lines].sort(compareLines);
        const cutDate = ordered[Math.min(cutAt, ordered.length - 1)]!.settlementDate;
        const first = adjudicate(ordered.filter((l) => l.settlementDate < cutDate), roster, policies);
        const second = adjudicate(ordered.filter((l) => l.settlementDate >= cutDate), roster, policies, first.accumulators);
        expect(summary([...first.results, ...second.results])).toEqual(summary(whole.results));
        for (const a of whole.accumulators.map.values()) {
          if (a.policy === 'th-2021' && a.year > 0) {
            const cap = a.key === 'A' ? 50000 : a.key === 'B' ? 70000 : 100000;
            expect(a.entitled.lessThanOrEqualTo(cap)).toBe(true);
            expect(a.paid.lessThanOrEqualTo(a.entitled)).toBe(true);
          }
          if (a.policy === 'qd-rigid-2018') expect(a.paid.lessThanOrEqualTo(30000)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  test('the same input in any file order gives the same results', () => {
    fc.assert(
      fc.property(linesArb(1, 25).chain((ls) => fc.tuple(fc.constant(ls), fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length }))), ([lines, shuffled]) => {
        const policies = createPolicies(ALL, params);
        expect(summary(adjudicate(shuffled, roster, policies).results)).toEqual(summary(adjudicate(lines, roster, policies).results));
      }),
      { numRuns: 100 },
    );
  });
});

