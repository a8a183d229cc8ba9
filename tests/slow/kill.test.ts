// Issue 7: crash safety (the slow suite). `adjudicate` is killed with SIGKILL at 20 pseudo-random points of a run; after
// each kill `ledger check` passes and no output file is half written (every final file is complete);
// a last run then leaves the same ledger as one uninterrupted run.
import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { runCli, runNode, startCli, ROOT } from '../helpers/cli.js';
import { ledgerState } from '../helpers/ledger.js';
import { tmp } from '../helpers/files.js';

const zipComplete = (file: string) =>
  new Promise<boolean>((resolve) =>
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? resolve(false) : (z!.close(), resolve(true)))),
  );

function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'assist.js'), ...args], { stdio: 'ignore' });
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

describe('SIGKILL at 20 points of a run', () => {
  test('after every kill the ledger checks out and no output is half written; the last run equals an uninterrupted one', async () => {
    const dir = tmp('assist-kill20-');
    expect(
      (await runNode(['dist/fixtures/generate.js', '--rows', '1500', '--seed', '23', '--out', join(dir, 'fx')])).code,
    ).toBe(0);
    const args = (ledger: string, out: string) => [
      'adjudicate',
      join(dir, 'fx', 'claims.xlsx'),
      join(dir, 'fx', 'claims-gb18030.csv'),
      '--roster',
      join(dir, 'fx', 'roster.xlsx'),
      '--policies',
      'ln-as-2022,th-2021',
      '--ledger',
      ledger,
      '--out',
      out,
      '--quiet',
    ];
    const control = join(dir, 'control.db');
    const t0 = Date.now();
    expect((await runCli(args(control, join(dir, 'control')))).code).toBe(0);
    const duration = Date.now() - t0;
    const ledger = join(dir, 'victim.db');
    let seed = 20261123;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let completed = 0;
    for (let i = 0; i < 20; i++) {
      const out = join(dir, `k${i}`);
      await killAfter(args(ledger, out), Math.floor(next() * duration * 1.1));
      if (existsSync(ledger)) {
        const c = await runCli(['ledger', 'check', '--ledger', ledger]);
        expect(c.code, c.stdout).toBe(0);
      }
      // every final output present is complete (temporaries are dot-files in the staging folder)
      for (const f of existsSync(out) ? readdirSync(out).filter((n) => !n.startsWith('.')) : []) {
        if (f.endsWith('.xlsx')) expect(await zipComplete(join(out, f)), f).toBe(true);
        if (f.endsWith('.jsonl')) for (const l of readFileSync(join(out, f), 'utf8').trim().split('\n')) JSON.parse(l);
        completed++;
      }
    }
    const last = await runCli(args(ledger, join(dir, 'last')));
    expect(last.code, last.stderr).toBe(0);
    expect(ledgerState(ledger, { inForce: true })).toEqual(ledgerState(control, { inForce: true }));
    expect((await runCli(['ledger', 'check', '--ledger', ledger])).code).toBe(0);
    process.stderr.write(`20 次 SIGKILL（运行时长约 ${duration} ms）：完成的输出文件 ${completed} 个，均完整\n`);
  }, 300_000);
});

describe('SIGKILL in the middle of a large run', () => {
  test('the ledger is unchanged, no output is half written, and a re-run is complete and correct', async () => {
    const dir = tmp('assist-kill-');
    const g = (await runNode(['dist/fixtures/generate.js', '--rows', '3000', '--seed', '11', '--out', join(dir, 'fx')]))
      .code;
    expect(g, 'fixture generation').toBe(0);
    const ledger = join(dir, 'assist.db');
    const args = (out: string, l = ledger) => [
      'adjudicate',
      join(dir, 'fx', 'claims.xlsx'),
      '--roster',
      join(dir, 'fx', 'roster.xlsx'),
      '--policies',
      'ln-as-2022,th-2021',
      '--ledger',
      l,
      '--out',
      join(dir, out),
    ];
    // a first month committed, so "unchanged" means more than "empty"
    const first = await runCli([
      'adjudicate',
      join(dir, 'fx', 'claims-gb18030.csv'),
      '--roster',
      join(dir, 'fx', 'roster.xlsx'),
      '--policies',
      'ln-as-2022,th-2021',
      '--ledger',
      ledger,
      '--out',
      join(dir, 'first'),
    ]);
    expect(first.code, first.stderr).toBe(0);
    const before = ledgerState(ledger);
    const victim = startCli(args('killed'), { ASSIST_TEST_PAUSE_BEFORE_COMMIT_MS: '60000' });
    await victim.stderrHas('ASSIST_TEST: 事务已写入，等待提交');
    victim.kill();
    const killed = await victim.done;
    expect(killed.code).toBeNull();
    expect(ledgerState(ledger)).toEqual(before);
    expect((await runCli(['ledger', 'check', '--ledger', ledger])).code).toBe(0);
    const leftovers = existsSync(join(dir, 'killed'))
      ? readdirSync(join(dir, 'killed')).filter((f) => !f.startsWith('.'))
      : [];
    expect(leftovers).toEqual([]);
    // re-run: complete, and the same as an uninterrupted run on a ledger that saw the same history
    const again = await runCli(args('again'));
    expect(again.code, again.stderr).toBe(0);
    const control = join(dir, 'control.db');
    await runCli([
      'adjudicate',
      join(dir, 'fx', 'claims-gb18030.csv'),
      '--roster',
      join(dir, 'fx', 'roster.xlsx'),
      '--policies',
      'ln-as-2022,th-2021',
      '--ledger',
      control,
      '--out',
      join(dir, 'c1'),
    ]);
    await runCli(args('c2', control));
    expect(ledgerState(ledger)).toEqual(ledgerState(control));
    const jsonl = (out: string) =>
      readFileSync(
        join(
          dir,
          out,
          readdirSync(join(dir, out)).find((f) => f.endsWith('.jsonl'))!,
        ),
        'utf8',
      );
    expect(jsonl('again')).toEqual(jsonl('c2'));
    expect(again.stdout).toMatch(/核对：读取 (\d+) = 审核 \d+ \+ 无效 \d+；金额守恒一致/);
    expect(ledgerState(ledger).results.length).toBeGreaterThan(2000);
    expect((await runCli(['ledger', 'check', '--ledger', ledger])).code).toBe(0);
  }, 120_000);
});
