// Issue 18 §1, SPEC §7 Printing: every workbook of the demo printed by LibreOffice to PDF, and read back from the
// PDF (poppler's pdftotext -bbox): page counts, page numbers on every page, no text below 8 pt, 计算过程 never
// printed, no text outside the page. Skipped where soffice, pdftotext or the Noto CJK fonts are missing; .ci/run
// installs them.
import { describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SOFFICE } from '../helpers/libreoffice.js';
import { runNode, ROOT } from '../helpers/cli.js';
import { tmp } from '../helpers/files.js';
import { pdfWords, renderWorkbooks, type Rendered } from '../../scripts/render-lib.mjs';

const PDFTOTEXT = ['/usr/bin/pdftotext', '/usr/local/bin/pdftotext'].some((p) => existsSync(p));
/** the box-height measure (render-lib BOX_PER_PT) is that of Noto CJK, the font Debian's fonts-noto-cjk installs */
const CJK_FONT = (() => {
  try {
    return execFileSync('fc-list', ['--format', '%{family}\n'], { encoding: 'utf8' }).includes('Noto Sans CJK');
  } catch {
    return false;
  }
})();

/**
 * Pages each demo workbook prints on, worked out from its sheets: a form of ≤ 20 lines that fits one landscape width
 * is 1 page; 明细 (≥ 234 width units printed) is 85 % across 3 page widths; the rest 1 page per sheet unless noted.
 */
const PAGES: Record<string, number> = {
  // 概览 (figures and the hospitals' chart; the year's months), 汇总, 按政策, 明细 × 3 widths, 异常, 核对
  // (Liaoning/Qingdao/Jinzhou: no 冲正)
  'liaoning/2024-06/settlement-2024-06.xlsx': 9,
  'qingdao/2024-06/settlement-2024-06.xlsx': 9,
  'tinghu/2024-06/settlement-2024-06.xlsx': 9,
  'jinzhou/2019-05/settlement-2019-05.xlsx': 9,
  'liaoning/2024-06/disbursement-ln-as-2022.special-fund-2024-06.xlsx': 1,
  'liaoning/2024-06/disbursement-ln-as-2022.third-party-2024-06.xlsx': 1,
  'qingdao/2024-06/disbursement-qd-rigid-2018.insurer-2024-06.xlsx': 1,
  'tinghu/2024-06/disbursement-th-2021.district-2024-06.xlsx': 1,
  'qingdao/2024-06/publicity-qd-rigid-2018-2024-06.xlsx': 1,
  'tinghu/2024-06/publicity-th-2021-2024-06.xlsx': 1,
  // 概览 5 (figures and money by county; due by county; due by 25 diseases and its table over 2; the months);
  // 附件6 按县区 and 按病种: 27 columns, 211 units, 85 % across 3 page widths each; 附件4 1; 附件5 (263 units) 3
  'jinzhou/2019-05/jinzhou-monthly-2019-05.xlsx': 15,
  // 概况, then one page per sheet for 一致, 金额不符, 应付未付, 无依据支付, 重复支付
  'tinghu/2024-06/reconcile-th-2021.district-2024-06.xlsx': 6,
  'tinghu/2024/th-annual-2024.xlsx': 2,
  'tinghu/2024/th-service-subsidy-2024.xlsx': 2,
  // 概况, 问题行
  'tinghu/validation/validation-claims.xlsx': 2,
  // 概况, 问题行 (empty), 名单警告
  'tinghu/validation/validation-roster.xlsx': 3,
};

describe.skipIf(!SOFFICE || !PDFTOTEXT || !CJK_FONT)('the demo printed (LibreOffice → PDF): SPEC §7 Printing', () => {
  test('page counts, 第 k 页 共 N 页 on every page, ≥ 8 pt, 计算过程 not printed, nothing off the page', async () => {
    const demo = await runNode([join(ROOT, 'scripts', 'demo.mjs')], { cwd: ROOT, timeout: 240_000 });
    expect(demo.code, demo.stderr).toBe(0);
    const books: Rendered[] = await renderWorkbooks(join(ROOT, 'out', 'demo'), tmp('assist-print-'), { png: false });
    expect(Object.fromEntries(books.map((b) => [b.xlsx, b.pages]))).toEqual(PAGES);
    for (const b of books) {
      const pages = pdfWords(b.pdf);
      pages.forEach((p, i) => {
        const text = p.words.map((w) => w.text).join(' ');
        expect(text, `${b.xlsx} page ${i + 1}`).toContain(`第 ${i + 1} 页 共 ${pages.length} 页`);
        expect(text, `${b.xlsx} page ${i + 1}`).not.toContain('计算过程');
        for (const w of p.words) {
          expect(w.x0, `${b.xlsx} p${i + 1} ${w.text}`).toBeGreaterThanOrEqual(0);
          expect(w.x1, `${b.xlsx} p${i + 1} ${w.text}`).toBeLessThanOrEqual(p.width);
        }
      });
      // 8 pt within the measuring precision of a box height (0.05 pt)
      expect(b.minPt, `${b.xlsx}: smallest printed text`).toBeGreaterThanOrEqual(7.95);
    }
    // the streamed 明细 (after 概览's 2 pages, 汇总 and 按政策) prints its key columns (来源文件, 行号, 结算单号) on
    // each of its page widths
    const tinghu = pdfWords(books.find((b) => b.xlsx === 'tinghu/2024-06/settlement-2024-06.xlsx')!.pdf);
    expect(tinghu.slice(4, 7).map((p) => p.words.slice(0, 3).map((w) => w.text))).toEqual([
      ['来源文件', '行号', '结算单号'],
      ['来源文件', '行号', '结算单号'],
      ['来源文件', '行号', '结算单号'],
    ]);
  }, 600_000);
});
