// 亭湖区健康救助's own reports (`assist report th-service-subsidy`, `th-annual`): the 基础健康服务团队补助 by 基层医疗单位
// from the roster, and the year's settlement per person and disease category from the ledger.
import { join } from 'node:path';
import { D, chineseCapital, fmtGrouped, sum, ZERO, type Money } from '../../domain/money.js';
import { addMonths, endOfMonth } from '../../domain/dates.js';
import { CATEGORIES } from '../../domain/categories.js';
import { addSheet, writeWorkbook, type ColumnDef, type OutCell } from '../../io/workbook.js';
import type { PolicyReport } from '../../engine/types.js';
import type { Person } from '../../roster/merge.js';
import type { SqliteLedger } from '../../ledger/sqlite.js';
import { activeResults } from '../../ledger/queries.js';
import type { Params } from '../params.js';
import { deductibleCounter, ID, type DiseaseCategory, type SCHEMA } from './index.js';

export function thReports(params: Params<typeof SCHEMA>): PolicyReport[] {
  return [
    {
      name: 'th-service-subsidy',
      description: '亭湖基础健康服务团队补助：每人每年 150 元（参数），按基层医疗单位',
      period: 'year',
      uses: { ledger: false, roster: 'required' },
      async run({ year, outDir, people }) {
        const r = await reportThServiceSubsidy(params, people!, { year, outDir });
        return {
          file: r.file,
          summary: `亭湖服务团队补助 ${year} 年：${r.people} 人，合计 ¥${fmtGrouped(r.total)}${r.unassigned ? `；${r.unassigned} 人未登记基层医疗单位，未计补助` : ''}`,
        };
      },
    },
    {
      name: 'th-annual',
      description: '亭湖年度结算：每人年度累计基数、起付线、应救助、已支付，及仍未达起付线的人员',
      period: 'year',
      uses: { ledger: true, roster: 'no' },
      async run({ year, outDir, ledger }) {
        const r = await reportThAnnual(ledger!, { year, outDir });
        return { file: r.file, summary: `亭湖 ${year} 年度结算：${r.rows} 人·类，其中未达起付线 ${r.below}` };
      },
    },
  ];
}

/** Tinghu categories (一类 ∪ 二类) a person held at any time in the year, from the roster periods. */
function tinghuPeriodsInYear(p: Person, covered: Set<string>, year: number, identityMonths: number): Person['periods'] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  return p.periods.filter(
    (x) =>
      covered.has(x.category) &&
      x.validFrom <= to &&
      (x.validTo ?? endOfMonth(addMonths(x.validFrom, identityMonths))) >= from,
  );
}

type Unit = { person: Person; periods: Person['periods'] }[];

export async function reportThServiceSubsidy(
  params: Params<typeof SCHEMA>,
  people: Map<string, Person>,
  o: { year: number; outDir: string },
): Promise<{ file: string; people: number; total: Money; unassigned: number }> {
  const date = `${o.year}-12-31`;
  const P = params.at(date);
  const rate = P.serviceSubsidyPerPerson;
  const units = serviceUnits(P, people, o.year);
  const named = [...units.keys()].filter((u) => u).sort();
  const summary: OutCell[][] = named.map((u, i) => [
    i + 1,
    u,
    units.get(u)!.length,
    rate,
    rate.times(units.get(u)!.length),
  ]);
  const total = sum(summary.map((r) => r[4] as Money));
  const unassigned = units.get('')?.length ?? 0;
  const detail: OutCell[][] = [];
  for (const u of [...named, ...(unassigned ? [''] : [])])
    for (const { person, periods } of units.get(u)!.sort((a, b) => (a.person.idNumber < b.person.idNumber ? -1 : 1)))
      detail.push([
        u || '（名单未登记基层医疗单位）',
        person.name,
        person.idNumber,
        periods.map((x) => CATEGORIES[x.category].label).join('、'),
        periods.map((x) => `${x.validFrom}～${x.validTo ?? ''}`).join('；'),
        u ? rate : ZERO,
      ]);
  const file = join(o.outDir, `th-service-subsidy-${o.year}.xlsx`);
  const footer = [
    `补助金额合计（大写）：${chineseCapital(total)}　（小写）：¥${fmtGrouped(total)}`,
    `依据：${params.describe('serviceSubsidyPerPerson', date)}；服务人数为户籍地含“${P.householdKeyword}”、${o.year} 年内任一时间属于一类或二类人群的人数（按名单）`,
    ...(unassigned ? [`另有 ${unassigned} 人名单未登记基层医疗单位，未计补助，请补登记后重新生成。`] : []),
    '',
    '制表人：　　　　　　　　审核人：　　　　　　　　日期：',
  ];
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '汇总',
      title: `亭湖区基础健康服务团队补助（${o.year} 年）`,
      columns: SUBSIDY_SUMMARY_COLUMNS,
      rows: summary,
      totals: [2, 4],
      footer,
    });
    addSheet(wb, { name: '明细', columns: SUBSIDY_DETAIL_COLUMNS, rows: detail, totals: [5] });
  });
  return { file, people: detail.length, total, unassigned };
}

/** Tinghu's people of the year by 基层医疗单位 ('' for none registered), each with the periods that count. */
function serviceUnits(P: ReturnType<Params<typeof SCHEMA>['at']>, people: Map<string, Person>, year: number) {
  const covered = new Set<string>([...P.class1Categories, ...P.class2Categories]);
  const units = new Map<string, Unit>();
  for (const p of people.values()) {
    // Tinghu's people: the roster may also hold other districts' (the same 特困/低保 categories)
    if (!p.householdPlace.includes(P.householdKeyword)) continue;
    const periods = tinghuPeriodsInYear(p, covered, year, P.identityMonths);
    if (periods.length === 0) continue;
    const unit = p.serviceUnit || '';
    units.set(unit, [...(units.get(unit) ?? []), { person: p, periods }]);
  }
  return units;
}

