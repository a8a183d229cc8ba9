// Opens the ledger where the config says it is: the SQLite file (the default), or the city's shared PostgreSQL
// ledger as a local replica (ledger/postgres/open.ts; the driver is loaded only then). Either way the command gets
// a SqliteLedger to work with.
import { SqliteLedger, type OpenOptions } from '../ledger/sqlite.js';
import type { LedgerLocation } from './config.js';
import { scratchDir } from './scratch.js';
import type { Access } from '../ledger/postgres/open.js';

/** What a command does with the ledger: read it, or write a run for these people (`all`: revert, opening import). */
export type LedgerAccess = Access;

export async function openLedger(
  where: LedgerLocation,
  access: LedgerAccess,
  opts: OpenOptions = {},
): Promise<SqliteLedger> {
  if (where.kind === 'sqlite') return new SqliteLedger(where.path, opts);
  const { openPostgresLedger } = await import('../ledger/postgres/open.js');
  return openPostgresLedger(where.url, scratchDir(), access, { onWait: opts.onWait });
}
