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

/** Writes rows (text cells neutralised, numbers as numbers) atomically, with a BOM. */
export async function writeCsvFile(file: string, header: string[], rows: CsvCell[][]): Promise<void> {
  const maskers = header.map((h) => columnMasker(h));
  const safe = rows.map((r) => r.map((v, i) => (typeof v === 'string' ? neutraliseCsv(maskers[i] ? maskers[i]!(v) : v) : v === null ? '' : v)));
  const text = stringify([header, ...safe], { escape_formulas: false, record_delimiter: 'windows' });
  await writeTextAtomic(file, '\ufeff' + text);
}
