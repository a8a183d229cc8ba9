// disbursement-<fundId>-<month>.xlsx: one fund's payments grouped by payee, subtotals, total in figures and 大写, signatures.
import { chineseCapital, fmtGrouped, ZERO, type Money } from '../domain/money.js';
import type { Fund, LineResult } from '../engine/types.js';
import { XlsxStreamWriter, type SheetWriter, type WColumn } from '../io/xlsx-writer.js';
import { writeAtomic } from '../io/atomic.js';

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

import type { ReversalLine } from '../ledger/store.js';
export type { ReversalLine };

export function disbursementLines(
  fund: Fund,
  results: LineResult[],
  reversals: ReversalLine[] = [],
): DisbursementLine[] {
  const paid = results
    .filter((r) => r.status === 'approved' && r.payments[fund.id] && !r.payments[fund.id]!.isZero())
    .map((r) => paidDisbursementLine(r, fund.id));
  return sortDisbursement(
    paid,
    reversals
      .filter((r) => r.payments[fund.id] && !r.payments[fund.id]!.isZero())
      .map((r) => reversalDisbursementLine(r, fund.id)),
  );
}

/** An approved result's payment from one fund, as the list shows it. */
export function paidDisbursementLine(r: LineResult, fundId: string): DisbursementLine {
  const l = r.line;
  return {
    payee: r.payee,
    hospital: l.hospital,
    claimId: l.claimId,
    lineNo: l.lineNo,
    name: l.name,
    idNumber: l.idNumber,
    settlementDate: l.settlementDate,
    totalCost: l.totalCost,
    amount: r.payments[fundId]!,
    note: '',
  };
}

export function reversalDisbursementLine(r: ReversalLine, fundId: string): DisbursementLine {
  return {
    payee: r.payee,
    hospital: r.hospital,
    claimId: r.claimId,
    lineNo: r.lineNo,
    name: r.name,
    idNumber: r.idNumber,
    settlementDate: r.settlementDate,
    totalCost: r.totalCost,
    amount: r.payments[fundId]!,
    note: `冲正（${r.reason === 'supersede' ? '更正重报' : '撤销运行'}，原第 ${r.originalRun} 次运行）`,
  };
}

/** Payee, claim, line; a reversal just before the new result of the same line. */
export function sortDisbursement(paid: DisbursementLine[], reversed: DisbursementLine[]): DisbursementLine[] {
  return [...reversed.map((l) => ({ l, order: 0 })), ...paid.map((l) => ({ l, order: 1 }))]
    .sort((a, b) =>
      a.l.payee !== b.l.payee
        ? a.l.payee < b.l.payee
          ? -1
          : 1
        : a.l.claimId !== b.l.claimId
          ? a.l.claimId < b.l.claimId
            ? -1
            : 1
          : a.l.lineNo !== b.l.lineNo
            ? a.l.lineNo - b.l.lineNo
            : a.order - b.order,
    )
    .map((x) => x.l);
}

/** The list's order as one sortable text (payee, claim, line; a reversal before the new result). */
export function disbursementSortKey(l: Pick<DisbursementLine, 'payee' | 'claimId' | 'lineNo'>, order: number): string {
  return `${l.payee}\u0001${l.claimId}\u0001${String(l.lineNo).padStart(10, '0')}\u0001${order}`;
}

/**
 * Streams the list (lines already in order): one group per payee with a 小计, the 合计 in figures and in
 * 大写, the policy document, signature lines. Streamed with the fixed-style writer, so a province's list
 * of hundreds of thousands of lines costs no more memory than ten.
 */
export async function writeDisbursement(
  file: string,
  opts: {
    fund: Fund;
    month: string;
    document: string;
    lines: Iterable<DisbursementLine>;
    /** printed at the end: it may still be on its way (the run being sealed) while the lines are written */
    ledgerCode?: string | null | Promise<string | null>;
    banner?: string;
  },
): Promise<Money> {
  let total = ZERO;
  await writeAtomic(file, async (tmp) => {
    const xlsx = new XlsxStreamWriter(tmp, { banner: opts.banner });
    const ws = await xlsx.streamSheet({
      name: '拨付清单',
      title: `${opts.fund.name} 拨付清单（${opts.month}）`,
      columns: DISBURSEMENT_COLUMNS,
    });
    const groups = new PayeeGroups(ws);
    for (const l of opts.lines) await groups.line(l);
    total = await groups.close();
    await ws.textRow([`合计金额（大写）：${chineseCapital(total)}　（小写）：¥${fmtGrouped(total)}`]);
    await ws.textRow([`政策依据：${opts.document}　资金：${opts.fund.name}`]);
    const code = await opts.ledgerCode;
    if (code) await ws.textRow([`台账校验码：${code}`]);
    await ws.textRow([]);
    await ws.textRow(['制表人：', null, null, '审核人：', null, null, '日期：']);
    await ws.end();
    await xlsx.finish();
  });
  return total;
}

const DISBURSEMENT_COLUMNS: WColumn[] = [
  { header: '序号', kind: 'int', width: 6 },
  { header: '收款单位', width: 22, wrap: true },
  { header: '结算单号', width: 17 },
  { header: '明细行号', kind: 'int', width: 6 },
  { header: '姓名', width: 8 },
  { header: '身份证号', width: 21 },
  { header: '结算日期', width: 11 },
  { header: '医疗总费用', kind: 'money', width: 13 },
  { header: '支付金额', kind: 'money', width: 13 },
  { header: '备注', width: 22, wrap: true },
];

/** the empty cells of a 小计 or 合计 row between its count (结算单号) and its amount (支付金额) */
const BETWEEN = [null, null, null, null, null];

/** The list's lines numbered, grouped by payee as they come (in order), each group with its 小计; then the 合计. */
class PayeeGroups {
  private seq = 0;
  private payees = 0;
  private payee: string | null = null;
  private sub = ZERO;
  private inGroup = 0;
  private total = ZERO;
  constructor(private readonly ws: SheetWriter) {}

  async line(l: DisbursementLine): Promise<void> {
    if (l.payee !== this.payee) {
      await this.closeGroup();
      this.payee = l.payee;
      this.payees++;
      this.sub = ZERO;
      this.inGroup = 0;
    }
    this.sub = this.sub.plus(l.amount);
    this.inGroup++;
    const cells = [l.payee, l.claimId, l.lineNo, l.name, l.idNumber, l.settlementDate, l.totalCost, l.amount, l.note];
    await this.ws.row([++this.seq, ...cells]);
  }

  /** the last group's 小计 and the 合计 row; returns the total */
  async close(): Promise<Money> {
    await this.closeGroup();
    await this.ws.boldRow(['合计', `${this.payees} 个收款单位`, `${this.seq} 笔`, ...BETWEEN, this.total, null]);
    return this.total;
  }

  private async closeGroup(): Promise<void> {
    if (this.payee === null) return;
    await this.ws.boldRow([null, `${this.payee} 小计`, `${this.inGroup} 笔`, ...BETWEEN, this.sub, null]);
    this.total = this.total.plus(this.sub);
  }
}
