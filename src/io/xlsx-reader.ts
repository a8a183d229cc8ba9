// A streaming .xlsx reader: the zip is read through its central directory (yauzl), parts are parsed
// with a streaming XML parser (saxes). Shared strings and styles are loaded first whatever their
// position in the zip; a sheet is never held in memory — rows are yielded as they are parsed.
import yauzl from 'yauzl';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { SheetScanner, type ScannedCell } from './sheet-scanner.js';
import { SharedStringScanner } from './sst-scanner.js';
import { StringDecoder } from 'node:string_decoder';
import { posix } from 'node:path';
import { pipeline } from 'node:stream';
import { createInflateRaw, type ZlibOptions } from 'node:zlib';
import { InputError } from './errors.js';
import type { CellValue, RawRow } from './cell.js';
import { excelSerialToDate } from '../domain/dates.js';

export const MAX_COLUMNS = 16384;

/** Built-in number formats that are dates or times (including those Chinese Excel uses). */
const BUILTIN_DATE_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);

export function isDateFormatCode(code: string): boolean {
  const stripped = code
    .replace(/\[[^\]]*\]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/_.|\*./g, '');
  if (/^general$/i.test(stripped.trim())) return false;
  return /[ymdhs]/i.test(stripped.replace(/[eE][+-]/g, ''));
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** A part's bytes, inflated and counted. */
interface PartStream {
  chunks: AsyncIterable<Buffer>;
  destroy(): void;
}

interface SheetInfo {
  name: string;
  path: string;
}

