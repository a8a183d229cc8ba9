// 锦州市's own report, assist report jinzhou-monthly --month M: 锦卫发〔2019〕61号 附件6 农村贫困人口大病专项救治情况统计月报表,
// 附件4 患者名单, 附件5 患者登记表. No official layout exists here; the columns and their definitions are
// in README「锦州月报」. Unit of counting: one patient–disease pair (a person with two listed diseases
// counts once in each disease), so the county and disease tables add up to the same totals.
import { join } from 'node:path';
import { renameSync } from 'node:fs';
import { D, sum, ZERO, type Money } from '../../domain/money.js';
import { ageAt, endOfMonth, type IsoDate } from '../../domain/dates.js';
import { birthDateOf } from '../../domain/id-number.js';
import { CATEGORIES, type Category } from '../../domain/categories.js';
import type ExcelJS from 'exceljs';
import { addSheet, writeWorkbook, type ColumnDef, type OutCell } from '../../io/workbook.js';
import { jzDiseaseNames, jzDiseaseOfText, type SCHEMA } from './index.js';
import type { Params } from '../params.js';
import type { PolicyReport } from '../../engine/types.js';
import type { Person } from '../../roster/merge.js';
import type { SqliteLedger } from '../../ledger/sqlite.js';
import { activeResults, type ResultRow } from '../../ledger/queries.js';
import { writeFileSync } from 'node:fs';
import { yuanNumber as yuan, type Overview, type OverviewChart } from '../../reports/overview/model.js';
import { addOverviewWorksheet, drawOverview } from '../../reports/overview/sheet.js';
import { overviewHtml } from '../../reports/overview/html.js';

/** GB/T 2260 county-level codes of 锦州市 (used when the roster gives no 所属地区). */
export const JINZHOU_COUNTIES: Record<string, string> = {
  '210702': '古塔区',
  '210703': '凌河区',
  '210711': '太和区',
  '210726': '黑山县',
  '210727': '义县',
  '210781': '凌海市',
  '210782': '北镇市',
};

export function countyOf(idNumber: string, person: Person | undefined): string {
  if (person?.region) return person.region;
  return JINZHOU_COUNTIES[idNumber.slice(0, 6)] ?? `其他（区划代码 ${idNumber.slice(0, 6)}）`;
}

interface Pair {
  idNumber: string;
  name: string;
  disease: string;
  county: string;
  registered: boolean;
  lines: ResultRow[];
}

interface Flow {
  treated: number;
  treating: number;
  inpatient: number;
  total: Money;
  basic: Money;
  serious: Money;
  assistance: Money;
  other: Money;
  self: Money;
}

function flowOf(pairs: Pair[], inPeriod: (r: ResultRow) => boolean): Flow {
  const f: Flow = {
    treated: 0,
    treating: 0,
    inpatient: 0,
    total: ZERO,
    basic: ZERO,
    serious: ZERO,
    assistance: ZERO,
    other: ZERO,
    self: ZERO,
  };
  for (const p of pairs) {
    const lines = p.lines.filter(inPeriod);
    if (lines.length === 0) continue;
    const last = lines[lines.length - 1]!;
    if (last.details?.treatment === '正在救治') f.treating++;
    else f.treated++;
    f.inpatient += new Set(
      lines.filter((l) => l.visitType === 'inpatient').map((l) => `${l.hospital}\u0001${l.claimId}`),
    ).size;
    f.total = f.total.plus(sum(lines.map((l) => l.totalCost)));
    f.basic = f.basic.plus(sum(lines.map((l) => l.basicPaid)));
    f.serious = f.serious.plus(sum(lines.map((l) => l.seriousIllnessPaid)));
    f.assistance = f.assistance.plus(sum(lines.map((l) => l.assistancePaid)));
    f.other = f.other.plus(sum(lines.map((l) => l.otherPaid)));
    f.self = f.self.plus(sum(lines.map((l) => l.personalBurden)));
  }
  return f;
}

const ratio = (a: Money | number, b: Money | number): Money =>
  new D(b.toString()).isZero() ? ZERO : new D(a.toString()).dividedBy(b.toString()).toDecimalPlaces(4, D.ROUND_HALF_UP);
const money = (f: Flow): OutCell[] => [
  f.inpatient,
  f.total,
  f.basic,
  f.serious,
  f.assistance,
  f.other,
  f.self,
  ratio(f.self, f.total),
];

