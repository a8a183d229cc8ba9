// settlement-<month>.xlsx: 汇总, 明细 (split at Excel's row limit), 异常, 冲正, 核对 — streamed: each result is
// written as it is decided (明细 straight into the zip, 异常 to a temporary sheet file), only the
// per-policy×hospital totals are kept.
import { fmt, fromFen, money, sum, ZERO, type Money } from '../domain/money.js';
import { issuesText, REASONS, type ReasonCode, type Status } from '../domain/reasons.js';
import type { RowError } from '../domain/types.js';
import type { Fund, LineResult, TraceStep } from '../engine/types.js';
import { XlsxStreamWriter, type SheetWriter, type WCell, type WColumn } from '../io/xlsx-writer.js';
import { STATUS_LABEL } from './labels.js';
import type { ReversalLine } from './disbursement.js';
import { writeFileSync } from 'node:fs';
import { topCategories, yuanNumber as yuan, type Overview, type OverviewChart } from './overview/model.js';
import { OVERVIEW_SHEET, writeOverviewSheet } from './overview/sheet.js';
import { overviewHtml } from './overview/html.js';

/** What the 概览 needs besides the run's own rows (plain data: it crosses to the output worker). */
export interface OverviewInput {
  /** each fund's net payments (fen) per month of the year up to this one, from the ledger */
  trend?: { month: string; fen: Record<string, number> }[];
  /** a dry run is not in the ledger: its own totals are added to its month */
  runNotInLedger?: boolean;
  /** also write the overview as one HTML page here */
  htmlPath?: string;
}

/** The hospitals a chart names one by one; the rest are one 其他 bar. */
const CHART_HOSPITALS = 15;

export const EXCEL_MAX_DATA_ROWS = 1_048_575;

export interface Checks {
  rowsRead: number;
  linesAdjudicated: number;
  invalid: number;
  totalCost: Money;
  priorPaid: Money;
  payments: Money;
  remaining: Money;
  /** 台账校验码 of the run (SPEC §5), or 试算，未入账 for a dry run */
  ledgerCode?: string;
}

/** Running totals of the conservation check, fed one line's results at a time. */
export class CheckTotals {
  lines = 0;
  totalCost = ZERO;
  priorPaid = ZERO;
  payments = ZERO;
  remaining = ZERO;
  addLine(results: LineResult[]): void {
    const l = results[0]!.line;
    this.lines++;
    this.totalCost = this.totalCost.plus(l.totalCost);
    this.priorPaid = this.priorPaid.plus(l.priorPaid);
    this.remaining = this.remaining.plus(results[0]!.patientRemaining);
    for (const r of results) for (const v of Object.values(r.payments)) this.payments = this.payments.plus(v);
  }
  checks(rowsRead: number, invalid: number): Checks {
    return {
      rowsRead,
      linesAdjudicated: this.lines,
      invalid,
      totalCost: this.totalCost,
      priorPaid: this.priorPaid,
      payments: this.payments,
      remaining: this.remaining,
    };
  }
}

/** The run's two checks: every row read is an adjudicated line or an invalid row; 总费用 = 已支付 + 支付 + 个人负担. */
export function checksHold(c: Checks): { rows: boolean; money: boolean } {
  return {
    rows: c.rowsRead === c.linesAdjudicated + c.invalid,
    money: c.priorPaid.plus(c.payments).plus(c.remaining).equals(c.totalCost),
  };
}

/**
 * One result as the 明细 sheet needs it, plain data (money as text) so it can be handed to the output
 * worker: the workbook is written on the second core while the main thread adjudicates.
 */
export interface SettlementRow {
  source: string;
  row: number;
  claimId: string;
  lineNo: number;
  hospital: string;
  idNumber: string;
  name: string;
  settlementDate: string;
  policy: string | null;
  status: Status;
  reasons: ReasonCode[];
  totalCost: string;
  priorPaid: string;
  base: string;
  /** per fund of the run, in order; null when the result pays nothing from it */
  payments: (string | null)[];
  patientRemaining: string;
  trace: string;
  /** who is paid (the disbursement lists group by it) */
  payee: string;
}

