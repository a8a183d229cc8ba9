// The `assist adjudicate` pipeline: read → merge roster → adjudicate (pure) → write outputs.
import { renderStep } from '../engine/steps.js';
import { basename, join, resolve } from 'node:path';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import type { Person } from '../roster/merge.js';
import { loadRosterStore, type RosterStore } from './roster-store.js';
import { deferred, settleWith } from './deferred.js';
import { InBatchOrder } from './in-batch-order.js';
import { adjudicateEach } from '../engine/adjudicate.js';
import { createPolicies } from '../policies/registry.js';
import { fmt, ZERO, type Money } from '../domain/money.js';
import type { ClaimLine, RowError, RosterWarning } from '../domain/types.js';
import type { Fund, LineResult, Policy } from '../engine/types.js';
import { AccumulatorStore } from '../engine/accumulators.js';
import { SqliteLedger } from '../ledger/sqlite.js';
import { changedFields, contentHashVersion, sameContent } from '../ledger/content.js';
import { fundTotalsByMonth } from '../ledger/queries.js';
import type { ExceptionRow, InputFile, Ledger, LedgerSession, Reversal, RunInfo, StoredLine } from '../ledger/store.js';
import { STATUS_LABEL } from '../reports/labels.js';
import { CheckTotals, checksHold, type Checks } from '../reports/settlement.js';
import { openOutputs, type ResultOutputs } from './outputs.js';
import { startLists, type ListsJob } from './lists.js';
import { SortStore } from './sort-store.js';
import { fileSha256, policyVersions } from '../ledger/provenance.js';
import { readClaimsInto } from './read-claims.js';
import { removeStale } from './stale.js';
import type { ReversalLine } from '../reports/disbursement.js';
import { InputError, UsageError } from '../io/errors.js';
import { startWorker, useWorkers } from './workers.js';
import { collectGarbage } from './gc.js';
import type { ClaimsWorkerData } from './claims-worker.js';
import { once } from 'node:events';
import { ledgerCode } from '../ledger/journal.js';
import { removeDir, scratchDir, whenInterrupted } from './scratch.js';
import { locate } from './config.js';
import { openLedger } from './open-ledger.js';

export interface AdjudicateOptions {
  claims: string[];
  rosters: string[];
  policies: string[];
  parameters: Record<string, Record<string, unknown>>;
  hospitalAliases: Map<string, string>;
  out: string | null;
  /** the config's "out": the month's folder goes under it (default out/) */
  outBase?: string | null;
  month: string | null;
  encoding?: string;
  sheet?: string;
  dryRun: boolean;
  supersede: boolean;
  /** also write settlement-<month>.html (the 概览 as one page) */
  html?: boolean;
  ledgerPath: string;
  operator: string;
  commandLine: string;
  onMonth?: (month: string) => void;
  onWarning?: (text: string) => void;
  onLedgerWait?: () => void;
  onProgress?: (rows: number, phase: string, total?: number) => void;
}

export interface AdjudicateSummary {
  month: string;
  outDir: string;
  rowsRead: number;
  invalid: number;
  invalidRows: RowError[];
  rosterWarnings: RosterWarning[];
  checks: Checks;
  byStatus: Record<string, number>;
  fundTotals: { fund: Fund; total: Money; file: string }[];
  files: string[];
  /** the committed run (null for --dry-run) */
  run: RunInfo | null;
  counts: Record<string, number>;
  reversals: ReversalLine[];
  ledgerPath: string;
  /** lines pended CHECK_FAILED (SPEC §6): the run went on without them */
  checkFailed: { claimId: string; lineNo: number; hospital: string; source: string; row: number }[];
  /** the policies' run-level notices, each once */
  notices: string[];
  /** every line was already in the ledger: nothing committed, only the jsonl written */
  nothingNew?: {
    skipped: number;
    alreadyAdjudicated: number;
    conflicts: number;
    runs: { id: number; lines: number }[];
  };
}

