import { useState } from 'react';
import { useLogger, useMetrics } from '@recoloca/telemetry/otlp/react';
import { SAMPLE_CVS } from './data.js';
import { ANALYZE_ENDPOINT, requestAnalysis } from './api.js';
import { ApiStatus } from './ApiStatus.jsx';
import { DEMO_USER } from './user.js';

export function UploadPage({ cv, onUploaded, onAnalysed }) {
  const metrics = useMetrics();
  const log = useLogger('UploadPage');
  const [choice, setChoice] = useState(cv?.id ?? SAMPLE_CVS[0].id);
  const [call, setCall] = useState(null);
  const selected = SAMPLE_CVS.find((c) => c.id === choice);

  function pick(id) {
    setChoice(id);
    metrics.trackUserAction('select_sample', 'UploadPage', DEMO_USER);
  }

  function upload() {
    metrics.trackUserAction('upload_cv', 'UploadPage', DEMO_USER);
    metrics.recordMetric('cv_uploads_total', 1, { format: selected.format });
    log.info('CV uploaded', { cvId: selected.id, format: selected.format, sizeKb: selected.sizeKb });
    if (selected.sizeKb > 1024) log.warn('CV file is large', { cvId: selected.id, sizeKb: selected.sizeKb });
    onUploaded(selected);
    setCall(null);
  }

  async function analyseCv() {
    metrics.trackUserAction('analyze_cv', 'UploadPage', DEMO_USER);
    setCall({ pending: true });
    const res = await requestAnalysis(log, cv);
    setCall(res);
    if (res.ok) onAnalysed(res.body);
  }

  return (
    <section className="page">
      <h1>Upload your CV</h1>
      <p className="lead">Pick one of the sample CVs: this demo uploads no file, it only records what you do.</p>
      <fieldset className="cards">
        <legend>Sample CVs</legend>
        {SAMPLE_CVS.map((c) => (
          <label key={c.id} className={'card choice' + (c.id === choice ? ' chosen' : '')}>
            <input type="radio" name="cv" value={c.id} checked={c.id === choice} onChange={() => pick(c.id)} />
            <strong>{c.name}</strong>
            <span>{c.headline}</span>
            <small>
              {c.file} · {c.format.toUpperCase()} · {c.sizeKb} KB
            </small>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="button" className="primary" onClick={upload}>
          Upload
        </button>
        <button type="button" onClick={analyseCv} disabled={!cv || call?.pending}>
          Analyze CV
        </button>
        {cv && (
          <span className="note">
            Uploaded: <strong>{cv.file}</strong>
          </span>
        )}
      </div>
      <ApiStatus call={call} method="POST" endpoint={ANALYZE_ENDPOINT} />
      {call?.ok && (
        <p>
          <a href="#/analysis">See the analysis →</a>
        </p>
      )}
    </section>
  );
}
