// The pure engine: adjudicate(lines, people, policies, accumulators). No files, no database.
// It alone knows the order of lines (SPEC §3) and of policies (configured order, layering).
import { REASONS, type ReasonCode, type Status } from '../domain/reasons.js';
import { ZERO, fmt, sum, type Money } from '../domain/money.js';
import { yearOf, type IsoDate } from '../domain/dates.js';
import { renderStep } from './steps.js';
import type { ClaimLine } from '../domain/types.js';
import type { Person } from '../roster/merge.js';
import { AccumulatorStore, accKey } from './accumulators.js';
import type { AccumulatorChange, AccumulatorStep, LineResult, Policy, PolicyDecision, TraceStep } from './types.js';

export function serviceDateOf(line: ClaimLine): IsoDate {
  return line.visitType === 'inpatient' ? line.admissionDate : line.settlementDate;
}

/** §3 order: settlementDate, admissionDate, hospital, claimId, lineNo. */
export function compareLines(a: ClaimLine, b: ClaimLine): number {
  if (a.settlementDate !== b.settlementDate) return a.settlementDate < b.settlementDate ? -1 : 1;
  if (a.admissionDate !== b.admissionDate) return a.admissionDate < b.admissionDate ? -1 : 1;
  if (a.hospital !== b.hospital) return a.hospital < b.hospital ? -1 : 1;
  if (a.claimId !== b.claimId) return a.claimId < b.claimId ? -1 : 1;
  return a.lineNo - b.lineNo;
}

/**
 * rejected wins over pended; flags (approved-status reasons) keep approved. A row-level code inside
 * a policy result (MISSING_FIELD: a field this policy needs is empty) pends the line for a human.
 */
export function statusOf(reasons: ReasonCode[]): Status {
  if (reasons.some((r) => REASONS[r].status === 'rejected')) return 'rejected';
  if (reasons.some((r) => REASONS[r].status === 'pended' || REASONS[r].status === 'invalid')) return 'pended';
  return 'approved';
}

/** A settlement is one claimId at one hospital; its lines are judged together (e.g. the AS injection fee). */
function settlementKey(l: ClaimLine): string {
  return `${l.hospital}\u0001${l.claimId}`;
}

export interface AdjudicateOutput {
  results: LineResult[];
  accumulators: AccumulatorStore;
}

/**
 * `batch`: all valid lines of the batch, when only some of them are adjudicated (the others already in the
 * ledger): a settlement's lines are judged together (the AS injection fee beside its drug line) even so.
 */
export function adjudicate(
  lines: ClaimLine[],
  people: Map<string, Person>,
  policies: Policy[],
  accumulators: AccumulatorStore = new AccumulatorStore(),
  batch: ClaimLine[] = lines,
): AdjudicateOutput {
  const results: LineResult[] = [];
  const acc = adjudicateEach(lines, people, policies, accumulators, batch, (r) => results.push(...r));
  return { results, accumulators: acc };
}

/**
 * adjudicate, each line's results handed to `each` as soon as they are decided (in §3 order) rather than
 * gathered: a caller that writes them out at once lets them die young (a month's run does).
 */
export function adjudicateEach(
  lines: ClaimLine[],
  people: Map<string, Person>,
  policies: Policy[],
  accumulators: AccumulatorStore,
  batch: ClaimLine[],
  each: (lineResults: LineResult[]) => void,
): AccumulatorStore {
  const acc = accumulators.clone();
  const ordered = [...lines].sort(compareLines);
  const settlements = settlementsOf(batch === lines ? ordered : [...batch].sort(compareLines));
  for (const line of ordered) {
    const person = people.get(line.idNumber) ?? null;
    const serviceDate = serviceDateOf(line);
    const settlement = settlements.get(settlementKey(line))!;
    const inScope = policies.filter((p) => p.inScope({ line, settlement, person, params: p.params, serviceDate }));
    each(inScope.length === 0 ? [notCovered(line, policies)] : adjudicateLine(line, person, inScope, serviceDate, acc));
  }
  return acc;
}

/** The batch's lines by settlement (hospital + claimId), in order. */
function settlementsOf(lines: ClaimLine[]): Map<string, ClaimLine[]> {
  const settlements = new Map<string, ClaimLine[]>();
  for (const l of lines) {
    const k = settlementKey(l);
    const list = settlements.get(k);
    if (list) list.push(l);
    else settlements.set(k, [l]);
  }
  return settlements;
}

function notCovered(line: ClaimLine, policies: Policy[]): LineResult {
  return {
    line,
    policy: null,
    status: 'not-covered',
    reasons: ['NO_APPLICABLE_POLICY'],
    base: ZERO,
    payments: {},
    patientRemaining: line.personalBurden,
    trace: [
      renderStep({
        step: '适用政策',
        clause: 'SPEC §3 1. Scope',
        result: `没有已启用政策的救助范围包含本行（已启用：${policies.map((p) => p.id).join('、') || '无'}）`,
      }),
    ],
    payee: '',
    changes: [],
  };
}

/**
 * SPEC §3 layering: each policy in scope in turn, on what the earlier ones left; then the line's checks (SPEC §6: a
 * line breaking an invariant is pended CHECK_FAILED, nothing paid, no accumulator moved) and, only then, the
 * accumulators.
 */
