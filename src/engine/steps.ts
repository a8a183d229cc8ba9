// A rule written once (issue 19 §1): a step computes its amount through small expression nodes that carry their
// value and their text together, so the formula in the trace is the formula that was computed — never a second
// copy typed beside it. A step is recorded as data (step, clause, inputs, result); its words are rendered here only.
import { Decimal } from 'decimal.js';
import { fmt, roundFen, type Money } from '../domain/money.js';
import type { TraceStep } from './types.js';

/**
 * A value and how it reads: `text` with named quantities by name (S, F) and everything else as numbers; `flat` with
 * every argument of the outermost operation evaluated — the middle stage of "F = min(S, round(0.2 × 13.65)) =
 * min(6.83, 2.73) = 2.73".
 */
export interface Expr {
  readonly value: Decimal;
  readonly text: string;
  readonly flat: string;
  /** a single number as written (its own text in every stage) */
  readonly leaf?: boolean;
}

const leaf = (value: Decimal, text: string): Expr => ({ value, text, flat: text, leaf: true });
/** an argument in the evaluated stage: a number as written, anything computed or named as its amount */
const arg = (e: Expr): string => (e.leaf ? e.text : fmt(e.value));
const call = (name: string, value: Decimal, args: Expr[]): Expr => ({
  value,
  text: `${name}(${args.map((a) => a.text).join(', ')})`,
  flat: `${name}(${args.map(arg).join(', ')})`,
});
const infix = (op: string, value: Decimal, a: Expr, b: Expr): Expr => ({
  value,
  text: `${a.text} ${op} ${b.text}`,
  flat: `${arg(a)} ${op} ${arg(b)}`,
});

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
  money: (value: Money): Expr => leaf(value, fmt(value)),
  /** a share or factor, shown as written in the parameters (0.5, 0.7) */
  share: (value: Decimal): Expr => leaf(value, value.toString()),
  /** a constant shown as itself */
  num: (n: number): Expr => leaf(new Decimal(n), String(n)),
  /** a quantity computed in an earlier step, shown by its name (S) and, evaluated, by its amount */
  ref: (name: string, value: Money): Expr => ({ value, text: name, flat: fmt(value) }),
  minus: (a: Expr, b: Expr): Expr => infix('−', a.value.minus(b.value), a, b),
  times: (a: Expr, b: Expr): Expr => infix('×', a.value.times(b.value), a, b),
  max: (a: Expr, b: Expr): Expr => call('max', Decimal.max(a.value, b.value), [a, b]),
  min: (a: Expr, b: Expr): Expr => call('min', Decimal.min(a.value, b.value), [a, b]),
  /** half up to the fen (the money module's rounding) */
  round: (a: Expr): Expr => call('round', roundFen(a.value), [a]),
  /** to the fen without a round() in the text (qd-rigid-2018's traces show none) */
  fen: (a: Expr): Expr => ({ ...a, value: roundFen(a.value) }),
};

/** One step of a decision, as data. */
export interface Step {
  step: string;
  clause: string;
  inputs?: Record<string, Shown>;
  /** what the step found, in words */
  result?: string;
  /** or what it computed: `prefix name = formula [= evaluated] = value suffix` */
  computed?: { name?: string; expr: Expr; stages?: boolean; prefix?: string; suffix?: string };
}

/** The one place a step becomes words (the trace in the ledger, the jsonl, 计算过程 and explain all read this). */
export function renderStep(s: Step): TraceStep {
  const c = s.computed;
  const result = c
    ? `${c.prefix ?? ''}${c.name ? `${c.name} = ` : ''}${c.expr.text}${c.stages ? ` = ${c.expr.flat}` : ''} = ${fmt(c.expr.value)}${c.suffix ?? ''}`
    : (s.result ?? '');
  if (!s.inputs) return { step: s.step, clause: s.clause, result };
  // a loop rather than fromEntries(entries().map()): ~0.2 µs less a step, and a line has some sixteen
  const inputs: Record<string, string> = {};
  for (const k in s.inputs) inputs[k] = show(s.inputs[k]!);
  return { step: s.step, clause: s.clause, inputs, result };
}

/** A decision's steps as they are taken. */
export class Steps {
  readonly trace: TraceStep[] = [];
  /** records a step that found something (eligibility, a category) */
  note(s: Step): void {
    this.trace.push(renderStep(s));
  }
  /** records a step that computed an amount, and returns it */
  compute(s: Omit<Step, 'computed' | 'result'> & NonNullable<Step['computed']>): Money {
    const { step, clause, inputs, ...computed } = s;
    this.trace.push(renderStep({ step, clause, inputs, computed }));
    return s.expr.value;
  }
}