export const MONTHLY_COLUMNS = [
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
];

function indicatorRow(label: string, pairs: Pair[], month: string): OutCell[] {
  const ytd = flowOf(pairs, () => true);
  const mon = flowOf(pairs, (r) => r.settlementDate.slice(0, 7) === month);
  const due = pairs.length;
  const waiting = due - ytd.treated - ytd.treating;
  return [
    label,
    due,
    ytd.treated,
    ytd.treating,
    waiting,
    ratio(ytd.treated + ytd.treating, due),
    mon.treated,
    mon.treating,
    ...money(mon),
    ...money(ytd),
  ];
}

export interface JinzhouOutcome {
  file: string;
  /** the overview as one HTML page (--html) */
  html?: string;
  pairs: number;
  registered: number;
  treated: number;
  rosterUsed: boolean;
}

/** 锦州市's own report: `assist report jinzhou-monthly --month M`. */
export function jzReports(params: Params<typeof SCHEMA>, document: string): PolicyReport[] {
  return [
    {
      name: 'jinzhou-monthly',
      description: '锦州 附件6 统计月报表（按县区、按病种，本月与本年累计）、附件4 患者名单、附件5 患者登记表',
      period: 'month',
      uses: { ledger: true, roster: 'optional' },
      html: true,
      async run({ month, outDir, ledger, people, html }) {
        const r = await reportJinzhouMonthly({ params, document }, ledger!, people, { month: month!, outDir, html });
        return {
          file: r.file,
          also: r.html ? [r.html] : [],
          summary: `锦州月报 ${month}：应救治 ${r.pairs}（名单登记 ${r.registered}），本年已救治或正在救治 ${r.treated}`,
          notices: people ? [] : ['提示：未提供名单，应救治人数只含本年已救治人员，县区按身份证号区划代码。'],
        };
      },
    },
  ];
}

export async function reportJinzhouMonthly(
  policy: { params: Params<typeof SCHEMA>; document: string },
  ledger: SqliteLedger,
  people: Map<string, Person> | null,
  o: { month: string; outDir: string; html?: boolean },
): Promise<JinzhouOutcome> {
  const year = o.month.slice(0, 4);
  const all = collectPairs(policy, ledger, people, o.month);
  const counties = [...new Set(all.map((p) => p.county))].sort();
  const listed = jzDiseaseNames(year >= '2020' ? '25' : '21');
  const diseases = [...listed, ...[...new Set(all.map((p) => p.disease))].filter((d) => !listed.includes(d))];
  const file = join(o.outDir, `jinzhou-monthly-${o.month}.xlsx`);
  const overview = jinzhouOverview(all, counties, diseases, o.month);
  const pictures = await drawOverview(overview);
  await writeWorkbook(file, (wb) => {
    addOverviewWorksheet(wb, overview, pictures);
    addMonthlySheets(wb, all, { counties, diseases, month: o.month, document: policy.document });
    addPatientSheets(wb, all, people, o.month);
  });
  let html: string | undefined;
  if (o.html) {
    html = join(o.outDir, `jinzhou-monthly-${o.month}.html`);
    const tmp = `${html}.${process.pid}.tmp`;
    writeFileSync(tmp, overviewHtml(overview), { mode: 0o600 });
    renameSync(tmp, html);
  }
  return {
    file,
    html,
    pairs: all.length,
    registered: all.filter((p) => p.registered).length,
    treated: all.filter((p) => p.lines.length > 0).length,
    rosterUsed: people !== null,
  };
}

/**
 * The report's 人·病种 pairs, by county, ID number and disease: 应救治 from the roster (when given), 已救治/正在救治
 * from the ledger's approved jz-21-2019 results settled from 1 January to the month's end.
 */