export class XlsxWorkbook {
  private sharedStrings: string[] = [];
  private dateStyles: boolean[] = [];
  date1904 = false;
  sheets: SheetInfo[] = [];

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<XlsxWorkbook> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        file,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
        (err, z) => (err ? reject(err) : resolve(z!)),
      ),
    ).catch((err: Error) => {
      throw new InputError(
        `无法读取 ${file}：不是有效的 .xlsx 文件或文件已损坏（${err.message}）。请用 Excel 或 WPS 打开后另存为 .xlsx。`,
      );
    });
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName.replace(/^\/+/, ''), e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    }).catch((err: Error) => {
      zip.close();
      throw new InputError(`无法读取 ${file}：压缩包目录损坏（${err.message}）。请重新导出该文件。`);
    });
    const wb = new XlsxWorkbook(zip, entries, file);
    try {
      await wb.loadStructure();
    } catch (err) {
      wb.close();
      throw err;
    }
    return wb;
  }

  close(): void {
    this.zip.close();
  }

  private findEntry(path: string): yauzl.Entry | undefined {
    const p = path.replace(/^\/+/, '');
    const e = this.entries.get(p);
    if (e) return e;
    const lower = p.toLowerCase();
    for (const [name, entry] of this.entries) if (name.toLowerCase() === lower) return entry;
    return undefined;
  }

  private openStream(entry: yauzl.Entry): Promise<PartStream> {
    // a deflated part is inflated here rather than by yauzl, with bigger chunks and a deep buffer, so zlib
    // (on libuv's thread pool) runs ahead while this thread parses; the byte count is checked as yauzl would
    const own = entry.compressionMethod === 8 && !entry.isEncrypted();
    return new Promise((resolve, reject) =>
      this.zip.openReadStream(entry, (own ? { decodeFileData: false } : {}) as yauzl.ZipFileOptions, (err, s) => {
        if (err) return reject(new InputError(`无法读取 ${this.file} 中的 ${entry.fileName}：${err.message}`));
        if (!own) return resolve({ chunks: s! as AsyncIterable<Buffer>, destroy: () => s!.destroy() });
        // (zlib passes its options on to the Transform it is, so readableHighWaterMark applies)
        const inflate = createInflateRaw({ chunkSize: 1 << 16, readableHighWaterMark: 1 << 23 } as ZlibOptions);
        const expected = entry.uncompressedSize;
        // the count is kept as the chunks are taken (a Transform stream for it cost a hop per chunk)
        async function* counted(): AsyncGenerator<Buffer> {
          let bytes = 0;
          for await (const chunk of inflate as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes > expected)
              throw new Error(`too many bytes in the stream. expected ${expected}. got at least ${bytes}`);
            yield chunk;
          }
          if (bytes < expected)
            throw new Error(`not enough bytes in the stream. expected ${expected}. got only ${bytes}`);
        }
        pipeline(s!, inflate, () => {});
        resolve({ chunks: counted(), destroy: () => inflate.destroy() });
      }),
    );
  }

  /** Streams one part through a saxes parser; `handlers` receive open/close/text events. */
  private async parsePart(
    path: string,
    handlers: {
      open?: (tag: SaxesTagPlain, name: string) => void;
      close?: (name: string) => void;
      text?: (t: string) => void;
    },
  ): Promise<void> {
    const parser = new SaxesParser({ xmlns: false, position: false });
    if (handlers.open) {
      const open = handlers.open;
      parser.on('opentag', (tag) => open(tag as SaxesTagPlain, localName(tag.name)));
    }
    if (handlers.close) {
      const close = handlers.close;
      parser.on('closetag', (tag) => close(localName(tag.name)));
    }
    if (handlers.text) {
      parser.on('text', handlers.text);
      parser.on('cdata', handlers.text);
    }
    for await (const _ of this.scanPart(
      path,
      (t) => parser.write(t),
      () => parser.close(),
    )) {
      // nothing to hand on between chunks
    }
  }

  /**
   * Feeds a part's decoded text to `feed` chunk by chunk, then calls `end`; yields after each chunk and after
   * the end, so a caller can hand on what the chunk completed. A damaged or truncated part is an InputError
   * naming the file and the part; the stream is closed however the reading ends.
   */
  private async *scanPart(path: string, feed: (text: string) => void, end: () => void): AsyncGenerator<void> {
    const entry = this.findEntry(path);
    if (!entry) throw new InputError(`无法读取 ${this.file}：缺少部件 ${path}，文件不完整。请重新导出该文件。`);
    const stream = await this.openStream(entry);
    const decoder = new StringDecoder('utf8');
    try {
      try {
        for await (const chunk of stream.chunks) {
          feed(decoder.write(chunk));
          yield;
        }
        feed(decoder.end());
        end();
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw new InputError(
          `无法读取 ${this.file} 的 ${path}：内容损坏或被截断（${(err as Error).message.split('\n')[0]}）。请重新导出该文件。`,
        );
      }
      yield;
    } finally {
      stream.destroy();
    }
  }

  private async readRels(path: string): Promise<Map<string, { target: string; type: string }>> {
    const rels = new Map<string, { target: string; type: string }>();
    if (!this.findEntry(path)) return rels;
    await this.parsePart(path, {
      open: (tag, name) => {
        if (name === 'Relationship')
          rels.set(String(tag.attributes.Id), {
            target: String(tag.attributes.Target ?? ''),
            type: String(tag.attributes.Type ?? ''),
          });
      },
    });
    return rels;
  }

  private async loadStructure(): Promise<void> {
    if (this.findEntry('EncryptedPackage'))
      throw new InputError(`${this.file} 已加密（设置了打开密码），无法读取。请在 Excel 中取消密码后另存为 .xlsx。`);
    const rootRels = await this.readRels('_rels/.rels');
    let workbookPath = 'xl/workbook.xml';
    for (const r of rootRels.values())
      if (r.type.endsWith('/officeDocument')) workbookPath = r.target.replace(/^\/+/, '');
    if (!this.findEntry(workbookPath))
      throw new InputError(`${this.file} 不是 Excel 工作簿（缺少 ${workbookPath}）。请用 Excel 或 WPS 另存为 .xlsx。`);
    const dir = posix.dirname(workbookPath);
    const relsPath = posix.join(dir, '_rels', posix.basename(workbookPath) + '.rels');
    const rels = await this.readRels(relsPath);
    const resolve = (target: string) =>
      target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join(dir, target));
    const sheetRefs: { name: string; rid: string }[] = [];
    await this.parsePart(workbookPath, {
      open: (tag, name) => {
        if (name === 'sheet') {
          const rid = Object.entries(tag.attributes).find(([k]) => localName(k) === 'id' && k !== 'sheetId')?.[1];
          sheetRefs.push({ name: String(tag.attributes.name ?? ''), rid: String(rid ?? '') });
        } else if (name === 'workbookPr') {
          const v = tag.attributes.date1904;
          this.date1904 = v === '1' || v === 'true';
        }
      },
    });
    for (const s of sheetRefs) {
      const rel = rels.get(s.rid);
      if (rel && !rel.type.endsWith('/chartsheet')) this.sheets.push({ name: s.name, path: resolve(rel.target) });
    }
    if (this.sheets.length === 0) throw new InputError(`${this.file} 中没有工作表。请确认文件内容后重新导出。`);
    let sharedPath: string | undefined;
    let stylesPath: string | undefined;
    for (const r of rels.values()) {
      if (r.type.endsWith('/sharedStrings')) sharedPath = resolve(r.target);
      if (r.type.endsWith('/styles')) stylesPath = resolve(r.target);
    }
    if (sharedPath && this.findEntry(sharedPath)) await this.loadSharedStrings(sharedPath);
    if (stylesPath && this.findEntry(stylesPath)) await this.loadStyles(stylesPath);
  }

  private async loadSharedStrings(path: string): Promise<void> {
    // a hand scanner (sst-scanner.ts): saxes took 0.9 s of a million-line workbook's 1.6 million strings
    const scanner = new SharedStringScanner(this.sharedStrings);
    for await (const _ of this.scanPart(
      path,
      (t) => scanner.feed(t),
      () => scanner.end(),
    )) {
      // the strings are complete only at the end
    }
  }

  private async loadStyles(path: string): Promise<void> {
    const customDate = new Map<number, boolean>();
    let inCellXfs = false;
    await this.parsePart(path, {
      open: (tag, name) => {
        if (name === 'numFmt')
          customDate.set(Number(tag.attributes.numFmtId), isDateFormatCode(String(tag.attributes.formatCode ?? '')));
        else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) {
          const id = Number(tag.attributes.numFmtId ?? 0);
          this.dateStyles.push(customDate.has(id) ? customDate.get(id)! : BUILTIN_DATE_IDS.has(id));
        }
      },
      close: (name) => {
        if (name === 'cellXfs') inCellXfs = false;
      },
    });
  }

  /** Yields the sheet's rows in order. Empty rows the file omits are not yielded. */
  async *rows(sheetName: string): AsyncGenerator<RawRow> {
    for await (const batch of this.batches(sheetName)) yield* batch;
  }

  /**
   * The sheet's rows in order, in batches (the rows of one inflated chunk): the big readers take a batch at a
   * time — a yield per row through each async layer cost ~0.25 µs a row.
   */
  async *batches(sheetName: string): AsyncGenerator<RawRow[]> {
    const sheet = this.sheets.find((s) => s.name === sheetName);
    if (!sheet)
      throw new InputError(
        `${this.file} 中没有名为“${sheetName}”的工作表（有：${this.sheets.map((s) => s.name).join('、')}）。`,
      );
    let queue: RawRow[] = [];
    let rowNum = 0;
    let cells: CellValue[] = [];
    const book: CellBook = {
      shared: this.sharedStrings,
      dateStyles: this.dateStyles,
      date1904: this.date1904,
      file: this.file,
      sheet: sheetName,
    };
    const scanner = new SheetScanner({
      rowStart: (r) => {
        cells = [];
        rowNum = r ? Number(r) : rowNum + 1;
      },
      cell: (c) => {
        if (c.col >= 0 && c.col < MAX_COLUMNS) cells[c.col] = cellValue(c, book, rowNum);
      },
      rowEnd: () => {
        for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
        queue.push({ sheet: sheetName, row: rowNum, cells });
      },
    });
    for await (const _ of this.scanPart(
      sheet.path,
      (t) => scanner.feed(t),
      () => scanner.end(),
    )) {
      if (queue.length) {
        yield queue;
        queue = [];
      }
    }
  }
}

