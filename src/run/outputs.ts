// The run's two big outputs — results-<month>.jsonl and settlement-<month>.xlsx — fed one engine batch at a
// time, both written by a worker on the second core (issue 6: the main thread adjudicates and keeps the ledger;
// the worker encodes and writes the JSON lines, makes the workbook's XML, its totals and the zip). The main thread
// turns each result into a plain 明细 row and the JSON line's text — its head and the trace serialised once for the
// ledger — and posts the batch: handing over the finished strings is a copy, where encoding and writing them here
// cost about a tenth of the main thread's time in the engine phase. On one thread (useWorkers: a small month, or
// ASSIST_WORKERS=0) both are written in the main thread. Both go into the run's staging folder; nothing is moved
// into place before the ledger commits.
import type { Worker } from 'node:worker_threads';
import { money, fmt } from '../domain/money.js';
import type { RowError } from '../domain/types.js';
import type { Fund, LineResult } from '../engine/types.js';
import { JsonlWriter, invalidToJson, resultJsonHead } from '../reports/results-jsonl.js';
import { traceJson } from '../engine/trace-json.js';
import {
  SettlementWriter,
  settlementRow,
  type Checks,
  type OverviewInput,
  type SettlementRow,
} from '../reports/settlement.js';
import type { ReversalLine } from '../reports/disbursement.js';
import { ListStaging } from './lists.js';
import { startWorker } from './workers.js';
import { TraceItems, type StoreChunk, type TraceItem, type TraceSink } from '../ledger/trace-chunks.js';

export interface OutputsSpec {
  jsonlPath: string;
  settlementPath: string;
  /** where the disbursement lists' lines are staged (ListStaging) from the same rows */
  listsPath: string;
  month: string;
  funds: Fund[];
  policyNames: Record<string, string>;
  /** a dry run's 试算，未入账 on every sheet */
  banner?: string;
  /** written in the output worker (else here, in the main thread) */
  workers: boolean;
}

/**
 * The settlement workbook's last sheets written and the files closed. With `ledgerCode` the writing starts now and
 * waits for the code only where it is first printed, so the workbook is finished while the run is sealed (as the
 * lists are).
 */
type Finish = (
  checks: Checks,
  invalidCount: number,
  reversals: ReversalLine[],
  overview?: OverviewInput,
  ledgerCode?: Promise<string | undefined>,
) => Promise<void>;

/** One result as the outputs write it: its 明细 row, and its JSON line as `${json}${trace}}` and a newline. */
export interface ResultRecord {
  row: SettlementRow;
  /** the JSON line up to the trace (resultJsonHead) */
  json: string;
  /** the trace as JSON (traceJson: the same text the ledger keeps) */
  trace: string;
}

export interface ResultOutputs {
  /** one line's results, in §3 order, kept for flush */
  add(lineResults: LineResult[]): void;
  /** the results added since the last flush, to the JSON lines and the workbook (a batch's worth at a time) */
  flush(): Promise<void>;
  invalid(rows: RowError[]): Promise<void>;
  /**
   * The last lines for the disbursement lists — the run's reversals (冲正), after its own lines — and their staging
   * closed: from here the lists can be written while the run is sealed.
   */
  closeLists(reversals: ReversalLine[]): Promise<void>;
  /** writes the small sheets and closes both files (see Finish) */
  finish: Finish;
  /** stops without finishing (the staging folder is removed by the caller) */
  abort(): Promise<void>;
  /** only the JSON lines written out and closed, the rest dropped (a run with nothing new places just them) */
  onlyJsonl(): Promise<void>;
  /** where the ledger's trace chunks are made outside the ledger's thread (the worker), each given to `store` */
  traceSink(store: StoreChunk): TraceSink | null;
}

/** Both outputs, written by `sheet` (the worker, or LocalSettlement here) from the records made here. */
class Outputs implements ResultOutputs {
  constructor(
    private readonly sheet: SettlementSink,
    private readonly funds: Fund[],
  ) {}
  private records: ResultRecord[] = [];
  add(lineResults: LineResult[]): void {
    for (const r of lineResults)
      this.records.push({ row: settlementRow(r, this.funds), json: resultJsonHead(r), trace: traceJson(r) });
  }
  async flush(): Promise<void> {
    const records = this.records;
    this.records = [];
    await this.sheet.rows(records);
  }
  async invalid(rows: RowError[]): Promise<void> {
    await this.sheet.invalid(rows);
  }
  async closeLists(reversals: ReversalLine[]): Promise<void> {
    await this.sheet.closeLists(reversals);
  }
  async finish(
    checks: Checks,
    invalidCount: number,
    reversals: ReversalLine[],
    overview?: OverviewInput,
    ledgerCode?: Promise<string | undefined>,
  ): Promise<void> {
    // the workbook's finish is handed over first: with a ledger code still to come, the caller seals the run
    // (synchronous work) as soon as this returns a promise
    await this.sheet.finish(checks, invalidCount, reversals, overview, ledgerCode);
  }
  async abort(): Promise<void> {
    await this.sheet.abort();
  }
  async onlyJsonl(): Promise<void> {
    await this.sheet.onlyJsonl();
  }
  traceSink(store: StoreChunk): TraceSink | null {
    return this.sheet.traceSink(store);
  }
}

