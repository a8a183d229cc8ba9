// The month at a glance (SPEC §7 "Figures people look at"): a few key figures and charts, the same for the
// 概览 sheet of a workbook and the --html page. Plain data (numbers, not Money) so it crosses to the output
// worker as it is; every chart carries the table it is drawn from, printed beside it.
import { fmt, fmtGrouped, money, sum, type Money } from '../../domain/money.js';

export interface OverviewFigure {
  label: string;
  /** yuan (two decimals), a count, or a ratio 0…1 (null: nothing to divide by) */
  value: number | null;
  kind: 'money' | 'int' | 'percent';
}

/** A figure as the page shows it. */
export function figureText(f: OverviewFigure): string {
  return f.kind === 'money'
    ? `${yuan(f.value ?? 0)} 元`
    : f.kind === 'percent'
      ? percent(f.value)
      : String(f.value ?? 0);
}

/**
 * stack: horizontal bars per category, one stacked segment per series (money by hospital or county);
 * due: 应救治 against 已救治/正在救治 per category, with the 救治率 as points on a second axis;
 * trend: one line per series over the months.
 */
export type ChartKind = 'stack' | 'due' | 'trend';

export interface ChartSeries {
  name: string;
  values: number[];
}

export interface OverviewChart {
  id: string;
  title: string;
  kind: ChartKind;
  /** the header of the categories' column in the chart's table: 医疗机构, 县（市）区, 病种, 月份 */
  categoryLabel: string;
  /** what the values count: 元 or 人 */
  unit: string;
  categories: string[];
  series: ChartSeries[];
  /** a ratio 0…1 per category; null where there is nothing to divide by (0 应救治) */
  rate?: { name: string; values: (number | null)[] };
  /** under the chart: what it leaves out or how it counts */
  note?: string;
}

export interface Overview {
  title: string;
  /** the month, and a dry run's 试算，未入账 */
  subtitle: string;
  figures: OverviewFigure[];
  charts: OverviewChart[];
}

/** Yuan with two decimals and thousands separators, for figures and tables. */
export function yuan(v: number): string {
  return fmtGrouped(money(String(v)));
}

export function percent(v: number | null): string {
  return v === null ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
}

/**
 * The `limit` largest categories by their series' sum, the rest summed into one 其他 category (a chart of 200
 * hospitals reads as nothing). The table beside the chart holds the same rows.
 */
export function topCategories(
  categories: string[],
  series: ChartSeries[],
  limit: number,
): { categories: string[]; series: ChartSeries[]; others: number } {
  if (categories.length <= limit) return { categories, series, others: 0 };
  const total = (i: number) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0);
  const order = categories
    .map((_, i) => i)
    .sort((a, b) => total(b) - total(a) || (categories[a]! < categories[b]! ? -1 : 1));
  const keep = order.slice(0, limit - 1);
  const rest = order.slice(limit - 1);
  return {
    categories: [...keep.map((i) => categories[i]!), `其他 ${rest.length} 家`],
    series: series.map((x) => ({
      name: x.name,
      values: [...keep.map((i) => x.values[i]!), sumYuan(rest.map((i) => x.values[i]!))],
    })),
    others: rest.length,
  };
}

/** An amount as the charts and their tables take it: yuan, two decimals. */
export function yuanNumber(v: Money): number {
  return Number(fmt(v));
}

/** A sum of chart amounts (yuan, two decimals), added exactly as money rather than as floating point. */
export function sumYuan(values: number[]): number {
  return yuanNumber(sum(values.map((v) => money(String(v)))));
}
