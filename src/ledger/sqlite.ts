// The embedded ledger: one SQLite file (WAL), one write transaction per run (BEGIN IMMEDIATE, so a
// second run waits for the first instead of interleaving), a hash chain over the runs.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, chmodSync, mkdirSync, renameSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants as zc, inflateRawSync } from 'node:zlib';
import { fmt, fromFen, toFen, ZERO, type Money } from '../domain/money.js';
import type { ReasonCode, Status } from '../domain/reasons.js';
import type { ClaimLine, RowIssue } from '../domain/types.js';
import { minDate, type AccumulatorStore } from '../engine/accumulators.js';
import type { Accumulator, AccumulatorChange, LineResult } from '../engine/types.js';
import { mask } from '../domain/id-number.js';
import { UsageError } from '../io/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { noteCommitted } from '../run/scratch.js';
import { processAlive } from '../run/stale.js';
import { appendJournal, journalPath, ledgerCode, parseLedgerCode, readJournal } from './journal.js';
import { encodedLine, recordFromValues, valuesContentHash } from './content.js';
import { Utf8Builder } from '../io/utf8-builder.js';
import { traceJson } from '../engine/trace-json.js';
import {
  changeTuples,
  dateInt,
  dateText,
  decodeChanges,
  decodeDetails,
  decodePayments,
  detailEntries,
  encodeChanges,
  encodeDetails,
  encodePayments,
  paymentEntries,
  Texts,
  type ChangeTuple,
  type TextOf,
} from './texts.js';
import type {
  AccumulatorJson,
  CheckReport,
  ExceptionRow,
  Ledger,
  LedgerSession,
  LineKey,
  OpeningRow,
  Reversal,
  ReversalInfo,
  RunDraft,
  RunInfo,
  StoredLine,
  TraceEntry,
} from './store.js';

/** A trace chunk entry as stored: the line as a record (before issue 6) or as its values in RECORD_FIELDS order. */
type StoredTraceEntry = Omit<TraceEntry, 'line'> & { line: TraceEntry['line'] | (string | number | boolean | null)[] };

const TRACE_CHUNK_LINES = 2048;
const GENESIS = '0'.repeat(64);

/** A ledger problem the user can act on (missing, locked, newer, damaged): exit 2 with the message. */
export class LedgerError extends UsageError {}

type Row = Record<string, unknown>;
/** Changes as tuples in fen (a reversal's negated, without the first-claim date). */
function toChangeTuples(changes: AccumulatorChange[], sign = 1): ChangeTuple[] {
  return changes.map((c) => [
    c.year,
    c.key,
    sign * toFen(c.base ?? ZERO),
    sign * toFen(c.paid ?? ZERO),
    sign * toFen(c.entitled ?? ZERO),
    sign > 0 ? (c.firstDate ?? null) : null,
  ]);
}
function fromChangeTuples(tuples: ChangeTuple[], policy: string, idNumber: string): AccumulatorChange[] {
  return tuples.map(([year, key, base, paid, entitled, firstDate]) => ({
    policy,
    idNumber,
    year,
    key,
    base: fromFen(base),
    paid: fromFen(paid),
    entitled: fromFen(entitled),
    ...(firstDate ? { firstDate } : {}),
  }));
}
/** Payments in fen; a fund paid nothing is left out. */
function toPaymentEntries(p: Record<string, Money>, sign = 1): [string, number][] {
  return Object.entries(p)
    .filter(([, v]) => !v.isZero())
    .map(([k, v]) => [k, sign * toFen(v)]);
}
/** A result's payments as stored (schema 3), as amounts. */
export function storedPayments(stored: string | null, text: TextOf): Record<string, Money> {
  return Object.fromEntries(paymentEntries(stored, text).map(([k, v]) => [k, fromFen(v)]));
}
/** A result's details as stored (schema 3), as an object or null. */
export function storedDetails(stored: string | null, text: TextOf): Record<string, string> | null {
  const e = detailEntries(stored, text);
  return e === null ? null : (Object.fromEntries(e) as Record<string, string>);
}
/** A result's payee as stored (schema 3): NULL when it is the line's hospital (most are; it saves the name per result). */
export function storedPayee(stored: number | null, hospital: string, text: TextOf): string {
  return stored === null ? hospital : text(stored);
}
/** A line's content hash as stored: 16 bytes (ledgers written before 2026-11-23 hold 32 hex characters). */
function storedHash(h: string | Buffer): string {
  return typeof h === 'string' ? h : h.toString('hex');
}
function accJson(a: Accumulator): AccumulatorJson {
  return { base: fmt(a.base), paid: fmt(a.paid), entitled: fmt(a.entitled), firstDate: a.firstDate };
}
function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

interface Delta {
  idNumber: string;
  policy: string;
  year: number;
  key: string;
  base: number;
  paid: number;
  entitled: number;
  firstDate: string | null;
}

/**
 * Adds a change to the running total of its (person, policy, year, key): amounts add up, the first-claim
 * date is the earliest. Returns the new entry when the key was not there yet.
 */
function mergeDelta(totals: Map<string, Delta>, d: Delta): Delta | null {
  const k = `${d.idNumber}|${d.policy}|${d.year}|${d.key}`;
  const cur = totals.get(k);
  if (!cur) {
    const fresh = { ...d };
    totals.set(k, fresh);
    return fresh;
  }
  cur.base += d.base;
  cur.paid += d.paid;
  cur.entitled += d.entitled;
  cur.firstDate = minDate(cur.firstDate, d.firstDate);
  return null;
}

/** Blocks the thread (test hook only): lets a test kill the process while the run's transaction is open. */
/** Tests only: hold the written transaction before COMMIT for up to ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS, or until the file ASSIST_TEST_RESUME_FILE exists. */
function testPause(): void {
  const ms = Number(process.env.ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS ?? 0);
  if (ms > 0) {
    process.stderr.write('ASSIST_TEST: 事务已写入，等待提交\n');
    const resume = process.env.ASSIST_TEST_RESUME_FILE;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (const until = Date.now() + ms; Date.now() < until && !(resume && existsSync(resume));)
      Atomics.wait(cell, 0, 0, resume ? 50 : ms);
  }
}

export interface OpenOptions {
  /** how long `begin` waits for another run holding the ledger (ms) */
  lockTimeoutMs?: number;
  /** called once when `begin` has to wait */
  onWait?: () => void;
  /** open an existing ledger only (reports, explain, check) */
  mustExist?: boolean;
  readonly?: boolean;
}

