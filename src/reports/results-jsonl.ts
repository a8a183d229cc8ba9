// results-<month>.jsonl: one object per (line, policy) result and one per invalid line — exactly the keys of SPEC §7.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { fmt } from '../domain/money.js';
import type { RowError } from '../domain/types.js';
import type { LineResult } from '../engine/types.js';
import { traceJson } from '../engine/trace-json.js';

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

/** resultToJson as one JSON line, the trace's text reused from the ledger's chunk (traceJson). */
export function resultJsonLine(r: LineResult): string {
  const o = resultToJson(r);
  delete o.trace;
  return `${JSON.stringify(o).slice(0, -1)},"trace":${traceJson(r)}}\n`;
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
    trace: e.issues.map((i) => ({ step: '输入校验', clause: 'SPEC §6', inputs: i.column ? { 列: i.column } : undefined, result: i.detail ?? i.code })),
  };
}


/** Streams one JSON object per line, pausing for backpressure. */
export class JsonlWriter {
  private readonly ws;
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.ws = createWriteStream(file, { mode: 0o600, highWaterMark: 1 << 20 });
    this.ws.on('error', (e) => (this.error = e));
  }
  private error: Error | null = null;
  private pending = '';
  async write(obj: unknown): Promise<void> {
    return this.writeLine(JSON.stringify(obj) + '\n');
  }
  /** one line of JSON text, ending in \n */
  async writeLine(line: string): Promise<void> {
    if (this.error) throw this.error;
    this.pending += line;
    if (this.pending.length >= 1 << 18) {
      const chunk = this.pending;
      this.pending = '';
      if (!this.ws.write(chunk)) await once(this.ws, 'drain');
    }
  }
  async close(): Promise<void> {
    if (this.pending) this.ws.write(this.pending);
    this.pending = '';
    this.ws.end();
    await once(this.ws, 'close');
  }
}
