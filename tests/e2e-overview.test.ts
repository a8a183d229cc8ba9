// Issue 20: the 概览 sheet of the settlement workbook and of the Jinzhou monthly report — its figures and the
// tables its charts are drawn from equal the workbook's own tables (汇总, 按政策, 附件6), read back from the
// files the built CLI wrote; --html writes the same overview as one self-contained page.
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, FULL_ID, ROOT } from './helpers/cli.js';
import { tmp } from './helpers/files.js';
import { overviewTables, readSheets, type Cell } from './helpers/workbook.js';

const demo = (bureau: string, f: string) => join(ROOT, 'fixtures', 'demo', bureau, f);

const num = (v: Cell) => Number(v ?? 0);
const fen = (v: number) => Math.round(v * 100);

describe('settlement-<month>.xlsx begins with 概览 (Tinghu demo)', () => {
  const dir = tmp('assist-overview-');
  const out = join(dir, 'out');
  beforeAll(async () => {
    const r = await runCli([
      'adjudicate',
      demo('tinghu', 'claims.xlsx'),
      '--config',
      demo('tinghu', 'assist.config.json'),
      '--ledger',
      join(dir, 'a.db'),
      '--out',
      out,
      '--html',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  test('概览 is the first sheet; its figures equal 汇总 合计 and 按政策 合计; two pictures', async () => {
    const { wb, rows } = await readSheets(join(out, 'settlement-2024-06.xlsx'));
    expect(wb.worksheets[0]!.name).toBe('概览');
    expect(wb.worksheets[0]!.getImages()).toHaveLength(2);
    const { figures } = overviewTables(rows('概览'));
    const summary = rows('汇总');
    const header = summary[1]!;
    const total = summary.find((r) => r[0] === '合计')!;
    const col = (h: string) => header.indexOf(h);
    expect(figures.get('明细数')).toBe(total[col('明细数')]);
    expect(figures.get('明细数')).toBe(19);
    expect(fen(num(figures.get('医疗总费用')!))).toBe(fen(num(total[col('医疗总费用')]!)));
    expect(fen(num(figures.get('区健康救助资金')!))).toBe(fen(num(total[col('区健康救助资金')]!)));
    expect(figures.get('区健康救助资金')).toBe(37814.99);
    expect(fen(num(figures.get('个人负担')!))).toBe(fen(num(total[col('个人负担')]!)));
    const byPolicy = rows('按政策');
    const pHeader = byPolicy[1]!;
    const pTotal = byPolicy.find((r) => r[0] === '合计')!;
    expect(figures.get('通过（结果数）')).toBe(pTotal[pHeader.indexOf('通过')]);
    expect(figures.get('挂起（结果数）')).toBe(pTotal[pHeader.indexOf('挂起')]);
    expect(figures.get('拒绝（结果数）')).toBe(pTotal[pHeader.indexOf('拒绝')]);
  });

  test('the chart tables: each hospital as on 汇总; this month of the year’s trend = the fund total', async () => {
    const { rows } = await readSheets(join(out, 'settlement-2024-06.xlsx'));
    const { tables } = overviewTables(rows('概览'));
    const summary = rows('汇总');
    const fund = summary[1]!.indexOf('区健康救助资金');
    const byHospital = tables.get('医疗机构|区健康救助资金（元）')!;
    const hospitals = summary.slice(2).filter((r) => r[0] && r[0] !== '合计' && typeof r[1] === 'number');
    expect(byHospital.map((r) => [r[0], fen(num(r[1]!))]).sort()).toEqual(
      hospitals.map((r) => [r[0], fen(num(r[fund]!))]).sort(),
    );
    const trend = tables.get('月份|区健康救助资金（元）')!;
    expect(trend.map((r) => r[0])).toEqual(['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06']);
    expect(trend.map((r) => num(r[1]!))).toEqual([0, 0, 0, 0, 0, 37814.99]);
  });

  test('--html: settlement-2024-06.html beside it, self-contained, the same figures, no ID numbers', () => {
    const html = readFileSync(join(out, 'settlement-2024-06.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\((?!#)/);
    expect(html).not.toMatch(FULL_ID);
    expect(html).toContain('<dt>区健康救助资金</dt><dd>37,814.99 元</dd>');
    expect(html).toContain('<dt>明细数</dt><dd>19</dd>');
    expect(html.match(/<svg/g)).toHaveLength(2);
  });

  test('report settlement --html rebuilds the same 概览 from the ledger', async () => {
    const rep = join(dir, 'rep');
    const r = await runCli([
      'report',
      'settlement',
      '--month',
      '2024-06',
      '--config',
      demo('tinghu', 'assist.config.json'),
      '--ledger',
      join(dir, 'a.db'),
      '--out',
      rep,
      '--html',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(rep, 'settlement-2024-06.html'))).toBe(true);
    const a = overviewTables((await readSheets(join(out, 'settlement-2024-06.xlsx'))).rows('概览'));
    const b = overviewTables((await readSheets(join(rep, 'settlement-2024-06.xlsx'))).rows('概览'));
    expect([...b.figures]).toEqual([...a.figures]);
    expect([...b.tables]).toEqual([...a.tables]);
  });
});

describe('jinzhou-monthly-<month>.xlsx begins with 概览 (Jinzhou demo)', () => {
  const dir = tmp('assist-overview-jz-');
  const rep = join(dir, 'rep');
  beforeAll(async () => {
    const cfg = ['--config', demo('jinzhou', 'assist.config.json'), '--ledger', join(dir, 'a.db')];
    const a = await runCli([
      'adjudicate',
      demo('jinzhou', 'claims.xlsx'),
      ...cfg,
      '--out',
      join(dir, 'out'),
      '--quiet',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const r = await runCli(['report', 'jinzhou-monthly', '--month', '2019-05', ...cfg, '--out', rep, '--html']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('jinzhou-monthly-2019-05.html');
  }, 60_000);

  test('figures = 附件6 合计; money by county = 附件6 本年 columns; due vs treated by county and disease = 附件6', async () => {
    const { wb, rows } = await readSheets(join(rep, 'jinzhou-monthly-2019-05.xlsx'));
    expect(wb.worksheets.map((w) => w.name)[0]).toBe('概览');
    expect(wb.worksheets[0]!.getImages()).toHaveLength(4);
    const { figures, tables } = overviewTables(rows('概览'));
    const county = rows('附件6-按县区');
    const h = county[1]!;
    const c = (name: string) => h.indexOf(name);
    const total = county.find((r) => r[0] === '合计')!;
    expect(figures.get('应救治人数')).toBe(total[c('应救治人数')]);
    expect(figures.get('应救治人数')).toBe(12);
    expect(figures.get('已救治')).toBe(total[c('已救治')]);
    expect(figures.get('正在救治')).toBe(total[c('正在救治')]);
    expect(figures.get('待救治')).toBe(total[c('待救治')]);
    expect(figures.get('救治率')).toBe(total[c('救治率')]);
    expect(fen(num(figures.get('本年医疗总费用')!))).toBe(fen(num(total[c('本年医疗总费用')]!)));
    expect(fen(num(figures.get('本年医疗救助')!))).toBe(fen(num(total[c('本年医疗救助')]!)));
    const counties = county.slice(2).filter((r) => r[0] && r[0] !== '合计' && typeof r[1] === 'number');
    const money = tables.get('县（市）区|基本医保（元）')!;
    expect(money.map((r) => r.map((v, i) => (i === 0 ? v : fen(num(v)))))).toEqual(
      counties.map((r) => [
        r[0],
        ...['本年基本医保', '本年大病保险', '本年医疗救助', '本年其他保障', '本年个人自付'].map((k) =>
          fen(num(r[c(k)]!)),
        ),
      ]),
    );
    const dueByCounty = tables.get('县（市）区|应救治人数')!;
    expect(dueByCounty).toEqual(
      counties.map((r) => [r[0], r[c('应救治人数')], r[c('已救治')], r[c('正在救治')], r[c('救治率')]]),
    );
    const disease = rows('附件6-按病种');
    const diseases = disease.slice(2).filter((r) => r[0] && r[0] !== '合计' && typeof r[1] === 'number');
    const dueByDisease = tables.get('病种|应救治人数')!;
    expect(dueByDisease).toHaveLength(diseases.length);
    for (const [i, r] of diseases.entries()) {
      const due = r[c('应救治人数')];
      // nothing due: no rate in the chart's table, — (附件6 prints 0 there)
      expect(dueByDisease[i]).toEqual([r[0], due, r[c('已救治')], r[c('正在救治')], due === 0 ? '—' : r[c('救治率')]]);
    }
    expect(dueByDisease.some((r) => r[1] === 0 && r[4] === '—')).toBe(true);
    const months = tables.get('月份|基本医保（元）')!;
    expect(months.map((r) => r[0])).toEqual(['2019-01', '2019-02', '2019-03', '2019-04', '2019-05']);
    expect(fen(months.reduce((s, r) => s + num(r[3]!), 0))).toBe(fen(num(total[c('本年医疗救助')]!)));
  });

  test('--html: the page carries the same figures and one drawn chart per table', () => {
    const html = readFileSync(join(rep, 'jinzhou-monthly-2019-05.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\((?!#)/);
    expect(html).not.toMatch(FULL_ID);
    expect(html).toContain('<dt>应救治人数</dt><dd>12</dd>');
    expect(html.match(/<svg/g)).toHaveLength(4);
  });
});
