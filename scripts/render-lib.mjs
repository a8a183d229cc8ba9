// Printing workbooks as LibreOffice prints them, and measuring the printed text (shared by `npm run render` and the
// slow test that checks SPEC §7's printing rules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

/**
 * Poppler's word boxes are as tall as the font's ascent + descent: 1.30 × the point size for the CJK fonts
 * LibreOffice substitutes here (Noto CJK; measured: 11 pt text → 14.3 pt boxes, 14 pt → 18.2 pt).
 */
export const BOX_PER_PT = 1.3;

export function findWorkbooks(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findWorkbooks(p));
    else if (e.name.endsWith('.xlsx') && !e.name.startsWith('~$') && !e.name.startsWith('.')) out.push(p);
  }
  return out.sort();
}

/** Every word poppler finds on each page of a PDF, with its box. */
export function pdfWords(pdf) {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const pages = [];
  for (const page of xml.split('<page ').slice(1)) {
    const words = [];
    for (const m of page.matchAll(
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
    ))
      words.push({ x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: m[5] });
    const [, w, h] = /width="([\d.]+)" height="([\d.]+)"/.exec(page) ?? [];
    pages.push({ width: Number(w), height: Number(h), words });
  }
  return pages;
}

/** The printed size in points of the smallest text on a page (Infinity on a page without text). */
export function minPrintedPt(page) {
  return page.words.reduce((m, w) => Math.min(m, (w.y1 - w.y0) / BOX_PER_PT), Infinity);
}

/**
 * Converts each workbook under `from` to PDF and PNG pages under `to` (same sub-folders): one LibreOffice start per
 * folder, a private profile so a clerk's open LibreOffice is not disturbed.
 */
export async function renderWorkbooks(from, to, { dpi = 60, soffice = 'soffice', png = true } = {}) {
  const books = findWorkbooks(from);
  const profile = mkdtempSync(join(tmpdir(), 'assist-render-profile-'));
  const byDir = new Map();
  for (const b of books) byDir.set(dirname(b), [...(byDir.get(dirname(b)) ?? []), b]);
  const results = [];
  try {
    for (const [dir, files] of byDir) {
      const outDir = join(to, relative(from, dir));
      mkdirSync(outDir, { recursive: true });
      execFileSync(
        soffice,
        [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, ...files],
        { stdio: 'ignore', timeout: 300_000 },
      );
      for (const f of files) {
        const pdf = join(outDir, basename(f).replace(/\.xlsx$/, '.pdf'));
        statSync(pdf);
        const pages = pdfWords(pdf);
        if (png) {
          for (const old of readdirSync(outDir).filter(
            (x) => x.startsWith(basename(pdf, '.pdf') + '-') && x.endsWith('.png'),
          ))
            rmSync(join(outDir, old));
          execFileSync('pdftoppm', ['-png', '-r', String(dpi), pdf, join(outDir, basename(pdf, '.pdf'))]);
        }
        results.push({
          xlsx: relative(from, f),
          pdf,
          pages: pages.length,
          minPt: Math.min(...pages.map(minPrintedPt)),
          perPage: pages.map(minPrintedPt),
        });
      }
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}
