// The ledger as an interface. The engine and the commands only talk to `Ledger` and `LedgerSession`;
// `SqliteLedger` is the embedded default. A server database (several offices, one ledger) implements
// the same two interfaces: `begin` takes the ledger-wide write lock (e.g. PostgreSQL
// `pg_advisory_xact_lock` inside a SERIALIZABLE transaction), the session's reads and writes go to the
// same tables, and `commit` chains the run hash exactly as here (see README「台账」).
import type { TraceSink } from './trace-chunks.js';
import type { Money } from '../domain/money.js';
import type { IsoDate } from '../domain/dates.js';
import type { ReasonCode, Status } from '../domain/reasons.js';
import type { ClaimLine, RowIssue } from '../domain/types.js';
import type { AccumulatorStore } from '../engine/accumulators.js';
import type { Accumulator, AccumulatorChange, LineResult, TraceStep } from '../engine/types.js';

export type RunKind = 'adjudicate' | 'revert' | 'opening';

export interface LineKey {
  claimId: string;
  lineNo: number;
  hospital: string;
}

export interface PolicyVersion {
  id: string;
  name: string;
  document: string;
  /** first 16 hex of sha256 over the parameter file in force (after config overrides) */
  version: string;
  parameters: unknown;
}

export interface InputFile {
  file: string;
  role: 'claims' | 'roster' | 'opening';
  sha256: string;
  bytes: number;
}

export interface RunDraft {
  kind: RunKind;
  operator: string;
  commandLine: string;
  month: string | null;
  policies: PolicyVersion[];
  inputs: InputFile[];
  revertsRun?: number;
}

export interface RunInfo extends RunDraft {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  revertsRun?: number;
  contentHash: string | null;
  prevHash: string | null;
  hash: string | null;
}

export interface StoredResult {
  id: number;
  policy: string;
  status: Status;
  reasons: ReasonCode[];
  base: Money;
  payee: string;
  payments: Record<string, Money>;
  changes: AccumulatorChange[];
  details: Record<string, string> | null;
}

export interface StoredLine extends LineKey {
  id: number;
  runId: number;
  contentHash: string;
  source: string;
  row: number;
  idNumber: string;
  name: string;
  visitType: string;
  admissionDate: IsoDate;
  settlementDate: IsoDate;
  totalCost: Money;
  basicPaid: Money;
  seriousIllnessPaid: Money;
  assistancePaid: Money;
  otherPaid: Money;
  personalBurden: Money;
  patientRemaining: Money;
  status: Status;
  supersededBy: number | null;
  traceChunk: number;
  traceIndex: number;
  results: StoredResult[];
}

/**
 * A row a run read but did not adjudicate: invalid (its reasons are the row's issues), or skipped because the ledger
 * holds the line with different content (CONFLICTING_RESUBMISSION; `priorRun` adjudicated it). Identical
 * resubmissions (ALREADY_ADJUDICATED) are not kept: the stored line says all there is.
 */
export interface ExceptionRow {
  runId: number;
  kind: 'invalid' | 'skipped';
  source: string;
  sheet: string;
  row: number;
  claimId: string;
  lineNo: number | null;
  hospital: string;
  idNumber: string;
  name: string;
  issues: RowIssue[];
  priorRun: number | null;
}

/** A reversal (冲正) written in this session, with what it reversed. */
export interface Reversal {
  runId: number;
  reason: 'supersede' | 'revert';
  line: StoredLine;
  result: StoredResult;
  /** negated payments */
  payments: Record<string, Money>;
}

export interface ReversalInfo {
  id: number;
  runId: number;
  resultId: number;
  reason: 'supersede' | 'revert';
}

/** What `explain` shows: the line's full input fields and each policy's trace, accumulators before and after. */
export interface TraceEntry {
  line: Record<string, string | number | boolean | null>;
  results: {
    policy: string | null;
    trace: TraceStep[];
    accumulators: { year: number; key: string; before: AccumulatorJson; after: AccumulatorJson }[];
  }[];
}
export interface AccumulatorJson {
  base: string;
  paid: string;
  entitled: string;
  firstDate: string | null;
}

