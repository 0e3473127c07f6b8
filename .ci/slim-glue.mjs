// Replaces a few helpers of wasm-bindgen's generated glue (core.js) with smaller ones that do
// the same for this module, before the glue is bundled into index.js. The generated helpers
// are written for any crate and any browser; these are for this module (no JavaScript values
// held, strings that cross a few at a time) in the browsers it supports, which all have
// `TextEncoder.encodeInto`.
//
//   node .ci/slim-glue.mjs <pkg dir>
//
// It runs before .ci/minify-names.mjs, on wasm-bindgen's own names. wasm-bindgen is pinned
// (=0.2.130 in Cargo.toml): every helper replaced must be, byte for byte, the one that version
// generates (its SHA-256 below), and every call site pattern must match where expected, or the
// build fails. Another version's helpers are to be read again before the hashes are updated.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir] = process.argv.slice(2);
const gluePath = join(dir, 'core.js');
let glue = readFileSync(gluePath, 'utf8');

const fail = (what) => {
  throw new Error(`slim-glue: ${what}`);
};
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const count = (text, pattern) => text.split(pattern).length - 1;

/** Replaces the lines from the one starting with `first` to the next line that is exactly
 *  `last`, which must hash to `hash`, with `replacement`. */
function replaceBlock(first, last, hash, replacement, what) {
  if (count(glue, '\n' + first) !== 1) fail(`${what}: ${count(glue, '\n' + first)} blocks starting ${first}`);
  const start = glue.indexOf('\n' + first) + 1;
  const end = glue.indexOf('\n' + last + '\n', start);
  if (end < 0) fail(`${what}: no end`);
  const block = glue.slice(start, end + last.length + 2);
  const found = sha256(block);
  if (found !== hash) fail(`${what} is not the one wasm-bindgen 0.2.130 generates (sha256 ${found}):\n${block}`);
  glue = glue.slice(0, start) + replacement + glue.slice(start + block.length);
}

/** Replaces every match of the global `pattern`, `times` times exactly ('some': at least once). */
function replaceAll(pattern, replacement, times, what) {
  let n = 0;
  glue = glue.replace(pattern, (...m) => {
    n += 1;
    return replacement(...m);
  });
  if (times === 'some' ? n === 0 : n !== times) fail(`${what}: ${n} matches, expected ${times}`);
}

/** Fails if a name the replacements removed is still used. */
function gone(name) {
  if (new RegExp(`\\b${name}\\b`).test(glue)) fail(`${name} is still used`);
}

// The names this adds must be new to the glue.
if (/\bstoreText/.test(glue)) fail('storeText is already a name in the glue');

// ---- strings into the module ----------------------------------------------------------------

// The generated passStringToWasm0 also handles a call without `realloc` (through `encode`, a
// temporary copy), which none of this glue's calls makes, and comes with an `encodeInto`
// polyfill for browsers that lack it. Kept: the ASCII loop, many times cheaper than a call to
// the encoder for the short strings that cross per log entry.
replaceBlock(
  'function passStringToWasm0(',
  '}',
  'edc66798a68412bc90d10b47313f26d7eb71cc77a8a1cec40f23702fbc633738',
  `function passStringToWasm0(arg) {
    // The string as UTF-8 in a new block of the module's memory: returns its address, and its
    // length in WASM_VECTOR_LEN. ASCII, the usual case, is copied a code unit at a time.
    let len = arg.length;
    let ptr = wasm.__wbindgen_malloc(len, 1) >>> 0;
    const mem = getUint8ArrayMemory0(); // after malloc, which may have grown memory
    let offset = 0;
    for (let code; offset < len && (code = arg.charCodeAt(offset)) < 0x80; offset++) mem[ptr + offset] = code;
    if (offset < len) {
        // The rest through encodeInto (a lone surrogate becomes U+FFFD), into a block grown to
        // its worst case, 3 bytes per UTF-16 code unit, then shrunk to fit: the module frees
        // the string with its exact length.
        ptr = wasm.__wbindgen_realloc(ptr, len, len = offset + (len - offset) * 3, 1) >>> 0;
        offset += cachedTextEncoder.encodeInto(arg.slice(offset), getArrayU8FromWasm0(ptr + offset, len - offset)).written;
        ptr = wasm.__wbindgen_realloc(ptr, len, offset, 1) >>> 0;
    }
    WASM_VECTOR_LEN = offset;
    return ptr;
}
`,
  'passStringToWasm0',
);
// Every call passes the module's own malloc and realloc (the replacement always takes the
// realloc path for non-ASCII text), which the replacement reads itself: the calls pass the
// string alone.
replaceAll(
  /(?<!function )passStringToWasm0\(([^()]*?)(, wasm\.__wbindgen_malloc, wasm\.__wbindgen_realloc)?\)/g,
  (call, arg, allocators) => (allocators ? `passStringToWasm0(${arg})` : fail(`a call without realloc: ${call}`)),
  'some',
  'passStringToWasm0 calls',
);
replaceBlock(
  "if (!('encodeInto' in cachedTextEncoder)) {",
  '}',
  '715b4c7b7ad84984da415b76a8580dd717bba3e115ecd54455a0d49745e032d9',
  '',
  'the encodeInto polyfill',
);

