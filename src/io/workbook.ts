// Small formatted workbooks with exceljs: frozen header, widths, bordered cells, 合计 row, footer lines, and a page
// set-up that prints as a government form (SPEC §7 Printing).
// exceljs is loaded when a workbook is written, not at start-up: importing it costs ~0.3 s of every command
import type ExcelJS from 'exceljs';
import type { Decimal } from 'decimal.js';
import { writeAtomic } from './atomic.js';
import { columnMasker } from './masking.js';
import { D } from '../domain/money.js';
import { PAGE, columnLetter, linesNeeded, pageHeaderTitle, pageLayout, rowHeight, textWidth } from './print-layout.js';

export type ColumnKind = 'text' | 'money' | 'int' | 'date' | 'percent';

export interface ColumnDef {
  header: string;
  kind?: ColumnKind;
  width?: number;
}

export type OutCell = string | number | Decimal | null | undefined;

export function toCellValue(v: OutCell, kind: ColumnKind): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (kind === 'money' || kind === 'percent') {
    if (typeof v === 'object') return Number(v.toFixed(kind === 'percent' ? 4 : 2));
    if (typeof v === 'number') return v;
    return String(v);
  }
  if (kind === 'int') return typeof v === 'number' ? v : Number(String(v));
  // strings are written as text cells, never as formulas (exceljs only writes a formula from a {formula} object)
  return typeof v === 'object' ? v.toString() : String(v);
}

export interface SheetSpec {
  name: string;
  title?: string;
  columns: ColumnDef[];
  rows: OutCell[][];
  /** indices of columns summed in a 合计 row */
  totals?: number[];
  /** lines under the table (大写金额, 依据, 口径, signature lines): each spans the table's width and wraps */
  footer?: string[];
  /** leading columns repeated on every page when the table is too wide for one (default 1) */
  keyColumns?: number;
}

const THIN = { style: 'thin' } as const;
const BOX = { top: THIN, bottom: THIN, left: THIN, right: THIN };

export function addSheet(wb: ExcelJS.Workbook, spec: SheetSpec): ExcelJS.Worksheet {
  const widths = spec.columns.map((c) => c.width ?? Math.min(40, Math.max(8, [...c.header].length * 2 + 2)));
  const layout = pageLayout(widths);
  const ws = wb.addWorksheet(spec.name, {
    pageSetup: {
      paperSize: 9,
      orientation: layout.portrait ? 'portrait' : 'landscape',
      horizontalCentered: true,
      ...(layout.fits
        ? { fitToPage: true, fitToWidth: 1, fitToHeight: 0 }
        : { fitToPage: false, scale: PAGE.wideScale }),
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页 共 &N 页', evenFooter: '&C第 &P 页 共 &N 页' },
  });
  const form = new FormSheet(ws, widths, layout);
  const n = form.n;
  const keys = Math.max(1, Math.min(spec.keyColumns ?? 1, n));
  let headerRowNo = 1;
  if (spec.title) {
    form.title(spec.title);
    headerRowNo = 2;
  }
  form.header(spec.columns);
  ws.views = [{ state: 'frozen', ySplit: headerRowNo }];
  ws.pageSetup.printTitlesRow = `${headerRowNo}:${headerRowNo}`;
  if (!layout.fits) ws.pageSetup.printTitlesColumn = `A:${columnLetter(keys - 1)}`;
  spec.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = widths[i]!;
    if (c.kind === 'money') col.numFmt = '#,##0.00';
    if (c.kind === 'percent') col.numFmt = '0.00%';
    if (c.kind === 'text' || c.kind === undefined) col.numFmt = '@';
  });
  const maskers = spec.columns.map((c) => columnMasker(c.header));
  for (const r of spec.rows)
    form.dataRow(
      spec.columns.map((c, i) =>
        toCellValue(maskers[i] && typeof r[i] === 'string' ? maskers[i]!(r[i] as string) : r[i], c.kind ?? 'text'),
      ),
    );
  if (spec.totals && spec.totals.length) form.dataRow(totalsRow(spec, spec.totals)).font = { bold: true };
  for (const line of spec.footer ?? []) form.spanning(line, 11, layout.fits ? 1 : keys + 1);
  // exceljs puts a $ before each side only (A2 → $A2, which LibreOffice ignores): the rows carry their own $
  if (!layout.fits && spec.title) ws.pageSetup.printArea = `A$2:${columnLetter(n - 1)}$${ws.rowCount}`;
  return ws;
}

