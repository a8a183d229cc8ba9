// Opening the shared ledger: a replica file pulled from the server, for reading (one consistent snapshot) or for a
// run (its people locked first, upstream.ts). The replica is a SQLite ledger; every command uses it as it uses a
// ledger file.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { LedgerError, SqliteLedger } from '../sqlite.js';
import { maskUrl } from './url.js';
import { PG_SCHEMA_VERSION } from './schema.js';
import { pullAll, timed } from './replica.js';
import { localMarks, PgUpstream, READ_ONLY } from './upstream.js';

/** What a command will do: read, or write a run for these people (`all`: a revert or an opening import). */
export type Access =
  | { read: true }
  | {
      people: Iterable<string> | 'all';
      /** the run's line keys [claimId, lineNo, hospital]: the people holding them now are locked too (a supersede moves a key) */
      keys?: [string, number, string][];
    };

/** BIGINT as a number: every id and amount (fen) the ledger keeps is well inside 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A connection to the ledger's database; the password comes from the URL, PGPASSWORD or ~/.pgpass (pg reads them). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: TYPES });
  try {
    await client.connect();
  } catch (err) {
    // the driver's message names host and user, never the password
    throw new LedgerError(`无法连接 PostgreSQL 台账 ${maskUrl(url)}：${(err as Error).message}`);
  }
  return client;
}

class Replica extends SqliteLedger {
  constructor(
    private readonly file: string,
    readonly url: string,
  ) {
    super(file, { replica: true });
  }
  override get name(): string {
    return maskUrl(this.url);
  }
  override close(): void {
    super.close();
    for (const f of [this.file, `${this.file}-wal`, `${this.file}-shm`]) rmSync(f, { force: true });
  }
}

async function checkSchema(client: pg.ClientBase, url: string): Promise<void> {
  const present = (await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS p")).rows[0].p as boolean;
  const version = present
    ? ((await client.query('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v as number | null)
    : null;
  if (version === null)
    throw new LedgerError(
      `PostgreSQL 数据库 ${maskUrl(url)} 中还没有台账；请先运行 assist ledger init --ledger <地址>。`,
    );
  if (version > PG_SCHEMA_VERSION)
    throw new LedgerError(
      `PostgreSQL 台账 ${maskUrl(url)} 的结构版本为 ${version}，比本程序支持的 ${PG_SCHEMA_VERSION} 新；请升级 assist。`,
    );
}

/** Takes the run's locks on `client` (in its open transaction); says so once when it has to wait. */
async function lockPeople(
  client: pg.Client,
  people: Iterable<string> | 'all',
  keys: [string, number, string][],
  onWait?: () => void,
): Promise<void> {
  const ids = people === 'all' ? null : [...new Set([...people, ...(await holders(client, keys))])].sort();
  if (ids?.length) {
    // a lock row per person, added outside the run's transaction (two runs adding the same person do not wait for
    // each other's commit); then the rows are locked in one sorted statement
    for (let i = 0; i < ids.length; i += 50_000)
      await client.query('INSERT INTO people (id_number) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [
        ids.slice(i, i + 50_000),
      ]);
  }
  await client.query('BEGIN');
  const take = async (): Promise<void> => {
    if (ids === null) await client.query('LOCK TABLE people IN EXCLUSIVE MODE');
    else if (ids.length)
      await client.query('SELECT 1 FROM people WHERE id_number = ANY($1::text[]) ORDER BY id_number FOR UPDATE', [ids]);
  };
  await client.query("SET LOCAL lock_timeout = '200ms'");
  await client.query('SAVEPOINT locks');
  try {
    await take();
  } catch (err) {
    if ((err as { code?: string }).code !== '55P03') throw err;
    await client.query('ROLLBACK TO SAVEPOINT locks');
    onWait?.();
    await client.query('SET LOCAL lock_timeout = 0');
    await take();
  }
  await client.query('RELEASE SAVEPOINT locks');
  // waits later in the run (the commit lock) are not cut short
  await client.query('SET LOCAL lock_timeout = 0');
}

/** Who holds these line keys now (a line in force). */
async function holders(client: pg.Client, keys: [string, number, string][]): Promise<string[]> {
  return (await linesInForce(client, keys)).map((l) => l[3]);
}

/** The keys [claimId, lineNo, hospital] that have a line in force on the server, with the person holding each. */
export async function linesInForce(
  client: pg.ClientBase,
  keys: [string, number, string][],
): Promise<[string, number, string, string][]> {
  const out: [string, number, string, string][] = [];
  for (let i = 0; i < keys.length; i += 50_000) {
    const page = keys.slice(i, i + 50_000);
    const r = await client.query({
      text: `SELECT k.claim_id, k.line_no, k.hospital, l.id_number FROM unnest($1::text[], $2::int[], $3::text[]) AS k(claim_id, line_no, hospital)
         JOIN hospitals h ON h.name = k.hospital
         JOIN lines l ON l.claim_id = k.claim_id AND l.line_no = k.line_no AND l.hospital_id = h.id AND l.superseded_by IS NULL`,
      values: [page.map((k) => k[0]), page.map((k) => k[1]), page.map((k) => k[2])],
      rowMode: 'array',
    });
    out.push(...(r.rows as [string, number, string, string][]));
  }
  return out;
}

export async function openPostgresLedger(
  url: string,
  dir: string,
  access: Access,
  opts: { onWait?: () => void } = {},
): Promise<SqliteLedger> {
  const runClient = 'people' in access ? await connect(url) : null;
  const readClient = await connect(url);
  let replica: Replica | null = null;
  try {
    await checkSchema(readClient, url);
    if (runClient && 'people' in access)
      await timed('加锁', () => lockPeople(runClient, access.people, access.keys ?? [], opts.onWait));
    const r = (replica = new Replica(join(dir, `ledger-replica-${process.pid}-${Date.now()}.db`), url));
    // the snapshot begins after the locks are held: for the run's people it is the ledger as it is
    await timed('拉取副本', async () => {
      await readClient.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await pullAll(readClient, r.db);
      await readClient.query('COMMIT');
    });
    replica.upstream = runClient
      ? new PgUpstream(runClient, replica, localMarks(replica), () => connect(url))
      : READ_ONLY;
    return replica;
  } catch (err) {
    replica?.close();
    void runClient?.end().catch(() => {});
    if (err instanceof LedgerError) throw err;
    if (runClient && (err as { code?: string }).code === '42501')
      throw new LedgerError(
        `登录用户 ${runClient.user ?? ''} 没有写入 PostgreSQL 台账 ${maskUrl(url)} 的权限（${(err as Error).message}）。` +
          `审核、撤销、导入期初余额需要 assist_writer 角色（管理员执行 GRANT assist_writer TO ${runClient.user ?? '该用户'}）；` +
          '报表、对账、explain、ledger check 用 assist_reader 即可。',
      );
    throw new LedgerError(`读取 PostgreSQL 台账 ${maskUrl(url)} 失败：${(err as Error).message}`);
  } finally {
    await readClient.end().catch(() => {});
  }
}
