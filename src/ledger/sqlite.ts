// The embedded ledger: one SQLite file (WAL), one write transaction per run (BEGIN IMMEDIATE, so a
// second run waits for the first instead of interleaving), a hash chain over the runs.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, chmodSync, mkdirSync, renameSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { brotliDecompressSync, inflateRawSync } from 'node:zlib';
import { ZERO } from '../domain/money.js';
import type { ReasonCode, Status } from '../domain/reasons.js';
import type { RowIssue } from '../domain/types.js';
import type { Accumulator } from '../engine/types.js';
import { UsageError } from '../io/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { processAlive } from '../io/process.js';
import { appendJournal, ensureJournal, journalPath, ledgerCode, readJournal } from './journal.js';
import { recordFromValues } from './content.js';
import { changeTuples, contentId, dateText, Texts } from './texts.js';
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
import { chainHash } from './hashing.js';
import { checkLedger, runContentHash } from './integrity.js';
import { SqliteSession } from './session.js';
import {
  accumulatorFromRow,
  resultBaseFromRow,
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
  /**
   * A local copy of a shared ledger (PostgreSQL): no journal or placement records here (the server keeps the
   * chain), and new texts and hospitals get ids made from their names (texts.ts contentId).
   */
  replica?: boolean;
}

/** Where a replica's run goes when it seals and commits (ledger/postgres/upstream.ts); the SQLite ledger has none. */
export interface Upstream {
  /** Before the run's content hash is taken: its rows get their final ids (all but the run's own) and are sent ahead. */
  prepare(runId: number): Promise<void>;
  /** The run's place in the ledger's order (returned: its final id); other offices' runs before it are known. */
  order(runId: number): Promise<number>;
  /** The sealed run's rows sent, inside the server's open transaction. */
  send(runId: number): Promise<void>;
  commit(): Promise<void>;
  /** the server's transaction rolled back (closing the connection does it) */
  abort(): void;
}

/** lines per page of linesOfRun */
const LINES_PAGE = 2000;

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
  readonly replica: boolean;
  /** the ledger as it may be printed (a replica: the server's address, password masked) */
  get name(): string {
    return this.path;
  }
  /** set by a replica's owner */
  upstream: Upstream | null = null;

  constructor(
    readonly path: string,
    opts: OpenOptions = {},
  ) {
    const memory = path === ':memory:';
    this.replica = opts.replica ?? false;
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
        // a replica is scratch (the server keeps the ledger): nothing in it needs to survive a crash
        this.db.pragma(this.replica ? 'synchronous = OFF' : 'synchronous = FULL');
      }
    } catch (err) {
      throw new LedgerError(`无法打开台账 ${path}：${(err as Error).message}（文件可能不是 assist 台账或已损坏）`);
    }
    this.migrate(opts.readonly ?? false);
    this.texts = new Texts(this.db, this.replica);
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
    if (this.path !== ':memory:' && !this.replica) {
      if (!hadJournal) ensureJournal(this.path);
      this.q("INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('journal', ?)").run(journalPath(this.path));
    }
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
    if (this.path === ':memory:' || this.replica) return;
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
    if (this.path === ':memory:' || this.replica || !this.meta('journal')) return;
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
        base: resultBaseFromRow(x),
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
    if (id === null && create) {
      id = Number(
        this.q('INSERT INTO hospitals (id, name) VALUES (?, ?)').run(this.replica ? contentId(name) : null, name)
          .lastInsertRowid,
      );
      this.hospitalsAdded.push([id, name]);
    }
    if (id !== null) this.hospitalIds.set(name, id);
    return id;
  }
  /** hospitals added since the ledger opened (a replica sends them with the run) */
  readonly hospitalsAdded: [number, string][] = [];
  /** After a rollback the ids a run added are gone again. */
  forgetHospitalIds(): void {
    this.hospitalIds.clear();
    this.hospitalsAdded.length = 0;
    this.texts.forget();
  }

  findActive(key: LineKey): StoredLine | null {
    // the hospital's id first (cached), then one index lookup; the row is read only for a stored line (the
    // hospital's name is the key's: its id was found by it)
    const hid = this.hospitalId(key.hospital);
    if (hid === null) return null;
    const r = this.q(
      'SELECT * FROM lines WHERE claim_id = ? AND line_no = ? AND hospital_id = ? AND superseded_by IS NULL',
    ).get(key.claimId, key.lineNo, hid) as Row | undefined;
    if (!r) return null;
    r.hospital = key.hospital;
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
  /**
   * A run's lines in order, read a page at a time: a report or revert walking a million-line run holds one page,
   * not every line with its results (`report settlement` ran out of heap at 5 GB that way). Pages by id, so the
   * caller may query the ledger between lines (an open iterate() would keep the connection busy).
   */
  *linesOfRun(runId: number, pageSize = LINES_PAGE): Generator<StoredLine> {
    const page = this.q(`${SqliteLedger.LINE_SELECT} WHERE l.run_id = ? AND l.id > ? ORDER BY l.id LIMIT ?`);
    for (let after = 0; ;) {
      const rows = page.all(runId, after, pageSize) as Row[];
      for (const r of rows) yield this.lineFromRow(r);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.id as number;
    }
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

  /** sha256 over a run's immutable content, read back from the tables (integrity.ts). */
  contentHash(runId: number): string {
    return runContentHash(this, runId);
  }

  static chainHash(prevHash: string, contentHash: string): string {
    return chainHash(prevHash, contentHash);
  }

  /** The whole ledger against itself, its journal and (optionally) a printed 台账校验码 (integrity.ts). */
  check(opts: { head?: string } = {}): CheckReport {
    return checkLedger(this, opts);
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
    this.upstream?.abort();
  }
}
