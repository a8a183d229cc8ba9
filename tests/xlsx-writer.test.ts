// Our streaming writer's output opens in exceljs's readFile with identical values (and in our reader).
import { describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { openTable } from '../src/io/table.js';
import { XlsxStreamWriter } from '../src/io/xlsx-writer.js';
import { tmp } from './helpers/files.js';
import { write } from './helpers/writer-sample.js';
import { unzipParts } from './helpers/zip.js';
import { readFileSync } from 'node:fs';
import { SettlementWriter, CheckTotals } from '../src/reports/settlement.js';
import { deferred } from '../src/run/deferred.js';
import { readSheets } from './helpers/workbook.js';

describe('XlsxStreamWriter', () => {
  test.each([false, true])('sharedStrings=%s: exceljs readFile and our reader see the same values', async (shared) => {
    const file = join(tmp(), 'w.xlsx');
    await write(file, shared);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['明细', '异常']);
    const ws = wb.getWorksheet('明细')!;
    const got: unknown[][] = [];
    ws.eachRow((row) => got.push((row.values as unknown[]).slice(1)));
    expect(got[0]![0]).toBe('标题');
    expect(ws.getCell('B1').isMerged).toBe(true);
    expect(got[1]).toEqual(['结算单号', '行号', '身份证号', '姓名', '金额', '比例']);
    expect(got[2]).toEqual(['C1', 1, '320902196005012113', '张三', 1234.5, 0.125]);
    expect(got[3]).toEqual(['C2', 2, ' 前后空格 ', 'a&b<c>"d"', -0.01]);
    expect(got[4]).toEqual(['C3', 3, '=1+1', '控制字符', 1e12, 1]);
    expect(ws.getCell('E3').numFmt).toBe('#,##0.00');
    expect(ws.getCell('C3').type).toBe(ExcelJS.ValueType.String); // never a formula
    expect(ws.getCell('A4').type).toBe(ExcelJS.ValueType.String);
    expect(got[5]).toEqual(['合计', undefined, undefined, undefined, 1000000001234.49].slice(0, 5).map((v) => v));
    const table = await openTable(file);
    const ours: unknown[][] = [];
    for await (const r of table.rows('明细')) ours.push(r.cells);
    table.close();
    expect(ours[2]).toEqual(['C1', 1, '320902196005012113', '张三', 1234.5, 0.125]);
    expect(ours[4]![2]).toBe('=1+1');
    const ex: unknown[][] = [];
    wb.getWorksheet('异常')!.eachRow((row) => ex.push((row.values as unknown[]).slice(1)));
    expect(ex.map((r) => r[0])).toEqual(['说明', '行 C1', '行 C2', '行 C3']);
  });
});

import { line } from '../src/testkit.js';
import { money, ZERO } from '../src/domain/money.js';
import type { LineResult } from '../src/engine/types.js';

/** One th-2021 line C1 of 100.00, approved: 10.00 from `fundId`, 90.00 left to the patient. */
function approvedC1(fundId: string): LineResult {
  return {
    line: line({ claimId: 'C1', totalCost: '100.00' }),
    policy: 'th-2021',
    status: 'approved',
    reasons: [],
    base: money('100'),
    payments: { [fundId]: money('10.00') },
    patientRemaining: money('90'),
    trace: [{ step: 'x', clause: 'c', result: 'A = 1' }],
    payee: 'P',
    changes: [],
  };
}

