// Dates are ISO strings 'YYYY-MM-DD' (calendar dates, no time zone): they sort and compare as text.
import { isoDateParts } from './dates-fast.js';

export type IsoDate = string;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

export function iso(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Excel serial day number → calendar date (1900 system with its phantom 1900-02-29, or 1904). */
export function excelSerialToDate(serial: number, date1904 = false): Date {
  const days = date1904 ? serial + 1462 : serial;
  return new Date(Math.round((days - 25569) * 86400 * 1000));
}

function fromDate(d: Date): IsoDate | null {
  if (Number.isNaN(d.getTime())) return null;
  return iso(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

const FULLWIDTH_DIGIT = /[０-９]/g;

/**
 * Parses a date cell: a Date (from a date-formatted Excel cell), an Excel serial number,
 * or text 2024-06-03, 2024/6/3, 2024.6.3, 20240603, 2024年6月3日 (a trailing time is ignored).
 * Returns null when the value is not a real calendar date.
 */
export function parseDate(cell: unknown, date1904 = false): IsoDate | null {
  if (typeof cell === 'string') {
    const parts = isoDateParts(cell);
    if (parts) return isRealDate(parts[0], parts[1], parts[2]) ? cell : null;
  }
  return parseDateSlow(cell, date1904);
}

/** parseDate without the fast path (exported for the test that compares the two). */
export function parseDateSlow(cell: unknown, date1904 = false): IsoDate | null {
  if (cell instanceof Date) return fromDate(cell);
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return null;
    if (Number.isInteger(cell) && cell >= 18000101 && cell <= 29991231) return parseDateSlow(String(cell));
    if (cell >= 1 && cell < 2958466) return fromDate(excelSerialToDate(Math.floor(cell), date1904));
    return null;
  }
  if (typeof cell !== 'string') return null;
  const s = cell.trim().replace(FULLWIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(s);
  if (!m) m = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*\d{1,2}[:时].*)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})(?:\d{6})?$/.exec(s);
  if (!m) {
    // a serial number exported as text
    if (/^\d{5}(\.\d+)?$/.test(s)) return parseDateSlow(Number(s), date1904);
    return null;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isRealDate(y, mo, d) ? iso(y, mo, d) : null;
}

export function monthOf(d: IsoDate): string {
  return d.slice(0, 7);
}

export function yearOf(d: IsoDate): number {
  return Number(d.slice(0, 4));
}

export function addDays(d: IsoDate, days: number): IsoDate {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return fromDate(t)!;
}

/** Adds months, clamping the day to the month's end (2024-01-31 + 1 month = 2024-02-29). */
export function addMonths(d: IsoDate, months: number): IsoDate {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const dim = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return iso(ny, nm, Math.min(day, dim));
}

export function endOfMonth(d: IsoDate): IsoDate {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return iso(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}

/** Whole years between birth and date (age at a date). */
export function ageAt(birth: IsoDate, at: IsoDate): number {
  let age = Number(at.slice(0, 4)) - Number(birth.slice(0, 4));
  if (at.slice(5) < birth.slice(5)) age -= 1;
  return age;
}

/**
 * A month as a clerk types it (SPEC §2.4, issue 18): `2024-06`, `2024-6`, `2024/6`, `2024年6月`, or `prev` —
 * the month before `today` (for cron on the first days of a month). null when it is none of these.
 */
export function parseMonth(text: string, today: Date = new Date()): string | null {
  const t = text.trim();
  if (/^(prev|previous|上月|上个月)$/i.test(t)) {
    const y = today.getFullYear();
    const m = today.getMonth(); // 0-based: the previous month's 1-based number
    return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
  }
  const r = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/.exec(t);
  if (!r) return null;
  const month = Number(r[2]);
  return month >= 1 && month <= 12 ? `${r[1]}-${String(month).padStart(2, '0')}` : null;
}

/** An accumulator's year as a clerk reads it: 2024 年, or 跨年度 for year 0 (kept across years). */
export function yearLabel(year: number): string {
  return year === 0 ? '跨年度' : `${year} 年`;
}
