// disbursement-<fundId>-<month>.xlsx: one fund's payments grouped by payee, subtotals, total in figures and 大写, signatures.
import { chineseCapital, fmtGrouped, ZERO, type Money } from '../domain/money.js';
import type { Fund, LineResult } from '../engine/types.js';
import { addSheet, writeWorkbook, type OutCell } from '../io/workbook.js';

export interface DisbursementLine {
  payee: string;
  /** the claim's hospital (the reconcile key; the payee may be a service unit) */
  hospital?: string;
  claimId: string;
  lineNo: number;
  name: string;
  idNumber: string;
  settlementDate: string;
  totalCost: Money;
  amount: Money;
  note: string;
}

/** A reversal's line as the disbursement list shows it: 冲正, negated amount, the original payee. */
export interface ReversalLine {
  payee: string;
  hospital: string;
  claimId: string;
  lineNo: number;
  name: string;
  idNumber: string;
  settlementDate: string;
  totalCost: Money;
  /** negated */
  payments: Record<string, Money>;
  originalRun: number;
  reason: 'supersede' | 'revert';
}

export function disbursementLines(fund: Fund, results: LineResult[], reversals: ReversalLine[] = []): DisbursementLine[] {
  const paid = results
    .filter((r) => r.status === 'approved' && r.payments[fund.id] && !r.payments[fund.id]!.isZero())
    .map((r) => ({ payee: r.payee, hospital: r.line.hospital, claimId: r.line.claimId, lineNo: r.line.lineNo, name: r.line.name, idNumber: r.line.idNumber, settlementDate: r.line.settlementDate, totalCost: r.line.totalCost, amount: r.payments[fund.id]!, note: '' }));
  return sortDisbursement(paid, reversals.filter((r) => r.payments[fund.id] && !r.payments[fund.id]!.isZero()).map((r) => reversalDisbursementLine(r, fund.id)));
}

export function reversalDisbursementLine(r: ReversalLine, fundId: string): DisbursementLine {
  return {
    payee: r.payee, hospital: r.hospital, claimId: r.claimId, lineNo: r.lineNo, name: r.name, idNumber: r.idNumber, settlementDate: r.settlementDate, totalCost: r.totalCost, amount: r.payments[fundId]!,
    note: `冲正（${r.reason === 'supersede' ? '更正重报' : '撤销运行'}，原第 ${r.originalRun} 次运行）`,
  };
}

/** Payee, claim, line; a reversal just before the new result of the same line. */
export function sortDisbursement(paid: DisbursementLine[], reversed: DisbursementLine[]): DisbursementLine[] {
  return [...reversed.map((l) => ({ l, order: 0 })), ...paid.map((l) => ({ l, order: 1 }))]
    .sort((a, b) => (a.l.payee !== b.l.payee ? (a.l.payee < b.l.payee ? -1 : 1) : a.l.claimId !== b.l.claimId ? (a.l.claimId < b.l.claimId ? -1 : 1) : a.l.lineNo !== b.l.lineNo ? a.l.lineNo - b.l.lineNo : a.order - b.order))
    .map((x) => x.l);
}

export async function writeDisbursement(file: string, opts: { fund: Fund; month: string; document: string; lines: DisbursementLine[] }): Promise<Money> {
  const rows: OutCell[][] = [];
  let total = ZERO;
  let seq = 0;
  const payees = [...new Set(opts.lines.map((l) => l.payee))];
  for (const payee of payees) {
    const group = opts.lines.filter((l) => l.payee === payee);
    let sub = ZERO;
    for (const l of group) {
      sub = sub.plus(l.amount);
      rows.push([++seq, payee, l.claimId, l.lineNo, l.name, l.idNumber, l.settlementDate, l.totalCost, l.amount, l.note]);
    }
    rows.push([null, `${payee} 小计`, `${group.length} 笔`, null, null, null, null, null, sub, null]);
    total = total.plus(sub);
  }
  await writeWorkbook(file, (wb) => {
    const ws = addSheet(wb, {
      name: '拨付清单',
      title: `${opts.fund.name} 拨付清单（${opts.month}）`,
      columns: [
        { header: '序号', kind: 'int', width: 6 }, { header: '收款单位', width: 26 }, { header: '结算单号', width: 18 }, { header: '明细行号', kind: 'int', width: 7 },
        { header: '姓名', width: 8 }, { header: '身份证号', width: 21 }, { header: '结算日期', width: 11 }, { header: '医疗总费用', kind: 'money', width: 14 },
        { header: '支付金额', kind: 'money', width: 14 }, { header: '备注', width: 30 },
      ],
      rows,
      footer: [],
    });
    const tr = ws.addRow(['合计', `${payees.length} 个收款单位`, `${opts.lines.length} 笔`, null, null, null, null, null, Number(total.toFixed(2)), null]);
    tr.font = { bold: true };
    ws.addRow([`合计金额（大写）：${chineseCapital(total)}　（小写）：¥${fmtGrouped(total)}`]);
    ws.addRow([`政策依据：${opts.document}　资金：${opts.fund.id}`]);
    ws.addRow([]);
    ws.addRow(['制表人：', null, null, '审核人：', null, null, '日期：']);
  });
  return total;
}
