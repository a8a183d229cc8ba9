export interface CellError {
  error: string;
}
/** A cell as read from a sheet: text, number, boolean, Date (date-formatted numbers), error, or empty. */
export type CellValue = string | number | boolean | Date | CellError | null;

export interface RawRow {
  sheet: string;
  /** 1-based row number as the clerk sees it in Excel (or the record number in a CSV). */
  row: number;
  cells: CellValue[];
}

export function isCellError(v: unknown): v is CellError {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && 'error' in v;
}

export function isBlankRow(cells: CellValue[]): boolean {
  for (const c of cells) {
    if (c === null || c === undefined) continue;
    if (typeof c === 'string' && c.trim() === '') continue;
    return false;
  }
  return true;
}
