import { describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { readInput, type InputItem } from '../src/io/read-input.js';
import { matchHeader, CLAIM_FIELDS, ROSTER_FIELDS } from '../src/io/headers.js';
import { InputError } from '../src/io/errors.js';
import { splitDuplicates } from '../src/io/batch.js';
import { mergeRoster, categoriesAt } from '../src/roster/merge.js';
import { loadRosterStore } from '../src/run/roster-store.js';
import type { ClaimLine, RosterRow, RowError } from '../src/domain/types.js';
import { tmp, makeId, writeCsv } from './helpers/files.js';
import fc from 'fast-check';
import { Utf8Builder } from '../src/io/utf8-builder.js';
import { collectGarbage } from '../src/run/gc.js';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const dir = tmp();
const ID = makeId('320902', '1960-03-05');
const ID2 = makeId('210702', '1975-11-20', '456');
const HEAD = [
  '结算单号',
  '行号',
  '身份证号',
  '姓名',
  '医疗机构',
  '就诊类型',
  '入院日期',
  '出院日期',
  '结算日期',
  '诊断编码',
  '医疗总费用',
  '基本医保支付',
  '大病保险支付',
  '个人负担',
];
const GOOD = [
  'JS1',
  1,
  ID,
  '张三',
  '亭湖区人民医院',
  '住院',
  '2024-06-01',
  '2024-06-05',
  '2024-06-05',
  'I10',
  '1000.00',
  '600.00',
  '100.00',
  '300.00',
];

async function collect(file: string, kind: 'claims' | 'roster', opts = {}) {
  const items: InputItem[] = [];
  let stats;
  for await (const it of readInput(file, kind, opts, (s) => (stats = s))) items.push(it);
  const lines = items.filter((i) => i.type === 'claim').map((i) => (i as { line: ClaimLine }).line);
  const errors = items.filter((i) => i.type === 'error').map((i) => (i as { error: RowError }).error);
  const roster = items.filter((i) => i.type === 'roster').map((i) => (i as { row: RosterRow }).row);
  return {
    items,
    lines,
    errors,
    roster,
    stats: stats! as {
      rowsRead: number;
      records: number;
      errors: number;
      headerRow: number;
      sheet: string;
      blankRows: number;
    },
  };
}

describe('header matching', () => {
  test.each([
    [['结算流水号', '身份证号码', '患者姓名', '医院名称', '医疗类别', '就诊日期', '费用结算日期', '总费用'], []],
    [
      ['结算 单号', '公民身份\n号码', '病人姓名', '定点医院', '就医类型', '入院时间', '结算时间', '医疗总费用（元）'],
      [],
    ],
    [['单据号', '证件号码', '姓名', '就诊医院', '就诊类型', '入院日期', '结算日期'], ['医疗总费用']],
  ])('%j missing %j', (labels, missing) => {
    expect(matchHeader(labels, CLAIM_FIELDS).missing.map((s) => s.header)).toEqual(missing);
  });
  test('roster synonyms', async () => {
    const m = matchHeader(
      ['公民身份号码', '姓名', '救助类别', '纳入日期', '终止日期', '县（市）区', '户口性质'],
      ROSTER_FIELDS,
    );
    expect(m.missing).toEqual([]);
    expect(m.columns.get('householdType')?.index).toBe(6);
  });
  test('序号 counts as line number only beside a settlement number; canonical 行号 wins', async () => {
    const m = matchHeader(['序号', '结算单号', '行号'], CLAIM_FIELDS);
    expect(m.columns.get('lineNo')?.index).toBe(2);
  });
});

describe('reading files', () => {
  test('xlsx: header found below a merged title row and blank rows, on the first matching sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['本表说明']);
    const ws = wb.addWorksheet('明细');
    ws.addRow(['亭湖区 2024年6月 结算明细']);
    ws.mergeCells('A1:N1');
    ws.addRow([]);
    ws.addRow(['填报单位：亭湖区人民医院']);
    ws.addRow(HEAD);
    ws.addRow(GOOD);
    ws.addRow([]);
    ws.addRow([
      'JS2',
      1,
      ID,
      '张三',
      '亭湖区人民医院',
      '门诊',
      new Date(Date.UTC(2024, 5, 3)),
      null,
      45446,
      'I10',
      88.5,
      0,
      0,
      88.5,
    ]);
    const file = join(dir, 'title.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await collect(file, 'claims');
    expect(r.stats.sheet).toBe('明细');
    expect(r.stats.headerRow).toBe(4);
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => [l.row, l.claimId, l.settlementDate, l.personalBurden.toFixed(2)])).toEqual([
      [5, 'JS1', '2024-06-05', '300.00'],
      [7, 'JS2', '2024-06-03', '88.50'],
    ]);
    // exceljs omits an empty row from the XML: nothing to read, nothing to count
    expect(r.stats.blankRows).toBe(0);
  });

  test('GB18030 CSV is detected; UTF-8 with BOM is detected; --encoding overrides', async () => {
    const rows = [HEAD, GOOD.map(String)];
    const gb = await collect(writeCsv(join(dir, 'gb.csv'), rows, 'gb18030'), 'claims');
    expect(gb.lines[0]!.name).toBe('张三');
    expect(gb.lines[0]!.hospital).toBe('亭湖区人民医院');
    const bom = await collect(writeCsv(join(dir, 'bom.csv'), rows, 'utf8bom'), 'claims');
    expect(bom.lines[0]!.claimId).toBe('JS1');
    // a rare character GBK cannot hold survives GB18030
    const rare = await collect(
      writeCsv(join(dir, 'rare.csv'), [HEAD, GOOD.map((v, i) => (i === 3 ? '王𠀀' : String(v)))], 'gb18030'),
      'claims',
    );
    expect(rare.lines[0]!.name).toBe('王𠀀');
    await expect(
      collect(writeCsv(join(dir, 'forced.csv'), rows, 'gb18030'), 'claims', { encoding: 'utf-8' }),
    ).rejects.toThrow(InputError);
  });

  test('a missing required column stops with a message naming the file, the column and the accepted names', async () => {
    const file = writeCsv(join(dir, 'nocost.csv'), [
      HEAD.filter((h) => h !== '医疗总费用'),
      GOOD.filter((_, i) => i !== 10).map(String),
    ]);
    const err = await collect(file, 'claims').catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('nocost.csv');
    expect((err as Error).message).toContain('缺少列“医疗总费用”');
    expect((err as Error).message).toContain('“费用总额”');
  });

  test.each([
    ['empty file', '', /空文件/],
    ['HTML saved as .xlsx', '<html><body><table><tr><td>1</td></tr></table></body></html>', /网页（HTML）/],
  ])('%s is a named file error', async (_n, content, re) => {
    const file = join(dir, `bad-${_n.length}.xlsx`);
    (await import('node:fs')).writeFileSync(file, content);
    await expect(collect(file, 'claims')).rejects.toThrow(re);
  });
});

