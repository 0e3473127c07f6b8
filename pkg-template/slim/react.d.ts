// Types of @recoloca/telemetry/slim/react: the React bindings over the slim entry.
export * from '../react.js';
