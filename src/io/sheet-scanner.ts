// A hand tokenizer for worksheet XML (the big part of a workbook). It knows only what a sheet holds —
// <row>, <c> with r/t/s, <v>, <is>/<t> (rich runs, phonetic <rPh> skipped), <f> ignored — and scans
// the decoded text with indexOf instead of a general XML parser, several times faster than saxes.
// Namespace prefixes (<x:row>) are accepted; comments, processing instructions and CDATA are handled;
// only the five predefined and numeric character references are decoded — a DOCTYPE's entities are
// never expanded.

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITY[e] ?? m;
  });
}

/** The value of attribute `name` in a tag's text (`r="A1" t="s"`), or null. */
export function attr(tag: string, name: string): string | null {
  let from = 0;
  for (;;) {
    const i = tag.indexOf(name, from);
    if (i < 0) return null;
    const before = i === 0 ? ' ' : tag[i - 1]!;
    let j = i + name.length;
    while (tag[j] === ' ') j++;
    if ((before === ' ' || before === '\t' || before === '\n' || before === '\r' || before === ':') && tag[j] === '=') {
      j++;
      while (tag[j] === ' ') j++;
      const q = tag[j];
      if (q === '"' || q === "'") {
        const end = tag.indexOf(q, j + 1);
        if (end < 0) return null;
        return decodeXml(tag.slice(j + 1, end));
      }
      return null;
    }
    from = i + name.length;
  }
}

/**
 * `<!…` at `lt`: a comment, CDATA (its text to `cdata`, when given) or a DOCTYPE (skipped, its entities never
 * expanded). Returns the position after it, -1 when it is not complete in `buf` yet, 0 when it is none of these.
 */
export function skipMarkup(buf: string, lt: number, cdata: ((t: string) => void) | null): number {
  if (buf.startsWith('<!--', lt)) {
    const end = buf.indexOf('-->', lt + 4);
    return end < 0 ? -1 : end + 3;
  }
  if (buf.startsWith('<![CDATA[', lt)) {
    const end = buf.indexOf(']]>', lt + 9);
    if (end < 0) return -1;
    cdata?.(buf.slice(lt + 9, end));
    return end + 3;
  }
  if (buf.startsWith('<!DOCTYPE', lt)) {
    const bracket = buf.indexOf('[', lt);
    const gt = buf.indexOf('>', lt);
    if (gt < 0) return -1;
    if (bracket >= 0 && bracket < gt) {
      const end = buf.indexOf(']>', bracket);
      return end < 0 ? -1 : end + 2;
    }
    return gt + 1;
  }
  return 0;
}

/**
 * The tag whose text runs from `start` (just after '<') to its '>' at `end`: its local name (a namespace
 * prefix dropped), where the name ends, and whether it is a closing or a self-closing tag.
 */
export function readTag(
  buf: string,
  start: number,
  end: number,
): { name: string; nameEnd: number; closing: boolean; selfClosing: boolean } {
  const closing = buf.charCodeAt(start) === 47; /* / */
  let i = closing ? start + 1 : start;
  let j = i;
  while (j < end) {
    const ch = buf.charCodeAt(j);
    if (ch === 32 || ch === 47 || ch === 9 || ch === 10 || ch === 13) break;
    if (ch === 58 /* : */) i = j + 1;
    j++;
  }
  return { name: buf.slice(i, j), nameEnd: j, closing, selfClosing: !closing && buf.charCodeAt(end - 1) === 47 };
}

export interface ScannedCell {
  /** 0-based column: from the r attribute (e.g. "B12" → 1), else the one after the cell before */
  col: number;
  type: string;
  style: number;
  /**
   * <v> text, or null when the cell has no <v>. For a number or shared-string cell (t="n"/"s") whose text is
   * a plain decimal (`-12.5`, at most 15 digits) the number itself — exactly what Number(text) gives —
   * so the text of most cells is never sliced out of the chunk.
   */
  v: string | number | null;
  /** the inline string (<is>), for t="inlineStr" */
  inline: string;
}