describe('one test per bad-row kind', () => {
  const cases: [string, (r: (string | number)[]) => void, string, string][] = [
    ['INVALID_ID', (r) => (r[2] = ID.slice(0, 17) + (ID.endsWith('1') ? '2' : '1')), 'INVALID_ID', '身份证号'],
    ['INVALID_ID (scientific notation)', (r) => (r[2] = '3.20902E+17'), 'INVALID_ID', '身份证号'],
    [
      'INVALID_ID (born after the service date)',
      (r) => (r[2] = makeId('320902', '2024-07-01')),
      'INVALID_ID',
      '身份证号',
    ],
    ['MISSING_FIELD', (r) => (r[3] = ''), 'MISSING_FIELD', '姓名'],
    ['MISSING_FIELD (visit type unknown)', (r) => (r[5] = '急诊'), 'MISSING_FIELD', '就诊类型'],
    ['BAD_AMOUNT', (r) => (r[10] = '1,000.005'), 'BAD_AMOUNT', '医疗总费用'],
    ['BAD_DATE', (r) => (r[8] = '2024-06-31'), 'BAD_DATE', '结算日期'],
    ['NEGATIVE_AMOUNT', (r) => (r[12] = '-1.00'), 'NEGATIVE_AMOUNT', '大病保险支付'],
    ['PAYMENTS_EXCEED_COST', (r) => ((r[11] = '950.00'), (r[13] = '')), 'PAYMENTS_EXCEED_COST', '医疗总费用'],
    ['BURDEN_MISMATCH', (r) => (r[13] = '299.99'), 'BURDEN_MISMATCH', '个人负担'],
    ['DATE_ORDER', (r) => (r[7] = '2024-05-30'), 'DATE_ORDER', '出院日期'],
  ];
  test.each(cases)('%s', async (name, mutate, code, column) => {
    const bad = [...GOOD];
    mutate(bad);
    const file = writeCsv(join(dir, `kind-${code}-${name.length}.csv`), [HEAD, GOOD.map(String), bad.map(String)]);
    const r = await collect(file, 'claims');
    expect(r.stats.rowsRead).toBe(2);
    expect(r.lines.length + r.errors.length).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.row).toBe(3);
    expect(r.errors[0]!.source).toBe(file.split('/').pop());
    expect(r.errors[0]!.issues.map((i) => [i.code, i.column])).toContainEqual([code, column]);
  });

  test('an ID stored as an Excel number is INVALID_ID', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(HEAD);
    const row = [...GOOD];
    row[2] = Number(ID.slice(0, 15));
    ws.addRow(row);
    const file = join(dir, 'numid.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await collect(file, 'claims');
    expect(r.errors[0]!.issues[0]!.code).toBe('INVALID_ID');
    expect(r.errors[0]!.issues[0]!.detail).toContain('数字');
  });

  test('DUPLICATE_LINE makes both lines invalid', async () => {
    const file = writeCsv(join(dir, 'dup.csv'), [
      HEAD,
      GOOD.map(String),
      GOOD.map(String),
      GOOD.map((v, i) => (i === 1 ? '2' : String(v))),
    ]);
    const r = await collect(file, 'claims');
    const { valid, duplicates } = splitDuplicates(r.lines);
    expect(valid.map((l) => l.row)).toEqual([4]);
    expect(duplicates.map((d) => [d.row, d.issues[0]!.code])).toEqual([
      [2, 'DUPLICATE_LINE'],
      [3, 'DUPLICATE_LINE'],
    ]);
  });
});

