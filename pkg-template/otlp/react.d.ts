// Types of @recoloca/telemetry/otlp/react: the React bindings over the OTLP entry.
export * from '../react.js';
