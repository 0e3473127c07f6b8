// What the collector accepts on POST /api/metrics and /api/logs: the package's wire format
// (README, "Wire format"). A batch is taken whole or refused whole, so that its idempotency key
// means one thing; a refusal names the first bad field, as `metrics[3].value must be …`.

const LEVELS = ['debug', 'info', 'warn', 'error'];
const MAX_NAME = 200;
const MAX_ERRORS = 10; // listed in a 400 answer besides the first

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isFiniteNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/** A path step for a key: `.page`, or `["user-id"]` when the key is no identifier. */
function step(key) {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? '.' + key : `[${JSON.stringify(key)}]`;
}

function checkMetric(m, at, problems) {
  if (!isObject(m)) return problems.push(`${at} must be an object`);
  if (typeof m.name !== 'string' || !m.name) problems.push(`${at}.name must be a non-empty string`);
  else if (m.name.length > MAX_NAME) problems.push(`${at}.name must be at most ${MAX_NAME} characters`);
  // A negative counter increment is well-formed: the Prometheus side skips it (and counts it),
  // rather than refusing the page views and logs that share its batch.
  if (!isFiniteNumber(m.value)) problems.push(`${at}.value must be a finite number`);
  if (!isFiniteNumber(m.timestamp)) problems.push(`${at}.timestamp must be a finite number (milliseconds since 1970)`);
  if (m.labels !== undefined) {
    if (!isObject(m.labels)) problems.push(`${at}.labels must be an object of strings`);
    else {
      for (const [k, v] of Object.entries(m.labels)) {
        if (typeof v !== 'string') problems.push(`${at}.labels${step(k)} must be a string`);
      }
    }
  }
}

function optionalString(entry, field, at, problems) {
  if (entry[field] !== undefined && typeof entry[field] !== 'string') problems.push(`${at}.${field} must be a string`);
}

function checkLog(l, at, problems) {
  if (!isObject(l)) return problems.push(`${at} must be an object`);
  if (typeof l.timestamp !== 'string' || !Number.isFinite(Date.parse(l.timestamp))) {
    problems.push(`${at}.timestamp must be an ISO-8601 date string`);
  }
  if (!LEVELS.includes(l.level)) problems.push(`${at}.level must be one of ${LEVELS.join(', ')}`);
  for (const field of ['message', 'service', 'version']) {
    if (typeof l[field] !== 'string') problems.push(`${at}.${field} must be a string`);
  }
  if (l.context !== undefined && !isObject(l.context)) problems.push(`${at}.context must be an object`);
  if (l.error !== undefined) {
    if (!isObject(l.error)) problems.push(`${at}.error must be an object`);
    else {
      for (const field of ['name', 'message']) {
        if (typeof l.error[field] !== 'string') problems.push(`${at}.error.${field} must be a string`);
      }
      optionalString(l.error, 'stack', `${at}.error`, problems);
    }
  }
  for (const field of ['user_id', 'session_id', 'request_id']) optionalString(l, field, at, problems);
}

/**
 * Checks a parsed body of `stream` ('metrics' or 'logs'). Fields the format does not name are
 * let through (a newer client may send more).
 * @returns {null | {error: string, errors: string[]}} null when the batch is acceptable
 */
export function validateBatch(stream, body) {
  if (!isObject(body) || !Array.isArray(body[stream])) {
    return { error: `field "${stream}" must be an array`, errors: [`field "${stream}" must be an array`] };
  }
  const check = stream === 'metrics' ? checkMetric : checkLog;
  const problems = [];
  const events = body[stream];
  for (let i = 0; i < events.length && problems.length < MAX_ERRORS; i++) check(events[i], `${stream}[${i}]`, problems);
  if (!problems.length) return null;
  return { error: problems[0], errors: problems.slice(0, MAX_ERRORS) };
}

/**
 * Whether a Content-Type header says JSON: `application/json`, in any case, with no parameter
 * but a UTF-8 charset (JSON is UTF-8, RFC 8259). `application/json-patch+json` and the like
 * are other formats.
 */
export function isJsonType(header) {
  if (typeof header !== 'string') return false;
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}
