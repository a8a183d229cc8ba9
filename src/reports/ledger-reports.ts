// Reports from the ledger (SPEC §7 `assist report NAME`): disbursement again, publicity, the Tinghu
// service subsidy and annual settlement. The Jinzhou monthly report is in jinzhou.ts, reconcile in reconcile.ts.
import { join } from 'node:path';
import { D, chineseCapital, fmtGrouped, sum, ZERO, type Money } from '../domain/money.js';
import { addMonths, endOfMonth } from '../domain/dates.js';
import { mask, maskName } from '../domain/id-number.js';
import { CATEGORIES, type Category } from '../domain/categories.js';
import { UsageError } from '../io/errors.js';
import { addSheet, writeWorkbook, type OutCell } from '../io/workbook.js';
import { writeCsvFile } from '../io/csv-writer.js';
import { POLICY_FACTORIES } from '../policies/registry.js';
import type { Fund, Policy } from '../engine/types.js';
import type { Person } from '../roster/merge.js';
import type { SqliteLedger } from '../ledger/sqlite.js';
import { activeResults, monthRuns, resultsOfRuns, reversalsOfRuns } from '../ledger/queries.js';
import { reversalDisbursementLine, sortDisbursement, writeDisbursement, type DisbursementLine } from './disbursement.js';

export function allPolicies(): Policy[] {
  return Object.values(POLICY_FACTORIES).map((f) => f());
}

export function policyOf(id: string): Policy {
  const f = POLICY_FACTORIES[id];
  if (!f) throw new UsageError(`未知政策“${id}”（可用：${Object.keys(POLICY_FACTORIES).join('、')}）`);
  return f();
}

export function fundOf(fundId: string): { fund: Fund; policy: Policy } {
  for (const policy of allPolicies()) {
    const fund = policy.funds.find((f) => f.id === fundId);
    if (fund) return { fund, policy };
  }
  const all = allPolicies().flatMap((p) => p.funds.map((f) => f.id));
  throw new UsageError(`未知资金“${fundId}”（可用：${all.join('、')}）`);
}

export function runIdsFor(ledger: SqliteLedger, month: string, runId?: number): number[] {
  if (runId !== undefined) {
    const run = ledger.run(runId);
    if (!run) throw new UsageError(`台账中没有第 ${runId} 次运行。`);
    return [runId];
  }
  return monthRuns(ledger, month).map((r) => r.id);
}

/** The disbursement list of a month (every run booked to it) or of one run, rebuilt from the ledger. */
export function ledgerDisbursementLines(ledger: SqliteLedger, fundId: string, month: string, runId?: number): DisbursementLine[] {
  const ids = runIdsFor(ledger, month, runId);
  const paid: DisbursementLine[] = [];
  for (const r of resultsOfRuns(ledger, ids)) {
    const amount = r.payments[fundId];
    if (r.status !== 'approved' || !amount || amount.isZero()) continue;
    paid.push({ payee: r.payee, hospital: r.hospital, claimId: r.claimId, lineNo: r.lineNo, name: r.name, idNumber: r.idNumber, settlementDate: r.settlementDate, totalCost: r.totalCost, amount, note: '' });
  }
  const reversed = reversalsOfRuns(ledger, ids)
    .filter((r) => r.payments[fundId] && !r.payments[fundId]!.isZero())
    .map((r) => reversalDisbursementLine(r, fundId));
  return sortDisbursement(paid, reversed);
}

export async function reportDisbursement(ledger: SqliteLedger, o: { fundId: string; month: string; runId?: number; outDir: string; csv?: boolean }): Promise<{ file: string; csvFile: string | null; total: Money; lines: number }> {
  const { fund, policy } = fundOf(o.fundId);
  const lines = ledgerDisbursementLines(ledger, o.fundId, o.month, o.runId);
  const base = join(o.outDir, `disbursement-${fund.id}-${o.month}${o.runId !== undefined ? `-run${o.runId}` : ''}`);
  const total = await writeDisbursement(`${base}.xlsx`, { fund, month: o.month, document: policy.document, lines, ledgerCode: ledger.headCode() });
  // the bank-upload form: one row per line, amounts as plain numbers
  if (o.csv)
    await writeCsvFile(
      `${base}.csv`,
      ['收款单位', '结算单号', '明细行号', '姓名', '身份证号', '结算日期', '医疗总费用', '支付金额', '备注'],
      lines.map((l) => [l.payee, l.claimId, l.lineNo, l.name, l.idNumber, l.settlementDate, Number(l.totalCost.toFixed(2)), Number(l.amount.toFixed(2)), l.note]),
    );
  return { file: `${base}.xlsx`, csvFile: o.csv ? `${base}.csv` : null, total, lines: lines.length };
}

