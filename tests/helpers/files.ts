import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { checkCharacter } from '../../src/domain/id-number.js';

export function tmp(prefix = 'assist-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A valid generated ID from a region code and birth date (no real person). */
export function makeId(region: string, birth: string, seq = '123'): string {
  const first17 = `${region}${birth.replace(/-/g, '')}${seq}`;
  return first17 + checkCharacter(first17);
}

export function writeCsv(
  file: string,
  rows: readonly (readonly (string | number)[])[],
  encoding: 'utf8' | 'utf8bom' | 'gb18030' = 'utf8',
): string {
  const text =
    rows
      .map((r) =>
        r.map((v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(','),
      )
      .join('\r\n') + '\r\n';
  if (encoding === 'gb18030') writeFileSync(file, iconv.encode(text, 'gb18030'));
  else writeFileSync(file, (encoding === 'utf8bom' ? '\ufeff' : '') + text, 'utf8');
  return file;
}

/** The columns of the claims CSVs the end-to-end tests write (a Tinghu outpatient month, SPEC §2.1 headers). */
export const CLAIM_HEAD: readonly string[] = [
  '结算单号',
  '行号',
  '身份证号',
  '姓名',
  '医疗机构',
  '就诊类型',
  '入院日期',
  '结算日期',
  '诊断编码',
  '诊断名称',
  '医疗总费用',
  '政策范围内费用',
];