// ---- strings out of the module --------------------------------------------------------------

// The generated glue shares one decoder and counts the bytes it decodes, to replace it before
// 2 GiB: past that, Safari's decoder throws (WebKit bug 280593), which a long-lived page could
// reach. A decoder per call cannot reach it, and needs neither the counter nor shared state.
// These strings (URLs, storage keys, option names, warnings) cross per request or per
// configure(), never per event, so the decoder's construction costs nothing that matters.
replaceBlock(
  'function getStringFromWasm0(',
  '}',
  'ddba60aef9e0033a5d8776bf58affb14a5807603457e5535cb285447aa3b83bd',
  `function getStringFromWasm0(ptr, len) {
    // ignoreBOM: a leading U+FEFF is text, not a byte order mark. The empty decode first is
    // wasm-bindgen's guard against Safari versions that emitted a BOM on a decoder's first use.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    decoder.decode();
    return decoder.decode(getArrayU8FromWasm0(ptr, len));
}
`,
  'getStringFromWasm0',
);
replaceBlock(
  'let cachedTextDecoder = ',
  '}',
  '2a74a32b9b8fc7cb3af6483e1b87ff9c1d1bda2fb5272edc619b5774e6c3d17a',
  '',
  'the shared decoder',
);
gone('decodeText');
gone('cachedTextDecoder');

// ---- answers of the imports that return a string -------------------------------------------

// The module passes such an import the address of two i32, where the glue writes the answer's
// address and length. The generated glue copies the string in and writes the two through
// getDataViewMemory0(), whose test of a stale view (`buffer.detached`, with a fallback for
// browsers without it) it repeats in every import; one function does it all here. The module's
// imports answer with numbers and strings only (an array would bring wasm-bindgen's
// conversion into the module): an answer of another kind is left unmatched, and gone() below
// fails the build. An import whose answer the module does not take as optional (no
// `isLikeNone` test) gets "" for none: storeText would write none as address 0, which the
// module reads as a string only where it expects none (see `Text` in src/page.rs).
replaceAll(
  /^( +)(?:var|const) (ptr\d+) = (isLikeNone\(ret\) \? 0 : )?passStringToWasm0\(ret\);\n\1(?:var|const) (len\d+) = WASM_VECTOR_LEN;\n\1getDataViewMemory0\(\)\.setInt32\(\((arg\d+) >>> 0\) \+ 4 \* 1, \4, true\);\n\1getDataViewMemory0\(\)\.setInt32\(\(\5 >>> 0\) \+ 4 \* 0, \2, true\);$/gm,
  (_, indent, ptr, optional, len, at) => `${indent}storeText(${at}, ret${optional ? '' : " ?? ''"});`,
  'some', // one per import that answers with a string; gone() below checks them all
  'answers written through getDataViewMemory0',
);
replaceBlock(
  'let cachedDataViewMemory0 = null;',
  '}',
  'a6cfdac420f416ae3d08642549d8169dd5dfcf818cd62b91991b1a6ff77a136e',
  `// Writes an import's answer, a string or none (undefined, null), into the module's memory, and
// its address then length as two little-endian i32 at \`at\`: for none, as the generated glue
// writes it, address 0 and whatever length was set last. The view is remade when memory.buffer
// is another object, which it is exactly when memory has grown (growing detaches the old
// buffer, as copying the string in may) or this is another instance.
let storeTextView = null;
function storeText(at, text) {
    const ptr = text == null ? 0 : passStringToWasm0(text);
    if (storeTextView?.buffer !== wasm.memory.buffer) storeTextView = new DataView(wasm.memory.buffer);
    storeTextView.setInt32(at >>> 0, ptr, true);
    storeTextView.setInt32((at >>> 0) + 4, WASM_VECTOR_LEN, true);
}
`,
  'getDataViewMemory0',
);
replaceAll(/^ +cachedDataViewMemory0 = null;\n/gm, () => '', 1, 'the DataView reset');
gone('getDataViewMemory0');
gone('cachedDataViewMemory0');

