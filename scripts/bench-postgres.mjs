// npm run bench -- --ledger postgres [--rows N] (issue 21 §2, §6): the same month on the SQLite ledger and on a
// shared PostgreSQL ledger (a throwaway server, src/fixtures/postgres-server.ts; ASSIST_BENCH_PG_URL to use another
// one), each the whole `assist adjudicate` in its own process; then two offices at once — two N-line months with
// disjoint people (generated with disjoint ID numbers and claim numbers) on one PostgreSQL ledger — against one of
// them alone; then the second office's own SQLite ledger appended to the first's shared ledger (ledger copy).
// Prints wall time, peak RSS, the shared ledger's steps (lock, pull, commit-lock wait, send, commit)
// and the ratios. Figures are printed, never asserted.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';

const ROOT = resolve(import.meta.dirname, '..');

/** Runs the CLI in its own process; resolves with wall time, peak RSS (from /usr/bin/time -v when present) and stderr. */
function cli(args, env = {}) {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=4096', join(ROOT, 'bin', 'assist.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ASSIST_TIMING: '1', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) fail(new Error(`assist ${args.join(' ')} → ${code}\n${err}`));
      else done({ seconds, stdout: out, stderr: err });
    });
  });
}

async function fixtures(n, office) {
  const dir = join(ROOT, 'bench', 'cache', `${n}-office${office}`);
  if (!existsSync(join(dir, 'roster.xlsx'))) {
    process.stderr.write(`生成 ${n} 行（办公室 ${office + 1}；首次运行，之后使用缓存 ${dir}）……\n`);
    const { writeBenchFixtures } = await import(join(ROOT, 'dist', 'fixtures', 'generate.js'));
    // disjoint people (ID sequence digits even / odd) and claim numbers (another month)
    await writeBenchFixtures(dir, {
      lines: n,
      people: n,
      seed: 1 + office,
      month: office === 0 ? '2024-06' : '2024-05',
      partition: [office, 2],
    });
  }
  return dir;
}

const adjudicate = (dir, ledger, out) =>
  cli([
    'adjudicate',
    join(dir, 'claims.xlsx'),
    '--roster',
    join(dir, 'roster.xlsx'),
    '--policies',
    'th-2021,ln-as-2022',
    '--ledger',
    ledger,
    '--out',
    out,
    '--quiet',
  ]);

const steps = (stderr) =>
  [...stderr.matchAll(/\[计时·共用台账\] (\S+) ([\d.]+) s/g)].map((m) => `${m[1]} ${m[2]} s`).join('，');

