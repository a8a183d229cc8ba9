// Money is decimal.js only. Every paid or accumulated amount is rounded to 0.01 yuan, ROUND_HALF_UP.
import { Decimal } from 'decimal.js';
import { fenParts, fenText, plainAmountText, wholeFen } from './money-fast.js';

export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Money = Decimal;

export const ZERO: Money = new D(0);

export function money(v: string | number | Decimal): Money {
  return new D(v as Decimal.Value);
}

/** Round to the fen (0.01 yuan), half up — the one rounding rule of the tool. */
export function roundFen(v: Decimal): Money {
  // most amounts rounded are already whole fen (sums of fen): a D of at most two places is its own rounding
  if (v.constructor === D && wholeFen(v)) return v;
  return roundFenSlow(v);
}

/** roundFen's general path (the test compares the two). */
export function roundFenSlow(v: Decimal): Money {
  return new D(v).toDecimalPlaces(2, D.ROUND_HALF_UP);
}

export function sum(values: Iterable<Decimal>): Money {
  let total = new D(0);
  for (const v of values) total = total.plus(v);
  return total;
}

export function minMoney(...values: Decimal[]): Money {
  return D.min(...values);
}

export function maxMoney(...values: Decimal[]): Money {
  return D.max(...values);
}

/** "1234.50" — two decimals, no grouping; the machine format of results. */
export function fmt(v: Decimal): string {
  const p = fenParts(v);
  if (p) return `${p.neg ? '-' : ''}${p.int}.${p.frac}`;
  // more places: rounded half up (a D already rounds half up; only a foreign Decimal is copied into D first)
  return (v.constructor === D ? v : new D(v)).toFixed(2);
}

/** toFixed(2) as decimal.js gives it (the general path, for the test that compares fmt with it). */
export function fmtSlow(v: Decimal): string {
  return (v.constructor === D ? v : new D(v)).toFixed(2);
}

