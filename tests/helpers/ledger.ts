import Database from 'better-sqlite3';

/**
 * A ledger's accumulators and results, for comparing two ledgers. `inForce`: only non-zero accumulators
 * and results of lines not superseded (what a re-run after a kill must reproduce).
 */
export function ledgerState(ledger: string, opts: { inForce?: boolean } = {}): { acc: unknown[]; results: unknown[] } {
  const db = new Database(ledger, { readonly: true });
  try {
    return {
      acc: db.prepare(`SELECT id_number, policy, year, key, base, paid, entitled, first_date FROM accumulators${opts.inForce ? ' WHERE base != 0 OR paid != 0 OR entitled != 0 OR first_date IS NOT NULL' : ''} ORDER BY 1, 2, 3, 4`).all(),
      results: db.prepare(`SELECT l.claim_id, l.line_no, r.policy, r.status, r.reasons, r.payments FROM results r JOIN lines l ON l.id = r.line_id${opts.inForce ? ' WHERE l.superseded_by IS NULL' : ''} ORDER BY 1, 2, 3`).all(),
    };
  } finally {
    db.close();
  }
}
