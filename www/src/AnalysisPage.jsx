import { useState } from 'react';
import { useLogger, useMetrics } from '@recoloca/telemetry/otlp/react';
import { ANALYZE_ENDPOINT, requestAnalysis } from './api.js';
import { ApiStatus } from './ApiStatus.jsx';
import { DEMO_USER } from './user.js';

// A chart drawn from data that never arrived: the demo's way to produce a real TypeError.
function drawScoreHistory(history) {
  return history.points.map((p) => p.score);
}

export function AnalysisPage({ cv, analysis, onAnalysed }) {
  const metrics = useMetrics();
  const log = useLogger('AnalysisPage');
  const [call, setCall] = useState(null);
  const [exported, setExported] = useState(false);

  if (!cv || !analysis) {
    return (
      <section className="page">
        <h1>Analysis</h1>
        <p className="empty">
          No analysis yet. <a href="#/upload">Upload a CV</a> and press <em>Analyze CV</em> first.
        </p>
      </section>
    );
  }

  async function rerun() {
    metrics.trackUserAction('rerun_analysis', 'AnalysisPage', DEMO_USER);
    setCall({ pending: true });
    const res = await requestAnalysis(log, cv);
    setCall(res);
    if (res.ok) onAnalysed(res.body);
  }

  function exportReport() {
    metrics.trackUserAction('export_report', 'AnalysisPage', DEMO_USER);
    log.info('Analysis report exported', { cvId: cv.id, score: analysis.score, format: 'pdf' });
    setExported(true);
  }

  function breakChart() {
    metrics.trackUserAction('show_history', 'AnalysisPage', DEMO_USER);
    try {
      drawScoreHistory(null);
    } catch (err) {
      // Caught and reported, as an error boundary would: the page stays usable.
      metrics.trackError(err, 'AnalysisPage', DEMO_USER);
      log.error('Score history chart failed', err, { cvId: cv.id });
    }
  }

  const level = analysis.score >= 80 ? 'good' : analysis.score >= 65 ? 'fair' : 'weak';
  return (
    <section className="page">
      <h1>Analysis</h1>
      <p className="lead">
        {cv.name} · {cv.file}
      </p>
      <div className="score-row">
        <div className={'score ' + level}>
          <b>{analysis.score}</b>
          <span>/ 100</span>
        </div>
        <div className="lists">
          <h2>Strengths</h2>
          <ul>
            {analysis.strengths.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
          <h2>To improve</h2>
          <ul>
            {analysis.improvements.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={exportReport}>
          Export report
        </button>
        <button type="button" onClick={rerun} disabled={call?.pending}>
          Re-run analysis
        </button>
        <button type="button" className="quiet" onClick={breakChart}>
          Show score history (throws)
        </button>
        {exported && <span className="note">Report exported (pretend PDF).</span>}
      </div>
      <ApiStatus call={call} method="POST" endpoint={ANALYZE_ENDPOINT} />
    </section>
  );
}
