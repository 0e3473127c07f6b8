import { useState } from 'react';
import { TelemetryErrorBoundary, useMetrics } from '@recoloca/telemetry/otlp/react';
import { DEMO_USER } from './user.js';

// Three ways a page breaks, each left to the telemetry package to notice: nothing here catches
// the first two, and the third is caught by the package's error boundary. They show up on the
// dashboard as frontend_errors_total {component: global | promise | CoverLetterPreview}.

/** A CV preview fed a document whose pages never loaded: a real TypeError. */
function pageCount(doc) {
  return doc.pages.length;
}

class SyncError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'SyncError';
  }
}

/** A LinkedIn sync whose token expired; its caller forgets to handle the rejection. */
async function syncLinkedIn() {
  await new Promise((resolve) => setTimeout(resolve, 50));
  throw new SyncError('LinkedIn sync failed: access token expired', { cause: new Error('HTTP 401 from the profile API') });
}

const BROKEN_LETTER = { to: 'Nordlicht Energy', indent: -4, paragraphs: ['Dear hiring team,'] };

/** Lays out a cover letter; a negative indent makes String.repeat throw a RangeError while
 *  rendering, which only an error boundary can catch. */
function CoverLetterPreview({ letter }) {
  const pad = ' '.repeat(letter.indent);
  return (
    <pre className="letter">
      {letter.paragraphs.map((p) => pad + p).join('\n\n')}
    </pre>
  );
}

export function ErrorLabPage() {
  const metrics = useMetrics();
  const [last, setLast] = useState(null);
  const [showLetter, setShowLetter] = useState(false);

  function previewCv() {
    metrics.trackUserAction('preview_cv', 'ErrorLabPage', DEMO_USER);
    setLast('An uncaught TypeError was thrown from a click handler.');
    pageCount({ name: 'maria-garcia_backend.pdf' }); // throws, and nothing here catches it
  }

  function syncProfile() {
    metrics.trackUserAction('sync_linkedin', 'ErrorLabPage', DEMO_USER);
    setLast('A promise was rejected with a SyncError and nobody handled it.');
    syncLinkedIn(); // not awaited, no .catch: an unhandled rejection
  }

  function renderLetter() {
    metrics.trackUserAction('render_cover_letter', 'ErrorLabPage', DEMO_USER);
    setLast('The cover letter threw a RangeError while rendering; the boundary shows a fallback.');
    setShowLetter(true);
  }

  return (
    <section className="page">
      <h1>Error lab</h1>
      <p className="lead">
        Each button breaks the page on purpose, the way real code does. Nothing here reports the errors by hand: the
        telemetry package captures uncaught errors and unhandled rejections itself, and its error boundary catches the
        render error. Watch them arrive on the <a href="/dashboard.html">dashboard</a>.
      </p>
      <div className="lab">
        <div className="card lab-item">
          <h2>Uncaught error</h2>
          <p>Opens a preview of a CV whose pages never loaded, and throws a TypeError from the click handler.</p>
          <button type="button" onClick={previewCv}>
            Preview CV (throws)
          </button>
        </div>
        <div className="card lab-item">
          <h2>Unhandled rejection</h2>
          <p>Starts a LinkedIn sync that fails, and forgets to handle the rejected promise.</p>
          <button type="button" onClick={syncProfile}>
            Sync LinkedIn (rejects)
          </button>
        </div>
        <div className="card lab-item">
          <h2>Render error</h2>
          <p>Renders a cover letter with a layout the component cannot handle, inside an error boundary.</p>
          <button type="button" onClick={renderLetter} disabled={showLetter}>
            Render cover letter (breaks)
          </button>
        </div>
      </div>
      {last && (
        <p className="note" role="status">
          {last}
        </p>
      )}
      {showLetter && (
        <TelemetryErrorBoundary
          name="CoverLetterPreview"
          fallback={(error, reset) => (
            <div className="card fallback" role="alert">
              <strong>The cover letter could not be shown.</strong>
              <span>
                {error?.name}: {error?.message}
              </span>
              <button
                type="button"
                onClick={() => {
                  setShowLetter(false);
                  reset();
                }}
              >
                Dismiss
              </button>
            </div>
          )}
        >
          <CoverLetterPreview letter={BROKEN_LETTER} />
        </TelemetryErrorBoundary>
      )}
    </section>
  );
}