/** What a sheet's cells are read against: the workbook's shared strings, date styles and epoch; where it is. */
interface CellBook {
  shared: string[];
  dateStyles: boolean[];
  date1904: boolean;
  file: string;
  sheet: string;
}

/**
 * A scanned cell's value: the shared string, text, boolean, error, date or number it stands for. `c.v` is a number
 * when the scanner read a plain decimal (n and s cells), else the text.
 */
function cellValue(c: ScannedCell, book: CellBook, rowNum: number): CellValue {
  const v = c.v;
  switch (c.type) {
    case 's':
      return v === null ? null : sharedString(book, v, rowNum);
    case 'inlineStr':
      return c.inline;
    case 'str':
      return v === null ? null : String(v);
    case 'b':
      return v === null ? null : String(v).trim() === '1' || String(v).trim() === 'true';
    case 'e':
      return v === null ? null : { error: String(v) };
    case 'd':
      return v === null ? null : isoDateCell(String(v));
    default:
      return numberCell(v, book.dateStyles[c.style] === true, book.date1904);
  }
}

function sharedString(book: CellBook, v: string | number, rowNum: number): string {
  const s = book.shared[typeof v === 'number' ? v : Number(v)];
  if (s === undefined)
    throw new InputError(
      `${book.file} 的工作表“${book.sheet}”第 ${rowNum} 行引用了不存在的共享字符串 ${v}，文件已损坏。`,
    );
  return s;
}

/** a t="d" cell: an ISO date or date-time (UTC), or its text when it is not one */
function isoDateCell(t: string): CellValue {
  const d = new Date(t.length <= 10 ? `${t}T00:00:00Z` : t.endsWith('Z') ? t : `${t}Z`);
  return Number.isNaN(d.getTime()) ? t : d;
}

/**
 * a number cell; in a date style, the date (a serial beyond any real date stays a number, which the row's date check
 * then names)
 */
function numberCell(v: string | number | null, dateStyle: boolean, date1904: boolean): CellValue {
  if (v === null || (typeof v === 'string' && v.trim() === '')) return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(n)) return v;
  if (!dateStyle) return n;
  const d = excelSerialToDate(n, date1904);
  return Number.isNaN(d.getTime()) ? n : d;
}
