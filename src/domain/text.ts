/** Removes all white space (ASCII, full-width U+3000, NBSP, line breaks) and unifies brackets. */
export function normalizeLabel(s: string): string {
  return s
    .replace(/[\s\u3000\u00a0\ufeff\u200b]/g, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）')
    .replace(/[０-９Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * SPEC §5 line keys as a clerk means them — claim ID, line number, hospital: NFKC (full-width letters,
 * digits and brackets to their plain forms), no spaces or zero-width characters, brackets unified, upper
 * case. `th2024…`, `ＴＨ2024…` and `TH 2024…` are one line. Claim IDs are kept and shown in this form.
 */
export function normalizeKey(s: string): string {
  return normalizeLabel(s.normalize('NFKC'))
    .replace(/[\u200b-\u200d\u2060\u00ad]/g, '')
    .replace(/[[【〔［]/g, '（')
    .replace(/[\]】〕］]/g, '）')
    .toUpperCase();
}

/** Cell → trimmed text ('' for empty). Numbers keep their shortest text form. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  // an out-of-range date (a huge serial in a date-formatted cell) has no ISO form: shown as empty
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'object' && cell && 'error' in cell) return String((cell as { error: string }).error);
  return String(cell);
}

/** Edit distance (insert, delete, substitute), for "did you mean" in messages. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

/** The candidate closest to `word` (case-insensitive edit distance), for messages; null when there is none. */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** "（最接近的是“rosters”）" or '' */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const n = nearest(word, candidates);
  return n ? `（最接近的是“${n}”）` : '';
}