/** 合计: the sum of each totalled column, exactly (decimal), as a number with two places. */
function totalsRow(spec: SheetSpec, columns: number[]): ExcelJS.CellValue[] {
  const totals: ExcelJS.CellValue[] = spec.columns.map(() => null);
  totals[0] = '合计';
  for (const i of columns) {
    let s = new D(0);
    for (const r of spec.rows) {
      const v = r[i];
      if (v === null || v === undefined || v === '') continue;
      s = s.plus(typeof v === 'object' ? v : new D(String(v)));
    }
    totals[i] = Number(s.toFixed(2));
  }
  return totals;
}

/** The rows of a printed table as they are added: its title, header, bordered data rows and spanning lines. */
class FormSheet {
  readonly n: number;
  constructor(
    private readonly ws: ExcelJS.Worksheet,
    private readonly widths: number[],
    private readonly layout: ReturnType<typeof pageLayout>,
  ) {
    this.n = Math.max(1, widths.length);
  }

  /**
   * A line across the table (the first page's columns of a wide one): merged, wrapped, as tall as its text needs.
   * On a wide table the key columns repeat on every page, so footer lines start after them — else the repeated
   * column would print a cut-off copy of each on the later pages.
   */
  spanning(text: string, size = 11, from = 1): ExcelJS.Row {
    const { ws, layout, widths } = this;
    const first = Math.min(from, layout.span);
    const row = ws.addRow([...Array<null>(first - 1).fill(null), text]);
    if (layout.span > first) ws.mergeCells(row.number, first, row.number, layout.span);
    row.getCell(first).alignment = { wrapText: true, vertical: 'top' };
    const lines = linesNeeded(text, (widths.slice(first - 1, layout.span).reduce((a, b) => a + b, 0) * 11) / size);
    if (lines > 1 || size !== 11) row.height = rowHeight(lines, size);
    return row;
  }

  /**
   * A wide table prints its title in the page header of every page instead: row 1 stays out of the print area
   * (see addSheet's end), since a title cell beside the repeated key columns would print cut off on the later pages.
   */
  title(title: string): void {
    const { ws, layout } = this;
    if (!layout.fits) ws.headerFooter.oddHeader = ws.headerFooter.evenHeader = pageHeaderTitle(title);
    const t = layout.fits ? this.spanning(title, 14) : ws.addRow([title]);
    t.font = { bold: true, size: 14 };
    if (!layout.fits) t.height = rowHeight(1, 14);
    t.getCell(1).alignment = layout.fits
      ? { horizontal: 'center', vertical: 'middle', wrapText: true }
      : { vertical: 'middle' };
  }

  header(columns: ColumnDef[]): void {
    const header = this.ws.addRow(columns.map((c) => c.header));
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    header.height = rowHeight(Math.max(...columns.map((c, i) => linesNeeded(c.header, this.widths[i]!)))) + 2;
    for (let i = 1; i <= this.n; i++) {
      const cell = header.getCell(i);
      cell.border = BOX;
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    }
  }

  /** every data cell bordered, empty ones too; text longer than its column wraps and the row grows */
  dataRow(values: ExcelJS.CellValue[]): ExcelJS.Row {
    const { ws, widths, n } = this;
    const row = ws.addRow(values);
    let lines = 1;
    for (let i = 1; i <= n; i++) {
      const cell = row.getCell(i);
      cell.border = BOX;
      const v = values[i - 1];
      if (typeof v === 'string' && textWidth(v) > widths[i - 1]! - 1) {
        cell.alignment = { wrapText: true, vertical: 'middle' };
        lines = Math.max(lines, linesNeeded(v, widths[i - 1]!));
      }
    }
    if (lines > 1) {
      row.height = rowHeight(lines);
      for (let i = 1; i <= n; i++) if (!row.getCell(i).alignment) row.getCell(i).alignment = { vertical: 'middle' };
    }
    return row;
  }
}

export async function writeWorkbook(file: string, build: (wb: ExcelJS.Workbook) => void): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'assist';
  build(wb);
  await writeAtomic(file, (tmp) => wb.xlsx.writeFile(tmp));
}
