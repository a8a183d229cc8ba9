// Reports from the ledger and reconcile (issue 5): the built CLI, workbooks read back, values worked out by hand.
import { beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runCli, FULL_ID, ROOT, type Ran } from './helpers/cli.js';
import { CLAIM_HEAD, makeId, tmp, writeCsv } from './helpers/files.js';
import { readSheets } from './helpers/workbook.js';

const demo = (f: string) => join(ROOT, 'fixtures', 'demo', f);
const FUND = 'th-2021.district';
const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

describe('disbursement again from the ledger: the same figures as adjudicate wrote', () => {
  const dir = tmp('assist-rep-');
  const ledger = join(dir, 'a.db');
  let run!: Ran;
  beforeAll(async () => {
    run = await runCli([
      'adjudicate',
      demo('claims.xlsx'),
      demo('claims-gb18030.csv'),
      '--config',
      demo('assist.config.json'),
      '--ledger',
      ledger,
      '--out',
      join(dir, 'adj'),
    ]);
  });

  test.each([FUND, 'ln-as-2022.special-fund', 'ln-as-2022.third-party', 'qd-rigid-2018.insurer'])(
    '%s: every row and the 大写 total identical',
    async (fund) => {
      expect(run.code, run.stderr).toBe(0);
      const r = await runCli([
        'report',
        'disbursement',
        '--fund',
        fund,
        '--month',
        '2024-06',
        '--ledger',
        ledger,
        '--out',
        join(dir, 'rep'),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(lastLine(r.stdout)).toBe(join(dir, 'rep', `disbursement-${fund}-2024-06.xlsx`));
      const a = (await readSheets(join(dir, 'adj', `disbursement-${fund}-2024-06.xlsx`))).rows('拨付清单');
      const b = (await readSheets(join(dir, 'rep', `disbursement-${fund}-2024-06.xlsx`))).rows('拨付清单');
      expect(b).toEqual(a);
      expect(a.length).toBeGreaterThan(6);
    },
  );

  test('layout: title, header repeated on each printed page, A4 landscape fitted to width, subtotals, 大写, signatures', async () => {
    const { wb, rows } = await readSheets(join(dir, 'rep', `disbursement-${FUND}-2024-06.xlsx`));
    const ws = wb.getWorksheet('拨付清单')!;
    const all = rows('拨付清单');
    expect(all[0]![0]).toBe('区健康救助资金 拨付清单（2024-06）');
    expect(all[1]).toEqual([
      '序号',
      '收款单位',
      '结算单号',
      '明细行号',
      '姓名',
      '身份证号',
      '结算日期',
      '医疗总费用',
      '支付金额',
      '备注',
    ]);
    expect(ws.pageSetup.printTitlesRow).toBe('2:2');
    expect(ws.pageSetup.orientation).toBe('landscape');
    expect(ws.pageSetup.paperSize).toBe(9);
    expect(ws.pageSetup.fitToWidth).toBe(1);
    expect(all.some((r) => String(r[1]).endsWith(' 小计'))).toBe(true);
    const total = all.find((r) => r[0] === '合计')!;
    expect(total[8]).toBe(28642.54);
    expect(
      all.some((r) => String(r[0]) === '合计金额（大写）：贰万捌仟陆佰肆拾贰元伍角肆分　（小写）：¥28,642.54'),
    ).toBe(true);
    expect(all.some((r) => r[0] === '制表人：' && r[3] === '审核人：' && r[6] === '日期：')).toBe(true);
    // ID numbers are text cells, amounts numbers with #,##0.00
    expect(typeof all[2]![5]).toBe('string');
    expect(ws.getColumn(9).numFmt).toBe('#,##0.00');
  });

  test('publicity: ID numbers 6+8*+4, names 张*明 / 李*, per-person amounts adding to the fund total', async () => {
    const r = await runCli([
      'report',
      'publicity',
      '--policy',
      'th-2021',
      '--month',
      '2024-06',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'rep'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const all = (await readSheets(join(dir, 'rep', 'publicity-th-2021-2024-06.xlsx'))).rows('公示名单');
    expect(all[1]).toEqual(['序号', '姓名', '身份证号', '医疗机构', '救助笔数', '医疗总费用', '救助金额']);
    const people = all.slice(2).filter((x) => typeof x[0] === 'number');
    expect(people.length).toBeGreaterThan(0);
    for (const p of people) {
      expect(p[2]).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      expect(p[1]).toMatch(/^.\*+.?$/u);
    }
    expect(all.find((x) => x[0] === '合计')![6]).toBe(28642.54);
    expect(JSON.stringify(all)).not.toMatch(FULL_ID);
  });
});

// ── Jinzhou: three rural poor patients in 义县, worked by hand ─────────────────────────────
describe('jinzhou-monthly: 附件6 by county and disease, 附件4, 附件5', () => {
  const dir = tmp('assist-jz-');
  const A = makeId('210727', '1955-03-02', '111');
  const B = makeId('210727', '1962-07-09', '222');
  const C = makeId('210727', '1950-01-20', '332');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '所属地区', '户籍性质', '登记病种', '户籍地'],
    [A, '赵大', '特困人员', '2018-01-01', '义县', '农村', '胃癌', '辽宁省锦州市义县'],
    [B, '钱二', '低保对象', '2018-01-01', '义县', '农村', '食管癌', '辽宁省锦州市义县'],
    [C, '孙三', '低保对象', '2018-01-01', '义县', '农村', '胃癌', '辽宁省锦州市义县'],
  ]);
  const head = [
    '结算单号',
    '身份证号',
    '姓名',
    '医疗机构',
    '就诊类型',
    '入院日期',
    '出院日期',
    '结算日期',
    '诊断编码',
    '诊断名称',
    '医疗总费用',
    '基本医保支付',
    '大病保险支付',
    '医疗救助支付',
  ];
  const april = writeCsv(join(dir, 'april.csv'), [
    head,
    [
      'J1',
      A,
      '赵大',
      '义县人民医院',
      '住院',
      '2019-04-02',
      '2019-04-10',
      '2019-04-10',
      'C16.9',
      '胃癌',
      '4000',
      '3000',
      '0',
      '0',
    ],
  ]);
  const may = writeCsv(join(dir, 'may.csv'), [
    head,
    [
      'J2',
      A,
      '赵大',
      '义县人民医院',
      '住院',
      '2019-05-03',
      '2019-05-12',
      '2019-05-12',
      'C16.9',
      '胃癌',
      '10000',
      '6000',
      '1000',
      '1000',
    ],
    [
      'J3',
      B,
      '钱二',
      '义县人民医院',
      '住院',
      '2019-05-20',
      '',
      '2019-05-28',
      'C15.9',
      '食管癌',
      '5000',
      '3000',
      '0',
      '0',
    ],
  ]);
  const ledger = join(dir, 'a.db');
  let r!: Ran;
  beforeAll(async () => {
    for (const f of [april, may])
      await runCli([
        'adjudicate',
        f,
        '--roster',
        roster,
        '--policies',
        'jz-21-2019',
        '--ledger',
        ledger,
        '--out',
        join(dir, 'o'),
      ]);
    r = await runCli([
      'report',
      'jinzhou-monthly',
      '--month',
      '2019-05',
      '--roster',
      roster,
      '--ledger',
      ledger,
      '--out',
      join(dir, 'rep'),
    ]);
  });

  test('附件6 by disease: 胃癌 应救治 2, 已救治 1, 待救治 1, 救治率 50%; this month 10,000.00 total, 2,000.00 self-paid; year 14,000.00 / 3,000.00', async () => {
    expect(r.code, r.stderr).toBe(0);
    expect(lastLine(r.stdout)).toBe(join(dir, 'rep', 'jinzhou-monthly-2019-05.xlsx'));
    const { rows, wb } = await readSheets(join(dir, 'rep', 'jinzhou-monthly-2019-05.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '概览',
      '附件6-按县区',
      '附件6-按病种',
      '附件4-患者名单',
      '附件5-患者登记表',
    ]);
    const d = rows('附件6-按病种');
    expect(d[1]).toEqual([
      '病种',
      '应救治人数',
      '已救治',
      '正在救治',
      '待救治',
      '救治率',
      '本月已救治',
      '本月正在救治',
      '本月住院人次',
      '本月医疗总费用',
      '本月基本医保',
      '本月大病保险',
      '本月医疗救助',
      '本月其他保障',
      '本月个人自付',
      '本月个人自付比例',
      '本年住院人次',
      '本年医疗总费用',
      '本年基本医保',
      '本年大病保险',
      '本年医疗救助',
      '本年其他保障',
      '本年个人自付',
      '本年个人自付比例',
    ]);
    const stomach = d.find((x) => x[0] === '胃癌')!;
    expect(stomach).toEqual([
      '胃癌',
      2,
      1,
      0,
      1,
      0.5,
      1,
      0,
      1,
      10000,
      6000,
      1000,
      1000,
      0,
      2000,
      0.2,
      2,
      14000,
      9000,
      1000,
      1000,
      0,
      3000,
      0.2143,
    ]);
    const eso = d.find((x) => x[0] === '食管癌')!;
    expect(eso.slice(0, 10)).toEqual(['食管癌', 1, 0, 1, 0, 1, 0, 1, 1, 5000]);
    expect(d.filter((x) => typeof x[1] === 'number' && x[0] !== '合计').length).toBe(21); // 2019: the 21 diseases, in the document's order
    const county = rows('附件6-按县区');
    expect(county.find((x) => x[0] === '义县')!.slice(0, 6)).toEqual(['义县', 3, 1, 1, 1, 0.6667]);
    expect(county.find((x) => x[0] === '合计')!.slice(0, 6)).toEqual(['合计', 3, 1, 1, 1, 0.6667]);
  });

  test('附件4 one row per patient and disease (待救治 included); 附件5 with the cost breakdown', async () => {
    const { rows } = await readSheets(join(dir, 'rep', 'jinzhou-monthly-2019-05.xlsx'));
    const list = rows('附件4-患者名单')
      .slice(2)
      .filter((x) => typeof x[0] === 'number');
    expect(list.map((x) => [x[2], x[3], x[6], x[8], x[11], x[12]])).toEqual(
      [
        ['赵大', '男', '胃癌', '已救治', 2, 14000],
        ['钱二', '女', '食管癌', '正在救治', 1, 5000],
        ['孙三', '女', '胃癌', '待救治', 0, 0],
      ].sort((a, b) =>
        [A, B, C][['赵大', '钱二', '孙三'].indexOf(a[0] as string)]! <
        [A, B, C][['赵大', '钱二', '孙三'].indexOf(b[0] as string)]!
          ? -1
          : 1,
      ),
    );
    const reg = rows('附件5-患者登记表');
    const zhao = reg.find((x) => x[2] === '赵大')!;
    expect(zhao.slice(13, 22)).toEqual([2, 14000, 9000, 1000, 1000, 0, 3000, 0.2143, '已救治']);
  });
});

// ── Tinghu: service subsidy and the annual settlement ─────────────────────────────
describe('th-service-subsidy and th-annual', () => {
  const dir = tmp('assist-th-');
  const P1 = makeId('320902', '1960-05-01', '211');
  const P2 = makeId('320902', '1972-08-09', '322');
  const P3 = makeId('320902', '1980-02-02', '433');
  const P4 = makeId('320902', '1981-03-03', '544');
  const P5 = makeId('210102', '1970-01-01', '655');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P2, '李二', '低保对象', '2023-01-01', '2024-03-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P3, '周三', '重度残疾人', '2024-06-01', '', '江苏省盐城市亭湖区', '是', '亭湖区南洋镇卫生院'],
    [P4, '吴四', '低保对象', '2024-02-01', '', '江苏省盐城市亭湖区', '是', ''],
    [P4, '吴四', '低保对象', '2020-01-01', '2022-12-31', '江苏省盐城市亭湖区', '是', ''],
    [P5, '郑五', '特困人员', '2024-01-01', '', '辽宁省沈阳市和平区', '是', '和平区卫生院'],
  ]);

  test('150 yuan per Tinghu person per year per service unit: 新兴镇 2 → 300.00, 南洋镇 1 → 150.00; one unassigned; other districts excluded', async () => {
    const r = await runCli([
      'report',
      'th-service-subsidy',
      '--year',
      '2024',
      '--roster',
      roster,
      '--out',
      join(dir, 'rep'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('合计 ¥450.00；1 人未登记基层医疗单位');
    const { rows } = await readSheets(join(dir, 'rep', 'th-service-subsidy-2024.xlsx'));
    const s = rows('汇总');
    expect(s.slice(2, 4)).toEqual([
      [1, '亭湖区南洋镇卫生院', 1, 150, 150],
      [2, '亭湖区新兴镇卫生院', 2, 150, 300],
    ]);
    expect(s.find((x) => x[0] === '合计')!.slice(2)).toEqual([3, null, 450]);
    expect(s.some((x) => String(x[0]).includes('肆佰伍拾元整'))).toBe(true);
    expect(rows('明细').filter((x) => x[0] === '（名单未登记基层医疗单位）').length).toBe(1);
  });

  test('th-annual: per person and category; those still below the deductible listed with the gap', async () => {
    const head = CLAIM_HEAD.filter((h) => h !== '行号');
    const claims = writeCsv(join(dir, 'c.csv'), [
      head,
      ['T1', P1, '王一', '亭湖区人民医院', '门诊', '2024-03-15', '2024-03-15', 'J18.9', '肺炎', '2500', '2000'],
      ['T2', P3, '周三', '亭湖区人民医院', '门诊', '2024-07-15', '2024-07-15', 'J18.9', '肺炎', '8000', '8000'],
      // B (胃癌): the first deductible counts across years — 1000 in 2023, 1500 in 2024
      ['T3', P2, '李二', '亭湖区人民医院', '门诊', '2023-11-10', '2023-11-10', 'C16.9', '胃癌', '1200', '1000'],
      ['T4', P2, '李二', '亭湖区人民医院', '门诊', '2024-02-20', '2024-02-20', 'C16.9', '胃癌', '1500', '1500'],
    ]);
    const ledger = join(dir, 'a.db');
    expect(
      (
        await runCli([
          'adjudicate',
          claims,
          '--roster',
          roster,
          '--policies',
          'th-2021',
          '--ledger',
          ledger,
          '--out',
          join(dir, 'o'),
        ])
      ).code,
    ).toBe(0);
    const r = await runCli(['report', 'th-annual', '--year', '2024', '--ledger', ledger, '--out', join(dir, 'rep')]);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = await readSheets(join(dir, 'rep', 'th-annual-2024.xlsx'));
    const y = rows('年度结算')
      .slice(2)
      .filter((x) => x[0] !== '合计' && x[1]);
    // P1 一类 A: base 2000 < 3000 → below. P3 重度残疾人 = 二类: deductible 5000, base 8000 → over 3000 × 50% = 1500.00
    expect(y.find((x) => x[0] === '王一')).toEqual([
      '王一',
      P1,
      '一类',
      'A 类',
      1,
      2000,
      3000,
      2000,
      0,
      0,
      '未达起付线',
    ]);
    expect(y.find((x) => x[0] === '周三')).toEqual([
      '周三',
      P3,
      '二类',
      'A 类',
      1,
      8000,
      5000,
      8000,
      1500,
      1500,
      '已达起付线',
    ]);
    // P2 低保对象 = 一类 B: 2024's base 1500, measured against 1000 + 1500 = 2500 across years < 3000 → below by 500
    expect(y.find((x) => x[0] === '李二')).toEqual([
      '李二',
      P2,
      '一类',
      'B 类',
      1,
      1500,
      3000,
      2500,
      0,
      0,
      '未达起付线',
    ]);
    expect(rows('未达起付线').slice(2)).toEqual([
      ['王一', P1, '一类', 'A 类', 2000, 3000, 1000],
      ['李二', P2, '一类', 'B 类', 2500, 3000, 500],
    ]);
  });
});

// ── reconcile: a statement with each kind of difference ─────────────────────────────
describe('assist reconcile', () => {
  const dir = tmp('assist-rec-');
  const P1 = makeId('320902', '1960-05-01', '211');
  const P2 = makeId('320902', '1972-08-09', '322');
  const roster = writeCsv(join(dir, 'roster.csv'), [
    ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务', '基层医疗单位'],
    [P1, '王一', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
    [P2, '李二', '特困人员', '2024-01-01', '2024-12-31', '江苏省盐城市亭湖区', '是', '亭湖区新兴镇卫生院'],
  ]);
  const head = CLAIM_HEAD;
  // P2: E 4000 → over 1000 → 500.00; then E 1000 → 500.00. P1: E 5000 → over 2000 → 1000.00
  const claims = writeCsv(join(dir, 'may.csv'), [
    head,
    ['R1', 1, P2, '李二', '亭湖区人民医院', '门诊', '2024-05-02', '2024-05-02', 'J18.9', '肺炎', '4000', '4000'],
    ['R2', 1, P2, '李二', '亭湖区人民医院', '门诊', '2024-05-03', '2024-05-03', 'J18.9', '肺炎', '1000', '1000'],
    ['R3', 1, P1, '王一', '亭湖区人民医院', '门诊', '2024-05-04', '2024-05-04', 'J18.9', '肺炎', '5000', '5000'],
  ]);
  const ledger = join(dir, 'a.db');
  let adj!: Ran;
  beforeAll(async () => {
    adj = await runCli([
      'adjudicate',
      claims,
      '--roster',
      roster,
      '--policies',
      'th-2021',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'o'),
    ]);
  });

  test('each kind of difference in its sheet; totals tie out on both sides; exit 1', async () => {
    expect(adj.code, adj.stderr).toBe(0);
    const st = writeCsv(join(dir, 'statement.csv'), [
      ['结算单号', '医疗机构', '行号', '拨付金额'],
      ['R1', '亭湖区人民医院', 1, '500.00'],
      ['R2', '亭湖区人民医院', 1, '450.00'],
      ['X9', '亭湖区人民医院', 1, '200.00'],
      ['R1', '亭湖区人民医院', 1, '500.00'],
    ]);
    const r = await runCli([
      'reconcile',
      st,
      '--fund',
      FUND,
      '--month',
      '2024-05',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'rec'),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('台账 ¥2,000.00，对账单 ¥1,650.00');
    expect(r.stdout).toContain('一致 1，金额不符 1，应付未付 1，无依据支付 1，重复支付 1');
    expect(lastLine(r.stdout)).toBe(join(dir, 'rec', `reconcile-${FUND}-2024-05.xlsx`));
    const { rows, wb } = await readSheets(join(dir, 'rec', `reconcile-${FUND}-2024-05.xlsx`));
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '汇总',
      '一致',
      '金额不符',
      '应付未付',
      '无依据支付',
      '重复支付',
    ]);
    const s = rows('汇总');
    expect(s.slice(2, 8).map((x) => x.slice(0, 4))).toEqual([
      ['一致', 1, 500, 500],
      ['金额不符', 1, 500, 450],
      ['应付未付（台账有，对账单无）', 1, 1000],
      ['无依据支付（对账单有，台账无）', 1, null, 200],
      ['重复支付（对账单同一键重复出现）', 1, null, 500],
      ['合计', null, 2000, 1650],
    ]);
    expect(s.some((x) => x[0] === '台账合计 2000.00 = 一致 500.00 + 金额不符（台账） 500.00 + 应付未付 1000.00')).toBe(
      true,
    );
    expect(
      s.some(
        (x) =>
          x[0] === '对账单合计 1650.00 = 一致 500.00 + 金额不符（对账单） 450.00 + 无依据支付 200.00 + 重复支付 500.00',
      ),
    ).toBe(true);
    expect(rows('金额不符')[1]).toEqual([3, '亭湖区人民医院', 'R2', 1, '李二', P2, 500, 450, -50]);
    expect(rows('应付未付')[1]).toEqual(['亭湖区人民医院', 'R3', 1, '王一', P1, 1000]);
    expect(rows('无依据支付')[1]).toEqual([4, '亭湖区人民医院', 'X9', 1, '', 200]);
    expect(rows('重复支付')[1]).toEqual([5, '亭湖区人民医院', 'R1', 1, '', 500, 2]);
  });

  test('a statement that ties out: exit 0; without a 行号 column the ledger is summed per settlement', async () => {
    const st = writeCsv(join(dir, 'ok.csv'), [
      ['单据号', '医院名称', '金额'],
      ['R1', '亭湖区人民医院', '500'],
      ['R2', '亭湖区人民医院', '500.00'],
      ['R3', '亭湖区人民医院', '1,000.00'],
    ]);
    const r = await runCli([
      'reconcile',
      st,
      '--fund',
      FUND,
      '--month',
      '2024-05',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'rec2'),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('结论：一致');
  });

  test('a statement missing its amount column: exit 2 naming the column and accepted names', async () => {
    const st = writeCsv(join(dir, 'bad.csv'), [
      ['结算单号', '医疗机构'],
      ['R1', '亭湖区人民医院'],
    ]);
    const r = await runCli(['reconcile', st, '--fund', FUND, '--month', '2024-05', '--ledger', ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/缺少列“支付金额”，可接受的表头：.*拨付金额.*金额/);
  });

  test('assist template statement: a blank documented workbook that, filled in, reconciles (exit 0)', async () => {
    const t = await runCli(['template', 'statement', '--out', join(dir, 'tpl')]);
    expect(t.code, t.stderr).toBe(0);
    const file = lastLine(t.stdout);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['填写', '说明']);
    const header = (wb.getWorksheet('填写')!.getRow(2).values as string[]).slice(1);
    expect(header).toEqual(['结算单号', '医疗机构', '收款单位', '行号', '支付金额', '姓名', '身份证号']);
    const notes = wb.getWorksheet('说明')!;
    expect(notes.getRow(3).values).toEqual([
      undefined,
      '结算单号',
      '是',
      '医院结算单号，与结算明细一致',
      '结算流水号、就诊流水号、单据号、结算编号',
    ]);
    const sheet = wb.getWorksheet('填写')!;
    for (const r of [
      ['R1', '亭湖区人民医院', null, 1, 500],
      ['R2', '亭湖区人民医院', null, 1, 500],
      ['R3', '亭湖区人民医院', null, 1, 1000],
    ])
      sheet.addRow(r);
    await wb.xlsx.writeFile(join(dir, 'filled.xlsx'));
    const rec = await runCli([
      'reconcile',
      join(dir, 'filled.xlsx'),
      '--fund',
      FUND,
      '--month',
      '2024-05',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'tplrec'),
    ]);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
  });

  test('assist template opening: filled in, it imports', async () => {
    const t = await runCli(['template', 'opening', '--out', join(dir, 'tpl')]);
    expect(t.code, t.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(lastLine(t.stdout));
    expect((wb.getWorksheet('填写')!.getRow(2).values as string[]).slice(1)).toEqual([
      '身份证号',
      '姓名',
      '政策',
      '年度',
      '累计项目',
      '累计基数',
      '累计支付',
      '累计应救助',
      '首次救治日期',
    ]);
    wb.getWorksheet('填写')!.addRow([P1, '王一', 'th-2021', '2024', 'A类', 2800, 0]);
    await wb.xlsx.writeFile(join(dir, 'opening.xlsx'));
    const imp = await runCli([
      'ledger',
      'import-opening',
      join(dir, 'opening.xlsx'),
      '--ledger',
      join(dir, 'opening.db'),
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain('已导入期初余额 1 行');
  });

  test("the tool's own disbursement list (收款单位, 小计, 合计, footer) as the statement: unchanged it ties out (exit 0); one amount changed, exit 1", async () => {
    const list = join(dir, 'o', 'disbursement-th-2021.district-2024-05.xlsx');
    const same = await runCli([
      'reconcile',
      list,
      '--fund',
      FUND,
      '--month',
      '2024-05',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'own'),
    ]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    const { rows } = await readSheets(join(dir, 'own', 'reconcile-th-2021.district-2024-05.xlsx'));
    expect(rows('一致').filter((r) => typeof r[0] === 'number')).toHaveLength(3);
    // the third party pays one line 0.01 short and returns the list so annotated
    const edited = join(dir, 'edited.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(list);
    const ws = wb.worksheets[0]!;
    ws.eachRow((row) => {
      if (row.getCell(3).value === 'R3') row.getCell(9).value = 999.99;
    });
    await wb.xlsx.writeFile(edited);
    const diff = await runCli([
      'reconcile',
      edited,
      '--fund',
      FUND,
      '--month',
      '2024-05',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'own2'),
    ]);
    expect(diff.code).toBe(1);
  });
});

describe('cron-friendly', () => {
  test('no TTY: plain progress lines on stderr; --quiet: none; the last stdout line is the output', async () => {
    const dir = tmp('assist-cron-');
    const args = [
      'adjudicate',
      demo('claims.xlsx'),
      '--config',
      demo('assist.config.json'),
      '--ledger',
      join(dir, 'a.db'),
      '--out',
      join(dir, 'o'),
    ];
    const loud = await runCli(args, { env: { ASSIST_PROGRESS_INTERVAL_MS: '0' } });
    expect(loud.code).toBe(0);
    // the engine's phase with its total and percentage (issue 18 §6); the read phase has no total yet
    expect(loud.stderr).toMatch(/^审核：\d+\/39 行（\d+%），用时 \d+ 秒$/m);
    expect(loud.stderr).not.toContain('审核 审核');
    expect(loud.stderr).not.toContain('\r');
    // the end of the summary lists every file written, with its path
    const files = loud.stdout
      .slice(loud.stdout.indexOf('写出的文件：'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(files).toEqual(
      [
        'results-2024-06.jsonl',
        'settlement-2024-06.xlsx',
        ...['ln-as-2022.special-fund', 'ln-as-2022.third-party', 'qd-rigid-2018.insurer', 'th-2021.district'].map(
          (f) => `disbursement-${f}-2024-06.xlsx`,
        ),
      ].map((f) => join(dir, 'o', f)),
    );
    expect(lastLine(loud.stdout).trim()).toBe(files.at(-1));
    const quiet = await runCli([...args.slice(0, -2), '--out', join(dir, 'q'), '--quiet', '--dry-run'], {
      env: { ASSIST_PROGRESS_INTERVAL_MS: '0' },
    });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});
