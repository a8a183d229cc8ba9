// The table a chart is drawn from: one row per category, one column per series (and the rate), printed
// beside the chart on the 概览 sheet and under it on the HTML page — the chart's numbers, readable.
import { percent, yuan, type OverviewChart } from './model.js';

export type TableKind = 'text' | 'money' | 'int' | 'percent';

export interface ChartTable {
  header: string[];
  kinds: TableKind[];
  /** values as the workbook holds them (a rate as 0…1, null when there is none) */
  values: (string | number | null)[][];
  /** the same as text, as the page shows them */
  rows: string[][];
}

export function chartTable(c: OverviewChart): ChartTable {
  const money = c.unit === '元';
  const header = [
    c.categoryLabel,
    ...c.series.map((s) => (money ? `${s.name}（元）` : s.name)),
    ...(c.rate ? [c.rate.name] : []),
  ];
  const kinds: TableKind[] = [
    'text',
    ...c.series.map((): TableKind => (money ? 'money' : 'int')),
    ...(c.rate ? ['percent' as const] : []),
  ];
  const values = c.categories.map((cat, i) => [
    cat,
    ...c.series.map((s) => s.values[i] ?? 0),
    ...(c.rate ? [c.rate.values[i] ?? null] : []),
  ]);
  const rows = values.map((r) =>
    r.map((v, j) =>
      kinds[j] === 'text'
        ? String(v)
        : kinds[j] === 'percent'
          ? percent(v as number | null)
          : kinds[j] === 'money'
            ? yuan(v as number)
            : String(v),
    ),
  );
  return { header, kinds, values, rows };
}