export function settlementRow(r: LineResult, funds: Fund[]): SettlementRow {
  const l = r.line;
  return {
    source: l.source,
    row: l.row,
    claimId: l.claimId,
    lineNo: l.lineNo,
    hospital: l.hospital,
    idNumber: l.idNumber,
    name: l.name,
    settlementDate: l.settlementDate,
    policy: r.policy,
    status: r.status,
    reasons: r.reasons,
    totalCost: fmt(l.totalCost),
    priorPaid: fmt(l.priorPaid),
    base: fmt(r.base),
    payments: funds.map((f) => (r.payments[f.id] ? fmt(r.payments[f.id]!) : null)),
    patientRemaining: fmt(r.patientRemaining),
    trace: oneLine(r),
    payee: r.payee,
  };
}

function oneLine(r: LineResult): string {
  return traceText(r.trace);
}

/** The one-line 计算过程 of a result: its computing steps (those with a formula), else every step's result. */
export function traceText(trace: TraceStep[]): string {
  let text = '';
  for (const t of trace) if (/[=＝]/.test(t.result)) text += (text ? '；' : '') + `${t.step}：${t.result}`;
  if (!text) text = trace.map((t) => t.result).join('；');
  return text.length > 500 ? text.slice(0, 497) + '…' : text;
}

interface Group {
  policy: string;
  hospital: string;
  lines: number;
  approved: number;
  pended: number;
  rejected: number;
  funds: Map<string, Money>;
}

const EXCEPTION_COLUMNS: WColumn[] = [
  { header: '来源文件', width: 16, wrap: true },
  { header: '行号', kind: 'int', width: 6 },
  { header: '结算单号', width: 17 },
  { header: '身份证号', width: 21 },
  { header: '姓名', width: 8 },
  { header: '政策', width: 12 },
  { header: '状态', width: 6 },
  { header: '原因代码', width: 18, wrap: true },
  { header: '原因说明', width: 36, wrap: true },
];

export class SettlementWriter {
  private readonly xlsx: XlsxStreamWriter;
  private detail: SheetWriter | null = null;
  private detailPart = 0;
  private detailTotals: Money[] = [];
  private exceptions: SheetWriter | null = null;
  private readonly groups = new Map<string, Group>();
  /** the headline by hospital: each claim line once (its results arrive together), whatever policies saw it */
  private readonly byHospital = new Map<
    string,
    { lines: number; total: Money; prior: Money; funds: Money[]; remaining: Money }
  >();
  private lastLine = '';
  private readonly detailColumns: WColumn[];
  private readonly moneyCols: number[];

  constructor(
    private readonly tmpFile: string,
    private readonly opts: {
      month: string;
      funds: Fund[];
      policyNames: Record<string, string>;
      partRows?: number;
      banner?: string;
      note?: string;
    },
  ) {
    this.xlsx = new XlsxStreamWriter(tmpFile, { banner: opts.banner });
    this.detailColumns = [
      { header: '来源文件', width: 20 },
      { header: '行号', kind: 'int', width: 7 },
      { header: '结算单号', width: 18 },
      { header: '明细行号', kind: 'int', width: 7 },
      { header: '医疗机构', width: 22 },
      { header: '身份证号', width: 21 },
      { header: '姓名', width: 8 },
      { header: '结算日期', width: 11 },
      { header: '政策', width: 14 },
      { header: '状态', width: 8 },
      { header: '原因', width: 30, wrap: true },
      { header: '医疗总费用', kind: 'money', width: 13 },
      { header: '已支付', kind: 'money', width: 13 },
      { header: '救助基数', kind: 'money', width: 13 },
      ...opts.funds.map((f): WColumn => ({ header: f.name, kind: 'money', width: 16 })),
      { header: '个人负担', kind: 'money', width: 13 },
      { header: '计算过程', width: 80 },
    ];
    // the 合计 of 明细 sums the fund columns only: a line's 医疗总费用 repeats on each of its policies' rows (the
    // line-once totals are on 汇总 and 核对)
    const firstFund = this.detailColumns.length - 2 - opts.funds.length;
    this.moneyCols = opts.funds.map((_, i) => firstFund + i);
  }

