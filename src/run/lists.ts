// The run's disbursement lists, one per fund, from the staged lines in the external sort's aux file (in list
// order by their sort key). Written by a worker on the second core (issue 6) while the main thread seals the
// ledger run (the content hash reads the whole run back); on one thread (useWorkers), here. The ledger commits only
// after the lists are written: a failed list leaves no run behind.
import Database from 'better-sqlite3';
import { fmt, money, type Money } from '../domain/money.js';
import type { Fund } from '../engine/types.js';
import {
  disbursementSortKey,
  reversalDisbursementLine,
  writeDisbursement,
  type DisbursementLine,
  type ReversalLine,
} from '../reports/disbursement.js';
import type { SettlementRow } from '../reports/settlement.js';
import { scratchDatabase } from './scratch-db.js';
import { deferred } from './deferred.js';
import { startWorker } from './workers.js';

export interface ListSpec {
  fund: Fund;
  month: string;
  document: string;
  file: string;
  /** a dry run's 试算，未入账 on the sheet */
  banner?: string;
}

export interface ListsData {
  auxPath: string;
  lists: ListSpec[];
}

/**
 * The lists' lines as they are decided, waiting in the aux file (table d) under their list sort key — payee,
 * claim, line; order 0 puts a reversal before the new result — with money as text; read back by writeListsFrom.
 * Filled by whoever writes the settlement workbook (the output worker, issue 6) from the same 明细 rows.
 */
export class ListStaging {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  constructor(auxPath: string) {
    this.db = scratchDatabase(auxPath);
    this.db.exec(
      'CREATE TABLE d (id INTEGER PRIMARY KEY, fund TEXT NOT NULL, k TEXT NOT NULL, data TEXT NOT NULL); BEGIN',
    );
    this.insert = this.db.prepare('INSERT INTO d (fund, k, data) VALUES (?, ?, ?)');
  }
  /** An approved 明细 row's payments, one list line per fund that pays something (money already as text). */
  addRow(r: SettlementRow, funds: Fund[]): void {
    if (r.status !== 'approved') return;
    for (let i = 0; i < funds.length; i++) {
      const amount = r.payments[i];
      if (amount === null || amount === undefined || Number(amount) === 0) continue;
      this.put(
        funds[i]!.id,
        {
          payee: r.payee,
          hospital: r.hospital,
          claimId: r.claimId,
          lineNo: r.lineNo,
          name: r.name,
          idNumber: r.idNumber,
          settlementDate: r.settlementDate,
          totalCost: r.totalCost,
          amount,
          note: '',
        },
        1,
      );
    }
  }
  /** The run's reversals (冲正), one list line per fund they took money from, before a new result of the same line (order 0). */
  addReversals(reversals: ReversalLine[], funds: Fund[]): void {
    for (const r of reversals)
      for (const f of funds) {
        const amount = r.payments[f.id];
        if (!amount || amount.isZero()) continue;
        const l = reversalDisbursementLine(r, f.id);
        this.put(f.id, { ...l, totalCost: fmt(l.totalCost), amount: fmt(l.amount) }, 0);
      }
  }
  /** The one place a line is staged: under its list sort key, money as text (unstage reads it back). */
  private put(fundId: string, l: StagedLine, order: 0 | 1): void {
    this.insert.run(fundId, disbursementSortKey(l, order), JSON.stringify(l));
  }
  /** Committed and closed: the file is ready for writeListsFrom (it is removed with the external sort). */
  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}
/** A list line as staged: its money as text. */
type StagedLine = Omit<DisbursementLine, 'totalCost' | 'amount'> & { totalCost: string; amount: string };

function unstage(text: string): DisbursementLine {
  const x = JSON.parse(text) as StagedLine;
  return { ...x, totalCost: money(x.totalCost), amount: money(x.amount) };
}

/**
 * Writes every list; returns each list's total as text, in the order given. The run's 台账校验码 (or a dry run's
 * banner) closes each list: the lines are written while the run is being sealed, and each list waits for the code
 * only at its end.
 */
export async function writeListsFrom(
  auxPath: string,
  lists: ListSpec[],
  ledgerCode: Promise<string>,
): Promise<string[]> {
  const db = new Database(auxPath, { readonly: true, fileMustExist: true });
  try {
    const listOf = db.prepare('SELECT data FROM d WHERE fund = ? ORDER BY k').raw(true);
    const totals: string[] = [];
    for (const l of lists) {
      const lines = (function* () {
        for (const row of listOf.iterate(l.fund.id)) yield unstage((row as [string])[0]);
      })();
      totals.push(
        fmt(
          await writeDisbursement(l.file, {
            fund: l.fund,
            month: l.month,
            document: l.document,
            lines,
            ledgerCode,
            banner: l.banner,
          }),
        ),
      );
    }
    return totals;
  } finally {
    db.close();
  }
}

export interface ListsJob {
  /** each list's total, in the order given */
  done: Promise<Money[]>;
  /** the run's 台账校验码, once sealed: each list ends with it */
  setLedgerCode(code: string): void;
  abort(): Promise<void>;
}

export function startLists(auxPath: string, lists: ListSpec[], workers: boolean): ListsJob {
  if (!workers) {
    const code = deferred<string>();
    const done = writeListsFrom(auxPath, lists, code.promise).then((t) => t.map(money));
    done.catch(() => {}); // awaited by the caller; a rollback before that must not leave it unhandled
    return { done, setLedgerCode: code.resolve, abort: async () => {} };
  }
  const worker = startWorker<ListsData>('./lists-worker.js', { auxPath, lists }, { maxYoungGenerationSizeMb: 16 });
  const done = new Promise<Money[]>((resolve, reject) => {
    worker.once('message', (m: { totals?: string[]; error?: string }) =>
      m.totals ? resolve(m.totals.map(money)) : reject(new Error(`写出拨付清单失败：${m.error}`)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`写出拨付清单的 worker 意外退出（${code}）`)));
  });
  // the worker waits to be stopped once it has answered (so its answer cannot race its exit)
  done.then(
    () => worker.terminate(),
    () => worker.terminate(),
  );
  return {
    done,
    setLedgerCode: (ledgerCode) => worker.postMessage({ ledgerCode }),
    abort: async () => void (await worker.terminate()),
  };
}
