// Schema 3: the short texts that repeat on every line and result — policy ids, statuses, reason lists,
// fund and accumulator keys, payees, visit types, file names, detail names — are stored once in `texts`
// and referred to by id. Payments, accumulator changes and details are kept as compact JSON arrays
// holding those ids. Each decodes to exactly the JSON text schema 1 and 2 stored (the content hash of a
// run is taken over the decoded text, so a run hashes the same before and after the migration, and
// altering `texts` shows in `ledger check`).
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

/**
 * The id a replica of a shared ledger gives a new text (or hospital): from the text itself, in [2^47, 2^48), so
 * two offices adding the same text at once give it the same id and nothing is renumbered when a run is sent to
 * the server (ledger/postgres/upstream.ts); ids given before (1, 2, …) stay below 2^47.
 */
export function contentId(t: string): number {
  const h = createHash('sha256').update(t).digest();
  return 2 ** 47 + (h.readUIntBE(0, 6) % 2 ** 47);
}

export type TextOf = (id: number) => string;
export type IdOf = (text: string) => number;

/** An accumulator change as schemas 1 and 2 stored it: [year, key, base, paid, entitled, firstDate] (fen). */
export type ChangeTuple = [number, string, number, number, number, string | null];

/** The id ↔ text table of one ledger connection, cached (ids are never reused while the ledger is open, except after a rollback). */
export class Texts {
  private readonly ids = new Map<string, number>();
  private readonly byId = new Map<number, string>();
  private readonly find: Database.Statement;
  private readonly get: Database.Statement;
  private readonly add: Database.Statement;
  /** texts this connection added since it opened (a replica sends them to the server with the run) */
  readonly added: [number, string][] = [];

  constructor(
    db: Database.Database,
    private readonly contentIds = false,
  ) {
    this.find = db.prepare('SELECT id FROM texts WHERE t = ?').pluck();
    this.get = db.prepare('SELECT t FROM texts WHERE id = ?').pluck();
    this.add = db.prepare('INSERT INTO texts (id, t) VALUES (?, ?)');
  }

  private insert(t: string): number {
    const id = Number(this.add.run(this.contentIds ? contentId(t) : null, t).lastInsertRowid);
    this.added.push([id, t]);
    return this.remember(id, t);
  }

  private remember(id: number, t: string): number {
    this.ids.set(t, id);
    this.byId.set(id, t);
    return id;
  }

  /** The id of a known text, or null (for a query's filter: no row can hold an unknown text). */
  known(t: string): number | null {
    const cached = this.ids.get(t);
    if (cached !== undefined) return cached;
    const id = this.find.get(t) as number | undefined;
    return id === undefined ? null : this.remember(id, t);
  }

  /** The id of a text, added when new (inside a write transaction). */
  id = (t: string): number => this.known(t) ?? this.insert(t);

  text = (id: number): string => {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const t = this.get.get(id) as string | undefined;
    if (t === undefined) throw new Error(`台账 texts 表中缺少编号 ${id}（台账已损坏）`);
    this.remember(id, t);
    return t;
  };

  /** After a rollback the texts a run added are gone again. */
  forget(): void {
    this.ids.clear();
    this.byId.clear();
    this.added.length = 0;
  }
}

/** [fund, fen] pairs ↔ [fundId, fen, …] (NULL when none); the order is kept. */
export function encodePayments(entries: [string, number][], id: IdOf): string | null {
  return entries.length ? JSON.stringify(entries.flatMap(([k, v]) => [id(k), v])) : null;
}
export function paymentEntries(stored: string | null, text: TextOf): [string, number][] {
  if (stored === null) return [];
  const a = JSON.parse(stored) as number[];
  const out: [string, number][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([text(a[i]!), a[i + 1]!]);
  return out;
}
/** Pairs as a JSON object's text, in their order (what JSON.stringify wrote for schemas 1 and 2). */
function objectText(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}
/** The payments as the JSON text schemas 1 and 2 stored ({"fund":fen,…}, in stored order). */
export function decodePayments(stored: string | null, text: TextOf): string {
  return objectText(paymentEntries(stored, text));
}

/** Change tuples ↔ [year, keyId, base, paid, entitled, firstDate, …] (NULL when none). */
export function encodeChanges(tuples: ChangeTuple[], id: IdOf): string | null {
  return tuples.length ? JSON.stringify(tuples.flatMap(([y, k, b, p, e, d]) => [y, id(k), b, p, e, d])) : null;
}
export function changeTuples(stored: string | null, text: TextOf): ChangeTuple[] {
  if (stored === null) return [];
  const a = JSON.parse(stored) as (number | string | null)[];
  const out: ChangeTuple[] = [];
  for (let i = 0; i < a.length; i += 6)
    out.push([
      a[i] as number,
      text(a[i + 1] as number),
      a[i + 2] as number,
      a[i + 3] as number,
      a[i + 4] as number,
      a[i + 5] as string | null,
    ]);
  return out;
}
export function decodeChanges(stored: string | null, text: TextOf): string {
  return JSON.stringify(changeTuples(stored, text));
}

/** {name: value} ↔ [nameId, value, …]; NULL stays NULL. */
export function encodeDetails(details: Record<string, unknown> | null, id: IdOf): string | null {
  return details === null ? null : JSON.stringify(Object.entries(details).flatMap(([k, v]) => [id(k), v]));
}
export function detailEntries(stored: string | null, text: TextOf): [string, unknown][] | null {
  if (stored === null) return null;
  const a = JSON.parse(stored) as unknown[];
  const out: [string, unknown][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([text(a[i] as number), a[i + 1]]);
  return out;
}
/** The details as the JSON text schemas 1 and 2 stored (in stored order), or null. */
export function decodeDetails(stored: string | null, text: TextOf): string | null {
  const e = detailEntries(stored, text);
  return e === null ? null : objectText(e);
}

/** Where a stored array holds text ids: payments [fundId, fen, …], changes [year, keyId, …] (6 apiece), details [nameId, value, …]. */
const ID_AT = { payments: [0, 2], changes: [1, 6], details: [0, 2] } as const;

/** A stored payments, changes or details array with its text ids mapped (a ledger copied into another one). */
export function remapTextIds(
  stored: string | null,
  kind: keyof typeof ID_AT,
  id: (old: number) => number,
): string | null {
  if (stored === null) return null;
  const a = JSON.parse(stored) as unknown[];
  const [first, step] = ID_AT[kind];
  for (let i = first; i < a.length; i += step) a[i] = id(a[i] as number);
  return JSON.stringify(a);
}

/** A date as stored (schema 3): 2024-06-01 → 20240601 (4 bytes instead of 10; the order is kept). Anything else stays text. */
export function dateInt(d: string): number | string {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? Number(d.slice(0, 4) + d.slice(5, 7) + d.slice(8, 10)) : d;
}
export function dateText(v: number | string): string {
  if (typeof v !== 'number') return v;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(Math.floor(v / 10000)).padStart(4, '0')}-${two(Math.floor(v / 100) % 100)}-${two(v % 100)}`;
}