describe('printing as a government form (SPEC §7, issue 18)', () => {
  test('明细: 计算过程 outside the print area, too wide to fit so 85 % across pages with key columns repeated; page numbers; bordered data cells; 汇总 fitted to the width', async () => {
    const file = join(tmp(), 'p.xlsx');
    const fund = { id: 'th-2021.district', name: '区健康救助资金' };
    const w = new SettlementWriter(file, { month: '2024-06', funds: [fund], policyNames: { 'th-2021': '亭湖' } });
    await w.begin();
    const totals = new CheckTotals();
    const r = approvedC1(fund.id);
    totals.addLine([r]);
    await w.result(r);
    await w.finish(totals.checks(1, 0), 0, []);
    const parts = new Map((await unzipParts(readFileSync(file))).map(([n, b]) => [n, b.toString('utf8')]));
    const book = parts.get('xl/workbook.xml')!;
    const order = [...book.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    const idx = order.indexOf('明细');
    // 17 columns (one fund): 计算过程 is column Q, the print area ends at P; the 明细 header row and columns A:C repeat
    expect(book).toContain(`<definedName name="_xlnm.Print_Area" localSheetId="${idx}">'明细'!$A$1:$P$3</definedName>`);
    expect(book).toContain(
      `<definedName name="_xlnm.Print_Titles" localSheetId="${idx}">'明细'!$1:$1,'明细'!$A:$C</definedName>`,
    );
    // each sheet's part, through the workbook's relationships (parts are numbered in the order they were written)
    const rels = parts.get('xl/_rels/workbook.xml.rels')!;
    const partOf = (name: string) => {
      const rid = new RegExp(`<sheet name="${name}" sheetId="\\d+" r:id="(rId\\d+)"`).exec(book)![1];
      return parts.get(`xl/${new RegExp(`Id="${rid}" [^>]*Target="([^"]+)"`).exec(rels)![1]}`)!;
    };
    const detail = partOf('明细');
    expect(detail).toContain('<pageSetup paperSize="9" orientation="landscape" scale="85"/>');
    expect(detail).toContain('<pageSetUpPr fitToPage="0"/>');
    expect(detail).toContain('<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter>');
    // a data row's empty cell still carries the bordered style
    expect(detail).toMatch(/<row r="2">.*<c r="[A-Z]+2" s="1[0-6]"\/>/);
    const summary = partOf('汇总');
    expect(summary).toContain('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>');
    expect(summary).toContain('第 &amp;P 页 共 &amp;N 页');
  });
});

describe('streamed sheets print without cut-off text (SPEC §7)', () => {
  test('a printed text cell longer than its column wraps and its row grows; short cells and unprinted columns do not', async () => {
    const file = join(tmp(), 'w.xlsx');
    const w = new XlsxStreamWriter(file);
    const s = await w.streamSheet({
      name: 'S',
      columns: [
        { header: '医疗机构', width: 10 },
        { header: '金额', kind: 'money', width: 10 },
        { header: '计算过程', width: 20 },
      ],
      printColumns: 2,
    });
    await s.row(['短', 1, 'x'.repeat(100)]);
    // 13 CJK characters × 1.7 ≈ 22 units in a 10-unit column (9 usable): 3 lines, 3 × 15 + 2 = 47 pt
    await s.row(['盐城市亭湖区人民医院东院区', 2, 'y']);
    await s.end();
    await w.finish();
    const parts = new Map((await unzipParts(readFileSync(file))).map(([n, b]) => [n, b.toString('utf8')]));
    const sheet = [...parts.entries()].find(([n]) => /worksheets\/sheet\d+\.xml$/.test(n))![1];
    const row = (n: number) => new RegExp(`<row r="${n}"[^>]*>.*?</row>`).exec(sheet)![0];
    // the 100 x in the unprinted 计算过程 neither wrap nor grow their row
    expect(row(2)).toMatch(/^<row r="2">/);
    expect(row(2)).not.toContain('s="16"');
    expect(row(3)).toMatch(/^<row r="3" ht="47" customHeight="1">/);
    expect(row(3)).toMatch(/<c r="A3" s="16" t="inlineStr">/);
    expect(row(3)).not.toMatch(/<c r="C3" s="16"/);
  });
});

