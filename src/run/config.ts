// assist.config.json (SPEC §2.4): flags win over the config file.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { userInfo } from 'node:os';
import { UsageError } from '../io/errors.js';
import { isPostgresUrl, maskUrl } from '../ledger/postgres/url.js';
import { didYouMean, normalizeKey } from '../domain/text.js';

export interface Config {
  policies: string[];
  rosters: string[];
  ledger: string;
  out: string | null;
  hospitalAliases: Record<string, string>;
  parameters: Record<string, Record<string, unknown>>;
}

export const DEFAULT_CONFIG: Config = {
  policies: [],
  rosters: [],
  ledger: 'assist.db',
  out: null,
  hospitalAliases: {},
  parameters: {},
};

export function loadConfig(path?: string): { config: Config; baseDir: string; file: string | null } {
  const file = path ?? (existsSync('assist.config.json') ? 'assist.config.json' : null);
  if (!file) return { config: { ...DEFAULT_CONFIG }, baseDir: process.cwd(), file: null };
  if (!existsSync(file)) throw new UsageError(`找不到配置文件 ${file}。`);
  const text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  let raw: Partial<Config>;
  try {
    raw = JSON.parse(text) as Partial<Config>;
  } catch (err) {
    throw new UsageError(
      `配置文件 ${file} 不是有效的 JSON${jsonWhere(text, (err as Error).message)}：${(err as Error).message}`,
    );
  }
  checkConfig(file, raw);
  const config: Config = { ...DEFAULT_CONFIG, ...raw } as Config;
  // every path named in the config file is relative to that file's folder (cron runs from $HOME); the default
  // ./assist.db and out/ are relative to the working directory
  if (typeof raw.ledger === 'string' && raw.ledger)
    config.ledger = isPostgresUrl(raw.ledger) ? raw.ledger : resolve(dirname(resolve(file)), raw.ledger);
  if (typeof raw.out === 'string' && raw.out) config.out = resolve(dirname(resolve(file)), raw.out);
  return { config, baseDir: dirname(resolve(file)), file };
}

const KEYS: Record<keyof Config | '//', (v: unknown) => boolean> = {
  '//': () => true,
  policies: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  rosters: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  ledger: (v) => typeof v === 'string',
  out: (v) => v === null || typeof v === 'string',
  hospitalAliases: (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
  parameters: (v) => isObject(v) && Object.entries(v).every(([k, x]) => k === '//' || isObject(x)),
};
const SHAPE: Record<string, string> = {
  policies: '政策编号的列表，如 ["th-2021"]',
  rosters: '文件或通配符的列表，如 ["rosters/*.xlsx"]',
  ledger: '文件路径或 postgres:// 地址（文字）',
  out: '文件夹路径文字',
  hospitalAliases: '对象 { "别名": "规范名称" }',
  parameters: '对象 { "政策编号": { "参数": 值 } }',
};
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** SPEC §6: an unknown key or a value of the wrong type stops the run before anything is read, naming the key. */
function checkConfig(file: string, raw: unknown): asserts raw is Partial<Config> {
  if (!isObject(raw)) throw new UsageError(`配置文件 ${file} 应为一个 JSON 对象 { … }。`);
  for (const [key, value] of Object.entries(raw)) {
    const ok = KEYS[key as keyof typeof KEYS];
    if (!ok)
      throw new UsageError(
        `配置文件 ${file} 中有未知的键“${key}”${didYouMean(
          key,
          Object.keys(KEYS).filter((k) => k !== '//'),
        )}。可用的键：${Object.keys(SHAPE).join('、')}。`,
      );
    if (!ok(value))
      throw new UsageError(`配置文件 ${file} 中“${key}”的值应为${SHAPE[key]}，而不是 ${JSON.stringify(value)}。`);
  }
}

/** "（第 3 行第 14 列）" from JSON.parse's "at position N", or ''. */
function jsonWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `（第 ${line} 行第 ${column} 列）`;
}

/** Expands simple globs (* and ? in the file-name part) relative to baseDir; lock and hidden files are passed to onSkip. */
export function expandGlobs(patterns: string[], baseDir: string, onSkip?: (file: string) => void): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const full = resolve(baseDir, p);
    if (!/[*?]/.test(basename(full))) {
      out.push(full);
      continue;
    }
    const dir = dirname(full);
    const re = new RegExp(
      '^' +
        basename(full)
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.') +
        '$',
    );
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!re.test(f)) continue;
      // Excel's lock file of an open workbook (~$roster.xlsx) and hidden files are not inputs
      if (f.startsWith('~$') || f.startsWith('.')) onSkip?.(join(dir, f));
      else out.push(join(dir, f));
    }
  }
  return out;
}

export function aliasMap(aliases: Record<string, string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [from, to] of Object.entries(aliases)) if (from !== '//') m.set(normalizeKey(from), normalizeKey(to));
  return m;
}

/** Where the ledger is: a SQLite file (the default), or a PostgreSQL database shared by a city's offices. */
export type LedgerLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** --ledger, else ASSIST_LEDGER_URL, else the config's "ledger" (a path relative to the config file), else ./assist.db. */
export function ledgerLocation(flag: string | undefined, config: Config): LedgerLocation {
  return locate(flag || process.env.ASSIST_LEDGER_URL || config.ledger || 'assist.db');
}

/** A ledger path or postgres:// address as a location. */
export function locate(v: string): LedgerLocation {
  return isPostgresUrl(v) ? { kind: 'postgres', url: v } : { kind: 'sqlite', path: resolve(v) };
}

/** The ledger as it may be printed: the file, or the server's address with its password masked. */
export function ledgerName(where: LedgerLocation): string {
  return where.kind === 'sqlite' ? where.path : maskUrl(where.url);
}

/** --operator, else the OS user. */
export function operatorName(flag: string | undefined): string {
  if (flag) return flag;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '未知';
  }
}

/** The command line as recorded in the ledger. */
export function commandLine(): string {
  // recorded in the ledger and printed by `ledger runs`: a password in a postgres:// address is masked
  return ['assist', ...process.argv.slice(2)]
    .map((a) => maskUrl(a))
    .map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a))
    .join(' ');
}

/** The console note for a file a glob skipped. */
export function skippedNote(file: string): string {
  return basename(file).startsWith('~$')
    ? `提示：已跳过 ${file}（Excel 打开工作簿时生成的锁定文件，不是名单）`
    : `提示：已跳过隐藏文件 ${file}`;
}
