// The witness outside the database (SPEC §5 tamper evidence): after every committed run one line is appended
// to a text file beside the ledger — run id, 台账校验码, full chain hash. Deleting the last runs leaves the
// chain inside the database whole; the journal (and a code read off a printed list, `ledger check --head`)
// still names them.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { UsageError } from '../io/errors.js';

export interface JournalEntry {
  runId: number;
  code: string;
  hash: string;
}

/** The short code printed on the console, workbooks and lists: run id and the chain hash's first 8 hex digits. */
export function ledgerCode(runId: number, hash: string): string {
  return `${runId}-${hash.slice(0, 8).toUpperCase()}`;
}

/** `7-3FA0C2D1` → run 7, hash prefix; anything else is a usage error. */
export function parseLedgerCode(code: string): { runId: number; prefix: string } {
  const m = /^\s*(\d+)\s*[-－—]\s*([0-9a-fA-F]{8})\s*$/.exec(code);
  if (!m) throw new UsageError(`台账校验码应形如“7-3FA0C2D1”（运行号-8 位十六进制），而不是“${code}”。`);
  return { runId: Number(m[1]), prefix: m[2]!.toLowerCase() };
}

export function journalPath(ledgerPath: string): string {
  return `${ledgerPath}.journal.txt`;
}

const HEADER =
  '# assist 台账校验码日志：每次运行提交后追加一行（运行号、台账校验码、链哈希、类型、月份、提交时间）。请勿编辑或删除；assist ledger check 据此发现被删除的运行。\n';

export function readJournal(ledgerPath: string): JournalEntry[] | null {
  const file = journalPath(ledgerPath);
  if (!existsSync(file)) return null;
  const entries: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [id, code, hash] = line.split('\t');
    if (id && code && hash && /^\d+$/.test(id)) entries.push({ runId: Number(id), code, hash });
  }
  return entries;
}

/**
 * The journal file, with only its header, made before a ledger's first journaled run commits: a process killed
 * between that COMMIT and its append leaves a journal that lacks the run (noted by ledger check, appended by the
 * next run), not a missing one (which check must report as deleted).
 */
export function ensureJournal(ledgerPath: string): void {
  const file = journalPath(ledgerPath);
  if (!existsSync(file)) appendSynced(file, HEADER);
}

/** Appends entries (synchronously, fsync'd): a committed run is on disk twice before the command reports it. */
export function appendJournal(
  ledgerPath: string,
  rows: { runId: number; hash: string; kind: string; month: string | null; at: string }[],
): void {
  if (rows.length === 0) return;
  const file = journalPath(ledgerPath);
  const text =
    (existsSync(file) ? '' : HEADER) +
    rows
      .map((r) => [r.runId, ledgerCode(r.runId, r.hash), r.hash, r.kind, r.month ?? '', r.at].join('\t') + '\n')
      .join('');
  appendSynced(file, text);
}

/** Text appended to a private (0600) file and fsync'd before returning. */
function appendSynced(file: string, text: string): void {
  appendFileSync(file, text, { mode: 0o600 });
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