function collectPairs(
  policy: { params: Params<typeof SCHEMA> },
  ledger: SqliteLedger,
  people: Map<string, Person> | null,
  month: string,
): Pair[] {
  const monthEnd = endOfMonth(`${month}-01`);
  const pairs = new Map<string, Pair>();
  const pairOf = (idNumber: string, name: string, disease: string, registered: boolean): Pair => {
    const k = `${idNumber}|${disease}`;
    let p = pairs.get(k);
    if (!p)
      pairs.set(
        k,
        (p = { idNumber, name, disease, county: countyOf(idNumber, people?.get(idNumber)), registered, lines: [] }),
      );
    if (registered) p.registered = true;
    return p;
  };
  if (people) {
    const covered = new Set<Category>(policy.params.at(monthEnd).coveredCategories);
    for (const p of people.values()) {
      const disease = dueDisease(p, covered, `${month}-01`, monthEnd);
      if (disease) pairOf(p.idNumber, p.name, disease, true);
    }
  }
  for (const r of activeResults(ledger, 'jz-21-2019', `${month.slice(0, 4)}-01-01`, monthEnd)) {
    if (r.status !== 'approved' || !r.details?.disease) continue;
    pairOf(r.idNumber, r.name, r.details.disease, false).lines.push(r);
  }
  const order = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);
  return [...pairs.values()].sort(
    (a, b) => order(a.county, b.county) || order(a.idNumber, b.idNumber) || order(a.disease, b.disease),
  );
}

/** 应救治: a rural person of a covered category in force in the month whose registered disease is listed, or null */
function dueDisease(p: Person, covered: Set<Category>, monthStart: IsoDate, monthEnd: IsoDate): string | null {
  const disease = jzDiseaseOfText(p.registeredDisease);
  if (!disease || p.householdType === 'urban') return null;
  const inForce = p.periods.some(
    (x) => covered.has(x.category) && x.validFrom <= monthEnd && (x.validTo === null || x.validTo >= monthStart),
  );
  return inForce ? disease : null;
}

/** 附件6 by county and by disease, each with its 合计 and the report's footer. */
function addMonthlySheets(
  wb: ExcelJS.Workbook,
  all: Pair[],
  r: { counties: string[]; diseases: string[]; month: string; document: string },
): void {
  const { month } = r;
  const rows = (names: string[], of: (p: Pair) => string) => [
    ...names.map((n) =>
      indicatorRow(
        n,
        all.filter((p) => of(p) === n),
        month,
      ),
    ),
    indicatorRow('合计', all, month),
  ];
  const cols = (first: string) => [
    { header: first, width: 16 },
    ...MONTHLY_COLUMNS.map((h) => ({
      header: h,
      kind: (/比例|率/.test(h) ? 'percent' : /费用|医保|保险|救助$|保障|自付$/.test(h) ? 'money' : 'int') as
        'percent' | 'money' | 'int',
      width: /费用|医保|保险|救助$|保障|自付$/.test(h) ? 14 : 9,
    })),
  ];
  const footer = [
    `填报单位：__________卫生健康局　　统计期：${month}（本年累计自 ${month.slice(0, 4)}-01-01 起）　　报送时限：次月 25 日前报市卫生健康委医政科（${r.document} 六、）`,
    '口径：按“人·病种”计数；应救治 = 名单中在册、属救治范围人员类别且登记病种属 21（2020 年起 25）种大病者，并含本年已救治但名单未登记者；已救治/正在救治按本年最近一次救治的状态；待救治 = 应救治 − 已救治 − 正在救治；救治率 = （已救治＋正在救治）÷ 应救治；住院人次按住院结算单计；个人自付比例 = 个人自付 ÷ 医疗总费用。',
    '填表人：　　　　　审核人：　　　　　填报日期：',
  ];
  addSheet(wb, {
    name: '附件6-按县区',
    title: `农村贫困人口大病专项救治情况统计月报表（按县区，${month}）`,
    columns: cols('县（市）区'),
    rows: rows(r.counties, (p) => p.county),
    footer,
    keyColumns: 1,
  });
  addSheet(wb, {
    name: '附件6-按病种',
    title: `农村贫困人口大病专项救治情况统计月报表（按病种，${month}）`,
    columns: cols('病种'),
    rows: rows(r.diseases, (p) => p.disease),
    footer,
    keyColumns: 1,
  });
}

/** 待救治, 正在救治 or 已救治: the state of the pair's latest treatment this year */
function treatmentStatus(p: Pair): string {
  if (p.lines.length === 0) return '待救治';
  return p.lines[p.lines.length - 1]!.details?.treatment === '正在救治' ? '正在救治' : '已救治';
}

const sexOf = (id: string): string => (Number(id[16]) % 2 === 1 ? '男' : '女');

