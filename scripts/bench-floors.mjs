// The benchmark's floors of the work a run must do (issue 6): measured on the full run's own inputs and outputs,
// single-threaded, timing only the named operation (reading/decompressing what it works on is not timed). They
// bound from below what any implementation producing the same files would spend, whatever its parsing,
// engine or ledger code:
//   inflate   — decompressing the worksheet parts of the claims workbook and the roster (zlib only, no parsing);
//   jsonl     — JSON.stringify + UTF-8 encoding of every object of results-<month>.jsonl (the file SPEC §7 asks for);
//   traces    — brotli at quality 1 (the cheapest brotli; the ledger uses 5 to stay under 400 bytes a line, and deflate
//               level 1 is both slower and larger) of the ledger's trace chunks, which SPEC §5 asks the ledger to hold;
//   workbooks — UTF-8 encoding + deflate level 1 of every worksheet XML of the output workbooks (settlement + lists);
//   ledger    — SQLite storing the run's rows with the ledger's schema, indexes and settings (INSERT … SELECT, in C).
// Not counted (so the sum understates the floor): parsing cells, validation, sorting, the roster merge, the engine,
// building the traces and the XML, binding and calling per row, the content and chain hashes.
import { createReadStream } from 'node:fs';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
// better-sqlite3 only where a ledger is read (the inflate floor, timed whole, does not load it)
const sqlite = async () => (await import('better-sqlite3')).default;

const now = () => performance.now();

async function openZip(file) {
  const zip = await new Promise((res, rej) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (e, z) => (e ? rej(e) : res(z))),
  );
  const entries = [];
  await new Promise((res) => {
    zip.on('entry', (e) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', res);
    zip.readEntry();
  });
  const open = (e) => new Promise((res, rej) => zip.openReadStream(e, (err, st) => (err ? rej(err) : res(st))));
  return { zip, sheets: entries.filter((e) => e.fileName.startsWith('xl/worksheets/')), open };
}

/** zlib inflate of the worksheet parts of each file (the stream is the inflate: all of it is timed). */
export async function inflateFloor(files) {
  const t = now();
  let bytes = 0;
  for (const file of files) {
    const { zip, sheets, open } = await openZip(file);
    for (const e of sheets) for await (const c of await open(e)) bytes += c.length;
    zip.close();
  }
  return { seconds: (now() - t) / 1000, bytes };
}

export async function jsonlFloor(file) {
  let seconds = 0;
  let bytes = 0;
  let objects = 0;
  let batch = [];
  const flush = () => {
    const t = now();
    for (const o of batch) bytes += Buffer.from(JSON.stringify(o) + '\n', 'utf8').length;
    seconds += (now() - t) / 1000;
    objects += batch.length;
    batch = [];
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    batch.push(JSON.parse(line));
    if (batch.length >= 20000) flush();
  }
  flush();
  return { seconds, bytes, objects };
}

export async function tracesFloor(ledgerPath) {
  const Database = await sqlite();
  const db = new Database(ledgerPath, { readonly: true });
  let seconds = 0;
  let bytes = 0;
  let stored = 0;
  for (const [data, codec] of db.prepare('SELECT data, codec FROM trace_chunks').raw(true).iterate()) {
    const raw = codec === 'brotli' ? zlib.brotliDecompressSync(data) : zlib.inflateRawSync(data);
    const t = now();
    stored += zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length;
    seconds += (now() - t) / 1000;
    bytes += raw.length;
  }
  db.close();
  return { seconds, bytes, stored };
}

/** UTF-8 encoding and deflate level 1 of every worksheet of the xlsx files in `dir`, in pieces of ~8 MB of text. */
export async function workbooksFloor(dir) {
  let seconds = 0;
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.xlsx'))) {
    files++;
    const { zip, sheets, open } = await openZip(join(dir, name));
    for (const e of sheets) {
      const dec = new StringDecoder('utf8');
      let text = '';
      const work = () => {
        const t = now();
        const b = Buffer.from(text, 'utf8');
        zlib.deflateRawSync(b, { level: 1 });
        seconds += (now() - t) / 1000;
        bytes += b.length;
        text = '';
      };
      for await (const c of await open(e)) {
        text += dec.write(c);
        if (text.length >= 8 << 20) work();
      }
      text += dec.end();
      work();
    }
    zip.close();
  }
  return { seconds, bytes, files };
}

/**
 * SQLite storing the run's rows with the ledger's own schema, indexes and pragmas (WAL, synchronous FULL, one
 * transaction): `INSERT … SELECT` from the run's ledger into an empty copy of its schema — all in SQLite's C code,
 * no JavaScript per row, so the rows' encoding, the bindings and the statements' calls are not counted.
 */
export async function ledgerFloor(ledgerPath, scratch) {
  const Database = await sqlite();
  const src = new Database(ledgerPath, { readonly: true });
  const schema = src
    .prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC, rowid",
    )
    .all();
  const tables = schema.filter((s) => s.type === 'table').map((s) => s.name);
  const counts = Object.fromEntries(tables.map((t) => [t, src.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()]));
  src.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(scratch + suffix, { force: true });
  const db = new Database(scratch);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  for (const s of schema) db.exec(s.sql);
  db.exec(`ATTACH DATABASE '${ledgerPath.replaceAll("'", "''")}' AS src`);
  const t = now();
  db.exec('BEGIN');
  for (const name of tables) db.exec(`INSERT INTO main."${name}" SELECT * FROM src."${name}"`);
  db.exec('COMMIT');
  const seconds = (now() - t) / 1000;
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(scratch + suffix, { force: true });
  return { seconds, rows: counts.lines + counts.results + counts.accumulators, counts };
}
