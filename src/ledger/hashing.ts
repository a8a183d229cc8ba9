// The ledger's hash chain: each run's hash is sha256(previous hash ‖ its content hash), from GENESIS.
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

export function chainHash(prevHash: string, contentHash: string): string {
  return sha256(`${prevHash}${contentHash}`);
}