/** Where the results go: the JSON lines and the settlement writer in this thread, or in the worker. */
interface SettlementSink {
  rows(records: ResultRecord[]): Promise<void>;
  invalid(rows: RowError[]): Promise<void>;
  closeLists(reversals: ReversalLine[]): Promise<void>;
  finish: Finish;
  abort(): Promise<void>;
  onlyJsonl(): Promise<void>;
  /** null: the chunks are made in the ledger's own thread */
  traceSink(store: StoreChunk): TraceSink | null;
}

export type SheetSpec = Pick<
  OutputsSpec,
  'jsonlPath' | 'settlementPath' | 'listsPath' | 'month' | 'funds' | 'policyNames' | 'banner'
>;

/**
 * The JSON lines, the settlement writer, and the disbursement lists' staging fed from the same rows: what the
 * worker runs, and the main thread on one thread (useWorkers).
 */
export class LocalSettlement implements SettlementSink {
  private listsClosed = false;
  private constructor(
    private readonly jsonl: JsonlWriter,
    private readonly writer: SettlementWriter,
    private readonly lists: ListStaging,
    private readonly funds: Fund[],
  ) {}
  static async open(spec: SheetSpec): Promise<LocalSettlement> {
    const writer = new SettlementWriter(spec.settlementPath, {
      month: spec.month,
      funds: spec.funds,
      policyNames: spec.policyNames,
      banner: spec.banner,
    });
    await writer.begin();
    return new LocalSettlement(new JsonlWriter(spec.jsonlPath), writer, new ListStaging(spec.listsPath), spec.funds);
  }
  async rows(records: ResultRecord[]): Promise<void> {
    for (const { row, json, trace } of records) {
      this.jsonl.add(json, trace, '}\n');
      this.lists.addRow(row, this.funds);
      await this.writer.row(row);
    }
  }
  async invalid(rows: RowError[]): Promise<void> {
    for (const e of rows) {
      await this.jsonl.write(invalidToJson(e));
      await this.writer.invalid(e);
    }
  }
  /** The reversals (冲正) staged for the lists after the run's own lines, and the staging closed (once). */
  async closeLists(reversals: ReversalLine[]): Promise<void> {
    if (this.listsClosed) return;
    this.listsClosed = true;
    this.lists.addReversals(reversals, this.funds);
    this.lists.close();
  }
  /** The small sheets, the workbook closed (and the lists' staging, if closeLists has not been called). */
  async finish(
    checks: Checks,
    invalidCount: number,
    reversals: ReversalLine[],
    overview?: OverviewInput,
    ledgerCode?: Promise<string | undefined>,
  ): Promise<void> {
    await this.closeLists(reversals);
    await Promise.all([this.writer.finish(checks, invalidCount, reversals, overview, ledgerCode), this.jsonl.close()]);
  }
  async abort(): Promise<void> {
    this.lists.close();
    await this.jsonl.close();
  }
  async onlyJsonl(): Promise<void> {
    await this.abort();
  }
  /** in this thread the ledger makes its chunks itself */
  traceSink(): null {
    return null;
  }
}

// what crosses to the worker: money as text
export type WireChecks = Omit<Checks, 'totalCost' | 'priorPaid' | 'payments' | 'remaining'> & {
  totalCost: string;
  priorPaid: string;
  payments: string;
  remaining: string;
};
export type WireReversal = Omit<ReversalLine, 'totalCost' | 'payments'> & {
  totalCost: string;
  payments: Record<string, string>;
};

export const toWire = {
  checks: (c: Checks): WireChecks => ({
    ...c,
    totalCost: fmt(c.totalCost),
    priorPaid: fmt(c.priorPaid),
    payments: fmt(c.payments),
    remaining: fmt(c.remaining),
  }),
  reversal: (r: ReversalLine): WireReversal => ({
    ...r,
    totalCost: fmt(r.totalCost),
    payments: Object.fromEntries(Object.entries(r.payments).map(([k, v]) => [k, fmt(v)])),
  }),
};
export const fromWire = {
  checks: (c: WireChecks): Checks => ({
    ...c,
    totalCost: money(c.totalCost),
    priorPaid: money(c.priorPaid),
    payments: money(c.payments),
    remaining: money(c.remaining),
  }),
  reversal: (r: WireReversal): ReversalLine => ({
    ...r,
    totalCost: money(r.totalCost),
    payments: Object.fromEntries(Object.entries(r.payments).map(([k, v]) => [k, money(v)])),
  }),
};

export type ToWorker =
  | { kind: 'rows'; records: ResultRecord[] }
  | { kind: 'trace'; items: TraceItem[] }
  | { kind: 'invalid'; rows: RowError[] }
  | { kind: 'lists'; reversals: WireReversal[] }
  | {
      kind: 'finish';
      checks: WireChecks;
      invalidCount: number;
      reversals: WireReversal[];
      overview?: OverviewInput;
      /** the code comes in its own message (ledgerCode) */
      codeLater: boolean;
    }
  /** handled as it arrives, not after the messages before it: the finish before it is waiting for it */
  | { kind: 'ledgerCode'; code: string | undefined }
  | { kind: 'abort' }
  | { kind: 'onlyJsonl' };
