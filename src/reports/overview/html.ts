// The overview as one self-contained HTML page (--html): styles inline, charts as inline SVG, no script,
// no font files, nothing fetched. The same figures and tables as the 概览 sheet; no ID numbers at all.
import { escapeXml } from '../../io/xlsx-writer.js';
import { chartSvg } from './charts.js';
import { chartTable } from './table.js';
import { figureText, type Overview } from './model.js';

const STYLE = `
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  margin: 24px auto; max-width: 800px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } .sub { color: #666; margin: 0 0 16px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; margin: 0 0 20px; }
.figures div { border: 1px solid #ccd; border-radius: 4px; padding: 6px 10px; }
.figures dt { font-size: 12px; color: #555; } .figures dd { margin: 2px 0 0; font-size: 17px; font-weight: bold; }
figure { margin: 0 0 28px; } figure svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12px; margin-top: 6px; width: 100%; }
th, td { border: 1px solid #bbb; padding: 2px 6px; } th { background: #eef; } td.n { text-align: right; }
figcaption { color: #666; font-size: 12px; margin-top: 4px; }
@media print { figure { break-inside: avoid; } }`;

export function overviewHtml(o: Overview): string {
  const figures = o.figures
    .map(
      (f) =>
        `<div data-figure="${escapeXml(f.label)}"><dt>${escapeXml(f.label)}</dt><dd>${escapeXml(figureText(f))}</dd></div>`,
    )
    .join('');
  const charts = o.charts
    .map((c) => {
      const t = chartTable(c);
      const head = t.header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
      const rows = t.rows
        .map(
          (r) =>
            `<tr>${r.map((v, i) => (i === 0 ? `<td>${escapeXml(v)}</td>` : `<td class="n">${escapeXml(v)}</td>`)).join('')}</tr>`,
        )
        .join('');
      return (
        `<figure id="chart-${c.id}" data-chart="${c.id}">${chartSvg(c)}` +
        `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>` +
        (c.note ? `<figcaption>${escapeXml(c.note)}</figcaption>` : '') +
        `</figure>`
      );
    })
    .join('');
  return (
    `<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeXml(o.title)}</title>` +
    `<style>${STYLE}</style></head><body><h1>${escapeXml(o.title)}</h1><p class="sub">${escapeXml(o.subtitle)}</p>` +
    `<dl class="figures">${figures}</dl>${charts}</body></html>\n`
  );
}
