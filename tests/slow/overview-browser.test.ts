// Issue 20 §3: the --html overview opened in headless Chromium (Debian's chromium, driven by playwright-core):
// each chart is drawn (its box is not blank in the screenshot) and the figures on the page are the workbook's
// 概览 figures. Skipped where Chromium is missing; .ci/run installs it.
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser } from 'playwright-core';
import { runCli, ROOT } from '../helpers/cli.js';
import { tmp } from '../helpers/files.js';
import { overviewTables, readSheets } from '../helpers/workbook.js';
import { figureText } from '../../src/reports/overview/model.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const demo = (bureau: string, f: string) => join(ROOT, 'fixtures', 'demo', bureau, f);

/** Share of pixels in a PNG that are not (near) white. */
function inked(png: Buffer): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4)
    if (img.data[i]! < 235 || img.data[i + 1]! < 235 || img.data[i + 2]! < 235) n++;
  return n / (img.width * img.height);
}

describe.skipIf(!CHROMIUM)('the HTML overview in headless Chromium', () => {
  const dir = tmp('assist-overview-browser-');
  let browser: Browser;
  beforeAll(async () => {
    const tinghu = [
      'adjudicate',
      demo('tinghu', 'claims.xlsx'),
      '--config',
      demo('tinghu', 'assist.config.json'),
      '--ledger',
      join(dir, 'th.db'),
      '--out',
      join(dir, 'th'),
      '--html',
      '--quiet',
    ];
    expect((await runCli(tinghu)).code).toBe(0);
    const jz = ['--config', demo('jinzhou', 'assist.config.json'), '--ledger', join(dir, 'jz.db')];
    expect(
      (await runCli(['adjudicate', demo('jinzhou', 'claims.xlsx'), ...jz, '--out', join(dir, 'jz'), '--quiet'])).code,
    ).toBe(0);
    expect(
      (await runCli(['report', 'jinzhou-monthly', '--month', '2019-05', ...jz, '--out', join(dir, 'jz'), '--html']))
        .code,
    ).toBe(0);
    // as root, and without reaching out: this machine's closed network refuses Chromium's background connections
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return async () => browser.close();
  }, 120_000);

  for (const [name, html, xlsx, charts] of [
    ['settlement (Tinghu)', 'th/settlement-2024-06.html', 'th/settlement-2024-06.xlsx', 2],
    ['Jinzhou monthly', 'jz/jinzhou-monthly-2019-05.html', 'jz/jinzhou-monthly-2019-05.xlsx', 4],
  ] as const)
    test(`${name}: every chart drawn, the figures those of the workbook's 概览`, async () => {
      const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
      // nothing may be fetched: the page is one file
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${join(dir, html)}`);
      writeFileSync(join(dir, `${html.replace(/\W/g, '-')}.png`), await page.screenshot({ fullPage: true }));
      const boxes = await page.$$('figure[data-chart] svg');
      expect(boxes).toHaveLength(charts);
      for (const box of boxes) {
        const size = await box.boundingBox();
        expect(size!.width).toBeGreaterThan(500);
        // bars, lines, labels: well over a blank frame's few axis pixels
        expect(inked(await box.screenshot())).toBeGreaterThan(0.03);
      }
      const shown = await page.$$eval('dl.figures div', (els) =>
        els.map((e) => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]),
      );
      const { figures } = overviewTables((await readSheets(join(dir, xlsx))).rows('概览'));
      const kind = (label: string) =>
        /率/.test(label) ? 'percent' : /费用|资金|救助$|自付$|负担/.test(label) ? 'money' : 'int';
      expect(shown).toEqual(
        [...figures].map(([label, value]) => [
          label,
          figureText({ label, value: value as number, kind: kind(label) as 'money' | 'int' | 'percent' }),
        ]),
      );
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      await page.close();
    });
});