export function skipResult(
  line: ClaimLine,
  code: 'ALREADY_ADJUDICATED' | 'CONFLICTING_RESUBMISSION',
  prior: StoredLine,
  changed: string[] = [],
): LineResult {
  const earlier =
    prior.results
      .map(
        (r) =>
          `${r.policy} ${STATUS_LABEL[r.status]}${Object.values(r.payments).some((v) => !v.isZero()) ? ` 支付 ${Object.values(r.payments).map(fmt).join('/')}` : ''}`,
      )
      .join('；') || STATUS_LABEL[prior.status];
  return {
    line,
    policy: null,
    status: 'skipped',
    reasons: [code],
    base: ZERO,
    payments: {},
    patientRemaining: line.personalBurden,
    payee: '',
    changes: [],
    details: { priorRun: String(prior.runId) },
    trace: [
      renderStep({
        step: '台账重复审核检查',
        clause: 'SPEC §5 台账：同一明细（医疗机构＋结算单号＋行号）只审核一次',
        inputs: {
          原审核: `第 ${prior.runId} 次运行（${prior.source} 第 ${prior.row} 行）`,
          原结果: earlier,
          ...(changed.length ? { 内容不同的字段: changed.join('、') } : {}),
        },
        result:
          code === 'ALREADY_ADJUDICATED'
            ? '内容相同，已审核过，本次跳过、不支付'
            : '内容与已审核的记录不同，未处理；如需更正请加 --supersede 重新运行（将冲正原结果并按新内容审核）',
      }),
    ],
  };
}

/** A CONFLICTING_RESUBMISSION skip as the ledger keeps it for explain: where it was read, what differs, which run holds the line. */
function conflictException(r: LineResult): Omit<ExceptionRow, 'runId'> {
  const l = r.line;
  const step = r.trace[0]!;
  const inputs = step.inputs ?? {};
  const detail = `原审核：${inputs['原审核'] ?? ''}${inputs['内容不同的字段'] ? `；内容不同的字段：${inputs['内容不同的字段']}` : ''}`;
  return {
    kind: 'skipped',
    source: l.source,
    sheet: l.sheet ?? '',
    row: l.row,
    claimId: l.claimId,
    lineNo: l.lineNo,
    hospital: l.hospital,
    idNumber: l.idNumber,
    name: l.name,
    issues: [{ code: 'CONFLICTING_RESUBMISSION', detail }],
    priorRun: Number(r.details?.priorRun) || null,
  };
}

/** A reversal as the disbursement list and settlement workbook show it (冲正). */
export function reversalLine(r: Reversal): ReversalLine {
  return {
    payee: r.result.payee,
    hospital: r.line.hospital,
    claimId: r.line.claimId,
    lineNo: r.line.lineNo,
    name: r.line.name,
    idNumber: r.line.idNumber,
    settlementDate: r.line.settlementDate,
    totalCost: r.line.totalCost,
    payments: r.payments,
    originalRun: r.line.runId,
    reason: r.reason,
  };
}

/**
 * A batch's lines against the ledger: idempotency (SPEC §5) — a line key is adjudicated once, a changed line
 * needs --supersede (reversal first, so the accumulators are corrected before the engine runs).
 */
export function screenBatch(
  ledger: Ledger,
  session: LedgerSession,
  valid: ClaimLine[],
  supersede: boolean,
): { fresh: ClaimLine[]; skipped: LineResult[]; reversals: Reversal[] } {
  const fresh: ClaimLine[] = [];
  const skipped: LineResult[] = [];
  const reversals: Reversal[] = [];
  for (const line of valid) {
    const prior = session.findActive(line);
    if (!prior) fresh.push(line);
    else if (sameContent(prior.contentHash, line)) skipped.push(skipResult(line, 'ALREADY_ADJUDICATED', prior));
    else if (supersede) {
      reversals.push(...session.reverse(prior, 'supersede'));
      fresh.push(line);
    } else
      skipped.push(
        skipResult(
          line,
          'CONFLICTING_RESUBMISSION',
          prior,
          changedFields(ledger.trace(prior).line, line, contentHashVersion(prior.contentHash)),
        ),
      );
  }
  return { fresh, skipped, reversals };
}

/**
 * The pure engine on a batch's fresh lines with the ledger's accumulators, each line's results recorded in the
 * session and then handed to `each` (in the engine's §3 order).
 */
export function adjudicateFresh(
  ledger: Ledger,
  session: LedgerSession,
  fresh: ClaimLine[],
  valid: ClaimLine[],
  people: Map<string, Person>,
  policies: Policy[],
  each: (lineResults: LineResult[]) => void,
): void {
  const acc = new AccumulatorStore();
  session.loadAccumulators(
    fresh.map((l) => l.idNumber),
    acc,
  );
  const context = settlementSiblings(ledger, fresh, valid, policies);
  adjudicateEach(fresh, people, policies, acc, context.length ? [...valid, ...context] : valid, (group) => {
    session.recordLine(group[0]!.line, group);
    each(group);
  });
}