export interface ScanHandlers {
  rowStart(rowAttrR: string | null): void;
  /** `c` is reused for the next cell: read it, do not keep it */
  cell(c: ScannedCell): void;
  rowEnd(): void;
}

/** what a step of the scan returns when its markup is not complete in the buffer yet: wait for the next chunk */
const INCOMPLETE = -1;
/** what the fast path returns for a tag it does not read */
const GENERAL = -2;

/** Feeds decoded text chunks; calls the handlers as rows and cells complete. */
export class SheetScanner {
  private buf = '';
  private inSheetData = false;
  private inRow = false;
  private cell: ScannedCell | null = null;
  private capture: 'v' | 't' | null = null;
  private inIs = false;
  private phonetic = 0;
  private vText = '';
  private tText = '';
  private hasV = false;
  private col = -1;
  private readonly reused: ScannedCell = { col: 0, type: 'n', style: 0, v: null, inline: '' };
  private vNum = NaN;

  constructor(private readonly h: ScanHandlers) {}

  feed(chunk: string): void {
    const buf = this.buf.length ? this.buf + chunk : chunk;
    let pos = 0;
    const n = buf.length;
    while (pos < n) {
      const lt = buf.indexOf('<', pos);
      // text without a following '<' waits for the next chunk (an entity may be cut in two)
      if (lt < 0) break;
      if (lt > pos && this.capture) this.text(buf.slice(pos, lt));
      pos = lt;
      let next = this.inRow && !this.capture ? this.fastTag(buf, lt) : GENERAL;
      if (next === GENERAL) next = this.markup(buf, lt);
      if (next === INCOMPLETE) break;
      pos = next;
    }
    this.buf = pos < n ? buf.slice(pos) : '';
    if (this.buf.length > 64 * 1024 * 1024) throw new Error('工作表 XML 中有超过 64 MB 的未闭合标记');
  }

  /**
   * The fast paths, inside a row, for the three tags that make up nearly all of a sheet: <c …>, <v>…</v>, </c>.
   * The position after what was read, INCOMPLETE, or GENERAL for any other tag.
   */
  private fastTag(buf: string, lt: number): number {
    const c1 = buf.charCodeAt(lt + 1);
    const c2 = buf.charCodeAt(lt + 2);
    if (c1 === 99 /* c */ && (c2 === 32 || c2 === 62 || c2 === 47)) {
      const gt = buf.indexOf('>', lt + 2);
      if (gt < 0) return INCOMPLETE;
      return this.fastCell(buf, lt + 2, gt) ? this.wholeCell(buf, gt + 1) : GENERAL;
    }
    if (c1 === 118 /* v */ && c2 === 62 /* > */ && this.cell) {
      const end = buf.indexOf('</v>', lt + 3);
      if (end < 0) return INCOMPLETE;
      const t = buf.slice(lt + 3, end);
      if (t.indexOf('<') >= 0) return GENERAL;
      this.vText = decodeXml(t);
      this.hasV = true;
      return end + 4;
    }
    if (c1 === 47 /* / */ && c2 === 99 /* c */ && buf.charCodeAt(lt + 3) === 62) {
      this.endCell();
      return lt + 4;
    }
    return GENERAL;
  }

  /**
   * Just after a cell's start tag, at `pos`: the usual whole cell's `<v>…</v></c>` read in one step. The position
   * after it, or `pos` when the cell goes on otherwise (the loop reads it tag by tag).
   */
  private wholeCell(buf: string, pos: number): number {
    const c = this.cell;
    if (!c || buf.charCodeAt(pos) !== 60 || buf.charCodeAt(pos + 1) !== 118 || buf.charCodeAt(pos + 2) !== 62)
      return pos;
    const end = buf.indexOf('</v>', pos + 3);
    if (
      end < 0 ||
      buf.charCodeAt(end + 4) !== 60 ||
      buf.charCodeAt(end + 5) !== 47 ||
      buf.charCodeAt(end + 6) !== 99 ||
      buf.charCodeAt(end + 7) !== 62
    )
      return pos;
    const num = c.type === 'n' || c.type === 's' ? plainNumber(buf, pos + 3, end) : NaN;
    if (num === num) this.vNum = num;
    else {
      const t = buf.slice(pos + 3, end);
      if (t.indexOf('<') >= 0) return pos;
      this.vText = t.indexOf('&') < 0 ? t : decodeXml(t);
    }
    this.hasV = true;
    this.endCell();
    return end + 8;
  }

