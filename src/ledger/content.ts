// What a claim line "is" for idempotency, and the forms a line is kept in, all made from the one line
// schema (domain/line-schema.ts): the values the external sort and the ledger's trace chunks store (in
// schema order), the line back from them, its plain record, and its content hash — every field the
// hospital sent, not where the line sat in the file. The same line in another file or row is
// ALREADY_ADJUDICATED; a changed field makes it a CONFLICTING_RESUBMISSION.
import { Decimal } from 'decimal.js';
import { fmt, money, ZERO } from '../domain/money.js';
import type { ClaimLine } from '../domain/types.js';
import { sha256 } from './hashing.js';
import { CONTENT_HASH_VERSION, contentFields, LINE_SCHEMA, type LineField } from '../domain/line-schema.js';

export type Plain = string | number | boolean | null;

/** The line schema's field names in order: the positions of a stored line's values. */
export const RECORD_FIELDS: readonly (keyof ClaimLine)[] = LINE_SCHEMA.map((f) => f.field);

function plain(v: unknown): Plain {
  if (v instanceof Decimal) return v.toFixed(2);
  if (v === undefined) return null;
  return v as Plain;
}
const fmtOrNull = (v: Decimal | null | undefined): Plain => (v == null ? null : fmt(v));
/** a stored amount back as money; the many zeros (a third of a line's amounts) share one (decimals are immutable) */
const storedMoney = (v: Plain): Decimal => (v === '0.00' ? ZERO : money(v as string));
const isMoney = (f: LineField): boolean => f.kind === 'money' || f.kind === 'moneyOrNull';

export interface LineCodec {
  /** the line's values in schema order (money as "0.00", absent as null) */
  values(l: ClaimLine): Plain[];
  /** the line back from its values */
  line(values: Plain[]): ClaimLine;
  /** the line as plain JSON, keyed by field, money as "0.00" */
  record(l: ClaimLine): Record<string, Plain>;
  /** the content hash of a line's values at `version`, tagged with it (see contentHashVersion) */
  hash(values: Plain[], version?: number): string;
}

/**
 * The codec of a schema. Each function is compiled once from the schema into a single object literal or
 * array literal: objects built key by key from a list fell into V8's dictionary mode (every property read in
 * the engine a hash lookup; tests/object-shapes.test.ts), and a loop of keyed reads per field cost a few µs a
 * line at a million lines.
 */
export function makeLineCodec(schema: readonly LineField[]): LineCodec {
  for (const f of schema)
    if (!/^[A-Za-z_$][\w$]*$/.test(f.field)) throw new Error(`line schema: “${f.field}” is not a plain field name`);
  const valueOf = (f: LineField): string => (isMoney(f) ? `m(l.${f.field})` : `(l.${f.field} ?? null)`);
  const lineOf = (f: LineField, i: number): string =>
    f.kind === 'money'
      ? `${f.field}: a[${i}] == null ? ZERO : stored(a[${i}])`
      : f.kind === 'moneyOrNull'
        ? `${f.field}: a[${i}] == null ? null : stored(a[${i}])`
        : `${f.field}: a[${i}] ?? null`;
  const recordOf = (f: LineField): string =>
    f.hashedSince === null ? `${f.field}: l.${f.field}` : `${f.field}: p(l.${f.field})`;
  const compile = <T>(body: string): T =>
    new Function('m', 'stored', 'ZERO', 'p', `return ${body};`)(fmtOrNull, storedMoney, ZERO, plain) as T;
  const values = compile<LineCodec['values']>(`(l) => [${schema.map(valueOf).join(', ')}]`);
  const line = compile<LineCodec['line']>(`(a) => ({ ${schema.map(lineOf).join(', ')} })`);
  const record = compile<LineCodec['record']>(`(l) => ({ ${schema.map(recordOf).join(', ')} })`);

  const covered = new Map<number, { names: string[]; at: number[] }>();
  const fieldsAt = (version: number): { names: string[]; at: number[] } => {
    let c = covered.get(version);
    if (!c) {
      const fields = contentFields(version, schema);
      covered.set(version, (c = { names: fields.map((f) => f.field), at: fields.map((f) => schema.indexOf(f)) }));
    }
    return c;
  };
  const latest = Math.max(...schema.map((f) => f.hashedSince ?? 0));
  // the hashed text is `name=<JSON of the value>\n` per covered field, as UTF-8. Joined as one short string and
  // hashed in one native call: per-field writes into a buffer and a streaming Hash object cost ~10 µs a line,
  // this ~3 µs (Node ≥ 20.12 has the one-shot crypto.hash; older ones take createHash)
  const hash = (vals: Plain[], version = latest): string => {
    const { names, at } = fieldsAt(version);
    let text = '';
    for (let i = 0; i < names.length; i++) text += `${names[i]!}=${JSON.stringify(vals[at[i]!] ?? null)}\n`;
    const digest = sha256(text).slice(0, 32);
    return version === 1 ? digest : version.toString(16).padStart(2, '0') + digest;
  };
  return { values, line, record, hash };
}

