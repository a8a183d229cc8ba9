import { describe, expect, test } from 'vitest';
import { line } from '../testkit.js';
import { ZERO } from '../domain/money.js';
import type { LineResult } from '../engine/types.js';
import { InBatchOrder } from './in-batch-order.js';

const result = (l: ReturnType<typeof line>, policy: string): LineResult => ({
  line: l,
  policy,
  status: 'approved',
  reasons: [],
  base: ZERO,
  payments: {},
  patientRemaining: ZERO,
  trace: [],
  payee: '',
  changes: [],
});

describe('InBatchOrder', () => {
  const batch = ['C1', 'C2', 'C3', 'C4'].map((claimId) => line({ claimId }));
  const handed = (order: number[]) => {
    const out: string[] = [];
    const inOrder = new InBatchOrder(batch, (g) => out.push(g.map((r) => `${r.line.claimId}/${r.policy}`).join('+')));
    const seen: number[] = [];
    for (const i of order) {
      inOrder.put([result(batch[i]!, 'a'), result(batch[i]!, 'b')]);
      seen.push(out.length);
    }
    return { out, seen, complete: inOrder.complete };
  };

  test('in the batch order each line goes straight through, its results together', () => {
    const r = handed([0, 1, 2, 3]);
    expect(r.out).toEqual(['C1/a+C1/b', 'C2/a+C2/b', 'C3/a+C3/b', 'C4/a+C4/b']);
    expect(r.seen).toEqual([1, 2, 3, 4]);
    expect(r.complete).toBe(true);
  });

  test('a line that comes early waits for those before it; nothing is handed on twice', () => {
    const r = handed([2, 0, 3, 1]);
    expect(r.out).toEqual(['C1/a+C1/b', 'C2/a+C2/b', 'C3/a+C3/b', 'C4/a+C4/b']);
    // C3 held; C1 out; C4 held; C2 releases C2, C3, C4
    expect(r.seen).toEqual([0, 1, 1, 4]);
    expect(r.complete).toBe(true);
  });

  test('a line without results leaves the batch incomplete', () => {
    expect(handed([0, 1, 3]).complete).toBe(false);
  });
});
