// @recoloca/telemetry: the second module, error capture and page timings, which index.js
// imports once the client is ready (src/watch/ in the repository). This file is the module's
// wasm-bindgen glue (watch_glue.js when the package is built) with its loader; `make pkg`
// bundles the two into the package's watch.js.
import init from './watch_glue.js';

export { watch, setFeatures, hidden, report, replay } from './watch_glue.js';

const wasm = new URL('watch_bg.wasm', import.meta.url);

/** Where this module's code is: a trap's stack names one of them (see index.js). */
export const sources = [wasm.href, import.meta.url];

/** Loads the module. Its request is marked as the client's own, so that the OTLP entry's
 *  request wrappers (instrumentRequests) do not measure the client loading itself. */
export default () => init({ module_or_path: fetch(wasm, { recolocaTelemetry: true }) });
