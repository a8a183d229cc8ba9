// Rows as the ledger stores them ↔ values as the program uses them: amounts in fen ↔ Money, texts by id,
// accumulator changes and payments as compact tuples (the conversions of the SQLite ledger, in one room).
import { fmt, fromFen, toFen, ZERO, type Money } from '../domain/money.js';
import type { Accumulator, AccumulatorChange } from '../engine/types.js';
import type { ClaimLine } from '../domain/types.js';
import { detailEntries, paymentEntries, type ChangeTuple, type TextOf } from './texts.js';
import type { AccumulatorJson, TraceEntry } from './store.js';

/** A trace chunk entry as stored: the line as a record (before issue 6) or as its values in RECORD_FIELDS order. */
export type StoredTraceEntry = Omit<TraceEntry, 'line'> & {
  line: TraceEntry['line'] | (string | number | boolean | null)[];
};

export type Row = Record<string, unknown>;
/** Changes as tuples in fen (a reversal's negated, without the first-claim date). */
export function toChangeTuples(changes: AccumulatorChange[], sign = 1): ChangeTuple[] {
  return changes.map((c) => [
    c.year,
    c.key,
    sign * toFen(c.base ?? ZERO),
    sign * toFen(c.paid ?? ZERO),
    sign * toFen(c.entitled ?? ZERO),
    sign > 0 ? (c.firstDate ?? null) : null,
  ]);
}
export function fromChangeTuples(tuples: ChangeTuple[], policy: string, idNumber: string): AccumulatorChange[] {
  return tuples.map(([year, key, base, paid, entitled, firstDate]) => ({
    policy,
    idNumber,
    year,
    key,
    base: fromFen(base),
    paid: fromFen(paid),
    entitled: fromFen(entitled),
    ...(firstDate ? { firstDate } : {}),
  }));
}
/** Payments in fen; a fund paid nothing is left out. */
export function toPaymentEntries(p: Record<string, Money>, sign = 1): [string, number][] {
  return Object.entries(p)
    .filter(([, v]) => !v.isZero())
    .map(([k, v]) => [k, sign * toFen(v)]);
}
/** A result's payments as stored (schema 3), as amounts. */
export function storedPayments(stored: string | null, text: TextOf): Record<string, Money> {
  return Object.fromEntries(paymentEntries(stored, text).map(([k, v]) => [k, fromFen(v)]));
}
/** A result's details as stored (schema 3), as an object or null. */
export function storedDetails(stored: string | null, text: TextOf): Record<string, string> | null {
  const e = detailEntries(stored, text);
  return e === null ? null : (Object.fromEntries(e) as Record<string, string>);
}
/** A result's payee as stored (schema 3): NULL when it is the line's hospital (most are; it saves the name per result). */
export function storedPayee(stored: number | null, hospital: string, text: TextOf): string {
  return stored === null ? hospital : text(stored);
}
/** A line's content hash as stored: 16 bytes (ledgers written before 2026-11-23 hold 32 hex characters). */
export function storedHash(h: string | Buffer): string {
  return typeof h === 'string' ? h : h.toString('hex');
}
export function accJson(a: Accumulator): AccumulatorJson {
  return { base: fmt(a.base), paid: fmt(a.paid), entitled: fmt(a.entitled), firstDate: a.firstDate };
}

/** An accumulator row (fen columns) as amounts. */
export function accumulatorFromRow(r: Row): Accumulator {
  return {
    base: fromFen(r.base as number),
    paid: fromFen(r.paid as number),
    entitled: fromFen(r.entitled as number),
    firstDate: (r.first_date as string) ?? null,
  };
}

/** An accumulator change in fen (`sign` -1 for a reversal, which never moves a first-claim date). */
export function fenChange(c: AccumulatorChange, sign: 1 | -1 = 1) {
  return {
    idNumber: c.idNumber,
    policy: c.policy,
    year: c.year,
    key: c.key,
    base: sign * toFen(c.base ?? ZERO),
    paid: sign * toFen(c.paid ?? ZERO),
    entitled: sign * toFen(c.entitled ?? ZERO),
    firstDate: sign > 0 ? (c.firstDate ?? null) : null,
  };
}

/** A summed change in fen back as amounts (the engine adds Money). */
export function moneyChange(d: ReturnType<typeof fenChange>): AccumulatorChange {
  return {
    policy: d.policy,
    idNumber: d.idNumber,
    year: d.year,
    key: d.key,
    base: fromFen(d.base),
    paid: fromFen(d.paid),
    entitled: fromFen(d.entitled),
    ...(d.firstDate ? { firstDate: d.firstDate } : {}),
  };
}

/** A line's amounts as stored, in the order of the lines table's money columns. */
export function lineAmountsFen(line: ClaimLine, patientRemaining: Money): number[] {
  return [
    toFen(line.totalCost),
    toFen(line.basicPaid),
    toFen(line.seriousIllnessPaid),
    toFen(line.assistancePaid),
    toFen(line.supplementaryPaid.plus(line.hospitalWaiver)),
    toFen(line.personalBurden),
    toFen(patientRemaining),
  ];
}

/** A lines row's amounts (other_paid holds 其他保障 + 医院减免). */
export function lineAmountsFromRow(r: Row) {
  return {
    totalCost: fromFen(r.total_cost as number),
    basicPaid: fromFen(r.basic_paid as number),
    seriousIllnessPaid: fromFen(r.serious_paid as number),
    assistancePaid: fromFen(r.assistance_paid as number),
    otherPaid: fromFen(r.other_paid as number),
    personalBurden: fromFen(r.personal_burden as number),
    patientRemaining: fromFen(r.patient_remaining as number),
  };
}

/** A result's base as stored (fen). */
export function resultBaseFen(base: Money): number {
  return toFen(base);
}
/** A results row's base. */
export function resultBaseFromRow(r: Row): Money {
  return fromFen(r.base as number);
}
/** A reversal's stored payments ({fund: fen}) as amounts. */
export function paymentsFromFen(stored: Record<string, number>): Record<string, Money> {
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, fromFen(v)]));
}
/** Accumulator amounts in fen, as a line of `ledger check`'s message. */
export function fenAmountsText(d: { base: number; paid: number; entitled: number; firstDate?: string | null }): string {
  return `基数 ${fmt(fromFen(d.base))}、支付 ${fmt(fromFen(d.paid))}、应救助 ${fmt(fromFen(d.entitled))}${d.firstDate ? `、首次 ${d.firstDate}` : ''}`;
}
