import type { Money } from '../domain/money.js';
import type { IsoDate } from '../domain/dates.js';
import type { ClaimLine } from '../domain/types.js';
import type { ReasonCode, Status } from '../domain/reasons.js';
import type { Person } from '../roster/merge.js';
import type { Params } from '../policies/params.js';
import type { SqliteLedger } from '../ledger/sqlite.js';

export interface TraceStep {
  step: string;
  clause: string;
  inputs?: Record<string, string>;
  result: string;
}

export interface Fund {
  id: string;
  name: string;
}

/** Year-to-date counters of one (policy, person, year, key). year 0 = across all years. */
export interface Accumulator {
  base: Money;
  paid: Money;
  entitled: Money;
  firstDate: IsoDate | null;
}

export interface AccumulatorKey {
  policy: string;
  idNumber: string;
  year: number;
  key: string;
}

export interface AccumulatorChange extends AccumulatorKey {
  base?: Money;
  paid?: Money;
  entitled?: Money;
  firstDate?: IsoDate;
}

export interface AccumulatorReader {
  get(k: AccumulatorKey): Accumulator;
}

export interface PolicyInput {
  line: ClaimLine;
  person: Person | null;
  params: Params;
  /** the line's prior payments plus what earlier policies paid on it */
  priorPaid: Money;
  serviceDate: IsoDate;
  year: number;
  acc: AccumulatorReader;
}

export interface PolicyDecision {
  reasons: ReasonCode[];
  base: Money;
  payments: Record<string, Money>;
  changes: AccumulatorChange[];
  /** when pended (BELOW_DEDUCTIBLE), the accumulator changes still apply */
  keepChangesWhenPended?: boolean;
  trace: TraceStep[];
  payee: string;
  details?: Record<string, string>;
}

export interface ScopeInput {
  line: ClaimLine;
  /** all lines of the same settlement (hospital + claimId) in this batch */
  settlement: ClaimLine[];
  person: Person | null;
  params: Params;
  serviceDate: IsoDate;
}

export interface Policy {
  id: string;
  name: string;
  document: string;
  funds: Fund[];
  params: Params;
  inScope(s: ScopeInput): boolean;
  decide(input: PolicyInput): PolicyDecision;
  /** false when the policy judges without a roster (default: a roster is required, SPEC §6) */
  needsRoster?: boolean;
  /** the line is judged with its settlement's other lines, those already in the ledger too (the AS injection fee) */
  wantsSettlement?(line: ClaimLine): boolean;
  /** run-level notices (each printed once on the console, e.g. a configured trial end that has passed) */
  notices?: Set<string>;
  /** the accumulators it keeps, in its own words (none: it keeps no year-to-date amounts) */
  accumulators?: AccumulatorVocabulary;
  /** its own reports (`assist report NAME`) */
  reports?: PolicyReport[];
}

/** A policy's accumulators as clerks name them (issue 19 §3): the rest of the tool asks, never switches on ids. */
export interface AccumulatorVocabulary {
  /** the accumulator an opening-balance 累计项目 names, in any of the policy's spellings; or why it names none */
  openingKey(label: string): { ok: true; key: string; yearless: boolean } | { ok: false; detail: string };
  /** how a key reads in explain and reports (year 0: kept across years) */
  label(key: string, year: number): string;
  /** keys that hold a first date rather than amounts (an opening row must give the date) */
  dateKeys?: readonly string[];
  /** an opening row without 应救助 counts what was paid as entitled (else 0) */
  openingEntitledIsPaid?: boolean;
  /** for the opening-balance template's 说明: what 累计项目 may say, and what 累计基数 means, for this policy */
  openingHelp?: { keys: string; base?: string };
}

/** What a policy report is given: the period, where to write, the ledger and the roster when it asks for them. */
export interface PolicyReportInput {
  year: number;
  month: string | null;
  outDir: string;
  ledger: SqliteLedger | null;
  people: Map<string, Person> | null;
  /** --html: also write the report's overview as one HTML page (reports with `html`) */
  html?: boolean;
}

export interface PolicyReport {
  /** the command: assist report NAME */
  name: string;
  description: string;
  period: 'year' | 'month';
  uses: { ledger: boolean; roster: 'required' | 'optional' | 'no' };
  /** the report has an overview it can also write as HTML (--html) */
  html?: boolean;
  /**
   * writes the report; `summary` is the console line (the file's path is printed after it, then `also`'s),
   * `notices` go to stderr
   */
  run(input: PolicyReportInput): Promise<{ file: string; summary: string; notices?: string[]; also?: string[] }>;
}

export interface LineResult {
  line: ClaimLine;
  policy: string | null;
  status: Status;
  reasons: ReasonCode[];
  base: Money;
  payments: Record<string, Money>;
  patientRemaining: Money;
  trace: TraceStep[];
  payee: string;
  details?: Record<string, string>;
  changes: AccumulatorChange[];
  /** each accumulator this result touched, before and after its changes (for `explain`) */
  accumulators?: AccumulatorStep[];
}

export interface AccumulatorStep extends AccumulatorKey {
  before: Accumulator;
  after: Accumulator;
}
