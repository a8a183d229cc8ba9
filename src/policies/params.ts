// Parameters as data (OpenFisca style): each has dated values — a value applies from its date until
// the next one — and a reference to the clause. Config overrides replace values (SPEC §2.4). How a stored
// parameter reads (explain, traces) is in domain/parameter-text.ts, which the ledger uses too.
export { showValue, valueAt, type ParameterDef, type ParameterFile } from '../domain/parameter-text.js';
import { readFileSync } from 'node:fs';
import type { IsoDate } from '../domain/dates.js';
import { didYouMean } from '../domain/text.js';
import { OPEN_ENDED, describeParameter, valueAt, type ParameterFile } from '../domain/parameter-text.js';
import { BAD, type Schema, type Values } from './param-kinds.js';

const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

export function loadJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

function isDatedObject(v: unknown): v is Record<IsoDate, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length > 0 &&
    Object.keys(v).every((k) => DATE_KEY.test(k))
  );
}

/** Applies overrides: a plain value replaces the value on every date; a dated object replaces those dates. */
export function applyOverrides(
  params: ParameterFile,
  overrides: Record<string, unknown> | undefined,
  policyId: string,
): ParameterFile {
  if (!overrides) return params;
  const out: ParameterFile = structuredClone(params);
  for (const [name, value] of Object.entries(overrides)) {
    if (name === '//') continue;
    const def = out[name];
    if (!def)
      throw new Error(
        `配置中的政策 ${policyId} 没有参数“${name}”${didYouMean(name, Object.keys(params))}（可用：${Object.keys(params).join('、')}）`,
      );
    const shape = Object.values(params[name]!.values)[0];
    if (isDatedObject(value)) {
      for (const [date, v] of Object.entries(value)) checkValue(`${policyId}.${name}（${date} 起）`, shape, v);
      def.values = { ...def.values, ...value };
    } else {
      checkValue(`${policyId}.${name}`, shape, value);
      def.values = { '1900-01-01': value };
    }
    def.reference = `${def.reference}（已被配置文件覆盖）`;
  }
  return out;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An override has the shape of the shipped value (SPEC §6: a wrong type stops the run before anything is read,
 * naming the parameter): a number in text stays a non-negative number, a date a date, an object keeps its keys
 * (an empty shipped object — qd-rigid-2018's caps — leaves its keys to the policy), a list stays a list.
 */
export function checkValue(path: string, shape: unknown, v: unknown): void {
  const bad = (want: string) => new Error(`配置中的参数 ${path} 的值 ${JSON.stringify(v)} ${want}`);
  if (shape === null) {
    if (v !== null && !(typeof v === 'string' && ISO_DATE.test(v))) throw bad('应为 YYYY-MM-DD 日期，或 null 表示不设');
  } else if (typeof shape === 'string' && DECIMAL.test(shape)) {
    if (!((typeof v === 'string' && DECIMAL.test(v.trim())) || (typeof v === 'number' && Number.isFinite(v) && v >= 0)))
      throw bad(`不是有效的非负数（应写成如 "${shape}"）`);
  } else if (typeof shape === 'string' && ISO_DATE.test(shape)) {
    if (typeof v !== 'string' || !ISO_DATE.test(v)) throw bad(`不是 YYYY-MM-DD 日期（如 "${shape}"）`);
  } else if (typeof shape === 'string') {
    if (typeof v !== 'string') throw bad('应为文字');
  } else if (typeof shape === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`应为数字（如 ${shape}）`);
  } else if (typeof shape === 'boolean') {
    if (typeof v !== 'boolean') throw bad('应为 true 或 false');
  } else if (Array.isArray(shape)) {
    if (!Array.isArray(v)) throw bad('应为列表 [ … ]');
    if (shape.length) for (const [i, x] of v.entries()) checkValue(`${path}[${i}]`, shape[0], x);
  } else if (shape && typeof shape === 'object') {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('应为对象 { … }');
    const keys = Object.keys(shape);
    if (keys.length === 0) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '//') continue;
      if (!(k in shape))
        throw new Error(`配置中的参数 ${path} 没有“${k}”这一项${didYouMean(k, keys)}（可用：${keys.join('、')}）`);
      checkValue(`${path}.${k}`, (shape as Record<string, unknown>)[k], x);
    }
  }
}

export class Params<S extends Schema = Schema> {
  /** every date on which some parameter changes, ascending: the values in force are the same between two of them */
  private readonly changes: IsoDate[];
  private readonly parsed = new Map<string, { dates: IsoDate[]; values: unknown[] }>();
  private readonly cache = new Map<IsoDate, Values<S>>();

  /**
   * With a schema, every dated value of every parameter is parsed and checked here, when the policy loads: a
   * value that is not of its kind, a parameter the file lacks or one the schema does not know is an error naming it.
   */
  constructor(
    readonly file: ParameterFile,
    readonly policyId: string,
    readonly schema?: S,
  ) {
    const all = new Set<IsoDate>();
    if (schema) {
      for (const name of Object.keys(schema)) if (!file[name]) throw new Error(`政策 ${policyId} 缺少参数“${name}”`);
      for (const name of Object.keys(file))
        if (!schema[name])
          throw new Error(
            `政策 ${policyId} 没有参数“${name}”${didYouMean(name, Object.keys(schema))}（可用：${Object.keys(schema).join('、')}）`,
          );
    }
    for (const [name, def] of Object.entries(file)) {
      const dates = Object.keys(def.values).sort();
      const kind = schema?.[name];
      const values = dates.map((d) => {
        const v = def.values[d];
        if (!kind) return v;
        const t = kind.parse(v);
        if (t === BAD)
          throw new Error(
            `政策参数 ${policyId}.${name}${d === OPEN_ENDED ? ' ' : `（${d} 起）`}的值 ${JSON.stringify(v)} 不对：${kind.want}`,
          );
        return t;
      });
      for (const d of dates) all.add(d);
      this.parsed.set(name, { dates, values });
    }
    this.changes = [...all].sort();
  }

  /** Every parameter's value in force on a date, typed by the schema (the same object for dates between two changes). */
  at(date: IsoDate): Values<S> {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid]! <= date) lo = mid + 1;
      else hi = mid;
    }
    const key = lo === 0 ? '' : this.changes[lo - 1]!;
    let values = this.cache.get(key);
    if (!values) {
      const out: Record<string, unknown> = {};
      for (const [name, p] of this.parsed) {
        let i = 0;
        for (let j = 0; j < p.dates.length; j++) if (p.dates[j]! <= key) i = j;
        out[name] = p.values[i];
      }
      values = Object.freeze(out) as Values<S>;
      this.cache.set(key, values);
    }
    return values;
  }

  get<T>(name: string, date: IsoDate): T {
    const def = this.file[name];
    if (!def) throw new Error(`政策 ${this.policyId} 缺少参数 ${name}`);
    return valueAt<T>(def, date).value;
  }
  /**
   * "name = value（since 日期起；reference）" for traces, in words a clerk reads: category ids as their Chinese
   * labels; the date only when the value starts on a real date (not the open-ended default 1900-01-01).
   */
  describe(name: string, date: IsoDate): string {
    return describeParameter(this.file[name]!, date);
  }
}
