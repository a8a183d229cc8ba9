import { ZERO, type Money } from '../domain/money.js';
import type { IsoDate } from '../domain/dates.js';
import type { Accumulator, AccumulatorChange, AccumulatorKey, AccumulatorReader } from './types.js';

export function accKey(k: AccumulatorKey): string {
  return `${k.policy}|${k.idNumber}|${k.year}|${k.key}`;
}

/** The earlier of two dates (null = none): a first-claim date only moves earlier. */
export function minDate(a: IsoDate | null, b: IsoDate | null): IsoDate | null {
  if (a === null) return b;
  if (b === null) return a;
  return a <= b ? a : b;
}

/**
 * The one rule for adding to an accumulator, whatever the amounts are held in (Decimal in the engine, integer fen
 * in the ledger's batched writes and its check): amounts add up, a first-claim date only moves earlier.
 */
export function addAmounts<N>(
  cur: { base: N; paid: N; entitled: N; firstDate: IsoDate | null },
  c: { base?: N | null; paid?: N | null; entitled?: N | null; firstDate?: IsoDate | null },
  plus: (a: N, b: N) => N,
): { base: N; paid: N; entitled: N; firstDate: IsoDate | null } {
  return {
    base: c.base == null ? cur.base : plus(cur.base, c.base),
    paid: c.paid == null ? cur.paid : plus(cur.paid, c.paid),
    entitled: c.entitled == null ? cur.entitled : plus(cur.entitled, c.entitled),
    firstDate: minDate(cur.firstDate, c.firstDate ?? null),
  };
}

// every change the engine books is whole fen (its line check), so a sum of them is too: nothing to round here
const plusMoney = (a: Money, b: Money): Money => a.plus(b);

export const EMPTY: Accumulator = Object.freeze({ base: ZERO, paid: ZERO, entitled: ZERO, firstDate: null });

/** In-memory accumulators: the engine's working copy (the ledger loads and stores them). */
export class AccumulatorStore implements AccumulatorReader {
  readonly map = new Map<string, Accumulator & AccumulatorKey>();
  get(k: AccumulatorKey): Accumulator {
    return this.map.get(accKey(k)) ?? EMPTY;
  }
  apply(c: AccumulatorChange): void {
    const key = accKey(c);
    const cur = this.map.get(key) ?? { policy: c.policy, idNumber: c.idNumber, year: c.year, key: c.key, ...EMPTY };
    this.map.set(key, { ...cur, ...addAmounts(cur, c, plusMoney) });
  }
  set(k: AccumulatorKey, a: Accumulator): void {
    this.map.set(accKey(k), {
      policy: k.policy,
      idNumber: k.idNumber,
      year: k.year,
      key: k.key,
      base: a.base,
      paid: a.paid,
      entitled: a.entitled,
      firstDate: a.firstDate,
    });
  }
  clone(): AccumulatorStore {
    const s = new AccumulatorStore();
    for (const [k, v] of this.map) s.map.set(k, { ...v });
    return s;
  }
}
