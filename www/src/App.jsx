import { useCallback, useEffect, useState } from 'react';
import { flush, ready } from '@recoloca/telemetry/otlp';
import { PAGES, useRoute } from './router.js';
import { UploadPage } from './UploadPage.jsx';
import { AnalysisPage } from './AnalysisPage.jsx';
import { JobsPage } from './JobsPage.jsx';
import { ErrorLabPage } from './ErrorLabPage.jsx';

export function App() {
  const route = useRoute();
  const [cv, setCv] = useState(null);
  const [analysis, setAnalysis] = useState(null);
  const [saved, setSaved] = useState(() => new Set());

  const uploaded = useCallback((next) => {
    setCv(next);
    setAnalysis(null); // an analysis belongs to the CV it was made for
  }, []);
  const toggleSaved = useCallback((jobId) => {
    setSaved((prev) => {
      const next = new Set(prev);
      if (!next.delete(jobId)) next.add(jobId);
      return next;
    });
  }, []);

  return (
    <>
      <header className="topbar">
        <div className="brand">
          Recoloca<span>.ai</span>
        </div>
        <nav>
          {PAGES.map((p) => (
            <a key={p.path} href={'#' + p.path} aria-current={p.path === route ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
          <a className="external" href="/dashboard.html" target="_blank" rel="noreferrer">
            Dashboard ↗
          </a>
          <a href="/collector.html" target="_blank" rel="noreferrer">
            Collector view ↗
          </a>
        </nav>
        <SendNow />
      </header>
      <main>
        {route === '/upload' && <UploadPage cv={cv} onUploaded={uploaded} onAnalysed={setAnalysis} />}
        {route === '/analysis' && <AnalysisPage cv={cv} analysis={analysis} onAnalysed={setAnalysis} />}
        {route === '/jobs' && <JobsPage analysis={analysis} saved={saved} onToggleSave={toggleSaved} />}
        {route === '/errors' && <ErrorLabPage />}
      </main>
      <footer>
        Every click here is recorded by <code>@recoloca/telemetry</code> and batched to the collector; open the
        dashboard or the collector view to watch it arrive.
      </footer>
    </>
  );
}

function SendNow() {
  const [loaded, setLoaded] = useState(null);
  const [sent, setSent] = useState('');
  const [sending, setSending] = useState(false);

  useEffect(() => {
    let live = true;
    ready.then((ok) => live && setLoaded(ok));
    return () => {
      live = false;
    };
  }, []);

  async function send() {
    setSending(true);
    await flush(); // never rejects; failed batches stay queued for retry
    setSending(false);
    setSent('Sent at ' + new Date().toLocaleTimeString([], { hour12: false }));
  }

  const status = loaded === null ? 'loading' : loaded ? 'ready' : 'off';
  return (
    <div className="send">
      <span className={'pill ' + status} title="State of the WebAssembly telemetry module">
        telemetry {status}
      </span>
      <button type="button" onClick={send} disabled={sending}>
        {sending ? 'Sending…' : 'Send now'}
      </button>
      <span className="sent" role="status">
        {sent}
      </span>
    </div>
  );
}
