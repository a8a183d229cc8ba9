// Citizen ID numbers, GB 11643-1999 (SPEC §2.1).
import { isRealDate, iso, type IsoDate } from './dates.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const CLEAN_18 = /^\d{17}[\dX]$/;

export function checkCharacter(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[s % 11]!;
}

export interface IdInfo {
  id: string;
  birthDate: IsoDate;
  sex: 'male' | 'female';
  regionCode: string;
}

export type IdParse = { ok: true; info: IdInfo } | { ok: false; detail: string };

/**
 * Normalises a raw ID cell to the 18-character form. Numbers are refused: an ID stored as an
 * Excel number has lost its check character or digits and cannot be recovered.
 */
export function parseIdNumber(cell: unknown): IdParse {
  if (typeof cell === 'number')
    return { ok: false, detail: '身份证号被存为数字（可能已丢失位数），请将该列设为文本后重新导出' };
  if (typeof cell !== 'string') return { ok: false, detail: '身份证号为空或不是文本' };
  // the common cell is already 17 digits and a check character: nothing to clean up
  let s =
    cell.length === 18 && CLEAN_18.test(cell)
      ? cell
      : cell
          .replace(/[\s\u3000'’‘]/g, '')
          .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
          .replace(/[ｘＸ]/g, 'X');
  if (/e\+?\d+$/i.test(s) && s.includes('.'))
    return { ok: false, detail: `身份证号被 Excel 转为科学计数法（${mask(s)}），无法恢复` };
  if (/^\d{15}$/.test(s)) {
    const first17 = s.slice(0, 6) + '19' + s.slice(6);
    s = first17 + checkCharacter(first17);
  } else if (/^\d{17}[\dXx]$/.test(s)) {
    s = s.toUpperCase();
    if (checkCharacter(s.slice(0, 17)) !== s[17]) return { ok: false, detail: `身份证号校验位错误（${mask(s)}）` };
  } else {
    return { ok: false, detail: `身份证号应为18位（或15位旧号），实际为“${mask(s)}”` };
  }
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (!isRealDate(y, m, d) || y < 1880) return { ok: false, detail: `身份证号中的出生日期无效（${mask(s)}）` };
  return {
    ok: true,
    info: {
      id: s,
      birthDate: iso(y, m, d),
      sex: Number(s[16]) % 2 === 1 ? 'male' : 'female',
      regionCode: s.slice(0, 6),
    },
  };
}

export function birthDateOf(id: string): IsoDate {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** 210102********1234 — first 6, eight stars, last 4. Anything else shorter is starred but for its ends. */
export function mask(id: string): string {
  if (id.length >= 18) return `${id.slice(0, 6)}********${id.slice(-4)}`;
  if (id.length >= 10) return `${id.slice(0, 3)}${'*'.repeat(id.length - 5)}${id.slice(-2)}`;
  return '*'.repeat(id.length);
}

/** 张*明, 李* — keep the first character and, for names of three or more, the last. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/**
 * Masks every 15- or 18-character ID-like run inside free text (for messages and logs) — a run standing alone,
 * not a stretch of a longer number (an amount of 21 digits is an amount, shown as it is).
 */
export function maskIdsInText(text: string): string {
  return text.replace(/(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])/g, (m) => mask(m));
}
