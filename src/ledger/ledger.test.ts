import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { SqliteLedger } from './sqlite.js';
import {
  encodedLine,
  lineContentHash,
  lineRecord,
  RECORD_FIELDS,
  recordFromValues,
  valuesContentHash,
} from './content.js';
import { LINE_SCHEMA } from '../domain/line-schema.js';
import { decodeLine, encodeLine } from '../run/sort-store.js';
import { adjudicateFresh, screenBatch } from '../run/adjudicate-run.js';
import { adjudicate, compareLines } from '../engine/adjudicate.js';
import { createPolicies } from '../policies/registry.js';
import { ALL, params, roster, linesArb, summary, LN, DRUG } from '../engine/arbitraries.fixture.js';
import { fmt, money } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';
import type { LineResult } from '../engine/types.js';
import { line } from '../testkit.js';

const draft = {
  kind: 'adjudicate' as const,
  operator: 'test',
  commandLine: 'test',
  month: '2024-06',
  policies: [],
  inputs: [],
};

async function runBatch(
  ledger: SqliteLedger,
  lines: ClaimLine[],
  supersede = false,
): Promise<{ adjudicated: LineResult[]; skipped: LineResult[]; reversals: number }> {
  const session = ledger.begin(draft);
  // one batch as the run takes it: screened against the ledger, then its fresh lines adjudicated
  const { fresh, skipped, reversals } = screenBatch(ledger, session, lines, supersede);
  const adjudicated: LineResult[] = [];
  adjudicateFresh(ledger, session, fresh, lines, roster, createPolicies(ALL, params), (g) => adjudicated.push(...g));
  await session.commit({ lines: lines.length });
  return { adjudicated, skipped, reversals: reversals.length };
}

function ledgerAccumulators(ledger: SqliteLedger): string[] {
  return (ledger.db.prepare('SELECT * FROM accumulators_text').all() as Record<string, unknown>[])
    .filter((a) => a.base !== 0 || a.paid !== 0 || a.entitled !== 0 || a.first_date)
    .map(
      (a) =>
        `${a.policy}|${a.id_number}|${a.year}|${a.key}|${Number(a.base) / 100}|${Number(a.paid) / 100}|${Number(a.entitled) / 100}|${a.first_date ?? ''}`,
    )
    .sort();
}

/** Batches are cut between settlement dates (a settlement's lines arrive in one file). */
function cut(lines: ClaimLine[], cuts: number[]): ClaimLine[][] {
  const ordered = [...lines].sort(compareLines);
  const dates = [...new Set(cuts.map((c) => ordered[Math.min(c, ordered.length - 1)]!.settlementDate))].sort();
  const batches: ClaimLine[][] = [];
  let from = '';
  for (const d of [...dates, '9999-99-99']) {
    batches.push(ordered.filter((l) => l.settlementDate >= from && l.settlementDate < d));
    from = d;
  }
  return batches.filter((b) => b.length > 0);
}

