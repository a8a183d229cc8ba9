// A throwaway PostgreSQL server for one test file (each file runs in its own fork, so two files do not share one):
// the office's login user `clerk`, a member of assist_writer only, and a fresh ledger database per call.
import { afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PG_BIN, PG_MISSING, startPostgres, type PgServer } from './postgres.js';
import type { LedgerBackend } from '../suites/ledger-runs.js';

export interface PgLedgers {
  /** null when there is none (PG_MISSING): the file's groups skip */
  server: PgServer | null;
  /** psql as the server's superuser, on one database */
  psql(db: string, sql: string): string;
  /** a fresh database with the ledger initialised; the URL is the office clerk's */
  newDatabase(): string;
  /** the ledger runs suite's backend on this server */
  backend: LedgerBackend;
}

export function pgLedgers(): PgLedgers {
  if (PG_MISSING) console.warn(`跳过 PostgreSQL 测试：${PG_MISSING}`);
  const server: PgServer | null = PG_MISSING ? null : startPostgres();
  afterAll(() => server?.stop());
  const psql = (db: string, sql: string): string =>
    execFileSync(join(PG_BIN!, 'psql'), [server!.url('postgres', db), '-v', 'ON_ERROR_STOP=1', '-Atc', sql], {
      encoding: 'utf8',
    });
  // the office's login user: a member of assist_writer only (granted in each database's ledger)
  if (server) psql('postgres', 'CREATE ROLE clerk LOGIN');
  let databases = 0;
  const newDatabase = (): string => {
    const db = `ledger_${++databases}`;
    psql('postgres', `CREATE DATABASE ${db}`);
    execFileSync(process.execPath, ['bin/assist.js', 'ledger', 'init', '--ledger', server!.url('postgres', db)]);
    // membership is the server's, not a database's: granted once
    if (databases === 1) psql(db, 'GRANT assist_writer TO clerk');
    return server!.url('clerk', db);
  };
  // (collected even when skipped: no server, no database)
  const backend: LedgerBackend = { name: 'postgres', newLedger: () => (server ? newDatabase() : 'postgresql://none') };
  return { server, psql, newDatabase, backend };
}

/** The 当前台账校验码 that `ledger check` printed. */
export const checkedCode = (out: string): string | undefined => /当前台账校验码：(\S+)/.exec(out)?.[1];
