// Batch-level checks on claim lines: a key (hospital, claimId, lineNo) seen twice makes both lines invalid.
import type { ClaimLine, RowError } from '../domain/types.js';

export function lineKey(l: { hospital: string; claimId: string; lineNo: number | null }): string {
  return `${l.hospital}\u0001${l.claimId}\u0001${l.lineNo ?? 1}`;
}

export function splitDuplicates(lines: ClaimLine[]): { valid: ClaimLine[]; duplicates: RowError[] } {
  const count = new Map<string, number>();
  for (const l of lines) {
    const k = lineKey(l);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const valid: ClaimLine[] = [];
  const duplicates: RowError[] = [];
  const where = new Map<string, string[]>();
  for (const l of lines) {
    const k = lineKey(l);
    if ((count.get(k) ?? 0) > 1) {
      const list = where.get(k) ?? [];
      list.push(`${l.source}${l.sheet ? `/${l.sheet}` : ''} 第${l.row}行`);
      where.set(k, list);
    }
  }
  for (const l of lines) {
    const k = lineKey(l);
    if ((count.get(k) ?? 0) > 1) {
      duplicates.push({
        source: l.source, sheet: l.sheet, row: l.row, idNumber: l.idNumber, name: l.name, claimId: l.claimId, lineNo: l.lineNo, hospital: l.hospital,
        issues: [{ code: 'DUPLICATE_LINE', column: '结算单号', detail: `${l.hospital} 结算单号 ${l.claimId} 行号 ${l.lineNo} 重复出现：${where.get(k)!.join('、')}` }],
      });
    } else valid.push(l);
  }
  return { valid, duplicates };
}
