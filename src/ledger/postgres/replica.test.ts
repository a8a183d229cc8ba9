import { describe, expect, test } from 'vitest';
import { SqliteLedger } from '../sqlite.js';
import { remapTextIds } from '../texts.js';
import { tableRows } from './replica.js';

describe('tableRows: a ledger table a page at a time', () => {
  test('every row once, in key order, even when the caller rewrites the ids it is handed (ledger copy moves them)', () => {
    const l = new SqliteLedger(':memory:');
    try {
      const add = l.db.prepare('INSERT INTO hospitals (id, name) VALUES (?, ?)');
      for (let i = 1; i <= 12; i++) add.run(i, `医院${i}`);
      const seen: string[] = [];
      for (const row of tableRows(l, 'hospitals', ['id', 'name'], ['id'], 5)) {
        seen.push(row[1] as string);
        row[0] = (row[0] as number) + 1; // as merge.ts does: the next page must still start after id 5, not 6
      }
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `医院${i + 1}`));
    } finally {
      l.close();
    }
  });
});

describe('remapTextIds: the text ids inside stored arrays, nothing else', () => {
  const id = (old: number) => old + 100;
  test('payments [fundId, fen, …]', () => {
    expect(remapTextIds('[3,150000,4,2500]', 'payments', id)).toBe('[103,150000,104,2500]');
  });
  test('changes [year, keyId, base, paid, entitled, firstDate, …]', () => {
    expect(remapTextIds('[2024,7,100,50,50,"2024-03-01",0,8,1,2,3,null]', 'changes', id)).toBe(
      '[2024,107,100,50,50,"2024-03-01",0,108,1,2,3,null]',
    );
  });
  test('details [nameId, value, …]; NULL stays NULL', () => {
    expect(remapTextIds('[5,"3000.00",6,7]', 'details', id)).toBe('[105,"3000.00",106,7]');
    expect(remapTextIds(null, 'details', id)).toBeNull();
  });
});