describe('ledger properties (fast-check, in-memory SQLite)', () => {
  test('any split into runs, accumulators carried through the ledger, gives the single run’s results and accumulators; check passes', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesArb(1, 30),
        fc.array(fc.integer({ min: 0, max: 29 }), { maxLength: 4 }),
        async (lines, cuts) => {
          const whole = adjudicate(lines, roster, createPolicies(ALL, params));
          const ledger = new SqliteLedger(':memory:');
          try {
            const results: LineResult[] = [];
            for (const batch of cut(lines, cuts)) results.push(...(await runBatch(ledger, batch)).adjudicated);
            expect(summary(results)).toEqual(summary(whole.results));
            const expected = [...whole.accumulators.map.values()]
              .filter((a) => !a.base.isZero() || !a.paid.isZero() || !a.entitled.isZero() || a.firstDate)
              .map(
                (a) =>
                  `${a.policy}|${a.idNumber}|${a.year}|${a.key}|${Number(a.base)}|${Number(a.paid)}|${Number(a.entitled)}|${a.firstDate ?? ''}`,
              )
              .sort();
            expect(ledgerAccumulators(ledger)).toEqual(expected);
            expect(ledger.check().problems).toEqual([]);
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('linesOfRun reads a page at a time: any page size gives each run its own lines once, in order, with their results', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesArb(1, 30),
        fc.array(fc.integer({ min: 0, max: 29 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        async (lines, cuts, page) => {
          const ledger = new SqliteLedger(':memory:');
          try {
            for (const batch of cut(lines, cuts)) await runBatch(ledger, batch);
            for (const run of ledger.runs()) {
              const stored = ledger.db
                .prepare(
                  'SELECT l.id, COUNT(r.id) AS n FROM lines l JOIN results r ON r.line_id = l.id WHERE l.run_id = ? GROUP BY l.id ORDER BY l.id',
                )
                .all(run.id)
                .map((x) => Object.values(x as object));
              expect([...ledger.linesOfRun(run.id, page)].map((l) => [l.id, l.results.length])).toEqual(stored);
            }
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('the same batch twice: every line skipped ALREADY_ADJUDICATED, nothing paid, accumulators unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(linesArb(1, 20), async (lines) => {
        const ledger = new SqliteLedger(':memory:');
        try {
          await runBatch(ledger, lines);
          const before = ledgerAccumulators(ledger);
          const again = await runBatch(
            ledger,
            lines.map((l) => ({ ...l, source: 'again.xlsx', row: l.row + 1000 })),
          );
          expect(again.adjudicated).toEqual([]);
          expect(again.skipped.map((r) => r.reasons)).toEqual(lines.map(() => ['ALREADY_ADJUDICATED']));
          expect(ledgerAccumulators(ledger)).toEqual(before);
          expect(ledger.check().problems).toEqual([]);
        } finally {
          ledger.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  test('supersede any subset with changed amounts: accumulators = Σ results − Σ reversals (check passes), never two lines in force per key', async () => {
    await fc.assert(
      fc.asyncProperty(
        linesArb(1, 20),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        async (lines, pick) => {
          const ledger = new SqliteLedger(':memory:');
          try {
            await runBatch(ledger, lines);
            const changed = lines.map((l, i) =>
              pick[i] ? { ...l, totalCost: l.totalCost.plus(1), personalBurden: l.personalBurden.plus(1) } : l,
            );
            const conflict = await runBatch(ledger, changed);
            expect(conflict.skipped.filter((r) => r.reasons[0] === 'CONFLICTING_RESUBMISSION').length).toBe(
              pick.slice(0, lines.length).filter(Boolean).length,
            );
            const fixed = await runBatch(ledger, changed, true);
            expect(
              fixed.adjudicated.map((r) => r.line.claimId + r.line.lineNo).filter((v, i, a) => a.indexOf(v) === i)
                .length,
            ).toBe(pick.slice(0, lines.length).filter(Boolean).length);
            expect(ledger.check().problems).toEqual([]);
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('content hash (what "the same line" means)', () => {
  test('ignores where the line sat in the file; sees every field the hospital sent', async () => {
    const l = line({ claimId: 'X1', totalCost: '100.00' });
    expect(lineContentHash({ ...l, source: 'other.csv', sheet: 'S2', row: 99 })).toBe(lineContentHash(l));
    expect(lineContentHash({ ...l, totalCost: money('100.01') })).not.toBe(lineContentHash(l));
    expect(lineContentHash({ ...l, name: '李四' })).not.toBe(lineContentHash(l));
    expect(lineContentHash({ ...l, referral: true })).not.toBe(lineContentHash(l));
    expect(fmt(money('100'))).toBe('100.00');
  });
});

describe('the line schema keeps stored lines readable', () => {
  test('stored values keep their positions: the fields of 2026-11 in their order, new ones only after them', async () => {
    // written out by hand: the order the trace chunks of existing ledgers hold a line's values in
    const V1 = ['source', 'sheet', 'row', 'claimId', 'lineNo', 'hospital', 'idNumber', 'name', 'visitType'];
    const V1_REST = ['admissionDate', 'dischargeDate', 'settlementDate', 'diagnosisCode', 'diagnosisName', 'itemName'];
    const V1_MONEY = ['totalCost', 'inScopeCost', 'basicPaid', 'seriousIllnessPaid', 'assistancePaid'];
    const V1_END = ['supplementaryPaid', 'hospitalWaiver', 'priorPaid', 'personalBurden', 'referral', 'expertApproval'];
    expect(RECORD_FIELDS.slice(0, 26)).toEqual([...V1, ...V1_REST, ...V1_MONEY, ...V1_END]);
    // version 1 hashes everything the hospital sent, not where the line sat
    expect(
      LINE_SCHEMA.slice(0, 26)
        .filter((f) => f.hashedSince !== 1)
        .map((f) => f.field),
    ).toEqual(['source', 'sheet', 'row']);
  });
});

describe('a line as the external sort and the trace chunks store it (values in RECORD_FIELDS order)', () => {
  test('decoded from the sort: the same text, record and content hash as the line itself gives; the stored trace reads back as its record', async () => {
    await fc.assert(
      fc.asyncProperty(linesArb(1, 6), async (lines) => {
        for (const l of lines) {
          const back = decodeLine(encodeLine(l));
          const made = encodedLine({ ...l });
          expect(encodedLine(back).text).toBe(made.text);
          expect(recordFromValues(encodedLine(back).values)).toEqual(lineRecord(l));
          expect(valuesContentHash(encodedLine(back).values)).toBe(lineContentHash(l));
          expect(valuesContentHash(made.values)).toBe(lineContentHash(l));
        }
      }),
      { numRuns: 200 },
    );
    const ledger = new SqliteLedger(':memory:');
    const l = decodeLine(encodeLine(line({ claimId: 'R1', inScopeCost: null, dischargeDate: null, referral: true })));
    await runBatch(ledger, [l]);
    const stored = ledger.findLines('R1')[0]!;
    expect(ledger.trace(stored).line).toEqual(lineRecord(l));
    expect(ledger.trace(stored).line).toMatchObject({
      claimId: 'R1',
      inScopeCost: null,
      dischargeDate: null,
      referral: true,
      totalCost: l.totalCost.toFixed(2),
    });
    expect(ledger.check().problems).toEqual([]);
  });
});

describe('a settlement is judged whole even when part of it is already in the ledger', () => {
  test('a corrected injection-fee line (--supersede) stays in ln-as-2022 scope beside its already-adjudicated drug line', async () => {
    const base = {
      idNumber: LN,
      hospital: '中国医科大学附属第一医院',
      diagnosisCode: 'M45',
      diagnosisName: '强直性脊柱炎',
      settlementDate: '2024-06-10',
      claimId: 'S9',
    };
    const drug = line({ ...base, lineNo: 1, itemName: DRUG, totalCost: '1000.00' });
    const fee = line({ ...base, lineNo: 2, itemName: '皮下注射费', totalCost: '10.00' });
    const ledger = new SqliteLedger(':memory:');
    try {
      await runBatch(ledger, [drug, fee]);
      const fixedFee = {
        ...fee,
        totalCost: money('12.00'),
        inScopeCost: money('12.00'),
        personalBurden: money('12.00'),
      };
      const r = await runBatch(ledger, [drug, fixedFee], true);
      expect(r.skipped.map((x) => x.reasons[0])).toEqual(['ALREADY_ADJUDICATED']);
      expect(
        r.adjudicated.filter((x) => x.policy === 'ln-as-2022').map((x) => [x.line.lineNo, x.status, fmt(x.base)]),
      ).toEqual([[2, 'approved', '12.00']]);
      expect(ledger.check().problems).toEqual([]);
    } finally {
      ledger.close();
    }
  });
});

describe('issue 17 §9 (ln-as-2022 药品费用（包括注射费用）): a settlement spans runs', () => {
  test('the injection fee resubmitted alone with --supersede, its biologic line already in the ledger, is paid (not not-covered)', async () => {
    const ledger = new SqliteLedger(':memory:');
    const hospital = '中国医科大学附属第一医院';
    const drug = line({
      idNumber: LN,
      hospital,
      claimId: 'AS1',
      lineNo: 1,
      itemName: DRUG,
      diagnosisCode: 'M45',
      totalCost: '1000.00',
      basicPaid: '600.00',
    });
    const fee = line({
      idNumber: LN,
      hospital,
      claimId: 'AS1',
      lineNo: 2,
      itemName: '皮下注射费',
      diagnosisCode: 'M45',
      totalCost: '10.00',
    });
    const first = await runBatch(ledger, [drug, fee]);
    expect(
      first.adjudicated.filter((r) => r.policy === 'ln-as-2022').map((r) => `${r.line.lineNo} ${r.status}`),
    ).toEqual(['1 approved', '2 approved']);
    // the hospital corrects the fee (10.00 → 12.00) and resubmits that line alone
    const corrected = {
      ...fee,
      row: fee.row + 100,
      totalCost: money('12.00'),
      inScopeCost: money('12.00'),
      personalBurden: money('12.00'),
    };
    const again = await runBatch(ledger, [corrected], true);
    expect(again.reversals).toBeGreaterThan(0);
    const as = again.adjudicated.find((r) => r.policy === 'ln-as-2022')!;
    // S = 12.00, F = min(12.00, round(20% × 12.00) = 2.40) = 2.40, T = 9.60
    expect([
      as.status,
      fmt(as.payments['ln-as-2022.special-fund']!),
      fmt(as.payments['ln-as-2022.third-party']!),
    ]).toEqual(['approved', '2.40', '9.60']);
    expect(ledger.check().problems).toEqual([]);
  });
});
