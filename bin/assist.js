#!/usr/bin/env node
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`内部错误：${err && err.message ? err.message : err}\n`);
  process.exit(3);
});