export interface OpeningRow {
  idNumber: string;
  policy: string;
  year: number;
  key: string;
  base: Money;
  paid: Money;
  entitled: Money;
  firstDate: IsoDate | null;
  source: string;
  row: number;
}

export interface CheckReport {
  runs: number;
  lines: number;
  accumulators: number;
  problems: string[];
  /** not faults: e.g. a run committed but not yet in the journal */
  notes: string[];
  /** the 台账校验码 of the last committed run */
  head: string | null;
}

export interface LedgerSession {
  /** the run's id; a shared ledger's run gets its final id when sealed */
  readonly runId: number;
  readonly dryRun: boolean;
  /** the line currently in force for this key (not superseded or reverted), if any */
  findActive(key: LineKey): StoredLine | null;
  /** writes reversal rows for every result of the line, marks it superseded, and corrects the accumulators */
  reverse(line: StoredLine, reason: 'supersede' | 'revert'): Reversal[];
  /** the accumulators of these people, as committed plus this session's writes so far */
  loadAccumulators(idNumbers: Iterable<string>, into: AccumulatorStore): void;
  recordLine(line: ClaimLine, results: LineResult[]): void;
  /** the lines' trace chunks made by `sink` (set before the first line), each handed back to storeChunk */
  useTraceSink(sink: TraceSink): void;
  storeChunk(no: number, data: Buffer): void;
  /** rows read but not adjudicated, for explain (not part of the run's content hash) */
  recordExceptions(rows: Omit<ExceptionRow, 'runId'>[]): void;
  openingExists(o: Pick<OpeningRow, 'idNumber' | 'policy' | 'year' | 'key'>): boolean;
  recordOpening(o: OpeningRow): void;
  /** negates the openings of an opening run */
  reverseOpenings(runId: number): number;
  /**
   * Waits until everything recorded so far is written into the run's transaction (call before commit); with
   * `maxPending`, until no more than that many trace chunks are still being compressed (a run that records
   * faster than the compression keeps up waits here, so the chunks in flight do not pile up in memory).
   */
  drain(maxPending?: number): Promise<void>;
  /** The run's counts and hashes written in its transaction, not yet committed (commit() seals if this was not called). */
  seal(counts: Record<string, number>): Promise<string>;
  commit(counts: Record<string, number>): Promise<RunInfo>;
  rollback(): void;
  /** Where the run's staged files go ([from, to], absolute), recorded in its transaction: a command that opens the ledger finishes placing any left in staging. */
  recordPlacement(moves: [string, string][]): void;
}

export interface Ledger {
  readonly path: string;
  /** starts a run: takes the write lock (waits for another run to finish) unless dryRun */
  begin(draft: RunDraft, opts?: { dryRun?: boolean }): LedgerSession;
  runs(): RunInfo[];
  run(id: number): RunInfo | null;
  /** every line ever recorded with this claim id (history included), oldest first */
  findLines(claimId: string, lineNo?: number): StoredLine[];
  linesOfRun(runId: number): Iterable<StoredLine>;
  /** every line read from this file (its name) and row, oldest first */
  findLinesAt(source: string, row: number): StoredLine[];
  /** rows not adjudicated with this claim id, or read from this file (its name) and row */
  findExceptions(by: { claimId: string; lineNo?: number } | { source: string; row: number }): ExceptionRow[];
  reversalOf(resultId: number): ReversalInfo | null;
  trace(line: StoredLine): TraceEntry;
  accumulator(idNumber: string, policy: string, year: number, key: string): Accumulator;
  accumulatorsOf(idNumber: string): (Accumulator & { policy: string; year: number; key: string })[];
  check(opts?: { head?: string }): CheckReport;
  close(): void;
}

/** A reversal as the disbursement list and settlement workbook show it (冲正): amounts negated. */
export interface ReversalLine {
  payee: string;
  hospital: string;
  claimId: string;
  lineNo: number;
  name: string;
  idNumber: string;
  settlementDate: string;
  totalCost: Money;
  /** negated */
  payments: Record<string, Money>;
  originalRun: number;
  reason: 'supersede' | 'revert';
}
