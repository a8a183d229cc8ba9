import { describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { statSync, writeFileSync } from 'node:fs';
import { runCli, FULL_ID, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/files.js';

const demo = (f: string) => join(ROOT, 'fixtures', 'demo', f);

describe('assist validate (built CLI)', () => {
  test('demo claims: counts by reason in Chinese, masked IDs, and a workbook listing each bad row', async () => {
    const out = tmp();
    const r = await runCli(['validate', demo('claims.xlsx'), demo('claims-gb18030.csv'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('文件：claims.xlsx（结算明细，工作表“结算明细”，表头在第 2 行）');
    expect(r.stdout).toContain('读取 48 行：有效 39，无效 9');
    expect(r.stdout).toContain('读取 13 行：有效 11，无效 2');
    expect(r.stdout).toMatch(/INVALID_ID 身份证号无效.*：2 行/);
    expect(r.stdout + r.stderr).not.toMatch(FULL_ID);
    const file = join(out, 'validation-claims.xlsx');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '问题行']);
    const ws = wb.getWorksheet('问题行')!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '文件',
      '工作表',
      '行号',
      '列',
      '原因代码',
      '原因',
      '说明',
      '结算单号',
      '身份证号',
      '姓名',
    ]);
    const rows: [number, string, string][] = [];
    ws.eachRow((row, n) => {
      if (n > 1)
        rows.push([row.getCell(3).value as number, row.getCell(5).value as string, row.getCell(4).value as string]);
    });
    expect(rows).toContainEqual([8, 'INVALID_ID', '身份证号']);
    expect(rows).toContainEqual([22, 'INVALID_ID', '身份证号']);
    expect(rows).toContainEqual([3, 'DUPLICATE_LINE', '结算单号']);
    expect(rows).toContainEqual([5, 'DUPLICATE_LINE', '结算单号']);
    expect(rows).toContainEqual([16, 'BURDEN_MISMATCH', '个人负担']);
    expect(rows.filter((x) => x[1] === 'BAD_AMOUNT')).toHaveLength(1);
    expect(rows).toHaveLength(9);
  });

  test('demo roster: name conflict and unknown category warnings', async () => {
    const out = tmp();
    const r = await runCli(['validate', '--kind', 'roster', demo('roster.xlsx'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ROSTER_NAME_CONFLICT');
    expect(r.stdout).toContain('UNKNOWN_CATEGORY');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, 'validation-roster.xlsx'));
    const ws = wb.getWorksheet('名单警告')!;
    const codes: string[] = [];
    ws.eachRow((row, n) => n > 1 && codes.push(row.getCell(3).value as string));
    expect(codes.sort()).toEqual(['ROSTER_NAME_CONFLICT', 'UNKNOWN_CATEGORY']);
  });

  test('an unreadable file exits 2 with a Chinese message naming it; no stack trace', async () => {
    const d = tmp();
    const xls = join(d, 'old.xls');
    writeFileSync(xls, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]));
    const r = await runCli(['validate', xls, '--out', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('old.xls');
    expect(r.stderr).toContain('.xls');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  test('a missing required column exits 2 naming the column and accepted headers', async () => {
    const d = tmp();
    const f = join(d, '缺列.csv');
    writeFileSync(f, '结算单号,身份证号,姓名,医疗机构,就诊类型,入院日期,结算日期\r\nA,1,2,3,4,5,6\r\n');
    const r = await runCli(['validate', '--kind', 'claims', f, '--out', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('缺列.csv');
    expect(r.stderr).toContain('缺少列“医疗总费用”');
  });

  test('bad usage exits 2', async () => {
    expect((await runCli(['validate', '--kind', 'nonsense', demo('roster.xlsx')])).code).toBe(2);
    expect((await runCli(['no-such-command'])).code).toBe(2);
  });
});