  /**
   * The general path: comments, CDATA and a DOCTYPE (skipMarkup), processing instructions (skipped) and every other
   * tag. The position after it, or INCOMPLETE.
   */
  private markup(buf: string, lt: number): number {
    const c1 = buf.charCodeAt(lt + 1);
    if (c1 === 33 /* ! */) {
      const after = skipMarkup(buf, lt, this.capture ? (t) => this.rawText(t) : null);
      if (after !== 0) return after < 0 ? INCOMPLETE : after;
    }
    // sheet tags carry no '>' inside attribute values (refs, numbers, type codes)
    const gt = buf.indexOf('>', lt + 1);
    if (gt < 0) return INCOMPLETE;
    if (c1 !== 63 /* ? */) this.tag(buf, lt + 1, gt);
    return gt + 1;
  }

  /**
   * `<c` attributes between `from` and the tag's `>` at `gt`, parsed in place (no slices of the tag);
   * false sends an unusual tag (a namespace prefix on an attribute, no quotes) to the general path.
   */
  private fastCell(buf: string, from: number, gt: number): boolean {
    let col = -1;
    let type = 'n';
    let style = 0;
    let i = from;
    const selfClosing = buf.charCodeAt(gt - 1) === 47;
    const stop = selfClosing ? gt - 1 : gt;
    while (i < stop) {
      let ch = buf.charCodeAt(i);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13) {
        i++;
        continue;
      }
      const nameStart = i;
      while (i < stop && (ch = buf.charCodeAt(i)) !== 61 /* = */ && ch > 32) i++;
      const nameEnd = i;
      while (i < stop && buf.charCodeAt(i) <= 32) i++;
      if (buf.charCodeAt(i) !== 61) return false;
      i++;
      while (i < stop && buf.charCodeAt(i) <= 32) i++;
      const q = buf.charCodeAt(i);
      if (q !== 34 && q !== 39) return false;
      let end = i + 1;
      while (end < stop && buf.charCodeAt(end) !== q) end++;
      if (end >= stop) return false;
      const len = nameEnd - nameStart;
      if (len === 1) {
        const n = buf.charCodeAt(nameStart);
        if (n === 114 /* r */) {
          col = columnOf(buf, i + 1, end);
          // an escaped reference (never written in practice) is decoded first
          if (col === -2) col = columnIndex(decodeXml(buf.slice(i + 1, end)));
        } else if (n === 116 /* t */) type = end === i + 2 ? typeCode(buf, i + 1) : decodeXml(buf.slice(i + 1, end));
        else if (n === 115 /* s */) {
          let v = 0;
          for (let k = i + 1; k < end; k++) {
            const d = buf.charCodeAt(k) - 48;
            if (d < 0 || d > 9) {
              v = Number(decodeXml(buf.slice(i + 1, end))) || 0;
              break;
            }
            v = v * 10 + d;
          }
          style = v;
        }
      } else {
        for (let k = nameStart; k < nameEnd; k++) if (buf.charCodeAt(k) === 58 /* : */) return false;
      }
      i = end + 1;
    }
    this.startCell(col, type, style);
    if (selfClosing) this.endCell();
    return true;
  }

  /** A cell begins: its column (from r, else the one after the last), and the one reused cell object. */
  private startCell(col: number, type: string, style: number): void {
    this.col = col >= 0 ? col : this.col + 1;
    const c = this.reused;
    c.col = this.col;
    c.type = type;
    c.style = style;
    c.v = null;
    c.inline = '';
    this.cell = c;
    this.vText = '';
    this.vNum = NaN;
    this.tText = '';
    this.hasV = false;
    this.inIs = false;
  }

  /** The cell ends: its value to the handler. */
  private endCell(): void {
    const c = this.cell;
    if (!c) return;
    if (!this.hasV) c.v = null;
    else if (this.vNum === this.vNum) c.v = this.vNum;
    else {
      const num = c.type === 'n' || c.type === 's' ? plainNumber(this.vText, 0, this.vText.length) : NaN;
      c.v = num === num ? num : this.vText;
    }
    c.inline = this.tText;
    this.h.cell(c);
    this.cell = null;
    this.capture = null;
  }

  end(): void {
    if (this.buf.trim().length > 0 && this.inSheetData) throw new Error('工作表 XML 不完整（文件被截断）');
  }

  private text(t: string): void {
    this.rawText(decodeXml(t));
  }
  private rawText(t: string): void {
    if (this.capture === 'v') this.vText += t;
    else this.tText += t;
  }

  private tag(buf: string, start: number, end: number): void {
    const t = readTag(buf, start, end);
    if (t.closing) return this.close(t.name);
    this.open(t.name, buf.slice(t.nameEnd, t.selfClosing ? end - 1 : end));
    if (t.selfClosing) this.close(t.name);
  }

  private open(name: string, attrs: string): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        return;
      case 'row':
        if (!this.inSheetData) return;
        this.inRow = true;
        this.col = -1;
        this.h.rowStart(attr(attrs, 'r'));
        return;
      case 'c':
        // the usual <c r="…" s="…" t="…"> is read by fastCell; this is the general path (prefixes, odd quoting)
        if (this.inRow) {
          const ref = attr(attrs, 'r');
          this.startCell(ref ? columnIndex(ref) : -1, attr(attrs, 't') ?? 'n', Number(attr(attrs, 's') ?? 0) || 0);
        }
        return;
      case 'v':
        if (this.cell) {
          this.capture = 'v';
          this.hasV = true;
        }
        return;
      case 'is':
        this.inIs = true;
        return;
      case 'rPh':
        this.phonetic++;
        return;
      case 't':
        if (this.inIs && this.phonetic === 0) this.capture = 't';
        return;
    }
  }

  private close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.capture = null;
        return;
      case 'is':
        this.inIs = false;
        return;
      case 'rPh':
        this.phonetic--;
        return;
      case 'c':
        this.endCell();
        return;
      case 'row':
        if (this.inRow) {
          this.inRow = false;
          this.h.rowEnd();
        }
        return;
      case 'sheetData':
        this.inSheetData = false;
        return;
    }
  }
}

