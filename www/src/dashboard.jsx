// The live dashboard: what the collector made of the telemetry it received (GET /api/summary),
// polled every second. Like the collector view it does not load the telemetry package, so
// watching it adds nothing to what it shows. Data come by two roads, the seed's format
// (/api/*) and OTLP (/v1/*); the cards count both, and say how much came by OTLP. Spans come
// by OTLP only: the slowest browser requests are listed, with whether the demo backend logged
// the same trace, so that one can be looked up in the server's log by its trace id. The
// outage switch makes the collector refuse telemetry for a while, to watch the pages cope.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BarList, RateChart, RatingBar } from './charts.jsx';
import { TopBar } from './TopBar.jsx';
import { usePolled } from './usePolled.js';
import './style.css';

const RATING_TEXT = { good: 'Good', 'needs-improvement': 'Needs improvement', poor: 'Poor' };

const useSummary = () => usePolled('/api/summary');

const clock = (t) => {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleTimeString([], { hour12: false });
};

function formatVital(value, unit) {
  if (value === null || value === undefined) return '—';
  if (unit !== 'ms') return value >= 0.01 || value === 0 ? value.toFixed(2) : value.toFixed(3);
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

function Stat({ id, label, value, sub, tone }) {
  return (
    <div className={'card stat' + (tone ? ' ' + tone : '')} data-stat={id}>
      <span className="stat-label">{label}</span>
      <b className="stat-value">{value}</b>
      {sub && <span className="stat-sub">{sub}</span>}
    </div>
  );
}

/** "· N by OTLP" when some of `what` came that way. */
const viaOtlp = (n, what = '') => (n ? ` · ${n}${what} by OTLP` : '');

function Stats({ data }) {
  const { totals, rate, errors, api, client } = data;
  const otlp = data.sources?.otlp;
  const failedShare = api.calls ? Math.round((api.failed / api.calls) * 100) : 0;
  // From OTLP histogram buckets the p75 is an estimate (see collector/distribution.mjs).
  const approx = data.apiP75Estimated ? '≈ ' : '';
  return (
    <div className="stats">
      <Stat id="rate" label="Events, last minute" value={rate.lastMinute} sub={`${(rate.lastMinute / 60).toFixed(1)} per second`} />
      <Stat id="metrics" label="Metrics received" value={totals.metrics} sub={`${totals.requests} requests${viaOtlp(otlp?.requests)}`} />
      <Stat id="logs" label="Log entries" value={totals.logs} sub={`${data.logLevels.warn} warn · ${data.logLevels.error} error${viaOtlp(otlp?.logs)}`} />
      <Stat id="errors" label="Errors reported" value={errors.total} sub={`${errors.byType.length} ${errors.byType.length === 1 ? 'type' : 'types'}`} tone={errors.total ? 'bad' : ''} />
      <Stat
        id="api"
        label="API calls"
        value={api.calls}
        sub={api.calls ? `${api.failed} failed (${failedShare}%) · p75 ${approx}${Math.round(api.p75Ms ?? 0)} ms` : 'none yet'}
        tone={failedShare > 20 ? 'warn' : ''}
      />
      <Stat
        id="client"
        label="Client drops / retries"
        value={`${client.droppedTotal} / ${client.retriesTotal}`}
        sub={client.droppedTotal ? 'events lost on the way' : 'nothing lost'}
        tone={client.droppedTotal ? 'bad' : ''}
      />
    </div>
  );
}

const OUTAGE_CHOICES = [10, 30, 60, 120]; // seconds

/** "45 s", "2 min", "1 min 30 s". */
const formatSeconds = (s) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`);

/** The refused requests of an outage, by stream. */
function Refused({ outage }) {
  const streams = Object.entries(outage.refused);
  return (
    <>
      {outage.refusedTotal} {outage.refusedTotal === 1 ? 'request' : 'requests'} refused
      {streams.map(([stream, n]) => (
        <span key={stream} className="chip">
          {stream} <b>× {n}</b>
        </span>
      ))}
    </>
  );
}

/**
 * The collector outage switch (collector/outage.mjs): for the time chosen, the telemetry
 * endpoints answer 503, so that the pages' retries, drops and kept batches show here. Its
 * state comes with the summary; a click shows at once, from the switch's own answer, until a
 * newer summary arrives.
 */
function OutageSwitch({ outage }) {
  const [seconds, setSeconds] = useState(30);
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const view = answer && (!outage || answer.now > outage.now) ? answer : outage;
  if (!view) return null; // a collector without the switch

  async function set(s) {
    setBusy(true);
    try {
      const res = await fetch('/api/outage', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ seconds: s }) });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? 'HTTP ' + res.status);
      setAnswer(body);
      setError(null);
    } catch (err) {
      setError(String(err?.message ?? err));
    } finally {
      setBusy(false);
    }
  }

  const state = view.active ? 'on' : view.ended === null ? 'off' : 'ended';
  const lasted = view.ended === null ? 0 : Math.round((view.ended - view.startedAt) / 1000);
  return (
    <section className={'card panel outage ' + state} data-panel="outage" data-outage={state}>
      <header className="panel-head">
        <h2>Collector outage</h2>
        <span className="legend">
          the telemetry endpoints answer 503 with Retry-After: {view.retryAfterSeconds} s · the demo backend and this dashboard keep working
        </span>
      </header>
      <div className="outage-row">
        {view.active ? (
          <>
            <span className="outage-status" role="status">
              <b className="outage-countdown">{Math.ceil(view.remainingMs / 1000)} s</b> left · <Refused outage={view} />
            </span>
            <button onClick={() => set(0)} disabled={busy}>
              End now
            </button>
          </>
        ) : (
          <>
            <label>
              Duration{' '}
              <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} disabled={busy}>
                {OUTAGE_CHOICES.map((s) => (
                  <option key={s} value={s}>
                    {formatSeconds(s)}
                  </option>
                ))}
              </select>
            </label>
            <button className="primary" onClick={() => set(seconds)} disabled={busy}>
              Start outage
            </button>
            {state === 'ended' && (
              <span className="outage-status" role="status">
                <b>Ended</b> at {clock(view.ended)}, after {formatSeconds(lasted)} · <Refused outage={view} />
              </span>
            )}
          </>
        )}
      </div>
      {error && <p className="outage-error">Could not switch: {error}</p>}
      <p className="note">
        Each page retries a refused batch after the {view.retryAfterSeconds} s the collector asks for, and gives it up (a drop, &ldquo;retries
        exhausted&rdquo;) after its 10th attempt, about {9 * view.retryAfterSeconds} s in: an outage of a minute or more shows drops. A demo tab closed or
        reloaded meanwhile keeps what it held in localStorage, and the next page load sends it. The client reports its retries and
        drops in its metrics, which the outage refuses too: they show under Delivery health once it is over.
      </p>
    </section>
  );
}

function Rate({ rate }) {
  return (
    <section className="card panel">
      <header className="panel-head">
        <h2>Event rate</h2>
        <span className="legend">
          <i className="swatch metrics" /> metrics <i className="swatch logs" /> log entries · per second, last {rate.seconds / 60} minutes
        </span>
      </header>
      <RateChart points={rate.points} />
    </section>
  );
}

function VitalCard({ v }) {
  const thresholds = v.thresholds ? `good ≤ ${formatVital(v.thresholds[0], v.unit)} · poor > ${formatVital(v.thresholds[1], v.unit)}` : 'no published thresholds';
  return (
    <div className={'card vital ' + (v.count ? (v.rating ?? 'unrated') : 'none')} data-vital={v.short}>
      <div className="vital-head">
        <b>{v.short}</b>
        <span>{v.title}</span>
      </div>
      <div className="vital-row">
        <span className="vital-value" title={v.estimated ? '75th percentile, estimated from histogram buckets' : '75th percentile'}>
          {v.count ? (v.estimated ? '≈ ' : '') + formatVital(v.p75, v.unit) : '—'}
        </span>
        {v.count > 0 && v.rating && <span className={'rating ' + v.rating}>{RATING_TEXT[v.rating]}</span>}
      </div>
      <div className="vital-sub">
        {v.count ? (
          `p75 of ${v.count} ${v.count === 1 ? 'sample' : 'samples'}${v.estimated ? ', from buckets' : ''}`
        ) : (
          'no samples yet'
        )}
      </div>
      <RatingBar ratings={v.ratings} />
      <div className="vital-foot">{thresholds}</div>
    </div>
  );
}

function Vitals({ vitals }) {
  const any = vitals.some((v) => v.count);
  return (
    <section className="card panel">
      <header className="panel-head">
        <h2>Web Vitals</h2>
        <span className="legend">
          75th percentile, coloured by its rating · bar: <i className="swatch good" /> good <i className="swatch needs-improvement" /> needs
          improvement <i className="swatch poor" /> poor
        </span>
      </header>
      {!any && (
        <p className="empty-state" data-empty="vitals">
          No Web Vitals have arrived yet. Pages of the demo report them as they load and as people interact with them; some (CLS,
          INP) are final only when the page is hidden, so switch tabs or close the demo to send them.
        </p>
      )}
      <div className="vitals">
        {vitals.map((v) => (
          <VitalCard key={v.name} v={v} />
        ))}
      </div>
    </section>
  );
}

function Errors({ errors }) {
  return (
    <section className="card panel">
      <header className="panel-head">
        <h2>Errors by type</h2>
        <span className="legend">frontend_errors_total · {errors.errorLogs} error log entries</span>
      </header>
      {errors.byType.length ? (
        <>
          <BarList className="errors-chart" rows={errors.byType.map((e) => ({ label: e.type, value: e.count }))} />
          <p className="chips">
            {errors.byComponent.map((c) => (
              <span key={c.component} className="chip">
                {c.component} <b>× {c.count}</b>
              </span>
            ))}
          </p>
        </>
      ) : (
        <p className="empty-state">No errors reported. The demo's Error lab breaks things on purpose.</p>
      )}
    </section>
  );
}

const REASONS = {
  invalid: 'invalid value',
  event_too_large: 'event too large',
  buffer_full_events: 'buffer full (events)',
  buffer_full_bytes: 'buffer full (bytes)',
  rejected: 'refused by the collector',
  retries_exhausted: 'retries exhausted',
};

function Delivery({ client, totals, sources }) {
  return (
    <section className="card panel">
      <header className="panel-head">
        <h2>Delivery health</h2>
        <span className="legend">as the browser client reports it, and as the collector saw it</span>
      </header>
      <div className="health">
        <div data-health="dropped">
          <b className={client.droppedTotal ? 'bad' : 'ok'}>{client.droppedTotal}</b>
          <span>events dropped by the client</span>
        </div>
        <div data-health="retries">
          <b className={client.retriesTotal ? 'warn' : 'ok'}>{client.retriesTotal}</b>
          <span>requests retried</span>
        </div>
        <div data-health="duplicates">
          <b>{totals.duplicates}</b>
          <span>duplicate batches ignored</span>
        </div>
        <div data-health="rejected">
          <b className={totals.rejected ? 'bad' : 'ok'}>{totals.rejected}</b>
          <span>batches refused (400/413/415)</span>
        </div>
      </div>
      {sources && (
        <p className="sources" data-health="sources">
          <span className="chip">
            seed format, /api/* <b>× {sources.seed.requests}</b>
          </span>
          <span className="chip">
            OTLP, /v1/* <b>× {sources.otlp.requests}</b>
          </span>
        </p>
      )}
      {client.dropped.length + client.retries.length > 0 && (
        <table className="compact">
          <tbody>
            {client.dropped.map((d) => (
              <tr key={`${d.stream}/${d.reason}`}>
                <td className="tight">dropped</td>
                <td>{d.stream}</td>
                <td>{REASONS[d.reason] ?? d.reason}</td>
                <td className="num">{d.count}</td>
              </tr>
            ))}
            {client.retries.map((r) => (
              <tr key={r.stream}>
                <td className="tight">retried</td>
                <td>{r.stream}</td>
                <td />
                <td className="num">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A request's duration: ms below ten seconds, else seconds. */
const formatDuration = (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The answer's status, or what became of a request that got none. */
function RequestStatus({ r }) {
  if (r.status === null) return r.failed ? <span className="http-status bad">no answer</span> : <span className="http-status">—</span>;
  const tone = r.failed || r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : 'ok';
  return <span className={'http-status ' + tone}>{r.status}</span>;
}

function SlowestRequests({ rows, traces }) {
  return (
    <section className="card panel" data-panel="slowest">
      <header className="panel-head">
        <h2>Slowest requests</h2>
        <span className="legend">
          the browser's fetch and XHR calls (OTLP client spans), slowest first, of the last {traces?.window ?? 500} · server log: the
          demo backend logged a line with the same trace id
        </span>
      </header>
      {rows.length ? (
        <table className="compact slowest">
          <thead>
            <tr>
              <th className="num">Duration</th>
              <th>Status</th>
              <th>Request</th>
              <th>Trace id</th>
              <th>Server log</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.spanId ?? r.traceId} data-trace={r.traceId ?? ''}>
                <td className="num tight">{formatDuration(r.durationMs)}</td>
                <td className="tight">
                  <RequestStatus r={r} />
                </td>
                <td className="request">
                  <b>{r.name}</b> <span className="url">{r.url ?? ''}</span>
                </td>
                <td className="tight">
                  {/* Whole, so that a copy of it finds the server's log line; CSS shortens it. */}
                  <code className="trace-id" title={r.traceId}>
                    {String(r.traceId ?? '')}
                  </code>
                </td>
                <td className={'tight server-logged' + (r.serverLogged ? ' yes' : '')}>{r.serverLogged ? '✓ logged' : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="empty-state" data-empty="slowest">
          No requests traced yet. The package reports each fetch and XHR call of the demo as a span when it exports OTLP to /v1/traces.
        </p>
      )}
    </section>
  );
}

function RecentLogs({ logs }) {
  return (
    <section className="card panel">
      <header className="panel-head">
        <h2>Recent logs</h2>
        <span className="legend">newest first</span>
      </header>
      {logs.length ? (
        <table className="compact logs">
          <tbody>
            {logs.slice(0, 12).map((l, i) => (
              <tr key={`${l.timestamp}-${i}-${l.message}`}>
                <td className="time">{clock(l.timestamp)}</td>
                <td className="tight">
                  <span className={'level ' + (l.level ?? '')}>{l.level ?? '—'}</span>
                  {l.source === 'otlp' && <span className="chip">OTLP</span>}
                </td>
                <td className="component">{l.context?.component ?? ''}</td>
                <td>
                  {l.message}
                  {l.error && (
                    <div className="error">
                      {l.error.name}: {l.error.message}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="empty-state">No log entries yet.</p>
      )}
    </section>
  );
}

function Dashboard() {
  const { data, error, at } = useSummary();
  return (
    <>
      <TopBar title="live dashboard" links={[['/', '← Back to the demo'], ['/collector.html', 'Collector view'], ['/api/metrics', 'Prometheus metrics']]} error={error} at={at} live />
      <main className="wide dashboard">
        {data && (
          <>
            <Stats data={data} />
            <OutageSwitch outage={data.outage} />
            <Rate rate={data.rate} />
            <Vitals vitals={data.vitals} />
            <div className="columns">
              <Errors errors={data.errors} />
              <Delivery client={data.client} totals={data.totals} sources={data.sources} />
            </div>
            <SlowestRequests rows={data.slowestRequests ?? []} traces={data.traces} />
            <RecentLogs logs={data.recentLogs} />
          </>
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <Dashboard />
  </StrictMode>,
);
