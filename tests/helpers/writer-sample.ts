// The writer test workbook: every kind of cell the streaming writer handles, in both string modes.
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { XlsxStreamWriter } from '../../src/io/xlsx-writer.js';

export const rows: (string | number | Decimal | null)[][] = [
  ['C1', 1, '320902196005012113', '张三', new Decimal('1234.5'), 0.125],
  ['C2', 2, ' 前后空格 ', 'a&b<c>"d"', new Decimal('-0.01'), null],
  ['C3', 3, '=1+1', '控制\u0001字符', new Decimal('1000000000000.00'), 1],
];

export async function write(file: string, shared: boolean): Promise<void> {
  const w = new XlsxStreamWriter(file, shared ? { sharedStrings: true, excelOrder: ['明细', '异常'] } : {});
  const s = await w.streamSheet({
    name: '明细',
    title: '标题',
    columns: [
      { header: '结算单号' },
      { header: '行号', kind: 'int' },
      { header: '身份证号' },
      { header: '姓名' },
      { header: '金额', kind: 'money' },
      { header: '比例', kind: 'percent' },
    ],
  });
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