  async begin(): Promise<void> {
    this.exceptions = await this.xlsx.bufferedSheet(
      { name: '异常', columns: EXCEPTION_COLUMNS },
      `${this.tmpFile}.exceptions`,
    );
    await this.nextDetailPart();
  }

  private async nextDetailPart(): Promise<void> {
    if (this.detail) await this.endDetailPart();
    // 计算过程 (the last column) stays off the printed page; 来源文件, 行号, 结算单号 repeat on every page across
    this.detail = await this.xlsx.streamSheet({
      name: this.detailPart === 0 ? '明细' : `明细-${this.detailPart + 1}`,
      columns: this.detailColumns,
      printColumns: this.detailColumns.length - 1,
      keyColumns: 3,
    });
    this.detailPart++;
    this.detailTotals = this.moneyCols.map(() => ZERO);
  }

  private async endDetailPart(): Promise<void> {
    const totals: WCell[] = this.detailColumns.map(() => null);
    totals[0] = '合计';
    this.moneyCols.forEach((c, i) => (totals[c] = this.detailTotals[i]!));
    await this.detail!.boldRow(totals);
    await this.detail!.end();
    this.detail = null;
  }

  async invalid(e: RowError): Promise<void> {
    await this.exceptions!.row([
      e.source,
      e.row,
      e.claimId,
      e.idNumber,
      e.name,
      '',
      '无效',
      e.issues.map((i) => i.code).join('；'),
      issuesText(e.issues),
    ]);
  }

  async result(r: LineResult): Promise<void> {
    await this.row(settlementRow(r, this.opts.funds));
  }

  async row(r: SettlementRow): Promise<void> {
    // the 合计 row takes one row of the sheet's capacity, and the header one
    const capacity = this.opts.partRows ?? EXCEL_MAX_DATA_ROWS - 1;
    if (this.detail!.rows - 1 >= capacity) await this.nextDetailPart();
    const totalCost = money(r.totalCost);
    const payments = r.payments.map((v) => (v === null ? null : money(v)));
    const row: WCell[] = [
      r.source,
      r.row,
      r.claimId,
      r.lineNo,
      r.hospital,
      r.idNumber,
      r.name,
      r.settlementDate,
      r.policy ?? '',
      STATUS_LABEL[r.status],
      r.reasons.map((c) => `${c} ${REASONS[c].text}`).join('；'),
      totalCost,
      money(r.priorPaid),
      money(r.base),
      ...payments,
      money(r.patientRemaining),
      r.trace,
    ];
    this.moneyCols.forEach((c, i) => {
      const v = row[c];
      if (v !== null && v !== undefined && typeof v === 'object') this.detailTotals[i] = this.detailTotals[i]!.plus(v);
    });
    await this.detail!.row(row);
    if (r.status === 'rejected' || r.status === 'pended' || r.status === 'skipped')
      await this.exceptions!.row([
        r.source,
        r.row,
        r.claimId,
        r.idNumber,
        r.name,
        r.policy ?? '',
        STATUS_LABEL[r.status],
        r.reasons.join('；'),
        r.reasons.map((c) => REASONS[c].text).join('；'),
      ]);
    this.tallyHospital(r, totalCost, payments);
    this.tallyPolicy(r, payments);
  }

  /** 汇总's row of the line's hospital: each claim line once (its results arrive together), every fund's payments */
  private tallyHospital(r: SettlementRow, totalCost: Money, payments: (Money | null)[]): void {
    let h = this.byHospital.get(r.hospital);
    if (!h)
      this.byHospital.set(
        r.hospital,
        (h = { lines: 0, total: ZERO, prior: ZERO, funds: this.opts.funds.map(() => ZERO), remaining: ZERO }),
      );
    const lineKey = `${r.hospital}\u0001${r.claimId}\u0001${r.lineNo}`;
    if (lineKey !== this.lastLine) {
      this.lastLine = lineKey;
      h.lines++;
      h.total = h.total.plus(totalCost);
      h.prior = h.prior.plus(money(r.priorPaid));
      h.remaining = h.remaining.plus(money(r.patientRemaining));
    }
    payments.forEach((v, i) => v && (h.funds[i] = h.funds[i]!.plus(v)));
  }

