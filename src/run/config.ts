// assist.config.json (SPEC §2.4): flags win over the config file.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { UsageError } from '../io/errors.js';
import { normalizeLabel } from '../domain/text.js';

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
  for (const [from, to] of Object.entries(aliases)) if (from !== '//') m.set(normalizeLabel(from), normalizeLabel(to));
  return m;
}
