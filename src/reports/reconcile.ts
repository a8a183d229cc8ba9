// assist reconcile STATEMENT --fund F --month M: the payer's statement against what the ledger says the
// fund owes for the month (payments of every run booked to the month, net of 冲正). Key: 医疗机构 +
// 结算单号 [+ 行号 when the statement has that column; otherwise the ledger is summed per settlement].
import { basename, join } from 'node:path';
import { normalizeKey } from '../domain/text.js';
import { fmt, sum, ZERO, type Money } from '../domain/money.js';
import { issuesText } from '../domain/reasons.js';
import type { RowError } from '../domain/types.js';
import { readInput } from '../io/read-input.js';
import type { StatementRow } from '../io/records.js';
import type ExcelJS from 'exceljs';
import { addSheet, writeWorkbook, type ColumnDef, type OutCell } from '../io/workbook.js';
import type { SqliteLedger } from '../ledger/sqlite.js';
import { fundOf } from './ledger-reports.js';
import { ledgerDisbursementLines } from './ledger-reports.js';

interface Owed {
  hospital: string;
  claimId: string;
  lineNo: number | null;
  name: string;
  idNumber: string;
  amount: Money;
}

export interface ReconcileOutcome {
  file: string;
  matched: number;
  differs: number;
  unpaid: number;
  unowed: number;
  duplicates: number;
  badRows: number;
  ledgerTotal: Money;
  statementTotal: Money;
  tiesOut: boolean;
}

interface ReconcileOptions {
  fundId: string;
  month: string;
  outDir: string;
  encoding?: string;
  sheet?: string;
  hospitalAliases?: Map<string, string>;
}

/** How statement rows and ledger lines are matched: 医疗机构 or 收款单位, + 结算单号 [+ 行号]. */
interface Keying {
  withLineNo: boolean;
  /** the tool's own list returned as the statement: keyed by 收款单位 (for th-2021 the service unit, not the hospital) */
  byPayee: boolean;
  keyOf: (party: string, claimId: string, lineNo: number | null) => string;
}

export async function reconcile(
  ledger: SqliteLedger,
  statementFile: string,
  o: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const { fund } = fundOf(o.fundId);
  const { rows, bad } = await readStatement(statementFile, o);
  const withLineNo = rows.some((r) => r.lineNo !== null);
  const keying: Keying = {
    withLineNo,
    byPayee: rows.length > 0 && rows.every((r) => r.byPayee),
    keyOf: (party, claimId, lineNo) => `${party}\u0001${claimId}${withLineNo ? `\u0001${lineNo ?? 1}` : ''}`,
  };
  const owed = owedByKey(ledger, fund.id, o.month, keying);
  const b = new Buckets();
  b.sort(rows, owed, keying);
  const ledgerTotal = sum([...owed.values()].map((d) => d.amount));
  const statementTotal = sum(rows.map((r) => r.amount));
  // the tie-out: every amount on either side is in exactly one sheet
  const ledgerTies = ledgerTotal.equals(b.matchedTotal.plus(b.differsLedger).plus(b.unpaidTotal));
  const statementTies = statementTotal.equals(
    b.matchedTotal.plus(b.differsStatement).plus(b.unowedTotal).plus(b.duplicateTotal),
  );
  if (!ledgerTies || !statementTies) throw new Error('对账分类合计与总额不符（内部错误）');
  const tiesOut = b.differs.length + b.unpaid.length + b.unowed.length + b.duplicates.length + bad.length === 0;
  const file = join(o.outDir, `reconcile-${fund.id}-${o.month}.xlsx`);
  await writeWorkbook(file, (wb) => {
    const title = `${fund.name} 对账（${o.month}）：台账 与 ${basename(statementFile)}`;
    const keyText = `对账键：${keying.byPayee ? '收款单位' : '医疗机构'} + 结算单号${withLineNo ? ' + 行号' : '（对账单无行号列，台账按结算单合计）'}；台账金额为 ${o.month} 各次运行的支付减冲正。结论：${tiesOut ? '一致' : '有差异'}`;
    summarySheet(wb, b, { title, keyText, ledgerTotal, statementTotal, badRows: bad.length });
    detailSheets(wb, b, bad);
  });
  return {
    file,
    matched: b.matched.length,
    differs: b.differs.length,
    unpaid: b.unpaid.length,
    unowed: b.unowed.length,
    duplicates: b.duplicates.length,
    badRows: bad.length,
    ledgerTotal,
    statementTotal,
    tiesOut,
  };
}

