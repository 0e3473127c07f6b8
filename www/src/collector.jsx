// The collector view: what the collector has received, polled every second. It does not load
// the telemetry package, so watching it adds nothing to what it shows.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TopBar } from './TopBar.jsx';
import { usePolled } from './usePolled.js';
import './style.css';

const SHOWN = 100; // rows per table, newest first

const useReceived = () => usePolled('/api/received');

function clock(time) {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return String(time);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function number(v) {
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v);
}

/** The newest `SHOWN` items, newest first, each with a key that stays put as more arrive. */
function newest(items, total) {
  const first = total - items.length;
  return items
    .map((item, i) => ({ item, key: first + i }))
    .slice(-SHOWN)
    .reverse();
}

function Totals({ totals }) {
  const cells = [
    ['Metrics', totals.metrics],
    ['Log entries', totals.logs],
    ['Requests', totals.requests],
    ['Duplicates dropped', totals.duplicates],
  ];
  return (
    <div className="totals">
      {cells.map(([label, n]) => (
        <div key={label} className="card total">
          <b>{n}</b>
          <span>{label}</span>
        </div>
      ))}
    </div>
  );
}

function NameCounts({ metrics }) {
  const counts = new Map();
  for (const m of metrics) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  if (!counts.size) return null;
  return (
    <p className="chips">
      {[...counts].map(([name, n]) => (
        <span key={name} className="chip">
          {name} <b>× {n}</b>
        </span>
      ))}
    </p>
  );
}

function MetricsTable({ metrics, total }) {
  if (!metrics.length) return <p className="empty">No metrics yet. Click around the demo, then press “Send now”.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Time</th>
          <th>Name</th>
          <th className="num">Value</th>
          <th>Labels</th>
        </tr>
      </thead>
      <tbody>
        {newest(metrics, total).map(({ item: m, key }) => (
          <tr key={key}>
            <td className="time">{clock(m.timestamp)}</td>
            <td className="name">{m.name}</td>
            <td className="num">{number(m.value)}</td>
            <td>
              {Object.entries(m.labels ?? {}).map(([k, v]) => (
                <span key={k} className="label">
                  {k}={String(v)}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LogsTable({ logs, total }) {
  if (!logs.length) return <p className="empty">No log entries yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Time</th>
          <th>Level</th>
          <th>Message</th>
          <th>Context</th>
        </tr>
      </thead>
      <tbody>
        {newest(logs, total).map(({ item: l, key }) => (
          <tr key={key}>
            <td className="time">{clock(l.timestamp)}</td>
            <td>
              <span className={'level ' + l.level}>{l.level}</span>
            </td>
            <td>
              {l.message}
              {l.error && (
                <div className="error">
                  {l.error.name}: {l.error.message}
                </div>
              )}
            </td>
            <td className="context">{l.context ? JSON.stringify(l.context) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CollectorView() {
  const { data, error, at } = useReceived();
  return (
    <>
      <TopBar title="collector view" links={[['/', '← Back to the demo'], ['/dashboard.html', 'Live dashboard'], ['/api/metrics', 'Prometheus metrics']]} error={error} at={at} />
      <main className="wide">
        {data && (
          <>
            <Totals totals={data.totals} />
            <section>
              <h2>Recent metrics</h2>
              <NameCounts metrics={data.metrics} />
              <MetricsTable metrics={data.metrics} total={data.totals.metrics} />
            </section>
            <section>
              <h2>Recent logs</h2>
              <LogsTable logs={data.logs} total={data.totals.logs} />
            </section>
          </>
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <CollectorView />
  </StrictMode>,
);
