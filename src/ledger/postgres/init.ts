// assist ledger init on PostgreSQL: the tables, triggers and the two roles (schema.ts), in one transaction, under an
// advisory lock so two offices initialising at once do not race; repeating it changes nothing.
import { LedgerError } from '../sqlite.js';
import { maskUrl } from './url.js';
import { connect } from './open.js';
import { PG_SCHEMA_VERSION, PG_TABLES, PG_TRIGGERS, pgRoles } from './schema.js';

export async function initPostgresLedger(url: string): Promise<{ version: number; created: boolean }> {
  const client = await connect(url);
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('assist ledger init'))");
    const existed = (await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")).rows[0]
      .present as boolean;
    await client.query(PG_TABLES);
    await client.query(PG_TRIGGERS);
    if (!existed)
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [
        PG_SCHEMA_VERSION,
        'PostgreSQL 台账（与 SQLite 台账结构版本 4 相同的表）',
        new Date().toISOString(),
      ]);
    const schema = (await client.query('SELECT current_schema() AS s')).rows[0].s as string;
    await client.query(pgRoles(schema));
    await client.query('COMMIT');
    return { version: PG_SCHEMA_VERSION, created: !existed };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof LedgerError) throw err;
    throw new LedgerError(`建立 PostgreSQL 台账 ${maskUrl(url)} 失败：${(err as Error).message}`);
  } finally {
    await client.end();
  }
}
