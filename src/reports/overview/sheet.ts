// The 概览 sheet: title, the key figures, then each chart as a picture with its table under it (portrait,
// fitted to the page width). Written into the streamed settlement workbook
// (xlsx-writer) and into the Jinzhou report's exceljs workbook — one layout for both.
// Each chart starts on a page of its own except the first, which follows the figures.
import type ExcelJS from 'exceljs';
import type { XlsxStreamWriter, WColumn } from '../../io/xlsx-writer.js';
import { chartHeight, chartPngs, chartSvg, CHART_WIDTH } from './charts.js';
import type { Overview } from './model.js';
import { chartTable } from './table.js';
import { columnPixels, linesNeeded, rowHeight } from '../../io/print-layout.js';

export const OVERVIEW_SHEET = '概览';

/** Column widths: as many as the widest table needs, together wide enough for a legible chart (~86 units). */
export function overviewWidths(o: Overview): number[] {
  const n = Math.max(2, ...o.charts.map((c) => chartTable(c).header.length));
  const rest = Math.max(13, Math.ceil(62 / (n - 1)));
  return [24, ...Array<number>(n - 1).fill(rest)];
}

/** A rate with nothing to divide by reads — (as on the page), not an empty cell. */
function shown(row: (string | number | null)[], kinds: string[]): (string | number | null)[] {
  return row.map((v, i) => (v === null && kinds[i] === 'percent' ? '—' : v));
}

export interface DrawnChart {
  png: Buffer;
  width: number;
  height: number;
}

/** The overview's charts as pictures, in order. */
export async function drawOverview(o: Overview): Promise<DrawnChart[]> {
  const pngs = await chartPngs(o.charts.map(chartSvg));
  return o.charts.map((c, i) => ({ png: pngs[i]!, width: CHART_WIDTH, height: chartHeight(c) }));
}

/** The 概览 sheet of a streamed workbook (put it first with finish's order). */
export async function writeOverviewSheet(xlsx: XlsxStreamWriter, o: Overview): Promise<void> {
  const widths = overviewWidths(o);
  const columns: WColumn[] = widths.map((width) => ({ header: '', width }));
  const w = await xlsx.streamSheet({
    name: OVERVIEW_SHEET,
    title: `${o.title}（${o.subtitle}）`,
    columns,
    noHeader: true,
    portrait: true,
  });
  await w.tableHeader(['指标', '数值']);
  for (const f of o.figures) await w.typedRow([f.label, f.value], ['text', f.kind]);
  const pictures = await drawOverview(o);
  for (const [i, c] of o.charts.entries()) {
    // the first chart under the figures, each other on a page of its own
    if (i > 0) w.pageBreak();
    await w.image(pictures[i]!.png, pictures[i]!.width, pictures[i]!.height, c.title);
    const t = chartTable(c);
    await w.tableHeader(t.header);
    for (const r of t.values) await w.typedRow(shown(r, t.kinds), t.kinds);
    if (c.note) await w.textRow([c.note]);
  }
  await w.end();
}

const KIND_FORMAT: Record<string, string | undefined> = { money: '#,##0.00', int: '0', percent: '0.0%' };

/**
 * The 概览 worksheet of an exceljs workbook (call first: exceljs keeps sheets in the order they are added), its
 * pictures drawn beforehand (drawOverview).
 */
export function addOverviewWorksheet(wb: ExcelJS.Workbook, o: Overview, pictures: DrawnChart[]): void {
  const widths = overviewWidths(o);
  const ws = wb.addWorksheet(OVERVIEW_SHEET, {
    pageSetup: {
      paperSize: 9,
      orientation: 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页 共 &N 页' },
  });
  ws.columns = widths.map((width) => ({ width }));
  const rows = new OverviewRows(ws, widths);
  rows.title(`${o.title}（${o.subtitle}）`);
  rows.header(['指标', '数值']);
  for (const f of o.figures) rows.typed([f.label, f.value], ['text', f.kind]);
  const px = columnPixels(widths);
  for (const [i, c] of o.charts.entries()) {
    if (i > 0) ws.getRow(ws.rowCount).addPageBreak();
    rows.picture(wb, pictures[i]!, px);
    const t = chartTable(c);
    rows.header(t.header);
    for (const r of t.values) rows.typed(shown(r, t.kinds), t.kinds);
    if (c.note) rows.note(c.note);
  }
}

const THIN = { style: 'thin' as const };
const BORDERS = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** The 概览 sheet's rows as they are added: its title, tables (header and typed rows), pictures and notes. */
class OverviewRows {
  constructor(
    private readonly ws: ExcelJS.Worksheet,
    private readonly widths: number[],
  ) {}

  title(text: string): void {
    const title = this.ws.addRow([text]);
    title.font = { bold: true, size: 14 };
    title.height = 24;
    this.ws.mergeCells(1, 1, 1, this.widths.length);
    title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  }

  header(values: string[]): void {
    const r = this.ws.addRow(values);
    values.forEach((_, i) => {
      const cell = r.getCell(i + 1);
      cell.font = { bold: true };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
      cell.border = BORDERS;
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    });
  }

  typed(values: (string | number | null)[], kinds: string[]): void {
    const r = this.ws.addRow(values);
    values.forEach((_, i) => {
      const cell = r.getCell(i + 1);
      cell.border = BORDERS;
      const fmt = KIND_FORMAT[kinds[i]!];
      if (fmt) cell.numFmt = fmt;
      else cell.alignment = { wrapText: true, vertical: 'middle' };
    });
    // LibreOffice does not grow a row for wrapped text on its own
    const lines = Math.max(
      ...values.map((v, i) => (kinds[i] === 'text' && typeof v === 'string' ? linesNeeded(v, this.widths[i]!) : 1)),
    );
    if (lines > 1) r.height = rowHeight(lines);
  }

  /** the chart's picture across the table's width, over as many empty rows as it is tall */
  picture(wb: ExcelJS.Workbook, p: DrawnChart, px: number): void {
    const height = Math.round((p.height * px) / p.width);
    const id = wb.addImage({ buffer: p.png as unknown as ExcelJS.Buffer, extension: 'png' });
    const top = this.ws.rowCount;
    this.ws.addImage(id, { tl: { col: 0, row: top }, ext: { width: px, height } });
    for (let k = 0, n = Math.ceil(height / 20) + 1; k < n; k++) this.ws.addRow([]).height = 15;
  }

  note(text: string): void {
    const r = this.ws.addRow([text]);
    this.ws.mergeCells(r.number, 1, r.number, this.widths.length);
    r.getCell(1).alignment = { wrapText: true, vertical: 'top' };
    r.height = 30;
  }
}
