// Exports the two steps of wasm-bindgen's initialization that its loader wraps: the imports
// object (`__wbg_get_imports`) and what follows instantiation (`__wbg_finalize_init`). With
// them `index.js` instantiates the module asynchronously (`instantiateStreaming`) without
// the glue's own loader, whose fallbacks and deprecated call forms every page would download
// for nothing, and without `initSync`, whose synchronous instantiation Chromium refused for
// modules over 4 KB before version 115.
//
//   node .ci/expose-init.mjs <glue.js>
//
// It also re-exports four functions of the module's hand-written imports (src/page.js, which
// wasm-bindgen copies under snippets/): with them index.js hands page.js the module's `wake`
// and the objects of `configure()`, takes `flush()`'s promises, and prints its warnings as the
// module's are printed. Imported through the glue, page.js is the same module instance the
// glue passes to the module. (Named one by one: a namespace re-export would make the bundler
// build an object of all of page.js's functions.)
//
// The build fails unless each function is defined exactly once and page.js is imported once.
import { readFileSync, writeFileSync } from 'node:fs';

const [path] = process.argv.slice(2);
let glue = readFileSync(path, 'utf8');
for (const name of ['__wbg_get_imports', '__wbg_finalize_init']) {
  const n = glue.match(new RegExp(`^function ${name}\\(`, 'gm'))?.length ?? 0;
  if (n !== 1) throw new Error(`expose-init: ${n} definitions of ${name} in ${path}`);
}
const pages = [...new Set(glue.match(/(?<=from ['"])\.\/snippets\/[^'"]+\/src\/page\.js(?=['"])/g) ?? [])];
if (pages.length !== 1) throw new Error(`expose-init: ${pages.length} paths of page.js in ${path}`);
glue += '\nexport { __wbg_get_imports, __wbg_finalize_init };\n';
glue += `export { init as __pageInit, offer as __pageOffer, settled as __pageSettled, warn as __pageWarn } from ${JSON.stringify(pages[0])};\n`;
writeFileSync(path, glue);
