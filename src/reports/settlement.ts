// settlement-<month>.xlsx: 汇总, 明细 (split at Excel's row limit), 异常, 核对.
import { fmt, sum, ZERO, type Money } from '../domain/money.js';
import { REASONS } from '../domain/reasons.js';
import type { RowError } from '../domain/types.js';
import type { Fund, LineResult } from '../engine/types.js';
import { addSheet, writeWorkbook, type OutCell } from '../io/workbook.js';
import { STATUS_LABEL } from './labels.js';
import type { ReversalLine } from './disbursement.js';

export const EXCEL_MAX_DATA_ROWS = 1_048_575;

export interface Checks {
  rowsRead: number;
  linesAdjudicated: number;
  invalid: number;
  totalCost: Money;
  priorPaid: Money;
  payments: Money;
  remaining: Money;
}

export function computeChecks(rowsRead: number, results: LineResult[], invalid: RowError[]): Checks {
  const seen = new Set<LineResult['line']>();
  let totalCost = ZERO;
  let priorPaid = ZERO;
  let remaining = ZERO;
  let payments = ZERO;
  for (const r of results) {
    payments = payments.plus(sum(Object.values(r.payments)));
    if (seen.has(r.line)) continue;
    seen.add(r.line);
    totalCost = totalCost.plus(r.line.totalCost);
    priorPaid = priorPaid.plus(r.line.priorPaid);
    remaining = remaining.plus(r.patientRemaining);
  }
  return { rowsRead, linesAdjudicated: seen.size, invalid: invalid.length, totalCost, priorPaid, payments, remaining };
}

function oneLine(r: LineResult): string {
  const steps = r.trace.filter((t) => /[=＝]/.test(t.result)).map((t) => `${t.step}：${t.result}`);
  const text = steps.length ? steps.join('；') : r.trace.map((t) => t.result).join('；');
  return text.length > 500 ? text.slice(0, 497) + '…' : text;
}

