// The embedded ledger: one SQLite file (WAL), one write transaction per run (BEGIN IMMEDIATE, so a
// second run waits for the first instead of interleaving), a hash chain over the runs.
import { yearLabel } from '../domain/dates.js';
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, chmodSync, mkdirSync, renameSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliDecompressSync, inflateRawSync } from 'node:zlib';
import { fmt, fromFen, ZERO } from '../domain/money.js';
import type { ReasonCode, Status } from '../domain/reasons.js';
import type { RowIssue } from '../domain/types.js';
import type { Accumulator } from '../engine/types.js';
import { mask } from '../domain/id-number.js';
import { UsageError } from '../io/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { processAlive } from '../run/stale.js';
import { appendJournal, journalPath, ledgerCode, parseLedgerCode, readJournal } from './journal.js';
import { recordFromValues } from './content.js';
import { Utf8Builder } from '../io/utf8-builder.js';
import {
  changeTuples,
  dateText,
  decodeChanges,
  decodeDetails,
  decodePayments,
  Texts,
  type ChangeTuple,
} from './texts.js';
import type {
  CheckReport,
  ExceptionRow,
  Ledger,
  LedgerSession,
  LineKey,
  ReversalInfo,
  RunDraft,
  RunInfo,
  StoredLine,
  TraceEntry,
} from './store.js';
import { GENESIS, chainHash, sha256 } from './hashing.js';
import { SqliteSession, mergeDelta, type Delta } from './session.js';
import {
  accumulatorFromRow,
  fromChangeTuples,
  lineAmountsFromRow,
  storedDetails,
  storedHash,
  storedPayee,
  storedPayments,
  type Row,
  type StoredTraceEntry,
} from './rows.js';
export { storedDetails, storedPayee, storedPayments } from './rows.js';

/** A ledger problem the user can act on (missing, locked, newer, damaged): exit 2 with the message. */
export class LedgerError extends UsageError {}

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
      ...lineAmountsFromRow(r),
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
    return r ? accumulatorFromRow(r) : { base: ZERO, paid: ZERO, entitled: ZERO, firstDate: null };
  }
  accumulatorsOf(idNumber: string): (Accumulator & { policy: string; year: number; key: string })[] {
    return (
      this.q('SELECT * FROM accumulators_text WHERE id_number = ? ORDER BY policy, year, key').all(idNumber) as Row[]
    ).map((r) => ({
      policy: r.policy as string,
      year: r.year as number,
      key: r.key as string,
      ...accumulatorFromRow(r),
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
    return chainHash(prevHash, contentHash);
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
          `累计额不符：${mask(idNumber!)} ${policy} ${yearLabel(Number(year))} ${key}：台账记为 ${describe(a)}，按结果与冲正合计应为 ${describe(e)}`,
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