const DRY_RUN_BANNER = '试算，未入账';

function policyNotices(policies: Policy[]): string[] {
  return policies.flatMap((p) => [...(p.notices ?? [])]);
}

/**
 * A settlement's lines are judged together (SPEC §4.1: 药品费用（包括注射费用）) — also when some of them were
 * adjudicated in an earlier run: for a fresh line a policy wants judged with its settlement, the settlement's
 * other lines still in force in the ledger join the batch as context (read from their stored records; never
 * adjudicated again).
 */
function settlementSiblings(ledger: Ledger, fresh: ClaimLine[], batch: ClaimLine[], policies: Policy[]): ClaimLine[] {
  const wanted = fresh.filter((l) => policies.some((p) => p.wantsSettlement?.(l)));
  if (wanted.length === 0) return [];
  const inBatch = new Set(batch.map((l) => `${l.hospital}\u0001${l.claimId}\u0001${l.lineNo}`));
  const out: ClaimLine[] = [];
  for (const key of new Set(wanted.map((l) => `${l.hospital}\u0001${l.claimId}`))) {
    const [hospital, claimId] = key.split('\u0001') as [string, string];
    for (const stored of ledger.findLines(claimId)) {
      if (
        stored.hospital !== hospital ||
        stored.supersededBy !== null ||
        inBatch.has(`${hospital}\u0001${claimId}\u0001${stored.lineNo}`)
      )
        continue;
      const r = ledger.trace(stored).line;
      out.push({
        ...r,
        hospital,
        claimId,
        lineNo: stored.lineNo,
        itemName: String(r.itemName ?? ''),
        settlementDate: stored.settlementDate,
        admissionDate: stored.admissionDate,
      } as unknown as ClaimLine);
    }
  }
  return out;
}

/** Lines per engine batch: enough to amortise the ledger lookups, small enough that a batch's objects (~10 KB a line with its traces) mostly die young (5,000 took ~200 MB more peak RSS at 100k lines, for no speed). */
export const CHUNK_LINES = 1000;

/**
 * Groups the sorted lines into batches for the engine, never splitting a settlement (hospital + claimId)
 * that arrives in consecutive lines — the AS injection fee is judged beside its drug line.
 */
export function* chunks(lines: Iterable<ClaimLine>, size: number): Generator<ClaimLine[]> {
  let batch: ClaimLine[] = [];
  for (const l of lines) {
    const last = batch[batch.length - 1];
    if (batch.length >= size && last && (last.hospital !== l.hospital || last.claimId !== l.claimId)) {
      yield batch;
      batch = [];
    }
    batch.push(l);
  }
  if (batch.length) yield batch;
}

