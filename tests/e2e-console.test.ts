// Issue 18 §3, §5: what a clerk types and sees — months as typed, config paths, Office lock files, Chinese errors.
import { describe, expect, test } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from './helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';

const P1 = makeId('320902', '1960-05-01', '211');

function bureau() {
  const dir = tmp('assist-console-');
  mkdirSync(join(dir, 'rosters'));
  writeCsv(join(dir, 'rosters', 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
  ]);
  // Excel's lock file of the roster open on the clerk's screen
  copyFileSync(join(ROOT, 'fixtures', 'demo', 'claims.xlsx'), join(dir, 'rosters', '~$roster.csv'));
  writeFileSync(
    join(dir, 'assist.config.json'),
    JSON.stringify({ policies: ['th-2021'], rosters: ['rosters/*.csv'], ledger: 'assist.db', out: 'out' }),
  );
  const claims = writeCsv(join(dir, 'june.csv'), [
    CLAIM_HEAD,
    ['T1', 1, P1, '王一', '亭湖区人民医院', '门诊', '2024-06-10', '2024-06-10', 'J18.9', '肺炎', '9000', '9000'],
  ]);
  return { dir, claims };
}

describe('the console and the config as a clerk meets them', () => {
  test('run from another folder (cron): out, ledger and rosters resolve against the config file; the lock file is skipped with a note; --month 2024-6', async () => {
    const b = bureau();
    const elsewhere = tmp('assist-cwd-');
    const r = await runCli(
      ['adjudicate', b.claims, '--config', join(b.dir, 'assist.config.json'), '--month', '2024-6'],
      { cwd: elsewhere },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('提示：已跳过');
    expect(r.stderr).toContain('~$roster.csv（Excel 打开工作簿时生成的锁定文件，不是名单）');
    expect(readdirSync(join(b.dir, 'out', '2024-06')).sort()).toEqual([
      'disbursement-th-2021.district-2024-06.xlsx',
      'results-2024-06.jsonl',
      'settlement-2024-06.xlsx',
    ]);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  test('a --month that matches none of the settlement dates is a warning', async () => {
    const b = bureau();
    const r = await runCli([
      'adjudicate',
      b.claims,
      '--config',
      join(b.dir, 'assist.config.json'),
      '--month',
      '2024-07',
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('警告：--month 2024-07 与结算明细的结算日期都不相符（明细的结算月份：2024-06 1 行）');
  });

  test('a file whose every row is invalid: says so (not “0 行已于运行审核”), writes only the results', async () => {
    const b = bureau();
    const bad = writeCsv(join(b.dir, 'bad.csv'), [
      CLAIM_HEAD,
      ['T9', 1, '123', '王一', '亭湖区人民医院', '门诊', '2024-06-10', '2024-06-10', 'J18.9', '肺炎', '9000', '9000'],
    ]);
    const r = await runCli(['adjudicate', bad, '--config', join(b.dir, 'assist.config.json'), '--month', '2024-06']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('没有可审核的明细：1 行均为无效行');
    expect(r.stdout).not.toContain('没有新的明细');
    expect(r.stdout).toContain('逐行结果（均为无效）见');
  });

  test('commander’s own messages in Chinese; a bad --month names what is accepted', async () => {
    const noFund = await runCli(['report', 'disbursement', '--month', '2024-06', '--ledger', join(tmp(), 'x.db')]);
    expect(noFund.code).toBe(2);
    expect(noFund.stderr).toContain('错误：缺少必需的选项“--fund <id>”');
    expect(noFund.stderr).not.toMatch(/error:/);
    const bad = await runCli(['report', 'disbursement', '--fund', 'th-2021.district', '--month', '2024-13']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--month 应为月份，如 2024-06、2024-6，或 prev（上个月），而不是“2024-13”');
  });
});