/** "1,234.50" for people. */
export function fmtGrouped(v: Decimal): string {
  const s = new D(v).toFixed(2);
  const neg = s.startsWith('-');
  const [int, frac] = (neg ? s.slice(1) : s).split('.');
  return `${neg ? '-' : ''}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

export type MoneyParse =
  | { ok: true; value: Money }
  | { ok: false; code: 'BAD_AMOUNT' | 'NEGATIVE_AMOUNT' | 'AMOUNT_OUT_OF_RANGE'; detail: string };

const STRIP = /[¥￥元\s\u3000]/g;
/** SPEC §6: any amount of ten billion yuan or more is not a hospital bill (and would overflow the ledger's fen). */
export const AMOUNT_LIMIT = new D('10000000000');
/** thousands separators only in groups of three: 1,234.50 (not 1,2,3) */
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;

/**
 * Parses a money cell exactly. Text: ¥ ￥ 元, thousands separators and spaces are removed.
 * Excel numbers are first brought to Excel's own 15 significant digits (what Excel displays),
 * so a stored 0.30000000000000004 is 0.3 — the decimal is built from the number's shortest
 * text form, never by float arithmetic. More than 2 decimals after that is BAD_AMOUNT.
 * Empty is not handled here (the caller decides default 0 or MISSING_FIELD).
 */
export function parseMoney(cell: unknown): MoneyParse {
  if (typeof cell === 'number') {
    const s = plainAmountText(cell);
    // zero, the commonest amount, is one shared decimal (decimals are immutable)
    if (s !== null) return { ok: true, value: cell === 0 ? ZERO : new D(s) };
  }
  return parseMoneySlow(cell);
}

/** parseMoney without the fast path (exported for the test that compares the two). */
export function parseMoneySlow(cell: unknown): MoneyParse {
  let value: Decimal;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return { ok: false, code: 'BAD_AMOUNT', detail: String(cell) };
    value = new D(String(cell)).toSignificantDigits(15, D.ROUND_HALF_UP);
  } else if (typeof cell === 'string') {
    let s = cell.replace(STRIP, '');
    // full-width digits and signs
    s = s
      .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/[．。]/g, '.')
      .replace(/[－—]/g, '-')
      .replace(/，/g, ',');
    let negative = false;
    if (/^\(.*\)$/.test(s) || /^（.*）$/.test(s)) {
      negative = true;
      s = s.slice(1, -1);
    }
    if (s.includes(',')) {
      if (!GROUPED.test(s)) return { ok: false, code: 'BAD_AMOUNT', detail: cell };
      s = s.replace(/,/g, '');
    }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return { ok: false, code: 'BAD_AMOUNT', detail: cell };
    value = new D(s);
    if (negative) value = value.negated();
  } else {
    return { ok: false, code: 'BAD_AMOUNT', detail: String(cell) };
  }
  if (value.abs().greaterThanOrEqualTo(AMOUNT_LIMIT))
    return { ok: false, code: 'AMOUNT_OUT_OF_RANGE', detail: typeof cell === 'string' ? cell : value.toFixed() };
  if (value.decimalPlaces() > 2)
    return {
      ok: false,
      code: 'BAD_AMOUNT',
      detail: `${typeof cell === 'string' ? cell : value.toString()}（超过2位小数）`,
    };
  if (value.isNegative() && !value.isZero())
    return { ok: false, code: 'NEGATIVE_AMOUNT', detail: typeof cell === 'string' ? cell : value.toString() };
  return { ok: true, value: value.plus(0) };
}

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const SMALL_UNITS = ['', '拾', '佰', '仟'];
const BIG_UNITS = ['', '万', '亿', '万亿'];

/** 大写金额, e.g. 1234.50 → 壹仟贰佰叁拾肆元伍角整. Negative amounts get 负. */
export function chineseCapital(v: Decimal): string {
  const amount = roundFen(v);
  if (amount.isNegative() && !amount.isZero()) return `负${chineseCapital(amount.negated())}`;
  const [intStr, fracStr] = amount.toFixed(2).split('.') as [string, string];
  const jiao = Number(fracStr[0]);
  const fen = Number(fracStr[1]);
  let intPart = '';
  if (intStr !== '0') {
    const groups: string[] = [];
    for (let end = intStr.length; end > 0; end -= 4) groups.unshift(intStr.slice(Math.max(0, end - 4), end));
    let needZero = false;
    groups.forEach((g, gi) => {
      const bigUnit = BIG_UNITS[groups.length - 1 - gi] ?? '';
      const padded = g.padStart(4, '0');
      let groupText = '';
      let groupHasDigit = false;
      for (let i = 0; i < 4; i++) {
        const d = Number(padded[i]);
        if (d === 0) {
          if (groupHasDigit || intPart) needZero = true;
        } else {
          if (needZero && (intPart || groupText)) groupText += '零';
          needZero = false;
          groupText += DIGITS[d]! + SMALL_UNITS[3 - i]!;
          groupHasDigit = true;
        }
      }
      if (groupHasDigit) intPart += groupText + bigUnit;
    });
    intPart += '元';
  }
  if (jiao === 0 && fen === 0) return (intPart || '零元') + '整';
  let frac = '';
  if (jiao > 0) frac += DIGITS[jiao]! + '角';
  else if (intPart) frac += '零';
  if (fen > 0) frac += DIGITS[fen]! + '分';
  else frac += '整';
  return intPart + frac;
}

/** Money → integer fen, for the ledger (exact: amounts carry at most two decimals). */
export function toFen(v: Decimal): number {
  const p = fenParts(v);
  if (p && p.int.length <= 13) {
    const n = Number(p.int + p.frac);
    return p.neg ? -n : n;
  }
  const fen = v.times(100);
  if (!fen.isInteger()) throw new Error(`金额 ${v.toString()} 超过两位小数，不能记入台账`);
  const n = fen.toNumber();
  if (!Number.isSafeInteger(n)) throw new Error(`金额 ${v.toString()} 超出台账可精确记录的范围`);
  return n;
}

/** Integer fen (number or bigint from SQLite) → money. */
export function fromFen(n: number | bigint): Money {
  // a third of stored amounts are 0.00; decimal.js values are immutable, so they share one
  if (n === 0) return ZERO;
  const text = typeof n === 'number' ? fenText(n) : null;
  return text === null ? fromFenSlow(n) : new D(text);
}

/** fromFen's general path (money-fast.ts's fenText is its speed-only twin). */
export function fromFenSlow(n: number | bigint): Money {
  return new D(n.toString()).dividedBy(100);
}