describe('rosters', () => {
  const RHEAD = ['身份证号', '姓名', '人员类别', '认定日期', '退出日期', '户籍地', '依从基础健康服务'];
  test('rows merge by ID; person fields from the latest validFrom; name conflicts and unknown categories are warnings', async () => {
    const file = writeCsv(join(dir, 'roster.csv'), [
      RHEAD,
      [ID, '张三', '低保对象', '2023-01-01', '2023-12-31', '盐城市亭湖区', '否'],
      [ID, '张叁', '特困人员、重度残疾人', '2024-01-01', '', '', '是'],
      [ID2.toLowerCase(), '李四', '外星来客', '2024-01-01', '', '', ''],
      [ID2, '李四', '农村五保', '2024/1/1', '', '', ''],
    ]);
    const r = await collect(file, 'roster');
    expect(r.stats.rowsRead).toBe(4);
    expect(r.items.filter((i) => i.type === 'ignored')).toHaveLength(1);
    const { people, warnings } = mergeRoster(r.roster);
    const p = people.get(ID)!;
    expect(p.name).toBe('张叁');
    expect(p.householdPlace).toBe('盐城市亭湖区');
    expect(p.compliance).toBe(true);
    expect([...categoriesAt(p, '2023-06-01')]).toEqual(['dibao']);
    expect([...categoriesAt(p, '2024-06-01')].sort()).toEqual(['severe-disability', 'tekun']);
    expect(warnings.map((w) => w.code)).toEqual(['ROSTER_NAME_CONFLICT']);
    expect(people.get(ID2)!.periods.map((x) => x.category)).toEqual(['tekun']);
  });
  test('the roster store (a run at scale) gives the same name-conflict warnings, in reading order, and the same people', async () => {
    const ID3 = makeId('320902', '1970-02-02', '456');
    const ID4 = makeId('320902', '1971-03-03', '789');
    const file = writeCsv(join(dir, 'roster-store.csv'), [
      RHEAD,
      [ID3, '王五', '低保对象', '2023-01-01', '', '', ''],
      [ID, '张三', '低保对象', '2023-01-01', '2023-12-31', '盐城市亭湖区', '否'],
      [ID2, '李四', '农村五保', '2024-01-01', '', '', ''],
      [ID2, '', '低保对象', '2024-02-01', '', '', ''],
      [ID4, '赵六', '特困人员', '2024-01-01', '', '', ''],
      [ID, '张叁', '特困人员', '2024-01-01', '', '', '是'],
      [ID3, '王伍', '特困人员', '2024-01-01', '', '', ''],
      [ID4, '赵六', '低保对象', '2024-03-01', '', '', ''],
    ]);
    const r = await collect(file, 'roster');
    const want = mergeRoster(r.roster);
    const { store, warnings } = await loadRosterStore([file]);
    try {
      // two names: 王五/王伍 (first read first) and 张三/张叁; an empty name or the same name twice is no conflict
      expect(warnings.filter((w) => w.code === 'ROSTER_NAME_CONFLICT').map((w) => w.idNumber)).toEqual([ID3, ID]);
      expect(warnings.filter((w) => w.code === 'ROSTER_NAME_CONFLICT')).toEqual(
        want.warnings.filter((w) => w.code === 'ROSTER_NAME_CONFLICT'),
      );
      expect(store.people([ID, ID2, ID3, ID4])).toEqual(want.people);
    } finally {
      store.close();
    }
  });
});

