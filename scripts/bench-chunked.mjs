// The benchmark's correctness step (issue 6): the same month adjudicated in runs of about 100 lines, each its
// own ledger run and commit, the accumulators carried from run to run through the ledger. Returns the totals
// per fund and the line count, to be compared with the one-run figures. Lines are taken in the one run's
// order (§3), so each batch sees the accumulators of every line before it; batches are cut as the one run
// cuts its own (`chunks`: a settlement is never split).
import { join } from 'node:path';
import { SortStore } from '../dist/run/sort-store.js';
import { readClaimsInto } from '../dist/run/read-claims.js';
import { loadRosterStore } from '../dist/run/roster-store.js';
import { createPolicies } from '../dist/policies/registry.js';
import { SqliteLedger } from '../dist/ledger/sqlite.js';
import { adjudicateFresh, chunks, screenBatch } from '../dist/run/adjudicate-run.js';
import { fmtGrouped, ZERO } from '../dist/domain/money.js';

export async function chunkedRun({ claims, roster, policies, ledgerPath, size = 100 }) {
  const sort = new SortStore();
  const { rowsRead, invalidRows } = await readClaimsInto(sort, [claims], {});
  const { store } = await loadRosterStore([roster], {});
  invalidRows.push(...sort.duplicates());
  const pol = createPolicies(policies, {});
  const ledger = new SqliteLedger(ledgerPath);
  const totals = new Map();
  let lines = 0;
  let runs = 0;
  const flush = async (batch) => {
    const session = ledger.begin({
      kind: 'adjudicate',
      operator: 'bench',
      commandLine: 'bench chunked',
      month: null,
      policies: [],
      inputs: [],
    });
    // one batch as the month's run takes it: screened against the ledger, then its fresh lines adjudicated
    const { fresh } = screenBatch(ledger, session, batch, false);
    const people = store.people(fresh.map((l) => l.idNumber));
    adjudicateFresh(ledger, session, fresh, batch, people, pol, (group) => {
      for (const r of group)
        if (r.status === 'approved')
          for (const [fund, v] of Object.entries(r.payments)) totals.set(fund, (totals.get(fund) ?? ZERO).plus(v));
    });
    await session.drain();
    await session.commit({ lines: batch.length });
    lines += batch.length;
    runs++;
  };
  try {
    for (const batch of chunks(sort.sorted(), size)) await flush(batch);
    const check = ledger.check();
    return {
      rowsRead,
      invalid: invalidRows.length,
      lines,
      runs,
      problems: check.problems.length,
      funds: Object.fromEntries([...totals].sort().map(([k, v]) => [k, fmtGrouped(v)])),
    };
  } finally {
    ledger.close();
    sort.close();
    store.close();
  }
}

export const workLedger = (work) => join(work, 'chunked.db');
