// A streaming .xlsx writer for the big sheets (明细, 异常, generated fixtures): plain XML through a zip
// stream (yazl, deflate level 1) with a fixed style set; rows are written as they come, with
// backpressure, never held. Strings are inline (t="inlineStr") unless `sharedStrings` is set (fixture
// generation only: the table is then written last, after the sheets, as Excel itself orders its parts).
// exceljs stays for the small formatted reports.
import yazl from 'yazl';
import { createWriteStream, mkdirSync, createReadStream, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { dirname } from 'node:path';
import type { Decimal } from 'decimal.js';
import { columnMasker } from './masking.js';
import { Utf8Builder } from './utf8-builder.js';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import {
  PAGE,
  columnLetter,
  columnPixels,
  headerText,
  linesNeeded,
  pageHeaderTitle,
  pageLayout,
  rowHeight,
  type PageLayout,
} from './print-layout.js';
export { columnLetter } from './print-layout.js';

// yazl computes each part's CRC-32 with buffer-crc32 (JavaScript, ~2% of a big run); Node ≥ 20.15 has
// zlib.crc32 (native, same values — the writer test checks every part against buffer-crc32's own table).
{
  const require = createRequire(import.meta.url);
  const nativeCrc = (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  const yazlCrc = require(require.resolve('buffer-crc32', { paths: [dirname(require.resolve('yazl'))] })) as {
    unsigned: (buf: Buffer, previous?: number) => number;
  };
  if (typeof nativeCrc === 'function')
    yazlCrc.unsigned = (buf: Buffer, previous?: number) => nativeCrc(buf, previous ?? 0);
}

export type WColumnKind = 'text' | 'money' | 'int' | 'percent' | 'number';
export interface WColumn {
  header: string;
  kind?: WColumnKind;
  width?: number;
  /** long text wraps within the column (the row grows) instead of being cut off or spilling over */
  wrap?: boolean;
}
export type WCell = string | number | Decimal | null | undefined;

/** style ids of the fixed cellXfs below */
const S = {
  default: 0,
  text: 1,
  money: 2,
  int: 3,
  percent: 4,
  header: 5,
  title: 6,
  boldText: 7,
  boldMoney: 8,
  defaultB: 9,
  textB: 10,
  moneyB: 11,
  intB: 12,
  percentB: 13,
  boldTextB: 14,
  boldMoneyB: 15,
  textWrapB: 16,
  textWrap: 17,
  titleLeft: 18,
  boldTextWrapB: 19,
} as const;
/** a column's own (unbordered) style, and the bordered one of its data cells (SPEC §7 Printing: borders on data cells) */
const KIND_STYLE: Record<WColumnKind, number> = {
  text: S.text,
  money: S.money,
  int: S.int,
  percent: S.percent,
  number: S.default,
};
const KIND_CELL: Record<WColumnKind, number> = {
  text: S.textB,
  money: S.moneyB,
  int: S.intB,
  percent: S.percentB,
  number: S.defaultB,
};
const BORDERED = new Set<number>([
  S.boldTextWrapB,
  S.header,
  S.defaultB,
  S.textB,
  S.moneyB,
  S.intB,
  S.percentB,
  S.boldTextB,
  S.boldMoneyB,
  S.textWrapB,
]);
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="3"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="20">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="4" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="1" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="10" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="49" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="4" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="49" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="49" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

// XML 1.0 forbids most C0 controls: they are dropped (they are never meaningful in a claim or a name)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
function colWidth(c: WColumn): number {
  return c.width ?? Math.min(40, Math.max(8, [...c.header].length * 2 + 2));
}

export function escapeXml(s: string): string {
  let out = s;
  if (/[&<>"]/.test(out))
    out = out.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  if (CONTROL.test(out)) {
    CONTROL.lastIndex = 0;
    out = out.replace(CONTROL, '');
  }
  return out;
}

const ZIP_TIME = new Date(Date.UTC(2024, 0, 1));
const EMU_PER_PX = 9525;
export interface SheetOptions {
  name: string;
  columns: WColumn[];
  title?: string;
  /** shown in the title row and printed at the top of every page (a dry run's 试算，未入账) */
  banner?: string;
  /** how many leading columns are printed (long free text such as 计算过程 after them stays off the page) */
  printColumns?: number;
  /** leading columns repeated on every page when the table is too wide for one (default 1) */
  keyColumns?: number;
  /** no header row of the columns (a sheet of its own small tables, such as 概览): nothing frozen or repeated */
  noHeader?: boolean;
  /** printed portrait whatever the width (fitted to the page width): a sheet of pictures and short tables */
  portrait?: boolean;
}

/** A picture on a sheet (PNG), its top-left corner at a row (0-based) in column A, its size in pixels. */
export interface SheetImage {
  png: Buffer;
  row: number;
  width: number;
  height: number;
  /** alternative text (what the picture shows) */
  description: string;
}

interface SheetRecord {
  name: string;
  path: string;
  headerRow: number;
  writer?: SheetWriter;
}

/** Writes one sheet's XML to a writable stream (the zip entry, or a temporary file). */
export class SheetWriter {
  private rowNo = 0;
  private readonly styles: number[];
  private readonly kinds: WColumnKind[];
  private readonly maskers: (((v: string) => string) | null)[];
  readonly headerRow: number;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private spec: SheetOptions,
    private readonly sst: Map<string, number> | null,
  ) {
    this.kinds = spec.columns.map((c) => c.kind ?? 'text');
    this.maskers = spec.columns.map((c) => columnMasker(c.header));
    this.styles = this.kinds.map((k, i) => (spec.columns[i]!.wrap && k === 'text' ? S.textWrapB : KIND_CELL[k]));
    if (spec.banner) this.spec = { ...spec, title: spec.title ? `${spec.title}（${spec.banner}）` : spec.banner };
    this.headerRow = spec.noHeader ? 0 : this.spec.title ? 2 : 1;
    this.printColumns = Math.min(spec.printColumns ?? spec.columns.length, spec.columns.length);
    this.widths = spec.columns.map(colWidth);
    const layout = pageLayout(this.widths.slice(0, this.printColumns));
    this.layout = spec.portrait ? { ...layout, portrait: true, fits: true } : layout;
    this.fits = this.layout.fits;
    this.wrapped = spec.columns.flatMap((c, i) => (c.wrap && this.kinds[i] === 'text' ? [i] : []));
    this.autoWrap = spec.columns.flatMap((c, i) =>
      !c.wrap && this.kinds[i] === 'text' && i < this.printColumns ? [i] : [],
    );
  }
  readonly printColumns: number;
  private readonly widths: number[];
  private readonly layout: PageLayout;
  /** columns whose long text wraps: their rows get the height the text needs */
  private readonly wrapped: number[];
  /** the other printed text columns: a cell wraps only when its text is longer than the column */
  private readonly autoWrap: number[];
  private readonly merges: string[] = [];
  /** fitted to the page width (else printed at PAGE.wideScale across pages, key columns repeated) */
  readonly fits: boolean;

  /** The sheet's defined names (print titles, print area) once it is written. */
  definedNames(sheetIndex: number, sheetName: string): string {
    const q = `'${escapeXml(sheetName.replace(/'/g, "''"))}'`;
    const keys = Math.max(1, Math.min(this.spec.keyColumns ?? 1, this.printColumns));
    const titles =
      `${q}!$${this.headerRow}:$${this.headerRow}` + (this.fits ? '' : `,${q}!$A:$${columnLetter(keys - 1)}`);
    let out = this.headerRow
      ? `<definedName name="_xlnm.Print_Titles" localSheetId="${sheetIndex}">${titles}</definedName>`
      : '';
    // a wide sheet's title row is not printed: its title is the page header of every page (see end())
    const top = !this.fits && this.spec.title ? 2 : 1;
    if (this.printColumns < this.spec.columns.length || top > 1)
      out += `<definedName name="_xlnm.Print_Area" localSheetId="${sheetIndex}">${q}!$A$${top}:$${columnLetter(this.printColumns - 1)}$${Math.max(this.rowNo, top)}</definedName>`;
    return out;
  }

  async begin(): Promise<void> {
    const cols = this.spec.columns
      .map(
        (c, i) =>
          `<col min="${i + 1}" max="${i + 1}" width="${colWidth(c)}" customWidth="1" style="${KIND_STYLE[this.kinds[i]!]}"/>`,
      )
      .join('');
    await this.write(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
        `<sheetPr><pageSetUpPr fitToPage="${this.fits ? 1 : 0}"/></sheetPr>` +
        (this.headerRow
          ? `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${this.headerRow}" topLeftCell="A${this.headerRow + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
          : '<sheetViews><sheetView workbookViewId="0"/></sheetViews>') +
        `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>`,
    );
    if (this.spec.title) {
      // a wide sheet's title is not merged: from A1 it runs over the empty title row of every page (column A repeats)
      const span = this.widths.slice(0, this.layout.span).reduce((a, b) => a + b, 0);
      await this.rawRow(
        [this.spec.title],
        [this.fits ? S.title : S.titleLeft],
        undefined,
        rowHeight(this.fits ? linesNeeded(this.spec.title, (span * 11) / 14) : 1, 14),
      );
      if (this.fits && this.layout.span > 1) this.merges.push(`A1:${columnLetter(this.layout.span - 1)}1`);
    }
    if (this.spec.noHeader) return;
    const headerLines = Math.max(...this.spec.columns.map((c, i) => linesNeeded(c.header, this.widths[i]!)));
    await this.rawRow(
      this.spec.columns.map((c) => c.header),
      this.spec.columns.map(() => S.header),
      undefined,
      headerLines > 1 ? rowHeight(headerLines) : undefined,
    );
  }

  get rows(): number {
    return this.rowNo;
  }

  /**
   * Rows are encoded straight into a buffer and handed to the stream ~512 KB at a time (one write per batch, not
   * per row). Gathered as one string instead, each batch was flattened into a fresh two-byte copy in V8's
   * large-object space and then encoded again: a third of the settlement worker's time, most of it page faults.
   */
  private readonly pending = new Utf8Builder(1 << 20);
  private async write(s: string): Promise<void> {
    this.pending.add(s);
    if (this.pending.length >= 1 << 19) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    // the stream keeps the bytes until they are consumed: a buffer of their own, never reused
    if (!this.out.write(this.pending.take())) await once(this.out as NodeJS.EventEmitter, 'drain');
  }

  private cellXml(v: WCell, col: number, style: number, kind: WColumnKind | 'text'): string {
    if (v === null || v === undefined || v === '')
      return BORDERED.has(style) ? `<c r="${columnLetter(col)}${this.rowNo}" s="${style}"/>` : '';
    const ref = `${columnLetter(col)}${this.rowNo}`;
    if (kind !== 'text' && typeof v !== 'string') {
      const n = typeof v === 'number' ? v : Number(v.toFixed(kind === 'percent' ? 4 : 2));
      if (Number.isFinite(n)) return `<c r="${ref}" s="${style}"><v>${n}</v></c>`;
    }
    const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.toString();
    if (this.sst) {
      let idx = this.sst.get(text);
      if (idx === undefined) this.sst.set(text, (idx = this.sst.size));
      return `<c r="${ref}" s="${style}" t="s"><v>${idx}</v></c>`;
    }
    const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
    return `<c r="${ref}" s="${style}" t="inlineStr"><is><t${space}>${escapeXml(text)}</t></is></c>`;
  }

  private async rawRow(
    values: WCell[],
    styles: number[],
    kinds?: (WColumnKind | 'text')[],
    height?: number,
  ): Promise<void> {
    this.rowNo++;
    let xml = height ? `<row r="${this.rowNo}" ht="${height}" customHeight="1">` : `<row r="${this.rowNo}">`;
    for (let i = 0; i < values.length; i++)
      xml += this.cellXml(values[i], i, styles[i] ?? S.default, kinds?.[i] ?? 'text');
    await this.write(xml + '</row>');
  }

  /** One data row, typed by the columns. */
  async row(values: WCell[]): Promise<void> {
    this.rowNo++;
    let lines = 1;
    for (const i of this.wrapped) {
      const v = values[i];
      if (typeof v === 'string') lines = Math.max(lines, linesNeeded(v, this.widths[i]!));
    }
    // any other printed text cell longer than its column wraps too (never cut off, never spilling over its
    // neighbour); a short one is passed over by its length alone
    let wrapAt: number[] | null = null;
    for (const i of this.autoWrap) {
      const v = values[i];
      if (typeof v !== 'string') continue;
      const n = linesNeeded(v, this.widths[i]!);
      if (n === 1) continue;
      (wrapAt ??= []).push(i);
      lines = Math.max(lines, n);
    }
    // LibreOffice does not grow a row for wrapped text on its own: the height is written out
    const out = this.pending;
    out.add(
      lines > 1 ? `<row r="${this.rowNo}" ht="${rowHeight(lines)}" customHeight="1">` : `<row r="${this.rowNo}">`,
    );
    for (let i = 0; i < this.kinds.length; i++) {
      const m = this.maskers[i];
      const v = m && typeof values[i] === 'string' ? m(values[i] as string) : values[i];
      const style = wrapAt?.includes(i) ? S.textWrapB : (this.styles[i] ?? S.default);
      out.add(this.cellXml(v, i, style, this.kinds[i] ?? 'text'));
    }
    out.add('</row>');
    if (out.length >= 1 << 19) await this.flush();
  }

  /** A bold row (合计): money columns bold-money, the rest bold text. */
  async boldRow(values: WCell[]): Promise<void> {
    // a 小计/合计 label longer than its column wraps, as data cells do (see row)
    let lines = 1;
    const styles = this.kinds.map((k, i) => {
      if (k === 'money') return S.boldMoneyB;
      const v = values[i];
      if (typeof v !== 'string' || i >= this.printColumns) return S.boldTextB;
      const n = linesNeeded(v, this.widths[i]!);
      lines = Math.max(lines, n);
      return n > 1 ? S.boldTextWrapB : S.boldTextB;
    });
    await this.rawRow(
      this.kinds.map((_, i) => values[i]),
      styles,
      this.kinds,
      lines > 1 ? rowHeight(lines) : undefined,
    );
  }

  /** Printed at the top of every page: a wide sheet's title (its row 1 is not printed), else a dry run's banner. */
  private pageHeader(): string {
    const text =
      !this.fits && this.spec.title
        ? pageHeaderTitle(this.spec.title)
        : this.spec.banner && `&C${headerText(this.spec.banner)}`;
    return text ? `<oddHeader>${escapeXml(text)}</oddHeader>` : '';
  }

  /**
   * Where a title or footer line starts: column A, or on a wide sheet after the key columns, which repeat on every
   * page — a line starting in them would print a cut-off copy on each later page (see workbook.ts addSheet).
   */
  private wideFrom(): number {
    return this.fits ? 0 : Math.max(0, Math.min(Math.max(1, this.spec.keyColumns ?? 1), this.layout.span - 1));
  }

  /**
   * A free text line (footer, signatures). A single text spans the table (the first page's columns of a wide one),
   * wrapped and as tall as it needs; several values (制表人： … 审核人：) stay in their cells.
   */
  async textRow(values: WCell[]): Promise<void> {
    const only = values.length === 1 && typeof values[0] === 'string' ? values[0] : null;
    const from = this.wideFrom();
    if (only === null || this.layout.span - from < 2)
      return this.rawRow(
        values,
        values.map(() => S.text),
      );
    const width = this.widths.slice(from, this.layout.span).reduce((a, b) => a + b, 0);
    const lines = linesNeeded(only, width);
    await this.rawRow(
      [...Array<null>(from).fill(null), only],
      [...Array<number>(from).fill(S.text), S.textWrap],
      undefined,
      lines > 1 ? rowHeight(lines) : undefined,
    );
    this.merges.push(`${columnLetter(from)}${this.rowNo}:${columnLetter(this.layout.span - 1)}${this.rowNo}`);
  }

  readonly images: SheetImage[] = [];
  private readonly breaks: number[] = [];

  /** The printed columns' width in pixels. */
  get pixelWidth(): number {
    return columnPixels(this.widths.slice(0, this.printColumns));
  }

  /**
   * A picture across the printed columns, scaled to their width, over as many empty rows as it needs (rows of
   * 15 pt = 20 px): the rows below it start after it.
   */
  async image(png: Buffer, width: number, height: number, description: string): Promise<void> {
    const w = this.pixelWidth;
    const h = Math.round((height * w) / width);
    this.images.push({ png, row: this.rowNo, width: w, height: h, description });
    for (let i = 0, n = Math.ceil(h / 20) + 1; i < n; i++) await this.rawRow([], [], undefined, 15);
  }

  /** The next row starts a new printed page. */
  pageBreak(): void {
    if (this.rowNo > 0) this.breaks.push(this.rowNo);
  }

  /** A header row of a table inside the sheet (bold, filled, bordered, as the sheet's own header). */
  async tableHeader(values: string[]): Promise<void> {
    await this.rawRow(
      values,
      values.map(() => S.header),
    );
  }

  /** A row typed cell by cell (a table inside the sheet whose columns are not the sheet's); long text wraps. */
  async typedRow(values: WCell[], kinds: WColumnKind[]): Promise<void> {
    let lines = 1;
    const styles = kinds.map((k, i) => {
      const v = values[i];
      const n = k === 'text' && typeof v === 'string' ? linesNeeded(v, this.widths[i] ?? 8) : 1;
      lines = Math.max(lines, n);
      return n > 1 ? S.textWrapB : KIND_CELL[k];
    });
    await this.rawRow(values, styles, kinds, lines > 1 ? rowHeight(lines) : undefined);
  }

  async end(): Promise<void> {
    const breaks = this.breaks.length
      ? `<rowBreaks count="${this.breaks.length}" manualBreakCount="${this.breaks.length}">${this.breaks.map((r) => `<brk id="${r}" max="16383" man="1"/>`).join('')}</rowBreaks>`
      : '';
    await this.write(
      `</sheetData>${this.merges.length ? `<mergeCells count="${this.merges.length}">${this.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : ''}` +
        `<printOptions horizontalCentered="1"/><pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>` +
        `<pageSetup paperSize="9" orientation="${this.layout.portrait ? 'portrait' : 'landscape'}"${this.fits ? ' fitToWidth="1" fitToHeight="0"' : ` scale="${PAGE.wideScale}"`}/>` +
        `<headerFooter>${this.pageHeader()}<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>` +
        breaks +
        (this.images.length ? '<drawing r:id="rIdDrawing"/>' : '') +
        `</worksheet>`,
    );
    await this.flush();
  }
}

/**
 * The workbook: sheets are streamed into the zip one after another (`streamSheet`), or written to a
 * temporary file first (`bufferedSheet`, when two sheets fill in the same pass) and copied in at `finish`.
 */
export class XlsxStreamWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly sheets: SheetRecord[] = [];
  private readonly pending: { path: string; tmp: string }[] = [];
  private readonly sst: Map<string, number> | null;
  private readonly done: Promise<void>;
  private streaming: Promise<void> | null = null;
  private readonly level: number;
  private readonly banner: string | undefined;

  constructor(
    readonly file: string,
    opts: { sharedStrings?: boolean; level?: number; excelOrder?: string[]; banner?: string } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.sst = opts.sharedStrings ? new Map() : null;
    this.level = opts.level ?? 1;
    this.banner = opts.banner;
    const out = createWriteStream(file, { mode: 0o600 });
    // a failed run removes its staging folder: a stream error then must not crash the process
    out.on('error', () => {});
    this.zip.outputStream.pipe(out);
    this.done = once(out, 'close').then(() => undefined);
    this.done.catch(() => {});
    // Excel's own order: the workbook parts first, the sheets, then styles and the shared strings
    if (opts.excelOrder) {
      opts.excelOrder.forEach((name, i) =>
        this.sheets.push({ name, path: `xl/worksheets/sheet${i + 1}.xml`, headerRow: 0 }),
      );
      this.addHead();
    }
  }

  /** sheets with pictures: their drawing part's number */
  private drawings: { no: number; sheet: SheetRecord }[] = [];

  /** Each sheet's pictures as a drawing part, its relationships and the PNG files (xl/media). */
  private addDrawings(): void {
    let image = 0;
    for (const d of this.drawings) {
      const imgs = d.sheet.writer!.images;
      this.add(
        d.sheet.path.replace(/worksheets\/(sheet\d+\.xml)$/, 'worksheets/_rels/$1.rels'),
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdDrawing" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing" Target="../drawings/drawing${d.no}.xml"/></Relationships>`,
      );
      const rels: string[] = [];
      const anchors = imgs.map((img, i) => {
        image++;
        this.zip.addBuffer(img.png, `xl/media/image${image}.png`, { compress: false, mtime: ZIP_TIME } as yazl.Options);
        rels.push(
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../media/image${image}.png"/>`,
        );
        const cx = img.width * EMU_PER_PX;
        const cy = img.height * EMU_PER_PX;
        return (
          `<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${img.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="${cx}" cy="${cy}"/>` +
          `<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="${i + 2}" name="图 ${i + 1}" descr="${escapeXml(img.description)}"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>` +
          `<xdr:blipFill><a:blip r:embed="rId${i + 1}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>` +
          `<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>`
        );
      });
      this.add(
        `xl/drawings/drawing${d.no}.xml`,
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${anchors.join('')}</xdr:wsDr>`,
      );
      this.add(
        `xl/drawings/_rels/drawing${d.no}.xml.rels`,
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`,
      );
    }
  }

  private headAdded = false;
  private addHead(): void {
    this.headAdded = true;
    const n = this.sheets.length;
    const ct =
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      (this.drawings.length ? `<Default Extension="png" ContentType="image/png"/>` : '') +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      this.drawings
        .map(
          (d) =>
            `<Override PartName="/xl/drawings/drawing${d.no}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>`,
        )
        .join('') +
      this.sheets
        .map(
          (s) =>
            `<Override PartName="/${s.path}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
        )
        .join('') +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      (this.sst
        ? `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
        : '') +
      `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`;
    this.add('[Content_Types].xml', ct);
    this.add(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    this.add(
      'docProps/app.xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>assist</Application></Properties>`,
    );
    const names = this.sheets
      .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('');
    const titles = this.sheets.map((s, i) => (s.writer ? s.writer.definedNames(i, s.name) : '')).join('');
    this.add(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets>${names}</sheets>${titles ? `<definedNames>${titles}</definedNames>` : ''}</workbook>`,
    );
    const rels =
      this.sheets
        .map(
          (s, i) =>
            `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="${s.path.replace(/^xl\//, '')}"/>`,
        )
        .join('') +
      `<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
      (this.sst
        ? `<Relationship Id="rId${n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
        : '');
    this.add(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`,
    );
  }

  private add(path: string, text: string): void {
    this.zip.addBuffer(Buffer.from(text, 'utf8'), path, {
      compressionLevel: this.level,
      mtime: ZIP_TIME,
    } as yazl.Options);
  }

  private recordSheet(name: string, headerRow: number): SheetRecord {
    const existing = this.sheets.find((s) => s.name === name);
    if (existing) {
      existing.headerRow = headerRow;
      return existing;
    }
    if (this.headAdded) throw new Error(`工作表 ${name} 未在 excelOrder 中声明`);
    const rec = { name, path: `xl/worksheets/sheet${this.sheets.length + 1}.xml`, headerRow };
    this.sheets.push(rec);
    return rec;
  }

  /** Streams a sheet straight into the zip; call `end()` on it before starting the next streamed sheet. */
  async streamSheet(spec: SheetOptions): Promise<SheetWriter> {
    if (this.streaming) await this.streaming;
    const pass = new PassThrough({ highWaterMark: 1 << 20 });
    const w = new SheetWriter(pass, { banner: this.banner, ...spec }, this.sst);
    const rec = this.recordSheet(spec.name, w.headerRow);
    rec.writer = w;
    this.zip.addReadStream(pass, rec.path, { compressionLevel: this.level, mtime: ZIP_TIME } as yazl.Options);
    await w.begin();
    const origEnd = w.end.bind(w);
    let resolveDone!: () => void;
    this.streaming = new Promise((r) => (resolveDone = r));
    w.end = async () => {
      await origEnd();
      pass.end();
      resolveDone();
    };
    return w;
  }

  /** A sheet written to a temporary file during the pass, added to the zip at `finish()`. */
  async bufferedSheet(spec: SheetOptions, tmp: string): Promise<SheetWriter> {
    const out = createWriteStream(tmp, { mode: 0o600, highWaterMark: 1 << 20 });
    out.on('error', () => {});
    const w = new SheetWriter(out, { banner: this.banner, ...spec }, this.sst);
    const rec = this.recordSheet(spec.name, w.headerRow);
    rec.writer = w;
    this.pending.push({ path: rec.path, tmp });
    await w.begin();
    const origEnd = w.end.bind(w);
    w.end = async () => {
      await origEnd();
      out.end();
      await once(out, 'close');
    };
    return w;
  }

  /** `order`: the sheet order in the workbook (names not listed keep their place after the listed ones). */
  async finish(order?: string[]): Promise<void> {
    if (this.streaming) await this.streaming;
    if (order && !this.headAdded) {
      const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
      this.sheets.sort((a, b) => rank(a.name) - rank(b.name));
    }
    for (const p of this.pending)
      this.zip.addReadStream(createReadStream(p.tmp), p.path, {
        compressionLevel: this.level,
        mtime: ZIP_TIME,
      } as yazl.Options);
    if (this.sheets.some((x) => x.writer?.images.length)) {
      // Excel's part order (excelOrder) writes the head first, before any sheet's pictures are known
      if (this.headAdded) throw new Error('xlsx-writer: pictures need the head written at finish (no excelOrder)');
      this.drawings = this.sheets.filter((x) => x.writer?.images.length).map((sheet, i) => ({ no: i + 1, sheet }));
      this.addDrawings();
    }
    if (!this.headAdded) this.addHead();
    this.add('xl/styles.xml', STYLES);
    if (this.sst) {
      const parts: string[] = [
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${this.sst.size}" uniqueCount="${this.sst.size}">`,
      ];
      for (const s of this.sst.keys())
        parts.push(`<si><t${/^\s|\s$/.test(s) ? ' xml:space="preserve"' : ''}>${escapeXml(s)}</t></si>`);
      parts.push('</sst>');
      this.zip.addBuffer(Buffer.from(parts.join(''), 'utf8'), 'xl/sharedStrings.xml', {
        compressionLevel: this.level,
        mtime: ZIP_TIME,
      } as yazl.Options);
    }
    this.zip.end();
    await this.done;
    for (const p of this.pending) rmSync(p.tmp, { force: true });
  }
}
