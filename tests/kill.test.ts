// Issue 7: crash safety. `adjudicate` is killed with SIGKILL at 20 pseudo-random points of a run; after
// each kill `ledger check` passes and no output file is half written (every final file is complete);
// a last run then leaves the same ledger as one uninterrupted run.
import { describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { runCli, ROOT } from './helpers/cli.js';
import { ledgerState } from './helpers/ledger.js';
import { tmp } from './helpers/files.js';


const zipComplete = (file: string) => new Promise<boolean>((resolve) => yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? resolve(false) : (z!.close(), resolve(true)))));

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
    expect(spawnSync(process.execPath, ['dist/fixtures/generate.js', '--rows', '1500', '--seed', '23', '--out', join(dir, 'fx')], { cwd: ROOT }).status).toBe(0);
    const args = (ledger: string, out: string) => ['adjudicate', join(dir, 'fx', 'claims.xlsx'), join(dir, 'fx', 'claims-gb18030.csv'), '--roster', join(dir, 'fx', 'roster.xlsx'), '--policies', 'ln-as-2022,th-2021', '--ledger', ledger, '--out', out, '--quiet'];
    const control = join(dir, 'control.db');
    const t0 = Date.now();
    expect(runCli(args(control, join(dir, 'control'))).code).toBe(0);
    const duration = Date.now() - t0;
    const ledger = join(dir, 'victim.db');
    let seed = 20261123;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let completed = 0;
    for (let i = 0; i < 20; i++) {
      const out = join(dir, `k${i}`);
      await killAfter(args(ledger, out), Math.floor(next() * duration * 1.1));
      if (existsSync(ledger)) {
        const c = runCli(['ledger', 'check', '--ledger', ledger]);
        expect(c.code, c.stdout).toBe(0);
      }
      // every final output present is complete (temporaries are dot-files in the staging folder)
      for (const f of existsSync(out) ? readdirSync(out).filter((n) => !n.startsWith('.')) : []) {
        if (f.endsWith('.xlsx')) expect(await zipComplete(join(out, f)), f).toBe(true);
        if (f.endsWith('.jsonl')) for (const l of readFileSync(join(out, f), 'utf8').trim().split('\n')) JSON.parse(l);
        completed++;
      }
    }
    const last = runCli(args(ledger, join(dir, 'last')));
    expect(last.code, last.stderr).toBe(0);
    expect(ledgerState(ledger, { inForce: true })).toEqual(ledgerState(control, { inForce: true }));
    expect(runCli(['ledger', 'check', '--ledger', ledger]).code).toBe(0);
    process.stderr.write(`20 次 SIGKILL（运行时长约 ${duration} ms）：完成的输出文件 ${completed} 个，均完整\n`);
  }, 300_000);
});