/** 附件4 (the patient list at the month's end) and 附件5 (the year's register), one row per pair. */
function addPatientSheets(wb: ExcelJS.Workbook, all: Pair[], people: Map<string, Person> | null, month: string): void {
  const monthEnd = endOfMonth(`${month}-01`);
  addSheet(wb, {
    name: '附件4-患者名单',
    title: `锦州市农村贫困人口大病患者名单（截至 ${monthEnd}）`,
    columns: PATIENT_LIST_COLUMNS,
    rows: all.map((p, i) => patientListRow(p, i, monthEnd)),
    totals: [11, 12, 13],
  });
  addSheet(wb, {
    name: '附件5-患者登记表',
    title: `县/市大病专项救治患者登记表（${month.slice(0, 4)} 年 1 月至 ${month}）`,
    columns: REGISTER_COLUMNS,
    rows: all.map((p, i) => registerRow(p, i, people)),
    totals: [13, 14, 15, 16, 17, 18, 19],
  });
}

const PATIENT_LIST_COLUMNS: ColumnDef[] = [
  { header: '序号', kind: 'int', width: 5 },
  { header: '县（市）区', width: 8 },
  { header: '姓名', width: 8 },
  { header: '性别', width: 5 },
  { header: '年龄', kind: 'int', width: 5 },
  { header: '身份证号', width: 21 },
  { header: '病种', width: 12 },
  { header: '救治医院', width: 16 },
  { header: '救治状态', width: 9 },
  { header: '首次救治日期', width: 11 },
  { header: '最近救治日期', width: 11 },
  { header: '住院人次', kind: 'int', width: 6 },
  { header: '医疗总费用', kind: 'money', width: 12 },
  { header: '个人自付', kind: 'money', width: 11 },
];

function patientListRow(p: Pair, i: number, monthEnd: string): OutCell[] {
  const inpatient = new Set(
    p.lines.filter((l) => l.visitType === 'inpatient').map((l) => `${l.hospital}\u0001${l.claimId}`),
  ).size;
  return [
    i + 1,
    p.county,
    p.name,
    sexOf(p.idNumber),
    ageAt(birthDateOf(p.idNumber), monthEnd),
    p.idNumber,
    p.disease,
    p.lines.at(-1)?.hospital ?? '',
    treatmentStatus(p),
    p.lines[0]?.admissionDate ?? '',
    p.lines.at(-1)?.settlementDate ?? '',
    inpatient,
    sum(p.lines.map((l) => l.totalCost)),
    sum(p.lines.map((l) => l.personalBurden)),
  ];
}

const REGISTER_COLUMNS: ColumnDef[] = [
  { header: '序号', kind: 'int', width: 6 },
  { header: '县（市）区', width: 10 },
  { header: '姓名', width: 8 },
  { header: '性别', width: 5 },
  { header: '出生日期', width: 11 },
  { header: '身份证号', width: 21 },
  { header: '户籍地', width: 20 },
  { header: '人员类别', width: 14 },
  { header: '病种', width: 14 },
  { header: '名单登记', width: 8 },
  { header: '首次入院日期', width: 11 },
  { header: '最近结算日期', width: 11 },
  { header: '救治医院', width: 24 },
  { header: '结算笔数', kind: 'int', width: 8 },
  { header: '医疗总费用', kind: 'money', width: 13 },
  { header: '基本医保', kind: 'money', width: 12 },
  { header: '大病保险', kind: 'money', width: 12 },
  { header: '医疗救助', kind: 'money', width: 12 },
  { header: '其他保障', kind: 'money', width: 12 },
  { header: '个人自付', kind: 'money', width: 12 },
  { header: '个人自付比例', kind: 'percent', width: 10 },
  { header: '救治状态', width: 9 },
];

function registerRow(p: Pair, i: number, people: Map<string, Person> | null): OutCell[] {
  const person = people?.get(p.idNumber);
  const total = sum(p.lines.map((l) => l.totalCost));
  const self = sum(p.lines.map((l) => l.personalBurden));
  const categories = [...new Set((person?.periods ?? []).map((x) => CATEGORIES[x.category].label))].join('、');
  return [
    i + 1,
    p.county,
    p.name,
    sexOf(p.idNumber),
    birthDateOf(p.idNumber),
    p.idNumber,
    person?.householdPlace ?? '',
    categories,
    p.disease,
    p.registered ? '是' : '否',
    p.lines[0]?.admissionDate ?? '',
    p.lines.at(-1)?.settlementDate ?? '',
    [...new Set(p.lines.map((l) => l.hospital))].join('、'),
    p.lines.length,
    total,
    sum(p.lines.map((l) => l.basicPaid)),
    sum(p.lines.map((l) => l.seriousIllnessPaid)),
    sum(p.lines.map((l) => l.assistancePaid)),
    sum(p.lines.map((l) => l.otherPaid)),
    self,
    ratio(self, total),
    treatmentStatus(p),
  ];
}

