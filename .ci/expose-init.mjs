// Exports the two steps of wasm-bindgen's initialization that its loader wraps: the imports
// object (`__wbg_get_imports`) and what follows instantiation (`__wbg_finalize_init`). With
// them `index.js` instantiates the module asynchronously (`instantiateStreaming`) without
// the glue's own loader, whose fallbacks and deprecated call forms every page would download
// for nothing, and without `initSync`, whose synchronous instantiation Chromium refused for
// modules over 4 KB before version 115.
//
//   node .ci/expose-init.mjs <glue.js>
//
// The build fails unless each function is defined exactly once.
import { readFileSync, writeFileSync } from 'node:fs';

const [path] = process.argv.slice(2);
let glue = readFileSync(path, 'utf8');
for (const name of ['__wbg_get_imports', '__wbg_finalize_init']) {
  const n = glue.match(new RegExp(`^function ${name}\\(`, 'gm'))?.length ?? 0;
  if (n !== 1) throw new Error(`expose-init: ${n} definitions of ${name} in ${path}`);
}
glue += '\nexport { __wbg_get_imports, __wbg_finalize_init };\n';
writeFileSync(path, glue);