export class SqliteLedger implements Ledger {
  readonly db: Database.Database;
  private readonly lockTimeoutMs: number;
  private readonly statements = new Map<string, Database.Statement>();
  /** Prepared statements are cached: a run looks a line up a million times. */
  q(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
  private readonly onWait?: () => void;
  /** the short texts stored once (schema 3) */
  texts!: Texts;

  constructor(
    readonly path: string,
    opts: OpenOptions = {},
  ) {
    const memory = path === ':memory:';
    if (!memory && !existsSync(path)) {
      if (opts.mustExist || opts.readonly)
        throw new LedgerError(`找不到台账文件 ${path}。请用 --ledger 指定台账路径，或先运行 assist adjudicate。`);
      mkdirSync(dirname(resolve(path)), { recursive: true });
      closeSync(openSync(path, 'a', 0o600));
    }
    if (!memory && !opts.readonly) chmodSync(path, 0o600);
    this.lockTimeoutMs = opts.lockTimeoutMs ?? Number(process.env.ASSIST_LOCK_TIMEOUT_MS ?? 3_600_000);
    this.onWait = opts.onWait;
    try {
      this.db = new Database(path, { readonly: opts.readonly ?? false, timeout: this.lockTimeoutMs });
      if (!opts.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = FULL');
      }
    } catch (err) {
      throw new LedgerError(`无法打开台账 ${path}：${(err as Error).message}（文件可能不是 assist 台账或已损坏）`);
    }
    this.migrate(opts.readonly ?? false);
    this.texts = new Texts(this.db);
    this.placePending();
  }

  private migrate(readonly: boolean): void {
    let current = 0;
    try {
      const has = this.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        .get();
      if (has)
        current =
          (this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    } catch (err) {
      throw new LedgerError(`无法读取台账 ${this.path}：${(err as Error).message}（文件可能不是 assist 台账或已损坏）`);
    }
    if (current > SCHEMA_VERSION)
      throw new LedgerError(
        `台账 ${this.path} 的结构版本为 ${current}，比本程序支持的 ${SCHEMA_VERSION} 新；请升级 assist。`,
      );
    if (current === SCHEMA_VERSION) return;
    if (readonly)
      throw new LedgerError(
        `台账 ${this.path} 的结构需要升级（${current} → ${SCHEMA_VERSION}），请先运行一次 assist ledger check。`,
      );
    // a migration rebuilds tables (create, copy, drop, rename): foreign keys are checked afterwards, not during
    const fk = this.db.pragma('foreign_keys', { simple: true }) as number;
    this.db.pragma('foreign_keys = OFF');
    this.lock();
    try {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      current =
        (this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        this.db.exec(m.sql);
        m.run?.(this.db);
        if (m.after) this.db.exec(m.after);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      }
      const broken = this.db.pragma('foreign_key_check') as unknown[];
      if (broken.length)
        throw new LedgerError(`台账 ${this.path} 升级后有 ${broken.length} 处引用不一致，已放弃升级（台账未改动）`);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.db.pragma(`foreign_keys = ${fk ? 'ON' : 'OFF'}`);
    }
    // schema 3 rebuilt the big tables: give the old tables' pages back to the file system (otherwise the file keeps
    // them free for later runs); skipped when another process has the ledger open
    if (current > 0 && current < 3) {
      try {
        this.db.exec('VACUUM');
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' && (err as { code?: string }).code !== 'SQLITE_LOCKED')
          throw err;
      }
    }
  }

  /** BEGIN IMMEDIATE: the ledger-wide write lock. Waits (busy timeout) while another run holds it. */
  private lock(): void {
    this.db.pragma('busy_timeout = 100');
    try {
      this.db.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
    this.onWait?.();
    this.db.pragma(`busy_timeout = ${this.lockTimeoutMs}`);
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY')
        throw new LedgerError(
          `台账 ${this.path} 被另一个进程占用超过 ${Math.round(this.lockTimeoutMs / 1000)} 秒，请稍后重试。`,
        );
      throw err;
    }
  }

  begin(draft: RunDraft, opts: { dryRun?: boolean } = {}): LedgerSession {
    if (opts.dryRun) {
      this.db.exec('BEGIN');
      return new SqliteSession(this, 0, true);
    }
    this.lock();
    const startedAt = new Date().toISOString();
    // run ids are never reused (SPEC §5): the highest id ever given is kept beside the runs, so deleting the
    // last run does not hand its id (and, in `explain`, its lines) to the next one
    this.db.exec('CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const id =
      Math.max(
        Number(this.meta('last_run_id') ?? 0),
        (this.q('SELECT MAX(id) AS m FROM runs').get() as { m: number | null }).m ?? 0,
      ) + 1;
    this.q(
      "INSERT INTO ledger_meta (key, value) VALUES ('last_run_id', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(String(id));
    const hadJournal = this.meta('journal') !== null;
    this.dropPlacedRecords();
    if (this.path !== ':memory:')
      this.q("INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('journal', ?)").run(journalPath(this.path));
    this.q(
      'INSERT INTO runs (id, kind, started_at, operator, command_line, month, policies, inputs, reverts_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      draft.kind,
      startedAt,
      draft.operator,
      draft.commandLine,
      draft.month,
      JSON.stringify(draft.policies),
      JSON.stringify(draft.inputs),
      draft.revertsRun ?? null,
    );
    return new SqliteSession(this, id, false, hadJournal ? id : 1);
  }

  /** A value of ledger_meta (the table exists once a run has begun with this version). */
  meta(key: string): string | null {
    const has = this.q("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'").get();
    return has
      ? ((this.q('SELECT value FROM ledger_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ??
          null)
      : null;
  }

  /**
   * Appends every committed run not yet in the journal (the one just committed; any whose line was lost when
   * a process died between COMMIT and the append). Where there is no journal file, runs from `fromId` on are
   * written: 1 for a ledger that never had one, the run just committed where the journal was deleted — so a
   * deleted journal is not silently rebuilt (ledger check reports it).
   */
  syncJournal(fromId: number): void {
    if (this.path === ':memory:') return;
    const entries = readJournal(this.path);
    const after = entries ? Math.max(0, ...entries.map((e) => e.runId)) : fromId - 1;
    const rows = this.q(
      'SELECT id, hash, kind, month, finished_at FROM runs WHERE id > ? AND hash IS NOT NULL ORDER BY id',
    ).all(after) as { id: number; hash: string; kind: string; month: string | null; finished_at: string }[];
    try {
      appendJournal(
        this.path,
        rows.map((r) => ({ runId: r.id, hash: r.hash, kind: r.kind, month: r.month, at: r.finished_at })),
      );
    } catch (err) {
      process.stderr.write(
        `警告：无法写入台账校验码日志 ${journalPath(this.path)}：${(err as Error).message}（台账已提交；下次运行时补记）\n`,
      );
    }
  }

  /**
   * SPEC §5: a committed run never loses its files. A run records where its staged files go in its own
   * transaction, and moves them after COMMIT. A record whose files are still in staging means the process died
   * in between: they are moved now, when any command opens the ledger. Nothing is written to the database here
   * (another run may hold the write lock): records whose files are all in place are dropped by the next run,
   * inside its own transaction (begin).
   */
  placePending(): void {
    if (this.path === ':memory:' || !this.meta('journal')) return;
    const pending = this.q("SELECT key, value FROM ledger_meta WHERE key LIKE 'place:%'").all() as {
      key: string;
      value: string;
    }[];
    for (const p of pending) {
      const runId = Number(p.key.slice('place:'.length));
      const moves = JSON.parse(p.value) as [string, string][];
      // the run's own process may be between its COMMIT and its renames right now
      const owner = Number(/\.assist-staging-(\d+)/.exec(moves[0]?.[0] ?? '')?.[1]);
      if (owner && owner !== process.pid && processAlive(owner)) continue;
      const moved: string[] = [];
      for (const [from, to] of moves) {
        if (!existsSync(from)) continue;
        let target = to;
        for (let i = 2; existsSync(target); i++) target = to.replace(/(\.[a-z]+)$/, `-${i}$1`);
        mkdirSync(dirname(target), { recursive: true });
        renameSync(from, target);
        moved.push(target);
        try {
          rmdirSync(dirname(from));
        } catch {
          // other files still to move, or the folder is gone
        }
      }
      if (moved.length)
        process.stderr.write(
          `第 ${runId} 次运行已提交但其文件未放置到位（提交后中断）；现已放置：${moved.join('、')}\n`,
        );
    }
  }

  /** Inside a run's transaction: placement records whose files are all in place are done. */
  private dropPlacedRecords(): void {
    const pending = this.q("SELECT key, value FROM ledger_meta WHERE key LIKE 'place:%'").all() as {
      key: string;
      value: string;
    }[];
    for (const p of pending)
      if ((JSON.parse(p.value) as [string, string][]).every(([from]) => !existsSync(from)))
        this.q('DELETE FROM ledger_meta WHERE key = ?').run(p.key);
  }

  /** The 台账校验码 of the last committed run, or null for an empty ledger. */
  headCode(): string | null {
    const r = this.q('SELECT id, hash FROM runs WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
      { id: number; hash: string } | undefined;
    return r ? ledgerCode(r.id, r.hash) : null;
  }

  /** The journal and a printed code against the runs in the database: deleted or rebuilt runs. */
  private checkWitnesses(
    runs: { id: number; hash: string | null }[],
    head: string | undefined,
    problems: string[],
    notes: string[],
  ): void {
    const byId = new Map(runs.map((r) => [r.id, r.hash]));
    const maxId = runs.length ? runs[runs.length - 1]!.id : 0;
    if (head) {
      const { runId, prefix } = parseLedgerCode(head);
      const hash = byId.get(runId);
      if (hash === undefined)
        problems.push(
          `校验码 ${head.trim()} 对应的第 ${runId} 次运行不在台账中：${runId > maxId ? '台账最后的运行已被删除' : '该运行已被删除'}`,
        );
      else if (!hash || !hash.startsWith(prefix))
        problems.push(
          `校验码 ${head.trim()} 与台账第 ${runId} 次运行（${hash ? ledgerCode(runId, hash) : '无哈希'}）不符：该运行或其之前的运行被改动、删除或重建`,
        );
    }
    if (this.path === ':memory:') return;
    const entries = readJournal(this.path);
    if (!entries) {
      if (this.meta('journal') !== null)
        problems.push(`台账校验码日志 ${journalPath(this.path)} 不存在（被删除或移走）；台账记录曾写过该日志`);
      else if (runs.length)
        notes.push(`尚无台账校验码日志（本版本之前的台账）；下次运行提交时建立 ${journalPath(this.path)}`);
      return;
    }
    const journaled = new Set<number>();
    for (const e of entries) {
      journaled.add(e.runId);
      const hash = byId.get(e.runId);
      if (hash === undefined)
        problems.push(`校验码日志记有第 ${e.runId} 次运行（校验码 ${e.code}），台账中已没有该运行：运行被删除`);
      else if (hash !== e.hash)
        problems.push(
          `台账第 ${e.runId} 次运行的链哈希（${hash ? ledgerCode(e.runId, hash) : '无'}）与校验码日志（${e.code}）不符：运行被删除后重建或改动`,
        );
    }
    const lastJournaled = Math.max(0, ...journaled);
    for (const r of runs) {
      if (journaled.has(r.id) || !r.hash) continue;
      if (r.id < lastJournaled) problems.push(`台账第 ${r.id} 次运行不在校验码日志中：运行被插入，或日志被改动`);
      else notes.push(`第 ${r.id} 次运行尚未记入校验码日志（提交后中断？）；下次运行提交时补记`);
    }
  }

  private runFromRow(r: Row): RunInfo {
    return {
      id: r.id as number,
      kind: r.kind as RunInfo['kind'],
      startedAt: r.started_at as string,
      finishedAt: (r.finished_at as string) ?? null,
      operator: r.operator as string,
      commandLine: r.command_line as string,
      month: (r.month as string) ?? null,
      policies: JSON.parse(r.policies as string),
      inputs: JSON.parse(r.inputs as string),
      counts: r.counts ? JSON.parse(r.counts as string) : {},
      ...(r.reverts_run ? { revertsRun: r.reverts_run as number } : {}),
      contentHash: (r.content_hash as string) ?? null,
      prevHash: (r.prev_hash as string) ?? null,
      hash: (r.hash as string) ?? null,
    };
  }

  runs(): RunInfo[] {
    return (this.q('SELECT * FROM runs ORDER BY id').all() as Row[]).map((r) => this.runFromRow(r));
  }
  run(id: number): RunInfo | null {
    const r = this.q('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return r ? this.runFromRow(r) : null;
  }

  private static LINE_SELECT = 'SELECT l.*, h.name AS hospital FROM lines l JOIN hospitals h ON h.id = l.hospital_id';

  lineFromRow(r: Row): StoredLine {
    const line: StoredLine = {
      id: r.id as number,
      runId: r.run_id as number,
      claimId: r.claim_id as string,
      lineNo: r.line_no as number,
      hospital: r.hospital as string,
      contentHash: storedHash(r.content_hash as string | Buffer),
      source: this.texts.text(r.source as number),
      row: r.row as number,
      idNumber: r.id_number as string,
      name: r.name as string,
      visitType: this.texts.text(r.visit_type as number),
      admissionDate: dateText(r.admission_date as number | string),
      settlementDate: dateText(r.settlement_date as number | string),
      totalCost: fromFen(r.total_cost as number),
      basicPaid: fromFen(r.basic_paid as number),
      seriousIllnessPaid: fromFen(r.serious_paid as number),
      assistancePaid: fromFen(r.assistance_paid as number),
      otherPaid: fromFen(r.other_paid as number),
      personalBurden: fromFen(r.personal_burden as number),
      patientRemaining: fromFen(r.patient_remaining as number),
      status: this.texts.text(r.status as number) as Status,
      supersededBy: (r.superseded_by as number) ?? null,
      traceChunk: r.trace_chunk as number,
      traceIndex: r.trace_index as number,
      results: [],
    };
    const text = this.texts.text;
    line.results = (this.q('SELECT * FROM results WHERE line_id = ? ORDER BY id').all(line.id) as Row[]).map((x) => {
      const policy = text(x.policy as number);
      const reasons = text(x.reasons as number);
      return {
        id: x.id as number,
        policy,
        status: text(x.status as number) as Status,
        reasons: (reasons ? reasons.split(',') : []) as ReasonCode[],
        base: fromFen(x.base as number),
        payee: storedPayee(x.payee as number | null, line.hospital, text),
        payments: storedPayments(x.payments as string | null, text),
        changes: fromChangeTuples(changeTuples(x.changes as string | null, text), policy, line.idNumber),
        details: storedDetails(x.details as string | null, text),
      };
    });
    return line;
  }

  private readonly hospitalIds = new Map<string, number>();
  /** A hospital's id (cached once known); `create` adds an unknown one (inside a run's transaction). */
  hospitalId(name: string, create = false): number | null {
    const cached = this.hospitalIds.get(name);
    if (cached !== undefined) return cached;
    let id = (this.q('SELECT id FROM hospitals WHERE name = ?').get(name) as { id: number } | undefined)?.id ?? null;
    if (id === null && create) id = Number(this.q('INSERT INTO hospitals (name) VALUES (?)').run(name).lastInsertRowid);
    if (id !== null) this.hospitalIds.set(name, id);
    return id;
  }
  /** After a rollback the ids a run added are gone again. */
  forgetHospitalIds(): void {
    this.hospitalIds.clear();
    this.texts.forget();
  }

  findActive(key: LineKey): StoredLine | null {
    // the hospital's id first (cached), then an index lookup that touches only the key and the id
    const hid = this.hospitalId(key.hospital);
    if (hid === null) return null;
    const hit = this.q(
      'SELECT id FROM lines WHERE claim_id = ? AND line_no = ? AND hospital_id = ? AND superseded_by IS NULL',
    ).get(key.claimId, key.lineNo, hid) as { id: number } | undefined;
    if (!hit) return null;
    const r = this.q(`${SqliteLedger.LINE_SELECT} WHERE l.id = ?`).get(hit.id) as Row;
    return this.lineFromRow(r);
  }
  findExceptions(by: { claimId: string; lineNo?: number } | { source: string; row: number }): ExceptionRow[] {
    if (!this.q("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exceptions'").get()) return [];
    const rows = (
      'claimId' in by
        ? by.lineNo === undefined
          ? this.q('SELECT * FROM exceptions WHERE claim_id = ? ORDER BY id').all(by.claimId)
          : this.q('SELECT * FROM exceptions WHERE claim_id = ? AND (line_no = ? OR line_no IS NULL) ORDER BY id').all(
              by.claimId,
              by.lineNo,
            )
        : this.q('SELECT * FROM exceptions WHERE source = ? AND row = ? ORDER BY id').all(by.source, by.row)
    ) as Record<string, unknown>[];
    return rows.map((r) => ({
      runId: r.run_id as number,
      kind: r.kind as ExceptionRow['kind'],
      source: r.source as string,
      sheet: r.sheet as string,
      row: r.row as number,
      claimId: r.claim_id as string,
      lineNo: r.line_no as number | null,
      hospital: r.hospital as string,
      idNumber: r.id_number as string,
      name: r.name as string,
      issues: JSON.parse(r.issues as string) as RowIssue[],
      priorRun: r.prior_run as number | null,
    }));
  }

  findLines(claimId: string, lineNo?: number): StoredLine[] {
    const rows = (
      lineNo === undefined
        ? this.q(`${SqliteLedger.LINE_SELECT} WHERE l.claim_id = ? ORDER BY l.id`).all(claimId)
        : this.q(`${SqliteLedger.LINE_SELECT} WHERE l.claim_id = ? AND l.line_no = ? ORDER BY l.id`).all(
            claimId,
            lineNo,
          )
    ) as Row[];
    return rows.map((r) => this.lineFromRow(r));
  }
  findLinesAt(source: string, row: number): StoredLine[] {
    // no index on (source, row): a scan of the lines, for one interactive explain
    const rows = this.q(
      `${SqliteLedger.LINE_SELECT} WHERE l.source = (SELECT id FROM texts WHERE t = ?) AND l.row = ? ORDER BY l.id`,
    ).all(source, row) as Row[];
    return rows.map((r) => this.lineFromRow(r));
  }
  linesOfRun(runId: number): StoredLine[] {
    return (this.q(`${SqliteLedger.LINE_SELECT} WHERE l.run_id = ? ORDER BY l.id`).all(runId) as Row[]).map((r) =>
      this.lineFromRow(r),
    );
  }
  reversalOf(resultId: number): ReversalInfo | null {
    const r = this.q('SELECT id, run_id, result_id, reason FROM reversals WHERE result_id = ?').get(resultId) as
      Row | undefined;
    return r
      ? {
          id: r.id as number,
          runId: r.run_id as number,
          resultId: r.result_id as number,
          reason: r.reason as ReversalInfo['reason'],
        }
      : null;
  }
  /** the last trace chunk read: a report walking a run's lines in order reads each chunk once */
  private chunkCache: { runId: number; chunk: number; entries: StoredTraceEntry[] } | null = null;
  trace(line: StoredLine): TraceEntry {
    let c = this.chunkCache;
    if (!c || c.runId !== line.runId || c.chunk !== line.traceChunk) {
      const r = this.q('SELECT data, codec FROM trace_chunks WHERE run_id = ? AND chunk = ?').get(
        line.runId,
        line.traceChunk,
      ) as { data: Buffer; codec: string } | undefined;
      if (!r) throw new LedgerError(`台账中缺少第 ${line.runId} 次运行的计算过程记录（块 ${line.traceChunk}）`);
      c = this.chunkCache = {
        runId: line.runId,
        chunk: line.traceChunk,
        entries: JSON.parse(
          (r.codec === 'brotli' ? brotliDecompressSync(r.data) : inflateRawSync(r.data)).toString('utf8'),
        ) as StoredTraceEntry[],
      };
    }
    const e = c.entries[line.traceIndex]!;
    // since issue 6 the line is stored as its values in RECORD_FIELDS order; earlier runs stored the record
    return Array.isArray(e.line) ? { ...e, line: recordFromValues(e.line) } : (e as TraceEntry);
  }
  accumulator(idNumber: string, policy: string, year: number, key: string): Accumulator {
    const p = this.texts.known(policy);
    const k = this.texts.known(key);
    const r =
      p === null || k === null
        ? undefined
        : (this.q('SELECT * FROM accumulators WHERE id_number = ? AND policy = ? AND year = ? AND key = ?').get(
            idNumber,
            p,
            year,
            k,
          ) as Row | undefined);
    return r
      ? {
          base: fromFen(r.base as number),
          paid: fromFen(r.paid as number),
          entitled: fromFen(r.entitled as number),
          firstDate: (r.first_date as string) ?? null,
        }
      : { base: ZERO, paid: ZERO, entitled: ZERO, firstDate: null };
  }
  accumulatorsOf(idNumber: string): (Accumulator & { policy: string; year: number; key: string })[] {
    return (
      this.q('SELECT * FROM accumulators_text WHERE id_number = ? ORDER BY policy, year, key').all(idNumber) as Row[]
    ).map((r) => ({
      policy: r.policy as string,
      year: r.year as number,
      key: r.key as string,
      base: fromFen(r.base as number),
      paid: fromFen(r.paid as number),
      entitled: fromFen(r.entitled as number),
      firstDate: (r.first_date as string) ?? null,
    }));
  }

  /**
   * sha256 over a run's immutable content, read back from the tables (the same function commits and checks).
   * Stored ids are spelled out (schema 3): the text hashed is the text schemas 1 and 2 stored, so a run keeps
   * its hash through the migration and a changed `texts` row shows.
   */
  contentHash(runId: number): string {
    const h = createHash('sha256');
    // the text is encoded into a buffer and handed to the hash ~1 MB at a time (one update per row cost a call
    // into C++ per row; a 1 MB string made of the rows was flattened into a fresh copy each time); the digest
    // is the same: sha256 over the same UTF-8 bytes in the same order
    const pending = new Utf8Builder(2 << 20);
    const put = (text: string): void => {
      pending.add(text);
      if (pending.length >= 1 << 20) {
        h.update(pending.peek());
        pending.clear();
      }
    };
    const feed = (tag: string, sql: string, map?: (row: unknown[]) => void): void => {
      for (const row of this.q(sql).raw(true).iterate(runId)) {
        map?.(row as unknown[]);
        put(`${tag}${JSON.stringify(row)}\n`);
      }
    };
    const text = this.texts.text;
    feed(
      'run',
      'SELECT kind, started_at, finished_at, operator, command_line, month, policies, inputs, counts, reverts_run FROM runs WHERE id = ?',
    );
    feed(
      'line',
      `SELECT l.id, l.claim_id, l.line_no, h.name, CASE WHEN typeof(l.content_hash) = 'blob' THEN lower(hex(l.content_hash)) ELSE l.content_hash END, l.source, l.row, l.id_number, l.name, l.visit_type, l.admission_date, l.settlement_date,
        l.total_cost, l.basic_paid, l.serious_paid, l.assistance_paid, l.other_paid, l.personal_burden, l.patient_remaining, l.status, l.trace_chunk, l.trace_index
       FROM lines l JOIN hospitals h ON h.id = l.hospital_id WHERE l.run_id = ? ORDER BY l.id`,
      (row) => {
        row[5] = text(row[5] as number);
        row[9] = text(row[9] as number);
        row[10] = dateText(row[10] as number | string);
        row[11] = dateText(row[11] as number | string);
        row[19] = text(row[19] as number);
      },
    );
    feed(
      'result',
      'SELECT r.id, r.line_id, r.policy, r.status, r.reasons, r.base, r.payee, r.payments, r.changes, r.details FROM results r JOIN lines l ON l.id = r.line_id WHERE l.run_id = ? ORDER BY r.id',
      (row) => {
        row[2] = text(row[2] as number);
        row[3] = text(row[3] as number);
        row[4] = text(row[4] as number);
        row[6] = row[6] === null ? '' : text(row[6] as number); // schema 2 stored '' for the line's hospital
        row[7] = decodePayments(row[7] as string | null, text);
        row[8] = decodeChanges(row[8] as string | null, text);
        row[9] = decodeDetails(row[9] as string | null, text);
      },
    );
    feed('reversal', 'SELECT id, result_id, reason, payments, changes FROM reversals WHERE run_id = ? ORDER BY id');
    feed(
      'opening',
      'SELECT id, id_number, policy, year, key, base, paid, entitled, first_date, source, row FROM openings WHERE run_id = ? ORDER BY id',
    );
    for (const row of this.q('SELECT chunk, data FROM trace_chunks WHERE run_id = ? ORDER BY chunk')
      .raw(true)
      .iterate(runId)) {
      const [chunk, data] = row as [number, Buffer];
      put(`chunk${chunk}:${sha256(data)}\n`);
    }
    h.update(pending.peek());
    return h.digest('hex');
  }

  static chainHash(prevHash: string, contentHash: string): string {
    return sha256(`${prevHash}${contentHash}`);
  }

  check(opts: { head?: string } = {}): CheckReport {
    const problems: string[] = [];
    const notes: string[] = [];
    const runs = this.q('SELECT id, content_hash, prev_hash, hash FROM runs ORDER BY id').all() as {
      id: number;
      content_hash: string | null;
      prev_hash: string | null;
      hash: string | null;
    }[];
    this.checkWitnesses(runs, opts.head, problems, notes);
    let prev = GENESIS;
    for (const r of runs) {
      if (!r.hash || !r.content_hash) {
        problems.push(`第 ${r.id} 次运行没有哈希（未正常提交或被改动）`);
        continue;
      }
      const content = this.contentHash(r.id);
      if (content !== r.content_hash)
        problems.push(`第 ${r.id} 次运行的内容与记录的哈希不符：其明细、结果、冲正或期初余额被改动过`);
      if (r.prev_hash !== prev)
        problems.push(`第 ${r.id} 次运行记录的上一哈希与前一次运行不符：哈希链断开（运行被删除、插入或改动）`);
      if (SqliteLedger.chainHash(r.prev_hash ?? '', r.content_hash) !== r.hash)
        problems.push(`第 ${r.id} 次运行的链哈希不符`);
      prev = r.hash;
    }
    // accumulators = Σ openings + Σ result changes − Σ reversals (first date: the earliest recorded)
    const expected = new Map<string, Delta>();
    const add = (d: Delta): void => void mergeDelta(expected, d);
    for (const o of this.q('SELECT id_number, policy, year, key, base, paid, entitled, first_date FROM openings')
      .raw(true)
      .iterate()) {
      const [idNumber, policy, year, key, base, paid, entitled, firstDate] = o as [
        string,
        string,
        number,
        string,
        number,
        number,
        number,
        string | null,
      ];
      add({ idNumber, policy, year, key, base, paid, entitled, firstDate });
    }
    const text = this.texts.text;
    for (const r of this.q(
      'SELECT l.id_number, r.policy, r.changes FROM results r JOIN lines l ON l.id = r.line_id WHERE r.changes IS NOT NULL',
    )
      .raw(true)
      .iterate()) {
      const [idNumber, policyId, changes] = r as [string, number, string];
      const policy = text(policyId);
      for (const [year, key, base, paid, entitled, firstDate] of changeTuples(changes, text))
        add({ idNumber, policy, year, key, base, paid, entitled, firstDate });
    }
    for (const r of this.q(
      'SELECT v.id, l.id_number, r.policy, v.changes, r.changes, v.payments, r.payments, v.run_id, l.superseded_by FROM reversals v JOIN results r ON r.id = v.result_id JOIN lines l ON l.id = r.line_id',
    )
      .raw(true)
      .iterate()) {
      const [id, idNumber, policyId, changes, storedOriginal, payments, storedPayments, runId, supersededBy] = r as [
        number,
        string,
        number,
        string,
        string | null,
        string,
        string | null,
        number,
        number | null,
      ];
      const policy = text(policyId);
      const originalPayments = decodePayments(storedPayments, text);
      const negated = changeTuples(storedOriginal, text).map(([y, k, b, p, e]) => [y, k, -b, -p, -e, null]);
      if (JSON.stringify(negated) !== JSON.stringify(JSON.parse(changes)))
        problems.push(`冲正记录 ${id} 的累计额变动不是原结果的相反数`);
      const nonZero = (json: string, sign: number) =>
        JSON.stringify(
          Object.entries(JSON.parse(json) as Record<string, number>)
            .filter(([, v]) => v !== 0)
            .map(([k, v]) => [k, sign * v]),
        );
      if (nonZero(originalPayments, -1) !== nonZero(payments, 1))
        problems.push(`冲正记录 ${id} 的金额不是原结果金额的相反数`);
      if (supersededBy !== runId) problems.push(`冲正记录 ${id} 对应的明细没有标记为被第 ${runId} 次运行冲正`);
      for (const [year, key, base, paid, entitled] of JSON.parse(changes) as ChangeTuple[])
        add({ idNumber, policy, year, key, base, paid, entitled, firstDate: null });
    }
    const actual = new Map<string, Delta>();
    for (const a of this.q(
      'SELECT id_number, policy, year, key, base, paid, entitled, first_date FROM accumulators_text',
    )
      .raw(true)
      .iterate()) {
      const [idNumber, policy, year, key, base, paid, entitled, firstDate] = a as [
        string,
        string,
        number,
        string,
        number,
        number,
        number,
        string | null,
      ];
      actual.set(`${idNumber}|${policy}|${year}|${key}`, {
        idNumber,
        policy,
        year,
        key,
        base,
        paid,
        entitled,
        firstDate,
      });
    }
    const zero = (d: Delta | undefined): boolean =>
      !d || (d.base === 0 && d.paid === 0 && d.entitled === 0 && !d.firstDate);
    const describe = (d: Delta | undefined): string =>
      d
        ? `基数 ${fmt(fromFen(d.base))}、支付 ${fmt(fromFen(d.paid))}、应救助 ${fmt(fromFen(d.entitled))}${d.firstDate ? `、首次 ${d.firstDate}` : ''}`
        : '无记录';
    for (const k of new Set([...expected.keys(), ...actual.keys()])) {
      const e = expected.get(k);
      const a = actual.get(k);
      if (zero(e) && zero(a)) continue;
      if (
        !e ||
        !a ||
        e.base !== a.base ||
        e.paid !== a.paid ||
        e.entitled !== a.entitled ||
        (e.firstDate ?? null) !== (a.firstDate ?? null)
      ) {
        const [idNumber, policy, year, key] = k.split('|');
        problems.push(
          `累计额不符：${mask(idNumber!)} ${policy} ${year === '0' ? '跨年度' : `${year} 年`} ${key}：台账记为 ${describe(a)}，按结果与冲正合计应为 ${describe(e)}`,
        );
      }
    }
    const dup = this.q(
      'SELECT claim_id, line_no, COUNT(*) AS n FROM lines WHERE superseded_by IS NULL GROUP BY claim_id, line_no, hospital_id HAVING n > 1',
    ).all() as Row[];
    for (const d of dup)
      problems.push(`结算单 ${d.claim_id} 第 ${d.line_no} 行同时有 ${d.n} 条有效记录（重复支付风险）`);
    const orphan = this.q(
      'SELECT l.claim_id, l.line_no, l.superseded_by FROM lines l JOIN results r ON r.line_id = l.id LEFT JOIN reversals v ON v.result_id = r.id WHERE l.superseded_by IS NOT NULL AND v.id IS NULL',
    ).all() as Row[];
    for (const o of orphan)
      problems.push(`结算单 ${o.claim_id} 第 ${o.line_no} 行标记为被第 ${o.superseded_by} 次运行冲正，但缺少冲正记录`);
    const lines = (this.q('SELECT COUNT(*) AS n FROM lines').get() as { n: number }).n;
    const head = this.headCode();
    return { runs: runs.length, lines, accumulators: actual.size, problems, notes, head };
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}

class SqliteSession implements LedgerSession {
  private readonly db: Database.Database;
  private readonly deltas = new Map<string, Delta>();
  /** the same deltas by person, so loading one person's accumulators does not scan them all */
  private readonly deltasByPerson = new Map<string, Delta[]>();
  /** the current chunk's entries, each a TraceEntry as JSON text, as the UTF-8 of a JSON array being written */
  private chunk = new Utf8Builder(8 << 20);
  private chunkLines = 0;
  private chunkNo = 0;
  private done = false;
  private readonly stmt: Record<string, Database.Statement>;

  constructor(
    private readonly ledger: SqliteLedger,
    readonly runId: number,
    readonly dryRun: boolean,
    /** where the journal starts if it has no file (see syncJournal) */
    private readonly journalFrom = 1,
  ) {
    this.db = ledger.db;
    this.stmt = {
      line: this.ledger.q(
        `INSERT INTO lines (run_id, claim_id, line_no, hospital_id, content_hash, source, row, id_number, name, visit_type, admission_date, settlement_date,
          total_cost, basic_paid, serious_paid, assistance_paid, other_paid, personal_burden, patient_remaining, status, trace_chunk, trace_index)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      result: this.ledger.q(
        'INSERT INTO results (line_id, policy, status, reasons, base, payee, payments, changes, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      reversal: this.ledger.q(
        'INSERT INTO reversals (run_id, result_id, reason, payments, changes) VALUES (?, ?, ?, ?, ?)',
      ),
      supersede: this.ledger.q('UPDATE lines SET superseded_by = ? WHERE id = ? AND superseded_by IS NULL'),
      opening: this.ledger.q(
        'INSERT INTO openings (run_id, id_number, policy, year, key, base, paid, entitled, first_date, source, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      accOf: this.ledger.q(
        'SELECT policy, year, key, base, paid, entitled, first_date FROM accumulators WHERE id_number = ?',
      ),
      upsert: this.ledger.q(
        `INSERT INTO accumulators (id_number, policy, year, key, base, paid, entitled, first_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id_number, policy, year, key) DO UPDATE SET base = base + excluded.base, paid = paid + excluded.paid, entitled = entitled + excluded.entitled,
           first_date = CASE WHEN accumulators.first_date IS NULL THEN excluded.first_date WHEN excluded.first_date IS NULL THEN accumulators.first_date
                             WHEN excluded.first_date < accumulators.first_date THEN excluded.first_date ELSE accumulators.first_date END`,
      ),
      chunk: this.ledger.q("INSERT INTO trace_chunks (run_id, chunk, data, codec) VALUES (?, ?, ?, 'brotli')"),
    };
  }

  private addDelta(d: Delta): void {
    const fresh = mergeDelta(this.deltas, d);
    if (!fresh) return;
    const list = this.deltasByPerson.get(d.idNumber);
    if (list) list.push(fresh);
    else this.deltasByPerson.set(d.idNumber, [fresh]);
  }

  findActive(key: LineKey): StoredLine | null {
    return this.ledger.findActive(key);
  }

  reverse(line: StoredLine, reason: 'supersede' | 'revert'): Reversal[] {
    const out: Reversal[] = [];
    if (!this.dryRun && this.stmt.supersede!.run(this.runId, line.id).changes !== 1)
      throw new LedgerError(`结算单 ${line.claimId} 第 ${line.lineNo} 行已被冲正过，不能重复冲正`);
    for (const result of line.results) {
      if (!this.dryRun)
        this.stmt.reversal!.run(
          this.runId,
          result.id,
          reason,
          JSON.stringify(Object.fromEntries(toPaymentEntries(result.payments, -1))),
          JSON.stringify(toChangeTuples(result.changes, -1)),
        );
      for (const c of result.changes)
        this.addDelta({
          idNumber: c.idNumber,
          policy: c.policy,
          year: c.year,
          key: c.key,
          base: -toFen(c.base ?? ZERO),
          paid: -toFen(c.paid ?? ZERO),
          entitled: -toFen(c.entitled ?? ZERO),
          firstDate: null,
        });
      out.push({
        runId: this.runId,
        reason,
        line,
        result,
        payments: Object.fromEntries(Object.entries(result.payments).map(([k, v]) => [k, v.negated()])),
      });
    }
    return out;
  }

  /**
   * Writes the pending accumulator changes into the run's transaction (they become visible to the
   * next load, and are undone by a rollback), so memory does not grow with the run. A dry run keeps
   * them in memory instead (it holds no write lock).
   */
  private flushDeltas(): void {
    if (this.dryRun || this.deltas.size === 0) return;
    const id = this.ledger.texts;
    for (const d of this.deltas.values())
      this.stmt.upsert!.run(d.idNumber, id.id(d.policy), d.year, id.id(d.key), d.base, d.paid, d.entitled, d.firstDate);
    this.deltas.clear();
    this.deltasByPerson.clear();
  }

  loadAccumulators(idNumbers: Iterable<string>, into: AccumulatorStore): void {
    this.flushDeltas();
    const ids = new Set(idNumbers);
    const text = this.ledger.texts.text;
    for (const idNumber of ids) {
      for (const r of this.stmt.accOf!.all(idNumber) as Row[]) {
        into.set(
          { policy: text(r.policy as number), idNumber, year: r.year as number, key: text(r.key as number) },
          {
            base: fromFen(r.base as number),
            paid: fromFen(r.paid as number),
            entitled: fromFen(r.entitled as number),
            firstDate: (r.first_date as string) ?? null,
          },
        );
      }
    }
    for (const idNumber of ids)
      for (const d of this.deltasByPerson.get(idNumber) ?? []) {
        into.apply({
          policy: d.policy,
          idNumber: d.idNumber,
          year: d.year,
          key: d.key,
          base: fromFen(d.base),
          paid: fromFen(d.paid),
          entitled: fromFen(d.entitled),
          ...(d.firstDate ? { firstDate: d.firstDate } : {}),
        });
      }
  }

  recordLine(line: ClaimLine, results: LineResult[]): void {
    for (const r of results)
      for (const c of r.changes)
        this.addDelta({
          idNumber: c.idNumber,
          policy: c.policy,
          year: c.year,
          key: c.key,
          base: toFen(c.base ?? ZERO),
          paid: toFen(c.paid ?? ZERO),
          entitled: toFen(c.entitled ?? ZERO),
          firstDate: c.firstDate ?? null,
        });
    if (this.dryRun) return;
    // the chunk entry as JSON text (a TraceEntry, its line as the values of RECORD_FIELDS — the external sort's
    // own text for the line, not made again), the traces embedded as serialised once (traceJson)
    const enc = encodedLine(line);
    let entry = `{"line":${enc.text},"results":[`;
    results.forEach((r, i) => {
      const acc = (r.accumulators ?? []).map((a) => ({
        year: a.year,
        key: a.key,
        before: accJson(a.before),
        after: accJson(a.after),
      }));
      entry += `${i ? ',' : ''}{"policy":${JSON.stringify(r.policy)},"trace":${traceJson(r)},"accumulators":${JSON.stringify(acc)}}`;
    });
    this.chunk.add(this.chunkLines++ === 0 ? `[${entry}]}` : `,${entry}]}`);
    const status =
      results.find((r) => r.status === 'approved')?.status ??
      results.find((r) => r.status === 'pended')?.status ??
      results[0]!.status;
    const id = this.ledger.texts;
    const info = this.stmt.line!.run(
      this.runId,
      line.claimId,
      line.lineNo,
      this.ledger.hospitalId(line.hospital, true),
      Buffer.from(valuesContentHash(enc.values), 'hex'),
      id.id(line.source),
      line.row,
      line.idNumber,
      line.name,
      id.id(line.visitType),
      dateInt(line.admissionDate),
      dateInt(line.settlementDate),
      toFen(line.totalCost),
      toFen(line.basicPaid),
      toFen(line.seriousIllnessPaid),
      toFen(line.assistancePaid),
      toFen(line.supplementaryPaid.plus(line.hospitalWaiver)),
      toFen(line.personalBurden),
      toFen(results[0]!.patientRemaining),
      id.id(status),
      this.chunkNo,
      this.chunkLines - 1,
    );
    const lineId = Number(info.lastInsertRowid);
    for (const r of results) {
      if (r.policy === null) continue;
      const ids = id.id;
      this.stmt.result!.run(
        lineId,
        ids(r.policy),
        ids(r.status),
        ids(r.reasons.join(',')),
        toFen(r.base),
        r.payee === line.hospital || r.payee === '' ? null : ids(r.payee),
        encodePayments(toPaymentEntries(r.payments), ids),
        encodeChanges(toChangeTuples(r.changes), ids),
        encodeDetails(r.details ?? null, ids),
      );
    }
    if (this.chunkLines >= TRACE_CHUNK_LINES) this.flushChunk();
  }

  recordExceptions(rows: Omit<ExceptionRow, 'runId'>[]): void {
    if (this.dryRun || rows.length === 0) return;
    const st = this.ledger.q(
      'INSERT INTO exceptions (run_id, kind, source, sheet, row, claim_id, line_no, hospital, id_number, name, issues, prior_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of rows)
      st.run(
        this.runId,
        e.kind,
        e.source,
        e.sheet,
        e.row,
        e.claimId,
        e.lineNo,
        e.hospital,
        e.idNumber,
        e.name,
        JSON.stringify(e.issues),
        e.priorRun,
      );
  }

  openingExists(o: Pick<OpeningRow, 'idNumber' | 'policy' | 'year' | 'key'>): boolean {
    const r = this.ledger
      .q(
        "SELECT COUNT(*) AS n FROM openings o JOIN runs r ON r.id = o.run_id WHERE r.kind = 'opening' AND o.id_number = ? AND o.policy = ? AND o.year = ? AND o.key = ? AND o.reverted_by IS NULL",
      )
      .get(o.idNumber, o.policy, o.year, o.key) as { n: number };
    return r.n > 0;
  }

  recordOpening(o: OpeningRow): void {
    this.addDelta({
      idNumber: o.idNumber,
      policy: o.policy,
      year: o.year,
      key: o.key,
      base: toFen(o.base),
      paid: toFen(o.paid),
      entitled: toFen(o.entitled),
      firstDate: o.firstDate,
    });
    if (!this.dryRun)
      this.stmt.opening!.run(
        this.runId,
        o.idNumber,
        o.policy,
        o.year,
        o.key,
        toFen(o.base),
        toFen(o.paid),
        toFen(o.entitled),
        o.firstDate,
        o.source,
        o.row,
      );
  }

  reverseOpenings(runId: number): number {
    const rows = this.ledger
      .q('SELECT * FROM openings WHERE run_id = ? AND reverted_by IS NULL ORDER BY id')
      .all(runId) as Row[];
    for (const r of rows) {
      this.addDelta({
        idNumber: r.id_number as string,
        policy: r.policy as string,
        year: r.year as number,
        key: r.key as string,
        base: -(r.base as number),
        paid: -(r.paid as number),
        entitled: -(r.entitled as number),
        firstDate: null,
      });
      if (this.dryRun) continue;
      this.stmt.opening!.run(
        this.runId,
        r.id_number,
        r.policy,
        r.year,
        r.key,
        -(r.base as number),
        -(r.paid as number),
        -(r.entitled as number),
        null,
        r.source,
        r.row,
      );
      this.ledger.q('UPDATE openings SET reverted_by = ? WHERE id = ?').run(this.runId, r.id);
    }
    return rows.length;
  }

  /**
   * Writes the current trace chunk. Compression (brotli, ~100 bytes a line where deflate level 1 took
   * ~210) runs on libuv's thread pool — the second core — and the row is inserted when it is done;
   * `drain()` waits for all of them before the commit. The last chunk at commit is compressed here.
   */
  private flushChunk(sync = false): void {
    if (this.chunkLines === 0) return;
    this.chunk.add(']');
    const data = this.chunk.take();
    const no = this.chunkNo++;
    this.chunkLines = 0;
    const opts = {
      params: { [zc.BROTLI_PARAM_QUALITY]: 5, [zc.BROTLI_PARAM_LGWIN]: 22, [zc.BROTLI_PARAM_SIZE_HINT]: data.length },
    };
    if (sync) {
      this.stmt.chunk!.run(this.runId, no, brotliCompressSync(data, opts));
      return;
    }
    this.pendingChunks++;
    brotliCompress(data, opts, (err, out) => {
      this.pendingChunks--;
      this.chunk.recycle(data);
      if (!this.done) {
        try {
          if (err) throw err;
          this.stmt.chunk!.run(this.runId, no, out);
        } catch (e) {
          this.chunkError ??= e as Error;
        }
      }
      for (const w of this.drainWaiters.splice(0)) w();
    });
  }
  private pendingChunks = 0;
  private chunkError: Error | null = null;
  private readonly drainWaiters: (() => void)[] = [];

  async drain(maxPending = 0): Promise<void> {
    while (this.pendingChunks > maxPending) await new Promise<void>((res) => this.drainWaiters.push(res));
    if (this.chunkError) throw this.chunkError;
  }

  /**
   * Everything of the commit but the COMMIT itself: the last trace chunk and accumulator changes written, the
   * run's counts, content hash and chain hash set inside its transaction. The run stays uncommitted (a
   * rollback still undoes it) — adjudicate seals while the disbursement lists are being written, and commits
   * once they are.
   */
  seal(counts: Record<string, number>): string {
    if (this.dryRun) throw new LedgerError('试运行（--dry-run）不写入台账');
    if (this.done) throw new LedgerError('本次运行已结束');
    try {
      if (this.pendingChunks > 0) throw new LedgerError('内部错误：计算过程尚未全部写入（提交前须先 drain）');
      if (this.chunkError) throw this.chunkError;
      this.flushChunk(true);
      this.flushDeltas();
      this.ledger
        .q('UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?')
        .run(new Date().toISOString(), JSON.stringify(counts), this.runId);
      const prev =
        (
          this.ledger.q('SELECT hash FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1').get(this.runId) as
            { hash: string | null } | undefined
        )?.hash ?? GENESIS;
      const content = this.ledger.contentHash(this.runId);
      const hash = SqliteLedger.chainHash(prev, content);
      this.ledger
        .q('UPDATE runs SET content_hash = ?, prev_hash = ?, hash = ? WHERE id = ?')
        .run(content, prev, hash, this.runId);
      this.sealed = hash;
      return hash;
    } catch (err) {
      this.rollback();
      throw err;
    }
  }
  private sealed: string | null = null;

  /** Seals the run (unless sealed already) and commits it. */
  commit(counts: Record<string, number>): RunInfo {
    if (this.done) throw new LedgerError('本次运行已结束');
    if (!this.sealed) this.seal(counts);
    try {
      testPause();
      this.db.exec('COMMIT');
      this.done = true;
      noteCommitted(this.runId);
    } catch (err) {
      this.rollback();
      throw err;
    }
    this.ledger.syncJournal(this.journalFrom);
    return this.ledger.run(this.runId)!;
  }

  recordPlacement(moves: [string, string][]): void {
    if (this.dryRun) return;
    this.ledger
      .q('INSERT INTO ledger_meta (key, value) VALUES (?, ?)')
      .run(`place:${this.runId}`, JSON.stringify(moves));
  }

  rollback(): void {
    this.done = true;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.ledger.forgetHospitalIds();
  }
}
