// The worksheet tokenizer's fast paths (<c …>, <v>, </c>) against its general path: the same cells
// whatever the attribute quoting, spacing, prefixes, and wherever the text is cut into chunks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SheetScanner, columnIndex, plainNumber, type ScannedCell } from '../src/io/sheet-scanner.js';

type Got = { row: string | null; cells: Omit<ScannedCell, never>[] }[];

function scan(chunks: string[]): Got {
  const rows: Got = [];
  const s = new SheetScanner({
    rowStart: (r) => rows.push({ row: r, cells: [] }),
    cell: (c) => rows[rows.length - 1]!.cells.push({ ...c }),
    rowEnd: () => {},
  });
  for (const c of chunks) s.feed(c);
  s.end();
  return rows;
}

const SHEET = [
  '<?xml version="1.0"?><worksheet xmlns="x"><sheetData>',
  '<row r="3"><c r="A3" s="2" t="s"><v>17</v></c><c r="C3"><v>4478.32</v></c><c r="D3" t="s"/><c r="E3" s="0" t="inlineStr"><is><t>张&amp;三</t></is></c></row>',
  '<row r=\'4\'><c r=\'B4\' t=\'str\' s=\'12\'><v>x&lt;y</v></c><c  r = "C4"   s="3" ><v>1</v></c><c><v>7</v></c><c r="F4" t="n"><f>A1+1</f><v>2</v></c></row>',
  '<x:row r="5"><x:c r="A5" x:t="s"><x:v>3</x:v></x:c><c r="B5"><v><![CDATA[12]]></v></c><c r="C5"><v>1<!-- c -->2</v></c></x:row>',
  '</sheetData></worksheet>',
].join('');

describe('SheetScanner', () => {
  it('reads every cell of a sheet written in several styles, with values as written', async () => {
    const rows = scan([SHEET]);
    expect(rows.map((r) => r.row)).toEqual(['3', '4', '5']);
    const cell = (r: number, ref: string) => rows[r]!.cells.find((c) => c.col === columnIndex(ref));
    expect(cell(0, 'A3')).toEqual({ col: 0, type: 's', style: 2, v: 17, inline: '' });
    expect(cell(0, 'C3')).toMatchObject({ col: 2, type: 'n', style: 0, v: 4478.32 });
    expect(cell(0, 'D3')).toMatchObject({ col: 3, type: 's', v: null });
    expect(cell(0, 'E3')).toMatchObject({ col: 4, type: 'inlineStr', inline: '张&三' });
    expect(cell(1, 'B4')).toMatchObject({ col: 1, type: 'str', style: 12, v: 'x<y' });
    expect(cell(1, 'C4')).toMatchObject({ col: 2, style: 3, v: 1 });
    // a cell without r follows the one before it
    expect(rows[1]!.cells[2]).toMatchObject({ col: 3, v: 7 });
    expect(cell(1, 'F4')).toMatchObject({ col: 5, type: 'n', v: 2 });
    expect(cell(2, 'A5')).toMatchObject({ col: 0, type: 's', v: 3 });
    expect(cell(2, 'B5')).toMatchObject({ col: 1, v: 12 });
    expect(cell(2, 'C5')).toMatchObject({ col: 2, v: 12 });
  });

  it('gives the same cells wherever the text is cut into two or three chunks', async () => {
    const whole = scan([SHEET]);
    for (let i = 0; i <= SHEET.length; i++)
      expect(scan([SHEET.slice(0, i), SHEET.slice(i)]), `cut at ${i}`).toEqual(whole);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SHEET.length }), fc.integer({ min: 0, max: SHEET.length }), (a, b) => {
        const [i, j] = a < b ? [a, b] : [b, a];
        expect(scan([SHEET.slice(0, i), SHEET.slice(i, j), SHEET.slice(j)])).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('reads plain decimals exactly as Number() does, and leaves everything else to it', async () => {
    const texts = [
      '0',
      '-0',
      '17',
      '4478.32',
      '0.1',
      '0.30000000000000004',
      '-1.5',
      '.5',
      '-.25',
      '123456789012345',
      '1234567.89012345',
      '9007199254740993',
      '1e3',
      '1.',
      ' 12',
      '+3',
      '1.2.3',
      '',
      '-',
      '0x10',
      '１２',
    ];
    for (const t of texts) {
      const got = plainNumber(`<v>${t}</v>`, 3, 3 + t.length);
      if (!Number.isNaN(got)) expect(Object.is(got, Number(t)), t).toBe(true);
    }
    expect(plainNumber('4478.32', 0, 7)).toBe(4478.32);
    expect(plainNumber('1e3', 0, 3)).toBeNaN();
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 12 }), (x, k) => {
        const t = x.toFixed(k);
        const got = plainNumber(t, 0, t.length);
        if (!Number.isNaN(got)) expect(Object.is(got, Number(t)), t).toBe(true);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^-?[0-9]{0,12}[.]?[0-9]{0,10}$/), (t) => {
        const got = plainNumber(t, 0, t.length);
        if (Number.isNaN(got))
          expect(t.replace(/[^0-9]/g, '').length === 0 || t.replace(/[^0-9]/g, '').length > 15 || t.endsWith('.')).toBe(
            true,
          );
        else expect(Object.is(got, Number(t)), t).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
