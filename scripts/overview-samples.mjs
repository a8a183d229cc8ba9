// node scripts/overview-samples.mjs [DIR]: the 概览 of the edge cases issue 20 names — an empty month, a one-line
// month, a county with no one due, 25 diseases with long names — as a workbook and an HTML page each, to look at
// (LibreOffice → PDF → PNG, Chromium screenshot). Built modules (npm run build first). Default DIR out/overview-samples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XlsxStreamWriter } from '../dist/io/xlsx-writer.js';
import { writeOverviewSheet } from '../dist/reports/overview/sheet.js';
import { overviewHtml } from '../dist/reports/overview/html.js';

const dir = resolve(process.argv[2] ?? 'out/overview-samples');
mkdirSync(dir, { recursive: true });
const months = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const due = (id, title, label, names, dueN, treated) => ({
  id,
  title,
  kind: 'due',
  categoryLabel: label,
  unit: '人',
  categories: names,
  series: [
    { name: '应救治人数', values: dueN },
    { name: '已救治', values: treated },
    { name: '正在救治', values: names.map((_, i) => (dueN[i] > treated[i] ? 1 : 0)) },
  ],
  rate: {
    name: '救治率',
    values: dueN.map((d, i) => (d === 0 ? null : Math.min(1, (treated[i] + (d > treated[i] ? 1 : 0)) / d))),
  },
});
const samples = {
  'empty-month': {
    title: '2024-06 医疗救助结算概览',
    subtitle: '2024-06（本月无明细）',
    figures: [
      { label: '明细数', value: 0, kind: 'int' },
      { label: '区健康救助资金', value: 0, kind: 'money' },
    ],
    charts: [
      {
        id: 'a',
        title: '各医疗机构各资金支付',
        kind: 'stack',
        categoryLabel: '医疗机构',
        unit: '元',
        categories: [],
        series: [{ name: '区健康救助资金', values: [] }],
      },
      {
        id: 'b',
        title: '2024 年各月各资金支付',
        kind: 'trend',
        categoryLabel: '月份',
        unit: '元',
        categories: months,
        series: [{ name: '区健康救助资金', values: months.map(() => 0) }],
      },
    ],
  },
  'one-line': {
    title: '2024-06 医疗救助结算概览',
    subtitle: '2024-06',
    figures: [
      { label: '明细数', value: 1, kind: 'int' },
      { label: '区健康救助资金', value: 1234.56, kind: 'money' },
    ],
    charts: [
      {
        id: 'a',
        title: '各医疗机构各资金支付',
        kind: 'stack',
        categoryLabel: '医疗机构',
        unit: '元',
        categories: ['盐城市第一人民医院'],
        series: [{ name: '区健康救助资金', values: [1234.56] }],
      },
      {
        id: 'b',
        title: '2024 年各月各资金支付',
        kind: 'trend',
        categoryLabel: '月份',
        unit: '元',
        categories: months,
        series: [{ name: '区健康救助资金', values: [0, 0, 0, 0, 0, 1234.56] }],
      },
    ],
  },
  'zero-due-and-25-diseases': {
    title: '锦州市农村贫困人口大病专项救治概览',
    subtitle: '2024-06（本年累计自 2024-01-01 起）',
    figures: [{ label: '应救治人数', value: 60, kind: 'int' }],
    charts: [
      due(
        'c',
        '各县（市）区应救治与已救治',
        '县（市）区',
        ['古塔区', '凌河区', '太和区', '黑山县'],
        [0, 12, 7, 3],
        [0, 10, 2, 3],
      ),
      due(
        'd',
        '各病种应救治与已救治',
        '病种',
        Array.from({ length: 25 }, (_, i) => `第${i + 1}种大病（含遗传性代谢障碍及其并发症的长期治疗与康复）`),
        Array.from({ length: 25 }, (_, i) => (i % 5 === 0 ? 0 : (i % 4) + 1)),
        Array.from({ length: 25 }, (_, i) => (i % 5 === 0 ? 0 : i % 3)),
      ),
    ],
  },
};
for (const [name, o] of Object.entries(samples)) {
  const xlsx = new XlsxStreamWriter(join(dir, `${name}.xlsx`));
  await writeOverviewSheet(xlsx, o);
  await xlsx.finish();
  writeFileSync(join(dir, `${name}.html`), overviewHtml(o));
  console.log(join(dir, `${name}.xlsx`), join(dir, `${name}.html`));
}
