// Shortens the names the wasm module and its JS glue share, the way a JS minifier shortens
// identifiers. wasm-bindgen names every import `__wbg_<method>_<16 hex digits>` and keeps
// Rust's export names; they appear in both files, and the hex does not compress. binaryen's
// `--minify-imports-and-exports-and-modules` renames them all in the module and prints the
// mapping, which this script applies to `core.js` (the glue, before it is minified) and to
// the one export `index.js` reads directly (`memory`). The module's hand-written imports
// (src/page.js, a wasm-bindgen snippet) come from a second module name; binaryen folds every
// import into one module, so those become keys of the glue's import object too.
//
//   node .ci/minify-names.mjs <pkg dir> <wasm-opt feature flags...>
//
// Every rename must match exactly where expected, or the build fails: a name left behind
// would only show up as a module that does not instantiate.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...features] = process.argv.slice(2);
const wasmPath = join(dir, 'core_bg.wasm');
const gluePath = join(dir, 'core.js');
const indexPath = join(dir, 'index.js');

const mapping = JSON.parse(
  execFileSync(
    'wasm-opt',
    [...features, '--minify-imports-and-exports-and-modules', wasmPath, '-o', wasmPath],
    { encoding: 'utf8' },
  ),
);
const imported = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath)));
const modules = new Set(imported.map((i) => i.module));
if (modules.size !== 1) throw new Error(`expected one import module, found ${[...modules]}`);
const [moduleName] = modules;

const fail = (what) => {
  throw new Error(`minify-names: ${what}`);
};
const replaceExactly = (text, pattern, replacement, times, what) => {
  let n = 0;
  const out = text.replace(pattern, (...m) => {
    n += 1;
    return typeof replacement === 'function' ? replacement(...m) : replacement;
  });
  if (times === 'some' ? n === 0 : n !== times) fail(`${what}: ${n} matches`);
  return out;
};

let glue = readFileSync(gluePath, 'utf8');
const direct = []; // `short: importN.base` for the snippet's functions the module calls directly
for (const [module, base, short] of mapping.imports) {
  if (module === './core_bg.js') {
    // Each import is one key of the import object: `        __wbg_x_0123abcd: function(…`.
    glue = replaceExactly(glue, new RegExp(`^(\\s+)${base}:`, 'm'), (_, indent) => `${indent}${short}:`, 1, base);
    continue;
  }
  if (!module.startsWith('./snippets/')) fail(`import from unexpected module ${module}`);
  // The glue passes the snippet's namespace (`import * as importN from "<module>"`) as the
  // module; any one of its names for that module will do.
  const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ns = new RegExp(`^import \\* as (import\\d+) from "${escaped}"`, 'm').exec(glue)?.[1] ?? fail(`no namespace for ${module}`);
  direct.push(`${short}: ${ns}.${base},`);
}
glue = replaceExactly(glue, /^\s+"\.\/snippets\/[^"]+": import\d+,\n/gm, '', 'some', 'snippet modules');
glue = replaceExactly(glue, '"./core_bg.js": import0', () => `${JSON.stringify(moduleName)}: import0`, 1, 'module');
glue = replaceExactly(glue, /(const import0 = \{\n)/, (m) => m + direct.join('\n') + '\n', 1, 'direct imports');
for (const [name, short] of mapping.exports) {
  // Exports the glue never touches (wasm-bindgen's abort hooks) have no match, which is fine.
  // A function, not a string: a `$` in a short name must not be read as a pattern.
  glue = glue.replace(new RegExp(`\\bwasm\\.${name}\\b`, 'g'), () => `wasm.${short}`);
}
if (/\bwasm\.(__wbindgen|__externref|wasm_bindgen__)/.test(glue)) fail('an export name was left in core.js');
writeFileSync(gluePath, glue);

const memory = mapping.exports.find(([name]) => name === 'memory')?.[1] ?? fail('no memory export');
const index = readFileSync(indexPath, 'utf8');
writeFileSync(indexPath, replaceExactly(index, /\.memory\.buffer\b/g, () => `.${memory}.buffer`, 'some', 'memory'));

const n = mapping.imports.length + mapping.exports.length;
console.log(`minify-names: ${mapping.imports.length} imports and ${mapping.exports.length} exports renamed (${n})`);
