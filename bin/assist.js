#!/usr/bin/env node
// A reader that stops early (`assist explain … | head`) closes the pipe: the rest of the output is dropped
// quietly and the command still finishes (an adjudicate run is not cut short by its terminal going away).
process.stdout.on('error', (err) => {
  if (err && (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED')) return;
  process.stderr.write(`内部错误：无法写出到标准输出（${err && err.message ? err.message : err}）\n`);
  process.exit(3);
});
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`内部错误：${err && err.message ? err.message : err}\n`);
  process.exit(3);
});
