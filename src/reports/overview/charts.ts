// Charts drawn by Apache ECharts on the server (its SSR renderer gives SVG without a browser or a DOM), the
// same SVG inlined in the --html page and turned into a PNG by resvg for the workbooks' 概览 sheet — one
// drawing for every place, and a picture renders alike in Excel, WPS and LibreOffice (README「概览」).
import type * as echarts from 'echarts';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { percent, type OverviewChart } from './model.js';

export const CHART_WIDTH = 760;

// Loaded on the first chart, not at start-up: the ESM entry of echarts takes ~0.55 s to import (hundreds of
// modules), which every command paid; its prebuilt "common" bundle (bar, line, scatter, title, legend, graphic —
// all these charts use) loads in ~0.1 s.
let lib: typeof echarts | null = null;
function charts(): typeof echarts {
  return (lib ??= createRequire(import.meta.url)('echarts/dist/echarts.common.min.js') as typeof echarts);
}
const FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";
const COLORS = ['#3a6ea5', '#e07b39', '#5b9f4a', '#b8474d', '#8064a2', '#c9a227', '#4bacc6'];

/** The chart's height: horizontal bars grow with their categories (25 diseases still get a readable row each). */
export function chartHeight(c: OverviewChart): number {
  if (c.kind === 'trend') return 340;
  const per = c.kind === 'due' ? 34 : 26;
  return Math.max(220, 110 + per * Math.max(1, c.categories.length));
}

const axisLabel = { fontSize: 13, width: 170, overflow: 'truncate' as const, ellipsis: '…' };

function baseOption(c: OverviewChart): echarts.EChartsOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    color: COLORS,
    textStyle: { fontFamily: FONT },
    title: { text: c.title, left: 'center', top: 6, textStyle: { fontSize: 16, fontWeight: 'bold' } },
    legend: { top: 34, textStyle: { fontSize: 13 } },
  };
}

function empty(c: OverviewChart): echarts.EChartsOption {
  return {
    ...baseOption(c),
    legend: undefined,
    graphic: {
      type: 'text',
      left: 'center',
      top: 'middle',
      style: { text: '本期无数据', fontSize: 16, fill: '#888', fontFamily: FONT },
    },
  };
}

function stack(c: OverviewChart): echarts.EChartsOption {
  return {
    ...baseOption(c),
    grid: { left: 190, right: 40, top: 64, bottom: 46 },
    // the unit under the axis, centred: at the axis end it sat on the last label
    xAxis: { type: 'value', name: c.unit, nameLocation: 'middle', nameGap: 26, axisLabel: { fontSize: 12 } },
    // top of the chart = first category
    yAxis: { type: 'category', data: c.categories, inverse: true, axisLabel },
    series: c.series.map((s) => ({ name: s.name, type: 'bar', stack: 'total', data: s.values, barMaxWidth: 22 })),
  };
}

function due(c: OverviewChart): echarts.EChartsOption {
  const rate = c.rate!;
  return {
    ...baseOption(c),
    grid: { left: 190, right: 60, top: 92, bottom: 46 },
    xAxis: [
      {
        type: 'value',
        name: c.unit,
        nameLocation: 'middle',
        nameGap: 26,
        position: 'bottom',
        minInterval: 1,
        axisLabel: { fontSize: 12 },
      },
      {
        type: 'value',
        // the legend names the points; an axis name would sit on the last label
        position: 'top',
        min: 0,
        max: 1,
        splitLine: { show: false },
        axisLabel: { fontSize: 12, formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
    ],
    yAxis: { type: 'category', data: c.categories, inverse: true, axisLabel },
    series: [
      ...c.series.map((s, i) => ({
        name: s.name,
        type: 'bar' as const,
        // 应救治 stands alone; 已救治 and 正在救治 stack beside it
        stack: i === 0 ? undefined : 'treated',
        data: s.values,
        barMaxWidth: 12,
      })),
      {
        name: rate.name,
        type: 'scatter' as const,
        xAxisIndex: 1,
        symbolSize: 9,
        data: rate.values.map((v) => (v === null ? '-' : v)),
        label: {
          show: true,
          position: 'right' as const,
          fontSize: 11,
          formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? percent(p.value) : ''),
        },
      },
    ],
  };
}

function trend(c: OverviewChart): echarts.EChartsOption {
  return {
    ...baseOption(c),
    grid: { left: 90, right: 40, top: 70, bottom: 40 },
    xAxis: { type: 'category', data: c.categories, axisLabel: { fontSize: 12 } },
    yAxis: { type: 'value', name: c.unit, axisLabel: { fontSize: 12 } },
    series: c.series.map((s) => ({ name: s.name, type: 'line', data: s.values, symbolSize: 7 })),
  };
}

/** The chart as SVG text. */
export function chartSvg(c: OverviewChart): string {
  const chart = charts().init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: chartHeight(c) });
  try {
    const empty_ = c.categories.length === 0 || c.series.every((s) => s.values.every((v) => !v));
    chart.setOption(empty_ ? empty(c) : c.kind === 'stack' ? stack(c) : c.kind === 'due' ? due(c) : trend(c));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

// Debian's fonts-noto-cjk (README); elsewhere whatever CJK font fontconfig finds. Regular only: each face file
// loaded costs ~70 ms a chart, and a bold title reads well enough in the regular face.
const CJK_FONTS = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];

/**
 * The charts as PNG, at twice their size (sharp when printed). resvg lays out and draws on libuv's threads, so the
 * charts render side by side (two charts: ~0.6 s instead of ~0.85 s on the 2-core test machine).
 */
export async function chartPngs(svgs: string[]): Promise<Buffer[]> {
  const files = CJK_FONTS.filter((f) => existsSync(f));
  const options = {
    fitTo: { mode: 'zoom' as const, value: 2 },
    background: '#ffffff',
    font: files.length
      ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: 'Noto Sans CJK SC' }
      : { loadSystemFonts: true, defaultFontFamily: 'Noto Sans CJK SC' },
  };
  const { renderAsync } = await import('@resvg/resvg-js');
  const images = await Promise.all(svgs.map((svg) => renderAsync(svg, options)));
  return images.map((i) => i.asPng());
}