/** 公示 list: one row per person, amounts net of reversals; ID numbers and names masked. */
export async function reportPublicity(ledger: SqliteLedger, o: { policyId: string; month: string; outDir: string }): Promise<{ file: string; people: number; total: Money }> {
  const policy = policyOf(o.policyId);
  const ids = runIdsFor(ledger, o.month);
  const people = new Map<string, { name: string; hospitals: Set<string>; lines: number; totalCost: Money; paid: Money }>();
  const get = (id: string, name: string) => {
    let p = people.get(id);
    if (!p) people.set(id, (p = { name, hospitals: new Set(), lines: 0, totalCost: ZERO, paid: ZERO }));
    return p;
  };
  for (const r of resultsOfRuns(ledger, ids, policy.id)) {
    if (r.status !== 'approved') continue;
    const p = get(r.idNumber, r.name);
    p.lines++;
    p.hospitals.add(r.hospital);
    p.totalCost = p.totalCost.plus(r.totalCost);
    p.paid = p.paid.plus(sum(Object.values(r.payments)));
  }
  const fundIds = new Set(policy.funds.map((f) => f.id));
  for (const r of reversalsOfRuns(ledger, ids)) {
    const amounts = Object.entries(r.payments).filter(([f]) => fundIds.has(f));
    if (amounts.length === 0) continue;
    const p = get(r.idNumber, r.name);
    p.paid = p.paid.plus(sum(amounts.map(([, v]) => v)));
  }
  const rows: OutCell[][] = [...people.entries()]
    .filter(([, p]) => p.lines > 0 || !p.paid.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, p], i) => [i + 1, maskName(p.name), mask(id), [...p.hospitals].join('、'), p.lines, p.totalCost, p.paid]);
  const total = sum(rows.map((r) => r[6] as Money));
  const file = join(o.outDir, `publicity-${policy.id}-${o.month}.xlsx`);
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '公示名单',
      // 亭湖区健康救助 + 对象, not 健康救助救助对象
      title: `${policy.name}${policy.name.endsWith('救助') ? '' : '救助'}对象公示名单（${o.month}）`,
      columns: [
        { header: '序号', kind: 'int', width: 6 }, { header: '姓名', width: 10 }, { header: '身份证号', width: 21 }, { header: '医疗机构', width: 30 },
        { header: '救助笔数', kind: 'int', width: 9 }, { header: '医疗总费用', kind: 'money', width: 14 }, { header: '救助金额', kind: 'money', width: 14 },
      ],
      rows,
      totals: [5, 6],
      footer: [
        `救助金额合计（大写）：${chineseCapital(total)}`,
        `政策依据：${policy.document}`,
        '公示期：自公布之日起不少于 7 日。对公示内容有异议的，请在公示期内向经办机构实名反映。为保护个人隐私，身份证号和姓名已部分隐去。',
        '',
        '公示单位（盖章）：　　　　　　　　　　　　　　　　公示日期：',
      ],
    });
  });
  return { file, people: rows.length, total };
}

/** Tinghu categories (一类 ∪ 二类) a person held at any time in the year, from the roster periods. */
function tinghuPeriodsInYear(p: Person, covered: Set<string>, year: number, identityMonths: number): Person['periods'] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  return p.periods.filter((x) => covered.has(x.category) && x.validFrom <= to && (x.validTo ?? endOfMonth(addMonths(x.validFrom, identityMonths))) >= from);
}

export async function reportThServiceSubsidy(people: Map<string, Person>, o: { year: number; outDir: string }): Promise<{ file: string; people: number; total: Money; unassigned: number }> {
  const policy = policyOf('th-2021');
  const date = `${o.year}-12-31`;
  const covered = new Set<string>([...policy.params.get<Category[]>('class1Categories', date), ...policy.params.get<Category[]>('class2Categories', date)]);
  const identityMonths = policy.params.get<number>('identityMonths', date);
  const rate = new D(String(policy.params.get<string | number>('serviceSubsidyPerPerson', date)));
  const keyword = policy.params.get<string>('householdKeyword', date);
  const units = new Map<string, { person: Person; periods: Person['periods'] }[]>();
  for (const p of people.values()) {
    // Tinghu's people: the roster may also hold other districts' (the same 特困/低保 categories)
    if (!p.householdPlace.includes(keyword)) continue;
    const periods = tinghuPeriodsInYear(p, covered, o.year, identityMonths);
    if (periods.length === 0) continue;
    const unit = p.serviceUnit || '';
    units.set(unit, [...(units.get(unit) ?? []), { person: p, periods }]);
  }
  const named = [...units.keys()].filter((u) => u).sort();
  const summary: OutCell[][] = named.map((u, i) => [i + 1, u, units.get(u)!.length, rate, rate.times(units.get(u)!.length)]);
  const total = sum(summary.map((r) => r[4] as Money));
  const unassigned = units.get('')?.length ?? 0;
  const detail: OutCell[][] = [];
  for (const u of [...named, ...(unassigned ? [''] : [])])
    for (const { person, periods } of units.get(u)!.sort((a, b) => (a.person.idNumber < b.person.idNumber ? -1 : 1)))
      detail.push([u || '（名单未登记基层医疗单位）', person.name, person.idNumber, periods.map((x) => CATEGORIES[x.category].label).join('、'), periods.map((x) => `${x.validFrom}～${x.validTo ?? ''}`).join('；'), u ? rate : ZERO]);
  const file = join(o.outDir, `th-service-subsidy-${o.year}.xlsx`);
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '汇总',
      title: `亭湖区基础健康服务团队补助（${o.year} 年）`,
      columns: [{ header: '序号', kind: 'int', width: 6 }, { header: '基层医疗单位', width: 30 }, { header: '服务人数', kind: 'int', width: 10 }, { header: '补助标准（元/人/年）', kind: 'money', width: 18 }, { header: '补助金额', kind: 'money', width: 16 }],
      rows: summary,
      totals: [2, 4],
      footer: [
        `补助金额合计（大写）：${chineseCapital(total)}　（小写）：¥${fmtGrouped(total)}`,
        `依据：${policy.params.describe('serviceSubsidyPerPerson', date)}；服务人数为户籍地含“${keyword}”、${o.year} 年内任一时间属于一类或二类人群的人数（按名单）`,
        ...(unassigned ? [`另有 ${unassigned} 人名单未登记基层医疗单位，未计补助，请补登记后重新生成。`] : []),
        '',
        '制表人：　　　　　　　　审核人：　　　　　　　　日期：',
      ],
    });
    addSheet(wb, {
      name: '明细',
      columns: [{ header: '基层医疗单位', width: 30 }, { header: '姓名', width: 10 }, { header: '身份证号', width: 21 }, { header: '人员类别', width: 24 }, { header: '身份期间', width: 30 }, { header: '补助金额', kind: 'money', width: 12 }],
      rows: detail,
      totals: [5],
    });
  });
  return { file, people: detail.length, total, unassigned };
}

