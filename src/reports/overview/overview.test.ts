import { describe, expect, test } from 'vitest';
import { chartHeight, chartSvg } from './charts.js';
import { chartTable } from './table.js';
import fc from 'fast-check';
import { figureText, percent, sumYuan, topCategories, yuan, type OverviewChart } from './model.js';
import { fmt, fromFen } from '../../domain/money.js';
import { overviewHtml } from './html.js';

const due = (names: string[], dueN: number[], treated: number[]): OverviewChart => ({
  id: 'due',
  title: '各病种应救治与已救治',
  kind: 'due',
  categoryLabel: '病种',
  unit: '人',
  categories: names,
  series: [
    { name: '应救治人数', values: dueN },
    { name: '已救治', values: treated },
    { name: '正在救治', values: names.map(() => 0) },
  ],
  rate: { name: '救治率', values: dueN.map((d, i) => (d === 0 ? null : treated[i]! / d)) },
});

describe('overview charts and their tables', () => {
  test('the table beside a chart holds its numbers: categories, each series, the rate (— where nothing is due)', () => {
    const t = chartTable(due(['肺癌', '食管癌'], [4, 0], [3, 0]));
    expect(t.header).toEqual(['病种', '应救治人数', '已救治', '正在救治', '救治率']);
    expect(t.values).toEqual([
      ['肺癌', 4, 3, 0, 0.75],
      ['食管癌', 0, 0, 0, null],
    ]);
    expect(t.rows[0]).toEqual(['肺癌', '4', '3', '0', '75.0%']);
    expect(t.rows[1]![4]).toBe('—');
  });

  test('a county with 0 due draws no rate point and no NaN', () => {
    const svg = chartSvg(due(['古塔区', '凌河区'], [0, 2], [0, 1]));
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain('50.0%');
    expect(svg).toContain('古塔区');
  });

  test('an empty month: the chart says 本期无数据 instead of empty axes', () => {
    const empty: OverviewChart = {
      id: 'e',
      title: '各医疗机构各资金支付',
      kind: 'stack',
      categoryLabel: '医疗机构',
      unit: '元',
      categories: [],
      series: [{ name: '区健康救助资金', values: [] }],
    };
    expect(chartSvg(empty)).toContain('本期无数据');
    expect(chartTable(empty).values).toEqual([]);
  });

  test('25 diseases with long names: one row each (the chart grows), names cut to fit with an ellipsis', () => {
    const names = Array.from({ length: 25 }, (_, i) => `第${i + 1}种罕见病（含遗传性代谢障碍及其并发症的长期治疗）`);
    const c = due(
      names,
      names.map(() => 3),
      names.map((_, i) => i % 4),
    );
    expect(chartHeight(c)).toBe(110 + 34 * 25);
    const svg = chartSvg(c);
    expect(svg).toContain('第25种罕见病');
    expect(svg).toContain('…');
    expect(svg).not.toContain('第1种罕见病（含遗传性代谢障碍及其并发症的长期治疗）');
    // the full names are in the table
    expect(chartTable(c).values.map((r) => r[0])).toEqual(names);
  });

  test('many hospitals: the 14 largest by name, the rest one 其他 row whose amounts are their sums', () => {
    const names = Array.from({ length: 20 }, (_, i) => `医院${String(i + 1).padStart(2, '0')}`);
    const a = names.map((_, i) => (i + 1) * 100.01);
    const b = names.map((_, i) => (i % 2) * 0.1);
    const t = topCategories(
      names,
      [
        { name: 'A', values: a },
        { name: 'B', values: b },
      ],
      15,
    );
    expect(t.categories).toHaveLength(15);
    expect(t.categories[0]).toBe('医院20');
    expect(t.categories[14]).toBe('其他 6 家');
    // 医院01…医院06: 100.01 × (1+…+6) = 2100.21; B: 0.1 × 3 (医院02, 04, 06) = 0.3
    expect(t.series[0]!.values[14]).toBe(2100.21);
    expect(t.series[1]!.values[14]).toBe(0.3);
    expect(t.others).toBe(6);
  });

  test('a sum of chart amounts is the exact sum of their fen, where floating point is not (0.1 + 0.2)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumYuan([0.1, 0.2])).toBe(0.3);
    expect(sumYuan([9999999999.99, 0.01, 1234.5])).toBe(10000001234.5);
    const amount = fc.integer({ min: 0, max: 1e12 });
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 300 }), (fens) => {
        const total = fens.reduce((a, b) => a + b, 0);
        expect(sumYuan(fens.map((f) => Number(fmt(fromFen(f)))))).toBe(Number(fmt(fromFen(total))));
      }),
      { numRuns: 2000 },
    );
  });

  test('figures and the page: yuan with separators, percent to one place, nothing fetched, no script', () => {
    expect(yuan(30989393.75)).toBe('30,989,393.75');
    expect(percent(0.8333)).toBe('83.3%');
    expect(figureText({ label: 'x', value: null, kind: 'percent' })).toBe('—');
    const html = overviewHtml({
      title: '概览',
      subtitle: '2024-06',
      figures: [{ label: '明细数', value: 1, kind: 'int' }],
      charts: [due(['肺癌'], [1], [1])],
    });
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\((?!#)/);
    expect(html).toContain('<dd>1</dd>');
    expect(html).toContain('<svg');
  });
});