describe('Utf8Builder (text encoded straight into a buffer, no large strings)', () => {
  test('any pieces, across growth, take and recycle, give the bytes of their concatenation', async () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.string({ unit: fc.constantFrom('a', '"', '明', '细', '\u00e9', '😀', '\ud800', '\n'), maxLength: 40 }),
            { maxLength: 30 },
          ),
          { maxLength: 5 },
        ),
        (rounds) => {
          const b = new Utf8Builder(8);
          for (const pieces of rounds) {
            for (const p of pieces) b.add(p);
            const out = b.take();
            expect(out.equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
            expect(b.length).toBe(0);
            b.recycle(out);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('collectGarbage (the read phase gives its garbage back before the peak)', () => {
  const collects = async (): Promise<boolean> => {
    let target: object | null = { cells: Array.from({ length: 1000 }, (_, i) => `格${i}`) };
    const ref = new WeakRef(target);
    target = null;
    await new Promise((r) => setImmediate(r)); // a WeakRef keeps its target to the end of the job that made it
    collectGarbage();
    return ref.deref() === undefined;
  };
  test('an unreachable object is gone after it, in the main thread', async () => {
    expect(await collects()).toBe(true);
  });
  test('and in a worker thread (the claims worker calls it)', async () => {
    const url = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'run', 'gc.js')).href;
    const w = new Worker(
      `const { parentPort } = require('node:worker_threads');
      (async () => {
        const { collectGarbage } = await import(${JSON.stringify(url)});
        let target = { cells: Array.from({ length: 1000 }, (_, i) => 'c' + i) };
        const ref = new WeakRef(target);
        target = null;
        await new Promise((r) => setImmediate(r));
        collectGarbage();
        parentPort.postMessage(ref.deref() === undefined);
      })();`,
      { eval: true },
    );
    const [gone] = (await new Promise((res, rej) => {
      w.once('message', (m) => res([m]));
      w.once('error', rej);
    })) as [boolean];
    await w.terminate();
    expect(gone).toBe(true);
  });
});
