// A throwaway PostgreSQL server for the tests: Debian's postgresql binaries, initdb in a temporary directory, a Unix
// socket only (no TCP port), stopped and removed afterwards. As root the server runs as the postgres user (initdb
// refuses root). `why` says why none could be started (no binaries), so the tests can say so when they skip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  /** postgresql://USER@/DB?host=SOCKETDIR&port=PORT */
  url(user?: string, db?: string): string;
  stop(): void;
}

function bindir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

export const PG_BIN = bindir();
export const PG_MISSING = PG_BIN ? null : '没有找到 PostgreSQL（Debian 的 postgresql 软件包；.ci/run 会安装）';

export function startPostgres(): PgServer {
  if (!PG_BIN) throw new Error(PG_MISSING!);
  const dir = mkdtempSync(join(tmpdir(), 'assist-pg-'));
  const data = join(dir, 'data');
  const root = userInfo().uid === 0;
  const as = (cmd: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(PG_BIN, cmd), args, { stdio: 'pipe' });
  if (root) execFileSync('chown', ['postgres', dir]);
  as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = 20000 + Math.floor(Math.random() * 30000);
  as('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-k ${dir} -p ${port} -c listen_addresses='' -c fsync=off`,
    'start',
  ]);
  return {
    url: (user = 'postgres', db = 'postgres') => `postgresql://${user}@/${db}?host=${dir}&port=${port}`,
    stop: () => {
      try {
        as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
