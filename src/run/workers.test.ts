import { afterEach, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ONE_THREAD_BELOW_BYTES, useWorkers } from './workers.js';

describe('useWorkers: a small month on one thread', () => {
  const saved = process.env.ASSIST_WORKERS;
  afterEach(() => {
    if (saved === undefined) delete process.env.ASSIST_WORKERS;
    else process.env.ASSIST_WORKERS = saved;
  });
  const dir = mkdtempSync(join(tmpdir(), 'assist-workers-'));
  const file = (name: string, bytes: number) => {
    const f = join(dir, name);
    writeFileSync(f, Buffer.alloc(bytes));
    return f;
  };

  test('by the claims files’ size in all: 1 MiB and more uses the workers', () => {
    delete process.env.ASSIST_WORKERS;
    expect(ONE_THREAD_BELOW_BYTES).toBe(1_048_576);
    expect(useWorkers([file('a', 1_048_575)])).toBe(false);
    expect(useWorkers([file('b', 1_048_576)])).toBe(true);
    // two files of 600,000 bytes: 1,200,000 in all
    expect(useWorkers([file('c', 600_000), file('d', 600_000)])).toBe(true);
    expect(useWorkers([file('e', 600_000)])).toBe(false);
    // a file that cannot be read counts as large; its reader names the problem
    expect(useWorkers([join(dir, 'missing.xlsx')])).toBe(true);
  });

  test('ASSIST_WORKERS=0 and =1 decide whatever the size', () => {
    process.env.ASSIST_WORKERS = '1';
    expect(useWorkers([file('f', 10)])).toBe(true);
    process.env.ASSIST_WORKERS = '0';
    expect(useWorkers([file('g', 2_000_000)])).toBe(false);
  });
});
