// How a sheet prints (SPEC §7 Printing), shared by the streaming writer and the exceljs reports: orientation,
// fitting or scaling, how far a title spans, how tall a wrapped cell is. Widths are Excel column-width units.

/**
 * A4 between 0.4" margins holds about 110 width units in landscape and 72 in portrait at 100 % (measured: LibreOffice
 * prints a 176-unit table fitted to the width at 6.9 pt, 155 units at 7.9 pt, i.e. ~110 units a page). So a table
 * up to 70 units prints portrait at 100 %; up to 140 landscape, fitted to the width (≥ 11 pt × 110/140 ≈ 8.6 pt); a
 * wider one at 85 % (9.35 pt) across pages with its key columns repeated — never shrunk below 8 pt.
 */
export const PAGE = { portraitWidth: 70, landscapeWidth: 110, fitMaxWidth: 140, wideScale: 85 } as const;

/** Row height of one line of 11 pt text, in points. */
export const LINE_HEIGHT = 15;

export interface PageLayout {
  portrait: boolean;
  /** fitted to one page width; otherwise printed at PAGE.wideScale across pages, key columns repeated */
  fits: boolean;
  /** how many leading columns a title or footer line spans: the whole table, or what the first page shows */
  span: number;
}

export function pageLayout(widths: number[]): PageLayout {
  const total = widths.reduce((a, b) => a + b, 0);
  const fits = total <= PAGE.fitMaxWidth;
  let span = widths.length;
  if (!fits) {
    const page = (PAGE.landscapeWidth * 100) / PAGE.wideScale;
    let w = 0;
    span = 0;
    while (span < widths.length && w + widths[span]! <= page) w += widths[span++]!;
    span = Math.max(1, span);
  }
  return { portrait: total <= PAGE.portraitWidth, fits, span };
}

/** CJK, Hangul, full-width forms and the astral CJK planes print two-thirds wider than Latin (see textWidth). */
function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xd800 && c <= 0xdbff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6)
  );
}

/**
 * Display width of text in column-width units at 11 pt, a little generous: a CJK or full-width character prints
 * 11 pt wide, ~1.6 units (a unit is ~7 pt on the page), others ~0.9. By char code, no regex: the streamed 明细
 * measures its long text cells on every row.
 */
export function textWidth(text: string): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // the second half of a surrogate pair, counted with the first
    w += isWide(c) ? 1.7 : 1;
  }
  return w;
}

const NARROW = /^[\x20-\x7e]*$/;

/** Lines a wrapped cell `width` units wide needs for `text` (explicit newlines included). */
export function linesNeeded(text: string, width: number): number {
  const usable = Math.max(1, width - 1);
  // no character is wider than 1.7 units: a short text fits without measuring (the hot path of 明细)
  if (text.length * 1.7 <= usable) return 1;
  // ID numbers, claim ids, file names: one unit a character, measured by the regex engine
  if (NARROW.test(text)) return Math.max(1, Math.ceil(text.length / usable));
  if (!text.includes('\n')) return Math.max(1, Math.ceil(textWidth(text) / usable));
  return text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(textWidth(part) / usable)), 0);
}

/** Row height for `lines` lines of text of `size` pt. */
/** Columns' width in screen pixels (Excel: a column w characters wide is about 7w + 5 px), for pictures over them. */
export function columnPixels(widths: number[]): number {
  return widths.reduce((a, w) => a + Math.round(7 * w + 5), 0);
}

export function rowHeight(lines: number, size = 11): number {
  return Math.round(lines * LINE_HEIGHT * (size / 11) + 2);
}

/** A column's letters (0 → A, 26 → AA), cached: the streamed sheets name every cell. */
const LETTERS: string[] = [];
export function columnLetter(i: number): string {
  if (LETTERS[i]) return LETTERS[i]!;
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return (LETTERS[i] = s);
}

/** Header/footer text: & starts a code there, so a literal & is doubled. */
export function headerText(text: string): string {
  return text.replace(/&/g, '&&');
}

/** A title as a page header: centred, bold, 14 pt. */
export function pageHeaderTitle(title: string): string {
  return `&C&"-,Bold"&14${headerText(title)}`;
}