/** A fresh database with the ledger initialised, on the given server (ASSIST_BENCH_PG_URL) or a throwaway one. */
function databases(given, server, pg) {
  let dbs = 0;
  return async () => {
    const name = `bench_${++dbs}`;
    const admin = new pg.Client({ connectionString: given ?? server.url() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = given ? given.replace(/\/[^/?]*(\?|$)/, `/${name}$1`) : server.url('postgres', name);
    await cli(['ledger', 'init', '--ledger', url]);
    return url;
  };
}

/**
 * Two offices at once: each on its own SQLite file (the machine's own floor), then on one shared ledger (checked);
 * then the second office's own ledger appended to the first one's shared ledger (ledger copy).
 */
async function offices(a, b, work, database, sharedUrl) {
  const both = async (ledgerA, ledgerB, tag) => {
    const t0 = performance.now();
    const [one, two] = await Promise.all([
      adjudicate(a, ledgerA, join(work, `${tag}1`)),
      adjudicate(b, ledgerB, join(work, `${tag}2`)),
    ]);
    return { one, two, seconds: (performance.now() - t0) / 1000 };
  };
  process.stderr.write('两个办公室同时，各自的 SQLite 文件… ');
  const apart = await both(join(work, 'a1.db'), join(work, 'a2.db'), 'apart');
  process.stderr.write('两个办公室同时（人员不重叠），同一 PostgreSQL 台账… ');
  const url = await database();
  const together = await both(url, url, 'office');
  const check = await cli(['ledger', 'check', '--ledger', url]);
  process.stderr.write('把办公室 2 的台账文件并入办公室 1 的共用台账（ledger copy）… ');
  const copy = await cli(['ledger', 'copy', '--from', join(work, 'a2.db'), '--to', sharedUrl]);
  const after = await cli(['ledger', 'check', '--ledger', sharedUrl]);
  const merged = {
    seconds: copy.seconds,
    check: /当前台账校验码：(\S+)/.exec(after.stdout)?.[0] ?? after.stdout.trim(),
  };
  return { apart, together, check, merged };
}

function printPostgres(rows, sqlite, shared, pair) {
  const f1 = (x) => x.toFixed(1);
  const n = rows.toLocaleString('en-US');
  console.log(
    `\nassist 共用台账基准 — ${new Date().toISOString().slice(0, 10)}，${cpus().length} 核 ${cpus()[0]?.model ?? ''}，内存 ${Math.round(totalmem() / 2 ** 30)} GiB，Node ${process.version}`,
  );
  console.log('| 行数 | 测量 | 用时 (s) |');
  console.log('|---:|---|---:|');
  console.log(`| ${n} | 完整 adjudicate，SQLite 台账 | ${f1(sqlite.seconds)} |`);
  console.log(`| ${n} | 完整 adjudicate，PostgreSQL 台账（空库） | ${f1(shared.seconds)} |`);
  if (pair) {
    console.log(
      `| ${n} × 2 | 两个办公室同时审核，各自的 SQLite 台账文件（本机两核的下限） | ${f1(pair.apart.seconds)} |`,
    );
    console.log(
      `| ${n} × 2 | 两个办公室同时审核（人员、结算单号不重叠），同一 PostgreSQL 台账 | ${f1(pair.together.seconds)} |`,
    );
  }
  console.log('');
  console.log(`PostgreSQL / SQLite = ${(shared.seconds / sqlite.seconds).toFixed(2)}（目标 ≤ 1.5）`);
  console.log(`单独一次的共用台账步骤：${steps(shared.stderr)}`);
  if (!pair) {
    console.log('（两个办公室同时：行数 ≤ 10 万时测，或加 --pair）');
    return;
  }
  const { apart, together, check, merged } = pair;
  console.log(`两个同时 / 一个单独 = ${(together.seconds / shared.seconds).toFixed(2)}（目标 < 1.5）`);
  console.log(
    `本机下限：两个同时、各用自己的 SQLite 文件 / 一个单独（SQLite）= ${(apart.seconds / sqlite.seconds).toFixed(2)}（两核上两个进程争用 CPU，与台账无关）`,
  );
  const { one, two } = together;
  console.log(
    `同时的两次：办公室 1 ${f1(one.seconds)} s（${steps(one.stderr)}）；办公室 2 ${f1(two.seconds)} s（${steps(two.stderr)}）`,
  );
  console.log(`ledger check：${/当前台账校验码：(\S+)/.exec(check.stdout)?.[0] ?? check.stdout.trim()}`);
  console.log(
    `并入：办公室 2 的 ${n} 行台账文件并入已有办公室 1 一次运行的共用台账（ledger copy，含源台账校验）${f1(merged.seconds)} s；之后 ledger check：${merged.check}`,
  );
}

export async function benchPostgres(rows, pair = rows <= 100_000) {
  const { startPostgres, PG_MISSING } = await import(join(ROOT, 'dist', 'fixtures', 'postgres-server.js'));
  const given = process.env.ASSIST_BENCH_PG_URL;
  if (!given && PG_MISSING) throw new Error(PG_MISSING);
  // fsync on, like the SQLite ledger's synchronous=FULL
  const server = given ? null : startPostgres({ durable: true });
  const { default: pg } = await import('pg');
  const database = databases(given, server, pg);
  try {
    const a = await fixtures(rows, 0);
    const b = pair ? await fixtures(rows, 1) : null;
    const work = join(ROOT, 'bench', 'work', `pg-${rows}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    process.stderr.write(`\n${rows} 行：SQLite 台账… `);
    const sqlite = await adjudicate(a, join(work, 'assist.db'), join(work, 'sqlite'));
    process.stderr.write('PostgreSQL 台账… ');
    const sharedUrl = await database();
    const shared = await adjudicate(a, sharedUrl, join(work, 'pg'));
    const both = pair ? await offices(a, b, work, database, sharedUrl) : null;
    process.stderr.write('完成\n');
    printPostgres(rows, sqlite, shared, both);
  } finally {
    server?.stop();
  }
}
