// Issue 7: fuzzing. fast-check over the cell parsers and the row mappers (never throw; every row is a
// record or an error), and a mutation fuzzer over the demo .xlsx bytes (FUZZ_RUNS, default 300; the
// slow suite `npm run test:slow` runs 2,000): every mutated file is read to the end with a consistent
// count, or refused with an InputError (exit 2) — never another error, never a hang.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMoney } from '../src/domain/money.js';
import { parseDate } from '../src/domain/dates.js';
import { parseIdNumber } from '../src/domain/id-number.js';
import { parseCategory, parseVisitType, parseYesNo } from '../src/domain/categories.js';
import { mapClaimRow, mapRosterRow, mapOpeningRow, mapStatementRow } from '../src/io/records.js';
import { CLAIM_FIELDS, ROSTER_FIELDS, OPENING_FIELDS, STATEMENT_FIELDS, matchHeader } from '../src/io/headers.js';
import { readInput, type InputKind } from '../src/io/read-input.js';
import { InputError, UsageError } from '../src/io/errors.js';
import type { CellValue } from '../src/io/cell.js';
import { ROOT } from './helpers/cli.js';
import { tmp } from './helpers/files.js';
import { unzipParts, writeZip } from './helpers/zip.js';

const cell: fc.Arbitrary<CellValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom<CellValue>(
    new Date(NaN),
    new Date(8.64e15),
    { error: '#N/A' },
    { error: '#REF!' },
    '',
    ' ',
    '￥1,234.50',
    '-0.01',
    '1e308',
    '2024-02-30',
    '320902196005012113',
    '３２０９０２',
  ),
);

describe('parsers never throw', () => {
  test('money, date, ID, category, visit type, yes/no on arbitrary input', async () => {
    fc.assert(
      fc.property(cell, (v) => {
        parseMoney(v);
        parseDate(v);
        parseIdNumber(v);
        if (typeof v === 'string') {
          parseCategory(v);
          parseVisitType(v);
          parseYesNo(v);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test.each([
    ['claims', CLAIM_FIELDS, mapClaimRow],
    ['roster', ROSTER_FIELDS, mapRosterRow],
    ['opening', OPENING_FIELDS, mapOpeningRow],
    ['statement', STATEMENT_FIELDS, mapStatementRow],
  ] as const)('%s row mapper: a record or an error for any cells', (_kind, specs, map) => {
    const columns = matchHeader(
      specs.map((s) => s.header),
      specs,
    ).columns;
    fc.assert(
      fc.property(fc.array(cell, { maxLength: specs.length + 3 }), fc.integer({ min: 1, max: 1e6 }), (cells, row) => {
        const r = (map as (c: CellValue[], ctx: unknown) => { ok: boolean | 'ignored' })(cells, {
          source: 'f.xlsx',
          sheet: 'S',
          row,
          columns,
        });
        expect([true, false, 'ignored']).toContain(r.ok);
      }),
      { numRuns: 1500 },
    );
  });
});

/** Reads a file to the end: 'ok' with consistent counts, 'refused' (InputError → exit 2), or throws. */
async function readAll(file: string, kind: InputKind): Promise<'ok' | 'refused'> {
  let items = 0;
  let stats: { rowsRead: number; records: number; errors: number; ignored: number } | undefined;
  try {
    for await (const _ of readInput(file, kind, {}, (s) => (stats = s))) items++;
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) return 'refused';
    throw err;
  }
  expect(stats!.rowsRead).toBe(stats!.records + stats!.errors + stats!.ignored);
  expect(items).toBe(stats!.rowsRead);
  return 'ok';
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe(`mutation fuzzer over the demo workbooks (${RUNS} files)`, () => {
  const dir = tmp('assist-fuzz-');
  const seeds: [string, InputKind][] = [
    ['claims.xlsx', 'claims'],
    ['roster.xlsx', 'roster'],
    ['claims-gb18030.csv', 'claims'],
  ];
  const originals = seeds.map(([f, kind]) => ({
    bytes: readFileSync(join(ROOT, 'fixtures', 'demo', f)),
    kind,
    ext: f.slice(f.lastIndexOf('.')),
  }));
  const mutation = fc.record({
    which: fc.integer({ min: 0, max: originals.length - 1 }),
    kind: fc.constantFrom('flip', 'truncate', 'insert', 'zero', 'duplicate', 'xml', 'xml', 'xml'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.integer({ min: 1, max: 64 }),
    byte: fc.integer({ min: 0, max: 255 }),
  });

  test('every mutated file is read with a consistent count or refused with a named error, within 10 s each', async () => {
    const outcomes = { ok: 0, refused: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const o = originals[m.which]!;
        const b = Buffer.from(o.bytes);
        const at = Math.floor(m.at * b.length);
        let out: Buffer;
        if (m.kind === 'flip') {
          for (let i = 0; i < m.len && at + i < b.length; i++) b[at + i] = (b[at + i]! ^ (m.byte || 1)) & 255;
          out = b;
        } else if (m.kind === 'truncate') out = b.subarray(0, at);
        else if (m.kind === 'insert')
          out = Buffer.concat([b.subarray(0, at), Buffer.alloc(m.len, m.byte), b.subarray(at)]);
        else if (m.kind === 'zero') out = (b.fill(0, at, Math.min(b.length, at + m.len)), b);
        else out = Buffer.concat([b.subarray(0, at), b.subarray(at, at + m.len * 16), b.subarray(at)]);
        const file = join(dir, `m${n++}${o.ext}`);
        if (m.kind === 'xml' && o.ext === '.xlsx') {
          // inside the zip: mutate the decompressed XML of a part (mostly the sheet), zip it again
          const parts = await unzipParts(o.bytes);
          const target =
            m.byte % 4 === 0
              ? (parts.find(([p]) => p.includes('sharedStrings')) ?? parts[0]!)
              : parts.find(([p]) => p.includes('worksheets/'))!;
          const x = Buffer.from(target[1]);
          const pos = Math.floor(m.at * x.length);
          const noise = [
            '<',
            '>',
            '"',
            '&',
            '/',
            '<row>',
            '</c>',
            '<c r="ZZZZZZ1" t="s"><v>99999999</v></c>',
            '&#0;',
            '&#x110000;',
            '<!--',
            ']]>',
            String.fromCharCode(m.byte),
          ][m.len % 13]!;
          target[1] = Buffer.concat([x.subarray(0, pos), Buffer.from(noise), x.subarray(pos + (m.len % 3))]);
          await writeZip(
            file,
            parts.map(([p, b]) => [p, b]),
            { compress: false },
          );
        } else writeFileSync(file, out);
        const r = await Promise.race([
          readAll(file, o.kind),
          new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 10_000)),
        ]);
        expect(r).not.toBe('timeout');
        outcomes[r as 'ok' | 'refused']++;
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    expect(outcomes.ok + outcomes.refused).toBe(RUNS);
    // the mutations reach both outcomes (the fuzzer is not only producing unreadable zips)
    expect(outcomes.ok).toBeGreaterThan(RUNS / 10);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 10);
    process.stderr.write(`变异文件 ${RUNS} 个：读完 ${outcomes.ok}，拒绝（退出码 2）${outcomes.refused}\n`);
  }, 600_000);
});
