// Types of @recoloca/telemetry/slim: the main entry's API, without page timings and error
// capture (`observePerformance` and `captureErrors` are off, and turning them on only warns).
export * from './index.js';