/** Per person and disease category: the year's base, deductible, entitled, paid; and those still below the deductible. */
export async function reportThAnnual(ledger: SqliteLedger, o: { year: number; outDir: string }): Promise<{ file: string; rows: number; below: number }> {
  const latest = new Map<string, { idNumber: string; name: string; cat: string; cls: string; deductible: string; lines: number }>();
  for (const r of activeResults(ledger, 'th-2021', `${o.year}-01-01`, `${o.year}-12-31`)) {
    const cat = r.details?.diseaseCategory;
    if (!cat) continue;
    const k = `${r.idNumber}|${cat}`;
    const prev = latest.get(k);
    latest.set(k, { idNumber: r.idNumber, name: r.name, cat, cls: r.details!.populationClass ?? '', deductible: r.details!.deductible ?? '0.00', lines: (prev?.lines ?? 0) + 1 });
  }
  const rows: OutCell[][] = [];
  const below: OutCell[][] = [];
  for (const e of [...latest.values()].sort((a, b) => (a.idNumber !== b.idNumber ? (a.idNumber < b.idNumber ? -1 : 1) : a.cat < b.cat ? -1 : 1))) {
    const acc = ledger.accumulator(e.idNumber, 'th-2021', o.year, e.cat);
    const deductible = new D(e.deductible);
    // B's deductible is once per person across years: it is measured against the cross-year base
    const towards = e.cat === 'B' ? ledger.accumulator(e.idNumber, 'th-2021', 0, 'B-deductible').base : acc.base;
    const isBelow = towards.lessThan(deductible);
    const row: OutCell[] = [e.name, e.idNumber, e.cls === '1' ? '一类' : e.cls === '2' ? '二类' : '', `${e.cat} 类`, e.lines, acc.base, deductible, e.cat === 'B' ? towards : acc.base, acc.entitled, acc.paid, isBelow ? '未达起付线' : '已达起付线'];
    rows.push(row);
    if (isBelow) below.push([e.name, e.idNumber, row[2], row[3], towards, deductible, deductible.minus(towards)]);
  }
  const file = join(o.outDir, `th-annual-${o.year}.xlsx`);
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '年度结算',
      title: `亭湖区健康救助 ${o.year} 年度结算`,
      columns: [
        { header: '姓名', width: 10 }, { header: '身份证号', width: 21 }, { header: '人群', width: 6 }, { header: '疾病大类', width: 9 }, { header: '结算笔数', kind: 'int', width: 9 },
        { header: '年度累计基数', kind: 'money', width: 14 }, { header: '起付线', kind: 'money', width: 12 }, { header: '计入起付线的累计基数', kind: 'money', width: 16 },
        { header: '累计应救助', kind: 'money', width: 14 }, { header: '累计已支付', kind: 'money', width: 14 }, { header: '状态', width: 11 },
      ],
      rows,
      totals: [4, 5, 8, 9],
      footer: ['B 类起付线为首次起付线（一次性，按人跨年度累计），其余按年度累计；依据：亭湖区健康救助实施方案 救助标准表、三、（一）2.“达不到年度个人负担起付线的，次年1月一次性办理”。'],
    });
    addSheet(wb, {
      name: '未达起付线',
      title: `${o.year} 年累计未达起付线人员（次年 1 月一次性办理）`,
      columns: [{ header: '姓名', width: 10 }, { header: '身份证号', width: 21 }, { header: '人群', width: 6 }, { header: '疾病大类', width: 9 }, { header: '累计基数', kind: 'money', width: 14 }, { header: '起付线', kind: 'money', width: 12 }, { header: '距起付线', kind: 'money', width: 14 }],
      rows: below,
    });
  });
  return { file, rows: rows.length, below: below.length };
}
