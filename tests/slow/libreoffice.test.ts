// Issue 6 §3: the writer's output opens in LibreOffice with the same values as in exceljs (skipped where
// soffice is not installed; .ci/run installs Debian's libreoffice-calc-nogui when it can). In the slow
// suite (`npm run test:slow`): each conversion starts LibreOffice, seconds apiece.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { SOFFICE, exceljsSheets, libreOfficeBooks, libreOfficeSheets } from '../helpers/libreoffice.js';
import { run, runCli, ROOT } from '../helpers/cli.js';
import { tmp } from '../helpers/files.js';
import { write } from '../helpers/writer-sample.js';

describe.skipIf(!SOFFICE)('LibreOffice (soffice --headless --convert-to csv) reads the same values as exceljs', () => {
  test.each([false, true])(
    'the writer test workbook, sharedStrings=%s',
    async (shared) => {
      const file = join(tmp(), 'w.xlsx');
      await write(file, shared);
      const ex = await exceljsSheets(file);
      const lo = await libreOfficeSheets(file, [...ex.keys()]);
      for (const [name, rows] of ex) expect(lo.get(name), name).toEqual(rows);
      // written out by hand: what both read in 明细
      expect(lo.get('明细')).toEqual([
        ['标题'],
        ['结算单号', '行号', '身份证号', '姓名', '金额', '比例'],
        ['C1', '1', '320902196005012113', '张三', '1234.5', '0.125'],
        ['C2', '2', ' 前后空格 ', 'a&b<c>"d"', '-0.01'],
        ['C3', '3', '=1+1', '控制字符', '1000000000000', '1'],
        ['合计', '', '', '', '1000000001234.49'],
      ]);
    },
    120_000,
  );

  test('the demo run: settlement workbook and every disbursement list, sheet by sheet', async () => {
    const dir = tmp();
    const r = await runCli([
      'adjudicate',
      join(ROOT, 'fixtures', 'demo', 'claims.xlsx'),
      '--config',
      join(ROOT, 'fixtures', 'demo', 'assist.config.json'),
      '--ledger',
      join(dir, 'a.db'),
      '--out',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const books = readdirSync(dir).filter((f) => f.endsWith('.xlsx'));
    expect(books.length).toBeGreaterThanOrEqual(4);
    let cells = 0;
    const ex = await Promise.all(books.map((b) => exceljsSheets(join(dir, b))));
    const lo = await libreOfficeBooks(books.map((b, i) => [join(dir, b), [...ex[i]!.keys()]]));
    books.forEach((b, i) => {
      for (const [name, rows] of ex[i]!) {
        expect(lo[i]!.get(name), `${b} ${name}`).toEqual(rows);
        cells += rows.flat().filter((x) => x !== '').length;
      }
    });
    expect(cells).toBeGreaterThan(1000);
  }, 300_000);
});

// Issue 18 §3: the bank-upload CSV opened in a spreadsheet keeps every ID number's 18 digits and each claim ID as
// written (LibreOffice here, "as shown": what a clerk sees and what Excel/WPS would save back).
describe.skipIf(!SOFFICE)('CSV outputs keep ID numbers and claim IDs as text in a spreadsheet', () => {
  test('report disbursement --csv through LibreOffice: all 18 digits of every ID, claim IDs unchanged', async () => {
    const dir = tmp();
    const ledger = join(dir, 'a.db');
    const adj = await runCli([
      'adjudicate',
      join(ROOT, 'fixtures', 'demo', 'claims.xlsx'),
      '--config',
      join(ROOT, 'fixtures', 'demo', 'assist.config.json'),
      '--ledger',
      ledger,
      '--out',
      join(dir, 'o'),
    ]);
    expect(adj.code, adj.stderr).toBe(0);
    const rep = await runCli([
      'report',
      'disbursement',
      '--fund',
      'th-2021.district',
      '--month',
      '2024-06',
      '--csv',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'r'),
    ]);
    expect(rep.code, rep.stderr).toBe(0);
    const csv = join(dir, 'r', 'disbursement-th-2021.district-2024-06.csv');
    const written = parse(readFileSync(csv, 'utf8').replace(/^\ufeff/, ''), { columns: true }) as Record<
      string,
      string
    >[];
    expect(written.length).toBeGreaterThan(3);
    const profile = tmp('assist-lo-profile-');
    const out = tmp('assist-lo-');
    const r = await run(
      SOFFICE!,
      [
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--infilter=CSV:44,34,76,1',
        '--convert-to',
        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false',
        '--outdir',
        out,
        csv,
      ],
      { timeout: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const shown = parse(readFileSync(join(out, basename(csv)), 'utf8').replace(/^\ufeff/, ''), {
      columns: true,
    }) as Record<string, string>[];
    expect(shown.map((x) => x['身份证号']!.trim())).toEqual(written.map((x) => x['身份证号']!.trim()));
    expect(shown.map((x) => x['结算单号']!.trim())).toEqual(written.map((x) => x['结算单号']!.trim()));
    for (const x of shown) expect(x['身份证号']!.trim()).toMatch(/^\d{17}[\dX]$/);
  }, 300_000);
});
