// assist explain CLAIMID: the stored result of a line, step by step in Chinese — its inputs, the
// parameters in force with their dates and clauses, every trace step with its clause, the
// accumulators before and after, the amounts, and any reversal.
import { yearLabel } from '../domain/dates.js';
import { fmt, fmtGrouped } from '../domain/money.js';
import { REASONS } from '../domain/reasons.js';
import { describeParameter, type ParameterFile } from '../domain/parameter-text.js';
import { VISIT_LABEL } from '../domain/categories.js';
import { STATUS_LABEL } from '../domain/reasons.js';
import { lineFieldLabel as fieldLabel } from '../domain/line-schema.js';
import { normalizeKey } from '../domain/text.js';
import type { ExceptionRow, Ledger, RunInfo, StoredLine } from './store.js';

const KIND_LABEL: Record<RunInfo['kind'], string> = { adjudicate: '审核', revert: '撤销', opening: '期初余额导入' };
const VISIT: Record<string, string> = VISIT_LABEL;

export function runLabel(r: RunInfo): string {
  return `第 ${r.id} 次运行（${KIND_LABEL[r.kind]}，${r.startedAt.slice(0, 16).replace('T', ' ')}，操作员 ${r.operator}${r.month ? `，月份 ${r.month}` : ''}）`;
}

export interface ExplainOptions {
  lineNo?: number;
  policy?: string;
  hospital?: string;
  /** a fund's name for its id (the caller knows the policies; the ledger does not) */
  fundName?: (id: string) => string;
  /** an accumulator in its policy's words ("2024 年 A 类") */
  accumulatorLabel?: (policy: string, key: string, year: number) => string;
}

/** `claims.xlsx:27` (or a path ending in it): a row of a file, rather than a claim id */
const FILE_ROW = /^(.*\.(?:xlsx|xlsm|csv|txt)):(\d+)$/i;

/**
 * Lines of text; empty when nothing is found. The argument is a claim id, or FILE:ROW for a row of an input file
 * (an invalid row may have no usable claim id). Rows read but not adjudicated — invalid, or a changed resubmission
 * that was skipped — are explained from the ledger's exceptions, with their file, row and reasons.
 */
export function explain(ledger: Ledger, claimId: string, o: ExplainOptions = {}): string[] {
  const out: string[] = [];
  const at = FILE_ROW.exec(claimId.trim());
  if (at) {
    const source = at[1]!.split(/[\\/]/).pop()!;
    const row = Number(at[2]);
    for (const line of ledger.findLinesAt(source, row)) out.push(...explainLine(ledger, line, o));
    for (const e of ledger.findExceptions({ source, row })) out.push(...explainException(ledger, e));
    return out;
  }
  // claim ids are stored normalised as they are read (full-width brackets, no spaces): so is the one asked for
  const key = normalizeKey(claimId);
  const byHospital = (h: string) => !o.hospital || h.includes(normalizeKey(o.hospital));
  for (const line of ledger.findLines(key, o.lineNo).filter((l) => byHospital(l.hospital)))
    out.push(...explainLine(ledger, line, o));
  for (const e of ledger.findExceptions({ claimId: key, lineNo: o.lineNo }).filter((x) => byHospital(x.hospital)))
    out.push(...explainException(ledger, e));
  return out;
}

function explainException(ledger: Ledger, e: ExceptionRow): string[] {
  const run = ledger.run(e.runId);
  const out = [
    `══ 结算单 ${e.claimId || '（无结算单号）'}${e.lineNo !== null ? ` 第 ${e.lineNo} 行` : ''}${e.hospital ? ` · ${e.hospital}` : ''} ══`,
  ];
  out.push(
    `来源：${e.source}${e.sheet ? `（工作表“${e.sheet}”）` : ''}第 ${e.row} 行；${run ? runLabel(run) : `第 ${e.runId} 次运行`}`,
  );
  out.push(
    e.kind === 'invalid'
      ? '状态：无效 —— 未审核、未支付、未计入累计额；请医院更正后在下次运行中重新报送'
      : `状态：未处理 —— 内容与${e.priorRun ? `第 ${e.priorRun} 次运行` : '台账中'}已审核的记录不同，本次跳过、未支付`,
  );
  if (e.name || e.idNumber) out.push(`人员：${e.name || '（姓名为空）'} ${e.idNumber}`.trimEnd());
  out.push('原因：');
  for (const i of e.issues)
    out.push(
      `  · ${i.code} ${REASONS[i.code]?.text ?? ''}${i.column ? `（列“${i.column}”）` : ''}${i.detail ? `：${i.detail}` : ''}`,
    );
  out.push('');
  return out;
}

function explainLine(ledger: Ledger, line: StoredLine, o: ExplainOptions): string[] {
  const run = ledger.run(line.runId)!;
  const entry = ledger.trace(line);
  const out = lineHeader(ledger, line, run, entry.line);
  const serviceDate = String(
    entry.line.visitType === 'inpatient' ? entry.line.admissionDate : entry.line.settlementDate,
  );
  for (const [i, traced] of entry.results.entries()) {
    if (o.policy && traced.policy !== o.policy) continue;
    const stored = traced.policy ? line.results.find((r) => r.policy === traced.policy) : undefined;
    out.push(...policyHeader(line, run, traced.policy, stored, serviceDate));
    out.push(...traceSteps(traced.trace));
    out.push(...accumulatorSteps(traced, o));
    if (stored) out.push(...amounts(ledger, stored, o));
    if (i === entry.results.length - 1 || o.policy)
      out.push(`个人负担（各政策支付后）：${fmtGrouped(line.patientRemaining)}`);
  }
  out.push('');
  return out;
}