export type FromWorker =
  | { ready: true }
  | { ack: true }
  | { done: true }
  | { chunk: number; data: Uint8Array }
  | { error: { message: string } };

/** Batches in flight before the main thread waits for the worker (memory stays flat if the disk is slow). */
const IN_FLIGHT = 2;

export class WorkerSettlement implements SettlementSink {
  private inFlight = 0;
  private ready = false;
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];
  private finished: { resolve: () => void; reject: (e: Error) => void } | null = null;

  private onChunk: StoreChunk | null = null;
  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if ('ready' in m) this.ready = true;
      else if ('ack' in m) this.inFlight--;
      else if ('chunk' in m) {
        try {
          this.onChunk!(m.chunk, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        } catch (e) {
          this.fail(e as Error);
        }
      } else if ('done' in m) this.finished?.resolve();
      else this.fail(new Error(`写出结果文件失败：${m.error.message}`));
      this.wake();
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`写出结果文件的 worker 意外退出（${code}）`));
    });
  }

  static async open(spec: SheetSpec): Promise<WorkerSettlement> {
    const worker = startWorker<SheetSpec>('./outputs-worker.js', spec, {
      maxOldGenerationSizeMb: 512,
      maxYoungGenerationSizeMb: 64,
    });
    const o = new WorkerSettlement(worker);
    await o.wait(() => o.ready);
    return o;
  }
  private fail(e: Error): void {
    this.failure ??= e;
    this.finished?.reject(this.failure);
    this.wake();
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  private async wait(until: () => boolean): Promise<void> {
    while (!until()) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }
  private async post(m: ToWorker): Promise<void> {
    if (this.failure) throw this.failure;
    // posted in this call when there is room (finish relies on it: the run's seal follows synchronously)
    if (this.inFlight >= IN_FLIGHT) await this.wait(() => this.inFlight < IN_FLIGHT);
    this.inFlight++;
    this.worker.postMessage(m);
  }

  async rows(records: ResultRecord[]): Promise<void> {
    await this.post({ kind: 'rows', records });
  }

  /**
   * The ledger's trace chunks made here, in the worker: each line's entry is sent as its pieces of text (a copy, where
   * encoding them took the main thread ~10% of the engine phase), each full chunk is compressed there and comes back
   * to `store`.
   */
  traceSink(store: StoreChunk): TraceSink {
    const queue = new TraceItems();
    let stored = 0;
    this.onChunk = (no, data) => {
      store(no, data);
      stored++;
    };
    return {
      add: (pieces) => queue.add(pieces),
      drain: async (maxPending) => {
        if (maxPending === 0) queue.closeLast();
        const items = queue.take();
        if (items.length) await this.post({ kind: 'trace', items });
        await this.wait(() => queue.closed - stored <= maxPending);
      },
      closeSync: () => {
        if (queue.pending || queue.closed !== stored)
          throw new Error('内部错误：计算过程尚未全部写入（提交前须先 drain）');
      },
    };
  }
  async invalid(rows: RowError[]): Promise<void> {
    await this.post({ kind: 'invalid', rows });
  }
  /** Answered once every message before it is done: messages are handled in order, so the staging is closed. */
  async closeLists(reversals: ReversalLine[]): Promise<void> {
    await this.post({ kind: 'lists', reversals: reversals.map(toWire.reversal) });
    await this.wait(() => this.inFlight === 0);
  }
  async finish(
    checks: Checks,
    invalidCount: number,
    reversals: ReversalLine[],
    overview?: OverviewInput,
    ledgerCode?: Promise<string | undefined>,
  ): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.finished = { resolve, reject }));
    await this.post({
      kind: 'finish',
      checks: toWire.checks(checks),
      invalidCount,
      reversals: reversals.map(toWire.reversal),
      overview,
      codeLater: ledgerCode !== undefined,
    });
    // a failed seal rejects the code: the caller aborts, which ends the worker
    ledgerCode
      ?.then((code) => this.worker.postMessage({ kind: 'ledgerCode', code } satisfies ToWorker))
      .catch(() => {});
    try {
      await done;
    } finally {
      await this.end();
    }
  }
  private ended = false;
  private async end(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
  /** Ends the worker now (it may be waiting for a ledger code that will not come). */
  async abort(): Promise<void> {
    if (this.ended) return;
    this.worker.postMessage({ kind: 'abort' } satisfies ToWorker);
    await this.end();
  }
  /** Ends the worker once it has written out the JSON lines. */
  async onlyJsonl(): Promise<void> {
    try {
      await this.post({ kind: 'onlyJsonl' });
      await this.wait(() => this.inFlight === 0);
    } finally {
      await this.end();
    }
  }
}

export async function openOutputs(spec: OutputsSpec): Promise<ResultOutputs> {
  const sheet = spec.workers ? await WorkerSettlement.open(spec) : await LocalSettlement.open(spec);
  return new Outputs(sheet, spec.funds);
}
