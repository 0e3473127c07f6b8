// `make size`: where the optimized module's bytes go, by the crate each function or data
// segment comes from, read from twiggy's list of items (shallow sizes, bytes before gzip) of
// the module optimized as `make pkg` does, with its names kept. Inlining moves code into its
// callers, so a crate's figure is the code that is still its own after optimization: the
// core's logic inlined into the browser layer's `driver::handle` counts there.
import { execFileSync } from 'node:child_process';

const file = process.argv[2];
const csv = execFileSync('twiggy', ['top', '-n', '100000', '--format', 'csv', file], { encoding: 'utf8' });
const rows = csv.trim().split('\n').slice(1).map((line) => {
  const m = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
  return m ? { name: (m[1] ?? m[2]).replace(/""/g, '"'), bytes: Number(m[3]) } : null;
}).filter(Boolean);

/** The crate (or kind of item) an item belongs to. */
function owner(name) {
  if (/function names|data names|Σ/.test(name)) return null;
  if (name.startsWith('data segment')) return 'data (strings, tables)';
  if (name.startsWith('import ')) return 'imports (one per binding, named with a hash)';
  if (/^(export|type\[|elem\[|table\[|global\[|memory\[|code\[)/.test(name) || / shim$/.test(name)) return 'wasm-bindgen (exports, shims, tables)';
  // The module's thread-local state is the browser layer's: what is inlined into its accessors
  // is the browser layer's code (std's own `LocalKey::with` is a few bytes).
  if (name.includes('LocalKey<T>::with')) return 'recoloca-telemetry (the browser layer, with what it inlined)';
  if (/^core::ops::function::Fn(Once|Mut)?::call/.test(name)) return 'closures (the code inlined into them)';
  const crates = [
    ['serde_json', 'serde_json (the writer of the wire records)'],
    ['serde_core::ser::Serialize for', 'serde (the wire records\' derived Serialize)'],
    ['recoloca_telemetry_core', 'recoloca-telemetry-core (the logic)'],
    ['recoloca_telemetry', 'recoloca-telemetry (the browser layer, with what it inlined)'],
    ['wasm_bindgen_futures', 'wasm-bindgen-futures'],
    ['js_sys', 'js-sys (with its futures executor)'],
    ['web_sys', 'web-sys'],
    ['gloo_timers', 'gloo-timers'],
    ['gloo_events', 'gloo-events'],
    ['gloo_render', 'gloo-render'],
    ['wasm_bindgen', 'wasm-bindgen'],
    ['lol_alloc', 'lol_alloc'],
    ['rand_', 'rand_xoshiro, rand_core'],
    ['fmt', 'std: formatting (panic messages)'],
    ['std', 'std: panics, thread-locals'],
    ['alloc', 'alloc (Vec, String, VecDeque)'],
    ['core', 'core (iterators, str, slices)'],
  ];
  for (const [key, label] of crates) if (name.includes(key)) return label;
  return /^[a-zA-Z]+$/.test(name) ? 'wasm-bindgen (exports, shims, tables)' : 'other';
}

const by = new Map();
let total = 0;
for (const { name, bytes } of rows) {
  const o = owner(name);
  if (!o) continue;
  by.set(o, (by.get(o) ?? 0) + bytes);
  total += bytes;
}
console.log('| where | bytes | share |\n|---|---|---|');
for (const [o, bytes] of [...by].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${o} | ${bytes} | ${((100 * bytes) / total).toFixed(1)}% |`);
}
console.log(`| total (before gzip; names left out) | ${total} | |`);
