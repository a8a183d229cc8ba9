// What a run records about where its numbers came from: each input file's hash and each policy's
// parameter version (SPEC §5).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Policy } from '../engine/types.js';
import type { PolicyVersion } from './store.js';

export async function fileSha256(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

export function policyVersions(policies: Policy[]): PolicyVersion[] {
  return policies.map((p) => ({
    id: p.id,
    name: p.name,
    document: p.document,
    version: createHash('sha256').update(JSON.stringify(p.params.file)).digest('hex').slice(0, 16),
    parameters: p.params.file,
  }));
}
