import { analyse } from './data.js';

// The demo's backend is the collector's /api/demo/*: each answer takes 50-800 ms and about one
// in seven is a 5xx, so the API metrics have real latency and real failures to show. What the
// calls return (an analysis, job matches) is still made up here; the request is real. The
// package measures and traces it (`instrumentRequests` in main.jsx): no trackApiCall here,
// which would count each call twice.
const BASE = '/api/demo';

export async function callApi(method, endpoint, makeBody, payload) {
  const url = BASE + endpoint;
  const started = performance.now();
  let status = 0; // no answer at all (the collector is down): recorded as status 0
  try {
    const res = await fetch(url, {
      method,
      cache: 'no-store',
      headers: payload === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    status = res.status;
    await res.arrayBuffer();
  } catch (_) {
    /* status stays 0 */
  }
  const duration = Math.round((performance.now() - started) * 100) / 100;
  const ok = status >= 200 && status < 300;
  return { ok, status, duration, url, body: ok ? makeBody() : null };
}

export const ANALYZE_ENDPOINT = BASE + '/cv/analyze';
export const MATCHES_ENDPOINT = BASE + '/jobs/matches';

/** Asks the analysis service about a CV, logging the outcome through the caller's logger. */
export async function requestAnalysis(log, cv) {
  const res = await callApi('POST', '/cv/analyze', () => analyse(cv), { cvId: cv.id });
  if (res.ok) log.info('CV analysis finished', { cvId: cv.id, score: res.body.score, durationMs: res.duration });
  else log.warn('CV analysis failed', { cvId: cv.id, status: res.status, durationMs: res.duration });
  return res;
}