const SUBSIDY_SUMMARY_COLUMNS: ColumnDef[] = [
  { header: '序号', kind: 'int', width: 6 },
  { header: '基层医疗单位', width: 30 },
  { header: '服务人数', kind: 'int', width: 10 },
  { header: '补助标准（元/人/年）', kind: 'money', width: 18 },
  { header: '补助金额', kind: 'money', width: 16 },
];

const SUBSIDY_DETAIL_COLUMNS: ColumnDef[] = [
  { header: '基层医疗单位', width: 30 },
  { header: '姓名', width: 10 },
  { header: '身份证号', width: 21 },
  { header: '人员类别', width: 24 },
  { header: '身份期间', width: 30 },
  { header: '补助金额', kind: 'money', width: 12 },
];

interface AnnualEntry {
  idNumber: string;
  name: string;
  cat: DiseaseCategory;
  cls: string;
  deductible: string;
  lines: number;
}

/** Per person and disease category: the year's base, deductible, entitled, paid; and those still below the deductible. */
export async function reportThAnnual(
  ledger: SqliteLedger,
  o: { year: number; outDir: string },
): Promise<{ file: string; rows: number; below: number }> {
  const rows: OutCell[][] = [];
  const below: OutCell[][] = [];
  for (const e of latestByCategory(ledger, o.year)) {
    const acc = ledger.accumulator(e.idNumber, ID, o.year, e.cat);
    const deductible = new D(e.deductible);
    // the base the deductible is measured against: B's across years (首次起付线), A's and C's the year's
    const c = deductibleCounter(e.cat, o.year);
    const counted = c.year === o.year && c.key === e.cat ? acc : ledger.accumulator(e.idNumber, ID, c.year, c.key);
    const towards = counted.base;
    const isBelow = towards.lessThan(deductible);
    const cls = e.cls === '1' ? '一类' : e.cls === '2' ? '二类' : '';
    const state = isBelow ? '未达起付线' : '已达起付线';
    rows.push([
      e.name,
      e.idNumber,
      cls,
      `${e.cat} 类`,
      e.lines,
      acc.base,
      deductible,
      towards,
      acc.entitled,
      acc.paid,
      state,
    ]);
    if (isBelow) below.push([e.name, e.idNumber, cls, `${e.cat} 类`, towards, deductible, deductible.minus(towards)]);
  }
  const file = join(o.outDir, `th-annual-${o.year}.xlsx`);
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '年度结算',
      title: `亭湖区健康救助 ${o.year} 年度结算`,
      columns: ANNUAL_COLUMNS,
      rows,
      totals: [4, 5, 8, 9],
      footer: [
        'B 类起付线为首次起付线（一次性，按人跨年度累计），其余按年度累计；依据：亭湖区健康救助实施方案 救助标准表、三、（一）2.“达不到年度个人负担起付线的，次年1月一次性办理”。',
      ],
    });
    addSheet(wb, {
      name: '未达起付线',
      title: `${o.year} 年累计未达起付线人员（次年 1 月一次性办理）`,
      columns: BELOW_COLUMNS,
      rows: below,
    });
  });
  return { file, rows: rows.length, below: below.length };
}

/** The year's results in force by person and category: the latest one's class and deductible, and how many. */
function latestByCategory(ledger: SqliteLedger, year: number): AnnualEntry[] {
  const latest = new Map<string, AnnualEntry>();
  for (const r of activeResults(ledger, ID, `${year}-01-01`, `${year}-12-31`)) {
    const cat = r.details?.diseaseCategory as DiseaseCategory | undefined;
    if (!cat) continue;
    const k = `${r.idNumber}|${cat}`;
    latest.set(k, {
      idNumber: r.idNumber,
      name: r.name,
      cat,
      cls: r.details!.populationClass ?? '',
      deductible: r.details!.deductible ?? '0.00',
      lines: (latest.get(k)?.lines ?? 0) + 1,
    });
  }
  const order = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);
  return [...latest.values()].sort((a, b) => order(a.idNumber, b.idNumber) || order(a.cat, b.cat));
}

const ANNUAL_COLUMNS: ColumnDef[] = [
  { header: '姓名', width: 10 },
  { header: '身份证号', width: 21 },
  { header: '人群', width: 6 },
  { header: '疾病大类', width: 9 },
  { header: '结算笔数', kind: 'int', width: 9 },
  { header: '年度累计基数', kind: 'money', width: 14 },
  { header: '起付线', kind: 'money', width: 12 },
  { header: '计入起付线的累计基数', kind: 'money', width: 16 },
  { header: '累计应救助', kind: 'money', width: 14 },
  { header: '累计已支付', kind: 'money', width: 14 },
  { header: '状态', width: 11 },
];

const BELOW_COLUMNS: ColumnDef[] = [
  { header: '姓名', width: 10 },
  { header: '身份证号', width: 21 },
  { header: '人群', width: 6 },
  { header: '疾病大类', width: 9 },
  { header: '累计基数', kind: 'money', width: 14 },
  { header: '起付线', kind: 'money', width: 12 },
  { header: '距起付线', kind: 'money', width: 14 },
];
