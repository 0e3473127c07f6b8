// Types of @recoloca/telemetry/slim/react (installed as slim/react.d.ts): the React bindings
// over the slim entry.
export * from '../react.js';
