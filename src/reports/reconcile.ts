// assist reconcile STATEMENT --fund F --month M: the payer's statement against what the ledger says the
// fund owes for the month (payments of every run booked to the month, net of 冲正). Key: 医疗机构 +
// 结算单号 [+ 行号 when the statement has that column; otherwise the ledger is summed per settlement].
import { basename, join } from 'node:path';
import { normalizeKey } from '../domain/text.js';
import { fmt, sum, ZERO, type Money } from '../domain/money.js';
import { REASONS } from '../domain/reasons.js';
import type { RowError } from '../domain/types.js';
import { readInput } from '../io/read-input.js';
import type { StatementRow } from '../io/records.js';
import { addSheet, writeWorkbook, type OutCell } from '../io/workbook.js';
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

export async function reconcile(
  ledger: SqliteLedger,
  statementFile: string,
  o: {
    fundId: string;
    month: string;
    outDir: string;
    encoding?: string;
    sheet?: string;
    hospitalAliases?: Map<string, string>;
  },
): Promise<ReconcileOutcome> {
  const { fund } = fundOf(o.fundId);
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
  const withLineNo = rows.some((r) => r.lineNo !== null);
  // the tool's own list returned as the statement: keyed by 收款单位 (for th-2021 the service unit, not the hospital)
  const byPayee = rows.length > 0 && rows.every((r) => r.byPayee);
  const keyOf = (hospital: string, claimId: string, lineNo: number | null) =>
    `${hospital}\u0001${claimId}${withLineNo ? `\u0001${lineNo ?? 1}` : ''}`;
  // what the ledger says is owed: the month's disbursement lines, reversals included, netted per key
  const owed = new Map<string, Owed>();
  for (const l of ledgerDisbursementLines(ledger, fund.id, o.month)) {
    const party = byPayee ? normalizeKey(l.payee) : l.hospital!;
    const k = keyOf(party, l.claimId, l.lineNo);
    const cur = owed.get(k);
    if (cur) cur.amount = cur.amount.plus(l.amount);
    else
      owed.set(k, {
        hospital: party,
        claimId: l.claimId,
        lineNo: withLineNo ? l.lineNo : null,
        name: l.name,
        idNumber: l.idNumber,
        amount: l.amount,
      });
  }
  const seen = new Map<string, StatementRow>();
  const matched: OutCell[][] = [];
  const differs: OutCell[][] = [];
  const unowed: OutCell[][] = [];
  const duplicates: OutCell[][] = [];
  let matchedTotal = ZERO;
  let differsLedger = ZERO;
  let differsStatement = ZERO;
  let unowedTotal = ZERO;
  let duplicateTotal = ZERO;
  for (const r of rows) {
    const k = keyOf(r.hospital, r.claimId, r.lineNo);
    const first = seen.get(k);
    if (first) {
      duplicates.push([r.row, r.hospital, r.claimId, r.lineNo, r.name, r.amount, first.row]);
      duplicateTotal = duplicateTotal.plus(r.amount);
      continue;
    }
    seen.set(k, r);
    const due = owed.get(k);
    if (!due) {
      unowed.push([r.row, r.hospital, r.claimId, r.lineNo, r.name, r.amount]);
      unowedTotal = unowedTotal.plus(r.amount);
    } else if (due.amount.equals(r.amount)) {
      matched.push([r.row, due.hospital, due.claimId, due.lineNo, due.name, due.idNumber, due.amount, r.amount]);
      matchedTotal = matchedTotal.plus(due.amount);
    } else {
      differs.push([
        r.row,
        due.hospital,
        due.claimId,
        due.lineNo,
        due.name,
        due.idNumber,
        due.amount,
        r.amount,
        r.amount.minus(due.amount),
      ]);
      differsLedger = differsLedger.plus(due.amount);
      differsStatement = differsStatement.plus(r.amount);
    }
  }
  const unpaid: OutCell[][] = [];
  let unpaidTotal = ZERO;
  for (const [k, due] of owed) {
    if (seen.has(k) || due.amount.isZero()) continue;
    unpaid.push([due.hospital, due.claimId, due.lineNo, due.name, due.idNumber, due.amount]);
    unpaidTotal = unpaidTotal.plus(due.amount);
  }
  const ledgerTotal = sum([...owed.values()].map((d) => d.amount));
  const statementTotal = sum(rows.map((r) => r.amount));
  // the tie-out: every amount on either side is in exactly one sheet
  const ledgerTies = ledgerTotal.equals(matchedTotal.plus(differsLedger).plus(unpaidTotal));
  const statementTies = statementTotal.equals(
    matchedTotal.plus(differsStatement).plus(unowedTotal).plus(duplicateTotal),
  );
  if (!ledgerTies || !statementTies) throw new Error('对账分类合计与总额不符（内部错误）');
  const tiesOut = differs.length + unpaid.length + unowed.length + duplicates.length + bad.length === 0;
  const file = join(o.outDir, `reconcile-${fund.id}-${o.month}.xlsx`);
  const lineCol = [{ header: '行号', kind: 'int' as const, width: 6 }];
  await writeWorkbook(file, (wb) => {
    addSheet(wb, {
      name: '汇总',
      title: `${fund.name} 对账（${o.month}）：台账 与 ${basename(statementFile)}`,
      columns: [
        { header: '项目', width: 40 },
        { header: '笔数', kind: 'int', width: 10 },
        { header: '台账金额', kind: 'money', width: 16 },
        { header: '对账单金额', kind: 'money', width: 16 },
      ],
      rows: [
        ['一致', matched.length, matchedTotal, matchedTotal],
        ['金额不符', differs.length, differsLedger, differsStatement],
        ['应付未付（台账有，对账单无）', unpaid.length, unpaidTotal, null],
        ['无依据支付（对账单有，台账无）', unowed.length, null, unowedTotal],
        ['重复支付（对账单同一键重复出现）', duplicates.length, null, duplicateTotal],
        ['合计', null, ledgerTotal, statementTotal],
        ['无法识别的对账单行（见“无法识别”）', bad.length, null, null],
      ],
      footer: [
        `台账合计 ${fmt(ledgerTotal)} = 一致 ${fmt(matchedTotal)} + 金额不符（台账） ${fmt(differsLedger)} + 应付未付 ${fmt(unpaidTotal)}`,
        `对账单合计 ${fmt(statementTotal)} = 一致 ${fmt(matchedTotal)} + 金额不符（对账单） ${fmt(differsStatement)} + 无依据支付 ${fmt(unowedTotal)} + 重复支付 ${fmt(duplicateTotal)}`,
        `对账键：${byPayee ? '收款单位' : '医疗机构'} + 结算单号${withLineNo ? ' + 行号' : '（对账单无行号列，台账按结算单合计）'}；台账金额为 ${o.month} 各次运行的支付减冲正。结论：${tiesOut ? '一致' : '有差异'}`,
        '制表人：　　　　　审核人：　　　　　日期：',
      ],
    });
    const key = [
      { header: '医疗机构', width: 24 },
      { header: '结算单号', width: 18 },
      ...lineCol,
      { header: '姓名', width: 8 },
    ];
    addSheet(wb, {
      name: '一致',
      columns: [
        { header: '对账单行', kind: 'int', width: 8 },
        ...key,
        { header: '身份证号', width: 21 },
        { header: '台账金额', kind: 'money', width: 14 },
        { header: '对账单金额', kind: 'money', width: 14 },
      ],
      rows: matched,
      totals: [6, 7],
    });
    addSheet(wb, {
      name: '金额不符',
      columns: [
        { header: '对账单行', kind: 'int', width: 8 },
        ...key,
        { header: '身份证号', width: 21 },
        { header: '台账金额', kind: 'money', width: 14 },
        { header: '对账单金额', kind: 'money', width: 14 },
        { header: '差额（对账单−台账）', kind: 'money', width: 16 },
      ],
      rows: differs,
      totals: [6, 7, 8],
    });
    addSheet(wb, {
      name: '应付未付',
      columns: [...key, { header: '身份证号', width: 21 }, { header: '台账金额', kind: 'money', width: 14 }],
      rows: unpaid,
      totals: [5],
    });
    addSheet(wb, {
      name: '无依据支付',
      columns: [
        { header: '对账单行', kind: 'int', width: 8 },
        ...key,
        { header: '对账单金额', kind: 'money', width: 14 },
      ],
      rows: unowed,
      totals: [5],
    });
    addSheet(wb, {
      name: '重复支付',
      columns: [
        { header: '对账单行', kind: 'int', width: 8 },
        ...key,
        { header: '对账单金额', kind: 'money', width: 14 },
        { header: '首次出现行', kind: 'int', width: 10 },
      ],
      rows: duplicates,
      totals: [5],
    });
    if (bad.length)
      addSheet(wb, {
        name: '无法识别',
        columns: [
          { header: '对账单行', kind: 'int', width: 8 },
          { header: '医疗机构', width: 24 },
          { header: '结算单号', width: 18 },
          { header: '原因', width: 60 },
        ],
        rows: bad.map((e) => [
          e.row,
          e.hospital,
          e.claimId,
          e.issues.map((i) => `${i.column ? `[${i.column}] ` : ''}${i.detail ?? REASONS[i.code].text}`).join('；'),
        ]),
      });
  });
  return {
    file,
    matched: matched.length,
    differs: differs.length,
    unpaid: unpaid.length,
    unowed: unowed.length,
    duplicates: duplicates.length,
    badRows: bad.length,
    ledgerTotal,
    statementTotal,
    tiesOut,
  };
}
