// How a policy parameter reads to a clerk — its value in force on a date and the words for it — from the parameter
// file alone, so that explain can show the parameters a past run stored without loading the policies.
import type { IsoDate } from './dates.js';
import { CATEGORIES, categoryLabel, type Category } from './categories.js';

/** the date of a value that has always applied */
export const OPEN_ENDED = '1900-01-01';

export interface ParameterDef {
  description: string;
  reference: string;
  values: Record<IsoDate, unknown>;
  /** how the keys of a table-valued parameter read in Chinese (the policy's own words: "1" → 一类人群) */
  labels?: Record<string, string>;
}

/** keys that mean the same in every policy's tables */
const COMMON_LABELS: Record<string, string> = { icd: 'ICD 前缀', keywords: '名称关键词' };

/** A parameter's value in a clerk's words: no null, no JSON, categories by their labels. */
export function showValue(value: unknown, labels: Record<string, string> = {}): string {
  if (value === null || value === undefined || value === '') return '未设置';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (Array.isArray(value)) {
    if (value.length === 0) return '无';
    if (value.every((v) => typeof v === 'string' && v in CATEGORIES))
      return (value as Category[]).map(categoryLabel).join('、');
    return value.map((v) => showValue(v, labels)).join('、');
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '无';
    const nested = entries.some(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v));
    return entries
      .map(([k, v]) => `${labels[k] ?? COMMON_LABELS[k] ?? k}${nested ? '：' : ' '}${showValue(v, labels)}`)
      .join(nested ? '；' : '，');
  }
  return String(value);
}
export type ParameterFile = Record<string, ParameterDef>;

/** The value in force on a date: the latest dated value not after it (else the earliest). */
export function valueAt<T>(def: ParameterDef, date: IsoDate): { value: T; since: IsoDate } {
  const keys = Object.keys(def.values).sort();
  let since = keys[0]!;
  for (const k of keys) if (k <= date) since = k;
  return { value: def.values[since] as T, since };
}

/**
 * "name = value（since 日期起；reference）" for traces, in words a clerk reads: category ids as their Chinese
 * labels; the date only when the value starts on a real date (not the open-ended default 1900-01-01).
 */
export function describeParameter(def: ParameterDef, date: IsoDate): string {
  const { value, since } = valueAt(def, date);
  return `${def.description} = ${showValue(value, def.labels ?? {})}（${since === OPEN_ENDED ? '' : `${since} 起；`}${def.reference}）`;
}
