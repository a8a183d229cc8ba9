// The speed-only path of dates.ts's parseDate, beside its general twin parseDateSlow (compared in the
// parser property tests): the common cell is already 'YYYY-MM-DD'.

const ISO_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

/** [year, month, day] of text shaped exactly YYYY-MM-DD (checked digit by digit), else null. */
export function isoDateParts(cell: string): [number, number, number] | null {
  if (cell.length !== 10 || cell.charCodeAt(4) !== 45 || cell.charCodeAt(7) !== 45) return null;
  for (const i of ISO_DIGITS) {
    const c = cell.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const y = Number(cell.slice(0, 4));
  const m = (cell.charCodeAt(5) - 48) * 10 + cell.charCodeAt(6) - 48;
  const d = (cell.charCodeAt(8) - 48) * 10 + cell.charCodeAt(9) - 48;
  return [y, m, d];
}
