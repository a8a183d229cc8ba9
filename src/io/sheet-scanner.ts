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

export interface ScannedCell {
  col: number;
  /** the r attribute (e.g. "B12"), or null */
  ref: string | null;
  type: string;
  style: number;
  /** <v> text, or null when the cell has no <v> */
  v: string | null;
  /** the inline string (<is>), for t="inlineStr" */
  inline: string;
}

export interface ScanHandlers {
  rowStart(rowAttrR: string | null): void;
  /** `c` is reused for the next cell: read it, do not keep it */
  cell(c: ScannedCell): void;
  rowEnd(): void;
}

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
  private readonly reused: ScannedCell = { col: 0, ref: null, type: 'n', style: 0, v: null, inline: '' };

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
      const c1 = buf.charCodeAt(lt + 1);
      // fast paths for the three tags that make up nearly all of a sheet: <c …>, <v>…</v>, </c>
      if (this.inRow && !this.capture) {
        const c2 = buf.charCodeAt(lt + 2);
        if (c1 === 99 /* c */ && (c2 === 32 || c2 === 62 || c2 === 47)) {
          const gt = buf.indexOf('>', lt + 2);
          if (gt < 0) break;
          if (this.fastCell(buf, lt + 2, gt)) {
            pos = gt + 1;
            // the usual whole cell <c …><v>…</v></c> in one step
            if (this.cell && buf.charCodeAt(pos) === 60 && buf.charCodeAt(pos + 1) === 118 && buf.charCodeAt(pos + 2) === 62) {
              const end = buf.indexOf('</v>', pos + 3);
              if (end >= 0 && buf.charCodeAt(end + 4) === 60 && buf.charCodeAt(end + 5) === 47 && buf.charCodeAt(end + 6) === 99 && buf.charCodeAt(end + 7) === 62) {
                const t = buf.slice(pos + 3, end);
                if (t.indexOf('<') < 0) {
                  this.vText = t.indexOf('&') < 0 ? t : decodeXml(t);
                  this.hasV = true;
                  this.close('c');
                  pos = end + 8;
                }
              }
            }
            continue;
          }
        } else if (c1 === 118 /* v */ && c2 === 62 /* > */ && this.cell) {
          const end = buf.indexOf('</v>', lt + 3);
          if (end < 0) break;
          const t = buf.slice(lt + 3, end);
          if (t.indexOf('<') < 0) {
            this.vText = decodeXml(t);
            this.hasV = true;
            pos = end + 4;
            continue;
          }
        } else if (c1 === 47 /* / */ && c2 === 99 /* c */ && buf.charCodeAt(lt + 3) === 62) {
          this.close('c');
          pos = lt + 4;
          continue;
        }
      }
      if (c1 === 33 /* ! */) {
        if (buf.startsWith('<!--', lt)) {
          const end = buf.indexOf('-->', lt + 4);
          if (end < 0) break;
          pos = end + 3;
          continue;
        }
        if (buf.startsWith('<![CDATA[', lt)) {
          const end = buf.indexOf(']]>', lt + 9);
          if (end < 0) break;
          if (this.capture) this.rawText(buf.slice(lt + 9, end));
          pos = end + 3;
          continue;
        }
        // <!DOCTYPE …> (possibly with an internal subset): skipped, never expanded
        if (buf.startsWith('<!DOCTYPE', lt)) {
          const bracket = buf.indexOf('[', lt);
          const gt0 = buf.indexOf('>', lt);
          if (gt0 < 0) break;
          if (bracket >= 0 && bracket < gt0) {
            const end = buf.indexOf(']>', bracket);
            if (end < 0) break;
            pos = end + 2;
          } else pos = gt0 + 1;
          continue;
        }
      }
      // sheet tags carry no '>' inside attribute values (refs, numbers, type codes)
      const gt = buf.indexOf('>', lt + 1);
      if (gt < 0) break;
      if (c1 === 63 /* ? */) {
        pos = gt + 1;
        continue;
      }
      this.tag(buf, lt + 1, gt);
      pos = gt + 1;
    }
    this.buf = pos < n ? buf.slice(pos) : '';
    if (this.buf.length > 64 * 1024 * 1024) throw new Error('工作表 XML 中有超过 64 MB 的未闭合标记');
  }

  /**
   * `<c` attributes between `from` and the tag's `>` at `gt`, parsed in place (no slices of the tag);
   * false sends an unusual tag (a namespace prefix on an attribute, no quotes) to the general path.
   */
  private fastCell(buf: string, from: number, gt: number): boolean {
    let ref: string | null = null;
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
      const end = buf.indexOf(q === 34 ? '"' : "'", i + 1);
      if (end < 0 || end >= stop) return false;
      const len = nameEnd - nameStart;
      if (len === 1) {
        const n = buf.charCodeAt(nameStart);
        if (n === 114 /* r */) ref = buf.slice(i + 1, end);
        else if (n === 116 /* t */) type = buf.slice(i + 1, end);
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
    if (ref !== null && ref.indexOf('&') >= 0) ref = decodeXml(ref);
    if (type.length > 1 && type.indexOf('&') >= 0) type = decodeXml(type);
    this.startCell(ref, type, style);
    if (selfClosing) this.close('c');
    return true;
  }

  /** A cell begins: its column (from r, else the one after the last), and the one reused cell object. */
  private startCell(ref: string | null, type: string, style: number): void {
    this.col = ref ? columnIndex(ref) : this.col + 1;
    const c = this.reused;
    c.col = this.col;
    c.ref = ref;
    c.type = type;
    c.style = style;
    c.v = null;
    c.inline = '';
    this.cell = c;
    this.vText = '';
    this.tText = '';
    this.hasV = false;
    this.inIs = false;
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
    const closing = buf.charCodeAt(start) === 47; /* / */
    let i = closing ? start + 1 : start;
    let j = i;
    while (j < end) {
      const ch = buf.charCodeAt(j);
      if (ch === 32 || ch === 47 || ch === 9 || ch === 10 || ch === 13) break;
      j++;
    }
    let name = buf.slice(i, j);
    const colon = name.indexOf(':');
    if (colon >= 0) name = name.slice(colon + 1);
    const selfClosing = !closing && buf.charCodeAt(end - 1) === 47;
    if (closing) return this.close(name);
    this.open(name, buf.slice(j, selfClosing ? end - 1 : end));
    if (selfClosing) this.close(name);
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
        if (this.inRow) this.startCell(attr(attrs, 'r'), attr(attrs, 't') ?? 'n', Number(attr(attrs, 's') ?? 0) || 0);
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
        if (this.cell) {
          this.cell.v = this.hasV ? this.vText : null;
          this.cell.inline = this.tText;
          this.h.cell(this.cell);
          this.cell = null;
          this.capture = null;
        }
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
