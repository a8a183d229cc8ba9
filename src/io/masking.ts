// --mask: workbooks and CSV files for sharing, with ID numbers (210102********1234) and names (张*明)
// masked in every column whose header names them. The ledger and results.jsonl keep the full values.
import { mask, maskName } from '../domain/id-number.js';

let enabled = false;

export function setMaskOutputs(on: boolean): void {
  enabled = on;
}
export function maskOutputs(): boolean {
  return enabled;
}

/** The masking function for a column, by its header, or null when the column is not personal. */
export function columnMasker(header: string): ((v: string) => string) | null {
  if (!enabled) return null;
  if (header.includes('身份证')) return mask;
  if (header.includes('姓名')) return maskName;
  return null;
}
