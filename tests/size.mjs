// The size budget: the gzipped JS and wasm a browser loads for the core entry (index.js,
// which bundles the glue, and core_bg.wasm). The goal is 20 kB; the package is not there yet,
// so until it is, `make pkg` (SIZE_BUDGET=report) enforces a ceiling a little above today's
// figure: the size may only go down. Lower CEILING as it does.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET = 20 * 1024;
const CEILING = 26.5 * 1024;
const pkg = new URL('../pkg/', import.meta.url);
let total = 0;
const rows = [];
for (const file of ['index.js', 'core_bg.wasm']) {
  const bytes = readFileSync(fileURLToPath(new URL(file, pkg)));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  rows.push(`${file.padEnd(14)} ${String(bytes.length).padStart(7)} B raw ${String(gz).padStart(7)} B gzip`);
}
console.log(rows.join('\n'));
console.log(`size budget: ${(total / 1024).toFixed(1)} kB gzip of ${BUDGET / 1024} kB`);
const limit = process.env.SIZE_BUDGET === 'report' ? CEILING : BUDGET;
if (total > limit) {
  console.error(`size ${limit === BUDGET ? 'budget' : 'ceiling'} (${limit / 1024} kB) exceeded by ${total - limit} B`);
  process.exit(1);
}
