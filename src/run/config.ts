// assist.config.json (SPEC §2.4): flags win over the config file.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { userInfo } from 'node:os';
import { UsageError } from '../io/errors.js';
import { normalizeKey } from '../domain/text.js';

export interface Config {
  policies: string[];
  rosters: string[];
  ledger: string;
  out: string | null;
  hospitalAliases: Record<string, string>;
  parameters: Record<string, Record<string, unknown>>;
}

export const DEFAULT_CONFIG: Config = { policies: [], rosters: [], ledger: 'assist.db', out: null, hospitalAliases: {}, parameters: {} };

export function loadConfig(path?: string): { config: Config; baseDir: string; file: string | null } {
  const file = path ?? (existsSync('assist.config.json') ? 'assist.config.json' : null);
  if (!file) return { config: { ...DEFAULT_CONFIG }, baseDir: process.cwd(), file: null };
  if (!existsSync(file)) throw new UsageError(`找不到配置文件 ${file}。`);
  let raw: Partial<Config>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Config>;
  } catch (err) {
    throw new UsageError(`配置文件 ${file} 不是有效的 JSON：${(err as Error).message}`);
  }
  const config: Config = { ...DEFAULT_CONFIG, ...raw } as Config;
  // a ledger named in the config file is relative to that file; the default ./assist.db to the working directory
  if (typeof raw.ledger === 'string' && raw.ledger) config.ledger = resolve(dirname(resolve(file)), raw.ledger);
  return { config, baseDir: dirname(resolve(file)), file };
}

/** Expands simple globs (* and ? in the file-name part) relative to baseDir. */
export function expandGlobs(patterns: string[], baseDir: string): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const full = resolve(baseDir, p);
    if (!/[*?]/.test(basename(full))) {
      out.push(full);
      continue;
    }
    const dir = dirname(full);
    const re = new RegExp('^' + basename(full).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (re.test(f) && !f.startsWith('.')) out.push(join(dir, f));
  }
  return out;
}

export function aliasMap(aliases: Record<string, string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [from, to] of Object.entries(aliases)) if (from !== '//') m.set(normalizeKey(from), normalizeKey(to));
  return m;
}

/** --ledger wins; else the config's "ledger" (relative to the config file); else ./assist.db. */
export function resolveLedgerPath(flag: string | undefined, config: Config): string {
  return resolve(flag || config.ledger || 'assist.db');
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
  return ['assist', ...process.argv.slice(2)].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
