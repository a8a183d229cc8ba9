import Database from 'better-sqlite3';
import { decodePayments } from '../../src/ledger/texts.js';

/**
 * A ledger's accumulators and results, for comparing two ledgers. `inForce`: only non-zero accumulators
 * and results of lines not superseded (what a re-run after a kill must reproduce).
 */
export function ledgerState(ledger: string, opts: { inForce?: boolean } = {}): { acc: unknown[]; results: unknown[] } {
  const db = new Database(ledger, { readonly: true });
  try {
    const texts = new Map(db.prepare('SELECT id, t FROM texts').raw(true).all() as [number, string][]);
    const results = db
      .prepare(
        `SELECT l.claim_id, l.line_no, r.policy, r.status, r.reasons, r.payments FROM results_text r JOIN lines l ON l.id = r.line_id${opts.inForce ? ' WHERE l.superseded_by IS NULL' : ''} ORDER BY 1, 2, 3`,
      )
      .all() as { payments: string | null }[];
    return {
      acc: db
        .prepare(
          `SELECT id_number, policy, year, key, base, paid, entitled, first_date FROM accumulators_text${opts.inForce ? ' WHERE base != 0 OR paid != 0 OR entitled != 0 OR first_date IS NOT NULL' : ''} ORDER BY 1, 2, 3, 4`,
        )
        .all(),
      results: results.map((r) => ({ ...r, payments: decodePayments(r.payments, (id) => texts.get(id)!) })),
    };
  } finally {
    db.close();
  }
}