/** ASSIST_TIMING=1: phase times on stderr (for the benchmark write-up). */
const t0 = Date.now();
/** a moment inside a phase (which of the two readers ends the read phase) */
function mark(name: string): void {
  if (process.env.ASSIST_TIMING)
    process.stderr.write(`[计时·读取] ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
function phase(name: string): void {
  if (process.env.ASSIST_TIMING) {
    const m = process.memoryUsage();
    process.stderr.write(
      `[计时] ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s（RSS ${Math.round(m.rss / 2 ** 20)} MB，堆 ${Math.round(m.heapUsed / 2 ** 20)} MB）\n`,
    );
  }
}

export async function runAdjudication(o: AdjudicateOptions): Promise<AdjudicateSummary> {
  const policies = enabledPolicies(o);
  const workers = useWorkers(o.claims);
  const { claims, roster, rosterWarnings } = await readInputs(o, workers);
  const { sort, invalidRows, rowsRead } = claims;
  try {
    phase('读取结算明细与名单');
    invalidRows.push(...sort.duplicates());
    const month = runMonth(o, sort);
    phase('查重与月份');
    const dir = o.out ?? join(o.outBase ?? 'out', month);
    const inputs = await inputFiles(o);
    const ledger = await openRunLedger(o, sort);
    removeStale(dir, '.assist-staging-');
    const staging = join(dir, `.assist-staging-${process.pid}`);
    mkdirSync(staging, { recursive: true });
    const forgetStaging = whenInterrupted(() => removeDir(staging));
    const open: OpenParts = { session: null, outputs: null, lists: null };
    const banner = o.dryRun ? DRY_RUN_BANNER : undefined;
    const run: Run = {
      o,
      policies,
      month,
      dir,
      staging,
      ledger,
      sort,
      roster,
      invalidRows,
      rowsRead,
      rosterWarnings,
      banner,
      open,
      workers,
    };
    try {
      const { session, outputs } = await beginRun(run, inputs);
      await testPauseBeforeEngine();
      // 2. adjudicate in §3 order, batch by batch, each result written out as soon as it is decided
      const tally = await adjudicateBatches(run, session, outputs);
      phase('审核与写出明细');
      await outputs.invalid(invalidRows);
      const checks = checkedTotals(tally, rowsRead, invalidRows.length);
      // SPEC §5: a run that adds nothing commits nothing and writes no workbook or list — only the results
      // jsonl, where every row read still ends (each line skipped, with the run that adjudicated it)
      if (tally.adjudicatedLines === 0 && tally.reversals.length === 0) return await nothingNew(run, tally, checks);
      return await sealAndPlace(run, tally, checks);
    } catch (err) {
      open.session?.rollback();
      await open.outputs?.abort().catch(() => {});
      await open.lists?.abort().catch(() => {});
      throw err;
    } finally {
      forgetStaging();
      removeDir(staging);
      ledger.close();
    }
  } finally {
    sort.close();
    roster.close();
  }
}

/** What a run holds open that a failure must roll back or abort (each null once done with). */
interface OpenParts {
  session: LedgerSession | null;
  outputs: ResultOutputs | null;
  lists: ListsJob | null;
}

/** One adjudicate run once its inputs are read and its ledger is open: what each of its steps reads. */
interface Run {
  o: AdjudicateOptions;
  policies: Policy[];
  month: string;
  /** the month's output folder, and the staging folder inside it the files are written to first */
  dir: string;
  staging: string;
  ledger: SqliteLedger;
  sort: SortStore;
  roster: RosterStore;
  invalidRows: RowError[];
  rowsRead: number;
  rosterWarnings: RosterWarning[];
  /** 试算，未入账 on a dry run's files */
  banner: string | undefined;
  open: OpenParts;
  /** the second core's workers read the claims and write the outputs (useWorkers) */
  workers: boolean;
}

/** The configured policies, refused before anything is read when the run could only go wrong (SPEC §6). */
function enabledPolicies(o: AdjudicateOptions): Policy[] {
  if (o.policies.length === 0)
    throw new UsageError(
      '没有启用任何政策：请用 --policies 指定（如 --policies th-2021），或在 assist.config.json 的 "policies" 中列出。',
    );
  if (o.claims.length === 0) throw new UsageError('请指定至少一个结算明细文件。');
  const policies = createPolicies(o.policies, o.parameters);
  // without a roster every line would be rejected NOT_IN_ROSTER and committed
  const needing = policies.filter((p) => p.needsRoster !== false);
  if (o.rosters.length === 0 && needing.length)
    throw new UsageError(
      `政策 ${needing.map((p) => p.id).join('、')} 需要救助对象名单，但没有提供：请用 --roster 指定名单文件，或在配置文件的 "rosters" 中列出（如 "rosters": ["rosters/*.xlsx"]）。`,
    );
  return policies;
}

/**
 * 1. read: the claims into the external sort (in a worker on the second core), the roster into its store here;
 * on one thread (useWorkers: a small month, or ASSIST_WORKERS=0) one after the other — the two readers interleaved
 * in one heap gained no time and let V8 grow the heap past 1 GB at a million lines. When either fails, the other's
 * store is closed.
 */
async function readInputs(
  o: AdjudicateOptions,
  workers: boolean,
): Promise<{
  claims: { sort: SortStore; invalidRows: RowError[]; rowsRead: number };
  roster: RosterStore;
  rosterWarnings: RosterWarning[];
}> {
  const rosterRead = async () => {
    const loaded = await loadRosterStore(o.rosters, { encoding: o.encoding, hospitalAliases: o.hospitalAliases });
    collectGarbage();
    mark('名单读完');
    return loaded;
  };
  const settled = async <T>(p: Promise<T>): Promise<PromiseSettledResult<T>> => (await Promise.allSettled([p]))[0]!;
  const [c, r] = workers
    ? await Promise.allSettled([readClaims(o, true), rosterRead()])
    : [await settled(readClaims(o, false)), await settled(rosterRead())];
  if (c.status === 'rejected') {
    if (r.status === 'fulfilled') r.value.store.close();
    throw c.reason;
  }
  if (r.status === 'rejected') {
    c.value.sort.close();
    throw r.reason;
  }
  return { claims: c.value, roster: r.value.store, rosterWarnings: r.value.warnings };
}

/** --month, or the month most lines were settled in; a --month none of the claims fall in is warned about. */
function runMonth(o: AdjudicateOptions, sort: SortStore): string {
  const month = o.month ?? sort.mostCommonMonth() ?? new Date().toISOString().slice(0, 7);
  o.onMonth?.(month);
  // most likely a typo or last month's file
  const months = sort.monthCounts();
  if (o.month && months.length && !months.some((m) => m.month === o.month))
    o.onWarning?.(
      `警告：--month ${o.month} 与结算明细的结算日期都不相符（明细的结算月份：${months
        .slice(0, 3)
        .map((m) => `${m.month} ${m.n} 行`)
        .join('、')}）；仍按 ${o.month} 入账。`,
    );
  return month;
}

/** The input files with their SHA-256, as the run records them. */
async function inputFiles(o: AdjudicateOptions): Promise<InputFile[]> {
  const inputs: InputFile[] = [];
  for (const file of o.claims) inputs.push({ file: basename(file), role: 'claims', ...(await fileSha256(file)) });
  for (const file of o.rosters) inputs.push({ file: basename(file), role: 'roster', ...(await fileSha256(file)) });
  return inputs;
}

/** The ledger the run writes to; a dry run on a ledger that does not exist yet reads an empty one and creates nothing. */
async function openRunLedger(o: AdjudicateOptions, sort: SortStore): Promise<SqliteLedger> {
  const where = locate(o.ledgerPath);
  if (where.kind === 'sqlite')
    return new SqliteLedger(o.dryRun && !existsSync(where.path) ? ':memory:' : where.path, { onWait: o.onLedgerWait });
  // the shared ledger: the run's people (and whoever holds its line keys) locked for the run
  return openLedger(where, o.dryRun ? { read: true } : sort.peopleAndKeys(), { onWait: o.onLedgerWait });
}

/** The run's ledger session and its outputs (the results jsonl, the settlement workbook, the lists' staging). */
async function beginRun(run: Run, inputs: InputFile[]): Promise<{ session: LedgerSession; outputs: ResultOutputs }> {
  const { o, policies, month, staging } = run;
  const session = (run.open.session = run.ledger.begin(
    {
      kind: 'adjudicate',
      operator: o.operator,
      commandLine: o.commandLine,
      month,
      policies: policyVersions(policies),
      inputs,
    },
    { dryRun: o.dryRun },
  ));
  const outputs = (run.open.outputs = await openOutputs({
    jsonlPath: join(staging, `results-${month}.jsonl`),
    settlementPath: join(staging, `settlement-${month}.xlsx`),
    listsPath: run.sort.auxPath,
    month,
    funds: policies.flatMap((p) => p.funds),
    policyNames: Object.fromEntries(policies.map((p) => [p.id, p.name])),
    banner: run.banner,
    workers: run.workers,
  }));
  // the trace chunks are made in the output worker beside the JSON lines (none in a single-thread run)
  const traceSink = outputs.traceSink((no, data) => session.storeChunk(no, data));
  if (traceSink) session.useTraceSink(traceSink);
  return { session, outputs };
}

/** What the run counts as each line's results are handed on: its checks, its summary and the ledger's counts. */
class RunTally {
  readonly totals = new CheckTotals();
  readonly byStatus: Record<string, number> = {};
  readonly reversals: Reversal[] = [];
  readonly checkFailed: AdjudicateSummary['checkFailed'] = [];
  /** skipped lines by the run that adjudicated them */
  readonly skippedBy = new Map<number, number>();
  /** CONFLICTING_RESUBMISSION lines as the ledger keeps them for explain */
  readonly conflictRows: Omit<ExceptionRow, 'runId'>[] = [];
  adjudicatedLines = 0;
  resultCount = 0;
  alreadyAdjudicated = 0;
  conflicts = 0;

  /** a line's results, in the batch's order */
  line(group: LineResult[]): void {
    this.totals.addLine(group);
    if (group[0]!.status !== 'skipped') this.adjudicatedLines++;
    const l = group[0]!.line;
    if (group.some((r) => r.reasons.includes('CHECK_FAILED')))
      this.checkFailed.push({
        claimId: l.claimId,
        lineNo: l.lineNo,
        hospital: l.hospital,
        source: l.source,
        row: l.row,
      });
    for (const r of group) {
      this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
      if (r.status !== 'skipped') this.resultCount++;
    }
  }

  /** a line the ledger already holds (before its result is handed on) */
  skipped(r: LineResult): void {
    if (r.reasons[0] === 'ALREADY_ADJUDICATED') this.alreadyAdjudicated++;
    else {
      this.conflicts++;
      this.conflictRows.push(conflictException(r));
    }
    const by = Number(r.details?.priorRun);
    this.skippedBy.set(by, (this.skippedBy.get(by) ?? 0) + 1);
  }

  /** the run's counts as the ledger records them */
  counts(checks: Checks): Record<string, number> {
    const s = this.byStatus;
    return {
      rowsRead: checks.rowsRead,
      invalid: checks.invalid,
      lines: checks.linesAdjudicated,
      adjudicated: this.adjudicatedLines,
      results: this.resultCount,
      approved: s.approved ?? 0,
      pended: s.pended ?? 0,
      rejected: s.rejected ?? 0,
      notCovered: s['not-covered'] ?? 0,
      alreadyAdjudicated: this.alreadyAdjudicated,
      conflicts: this.conflicts,
      superseded: new Set(this.reversals.map((r) => r.line.id)).size,
      reversals: this.reversals.length,
    };
  }
}

/** The sorted lines batch by batch: screened against the ledger, the fresh ones adjudicated, all written out. */
async function adjudicateBatches(run: Run, session: LedgerSession, outputs: ResultOutputs): Promise<RunTally> {
  const tally = new RunTally();
  let done = 0;
  const total = run.sort.validCount();
  for (const batch of chunks(run.sort.sorted(), CHUNK_LINES)) {
    // each line's results are counted and written out as soon as they are decided, in the batch's order: held
    // for a whole batch they outlived V8's young generation and were copied and promoted by the thousand
    const inOrder = new InBatchOrder(batch, (group) => {
      tally.line(group);
      outputs.add(group);
    });
    const { fresh, skipped, reversals } = screenBatch(run.ledger, session, batch, run.o.supersede);
    tally.reversals.push(...reversals);
    for (const r of skipped) {
      tally.skipped(r);
      inOrder.put([r]);
    }
    // only the lines the engine judges need their people (a month run again is all skipped lines)
    const people = run.roster.people(fresh.map((l) => l.idNumber));
    adjudicateFresh(run.ledger, session, fresh, batch, people, run.policies, (group) => inOrder.put(group));
    if (!inOrder.complete) throw new Error('内部错误：本批有明细没有结果');
    await outputs.flush();
    await session.drain(2);
    done += batch.length;
    run.o.onProgress?.(done, '审核', total);
  }
  return tally;
}

/** The run's totals, checked: nothing lost (every row read is a result or an exception), money conserved. */
function checkedTotals(tally: RunTally, rowsRead: number, invalid: number): Checks {
  const checks = tally.totals.checks(rowsRead, invalid);
  const hold = checksHold(checks);
  if (!hold.rows)
    throw new Error(
      `行数核对失败：读取 ${checks.rowsRead} 行，审核 ${checks.linesAdjudicated} 行，无效 ${checks.invalid} 行`,
    );
  if (!hold.money) throw new Error('金额守恒核对失败');
  return checks;
}

/** What every summary says, committed or not. */
function summaryOf(run: Run, tally: RunTally, checks: Checks) {
  return {
    month: run.month,
    outDir: run.dir,
    rowsRead: run.rowsRead,
    invalid: run.invalidRows.length,
    invalidRows: run.invalidRows,
    rosterWarnings: run.rosterWarnings,
    checks,
    byStatus: tally.byStatus,
    ledgerPath: run.o.ledgerPath,
    checkFailed: tally.checkFailed,
    notices: policyNotices(run.policies),
  };
}

/** Nothing to add (every line already in the ledger, or every row invalid): rolled back, only the results jsonl placed. */
async function nothingNew(run: Run, tally: RunTally, checks: Checks): Promise<AdjudicateSummary> {
  await run.open.outputs!.onlyJsonl();
  run.open.outputs = null;
  run.open.session!.rollback();
  const jsonl = `results-${run.month}.jsonl`;
  const [placed] = placeFiles(placements(run.staging, run.dir, [jsonl], run.o.dryRun ? 'dryrun' : 'skipped'));
  const runs = [...tally.skippedBy.entries()].sort((a, b) => a[0] - b[0]);
  return {
    ...summaryOf(run, tally, checks),
    fundTotals: [],
    files: [placed!],
    run: null,
    counts: {} as Record<string, number>,
    reversals: [],
    nothingNew: {
      skipped: tally.alreadyAdjudicated + tally.conflicts,
      alreadyAdjudicated: tally.alreadyAdjudicated,
      conflicts: tally.conflicts,
      runs: runs.map(([id, n]) => ({ id, lines: n })),
    },
  };
}

/** A run that adds something: sealed, its workbook and lists finished with its 台账校验码, committed, placed. */
async function sealAndPlace(run: Run, tally: RunTally, checks: Checks): Promise<AdjudicateSummary> {
  const { o, month, policies, staging } = run;
  const session = run.open.session!;
  const counts = tally.counts(checks);
  const reversed = tally.reversals.map(reversalLine);
  // the lists' lines are all staged once the reversals are: the lists are written on another core while the
  // run is sealed, each waiting for the run's 台账校验码 only at its end
  await run.open.outputs!.closeLists(reversed);
  const listSpecs = policies.flatMap((policy) =>
    policy.funds.map((fund) => ({
      fund,
      month,
      document: policy.document,
      file: join(staging, `disbursement-${fund.id}-${month}.xlsx`),
      banner: run.banner,
    })),
  );
  run.open.lists = startLists(run.sort.auxPath, listSpecs, run.workers);
  await sealWithOutputs(run, tally, checks, counts, reversed);
  const listTotals = await run.open.lists.done;
  run.open.lists = null;
  const staged = [
    `results-${month}.jsonl`,
    `settlement-${month}.xlsx`,
    ...listSpecs.map((l) => basename(l.file)),
    ...(o.html ? [`settlement-${month}.html`] : []),
  ];
  phase('拨付清单');
  // where each file goes is decided, and recorded in the run's own transaction, before COMMIT: if the process
  // dies between COMMIT and the renames, the next command that opens the ledger finishes placing them
  // (SPEC §5); an earlier run's outputs in the same folder are never overwritten (this run's get -run<N>)
  const moves = placements(staging, run.dir, staged, o.dryRun ? 'dryrun' : `run${session.runId}`);
  if (!o.dryRun) session.recordPlacement(moves);
  const committed = o.dryRun ? null : await session.commit(counts);
  phase('台账提交');
  testPauseBeforePlacing();
  const files = placeFiles(moves);
  const fileOf = new Map(staged.map((name, i) => [name, files[i]!]));
  const fundTotals: AdjudicateSummary['fundTotals'] = listSpecs.map((l, i) => ({
    fund: l.fund,
    total: listTotals[i]!,
    file: fileOf.get(basename(l.file))!,
  }));
  return { ...summaryOf(run, tally, checks), fundTotals, files, run: committed, counts, reversals: reversed };
}

/**
 * The run sealed (its chain hash set in the open transaction) while the settlement workbook is finished on the
 * second core, so both it and the lists carry the run's 台账校验码 (SPEC §5); COMMIT comes only once they are
 * written.
 */
async function sealWithOutputs(
  run: Run,
  tally: RunTally,
  checks: Checks,
  counts: Record<string, number>,
  reversed: ReversalLine[],
): Promise<void> {
  const session = run.open.session!;
  await session.drain();
  // so that explain finds the rows this run read and did not adjudicate (not part of the content hash)
  session.recordExceptions([
    ...run.invalidRows.map((e) => ({ kind: 'invalid' as const, ...e, priorRun: null })),
    ...tally.conflictRows,
  ]);
  // the roster's page cache is given back
  run.roster.close();
  // the year's months for the 概览: this run's rows are in the open transaction (a dry run's are not); sealing
  // adds no rows and renumbering (a shared ledger's) keeps each run's month
  const t0 = performance.now();
  const trend = fundTotalsByMonth(run.ledger, run.month);
  if (process.env.ASSIST_TIMING)
    process.stderr.write(`[计时·概览] 年度趋势查询 ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  const htmlPath = run.o.html ? join(run.staging, `settlement-${run.month}.html`) : undefined;
  const code = deferred<string>();
  const finishing = run.open.outputs!.finish(
    checks,
    run.invalidRows.length,
    reversed,
    { trend, runNotInLedger: run.o.dryRun, htmlPath },
    code.promise,
  );
  finishing.catch(() => {}); // awaited below; a failed seal aborts the outputs first
  // sealing gives a shared ledger's run its final id: read it after
  checks.ledgerCode = await settleWith(
    code,
    async () => run.banner ?? ledgerCode(session.runId, await session.seal(counts)),
  );
  run.open.lists!.setLedgerCode(checks.ledgerCode);
  phase('台账封存');
  await finishing;
  run.open.outputs = null;
  phase('结算表');
}

/**
 * The claims are read into the external sort — in a worker thread on the second core while the main thread
 * reads the roster, or here on one thread (useWorkers). Errors keep their kind (exit 2).
 */
async function readClaims(
  o: AdjudicateOptions,
  workers: boolean,
): Promise<{ sort: SortStore; invalidRows: RowError[]; rowsRead: number }> {
  if (!workers) {
    const sort = new SortStore();
    const read = await readClaimsInto(
      sort,
      o.claims,
      { encoding: o.encoding, sheet: o.sheet, hospitalAliases: o.hospitalAliases },
      (seen) => o.onProgress?.(seen, '读取结算明细'),
    );
    collectGarbage();
    return { sort, ...read };
  }
  const worker = startWorker<ClaimsWorkerData>('./claims-worker.js', {
    files: o.claims,
    encoding: o.encoding,
    sheet: o.sheet,
    aliases: [...(o.hospitalAliases ?? new Map())],
    dir: scratchDir(),
  });
  try {
    for (;;) {
      const [msg] = (await once(worker, 'message')) as [
        {
          progress?: number;
          done?: { path: string; invalidRows: RowError[]; rowsRead: number };
          error?: { name: string; message: string };
        },
      ];
      if (msg.progress) o.onProgress?.(msg.progress, '读取结算明细');
      else if (msg.error) {
        if (msg.error.name === 'InputError') throw new InputError(msg.error.message);
        if (msg.error.name === 'UsageError') throw new UsageError(msg.error.message);
        throw new Error(msg.error.message);
      } else if (msg.done) {
        mark('结算明细读完并排序');
        return {
          sort: new SortStore(undefined, msg.done.path),
          invalidRows: msg.done.invalidRows,
          rowsRead: msg.done.rowsRead,
        };
      }
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Where each staged file goes: its own name; when one of the names is taken in `dir`, `-<tag>` (-run<N>),
 * numbered where the tag is not unique (-skipped-2, …). Dry runs always carry -dryrun (SPEC §5) and never
 * overwrite each other (-dryrun-2, …).
 */
export function placements(staging: string, dir: string, names: string[], tag: string): [string, string][] {
  const named = (name: string, t: string | null) => (t ? name.replace(/(\.[a-z]+)$/, `-${t}$1`) : name);
  const free = (t: string | null) => !names.some((n) => existsSync(join(dir, named(n, t))));
  let chosen: string | null = tag === 'dryrun' ? tag : null;
  if (!free(chosen)) chosen = tag;
  for (let i = 2; !free(chosen); i++) chosen = `${tag}-${i}`;
  return names.map((n) => [resolve(staging, n), resolve(dir, named(n, chosen))]);
}

/** Moves the staged files into place; returns where each went. */
export function placeFiles(moves: [string, string][]): string[] {
  for (const [from, to] of moves) renameSync(from, to);
  return moves.map(([, to]) => to);
}

/** Tests only: a delay between COMMIT and the renames (blocking, as a slow disk would be). */
function testPauseBeforePlacing(): void {
  const ms = Number(process.env.ASSIST_TEST_PAUSE_BEFORE_PLACING_MS ?? 0);
  if (ms <= 0) return;
  process.stderr.write('ASSIST_TEST: 已提交，等待放置文件\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Tests only (signals): wait, without blocking the event loop, once the run holds the ledger and its staging. */
async function testPauseBeforeEngine(): Promise<void> {
  const ms = Number(process.env.ASSIST_TEST_PAUSE_BEFORE_ENGINE_MS ?? 0);
  if (ms <= 0) return;
  process.stderr.write('ASSIST_TEST: 已开始审核，等待\n');
  await new Promise((resolve) => setTimeout(resolve, ms));
}
