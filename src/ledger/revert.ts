// assist ledger revert RUN: a new run that reverses every result of RUN still in force (冲正, amounts
// negated, accumulators corrected). Nothing is deleted: the reverted lines stay in the ledger marked
// with the reverting run, and their keys are free to be adjudicated again.
import { ZERO, type Money } from '../domain/money.js';
import { LedgerError } from './sqlite.js';
import type { Ledger, Reversal, RunInfo } from './store.js';

/** A revert run sealed and about to commit: what its reversal lists are written from (each reversal as kept). */
export interface RevertToCommit<T = Reversal> {
  runId: number;
  hash: string;
  month: string | null;
  reversals: T[];
  target: RunInfo;
}

export interface RevertOutcome<T = Reversal> {
  run: RunInfo;
  /** the reverted run's month unless --month said otherwise */
  monthDefaulted: boolean;
  target: RunInfo;
  lines: number;
  reversals: T[];
  alreadyReversed: number;
  openings: number;
  fundTotals: Map<string, Money>;
}

/**
 * `beforeCommit` writes the reversal lists (SPEC §5: before the run commits, as adjudicate does) and returns
 * where they go once committed; it gets the sealed run's id and 台账校验码. A failure there rolls back.
 * `keep` turns each reversal into what the caller needs of it as it is made: a reversal holds its whole stored
 * line, and reverting a million-line run with every reversal kept took 3.6 GB.
 */
export async function revertRun<T = Reversal>(
  ledger: Ledger,
  targetId: number,
  opts: {
    operator: string;
    commandLine: string;
    month?: string | null;
    keep?: (r: Reversal) => T;
    beforeCommit?: (r: RevertToCommit<T>) => Promise<[string, string][]>;
  },
): Promise<RevertOutcome<T> & { moves: [string, string][] }> {
  const keep = opts.keep ?? ((r: Reversal) => r as T);
  const target = ledger.run(targetId);
  if (!target) throw new LedgerError(`台账中没有第 ${targetId} 次运行（可用 assist ledger runs 查看）。`);
  if (target.kind === 'revert')
    throw new LedgerError(`第 ${targetId} 次运行本身是撤销运行，不能再撤销；如需恢复，请重新审核原结算明细。`);
  const earlier = ledger.runs().find((r) => r.kind === 'revert' && r.revertsRun === targetId);
  if (earlier) throw new LedgerError(`第 ${targetId} 次运行已于第 ${earlier.id} 次运行撤销过。`);
  // the reversals are listed (冲正) with the disbursement lists of the reverted run's month (SPEC §5)
  const month = opts.month ?? target.month;
  const session = ledger.begin({
    kind: 'revert',
    operator: opts.operator,
    commandLine: opts.commandLine,
    month,
    policies: target.policies,
    inputs: [],
    revertsRun: targetId,
  });
  try {
    const reversals: T[] = [];
    const fundTotals = new Map<string, Money>();
    let lines = 0;
    let alreadyReversed = 0;
    for (const line of ledger.linesOfRun(targetId)) {
      if (line.supersededBy !== null) {
        alreadyReversed++;
        continue;
      }
      lines++;
      for (const r of session.reverse(line, 'revert')) {
        for (const [fund, v] of Object.entries(r.payments))
          fundTotals.set(fund, (fundTotals.get(fund) ?? ZERO).plus(v));
        reversals.push(keep(r));
      }
    }
    const openings = target.kind === 'opening' ? session.reverseOpenings(targetId) : 0;
    const counts = { lines, reversals: reversals.length, alreadyReversed, openings };
    const hash = await session.seal(counts);
    const moves = opts.beforeCommit
      ? await opts.beforeCommit({ runId: session.runId, hash, month, reversals, target })
      : [];
    if (moves.length) session.recordPlacement(moves);
    const run = await session.commit(counts);
    return { run, target, lines, reversals, alreadyReversed, openings, fundTotals, moves, monthDefaulted: !opts.month };
  } catch (err) {
    session.rollback();
    throw err;
  }
}
