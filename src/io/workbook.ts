// Small formatted workbooks with exceljs: frozen header, widths, 合计 row, A4 landscape fitted to width.
// exceljs is loaded when a workbook is written, not at start-up: importing it costs ~0.3 s of every command
import type ExcelJS from 'exceljs';
import type { Decimal } from 'decimal.js';
import { writeAtomic } from './atomic.js';
import { columnMasker } from './masking.js';
import { D } from '../domain/money.js';

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
  footer?: string[];
}

export function addSheet(wb: ExcelJS.Workbook, spec: SheetSpec): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(spec.name, {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } },
  });
  let headerRowNo = 1;
  if (spec.title) {
    const t = ws.addRow([spec.title]);
    t.font = { bold: true, size: 14 };
    ws.mergeCells(1, 1, 1, Math.max(1, spec.columns.length));
    t.alignment = { horizontal: 'center' };
    headerRowNo = 2;
  }
  const header = ws.addRow(spec.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.eachCell((cell) => {
    cell.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  });
  ws.views = [{ state: 'frozen', ySplit: headerRowNo }];
  ws.pageSetup.printTitlesRow = `${headerRowNo}:${headerRowNo}`;
  spec.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.width ?? Math.min(40, Math.max(8, [...c.header].length * 2 + 2));
    if (c.kind === 'money') col.numFmt = '#,##0.00';
    if (c.kind === 'percent') col.numFmt = '0.00%';
    if (c.kind === 'text' || c.kind === undefined) col.numFmt = '@';
  });
  const maskers = spec.columns.map((c) => columnMasker(c.header));
  for (const r of spec.rows) ws.addRow(r.map((v, i) => toCellValue(maskers[i] && typeof v === 'string' ? maskers[i]!(v) : v, spec.columns[i]?.kind ?? 'text')));
  if (spec.totals && spec.totals.length) {
    const totals: ExcelJS.CellValue[] = spec.columns.map(() => null);
    totals[0] = '合计';
    for (const i of spec.totals) {
      let s = new D(0);
      for (const r of spec.rows) {
        const v = r[i];
        if (v === null || v === undefined || v === '') continue;
        s = s.plus(typeof v === 'object' ? v : new D(String(v)));
      }
      totals[i] = Number(s.toFixed(2));
    }
    const tr = ws.addRow(totals);
    tr.font = { bold: true };
  }
  for (const line of spec.footer ?? []) ws.addRow([line]);
  return ws;
}

export async function writeWorkbook(file: string, build: (wb: ExcelJS.Workbook) => void): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'assist';
  build(wb);
  await writeAtomic(file, (tmp) => wb.xlsx.writeFile(tmp));
}
