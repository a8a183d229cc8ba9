// Small shared rules: roster category at a date, in-force window, name and diagnosis matching.
import { categoryLabel, type Category } from '../domain/categories.js';
import type { IsoDate } from '../domain/dates.js';
import { normalizeLabel } from '../domain/text.js';
import type { ReasonCode } from '../domain/reasons.js';
import type { ClaimLine } from '../domain/types.js';
import { categoriesAt, type Person } from '../roster/merge.js';
import type { TraceStep } from '../engine/types.js';
import { renderStep, x, type Steps } from '../engine/steps.js';
import { maxMoney, ZERO, type Money } from '../domain/money.js';

/** The person's periods in the covered categories, as the trace shows them. */
function coveredPeriods(person: Person, covered: readonly Category[]): string {
  return person.periods
    .filter((p) => covered.includes(p.category))
    .map((p) => `${categoryLabel(p.category)} ${p.validFrom}～${p.validTo ?? '至今'}`)
    .join('；');
}

type CategoryFinding = { reasons: ReasonCode[]; categories: Category[]; step: TraceStep };

/** What the identity step found, with its recorded step. */
function categoryFinding(
  clause: string,
  reason: ReasonCode | null,
  categories: Category[],
  result: string,
  inputs?: Record<string, string>,
): CategoryFinding {
  return {
    reasons: reason ? [reason] : [],
    categories,
    step: renderStep({ step: '救助对象身份', clause, ...(inputs ? { inputs } : {}), result }),
  };
}

/** NOT_IN_ROSTER / CATEGORY_NOT_COVERED / NOT_ELIGIBLE_ON_DATE, or the covered categories on the date. */
export function categoryCheck(
  person: Person | null,
  covered: readonly Category[],
  date: IsoDate,
  clause: string,
): CategoryFinding {
  if (!person) return categoryFinding(clause, 'NOT_IN_ROSTER', [], '身份证号不在任何救助对象名单中');
  const ever = new Set(person.periods.map((p) => p.category).filter((c) => covered.includes(c)));
  const atDate = [...categoriesAt(person, date)].filter((c) => covered.includes(c));
  if (ever.size === 0)
    return categoryFinding(clause, 'CATEGORY_NOT_COVERED', [], '人员类别不属于本政策救助对象', {
      名单类别: [...new Set(person.periods.map((p) => categoryLabel(p.category)))].join('、'),
      本政策对象: covered.map(categoryLabel).join('、'),
    });
  if (atDate.length === 0)
    return categoryFinding(clause, 'NOT_ELIGIBLE_ON_DATE', [], '就诊日期不在救助身份有效期内', {
      就诊日期: date,
      身份期间: coveredPeriods(person, covered),
    });
  const result = `就诊日为${atDate.map(categoryLabel).join('、')}，属于救助对象`;
  return categoryFinding(clause, null, atDate, result, { 就诊日期: date });
}

export function inForce(date: IsoDate, from: IsoDate | null, to: IsoDate | null): boolean {
  return (!from || date >= from) && (!to || date <= to);
}

/** Item names: Ⅱ/II/2 unified, brackets, hyphens, spaces and middle dots removed, Greek alpha spelled. */
export function normalizeItem(name: string): string {
  let n = itemForms.get(name);
  if (n === undefined) {
    // item names come from a small vocabulary; the memo is dropped whole if a file brings many more
    if (itemForms.size >= MEMO_LIMIT) itemForms.clear();
    itemForms.set(name, (n = itemForm(name)));
  }
  return n;
}
const MEMO_LIMIT = 10_000;
const itemForms = new Map<string, string>();

function itemForm(name: string): string {
  return normalizeLabel(name)
    .replace(/[Ⅱⅱ]/g, 'II')
    .replace(/Ⅸ/g, 'IX')
    .replace(/Ⅷ/g, 'VIII')
    .replace(/Ⅳ/g, 'IV')
    .replace(/α|\$\\alpha\$/g, 'ALPHA')
    .replace(/[()（）【】[\]{}\-－—_·・,，、\s]/g, '')
    .toUpperCase();
}

export interface DiseaseMatcher {
  icd: string[];
  keywords: string[];
}

export function icdKey(code: string): string {
  return code.toUpperCase().replace(/[.\s·]/g, '');
}

export function diagnosisMatches(line: Pick<ClaimLine, 'diagnosisCode' | 'diagnosisName'>, m: DiseaseMatcher): boolean {
  const code = lineCode(line.diagnosisCode);
  const { icd, keywords } = matcherForms(m);
  if (code && icd.some((p) => code.startsWith(p))) return true;
  const name = lineName(line.diagnosisName);
  return !!name && keywords.some((k) => name.includes(k));
}

// A line is matched against some 30 diseases in turn: its code and name are normalised once (the last line's
// are kept), each matcher's forms once for all lines — not again for every pair.
const matcherCache = new WeakMap<DiseaseMatcher, DiseaseMatcher>();
function matcherForms(m: DiseaseMatcher): DiseaseMatcher {
  let f = matcherCache.get(m);
  if (!f) matcherCache.set(m, (f = { icd: m.icd.map(icdKey), keywords: m.keywords.map(normalizeLabel) }));
  return f;
}
const lastOf = (form: (s: string) => string) => {
  let from: string | null = null;
  let to = '';
  return (s: string): string => (s === from ? to : ((from = s), (to = form(s))));
};
const lineCode = lastOf(icdKey);
const lineName = lastOf(normalizeLabel);

export function hasDiagnosis(line: Pick<ClaimLine, 'diagnosisCode' | 'diagnosisName'>): boolean {
  return !!(line.diagnosisCode || line.diagnosisName);
}

/**
 * SPEC §6 "one line never stops the month": no policy pays more than the patient still bears on the line
 * (医疗总费用 − what was paid before this policy, the line's own payments and earlier policies' alike).
 * Each calculator passes its payment through here; when it caps, a trace step says so.
 */
export function capToBorne(
  pay: Money,
  line: Pick<ClaimLine, 'totalCost'>,
  priorPaid: Money,
  steps: Steps | TraceStep[],
): Money {
  const borne = maxMoney(ZERO, line.totalCost.minus(priorPaid));
  if (pay.lessThanOrEqualTo(borne)) return pay;
  const step = renderStep({
    step: '以个人仍负担的费用为限',
    clause: 'SPEC §6：任何政策对一行的支付不超过该行个人仍负担的费用',
    inputs: { 医疗总费用: line.totalCost, 已支付: priorPaid, 计算所得支付: pay },
    computed: { name: '支付', expr: x.min(x.money(pay), x.money(borne)) },
  });
  (Array.isArray(steps) ? steps : steps.trace).push(step);
  return borne;
}
