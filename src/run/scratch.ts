// Scratch files (roster index, external sort, list staging) hold tens of thousands of ID numbers: they live in
// one private directory per process (0700, files 0600) that is removed on every exit; a process killed
// outright leaves it for the next run, which removes it (stale.ts). SIGINT/SIGTERM roll back and say so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStale } from './stale.js';
import { committedRun } from '../ledger/commits.js';

export const SCRATCH_PREFIX = '.assist-';
let dir: string | null = null;

/** This process's private scratch directory, made on first use. */
export function scratchDir(): string {
  if (!dir) {
    removeStale(tmpdir(), SCRATCH_PREFIX);
    // mkdtemp makes the directory 0700
    dir = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
    process.once('exit', removeScratch);
  }
  return dir;
}

export function removeScratch(): void {
  if (dir) removeDir(dir);
  dir = null;
}

/**
 * A directory and what is in it. A file the thread pool is still creating in it (a writer's stream opened just before
 * a signal) can make the final rmdir fail with ENOTEMPTY: Node then retries.
 */
export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/** A cleanup on the way out that must not turn an interrupt into a crash (exit 1): what it leaves, stale.ts removes. */
function attempt(fn: () => void): void {
  try {
    fn();
  } catch {
    // the next run removes the leftover staging and scratch directories
  }
}

const onInterrupt = new Set<() => void>();

/** Work to undo when the user interrupts (the staging folder); returns the function that forgets it. */
export function whenInterrupted(fn: () => void): () => void {
  onInterrupt.add(fn);
  return () => onInterrupt.delete(fn);
}

/**
 * SIGINT (Ctrl-C) and SIGTERM (kill, cron's timeout): the open transaction is never committed (SQLite drops it
 * when the process ends), staging and scratch files are removed, one Chinese line says what happened; exit
 * 130 / 143 as a shell reports a signal.
 */
export function installSignalHandlers(write: (text: string) => void): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      const committed = committedRun();
      if (committed === null) for (const fn of onInterrupt) attempt(fn);
      attempt(removeScratch);
      write(
        committed === null
          ? '已中断：台账未改动'
          : `已中断：第 ${committed} 次运行已提交；尚未放置到位的文件由下一次命令放置`,
      );
      process.exit(code);
    });
  }
}
