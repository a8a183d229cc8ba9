import yazl from 'yazl';
import yauzl from 'yauzl';
import { createWriteStream } from 'node:fs';

/** Writes a zip with the parts in exactly the given order (to imitate Excel's or exceljs's part order). */
export function writeZip(
  file: string,
  parts: [string, string | Buffer][],
  opts: { compress?: boolean } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of parts)
      zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), name, {
        compress: opts.compress ?? true,
      });
    zip.outputStream
      .pipe(createWriteStream(file))
      .on('close', () => resolve())
      .on('error', reject);
    zip.end();
  });
}

const CT = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>__SHEETS__<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`;

export interface HandSheet {
  name: string;
  /** the inner XML of <sheetData> */
  sheetData: string;
  extra?: string;
}

/**
 * Builds the parts of a minimal workbook by hand. `order` 'excel' puts sharedStrings and styles
 * after the sheets (as Excel does); 'exceljs' puts them before.
 */
export function handWorkbookParts(opts: {
  sheets: HandSheet[];
  sharedStrings: string;
  styles: string;
  date1904?: boolean;
  order: 'excel' | 'exceljs';
}): [string, string][] {
  const sheetOverrides = opts.sheets
    .map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    )
    .join('');
  const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr${opts.date1904 ? ' date1904="1"' : ''}/><sheets>${opts.sheets
    .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
    .join('')}</sheets></workbook>`;
  const n = opts.sheets.length;
  const wbRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${opts.sheets
    .map(
      (_, i) =>
        `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
    )
    .join(
      '',
    )}<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId${n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
  const sheetParts: [string, string][] = opts.sheets.map((s, i) => [
    `xl/worksheets/sheet${i + 1}.xml`,
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:Z1048576"/><sheetData>${s.sheetData}</sheetData>${s.extra ?? ''}</worksheet>`,
  ]);
  const head: [string, string][] = [
    ['[Content_Types].xml', CT.replace('__SHEETS__', sheetOverrides)],
    ['_rels/.rels', rootRels],
    ['xl/workbook.xml', workbook],
    ['xl/_rels/workbook.xml.rels', wbRels],
  ];
  const shared: [string, string][] = [
    ['xl/styles.xml', opts.styles],
    ['xl/sharedStrings.xml', opts.sharedStrings],
  ];
  return opts.order === 'excel' ? [...head, ...sheetParts, ...shared] : [...head, ...shared, ...sheetParts];
}

export function sst(strings: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${strings.join('')}</sst>`;
}

export function styles(numFmts: [number, string][], xfNumFmtIds: number[]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${
    numFmts.length
      ? `<numFmts count="${numFmts.length}">${numFmts.map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${code}"/>`).join('')}</numFmts>`
      : ''
  }<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${xfNumFmtIds.length}">${xfNumFmtIds
    .map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>`)
    .join('')}</cellXfs></styleSheet>`;
}

/** Every part of a zip (a workbook), in the order stored, decompressed. */
export function unzipParts(bytes: Buffer): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: [string, Buffer][] = [];
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (er, s) => {
          if (er || !s) return reject(er);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.push([e.fileName, Buffer.concat(chunks)]);
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}