export async function writeSettlement(file: string, opts: { month: string; funds: Fund[]; results: LineResult[]; invalid: RowError[]; checks: Checks; policyNames: Record<string, string>; reversals?: ReversalLine[] }): Promise<void> {
  const { funds, results, invalid, checks } = opts;
  await writeWorkbook(file, (wb) => {
    // 汇总: policy × hospital
    const groups = new Map<string, { policy: string; hospital: string; lines: number; approved: number; pended: number; rejected: number; total: Money; funds: Map<string, Money> }>();
    for (const r of results) {
      const policy = r.policy ? `${r.policy} ${opts.policyNames[r.policy] ?? ''}`.trim() : '（不在任何政策范围）';
      const key = `${policy}\u0001${r.line.hospital}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { policy, hospital: r.line.hospital, lines: 0, approved: 0, pended: 0, rejected: 0, total: ZERO, funds: new Map() }));
      g.lines++;
      if (r.status === 'approved') g.approved++;
      if (r.status === 'pended') g.pended++;
      if (r.status === 'rejected') g.rejected++;
      g.total = g.total.plus(r.line.totalCost);
      for (const [f, v] of Object.entries(r.payments)) g.funds.set(f, (g.funds.get(f) ?? ZERO).plus(v));
    }
    const sorted = [...groups.values()].sort((a, b) => (a.policy + a.hospital < b.policy + b.hospital ? -1 : 1));
    addSheet(wb, {
      name: '汇总',
      title: `${opts.month} 医疗救助结算汇总`,
      columns: [
        { header: '政策', width: 34 }, { header: '医疗机构', width: 26 }, { header: '明细数', kind: 'int' }, { header: '通过', kind: 'int' }, { header: '挂起', kind: 'int' }, { header: '拒绝', kind: 'int' },
        { header: '医疗总费用', kind: 'money', width: 16 }, ...funds.map((f) => ({ header: f.name, kind: 'money' as const, width: 18 })),
      ],
      rows: sorted.map((g) => [g.policy, g.hospital, g.lines, g.approved, g.pended, g.rejected, g.total, ...funds.map((f) => g.funds.get(f.id) ?? ZERO)]),
      totals: [2, 3, 4, 5, 6, ...funds.map((_, i) => 7 + i)],
      footer: [`无效行 ${invalid.length} 行，见“异常”工作表。`],
    });
    // 明细
    const detailColumns = [
      { header: '来源文件', width: 20 }, { header: '行号', kind: 'int' as const, width: 7 }, { header: '结算单号', width: 18 }, { header: '明细行号', kind: 'int' as const, width: 7 },
      { header: '医疗机构', width: 22 }, { header: '身份证号', width: 21 }, { header: '姓名', width: 8 }, { header: '结算日期', width: 11 }, { header: '政策', width: 14 },
      { header: '状态', width: 8 }, { header: '原因', width: 30 }, { header: '医疗总费用', kind: 'money' as const, width: 13 }, { header: '已支付', kind: 'money' as const, width: 13 },
      { header: '救助基数', kind: 'money' as const, width: 13 }, ...funds.map((f) => ({ header: f.name, kind: 'money' as const, width: 16 })),
      { header: '个人负担', kind: 'money' as const, width: 13 }, { header: '计算过程', width: 80 },
    ];
    const detailRows: OutCell[][] = results.map((r) => [
      r.line.source, r.line.row, r.line.claimId, r.line.lineNo, r.line.hospital, r.line.idNumber, r.line.name, r.line.settlementDate, r.policy ?? '',
      STATUS_LABEL[r.status], r.reasons.map((c) => `${c} ${REASONS[c].text}`).join('；'), r.line.totalCost, r.line.priorPaid, r.base,
      ...funds.map((f) => r.payments[f.id] ?? null), r.patientRemaining, oneLine(r),
    ]);
    const sheets = Math.max(1, Math.ceil(detailRows.length / (EXCEL_MAX_DATA_ROWS - 1)));
    for (let i = 0; i < sheets; i++) {
      // the 合计 row takes one row of the sheet's capacity, so a part holds EXCEL_MAX_DATA_ROWS − 1 lines
      const part = EXCEL_MAX_DATA_ROWS - 1;
      addSheet(wb, { name: i === 0 ? '明细' : `明细-${i + 1}`, columns: detailColumns, rows: detailRows.slice(i * part, (i + 1) * part), totals: detailColumns.map((c, j) => (c.kind === 'money' ? j : -1)).filter((j) => j >= 0) });
    }
    // 异常
    const exRows: OutCell[][] = [
      ...invalid.map((e) => [e.source, e.row, e.claimId, e.idNumber, e.name, '', '无效', e.issues.map((i) => i.code).join('；'), e.issues.map((i) => `${i.column ? `[${i.column}] ` : ''}${i.detail ?? REASONS[i.code].text}`).join('；')]),
      ...results
        .filter((r) => r.status === 'rejected' || r.status === 'pended' || r.status === 'skipped')
        .map((r) => [r.line.source, r.line.row, r.line.claimId, r.line.idNumber, r.line.name, r.policy ?? '', STATUS_LABEL[r.status], r.reasons.join('；'), r.reasons.map((c) => REASONS[c].text).join('；')]),
    ];
    addSheet(wb, {
      name: '异常',
      columns: [{ header: '来源文件', width: 20 }, { header: '行号', kind: 'int', width: 7 }, { header: '结算单号', width: 18 }, { header: '身份证号', width: 21 }, { header: '姓名', width: 8 }, { header: '政策', width: 14 }, { header: '状态', width: 8 }, { header: '原因代码', width: 30 }, { header: '原因说明', width: 70 }],
      rows: exRows,
    });
    // 冲正: earlier results reversed by this run (--supersede)
    if (opts.reversals?.length) {
      addSheet(wb, {
        name: '冲正',
        title: `${opts.month} 冲正明细（原结果金额取负数）`,
        columns: [
          { header: '原运行', kind: 'int', width: 8 }, { header: '结算单号', width: 18 }, { header: '明细行号', kind: 'int', width: 7 }, { header: '身份证号', width: 21 }, { header: '姓名', width: 8 },
          { header: '收款单位', width: 24 }, { header: '原因', width: 12 }, ...funds.map((f) => ({ header: f.name, kind: 'money' as const, width: 18 })),
        ],
        rows: opts.reversals.map((r) => [r.originalRun, r.claimId, r.lineNo, r.idNumber, r.name, r.payee, r.reason === 'supersede' ? '更正重报' : '撤销运行', ...funds.map((f) => r.payments[f.id] ?? null)]),
        totals: funds.map((_, i) => 7 + i),
      });
    }
    // 核对
    const rowsOk = checks.rowsRead === checks.linesAdjudicated + checks.invalid;
    const lhs = checks.priorPaid.plus(checks.payments).plus(checks.remaining);
    const moneyOk = lhs.equals(checks.totalCost);
    addSheet(wb, {
      name: '核对',
      columns: [{ header: '核对项目', width: 44 }, { header: '左边', width: 22 }, { header: '右边', width: 22 }, { header: '结果', width: 10 }],
      rows: [
        ['读取行数 = 审核明细数 + 无效行数', String(checks.rowsRead), `${checks.linesAdjudicated} + ${checks.invalid}`, rowsOk ? '一致' : '不一致'],
        ['医疗总费用 = 已支付 + 各政策支付 + 个人负担', fmt(checks.totalCost), `${fmt(checks.priorPaid)} + ${fmt(checks.payments)} + ${fmt(checks.remaining)}`, moneyOk ? '一致' : '不一致'],
        ['逐行守恒核对（每行：总费用 = 已支付 + 支付 + 个人负担）', `${checks.linesAdjudicated} 行`, '0 行不符', '一致'],
      ],
    });
  });
}