  /** 按政策's row of the result's policy and hospital */
  private tallyPolicy(r: SettlementRow, payments: (Money | null)[]): void {
    const policy = r.policy ? `${r.policy} ${this.opts.policyNames[r.policy] ?? ''}`.trim() : '（不在任何政策范围）';
    const key = `${policy}\u0001${r.hospital}`;
    let g = this.groups.get(key);
    if (!g)
      this.groups.set(
        key,
        (g = { policy, hospital: r.hospital, lines: 0, approved: 0, pended: 0, rejected: 0, funds: new Map() }),
      );
    g.lines++;
    if (r.status === 'approved') g.approved++;
    if (r.status === 'pended') g.pended++;
    if (r.status === 'rejected') g.rejected++;
    this.opts.funds.forEach((f, i) => {
      const v = payments[i];
      if (v) g.funds.set(f.id, (g.funds.get(f.id) ?? ZERO).plus(v));
    });
  }

  /**
   * The month at a glance from the totals the sheets are made of: 汇总's lines and amounts (each line once), 按政策's
   * result counts, each fund by hospital, and the year's months from the ledger.
   */
  overview(input: OverviewInput): Overview {
    const { funds, month } = this.opts;
    const hospitals = [...this.byHospital.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const groups = [...this.groups.values()];
    const count = (k: 'approved' | 'pended' | 'rejected') => groups.reduce((n, g) => n + g[k], 0);
    const top = topCategories(
      hospitals.map(([name]) => name),
      funds.map((f, i) => ({ name: f.name, values: hospitals.map(([, h]) => yuan(h.funds[i]!)) })),
      CHART_HOSPITALS,
    );
    const runFund = (i: number) => (input.runNotInLedger ? sum(hospitals.map(([, h]) => h.funds[i]!)) : ZERO);
    return {
      title: `${month} 医疗救助结算概览`,
      subtitle: this.opts.banner ? `${month}，${this.opts.banner}` : month,
      figures: [
        { label: '明细数', value: hospitals.reduce((n, [, h]) => n + h.lines, 0), kind: 'int' },
        { label: '通过（结果数）', value: count('approved'), kind: 'int' },
        { label: '挂起（结果数）', value: count('pended'), kind: 'int' },
        { label: '拒绝（结果数）', value: count('rejected'), kind: 'int' },
        { label: '医疗总费用', value: yuan(sum(hospitals.map(([, h]) => h.total))), kind: 'money' },
        ...funds.map((f, i) => ({
          label: f.name,
          value: yuan(sum(hospitals.map(([, h]) => h.funds[i]!))),
          kind: 'money' as const,
        })),
        { label: '个人负担', value: yuan(sum(hospitals.map(([, h]) => h.remaining))), kind: 'money' },
      ],
      charts: [
        {
          id: 'funds-by-hospital',
          title: '各医疗机构各资金支付',
          kind: 'stack',
          categoryLabel: '医疗机构',
          unit: '元',
          ...top,
          note: top.others
            ? `支付最多的 ${CHART_HOSPITALS - 1} 家医疗机构逐一列出，其余 ${top.others} 家合为一行；逐家见“汇总”。`
            : undefined,
        },
        this.monthChart(input, runFund),
      ],
    };
  }

  /** The year's months from the ledger, and this month with a dry run's amounts (not in the ledger) added. */
  private monthChart(input: OverviewInput, runFund: (fund: number) => Money): OverviewChart {
    const { funds, month } = this.opts;
    const months = Array.from(
      { length: Number(month.slice(5, 7)) },
      (_, i) => `${month.slice(0, 4)}-${String(i + 1).padStart(2, '0')}`,
    );
    const trend = new Map((input.trend ?? []).map((t) => [t.month, t.fen]));
    return {
      id: 'funds-by-month',
      title: `${month.slice(0, 4)} 年各月各资金支付`,
      kind: 'trend',
      categoryLabel: '月份',
      unit: '元',
      categories: months,
      // fen from the ledger → yuan for the chart
      series: funds.map((f, i) => ({
        name: f.name,
        values: months.map((m) => yuan(fromFen(trend.get(m)?.[f.id] ?? 0).plus(m === month ? runFund(i) : ZERO))),
      })),
      note: input.runNotInLedger
        ? '本月含本次试算（未入账）的金额；其他月份取自台账。'
        : '各月取自台账：该月各次审核运行的支付减去冲正（与拨付清单同口径）。',
    };
  }

  /** Writes the small sheets and closes the zip (to the temporary file given at construction). */
  async finish(
    checks: Checks,
    invalidCount: number,
    reversals: ReversalLine[],
    overviewInput: OverviewInput = {},
    /** the run's 台账校验码 when it is known only later (the run is sealed meanwhile); else checks.ledgerCode */
    ledgerCode?: Promise<string | undefined>,
  ): Promise<void> {
    await this.endDetailPart();
    await this.exceptions!.end();
    await this.overviewSheet(overviewInput);
    const code = await this.summarySheet(invalidCount, ledgerCode ?? Promise.resolve(checks.ledgerCode));
    await this.byPolicySheet();
    if (reversals.length) await this.reversalSheet(reversals);
    await this.checkSheet(checks, code);
    await this.xlsx.finish([
      OVERVIEW_SHEET,
      '汇总',
      '按政策',
      ...Array.from({ length: this.detailPart }, (_, i) => (i === 0 ? '明细' : `明细-${i + 1}`)),
      '异常',
      '冲正',
      '核对',
    ]);
  }

  /** 概览, and the same page as HTML when asked for */
  private async overviewSheet(input: OverviewInput): Promise<void> {
    const t0 = performance.now();
    const overview = this.overview(input);
    await writeOverviewSheet(this.xlsx, overview);
    if (input.htmlPath) writeFileSync(input.htmlPath, overviewHtml(overview), { mode: 0o600 });
    if (process.env.ASSIST_TIMING)
      process.stderr.write(`[计时·概览] 图表与概览页 ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  }

  /**
   * 汇总: one row per hospital, each claim line once (SPEC §7: headline figures count a line once); its 合计 is the
   * 核对 sheet's; the per-policy breakdown is the 按政策 sheet. Returns the run's 台账校验码, first printed here.
   */
  private async summarySheet(invalidCount: number, ledgerCode: Promise<string | undefined>) {
    const { funds, month } = this.opts;
    const summary = await this.xlsx.streamSheet({
      name: '汇总',
      title: `${month} 医疗救助结算汇总`,
      columns: [
        { header: '医疗机构', width: 28 },
        { header: '明细数', kind: 'int', width: 9 },
        { header: '医疗总费用', kind: 'money', width: 16 },
        { header: '已支付', kind: 'money', width: 16 },
        ...funds.map((f): WColumn => ({ header: f.name, kind: 'money', width: 16 })),
        { header: '个人负担', kind: 'money', width: 16 },
      ],
    });
    const hospitals = [...this.byHospital.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [name, h] of hospitals) await summary.row([name, h.lines, h.total, h.prior, ...h.funds, h.remaining]);
    await summary.boldRow([
      '合计',
      hospitals.reduce((n, [, h]) => n + h.lines, 0),
      sum(hospitals.map(([, h]) => h.total)),
      sum(hospitals.map(([, h]) => h.prior)),
      ...funds.map((_, i) => sum(hospitals.map(([, h]) => h.funds[i]!))),
      sum(hospitals.map(([, h]) => h.remaining)),
    ]);
    await summary.textRow([
      this.opts.note ?? `无效行 ${invalidCount} 行，见“异常”工作表；按政策的结果数与金额见“按政策”工作表。`,
    ]);
    // everything above is written while the run is being sealed
    const code = await ledgerCode;
    if (code) await summary.textRow([`台账校验码：${code}`]);
    await summary.end();
    return code;
  }

  /** 按政策: result counts and amounts by policy and hospital */
  private async byPolicySheet(): Promise<void> {
    const { funds, month } = this.opts;
    const byPolicy = await this.xlsx.streamSheet({
      name: '按政策',
      title: `${month} 按政策、医疗机构的审核结果（一行明细可有多个政策的结果）`,
      columns: [
        { header: '政策', width: 30, wrap: true },
        { header: '医疗机构', width: 28, wrap: true },
        { header: '结果数', kind: 'int', width: 9 },
        { header: '通过', kind: 'int', width: 8 },
        { header: '挂起', kind: 'int', width: 8 },
        { header: '拒绝', kind: 'int', width: 8 },
        ...funds.map((f): WColumn => ({ header: f.name, kind: 'money', width: 16 })),
      ],
    });
    const sorted = [...this.groups.values()].sort((a, b) => (a.policy + a.hospital < b.policy + b.hospital ? -1 : 1));
    const counts = (g: Group) => [g.lines, g.approved, g.pended, g.rejected];
    for (const g of sorted)
      await byPolicy.row([g.policy, g.hospital, ...counts(g), ...funds.map((f) => g.funds.get(f.id) ?? ZERO)]);
    await byPolicy.boldRow([
      '合计',
      null,
      ...[0, 1, 2, 3].map((k) => sorted.reduce((n, g) => n + counts(g)[k]!, 0)),
      ...funds.map((f) => sum(sorted.map((g) => g.funds.get(f.id) ?? ZERO))),
    ]);
    await byPolicy.end();
  }

  /** 冲正: the reversed results, amounts negated */
  private async reversalSheet(reversals: ReversalLine[]): Promise<void> {
    const { funds, month } = this.opts;
    const rev = await this.xlsx.streamSheet({
      name: '冲正',
      title: `${month} 冲正明细（原结果金额取负数）`,
      columns: [
        { header: '原运行', kind: 'int', width: 8 },
        { header: '结算单号', width: 18 },
        { header: '明细行号', kind: 'int', width: 7 },
        { header: '身份证号', width: 21 },
        { header: '姓名', width: 8 },
        { header: '收款单位', width: 24 },
        { header: '原因', width: 12 },
        ...funds.map((f): WColumn => ({ header: f.name, kind: 'money', width: 18 })),
      ],
    });
    for (const r of reversals)
      await rev.row([
        r.originalRun,
        r.claimId,
        r.lineNo,
        r.idNumber,
        r.name,
        r.payee,
        r.reason === 'supersede' ? '更正重报' : '撤销运行',
        ...funds.map((f) => r.payments[f.id] ?? null),
      ]);
    const blank = Array.from({ length: 6 }, () => null);
    await rev.boldRow(['合计', ...blank, ...funds.map((f) => sum(reversals.map((r) => r.payments[f.id] ?? ZERO)))]);
    await rev.end();
  }

  /** 核对: the run's two checks (rows, money), the per-line check, and the 台账校验码 */
  private async checkSheet(checks: Checks, code: string | undefined): Promise<void> {
    const { rows: rowsOk, money: moneyOk } = checksHold(checks);
    const check = await this.xlsx.streamSheet({
      name: '核对',
      columns: [
        { header: '核对项目', width: 62 },
        { header: '左边', width: 22 },
        { header: '右边', width: 44 },
        { header: '结果', width: 10 },
      ],
    });
    await check.row([
      '读取行数 = 审核明细数 + 无效行数',
      String(checks.rowsRead),
      `${checks.linesAdjudicated} + ${checks.invalid}`,
      rowsOk ? '一致' : '不一致',
    ]);
    await check.row([
      '医疗总费用 = 已支付 + 各政策支付 + 个人负担',
      fmt(checks.totalCost),
      `${fmt(checks.priorPaid)} + ${fmt(checks.payments)} + ${fmt(checks.remaining)}`,
      moneyOk ? '一致' : '不一致',
    ]);
    await check.row([
      '逐行守恒核对（每行：总费用 = 已支付 + 支付 + 个人负担）',
      `${checks.linesAdjudicated} 行`,
      '0 行不符',
      '一致',
    ]);
    if (code) await check.row(['台账校验码（核对：assist ledger check --head 校验码）', code, null, null]);
    await check.end();
  }
}
