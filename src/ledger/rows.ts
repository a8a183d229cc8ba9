// Rows as the ledger stores them ↔ values as the program uses them: amounts in fen ↔ Money, texts by id,
// accumulator changes and payments as compact tuples (the conversions of the SQLite ledger, in one room).
import { fmt, fromFen, toFen, ZERO, type Money } from '../domain/money.js';
import type { Accumulator, AccumulatorChange } from '../engine/types.js';
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
