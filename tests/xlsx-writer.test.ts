// Our streaming writer's output opens in exceljs's readFile with identical values (and in our reader).
import { describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { XlsxStreamWriter } from '../src/io/xlsx-writer.js';
import { openTable } from '../src/io/table.js';
import { tmp } from './helpers/files.js';

const rows: (string | number | Decimal | null)[][] = [
  ['C1', 1, '320902196005012113', '张三', new Decimal('1234.5'), 0.125],
  ['C2', 2, ' 前后空格 ', 'a&b<c>"d"', new Decimal('-0.01'), null],
  ['C3', 3, '=1+1', '控制\u0001字符', new Decimal('1000000000000.00'), 1],
];

async function write(file: string, shared: boolean): Promise<void> {
  const w = new XlsxStreamWriter(file, shared ? { sharedStrings: true, excelOrder: ['明细', '异常'] } : {});
  const s = await w.streamSheet({ name: '明细', title: '标题', columns: [{ header: '结算单号' }, { header: '行号', kind: 'int' }, { header: '身份证号' }, { header: '姓名' }, { header: '金额', kind: 'money' }, { header: '比例', kind: 'percent' }] });
  const b = await w.bufferedSheet({ name: '异常', columns: [{ header: '说明' }] }, join(file + '.tmp'));
  for (const r of rows) {
    await s.row(r);
    await b.row([`行 ${r[0]}`]);
  }
  await s.boldRow(['合计', null, null, null, new Decimal('1000000001234.49'), null]);
  await s.end();
  await b.end();
  await w.finish();
}

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
