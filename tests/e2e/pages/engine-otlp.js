// The OTLP entry as a page without a bundler loads it (engines.test.mjs: its requests, measured
// and traced, in every engine).
import * as telemetry from '/pkg/otlp.js';

window.telemetry = telemetry;
window.core = telemetry.__internals;