type TraceEntry = ReturnType<Ledger['trace']>;
type TracedResult = TraceEntry['results'][number];
type StoredResult = StoredLine['results'][number];

/** The line: where it was read, whether it is in force, who, and its inputs as the hospital sent them. */
function lineHeader(ledger: Ledger, line: StoredLine, run: RunInfo, input: TraceEntry['line']): string[] {
  const out = [`══ 结算单 ${line.claimId} 第 ${line.lineNo} 行 · ${line.hospital} ══`];
  out.push(`来源：${line.source} 第 ${line.row} 行；${runLabel(run)}`);
  if (line.supersededBy !== null) {
    const by = ledger.run(line.supersededBy);
    out.push(
      `状态：已冲正 —— ${by ? runLabel(by) : `第 ${line.supersededBy} 次运行`}${by?.kind === 'revert' ? '撤销了所在运行' : '按更正后的内容重新审核'}，本记录不再有效`,
    );
  } else out.push(`状态：有效（${STATUS_LABEL[line.status]}）`);
  out.push(`人员：${line.name} ${line.idNumber}`);
  out.push('输入：');
  const show = (fields: string[]): string =>
    fields
      .filter((f) => input[f] !== null && input[f] !== '' && input[f] !== undefined)
      .map(
        (f) =>
          `${fieldLabel(f)} ${f === 'visitType' ? (VISIT[String(input[f])] ?? input[f]) : typeof input[f] === 'boolean' ? (input[f] ? '是' : '否') : input[f]}`,
      )
      .join('；');
  out.push(
    `  ${show(['visitType', 'admissionDate', 'dischargeDate', 'settlementDate', 'diagnosisCode', 'diagnosisName', 'itemName', 'referral', 'expertApproval'])}`,
  );
  out.push(
    `  ${show(['totalCost', 'inScopeCost', 'basicPaid', 'seriousIllnessPaid', 'assistancePaid', 'supplementaryPaid', 'hospitalWaiver', 'priorPaid', 'personalBurden'])}`,
  );
  return out;
}

/** A policy's result: its status and reasons, and the parameters in force on the service date. */
function policyHeader(
  line: StoredLine,
  run: RunInfo,
  policy: string | null,
  stored: StoredResult | undefined,
  serviceDate: string,
): string[] {
  const out: string[] = [];
  const version = run.policies.find((p) => p.id === policy);
  if (!policy) out.push(`政策：无（${STATUS_LABEL[line.status]}）`);
  else
    out.push(
      `政策 ${policy} ${version?.name ?? ''}（参数版本 ${version?.version ?? '未知'}）：${stored ? STATUS_LABEL[stored.status] : ''}`,
    );
  if (stored?.reasons.length)
    out.push(`  原因：${stored.reasons.map((c) => `${c} ${REASONS[c]?.text ?? ''}`).join('；')}`);
  if (version) {
    out.push(`  适用参数（服务日期 ${serviceDate}）：`);
    for (const def of Object.values(version.parameters as ParameterFile)) {
      const text = describeParameter(def, serviceDate);
      out.push(`    · ${text.length > 160 ? `${text.slice(0, 157)}…` : text}`);
    }
  }
  return out;
}

/** Every step of the trace with its clause, inputs and result. */
function traceSteps(trace: TracedResult['trace']): string[] {
  const out = ['  计算过程：'];
  for (const [n, step] of trace.entries()) {
    out.push(`    ${n + 1}. ${step.step}【依据：${step.clause}】`);
    if (step.inputs && Object.keys(step.inputs).length)
      out.push(
        `       输入：${Object.entries(step.inputs)
          .map(([k, v]) => `${k} ${v}`)
          .join('；')}`,
      );
    out.push(`       结果：${step.result}`);
  }
  return out;
}

/** Each accumulator the result moved, before and after, in its policy's words. */
function accumulatorSteps(traced: TracedResult, o: ExplainOptions): string[] {
  const accLabel = o.accumulatorLabel ?? ((_: string, key: string, year: number) => `${yearLabel(year)} ${key}`);
  return traced.accumulators.map((a) => {
    // a date-valued accumulator (ln-as-2022's first treatment) has no amounts
    const fmtAcc = (x: typeof a.before): string =>
      x.firstDate !== null && x.firstDate !== undefined
        ? `首次 ${x.firstDate}`
        : a.after.firstDate
          ? '首次 无'
          : `基数 ${x.base}，应救助 ${x.entitled}，已支付 ${x.paid}`;
    return `  累计额（${accLabel(traced.policy ?? '', a.key, a.year)}）：变动前 ${fmtAcc(a.before)} → 变动后 ${fmtAcc(a.after)}`;
  });
}

/** The base and payments of a stored result, and its reversal when it has one. */
function amounts(ledger: Ledger, stored: StoredResult, o: ExplainOptions): string[] {
  const fundName = o.fundName ?? ((id: string) => id);
  const pays = Object.entries(stored.payments);
  const out = [
    `  救助基数：${fmt(stored.base)}；支付：${pays.length ? pays.map(([f, v]) => `${fundName(f)} ${fmtGrouped(v)}`).join('；') : '无'}${stored.payee ? `；收款单位 ${stored.payee}` : ''}`,
  ];
  const rev = ledger.reversalOf(stored.id);
  if (rev) {
    const by = ledger.run(rev.runId);
    out.push(
      `  冲正：${by ? runLabel(by) : `第 ${rev.runId} 次运行`}（${rev.reason === 'supersede' ? '更正重报' : '撤销运行'}）冲正 ${pays.map(([f, v]) => `${fundName(f)} ${fmtGrouped(v.negated())}`).join('；') || '0.00'}`,
    );
  }
  return out;
}
