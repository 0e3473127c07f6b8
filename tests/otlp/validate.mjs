// OTLP/HTTP JSON bodies validated by tests/otlp/validate.py (the official protobuf definitions
// from PyPI's `opentelemetry-proto`, plus OTLP/JSON's own rules), in the project-local virtual
// environment that .ci/bootstrap.sh makes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const PYTHON = here('./.venv/bin/python');
const SCRIPT = here('./validate.py');

/** `{ ok: true }`, or `{ ok: false, error }` with the first fault, for a body (text or object)
 *  of `kind`: 'metrics', 'logs' or 'traces'. */
export function validateOtlp(kind, body) {
  const input = typeof body === 'string' ? body : JSON.stringify(body);
  const run = spawnSync(PYTHON, [SCRIPT, kind, '-'], { input, encoding: 'utf8' });
  if (run.error) throw run.error; // no virtual environment: run `make bootstrap`
  return run.status === 0 ? { ok: true } : { ok: false, error: run.stderr.trim() };
}
