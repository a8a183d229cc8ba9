// What each policy parameter is (issue 19 §2): a kind parses and checks one dated value once, when the policy is
// loaded, so a bad value is an exit-2 message naming the parameter — not a DecimalError halfway through a month —
// and the calculators read typed values (Decimal, number, Category[] …) from params.at(date).
import { D, type Money } from '../domain/money.js';
import type { Decimal } from 'decimal.js';
import { CATEGORIES, type Category } from '../domain/categories.js';
import type { IsoDate } from '../domain/dates.js';

/** what parse returns for a value that is not of the kind (null is a value: dateOrNone's 不设) */
export const BAD: unique symbol = Symbol('not of this kind');
export type Bad = typeof BAD;

export interface Kind<T> {
  /** what the value should be, in the words of the error message */
  readonly want: string;
  /** the typed value, or BAD */
  parse(v: unknown): T | Bad;
}

export type KindOf<K> = K extends Kind<infer T> ? T : never;
export type Schema = Record<string, Kind<unknown>>;
export type Values<S extends Schema> = { readonly [N in keyof S]: KindOf<S[N]> };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

function decimal(v: unknown): Decimal | Bad {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return new D(v);
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return new D(v.trim());
  return BAD;
}
function list<T>(v: unknown, each: (x: unknown) => T | Bad): T[] | Bad {
  if (!Array.isArray(v)) return BAD;
  const out: T[] = [];
  for (const x of v) {
    const t = each(x);
    if (t === BAD) return BAD;
    out.push(t);
  }
  return out;
}

export const date: Kind<IsoDate> = {
  want: '应为 YYYY-MM-DD 日期',
  parse: (v) => (typeof v === 'string' && ISO_DATE.test(v) ? v : BAD),
};
export const dateOrNone: Kind<IsoDate | null> = {
  want: '应为 YYYY-MM-DD 日期，或 null 表示不设',
  parse: (v) => (v === null ? null : date.parse(v)),
};
/** A non-negative amount of yuan: "3000", "0.5" (text keeps its digits exact) */
export const money: Kind<Money> = { want: '应为非负金额（如 "3000"）', parse: decimal };
/** A share from 0 to 1: "0.50" */
export const ratio: Kind<Decimal> = {
  want: '应为 0 到 1 之间的比例（如 "0.50"）',
  parse: (v) => {
    const d = decimal(v);
    return d !== BAD && d.lte(1) ? d : BAD;
  },
};
export const count: Kind<number> = {
  want: '应为非负整数',
  parse: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : BAD),
};
export const text: Kind<string> = { want: '应为文字', parse: (v) => (typeof v === 'string' ? v : BAD) };
export const texts: Kind<string[]> = { want: '应为文字列表 [ "…" ]', parse: (v) => list(v, text.parse) };
export const categories: Kind<Category[]> = {
  want: `应为人员类别编号的列表（可用：${Object.keys(CATEGORIES).join('、')}）`,
  parse: (v) => list(v, (x) => (typeof x === 'string' && x in CATEGORIES ? (x as Category) : BAD)),
};
/** A table with exactly these keys (or any keys when `keys` is omitted), each value of one kind. */
export function table<T, K extends string = string>(inner: Kind<T>, keys?: readonly K[]): Kind<Record<K, T>> {
  return {
    want: keys
      ? `应为对象 { ${keys.map((k) => `"${k}": …`).join(', ')} }，每项${inner.want.replace(/^应为/, '为')}`
      : `应为对象 { "名称": … }，每项${inner.want.replace(/^应为/, '为')}`,
    parse: (v) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return BAD;
      const entries = Object.entries(v as Record<string, unknown>).filter(([k]) => k !== '//');
      if (keys && (entries.length !== keys.length || entries.some(([k]) => !(keys as readonly string[]).includes(k))))
        return BAD;
      const out: Record<string, T> = {};
      for (const [k, x] of entries) {
        const t = inner.parse(x);
        if (t === BAD) return BAD;
        out[k] = t;
      }
      return out as Record<K, T>;
    },
  };
}
/** ICD prefixes and name keywords that pick out diseases */
export const matcher: Kind<{ icd: string[]; keywords: string[] }> = {
  want: '应为 { "icd": [ … ], "keywords": [ … ] }',
  parse: (v) => {
    const t = table(texts, ['icd', 'keywords'] as const).parse(v);
    return t === BAD ? BAD : { icd: t.icd, keywords: t.keywords };
  },
};
/** A value the policy checks itself (a bundled file name, or the list it names) */
export const raw: Kind<unknown> = { want: '应有值', parse: (v) => (v === undefined ? BAD : v) };
