// Opens an input file as a stream of raw rows, whatever it really is: .xlsx, CSV (any extension),
// or a file that cannot be read (old .xls, encrypted, HTML, empty) — a clear Chinese error.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from './errors.js';
import { XlsxWorkbook } from './xlsx-reader.js';
import { readCsv, readHead } from './csv-reader.js';
import type { RawRow } from './cell.js';

export type FileKind = 'xlsx' | 'csv';

export function sniffFile(file: string): FileKind {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError(`${file} 不是文件。`);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`找不到文件 ${file}，请检查路径。`);
  }
  if (size === 0) throw new InputError(`${file} 是空文件（0 字节），请重新导出。`);
  const head = readHead(file, 4096);
  if (head[0] === 0x50 && head[1] === 0x4b) return 'xlsx';
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
    const whole = readHead(file, Math.min(size, 4 << 20));
    if (whole.includes(Buffer.from('EncryptedPackage', 'utf16le')))
      throw new InputError(`${file} 已加密（设置了打开密码），无法读取。请在 Excel 中取消密码后另存为 .xlsx。`);
    throw new InputError(
      `${file} 是旧版 Excel 97-2003（.xls）格式，暂不支持。请用 Excel 或 WPS 打开后“另存为”.xlsx 或 CSV。`,
    );
  }
  const text = head
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .trimStart()
    .slice(0, 200)
    .toLowerCase();
  if (
    text.startsWith('<!doctype html') ||
    text.startsWith('<html') ||
    text.startsWith('<table') ||
    (text.startsWith('<?xml') && text.includes('<html'))
  )
    throw new InputError(
      `${file} 实际是网页（HTML）格式，并非真正的 Excel 文件（常见于系统“导出 Excel”）。请用 Excel 打开后另存为 .xlsx。`,
    );
  if (text.startsWith('<?xml') && text.includes('urn:schemas-microsoft-com:office:spreadsheet'))
    throw new InputError(`${file} 是 Excel 2003 XML 表格格式，暂不支持。请用 Excel 打开后另存为 .xlsx。`);
  if (head.includes(0) && !(head[0] === 0xff && head[1] === 0xfe) && !(head[0] === 0xfe && head[1] === 0xff))
    throw new InputError(`${file} 不是表格文件（.xlsx 或 CSV），无法读取。`);
  return 'csv';
}

export interface TableSource {
  file: string;
  kind: FileKind;
  /** Sheet names in workbook order ('' for CSV). */
  sheets: string[];
  date1904: boolean;
  rows(sheet: string): AsyncGenerator<RawRow>;
  /** The same rows in batches (what the readers of big files take). */
  batches(sheet: string): AsyncGenerator<RawRow[]>;
  close(): void;
}

export async function openTable(file: string, opts: { encoding?: string } = {}): Promise<TableSource> {
  const kind = sniffFile(file);
  if (kind === 'csv') {
    return {
      file,
      kind,
      sheets: [''],
      date1904: false,
      rows: () => readCsv(file, opts),
      batches: () => inBatches(readCsv(file, opts)),
      close: () => {},
    };
  }
  const wb = await XlsxWorkbook.open(file);
  return {
    file,
    kind,
    sheets: wb.sheets.map((s) => s.name),
    date1904: wb.date1904,
    rows: (sheet) => wb.rows(sheet),
    batches: (sheet) => wb.batches(sheet),
    close: () => wb.close(),
  };
}

async function* inBatches(rows: AsyncGenerator<RawRow>, size = 1000): AsyncGenerator<RawRow[]> {
  let batch: RawRow[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export function displayName(file: string): string {
  return basename(file);
}
