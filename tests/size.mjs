// The size budgets: the gzipped JS and wasm a browser loads for each entry of the package (the
// entry's one minified file, which bundles index.js with wasm-bindgen's glue, and its module).
//
// The budget for the main entry, the drop-in with the seed's defaults, is 40 kB (40,000 B):
// under Datadog's RUM SDK (about 50 kB) and OpenTelemetry's web SDK (about 60 kB). What counts
// is what a page loads before its client runs: the entry and the main module. Error capture
// and page timings are a second module (watch.js and watch_bg.wasm) that the entry imports
// once the client is ready; its size is printed, and the total with it. CEILING holds the main
// entry where it is, so that it can only go down. (While error capture and page timings were
// in the main module, it was 53.7 kB; 42.6 kB once they moved into the second one; 40.0 kB
// after the cuts of README, "Building".) The slim entry (metrics, logs and their delivery,
// without the second module) must stay measurably smaller than the main one with its second
// module: at least 4 kB less. Sizes are in bytes, and in kB of 1,000 B. SIZE_CHECK=report
// prints the figures without failing (while working on them; `make test` never sets it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const GOAL = 40_000;
const CEILING = 40_000;
const SLIM_SAVES = 4_000;
const ENTRIES = [
  { name: '@recoloca/telemetry', files: ['index.js', 'core_bg.wasm'], limit: Math.min(CEILING, GOAL), what: `budget ${GOAL / 1000} kB, ceiling` },
  { name: '  loaded once ready: error capture and page timings', files: ['watch.js', 'watch_bg.wasm'], second: true },
  { name: '@recoloca/telemetry/slim', files: ['slim.js', 'slim_bg.wasm'], slim: true },
  { name: '@recoloca/telemetry/otlp', files: ['otlp.js', 'otlp_bg.wasm'], otlp: true },
];
const pkg = new URL('../pkg/', import.meta.url);
const kB = (n) => `${(n / 1000).toFixed(1)} kB (${n} B)`;

let failed = false;
let main = 0;
let mainEntry = 0;
for (const { name, files, limit: given, what: said, slim, second, otlp } of ENTRIES) {
  const limit = slim ? main - SLIM_SAVES : given ?? Infinity;
  const what = slim ? `budget (the main entry with its second module, less ${SLIM_SAVES / 1000} kB)` : said;
  let total = 0;
  const rows = [];
  for (const file of files) {
    const bytes = readFileSync(fileURLToPath(new URL(file, pkg)));
    const gz = gzipSync(bytes, { level: 9 }).length;
    total += gz;
    rows.push(`  ${file.padEnd(18)} ${String(bytes.length).padStart(7)} B raw ${String(gz).padStart(7)} B gzip`);
  }
  if (!slim && !second && !otlp) mainEntry = total;
  main += slim || otlp ? 0 : total;
  if (otlp) console.log(`${name}: ${kB(total)} gzip, ${kB(total - mainEntry)} more than the main entry`);
  else if (second) console.log(`${name}: ${kB(total)} gzip; with the main entry ${kB(main)}`);
  else console.log(`${name}: ${kB(total)} gzip, ${what} ${kB(limit)}`);
  console.log(rows.join('\n'));
  if (total > limit) {
    console.error(`${name}: size ${what} (${kB(limit)}) exceeded by ${total - limit} B`);
    failed = true;
  }
}
if (failed && process.env.SIZE_CHECK !== 'report') process.exit(1);