/** Who paid the cost, one series each (the five sum to 医疗总费用, as in 附件6). */
function whoPaid(flows: Flow[]): OverviewChart['series'] {
  return [
    { name: '基本医保', values: flows.map((f) => yuan(f.basic)) },
    { name: '大病保险', values: flows.map((f) => yuan(f.serious)) },
    { name: '医疗救助', values: flows.map((f) => yuan(f.assistance)) },
    { name: '其他保障', values: flows.map((f) => yuan(f.other)) },
    { name: '个人自付', values: flows.map((f) => yuan(f.self)) },
  ];
}

function dueChart(id: string, title: string, label: string, names: string[], groups: Pair[][]): OverviewChart {
  const flows = groups.map((g) => flowOf(g, () => true));
  return {
    id,
    title,
    kind: 'due',
    categoryLabel: label,
    unit: '人',
    categories: names,
    series: [
      { name: '应救治人数', values: groups.map((g) => g.length) },
      { name: '已救治', values: flows.map((f) => f.treated) },
      { name: '正在救治', values: flows.map((f) => f.treating) },
    ],
    // a county with no one due has no rate (not 0%, not a division by zero)
    rate: {
      name: '救治率',
      values: groups.map((g, i) =>
        g.length === 0 ? null : Number(ratio(flows[i]!.treated + flows[i]!.treating, g.length).toString()),
      ),
    },
    note: '救治率 = （已救治＋正在救治）÷ 应救治，与附件6同口径；应救治为 0 的行不计救治率。',
  };
}

/** The 概览 of the month: 附件6's totals, money by county, 应救治 against 已救治/正在救治 by county and disease, the year's months. */
function jinzhouOverview(all: Pair[], counties: string[], diseases: string[], month: string): Overview {
  const ytd = flowOf(all, () => true);
  const byCounty = counties.map((c) => all.filter((p) => p.county === c));
  const countyFlows = byCounty.map((g) => flowOf(g, () => true));
  const months = Array.from(
    { length: Number(month.slice(5, 7)) },
    (_, i) => `${month.slice(0, 4)}-${String(i + 1).padStart(2, '0')}`,
  );
  const monthly = months.map((m) => flowOf(all, (r) => r.settlementDate.slice(0, 7) === m));
  const due = all.length;
  return {
    title: `锦州市农村贫困人口大病专项救治概览`,
    subtitle: `${month}（本年累计自 ${month.slice(0, 4)}-01-01 起）`,
    figures: [
      { label: '应救治人数', value: due, kind: 'int' },
      { label: '已救治', value: ytd.treated, kind: 'int' },
      { label: '正在救治', value: ytd.treating, kind: 'int' },
      { label: '待救治', value: due - ytd.treated - ytd.treating, kind: 'int' },
      {
        label: '救治率',
        value: due ? Number(ratio(ytd.treated + ytd.treating, due).toString()) : null,
        kind: 'percent',
      },
      { label: '本年住院人次', value: ytd.inpatient, kind: 'int' },
      { label: '本年医疗总费用', value: yuan(ytd.total), kind: 'money' },
      { label: '本年医疗救助', value: yuan(ytd.assistance), kind: 'money' },
      { label: '本年个人自付', value: yuan(ytd.self), kind: 'money' },
    ],
    charts: [
      {
        id: 'money-by-county',
        title: '各县（市）区本年医疗费用由谁支付',
        kind: 'stack',
        categoryLabel: '县（市）区',
        unit: '元',
        categories: counties,
        series: whoPaid(countyFlows),
        note: '本年累计，与附件6“本年”各列相同；五项之和为本年医疗总费用。',
      },
      dueChart('due-by-county', '各县（市）区应救治与已救治', '县（市）区', counties, byCounty),
      dueChart(
        'due-by-disease',
        '各病种应救治与已救治',
        '病种',
        diseases,
        diseases.map((d) => all.filter((p) => p.disease === d)),
      ),
      {
        id: 'money-by-month',
        title: `${month.slice(0, 4)} 年各月医疗费用由谁支付`,
        kind: 'trend',
        categoryLabel: '月份',
        unit: '元',
        categories: months,
        series: whoPaid(monthly),
        note: '按结算日期所在月份；各月之和为本年累计。',
      },
    ],
  };
}
