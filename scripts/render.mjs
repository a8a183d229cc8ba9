// npm run render: every workbook the demo wrote (out/demo, after `npm run demo`) printed as LibreOffice prints it —
// PDF, then one PNG per page (out/render/<same folders>/) — and a table of page counts and the smallest printed
// text per workbook, against SPEC §7's 8 pt rule. Exit 1 when a page prints text below 8 pt.
// Needs soffice (LibreOffice) and pdftoppm/pdftotext (poppler-utils); .ci/run installs them.
// Usage: node scripts/render.mjs [--from out/demo] [--to out/render] [--dpi 60]
import { existsSync } from 'node:fs';
import { renderWorkbooks } from './render-lib.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const from = arg('--from', 'out/demo');
const to = arg('--to', 'out/render');
const dpi = Number(arg('--dpi', '60'));

if (!existsSync(from)) {
  process.stderr.write(`没有找到 ${from}：请先运行 npm run demo（或用 --from 指定工作簿所在的文件夹）\n`);
  process.exit(2);
}
const books = await renderWorkbooks(from, to, { dpi });
let bad = 0;
process.stdout.write(`${'工作簿'.padEnd(64)}  页数  最小字号\n`);
for (const b of books) {
  const small = b.minPt < 8;
  if (small) bad++;
  process.stdout.write(
    `${b.xlsx.padEnd(66)}${String(b.pages).padStart(4)}  ${b.minPt.toFixed(1).padStart(6)} pt${small ? '  ← 小于 8 pt' : ''}\n`,
  );
}
process.stdout.write(
  `\n${books.length} 个工作簿，${books.reduce((n, b) => n + b.pages, 0)} 页；PDF 和 PNG 在 ${to}/\n`,
);
if (bad) {
  process.stderr.write(`${bad} 个工作簿打印字号小于 8 pt\n`);
  process.exit(1);
}
