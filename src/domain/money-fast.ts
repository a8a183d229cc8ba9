// Speed-only paths of money.ts, beside their general twins there (fmtSlow, parseMoneySlow, toFen's
// decimal.js path); src/domain/parsers.test.ts compares each with its twin (property tests). Every paid or accumulated amount
// is rounded to the fen, so these answer for almost every amount the tool formats or stores.
import type { Decimal } from 'decimal.js';

/**
 * A decimal with at most two decimal places as its sign and digits (integer part, two-digit fraction), read
 * from decimal.js's own representation — the coefficient words `d` (base 1e7, the first 1–7 digits, the rest
 * 7 each) and the exponent `e` of the leading digit, exactly as its digitsToString and finiteToString read
 * them — without building another Decimal; null when it has more places (rounding needed) or is not finite.
 * Every paid or accumulated amount is rounded to the fen, so this is almost every amount the tool formats.
 */
export function fenParts(v: Decimal): { neg: boolean; int: string; frac: string } | null {
  const x = v as unknown as { d: number[] | null; e: number; s: number };
  const d = x.d;
  if (!d) return null;
  let digits = String(d[0]);
  for (let i = 1; i < d.length; i++) {
    const w = String(d[i]);
    digits += w.length === 7 ? w : '0000000'.slice(w.length) + w;
  }
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  if (end !== digits.length) digits = digits.slice(0, end);
  // zero prints without a sign (as toFixed does)
  if (digits === '0') return { neg: false, int: '0', frac: '00' };
  const intLen = x.e + 1;
  const fracLen = digits.length - intLen;
  if (fracLen > 2) return null;
  const neg = x.s < 0;
  if (intLen <= 0) return { neg, int: '0', frac: ('0'.repeat(-intLen) + digits).padEnd(2, '0') };
  if (fracLen <= 0) return { neg, int: fracLen === 0 ? digits : digits + '0'.repeat(-fracLen), frac: '00' };
  return { neg, int: digits.slice(0, intLen), frac: fracLen === 2 ? digits.slice(intLen) : digits.slice(intLen) + '0' };
}

/** at most 10 integer digits: below AMOUNT_LIMIT */
const PLAIN_FEN = /^\d{1,10}(\.\d{1,2})?$/;

/**
 * The common money cell: a non-negative number whose shortest text has at most 10 integer digits and 2
 * decimals — at most 15 significant digits, so Excel's rounding leaves it as it is; its text, from which one
 * Decimal is built (instead of three). null: take the general path.
 */
export function plainAmountText(cell: number): string | null {
  const s = String(cell);
  return PLAIN_FEN.test(s) ? s : null;
}

/**
 * Whether a finite decimal has at most two decimal places, from its representation: the last coefficient word
 * holds digits down to 10^(e − 7·(words − 1) − (leading width − 1)); trailing zeros of that word do not count.
 * The same answer as decimalPlaces() <= 2, without its work.
 */
export function wholeFen(v: Decimal): boolean {
  const x = v as unknown as { d: number[] | null; e: number };
  const d = x.d;
  if (!d) return false;
  let last = d[d.length - 1]!;
  if (last === 0) return true; // zero: decimal.js keeps [0]
  // the exponent of the last word's lowest digit
  let low = x.e - String(d[0]).length + 1 - 7 * (d.length - 1);
  while (last % 10 === 0) {
    last /= 10;
    low++;
  }
  return low >= -2;
}

/**
 * Integer fen as the text of its yuan ("-123.45"), which decimal.js parses into the same value as its twin
 * `fromFenSlow` (n / 100) — a parse instead of a division, for every amount read back from the ledger. null
 * for a fen count that is not a safe integer (take the general path).
 */
export function fenText(n: number): string | null {
  if (!Number.isSafeInteger(n)) return null;
  const neg = n < 0;
  const s = String(neg ? -n : n).padStart(3, '0');
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}
