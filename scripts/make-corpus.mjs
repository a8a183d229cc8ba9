// Writes tests/corpus/: broken and hostile input files, each with its expected outcome in expected.json
// (exit 2 with a named message, or exit 0 with given row counts). Run once; the files are committed.
import yazl from 'yazl';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import iconv from 'iconv-lite';

const DIR = join(import.meta.dirname, '..', 'tests', 'corpus');
mkdirSync(DIR, { recursive: true });
const expected = [];
const HEAD = [
  '结算单号',
  '行号',
  '身份证号',
  '姓名',
  '医疗机构',
  '就诊类型',
  '入院日期',
  '结算日期',
  '医疗总费用',
  '基本医保支付',
];
// generated IDs with valid check characters (no real person)
const ID1 = '32090219600501211X';
const ID2 = '320902197208093225';
const GOOD = (n) => [
  `C${n}`,
  '1',
  n % 2 ? ID1 : ID2,
  '张三',
  '亭湖区人民医院',
  '门诊',
  '2024-06-03',
  '2024-06-03',
  '100.00',
  '20.00',
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const col = (i) => {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};
function sheetXml(rows, { prolog = '', dimension = '', raw = null } = {}) {
  const body =
    raw ??
    rows
      .map(
        (r, ri) =>
          `<row r="${ri + 1}">${r.map((v, ci) => (v === null ? '' : typeof v === 'object' ? v.xml.replace('REF', `${col(ci)}${ri + 1}`) : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('')}</row>`,
      )
      .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${prolog}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${dimension}<sheetData>${body}</sheetData></worksheet>`;
}
function parts(sheet, { sst = null } = {}) {
  return [
    [
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ],
    [
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="结算明细" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>${sst ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' : ''}</Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', sheet],
    ...(sst ? [['xl/sharedStrings.xml', sst]] : []),
  ];
}
async function zip(name, ps) {
  const z = new yazl.ZipFile();
  for (const [p, text] of ps) z.addBuffer(Buffer.from(text, 'utf8'), p, { mtime: new Date(Date.UTC(2024, 0, 1)) });
  z.end();
  const out = createWriteStream(join(DIR, name));
  z.outputStream.pipe(out);
  await once(out, 'close');
}
const add = (file, expect, note) => expected.push({ file, note, ...expect });
const csv = (rows) =>
  rows.map((r) => r.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\r\n') +
  '\r\n';

// ── empty, not really Excel, encrypted, old ───────────────────────────────────────────
writeFileSync(join(DIR, 'zero-bytes.xlsx'), '');
add('zero-bytes.xlsx', { exit: 2, message: '空文件' }, '0 字节');
writeFileSync(join(DIR, 'zero-bytes.csv'), '');
add('zero-bytes.csv', { exit: 2, message: '空文件' }, '0 字节 CSV');
writeFileSync(join(DIR, 'blank-lines.csv'), '\r\n\r\n   \r\n');
add('blank-lines.csv', { exit: 2, message: '缺少必需的列' }, '只有空行');
writeFileSync(join(DIR, 'csv-saved-as.xlsx'), '\ufeff' + csv([HEAD, GOOD(1)]));
add('csv-saved-as.xlsx', { exit: 0, rows: 1, valid: 1 }, '扩展名是 .xlsx，内容是 CSV：按 CSV 读取');
writeFileSync(
  join(DIR, 'html-export.xlsx'),
  `<html><head><meta charset="utf-8"></head><body><table><tr><td>${HEAD.join('</td><td>')}</td></tr></table></body></html>`,
);
add('html-export.xlsx', { exit: 2, message: '网页（HTML）' }, '系统“导出 Excel”得到的网页');
const ole = Buffer.alloc(4096);
Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
writeFileSync(join(DIR, 'old-format.xls'), ole);
add('old-format.xls', { exit: 2, message: '97-2003' }, '旧版 .xls');
const enc = Buffer.concat([
  ole.subarray(0, 512),
  Buffer.from('EncryptedInfo\0EncryptedPackage', 'utf16le'),
  Buffer.alloc(1024),
]);
writeFileSync(join(DIR, 'password-protected.xlsx'), enc);
add('password-protected.xlsx', { exit: 2, message: '已加密' }, '设了打开密码的 .xlsx（OLE 容器中的 EncryptedPackage）');
writeFileSync(
  join(DIR, 'excel-2003-xml.xlsx'),
  '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
);
add('excel-2003-xml.xlsx', { exit: 2, message: 'Excel 2003 XML' }, 'Excel 2003 XML 表格');
writeFileSync(join(DIR, 'binary-garbage.csv'), Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10, 0x7f, 0x00]));
add('binary-garbage.csv', { exit: 2, message: '不是表格文件' }, '二进制内容');

// ── broken zips ───────────────────────────────────────────────────────────────────────
await zip('good.xlsx', parts(sheetXml([HEAD, GOOD(1), GOOD(2)])));
add('good.xlsx', { exit: 0, rows: 2, valid: 2 }, '对照：正常的最小工作簿');
const good = readFileSync(join(DIR, 'good.xlsx'));
writeFileSync(join(DIR, 'truncated.xlsx'), good.subarray(0, Math.floor(good.length / 2)));
add('truncated.xlsx', { exit: 2, message: '' }, '下载中断，zip 被截断');
writeFileSync(join(DIR, 'truncated-tail.xlsx'), good.subarray(0, good.length - 10));
add('truncated-tail.xlsx', { exit: 2, message: '' }, 'zip 末尾（中央目录结束记录）缺失');
{
  // the central directory claims sizes the data does not have
  const b = Buffer.from(good);
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = b.readUInt32LE(eocd + 16);
  while (b.readUInt32LE(p) === 0x02014b50) {
    const nameLen = b.readUInt16LE(p + 28);
    const name = b.subarray(p + 46, p + 46 + nameLen).toString();
    if (name.includes('sheet1')) b.writeUInt32LE(4_000_000_000, p + 24);
    p += 46 + nameLen + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  writeFileSync(join(DIR, 'lying-sizes.xlsx'), b);
  add('lying-sizes.xlsx', { exit: 2, message: '' }, '中央目录声明的解压大小与实际不符（4 GB）');
}
await zip('not-a-workbook.xlsx', [['hello.txt', 'hi']]);
add('not-a-workbook.xlsx', { exit: 2, message: '不是 Excel 工作簿' }, '普通 zip，不含工作簿');

// ── declarations that must not be believed, entities that must not be expanded ───────
await zip(
  'billion-row-dimension.xlsx',
  parts(sheetXml([HEAD, GOOD(1)], { dimension: '<dimension ref="A1:XFD1048576000"/>' })),
);
add('billion-row-dimension.xlsx', { exit: 0, rows: 1, valid: 1 }, '声明 10 亿行的 dimension：不按声明分配');
await zip(
  'huge-sst-count.xlsx',
  parts(
    sheetXml(null, {
      raw: `<row r="1">${HEAD.map((_, i) => `<c r="${col(i)}1" t="s"><v>${i}</v></c>`).join('')}</row>`,
    }),
    {
      sst: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000">${HEAD.map((h) => `<si><t>${h}</t></si>`).join('')}</sst>`,
    },
  ),
);
add('huge-sst-count.xlsx', { exit: 0, rows: 0, valid: 0 }, '共享字符串声明 40 亿个：不按声明分配');
await zip(
  'xxe-in-sheet.xlsx',
  parts(
    sheetXml(
      [
        HEAD,
        [...GOOD(1).slice(0, 3), { xml: '<c r="REF" t="inlineStr"><is><t>&xxe;</t></is></c>' }, ...GOOD(1).slice(4)],
      ],
      { prolog: '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' },
    ),
  ),
);
add('xxe-in-sheet.xlsx', { exit: 0, rows: 1, valid: 1, noText: 'root:' }, '外部实体（XXE）：不解析、不展开');
const lol =
  '<!DOCTYPE sst [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>';