// The arrays the imports take are read through a view made for the call, not through a cached
// view of all memory: the numbers of `takeNumbers`, which cross when the page reports something
// (an observer's entries, an error), not per event; and the bytes of request bodies, storage
// values and random bytes, of the strings read out, and of the non-ASCII rest of a string
// copied in (the generated helpers made each of those views too, with subarray, from a cached
// view of all memory that only passStringToWasm0's ASCII loop still uses: getUint8ArrayMemory0,
// below).
for (const [type, view, hash] of [
  ['F64', 'Float64Array', '7cb8c9f74b2f4aae06f554487ed66a4ffbc5bdfbeb67b3a32358914cd0f8da13'],
  ['U8', 'Uint8Array', '76cd927dbb29c8d4bd11dc21b17e9aed94c9fff5dd705f5b148f0b8e5dc2a79a'],
]) {
  replaceBlock(
    `function getArray${type}FromWasm0(`,
    '}',
    hash,
    `function getArray${type}FromWasm0(ptr, len) {
    return new ${view}(wasm.memory.buffer, ptr >>> 0, len);
}
`,
    `getArray${type}FromWasm0`,
  );
}
replaceBlock(
  'let cachedFloat64ArrayMemory0 = null;',
  '}',
  '6fddeefe71436ade692d51323c37e8a51efcc02f6d9703e9f5fdd22f059cf058',
  '',
  'getFloat64ArrayMemory0',
);
replaceAll(/^ +cachedFloat64ArrayMemory0 = null;\n/gm, () => '', 1, 'the Float64Array reset');
gone('getFloat64ArrayMemory0');
gone('cachedFloat64ArrayMemory0');

// The view of all memory that strings are copied in through (the ASCII loop, per string) is
// remade, as the generated one is, when there is none yet or memory has grown (the old view's
// buffer is then detached: its byteLength reads 0), with the same test written shorter. (Not
// when memory.buffer is another object, as storeText's is: reading memory.buffer costs about
// as much as making the view.)
replaceBlock(
  'let cachedUint8ArrayMemory0 = null;',
  '}',
  'a4f680cedae02e6cc60924810e29dfa3cd5d3df3fdbe4dd036a3e0a239efc132',
  `let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (!cachedUint8ArrayMemory0?.byteLength) cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    return cachedUint8ArrayMemory0;
}
`,
  'getUint8ArrayMemory0',
);

// ---- the imports object and the frees ---------------------------------------------------------

// The glue frees a string it had passed in, should passing the next one throw, with its length
// times the element size, 1 for bytes: the length itself.
replaceAll(
  /wasm\.__wbindgen_free\((ptr\d+), (len\d+) \* 1, 1\)/g,
  (_, ptr, len) => `wasm.__wbindgen_free(${ptr}, ${len}, 1)`,
  'some',
  'frees of strings',
);
// The generated glue makes the imports object and its module's object without a prototype
// (`__proto__: null`), so that no property of Object.prototype can stand in for a missing
// import. None is missing: every import the module names is an own property of the glue's
// object, as its module's name is of the imports object, and WebAssembly looks up only those
// names, so no prototype is ever consulted, and the objects are made plainly.
replaceAll(/^ +__proto__: null,\n/gm, () => '', 2, 'the prototypes of the imports object');

// ---- the table of JavaScript values ---------------------------------------------------------

// wasm-bindgen's start fills slots of the module's externref table (undefined, null, true,
// false: what JsValue's constants refer to). This module holds no JavaScript values, so the
// init does nothing here; but only while no instruction of the module reads or writes that
// table (a function table, for calls through pointers, is another matter) and the glue uses it
// nowhere else, so that nothing can read those slots.
const wat = execFileSync('wasm-dis', [join(dir, 'core_bg.wasm')], { encoding: 'utf8', maxBuffer: 1 << 28 });
const tables = [...wat.matchAll(/^ *\(table (\$\S+) \d+(?: \d+)? externref\)$/gm)];
if (tables.length !== 1) fail(`expected one externref table, found ${tables.length}`);
const table = tables[0][1].replace(/\$/g, '\\$');
const uses = wat.match(new RegExp(`\\((?:table\\.\\w+|call_indirect|return_call_indirect) ${table}\\b|\\(elem [^\\n]*\\(table ${table}\\)`, 'g'));
if (uses) fail(`the module uses its externref table (${[...new Set(uses)].join(', ')}): wasm-bindgen's init of it is needed`);
if (count(glue, '__wbindgen_externrefs') !== 1) fail('the glue uses the externref table outside its init');
replaceBlock(
  '        __wbindgen_init_externref_table: function() {',
  '        },',
  'eed11ad29bb33a1e696a98f5a6c4c13932b7e2d78e22b8abeeab148d968d0d1d',
  '        __wbindgen_init_externref_table: function() {},\n',
  '__wbindgen_init_externref_table',
);

writeFileSync(gluePath, glue);