/** "AB12" → 27 (0-based column). */
export function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n - 1;
}

/** The column of a cell reference in `s` between `from` and `to` (letters then digits), -2 when it holds an escape. */
function columnOf(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else if (c === 38 /* & */) return -2;
    else break;
  }
  return n - 1;
}

/** A one-letter cell type at `at`, as a constant (no string sliced per cell). */
function typeCode(s: string, at: number): string {
  switch (s.charCodeAt(at)) {
    case 115:
      return 's';
    case 110:
      return 'n';
    case 98:
      return 'b';
    case 101:
      return 'e';
    case 100:
      return 'd';
    default:
      return s.slice(at, at + 1);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `s` between `from` and `to` as a number when it is a plain decimal — an optional '-', digits, at most one
 * '.', at most 15 digits in all — else NaN. The digits make an integer m < 10^15 and the fraction a power
 * 10^k, both exact doubles, so m / 10^k is one correctly rounded division: the double nearest the decimal,
 * which is what Number(text) gives.
 */
export function plainNumber(s: string, from: number, to: number): number {
  let i = from;
  let neg = false;
  if (s.charCodeAt(i) === 45 /* - */) {
    neg = true;
    i++;
  }
  if (i >= to || to - i > 16) return NaN;
  let m = 0;
  let digits = 0;
  let point = -1;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* . */ && point < 0) point = i;
    else return NaN;
  }
  if (digits === 0 || digits > 15 || point === to - 1) return NaN;
  const v = point < 0 ? m : m / POW10[to - 1 - point]!;
  return neg ? -v : v;
}
