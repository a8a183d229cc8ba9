// Child processes for the tests, always asynchronous: a synchronous spawn blocks the test worker's event
// loop for as long as the child runs, and a file of such tests never lets vitest's worker read the main
// process's replies — its RPC ("onTaskUpdate") then times out and the suite exits 1 with every test green.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface Ran {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** killed with SIGKILL after this many ms (then `signal` is set) */
  timeout?: number;
  input?: string;
}

/** Runs a program to its end without blocking the event loop; never rejects for a non-zero exit. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, FORCE_COLOR: '0', ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = opts.timeout ? setTimeout(() => child.kill('SIGKILL'), opts.timeout) : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? -1,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The built CLI (`bin/assist.js`), as a user runs it. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<Ran> {
  return run(process.execPath, [join(ROOT, 'bin', 'assist.js'), ...args], { timeout: 120_000, ...opts });
}

/** A node script of the project (e.g. the fixture generator), from the repository root. */
export function runNode(args: string[], opts: RunOptions = {}): Promise<Ran> {
  return run(process.execPath, args, { timeout: 120_000, ...opts });
}

/** The built CLI started in the background: wait for a text on its stderr, kill it, await its end. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill: () => void;
  signal: (s: NodeJS.Signals) => void;
  stderrHas: (s: string) => Promise<void>;
} {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'assist.js'), ...args], {
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiters: { s: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of waiters) if (stderr.includes(w.s)) w.resolve();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    signal: (s) => child.kill(s),
    stderrHas: (s) => new Promise((resolve) => (stderr.includes(s) ? resolve() : waiters.push({ s, resolve }))),
  };
}

/** No full 18-digit (or 15-digit) ID number may appear in terminal output. */
export const FULL_ID = /(?<![\d*])\d{17}[\dX](?![\d*])|(?<![\d*])\d{15}(?![\d*])/;