/** The statement's rows, and those that could not be read as a payment. */
async function readStatement(
  statementFile: string,
  o: ReconcileOptions,
): Promise<{ rows: StatementRow[]; bad: RowError[] }> {
  const rows: StatementRow[] = [];
  const bad: RowError[] = [];
  for await (const item of readInput(statementFile, 'statement', {
    encoding: o.encoding,
    sheet: o.sheet,
    hospitalAliases: o.hospitalAliases,
  })) {
    if (item.type === 'statement') rows.push(item.row);
    else if (item.type === 'error') bad.push(item.error);
  }
  return { rows, bad };
}

/** What the ledger says is owed: the month's disbursement lines, reversals included, netted per key. */
function owedByKey(ledger: SqliteLedger, fundId: string, month: string, k: Keying): Map<string, Owed> {
  const owed = new Map<string, Owed>();
  for (const l of ledgerDisbursementLines(ledger, fundId, month)) {
    const party = k.byPayee ? normalizeKey(l.payee) : l.hospital!;
    const key = k.keyOf(party, l.claimId, l.lineNo);
    const cur = owed.get(key);
    if (cur) cur.amount = cur.amount.plus(l.amount);
    else
      owed.set(key, {
        hospital: party,
        claimId: l.claimId,
        lineNo: k.withLineNo ? l.lineNo : null,
        name: l.name,
        idNumber: l.idNumber,
        amount: l.amount,
      });
  }
  return owed;
}

/** Each statement row and each owed line in exactly one sheet, with the sheets' totals. */
class Buckets {
  readonly matched: OutCell[][] = [];
  readonly differs: OutCell[][] = [];
  readonly unowed: OutCell[][] = [];
  readonly duplicates: OutCell[][] = [];
  readonly unpaid: OutCell[][] = [];
  matchedTotal = ZERO;
  differsLedger = ZERO;
  differsStatement = ZERO;
  unowedTotal = ZERO;
  duplicateTotal = ZERO;
  unpaidTotal = ZERO;

  sort(rows: StatementRow[], owed: Map<string, Owed>, k: Keying): void {
    const seen = new Map<string, StatementRow>();
    for (const r of rows) {
      const key = k.keyOf(r.hospital, r.claimId, r.lineNo);
      const first = seen.get(key);
      if (first) {
        this.duplicates.push([r.row, r.hospital, r.claimId, r.lineNo, r.name, r.amount, first.row]);
        this.duplicateTotal = this.duplicateTotal.plus(r.amount);
        continue;
      }
      seen.set(key, r);
      this.statementRow(r, owed.get(key));
    }
    for (const [key, due] of owed) {
      if (seen.has(key) || due.amount.isZero()) continue;
      this.unpaid.push([due.hospital, due.claimId, due.lineNo, due.name, due.idNumber, due.amount]);
      this.unpaidTotal = this.unpaidTotal.plus(due.amount);
    }
  }

  /** a statement row seen for the first time, against what is owed under its key */
  private statementRow(r: StatementRow, due: Owed | undefined): void {
    if (!due) {
      this.unowed.push([r.row, r.hospital, r.claimId, r.lineNo, r.name, r.amount]);
      this.unowedTotal = this.unowedTotal.plus(r.amount);
      return;
    }
    const cells = [r.row, due.hospital, due.claimId, due.lineNo, due.name, due.idNumber, due.amount, r.amount];
    if (due.amount.equals(r.amount)) {
      this.matched.push(cells);
      this.matchedTotal = this.matchedTotal.plus(due.amount);
    } else {
      this.differs.push([...cells, r.amount.minus(due.amount)]);
      this.differsLedger = this.differsLedger.plus(due.amount);
      this.differsStatement = this.differsStatement.plus(r.amount);
    }
  }
}

