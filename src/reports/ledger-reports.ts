// Reports from the ledger (SPEC §7 `assist report NAME`) that every policy has: disbursement again and publicity.
// A policy's own reports live in its folder (th-2021/reports.ts, jz-21-2019/reports.ts for the Jinzhou monthly
// report); reconcile is in reconcile.ts.
import { join } from 'node:path';
import { chineseCapital, sum, ZERO, type Money } from '../domain/money.js';
import { mask, maskName } from '../domain/id-number.js';
import { UsageError } from '../io/errors.js';
import { addSheet, writeWorkbook, type ColumnDef, type OutCell } from '../io/workbook.js';
import { writeCsvFile } from '../io/csv-writer.js';
import { POLICY_FACTORIES } from '../policies/registry.js';
import type { Fund, Policy } from '../engine/types.js';
import type { SqliteLedger } from '../ledger/sqlite.js';
import { monthRuns, resultsOfRuns, reversalsOfRuns } from '../ledger/queries.js';
import {
  reversalDisbursementLine,
  sortDisbursement,
  writeDisbursement,
  type DisbursementLine,
} from './disbursement.js';

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
export function ledgerDisbursementLines(
  ledger: SqliteLedger,
  fundId: string,
  month: string,
  runId?: number,
): DisbursementLine[] {
  const ids = runIdsFor(ledger, month, runId);
  const paid: DisbursementLine[] = [];
  for (const r of resultsOfRuns(ledger, ids)) {
    const amount = r.payments[fundId];
    if (r.status !== 'approved' || !amount || amount.isZero()) continue;
    paid.push({
      payee: r.payee,
      hospital: r.hospital,
      claimId: r.claimId,
      lineNo: r.lineNo,
      name: r.name,
      idNumber: r.idNumber,
      settlementDate: r.settlementDate,
      totalCost: r.totalCost,
      amount,
      note: '',
    });
  }
  const reversed = reversalsOfRuns(ledger, ids)
    .filter((r) => r.payments[fundId] && !r.payments[fundId]!.isZero())
    .map((r) => reversalDisbursementLine(r, fundId));
  return sortDisbursement(paid, reversed);
}

export async function reportDisbursement(
  ledger: SqliteLedger,
  o: { fundId: string; month: string; runId?: number; outDir: string; csv?: boolean },
): Promise<{ file: string; csvFile: string | null; total: Money; lines: number }> {
  const { fund, policy } = fundOf(o.fundId);
  const lines = ledgerDisbursementLines(ledger, o.fundId, o.month, o.runId);
  const base = join(o.outDir, `disbursement-${fund.id}-${o.month}${o.runId !== undefined ? `-run${o.runId}` : ''}`);
  const total = await writeDisbursement(`${base}.xlsx`, {
    fund,
    month: o.month,
    document: policy.document,
    lines,
    ledgerCode: ledger.headCode(),
  });
  // the bank-upload form: one row per line, amounts as plain numbers
  if (o.csv)
    await writeCsvFile(
      `${base}.csv`,
      ['收款单位', '结算单号', '明细行号', '姓名', '身份证号', '结算日期', '医疗总费用', '支付金额', '备注'],
      lines.map((l) => [
        l.payee,
        l.claimId,
        l.lineNo,
        l.name,
        l.idNumber,
        l.settlementDate,
        Number(l.totalCost.toFixed(2)),
        Number(l.amount.toFixed(2)),
        l.note,
      ]),
    );
  return { file: `${base}.xlsx`, csvFile: o.csv ? `${base}.csv` : null, total, lines: lines.length };
}

/** 公示 list: one row per person, amounts net of reversals; ID numbers and names masked. */
export async function reportPublicity(
  ledger: SqliteLedger,
  o: { policyId: string; month: string; outDir: string },
): Promise<{ file: string; people: number; total: Money }> {
  const policy = policyOf(o.policyId);
  const people = publicityPeople(ledger, runIdsFor(ledger, o.month), policy);
  const rows: OutCell[][] = [...people.entries()]
    .filter(([, p]) => p.lines > 0 || !p.paid.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, p], i) => [
      i + 1,
      maskName(p.name),
      mask(id),
      [...p.hospitals].join('、'),
      p.lines,
      p.totalCost,
      p.paid,
    ]);
  const total = sum(rows.map((r) => r[6] as Money));
  const file = join(o.outDir, `publicity-${policy.id}-${o.month}.xlsx`);
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '公示名单',
      // 亭湖区健康救助 + 对象, not 健康救助救助对象
      title: `${policy.name}${policy.name.endsWith('救助') ? '' : '救助'}对象公示名单（${o.month}）`,
      columns: PUBLICITY_COLUMNS,
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

type PublicityPerson = { name: string; hospitals: Set<string>; lines: number; totalCost: Money; paid: Money };

/** The month's approved results of the policy by person, their payments net of the reversals booked to the month. */
function publicityPeople(ledger: SqliteLedger, ids: number[], policy: Policy): Map<string, PublicityPerson> {
  const people = new Map<string, PublicityPerson>();
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
  return people;
}

const PUBLICITY_COLUMNS: ColumnDef[] = [
  { header: '序号', kind: 'int', width: 6 },
  { header: '姓名', width: 10 },
  { header: '身份证号', width: 21 },
  { header: '医疗机构', width: 30 },
  { header: '救助笔数', kind: 'int', width: 9 },
  { header: '医疗总费用', kind: 'money', width: 14 },
  { header: '救助金额', kind: 'money', width: 14 },
];
