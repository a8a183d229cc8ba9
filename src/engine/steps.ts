// A rule written once (issue 19 §1): a step computes its amount through small expression nodes that carry their
// value and their text together, so the formula in the trace is the formula that was computed — never a second
// copy typed beside it. A step is recorded as data (step, clause, inputs, result); its words are rendered here only.
import { Decimal } from 'decimal.js';
import { fmt, roundFen, type Money } from '../domain/money.js';
import type { TraceStep } from './types.js';

/** A value and how it reads: an amount to the fen, a share as written, a literal as given. */
export interface Expr {
  readonly value: Decimal;
  readonly text: string;
}

/** An input shown in a step: amounts to the fen, yes/no, 未设置 for nothing, text as it is. */
export type Shown = string | number | boolean | null | Decimal;

export function show(v: Shown): string {
  if (v === null) return '未设置';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v instanceof Decimal) return fmt(v);
  return String(v);
}

/** The expression builders: each returns the computed value with its text. */
export const x = {
  /** an amount, shown to the fen */
  money: (value: Money): Expr => ({ value, text: fmt(value) }),
  /** a share or factor, shown as written in the parameters (0.5, 0.7) */
  share: (value: Decimal): Expr => ({ value, text: value.toString() }),
  /** a constant shown as itself */
  num: (n: number): Expr => ({ value: new Decimal(n), text: String(n) }),
  minus: (a: Expr, b: Expr): Expr => ({ value: a.value.minus(b.value), text: `${a.text} − ${b.text}` }),
  times: (a: Expr, b: Expr): Expr => ({ value: a.value.times(b.value), text: `${a.text} × ${b.text}` }),
  max: (a: Expr, b: Expr): Expr => ({ value: Decimal.max(a.value, b.value), text: `max(${a.text}, ${b.text})` }),
  min: (a: Expr, b: Expr): Expr => ({ value: Decimal.min(a.value, b.value), text: `min(${a.text}, ${b.text})` }),
  /** half up to the fen (the money module's rounding) */
  round: (a: Expr): Expr => ({ value: roundFen(a.value), text: `round(${a.text})` }),
};

/** One step of a decision, as data. */
export interface Step {
  step: string;
  clause: string;
  inputs?: Record<string, Shown>;
  /** what the step found, in words */
  result?: string;
  /** or what it computed: `name = formula = value` (name optional) */
  computed?: { name?: string; expr: Expr };
}

/** The one place a step becomes words (the trace in the ledger, the jsonl, 计算过程 and explain all read this). */
export function renderStep(s: Step): TraceStep {
  const inputs = s.inputs && Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, show(v)]));
  const c = s.computed;
  const result = c ? `${c.name ? `${c.name} = ` : ''}${c.expr.text} = ${fmt(c.expr.value)}` : (s.result ?? '');
  return { step: s.step, clause: s.clause, ...(inputs ? { inputs } : {}), result };
}

/** A decision's steps as they are taken. */
export class Steps {
  readonly trace: TraceStep[] = [];
  /** records a step that found something (eligibility, a category) */
  note(s: Step): void {
    this.trace.push(renderStep(s));
  }
  /** records a step that computed an amount, and returns it */
  compute(s: Omit<Step, 'computed' | 'result'> & { name?: string; expr: Expr }): Money {
    this.trace.push(
      renderStep({ step: s.step, clause: s.clause, inputs: s.inputs, computed: { name: s.name, expr: s.expr } }),
    );
    return s.expr.value;
  }
}
