import { analyse } from './data.js';

// The demo has no backend (the collector only takes telemetry), so API calls are simulated:
// a random 150-900 ms wait and, now and then, a failure, measured and tracked as a real
// fetch would be.
const FAILURES = [429, 500, 503];

export async function fakeApi(metrics, method, endpoint, makeBody) {
  const started = performance.now();
  const delay = 150 + Math.random() * 750;
  await new Promise((resolve) => setTimeout(resolve, delay));
  const ok = Math.random() < 0.8;
  const status = ok ? (method === 'POST' ? 201 : 200) : FAILURES[Math.floor(Math.random() * FAILURES.length)];
  const duration = Math.round((performance.now() - started) * 100) / 100;
  metrics.trackApiCall(endpoint, method, status, duration);
  return { ok, status, duration, body: ok ? makeBody() : null };
}

/** Asks the analysis service about a CV, logging the outcome through the caller's logger. */
export async function requestAnalysis(metrics, log, cv) {
  const res = await fakeApi(metrics, 'POST', '/api/cv/analyze', () => analyse(cv));
  if (res.ok) log.info('CV analysis finished', { cvId: cv.id, score: res.body.score, durationMs: res.duration });
  else log.warn('CV analysis failed', { cvId: cv.id, status: res.status, durationMs: res.duration });
  return res;
}