/**
 * The version a stored content hash was made with: 32 hex characters (16 bytes) are version 1, the ledgers
 * before versions existed; later versions put theirs in a first byte.
 */
export function contentHashVersion(stored: string): number {
  return stored.length === 32 ? 1 : parseInt(stored.slice(0, 2), 16);
}

const CODEC = makeLineCodec(LINE_SCHEMA);

export interface EncodedLine {
  /** JSON.stringify(values) */
  text: string;
  values: Plain[];
}
// a line decoded from the external sort keeps the text and values it came from (they are what encodedLine gives)
const encoded = new WeakMap<ClaimLine, EncodedLine>();

/** The line's values (schema order) and their JSON text. */
export function encodedLine(l: ClaimLine): EncodedLine {
  const known = encoded.get(l);
  if (known) return known;
  const values = CODEC.values(l);
  return { text: JSON.stringify(values), values };
}

/** The line back from its values' JSON text (encodedLine), remembering both so they are not made again. */
export function decodeLine(text: string): ClaimLine {
  const values = JSON.parse(text) as Plain[];
  const line = CODEC.line(values);
  encoded.set(line, { text, values });
  return line;
}

/** A line's values back as its record (what lineRecord gives). */
export function recordFromValues(values: Plain[]): Record<string, Plain> {
  return Object.fromEntries(RECORD_FIELDS.map((f, i) => [f, values[i] ?? null]));
}

/** The line as plain JSON (money as "0.00" strings), with its place in the file. */
export function lineRecord(l: ClaimLine): Record<string, Plain> {
  return CODEC.record(l);
}

/** The content hash new lines are stored with (CONTENT_HASH_VERSION). */
export function lineContentHash(line: ClaimLine): string {
  return CODEC.hash(encodedLine(line).values, CONTENT_HASH_VERSION);
}

/** The same hash from a line's values (encodedLine). */
export function valuesContentHash(values: Plain[]): string {
  return CODEC.hash(values, CONTENT_HASH_VERSION);
}

/** Whether `line` has the content of a stored line, compared at the version the stored hash was made with. */
export function sameContent(storedHash: string, line: ClaimLine): boolean {
  return storedHash === CODEC.hash(encodedLine(line).values, contentHashVersion(storedHash));
}

/** Which fields differ between a stored record and a new line (for the CONFLICTING_RESUBMISSION trace). */
export function changedFields(
  before: Record<string, Plain>,
  line: ClaimLine,
  version = CONTENT_HASH_VERSION,
): string[] {
  return contentFields(version)
    .filter((f) => JSON.stringify(before[f.field] ?? null) !== JSON.stringify(plain(line[f.field])))
    .map((f) => f.label);
}
