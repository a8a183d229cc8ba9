// CSV: csv-parse streaming; encoding by BOM, else a strict UTF-8 check of the first 64 KB, else
// GB18030 (a superset of GBK that loses no characters); --encoding overrides.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse';
import { InputError } from './errors.js';
import type { RawRow } from './cell.js';

export type Encoding = 'utf8' | 'gb18030' | 'utf16le' | 'utf16be';

export function normalizeEncodingName(name: string): Encoding {
  const n = name.toLowerCase().replace(/[-_\s]/g, '');
  if (n === 'utf8' || n === 'utf8bom') return 'utf8';
  if (n === 'gb18030' || n === 'gbk' || n === 'gb2312' || n === 'cp936' || n === 'ansi') return 'gb18030';
  if (n === 'utf16le' || n === 'utf16' || n === 'unicode') return 'utf16le';
  if (n === 'utf16be') return 'utf16be';
  throw new InputError(`不支持的编码“${name}”。可用：utf-8、gb18030（兼容 GBK/GB2312）、utf-16le、utf-16be。`);
}

/** Detects the encoding from the first bytes: BOM, else strict UTF-8, else GB18030. */
export function detectEncoding(head: Buffer): { encoding: Encoding; bomLength: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf8', bomLength: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };
  try {
    // stream: true — a multi-byte character cut at the 64 KB boundary is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf8', bomLength: 0 };
  } catch {
    return { encoding: 'gb18030', bomLength: 0 };
  }
}

export function readHead(file: string, bytes = 65536): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export async function* readCsv(file: string, opts: { encoding?: string } = {}): AsyncGenerator<RawRow> {
  const head = readHead(file);
  const detected = detectEncoding(head);
  const encoding = opts.encoding ? normalizeEncodingName(opts.encoding) : detected.encoding;
  // a tab-separated export (common from HIS systems) is read with tabs
  const firstLine =
    iconv.decode(head.subarray(detected.bomLength, Math.min(head.length, 8192)), encoding).split(/\r?\n/)[0] ?? '';
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  const source = createReadStream(file, { start: opts.encoding ? 0 : detected.bomLength });
  const decoded = source.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  const parser = decoded.pipe(
    parse({
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: true,
      info: true,
      max_record_size: 1 << 20,
    }),
  );
  let recordNo = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      recordNo++;
      yield { sheet: '', row: recordNo, cells: item.record };
    }
  } catch (err) {
    throw new InputError(
      `无法读取 CSV 文件 ${file} 第 ${recordNo + 1} 行附近：${(err as Error).message}。请检查引号是否成对，或用 Excel 另存为 .xlsx。`,
    );
  } finally {
    source.destroy();
  }
}
