// CSV outputs (SPEC §6): UTF-8 with a BOM so Excel reads them, and no cell that a spreadsheet would run
// as a formula. csv-stringify's escape_formulas covers = + - @ tab CR at the very start; input text is
// also neutralised when the prefix hides behind leading spaces or comes in full-width form (＝＋－＠).
import { stringify } from 'csv-stringify/sync';
import { writeTextAtomic } from './atomic.js';
import { columnMasker } from './masking.js';

const DANGEROUS = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;

/** A text cell from input, made inert: a leading apostrophe when it could start a formula. */
export function neutraliseCsv(text: string): string {
  return DANGEROUS.test(text) ? `'${text}` : text;
}

export type CsvCell = string | number | null;

/** Columns whose values are identifiers made of digits: Excel/WPS would read them as numbers (18 digits lose the last 3). */
const KEY_COLUMN = /身份证|证件号|结算单号|账号/;

/**
 * An identifier cell kept as text by Excel and WPS (and LibreOffice): a trailing tab. Excel turns an 18-digit ID
 * into 3.20902E+17 and keeps only 15 digits when the clerk saves; a cell that is not a plain number is left as
 * text. Systems that import the file trim it (README「CSV」).
 */
function keepAsText(text: string): string {
  return /^\d/.test(text) ? `${text}\t` : text;
}

/** Writes rows (text cells neutralised, numbers as numbers, ID and claim-ID columns kept as text) atomically, with a BOM. */
export async function writeCsvFile(file: string, header: string[], rows: CsvCell[][]): Promise<void> {
  const maskers = header.map((h) => columnMasker(h));
  const keys = header.map((h) => KEY_COLUMN.test(h));
  const cell = (v: CsvCell, i: number): string | number => {
    if (v === null) return '';
    if (typeof v === 'number') return keys[i] ? keepAsText(String(v)) : v;
    const text = neutraliseCsv(maskers[i] ? maskers[i]!(v) : v);
    return keys[i] ? keepAsText(text) : text;
  };
  const safe = rows.map((r) => r.map(cell));
  const text = stringify([header, ...safe], { escape_formulas: false, record_delimiter: 'windows' });
  await writeTextAtomic(file, '\ufeff' + text);
}
