import { renameSync, rmSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** A temporary name in the same folder: the final rename is atomic on one file system. */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/** Runs `write(tmp)`, then renames tmp → file (mode 0600). A failure leaves no half-written file. */
export async function writeAtomic(file: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    await write(tmp);
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeTextAtomic(file: string, text: string): Promise<void> {
  return writeAtomic(file, (tmp) => writeFileSync(tmp, text, { mode: 0o600 }));
}