await zip(
  'billion-laughs-sst.xlsx',
  parts(sheetXml(null, { raw: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` }), {
    sst: `<?xml version="1.0" encoding="UTF-8"?>${lol}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>`,
  }),
);
add('billion-laughs-sst.xlsx', { exit: 2, message: '' }, '实体膨胀（billion laughs）：拒绝，不展开');
await zip(
  'billion-laughs-sheet.xlsx',
  parts(
    sheetXml(
      [
        HEAD,
        [...GOOD(1).slice(0, 3), { xml: '<c r="REF" t="inlineStr"><is><t>&lol9;</t></is></c>' }, ...GOOD(1).slice(4)],
      ],
      { prolog: lol.replace('sst', 'worksheet') },
    ),
  ),
);
add('billion-laughs-sheet.xlsx', { exit: 0, rows: 1, valid: 1 }, '工作表中的实体膨胀：实体原样保留，不展开');

// ── headers ────────────────────────────────────────────────────────────────────────────
await zip('header-only.xlsx', parts(sheetXml([HEAD])));
add('header-only.xlsx', { exit: 0, rows: 0, valid: 0 }, '只有表头');
await zip(
  'duplicated-header.xlsx',
  parts(
    sheetXml([
      [...HEAD, '姓名'],
      [...GOOD(1), '李四'],
    ]),
  ),
);
add('duplicated-header.xlsx', { exit: 0, rows: 1, valid: 1 }, '表头“姓名”重复：取第一列');
await zip(
  'merged-header.xlsx',
  parts(
    sheetXml([
      ['结算单号', '行号', '身份证号', '姓名', '医疗机构', '就诊类型', '日期', null, '医疗总费用', '基本医保支付'],
      [null, null, null, null, null, null, '入院日期', '结算日期', null, null],
      GOOD(1),
    ]),
  ),
);
add('merged-header.xlsx', { exit: 0, rows: 1, valid: 1 }, '两行合并表头');
await zip(
  'missing-column.xlsx',
  parts(sheetXml([HEAD.filter((h) => h !== '身份证号'), GOOD(1).filter((_, i) => i !== 2)])),
);
add('missing-column.xlsx', { exit: 2, message: '缺少列“身份证号”' }, '缺少必需列');

// ── cells ───────────────────────────────────────────────────────────────────────────────
const formula = (f, v) => ({ xml: `<c r="REF"><f>${f}</f><v>${v}</v></c>` });
const error = (e) => ({ xml: `<c r="REF" t="e"><v>${e}</v></c>` });
await zip(
  'formulas-and-errors.xlsx',
  parts(
    sheetXml([
      HEAD,
      [...GOOD(1).slice(0, 8), formula('SUM(1,99)', '100'), '20.00'],
      [...GOOD(2).slice(0, 8), error('#N/A'), '20.00'],
      [...GOOD(3).slice(0, 3), error('#REF!'), ...GOOD(3).slice(4)],
    ]),
  ),
);
add(
  'formulas-and-errors.xlsx',
  { exit: 0, rows: 3, valid: 1, invalid: { BAD_AMOUNT: 1, MISSING_FIELD: 1 } },
  '公式取缓存值；#N/A、#REF! 错误单元格成为无效行',
);
await zip(
  'long-cells.xlsx',
  parts(sheetXml([HEAD, [...GOOD(1).slice(0, 3), '张'.repeat(32767), ...GOOD(1).slice(4)]])),
);
add('long-cells.xlsx', { exit: 0, rows: 1, valid: 1 }, '32,767 字符的单元格');
await zip(
  'ids-as-numbers.xlsx',
  parts(
    sheetXml([
      HEAD,
      [...GOOD(1).slice(0, 2), { xml: '<c r="REF"><v>320902196005012</v></c>' }, ...GOOD(1).slice(3)],
      [...GOOD(2).slice(0, 2), { xml: '<c r="REF"><v>3.20902197208093E+17</v></c>' }, ...GOOD(2).slice(3)],
    ]),
  ),
);
add(
  'ids-as-numbers.xlsx',
  { exit: 0, rows: 2, valid: 0, invalid: { INVALID_ID: 2 } },
  '身份证号存为数字（丢了末位或科学计数）',
);
await zip(
  'trailing-empty-rows.xlsx',
  parts(sheetXml([HEAD, GOOD(1), ...Array.from({ length: 50 }, () => ['', '', null])])),
);
add('trailing-empty-rows.xlsx', { exit: 0, rows: 1, valid: 1 }, '末尾 50 个空行');
await zip(
  '16384-columns.xlsx',
  parts(
    sheetXml([
      [...HEAD, ...Array.from({ length: 16384 - HEAD.length }, (_, i) => `备用${i}`)],
      [...GOOD(1), ...Array.from({ length: 16384 - HEAD.length }, () => 'x')],
    ]),
  ),
);
add('16384-columns.xlsx', { exit: 0, rows: 1, valid: 1 }, '16,384 列（Excel 上限）');

// ── CSV: encodings, quotes, ragged rows ───────────────────────────────────────────────
writeFileSync(join(DIR, 'gb18030.csv'), iconv.encode(csv([HEAD, GOOD(1)]), 'gb18030'));
add('gb18030.csv', { exit: 0, rows: 1, valid: 1 }, 'GB18030 编码');
writeFileSync(
  join(DIR, 'broken-encoding.csv'),
  Buffer.concat([
    Buffer.from(csv([HEAD]), 'utf8'),
    Buffer.from([0x43, 0x31, 0x2c, 0x31, 0x2c, 0xff, 0xfe, 0x80, 0x2c, 0x0d, 0x0a]),
  ]),
);
add(
  'broken-encoding.csv',
  { exit: 2, message: '缺少必需的列' },
  'UTF-8 中混入无效字节：整文件按 GB18030 解码，表头无法识别',
);
writeFileSync(
  join(DIR, 'mixed-encodings.csv'),
  Buffer.concat([Buffer.from('\ufeff' + csv([HEAD, GOOD(1)]), 'utf8'), iconv.encode(csv([GOOD(2)]), 'gb18030')]),
);
add(
  'mixed-encodings.csv',
  { exit: 0, rows: 2, valid: 1 },
  'UTF-8 BOM 文件中夹着 GB18030 的行：该行姓名等成为乱码或无效',
);
writeFileSync(
  join(DIR, 'stray-quotes.csv'),
  csv([HEAD]) + 'C1,1,' + ID1 + ',张"三,亭湖区人民医院,门诊,2024-06-03,2024-06-03,100.00,20.00\r\n"C2,1\r\n',
);
add('stray-quotes.csv', { exit: 2, message: '第 3 行附近' }, '字段中间的引号、未闭合的引号：指明行号');
writeFileSync(
  join(DIR, 'ragged-rows.csv'),
  csv([HEAD]) + 'C1,1,' + ID1 + '\r\n' + GOOD(2).join(',') + ',extra,extra\r\n' + GOOD(3).join(',') + '\n',
);
add('ragged-rows.csv', { exit: 0, rows: 3, valid: 2, invalid: { MISSING_FIELD: 1 } }, '列数不齐；LF 与 CRLF 混用');
writeFileSync(
  join(DIR, 'crlf-in-quoted-field.csv'),
  csv([HEAD]) +
    GOOD(1)
      .map((v, i) => (i === 3 ? '"张\r\n三"' : v))
      .join(',') +
    '\r\n',
);
add('crlf-in-quoted-field.csv', { exit: 0, rows: 1, valid: 1 }, '带引号字段中的换行');

writeFileSync(join(DIR, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
process.stdout.write(`tests/corpus：${expected.length} 个文件\n`);
