// Parameters as data (OpenFisca style): each has dated values — a value applies from its date until
// the next one — and a reference to the clause. Config overrides replace values (SPEC §2.4).
import { readFileSync } from 'node:fs';
import type { IsoDate } from '../domain/dates.js';

export interface ParameterDef {
  description: string;
  reference: string;
  values: Record<IsoDate, unknown>;
}
export type ParameterFile = Record<string, ParameterDef>;

const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

export function loadJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

function isDatedObject(v: unknown): v is Record<IsoDate, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => DATE_KEY.test(k));
}

/** Applies overrides: a plain value replaces the value on every date; a dated object replaces those dates. */
export function applyOverrides(params: ParameterFile, overrides: Record<string, unknown> | undefined, policyId: string): ParameterFile {
  if (!overrides) return params;
  const out: ParameterFile = structuredClone(params);
  for (const [name, value] of Object.entries(overrides)) {
    if (name === '//') continue;
    const def = out[name];
    if (!def) throw new Error(`配置错误：政策 ${policyId} 没有参数“${name}”（可用：${Object.keys(params).join('、')}）`);
    if (isDatedObject(value)) def.values = { ...def.values, ...value };
    else def.values = { '1900-01-01': value };
    def.reference = `${def.reference}（已被配置文件覆盖）`;
  }
  return out;
}

/** The value in force on a date: the latest dated value not after it (else the earliest). */
export function valueAt<T>(def: ParameterDef, date: IsoDate): { value: T; since: IsoDate } {
  const keys = Object.keys(def.values).sort();
  let since = keys[0]!;
  for (const k of keys) if (k <= date) since = k;
  return { value: def.values[since] as T, since };
}

export class Params {
  constructor(
    readonly file: ParameterFile,
    readonly policyId: string,
  ) {}
  get<T>(name: string, date: IsoDate): T {
    const def = this.file[name];
    if (!def) throw new Error(`政策 ${this.policyId} 缺少参数 ${name}`);
    return valueAt<T>(def, date).value;
  }
  /** "name = value（since 日期起；reference）" for traces. */
  describe(name: string, date: IsoDate): string {
    const def = this.file[name]!;
    const { value, since } = valueAt(def, date);
    return `${def.description} = ${typeof value === 'object' ? JSON.stringify(value) : String(value)}（${since} 起；${def.reference}）`;
  }
}