describe('settlement workbook streamed', () => {
  test('明细 splits at the row capacity, each part with its own 合计; sheets in order 汇总, 明细…, 异常, 核对', async () => {
    const file = join(tmp(), 's.xlsx');
    const fund = { id: 'th-2021.district', name: '区健康救助资金' };
    const w = new SettlementWriter(file, {
      month: '2024-06',
      funds: [fund],
      policyNames: { 'th-2021': '亭湖' },
      partRows: 3,
    });
    await w.begin();
    const totals = new CheckTotals();
    for (let i = 0; i < 7; i++) {
      const l = line({ claimId: `C${i}`, totalCost: '100.00' });
      const r: LineResult = {
        line: l,
        policy: 'th-2021',
        status: i === 6 ? 'pended' : 'approved',
        reasons: i === 6 ? ['BELOW_DEDUCTIBLE'] : [],
        base: money('100'),
        payments: { [fund.id]: money(i === 6 ? '0' : '10.00') },
        patientRemaining: money(i === 6 ? '100' : '90'),
        trace: [{ step: 'x', clause: 'c', result: 'A = 1' }],
        payee: 'P',
        changes: [],
      };
      totals.addLine([r]);
      await w.result(r);
    }
    await w.finish(totals.checks(7, 0), 0, []);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      '概览',
      '汇总',
      '按政策',
      '明细',
      '明细-2',
      '明细-3',
      '异常',
      '核对',
    ]);
    const part = (name: string) => {
      const rows: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
      return rows;
    };
    expect(part('明细').length).toBe(1 + 3 + 1);
    expect(part('明细-3').length).toBe(1 + 1 + 1);
    const payCol = 14; // 0-based: 来源…救助基数 (14 columns), then the fund
    expect(part('明细').at(-1)![0]).toBe('合计');
    expect(part('明细').at(-1)![payCol]).toBe(30);
    expect(part('明细-3').at(-1)![payCol]).toBe(0);
    expect(part('异常').length).toBe(2);
    // 汇总: per hospital, each line once (7 lines, 医疗总费用 700, 已支付 0, fund 60, 个人负担 640); 按政策: results
    expect(part('汇总')[2]).toEqual(['亭湖区人民医院', 7, 700, 0, 60, 640]);
    expect(part('按政策')[2]).toEqual(['th-2021 亭湖', '亭湖区人民医院', 7, 6, 1, 0, 60]);
    expect(ZERO.toFixed(2)).toBe('0.00');
  });
});

describe('settlement workbook finished while the run is sealed', () => {
  test('the 台账校验码 may come after finish has begun: the sheets before it are written, the code is printed where it first appears', async () => {
    const file = join(tmp(), 'later.xlsx');
    const fund = { id: 'th-2021.district', name: '区健康救助资金' };
    const w = new SettlementWriter(file, { month: '2024-06', funds: [fund], policyNames: { 'th-2021': '亭湖' } });
    await w.begin();
    const totals = new CheckTotals();
    const r = approvedC1(fund.id);
    totals.addLine([r]);
    await w.result(r);
    const code = deferred<string | undefined>();
    let finished = false;
    const finishing = w.finish(totals.checks(1, 0), 0, [], {}, code.promise).then(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(finished).toBe(false);
    code.resolve('7-0A1B2C3D');
    await finishing;
    const { rows } = await readSheets(file);
    expect(rows('汇总').flat()).toContain('台账校验码：7-0A1B2C3D');
    expect(rows('核对').at(-1)).toEqual(['台账校验码（核对：assist ledger check --head 校验码）', '7-0A1B2C3D']);

    // a seal that fails rejects the code: finish fails with it (the run then aborts its outputs)
    const w2 = new SettlementWriter(join(tmp(), 'failed.xlsx'), { month: '2024-06', funds: [fund], policyNames: {} });
    await w2.begin();
    const failed = deferred<string | undefined>();
    const finishing2 = w2.finish(new CheckTotals().checks(0, 0), 0, [], {}, failed.promise);
    failed.reject(new Error('封存失败'));
    await expect(finishing2).rejects.toThrow('封存失败');
  });
});

import yauzl from 'yauzl';
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';

describe('zip integrity', () => {
  test("every part's CRC-32 in the central directory equals buffer-crc32's table-driven value of its inflated bytes", async () => {
    const file = join(tmp(), 'crc.xlsx');
    await write(file, true);
    const require = createRequire(import.meta.url);
    const crcTable = require(require.resolve('buffer-crc32', { paths: [require.resolve('yazl')] })) as (
      b: Buffer,
    ) => Buffer;
    const raw = readFileSync(file);
    const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
      yauzl.fromBuffer(raw, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))),
    );
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((res) => {
      zip.on('entry', (e: yauzl.Entry) => (entries.push(e), zip.readEntry()));
      zip.on('end', () => res());
      zip.readEntry();
    });
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const e of entries) {
      const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
        zip.openReadStream(e, { decodeFileData: false } as unknown as yauzl.ZipFileOptions, (err, s) =>
          err ? rej(err) : res(s!),
        ),
      );
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const data = e.compressionMethod === 8 ? inflateRawSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
      expect(data.length, e.fileName).toBe(e.uncompressedSize);
      expect(crcTable(data).readUInt32BE(0), e.fileName).toBe(e.crc32);
    }
  });
});