function adjudicateLine(
  line: ClaimLine,
  person: Person | null,
  inScope: Policy[],
  serviceDate: IsoDate,
  acc: AccumulatorStore,
): LineResult[] {
  let priorPaid = line.priorPaid;
  const lineResults: LineResult[] = [];
  const year = yearOf(line.settlementDate);
  for (const policy of inScope) {
    const d = policy.decide({ line, person, params: policy.params, priorPaid, serviceDate, year, acc });
    const r = resultOf(line, person, policy, d);
    priorPaid = priorPaid.plus(sum(Object.values(r.payments)));
    lineResults.push(r);
  }
  const failed = lineCheck(line, lineResults, inScope);
  if (failed)
    for (const r of lineResults)
      checkFailed(
        r,
        inScope.find((p) => p.id === r.policy)!,
        failed,
      );
  for (const r of lineResults) r.accumulators = book(r.changes, acc);
  const remaining: Money = line.totalCost
    .minus(line.priorPaid)
    .minus(sum(lineResults.flatMap((r) => Object.values(r.payments))));
  for (const r of lineResults) r.patientRemaining = remaining;
  return lineResults;
}

/** A policy's decision as the line's result: the name check, the status, and nothing paid unless approved. */
function resultOf(line: ClaimLine, person: Person | null, policy: Policy, d: PolicyDecision): LineResult {
  const reasons = [...new Set(d.reasons)];
  const trace: TraceStep[] = [...d.trace];
  if (person && line.name && person.name && person.name !== line.name && !reasons.includes('NAME_MISMATCH')) {
    reasons.push('NAME_MISMATCH');
    trace.push(
      renderStep({
        step: '姓名核对',
        clause: 'SPEC §3 NAME_MISMATCH',
        inputs: { 结算单姓名: line.name, 名单姓名: person.name },
        result: '姓名不一致，挂起待人工核实，本行不支付',
      }),
    );
  }
  const status = statusOf(reasons);
  let payments = d.payments;
  let changes = d.changes;
  if (status !== 'approved') {
    payments = zeroPayments(policy);
    if (!(status === 'pended' && d.keepChangesWhenPended && !reasons.includes('NAME_MISMATCH'))) changes = [];
  }
  return {
    line,
    policy: policy.id,
    status,
    reasons,
    base: d.base,
    payments,
    patientRemaining: ZERO,
    trace,
    payee: d.payee,
    details: d.details,
    changes,
  };
}

/** Applies a result's changes and returns each accumulator it moved, before and after. */
function book(changes: AccumulatorChange[], acc: AccumulatorStore): AccumulatorStep[] {
  const steps = new Map<string, AccumulatorStep>();
  for (const c of changes)
    if (!steps.has(accKey(c)))
      steps.set(accKey(c), {
        policy: c.policy,
        idNumber: c.idNumber,
        year: c.year,
        key: c.key,
        before: acc.get(c),
        after: acc.get(c),
      });
  for (const c of changes) acc.apply(c);
  for (const st of steps.values()) st.after = acc.get(st);
  return [...steps.values()];
}

function zeroPayments(policy: Policy): Record<string, Money> {
  return Object.fromEntries(policy.funds.map((f) => [f.id, ZERO]));
}

/** The invariants of one line's results (SPEC §6), or null when they hold: what failed, in words. */
function lineCheck(line: ClaimLine, results: LineResult[], policies: Policy[]): string | null {
  for (const r of results) {
    const funds = new Set(policies.find((p) => p.id === r.policy)!.funds.map((f) => f.id));
    for (const [fund, amount] of Object.entries(r.payments)) {
      if (!funds.has(fund)) return `${r.policy} 支付到未登记的资金 ${fund}`;
      if (amount.isNegative()) return `${r.policy} 的 ${fund} 支付为负数 ${fmt(amount)}`;
      if (amount.decimalPlaces() > 2) return `${r.policy} 的 ${fund} 支付 ${amount.toString()} 超过两位小数`;
    }
    for (const c of r.changes)
      for (const v of [c.base, c.paid, c.entitled])
        if (v && v.decimalPlaces() > 2) return `${r.policy} 的累计额 ${c.key} 变动 ${v.toString()} 超过两位小数`;
  }
  const paid = sum(results.flatMap((r) => Object.values(r.payments)));
  const borne = line.totalCost.minus(line.priorPaid);
  if (paid.greaterThan(borne)) return `各政策支付合计 ${fmt(paid)} 超过个人负担 ${fmt(borne)}`;
  return null;
}

function checkFailed(r: LineResult, policy: Policy, why: string): void {
  r.trace.push(
    renderStep({
      step: '守恒核对',
      clause: 'SPEC §6“一行不能让整月停下”：核对不通过的行挂起 CHECK_FAILED',
      inputs: { 核对: why },
      result: '本行挂起，待人工核查；不支付，不计入累计',
    }),
  );
  r.status = 'pended';
  if (!r.reasons.includes('CHECK_FAILED')) r.reasons.push('CHECK_FAILED');
  r.payments = zeroPayments(policy);
  r.changes = [];
}
