// Batch-level checks on claim lines: a key (hospital, claimId, lineNo) seen twice makes both lines invalid.
import type { ClaimLine, RowError } from '../domain/types.js';

export function lineKey(l: { hospital: string; claimId: string; lineNo: number | null }): string {
  return `${l.hospital}\u0001${l.claimId}\u0001${l.lineNo ?? 1}`;
}

/** `duplicateLines[i]` is the line `duplicates[i]` reports (files of the same name in two folders stay apart). */
export function splitDuplicates(lines: ClaimLine[]): {
  valid: ClaimLine[];
  duplicates: RowError[];
  duplicateLines: ClaimLine[];
} {
  const byKey = new Map<string, ClaimLine[]>();
  for (const l of lines) {
    const k = lineKey(l);
    const list = byKey.get(k);
    if (list) list.push(l);
    else byKey.set(k, [l]);
  }
  const valid: ClaimLine[] = [];
  const duplicates: RowError[] = [];
  const duplicateLines: ClaimLine[] = [];
  for (const l of lines) {
    const same = byKey.get(lineKey(l))!;
    if (same.length === 1) {
      valid.push(l);
      continue;
    }
    duplicates.push(duplicateError(l, same));
    duplicateLines.push(l);
  }
  return { valid, duplicates, duplicateLines };
}

/** The DUPLICATE_LINE row error of one copy, naming where every copy sits. */
export function duplicateError(l: ClaimLine, same: ClaimLine[]): RowError {
  const where = same.map((d) => `${d.source}${d.sheet ? `/${d.sheet}` : ''} 第${d.row}行`).join('、');
  return {
    source: l.source,
    sheet: l.sheet,
    row: l.row,
    idNumber: l.idNumber,
    name: l.name,
    claimId: l.claimId,
    lineNo: l.lineNo,
    hospital: l.hospital,
    issues: [
      {
        code: 'DUPLICATE_LINE',
        column: '结算单号',
        detail: `${l.hospital} 结算单号 ${l.claimId} 行号 ${l.lineNo} 重复出现：${where}`,
      },
    ],
  };
}
