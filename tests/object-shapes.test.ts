// The objects made once per line or per roster row must stay in V8's fast (hidden-class) mode: a line decoded
// field by field from a list, and a roster row built as a spread plus twenty properties, both fell into
// dictionary mode — every property read in the engine a hash lookup (17 → 3 µs a roster row; ~6% of a run).
// Checked in a child process with --allow-natives-syntax, on the built modules. Not a timing.
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { ROOT, runNode } from './helpers/cli.js';

const PROBE = `
const dist = (m) => import(${JSON.stringify(join(ROOT, 'dist'))} + '/' + m);
const { readInputBatches } = await dist('io/read-input.js');
const { decodeLine, encodeLine } = await dist('run/sort-store.js');
const { lineRecord } = await dist('ledger/content.js');
const demo = (f) => ${JSON.stringify(join(ROOT, 'fixtures', 'demo'))} + '/' + f;
const out = {};
for await (const b of readInputBatches(demo('claims.xlsx'), 'claims')) for (const it of b) if (it.type === 'claim' && !out.claim) {
  out.claim = %HasFastProperties(it.line);
  const back = decodeLine(encodeLine(it.line));
  out.decoded = %HasFastProperties(back);
  const sorted = (o) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  out.sameDecoded = sorted(back) === sorted(it.line);
  out.record = %HasFastProperties(lineRecord(back));
}
const { mergeRoster } = await dist('roster/merge.js');
for await (const b of readInputBatches(demo('roster.xlsx'), 'roster')) for (const it of b) if (it.type === 'roster' && out.roster === undefined) {
  out.roster = %HasFastProperties(it.row);
  out.person = %HasFastProperties(mergeRoster([it.row]).people.get(it.row.idNumber));
}
console.log(JSON.stringify(out));
`;

describe('per-line objects keep fast properties', () => {
  test('claim line, line decoded from the external sort, its ledger record, roster row, merged person', async () => {
    const r = await runNode(['--allow-natives-syntax', '--input-type=module', '-e', PROBE]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      claim: true,
      decoded: true,
      sameDecoded: true,
      record: true,
      roster: true,
      person: true,
    });
  });
});
