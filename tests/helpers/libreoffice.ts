// LibreOffice as a second, independent reader of our workbooks: `soffice --headless --convert-to csv`
// with every sheet exported (filter token 12 = -1), raw values rather than "as shown" (token 9 = false).
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Decimal } from 'decimal.js';
import { run } from './cli.js';

export const SOFFICE = ['/usr/bin/soffice', '/usr/lib/libreoffice/program/soffice'].find((p) => existsSync(p)) ?? null;

/** Each sheet of the workbook as LibreOffice reads it: rows of cell texts, trailing empties trimmed. */
export async function libreOfficeSheets(file: string, sheetNames: string[]): Promise<Map<string, string[][]>> {
  return (await libreOfficeBooks([[file, sheetNames]]))[0]!;
}

/**
 * Several workbooks (distinct file names) read by one soffice process: its start-up (~3.5 s on the 2-core CI
 * machine) is most of a small workbook's conversion.
 */
export async function libreOfficeBooks(books: [string, string[]][]): Promise<Map<string, string[][]>[]> {
  if (!SOFFICE) throw new Error('soffice not installed');
  const out = mkdtempSync(join(tmpdir(), 'assist-lo-'));
  const profile = mkdtempSync(join(tmpdir(), 'assist-lo-profile-'));
  const r = await run(
    SOFFICE,
    [
      `-env:UserInstallation=file://${profile}`,
      '--headless',
      '--convert-to',
      'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
      '--outdir',
      out,
      ...books.map(([file]) => file),
    ],
    { timeout: 120_000 + 30_000 * books.length },
  );
  if (r.code !== 0) throw new Error(`soffice failed (${r.code}): ${r.stderr}`);
  const made = readdirSync(out);
  return books.map(([file, sheetNames]) => {
    const stem = basename(file).replace(/\.xlsx$/, '');
    const sheets = new Map<string, string[][]>();
    for (const name of sheetNames) {
      const csv =
        made.find((f) => f === `${stem}-${name}.csv`) ??
        (sheetNames.length === 1 ? made.find((f) => f === `${stem}.csv`) : undefined);
      if (!csv) throw new Error(`LibreOffice wrote no CSV for sheet ${name} of ${stem} (wrote ${made.join(', ')})`);
      const rows = parse(readFileSync(join(out, csv), 'utf8'), { relax_column_count: true }) as string[][];
      // LibreOffice writes a percent-formatted cell as "12.5%" even with "as shown" off: back to the value
      sheets.set(
        name,
        trim(
          rows.map((r) =>
            r.map((x) => (/^-?\d+(\.\d+)?%$/.test(x) ? new Decimal(x.slice(0, -1)).div(100).toString() : x)),
          ),
        ),
      );
    }
    return sheets;
  });
}

/** Each sheet as exceljs's readFile sees it, every value as the text LibreOffice writes for it. */
export async function exceljsSheets(file: string): Promise<Map<string, string[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheets = new Map<string, string[][]>();
  for (const ws of wb.worksheets) {
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (c, col) => {
        // a merged title shows its text in the first cell only, as LibreOffice writes it
        const v = c.isMerged && c.master.address !== c.address ? null : c.value;
        cells[col - 1] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      });
      rows[n - 1] = Array.from(cells, (x) => x ?? '');
    });
    sheets.set(ws.name, trim(Array.from(rows, (x) => x ?? [])));
  }
  return sheets;
}

function trim(rows: string[][]): string[][] {
  const out = rows.map((r) => {
    const c = [...r];
    while (c.length && c[c.length - 1] === '') c.pop();
    return c;
  });
  while (out.length && out[out.length - 1]!.length === 0) out.pop();
  return out;
}
