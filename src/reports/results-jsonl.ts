// results-<month>.jsonl: one object per (line, policy) result and one per invalid line — exactly the keys of SPEC §7.
import { renderStep } from '../engine/steps.js';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { Utf8Builder } from '../io/utf8-builder.js';
import { dirname } from 'node:path';
import { fmt } from '../domain/money.js';
import type { RowError } from '../domain/types.js';
import type { LineResult } from '../engine/types.js';

export function resultToJson(r: LineResult): Record<string, unknown> {
  return {
    source: r.line.source,
    row: r.line.row,
    claimId: r.line.claimId,
    lineNo: r.line.lineNo,
    hospital: r.line.hospital,
    idNumber: r.line.idNumber,
    name: r.line.name,
    settlementDate: r.line.settlementDate,
    policy: r.policy,
    status: r.status,
    reasons: r.reasons,
    base: fmt(r.base),
    payments: Object.fromEntries(Object.entries(r.payments).map(([k, v]) => [k, fmt(v)])),
    patientRemaining: fmt(r.patientRemaining),
    trace: r.trace,
  };
}

/**
 * resultToJson's JSON line up to its trace: the line is `${head}${traceJson(r)}}` and a newline — the trace's text
 * reused from the ledger's chunk, and each piece encoded where it goes (joined into one string first, the trace,
 * most of the line and two-byte Chinese text, would be copied twice more).
 */
export function resultJsonHead(r: LineResult): string {
  const o = resultToJson(r);
  delete o.trace;
  const head = JSON.stringify(o);
  return `${head.slice(0, -1)},"trace":`;
}

export function invalidToJson(e: RowError): Record<string, unknown> {
  return {
    source: e.source,
    row: e.row,
    claimId: e.claimId,
    lineNo: e.lineNo,
    hospital: e.hospital,
    idNumber: e.idNumber,
    name: e.name,
    settlementDate: null,
    policy: null,
    status: 'invalid',
    reasons: [...new Set(e.issues.map((i) => i.code))],
    base: null,
    payments: {},
    patientRemaining: null,
    trace: e.issues.map((i) =>
      renderStep({
        step: '输入校验',
        clause: 'SPEC §6',
        inputs: i.column ? { 列: i.column } : undefined,
        result: i.detail ?? i.code,
      }),
    ),
  };
}

/**
 * Writes one JSON object per line: the text encoded into a 1 MB buffer (Utf8Builder — no large strings) and
 * written out synchronously each time it fills (a copy into the page cache; the main thread makes the text
 * anyway). A write error is thrown by the call that meets it.
 */
export class JsonlWriter {
  private readonly fd: number;
  private readonly buf = new Utf8Builder(1 << 20);
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'w', 0o600);
  }
  async write(obj: unknown): Promise<void> {
    this.add(JSON.stringify(obj) + '\n');
  }
  /** one line of JSON text, ending in \n — or its pieces in order (resultJsonHead, traceJson, the end) */
  add(...pieces: string[]): void {
    for (const p of pieces) this.buf.add(p);
    if (this.buf.length >= 1 << 20) this.flush();
  }
  private flush(): void {
    const data = this.buf.peek();
    for (let off = 0; off < data.length;) off += writeSync(this.fd, data, off, data.length - off);
    this.buf.clear();
  }
  private closed = false;
  /** Writes out what is left and closes the file (once: a later call does nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}
