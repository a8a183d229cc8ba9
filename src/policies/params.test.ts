// Issue 19 §2: typed parameters — parsed once when the policy loads, read as typed values by date.
import { describe, expect, test } from 'vitest';
import { Params, type ParameterFile } from './params.js';
import * as k from './param-kinds.js';
import { createPolicies } from './registry.js';

const FILE: ParameterFile = {
  cap: { description: '封顶', reference: '文件', values: { '1900-01-01': '50000', '2024-07-01': '60000' } },
  ratio: { description: '比例', reference: '文件', values: { '1900-01-01': { A: '0.50', B: '0.70' } } },
  months: { description: '月数', reference: '文件', values: { '2024-01-01': 12 } },
  end: { description: '截止', reference: '文件', values: { '1900-01-01': null } },
};
const SCHEMA = { cap: k.money, ratio: k.table(k.ratio, ['A', 'B'] as const), months: k.count, end: k.dateOrNone };

describe('Params.at(date)', () => {
  const p = new Params(FILE, 'x', SCHEMA);
  test('typed values by date: Decimal amounts and shares, numbers, null; the value in force from each date', () => {
    const june = p.at('2024-06-30');
    expect(june.cap.toFixed(2)).toBe('50000.00');
    expect(june.ratio.B.times(100).toString()).toBe('70');
    expect(june.months).toBe(12);
    expect(june.end).toBeNull();
    expect(p.at('2024-07-01').cap.toFixed(2)).toBe('60000.00');
    // before every dated value: the earliest of each
    expect(p.at('1899-12-31').months).toBe(12);
  });
  test('one frozen object for all dates between two changes', () => {
    expect(p.at('2024-03-01')).toBe(p.at('2024-06-30'));
    expect(p.at('2024-06-30')).not.toBe(p.at('2024-07-01'));
    expect(Object.isFrozen(p.at('2024-03-01'))).toBe(true);
  });
  test.each([
    [
      'a share above 1',
      { ratio: { ...FILE.ratio!, values: { '1900-01-01': { A: '1.2', B: '0.7' } } } },
      '政策参数 x.ratio 的值 {"A":"1.2","B":"0.7"} 不对',
    ],
    [
      'a missing key',
      { ratio: { ...FILE.ratio!, values: { '1900-01-01': { A: '0.5' } } } },
      '应为对象 { "A": …, "B": … }',
    ],
    [
      'a dated bad amount',
      { cap: { ...FILE.cap!, values: { '1900-01-01': '50000', '2025-01-01': '6万' } } },
      '政策参数 x.cap（2025-01-01 起）的值 "6万" 不对：应为非负金额',
    ],
    [
      'a parameter the schema lacks',
      { extra: { description: '', reference: '', values: { '1900-01-01': 1 } } },
      '政策 x 没有参数“extra”',
    ],
  ])('%s is refused when loading, naming the parameter', (_what, change, message) => {
    expect(() => new Params({ ...FILE, ...change } as ParameterFile, 'x', SCHEMA)).toThrow(message);
  });
  test('a parameter the file lacks is refused', () => {
    const { months: _, ...rest } = FILE;
    expect(() => new Params(rest, 'x', SCHEMA)).toThrow('政策 x 缺少参数“months”');
  });
  test('every shipped params.json parses against its policy schema', () => {
    expect(createPolicies(['ln-as-2022', 'jz-21-2019', 'qd-rigid-2018', 'th-2021']).map((p) => p.id)).toHaveLength(4);
  });
});