/** 汇总: each sheet's count and totals on both sides, the tie-out in words, and the signature line. */
function summarySheet(
  wb: ExcelJS.Workbook,
  b: Buckets,
  t: { title: string; keyText: string; ledgerTotal: Money; statementTotal: Money; badRows: number },
): void {
  addSheet(wb, {
    name: '汇总',
    title: t.title,
    columns: [
      { header: '项目', width: 40 },
      { header: '笔数', kind: 'int', width: 10 },
      { header: '台账金额', kind: 'money', width: 16 },
      { header: '对账单金额', kind: 'money', width: 16 },
    ],
    rows: [
      ['一致', b.matched.length, b.matchedTotal, b.matchedTotal],
      ['金额不符', b.differs.length, b.differsLedger, b.differsStatement],
      ['应付未付（台账有，对账单无）', b.unpaid.length, b.unpaidTotal, null],
      ['无依据支付（对账单有，台账无）', b.unowed.length, null, b.unowedTotal],
      ['重复支付（对账单同一键重复出现）', b.duplicates.length, null, b.duplicateTotal],
      ['合计', null, t.ledgerTotal, t.statementTotal],
      ['无法识别的对账单行（见“无法识别”）', t.badRows, null, null],
    ],
    footer: [
      `台账合计 ${fmt(t.ledgerTotal)} = 一致 ${fmt(b.matchedTotal)} + 金额不符（台账） ${fmt(b.differsLedger)} + 应付未付 ${fmt(b.unpaidTotal)}`,
      `对账单合计 ${fmt(t.statementTotal)} = 一致 ${fmt(b.matchedTotal)} + 金额不符（对账单） ${fmt(b.differsStatement)} + 无依据支付 ${fmt(b.unowedTotal)} + 重复支付 ${fmt(b.duplicateTotal)}`,
      t.keyText,
      '制表人：　　　　　审核人：　　　　　日期：',
    ],
  });
}

/** One sheet per kind of row (一致, 金额不符, 应付未付, 无依据支付, 重复支付), and 无法识别 when any row was. */
function detailSheets(wb: ExcelJS.Workbook, b: Buckets, bad: RowError[]): void {
  const key: ColumnDef[] = [
    { header: '医疗机构', width: 24 },
    { header: '结算单号', width: 18 },
    { header: '行号', kind: 'int', width: 6 },
    { header: '姓名', width: 8 },
  ];
  const statementRow: ColumnDef = { header: '对账单行', kind: 'int', width: 8 };
  const id: ColumnDef = { header: '身份证号', width: 21 };
  const ledgerAmount: ColumnDef = { header: '台账金额', kind: 'money', width: 14 };
  const statementAmount: ColumnDef = { header: '对账单金额', kind: 'money', width: 14 };
  const both = [statementRow, ...key, id, ledgerAmount, statementAmount];
  addSheet(wb, { name: '一致', columns: both, rows: b.matched, totals: [6, 7] });
  const difference: ColumnDef = { header: '差额（对账单−台账）', kind: 'money', width: 16 };
  addSheet(wb, { name: '金额不符', columns: [...both, difference], rows: b.differs, totals: [6, 7, 8] });
  addSheet(wb, { name: '应付未付', columns: [...key, id, ledgerAmount], rows: b.unpaid, totals: [5] });
  addSheet(wb, { name: '无依据支付', columns: [statementRow, ...key, statementAmount], rows: b.unowed, totals: [5] });
  const firstSeen: ColumnDef = { header: '首次出现行', kind: 'int', width: 10 };
  addSheet(wb, {
    name: '重复支付',
    columns: [statementRow, ...key, statementAmount, firstSeen],
    rows: b.duplicates,
    totals: [5],
  });
  if (bad.length)
    addSheet(wb, {
      name: '无法识别',
      columns: [statementRow, ...key.slice(0, 2), { header: '原因', width: 60 }],
      rows: bad.map((e) => [e.row, e.hospital, e.claimId, issuesText(e.issues)]),
    });
}
