// Copies policy data files (params.json, *.json data, README.md) next to the compiled policies.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const src = 'src/policies';
const dst = 'dist/policies';
if (existsSync(src)) {
  for (const dir of readdirSync(src)) {
    const from = join(src, dir);
    if (!statSync(from).isDirectory()) continue;
    for (const f of readdirSync(from)) {
      if (f.endsWith('.json') || f.endsWith('.md') || f.endsWith('.tsv')) cpSync(join(from, f), join(dst, dir, f));
    }
  }
}
