import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { adjudicate, compareLines } from './adjudicate.js';
import { AccumulatorStore } from './accumulators.js';
import { createPolicies } from '../policies/registry.js';
import { line, person, people } from '../testkit.js';
import { TH, LN, DRUG, ALL, params, roster, linesArb, summary } from './arbitraries.fixture.js';
import { D, fmt, sum } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';
import type { LineResult, Policy } from './types.js';

/** A policy that decides whatever `decide` says, paying into one fund of its own (for the engine's own checks). */
function roguePolicy(decide: Policy['decide']): Policy {
  return {
    ...createPolicies(['th-2021'])[0]!,
    id: 'rogue',
    funds: [{ id: 'rogue.fund', name: '测试资金' }],
    inScope: () => true,
    decide,
  };
}

describe('engine', () => {
  test('§3 order: settlementDate, admissionDate, hospital, claimId, lineNo — whatever the file order', () => {
    const a = line({ claimId: 'B', settlementDate: '2024-06-02' });
    const b = line({ claimId: 'A', settlementDate: '2024-06-02', lineNo: 2 });
    const c = line({ claimId: 'A', settlementDate: '2024-06-02', lineNo: 1 });
    const d = line({ claimId: 'Z', settlementDate: '2024-06-01' });
    expect([a, b, c, d].sort(compareLines).map((l) => `${l.claimId}${l.lineNo}`)).toEqual(['Z1', 'A1', 'A2', 'B1']);
  });

  test('layering: th-2021 after ln-as-2022 sees the AS payments as prior payments, so E = 0', () => {
    const who = person(LN, [['dibao', '2023-01-01', '2026-12-31']], {
      asSeverity: 'severe',
      asBiologicQualified: true,
      lastReview: '2024-06-01',
      householdPlace: '江苏省盐城市亭湖区',
    });
    const l = line({
      idNumber: LN,
      hospital: '中国医科大学附属第一医院',
      itemName: DRUG,
      diagnosisCode: 'M45',
      totalCost: '1000.00',
      inScopeCost: '1000.00',
      basicPaid: '600.00',
    });
    const { results } = adjudicate([l], people(who), createPolicies(['ln-as-2022', 'th-2021']));
    expect(
      results.map((r) => [
        r.policy,
        r.status,
        fmt(r.base),
        fmt(sum(Object.values(r.payments))),
        fmt(r.patientRemaining),
      ]),
    ).toEqual([
      ['ln-as-2022', 'approved', '400.00', '400.00', '0.00'],
      ['th-2021', 'pended', '0.00', '0.00', '0.00'],
    ]);
    expect(results[1]!.reasons).toEqual(['BELOW_DEDUCTIBLE']);
  });

  test('NAME_MISMATCH pends the result and pays nothing', () => {
    const who = person(TH, [['dibao', '2023-01-01', '2026-12-31']], { name: '李四' });
    const r = adjudicate([line({ idNumber: TH, totalCost: '9000.00' })], people(who), createPolicies(['th-2021']))
      .results[0]!;
    expect([r.status, r.reasons, fmt(r.payments['th-2021.district']!)]).toEqual(['pended', ['NAME_MISMATCH'], '0.00']);
  });

  test('no policy in scope: not-covered, the whole burden stays with the patient', () => {
    const r = adjudicate(
      [line({ totalCost: '88.00', basicPaid: '8.00' })],
      new Map(),
      createPolicies(['qd-rigid-2018']),
    ).results[0]!;
    expect([r.policy, r.status, r.reasons, fmt(r.patientRemaining)]).toEqual([
      null,
      'not-covered',
      ['NO_APPLICABLE_POLICY'],
      '80.00',
    ]);
  });

  test('SPEC §6: th-2021 never pays more than the patient still bears — in-scope 9,000 on a 5,000 line pays at most 5,000 (a trace step says so)', () => {
    // 一类 A: (9000 − 3000) × 50% = 3000 would be within 5000; ratio 100% makes the formula give 6000
    const who = person(TH, [['tekun', '2023-01-01', '2026-12-31']]);
    const policies = createPolicies(['th-2021'], { 'th-2021': { ratio: { A: '1', B: '1', C: '1' } } });
    const r = adjudicate([line({ idNumber: TH, totalCost: '5000.00', inScopeCost: '9000.00' })], people(who), policies)
      .results[0]!;
    expect([r.status, fmt(r.payments['th-2021.district']!), fmt(r.patientRemaining)]).toEqual([
      'approved',
      '5000.00',
      '0.00',
    ]);
    expect(r.trace.find((t) => t.step === '以个人仍负担的费用为限')?.result).toBe(
      '支付 = min(6000.00, 5000.00) = 5000.00',
    );
    expect(fmt(r.changes[0]!.paid!)).toBe('5000.00');
  });

  test('SPEC §6: a line whose results break an invariant is pended CHECK_FAILED, nothing paid or accumulated; the other lines go on', () => {
    const rogue = roguePolicy(({ line: l }) => ({
      reasons: [],
      base: l.totalCost,
      payments: { 'rogue.fund': l.claimId === 'BAD' ? l.totalCost.plus(1) : D(0).plus('10.00') },
      changes: [{ policy: 'rogue', idNumber: l.idNumber, year: 2024, key: 'x', paid: D(1) }],
      trace: [],
      payee: l.hospital,
    }));
    const bad = line({ claimId: 'BAD', totalCost: '100.00' });
    const good = line({ claimId: 'GOOD', totalCost: '100.00', settlementDate: '2024-06-11' });
    const { results, accumulators } = adjudicate([bad, good], new Map(), [rogue]);
    expect(
      results.map((r) => [
        r.line.claimId,
        r.status,
        r.reasons,
        fmt(r.payments['rogue.fund']!),
        fmt(r.patientRemaining),
      ]),
    ).toEqual([
      ['BAD', 'pended', ['CHECK_FAILED'], '0.00', '100.00'],
      ['GOOD', 'approved', [], '10.00', '90.00'],
    ]);
    expect(results[0]!.trace.at(-1)!.inputs).toEqual({ 核对: '各政策支付合计 101.00 超过个人负担 100.00' });
    expect(results[0]!.changes).toEqual([]);
    expect(fmt(accumulators.get({ policy: 'rogue', idNumber: good.idNumber, year: 2024, key: 'x' }).paid)).toBe('1.00');
  });

  test('SPEC §6: an accumulator change below the fen is CHECK_FAILED too — nothing booked, nothing rounded on the way', () => {
    const rogue = roguePolicy(({ line: l }) => ({
      reasons: [],
      base: l.totalCost,
      payments: { 'rogue.fund': D('10.00') },
      changes: [{ policy: 'rogue', idNumber: l.idNumber, year: 2024, key: 'x', entitled: D('3.335') }],
      trace: [],
      payee: l.hospital,
    }));
    const { results, accumulators } = adjudicate([line({ totalCost: '100.00' })], new Map(), [rogue]);
    const r = results[0]!;
    expect([r.status, r.reasons, fmt(r.payments['rogue.fund']!), fmt(r.patientRemaining)]).toEqual([
      'pended',
      ['CHECK_FAILED'],
      '0.00',
      '100.00',
    ]);
    expect(r.trace.at(-1)!.inputs).toEqual({ 核对: 'rogue 的累计额 x 变动 3.335 超过两位小数' });
    expect(accumulators.map.size).toBe(0);
  });

  test('the input accumulators are not mutated (the engine is pure)', () => {
    const acc = new AccumulatorStore();
    const who = person(TH, [['dibao', '2023-01-01', '2026-12-31']]);
    adjudicate([line({ idNumber: TH, totalCost: '9000.00' })], people(who), createPolicies(['th-2021']), acc);
    expect(acc.map.size).toBe(0);
  });
});

// ---- properties ----

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
        const first = adjudicate(
          ordered.filter((l) => l.settlementDate < cutDate),
          roster,
          policies,
        );
        const second = adjudicate(
          ordered.filter((l) => l.settlementDate >= cutDate),
          roster,
          policies,
          first.accumulators,
        );
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
      fc.property(
        linesArb(1, 25).chain((ls) =>
          fc.tuple(fc.constant(ls), fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length })),
        ),
        ([lines, shuffled]) => {
          const policies = createPolicies(ALL, params);
          expect(summary(adjudicate(shuffled, roster, policies).results)).toEqual(
            summary(adjudicate(lines, roster, policies).results),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
