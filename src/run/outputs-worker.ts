// The output worker (outputs.ts): writes results-<month>.jsonl and settlement-<month>.xlsx on the second core from
// the records the main thread posts, acknowledging each batch so the main thread never runs far ahead.
import { parentPort } from 'node:worker_threads';
import { TraceChunkMaker } from '../ledger/trace-chunks.js';
import { LocalSettlement, fromWire, type FromWorker, type SheetSpec, type ToWorker } from './outputs.js';
import { deferred } from './deferred.js';
import { workerInput } from './workers.js';

const port = parentPort!;
const say = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  const out = await LocalSettlement.open(workerInput<SheetSpec>());
  const ledgerCode = deferred<string | undefined>();
  const trace = new TraceChunkMaker((chunk, data) => say({ chunk, data }));
  // messages are handled one after another, in the order they were posted (all but the ledger code)
  let chain = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'ledgerCode') return ledgerCode.resolve(m.code);
    chain = chain
      .then(async () => {
        switch (m.kind) {
          case 'rows':
            await out.rows(m.records);
            return say({ ack: true });
          case 'trace':
            trace.take(m.items);
            return say({ ack: true });
          case 'invalid':
            await out.invalid(m.rows);
            return say({ ack: true });
          case 'lists':
            await out.closeLists(m.reversals.map(fromWire.reversal));
            return say({ ack: true });
          case 'finish':
            await out.finish(
              fromWire.checks(m.checks),
              m.invalidCount,
              m.reversals.map(fromWire.reversal),
              m.overview,
              m.codeLater ? ledgerCode.promise : undefined,
            );
            say({ ack: true });
            return say({ done: true });
          case 'abort':
            await out.abort();
            return;
          case 'onlyJsonl':
            await out.onlyJsonl();
            return say({ ack: true });
        }
      })
      .catch((err: Error) => say({ error: { message: err.message } }));
  });
  say({ ready: true });
}

main().catch((err: Error) => say({ error: { message: err.message } }));
