// A hand tokenizer for the shared-strings part (xl/sharedStrings.xml), the second-biggest part of a claims
// workbook (1.6 million strings, 50 MB at a million lines). Like the sheet scanner it scans decoded text
// with indexOf and knows only what the part holds: <si> items whose text is the concatenation of their
// <t> elements — plain (<si><t>…</t></si>) or in rich runs (<r><rPr>…</rPr><t>…</t></r>) — with phonetic
// runs (<rPh>…</rPh>) left out. Namespace prefixes, comments, CDATA and the predefined and numeric
// character references are handled; a DOCTYPE is skipped, never expanded.
import { decodeXml, readTag, skipMarkup } from './sheet-scanner.js';

export class SharedStringScanner {
  private buf = '';
  private inSi = false;
  private inT = false;
  private phonetic = 0;
  private text = '';

  /** Each completed <si> is appended to `out`, in order. */
  constructor(private readonly out: string[]) {}

  feed(chunk: string): void {
    const buf = this.buf.length ? this.buf + chunk : chunk;
    let pos = 0;
    const n = buf.length;
    while (pos < n) {
      const lt = buf.indexOf('<', pos);
      // text without a following '<' waits for the next chunk (an entity may be cut in two)
      if (lt < 0) break;
      if (lt > pos && this.inT) this.text += decodeXml(buf.slice(pos, lt));
      pos = lt;
      const c1 = buf.charCodeAt(lt + 1);
      // the usual item <si><t>…</t></si> in one step
      if (c1 === 115 /* s */ && buf.startsWith('<si><t>', lt) && this.phonetic === 0) {
        const end = buf.indexOf('</t></si>', lt + 7);
        if (end >= 0) {
          const t = buf.slice(lt + 7, end);
          if (t.indexOf('<') < 0) {
            this.out.push(t.indexOf('&') < 0 ? t : decodeXml(t));
            pos = end + 9;
            continue;
          }
        }
      }
      if (c1 === 33 /* ! */) {
        const after = skipMarkup(buf, lt, this.inT ? (t) => (this.text += t) : null);
        if (after < 0) break;
        if (after > 0) {
          pos = after;
          continue;
        }
      }
      // the part's tags carry no '>' inside attribute values
      const gt = buf.indexOf('>', lt + 1);
      if (gt < 0) break;
      pos = gt + 1;
      if (c1 === 63 /* ? */) continue;
      const t = readTag(buf, lt + 1, gt);
      if (!t.closing) this.open(t.name);
      if (t.closing || t.selfClosing) this.close(t.name);
    }
    this.buf = pos < n ? buf.slice(pos) : '';
    if (this.buf.length > 64 * 1024 * 1024) throw new Error('共享字符串 XML 中有超过 64 MB 的未闭合标记');
  }

  end(): void {
    if (this.inSi || this.buf.trim().length > 0) throw new Error('共享字符串 XML 不完整（文件被截断）');
  }

  private open(name: string): void {
    if (name === 'si') {
      this.inSi = true;
      this.text = '';
    } else if (name === 'rPh') this.phonetic++;
    else if (name === 't' && this.inSi && this.phonetic === 0) this.inT = true;
  }

  private close(name: string): void {
    if (name === 'si') {
      if (this.inSi) this.out.push(this.text);
      this.inSi = false;
      this.inT = false;
    } else if (name === 'rPh') this.phonetic--;
    else if (name === 't') this.inT = false;
  }
}
