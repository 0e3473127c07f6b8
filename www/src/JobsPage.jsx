import { useState } from 'react';
import { useLogger, useMetrics } from '@recoloca/telemetry/otlp/react';
import { matchJobs } from './data.js';
import { callApi, MATCHES_ENDPOINT } from './api.js';
import { ApiStatus } from './ApiStatus.jsx';
import { DEMO_USER } from './user.js';

export function JobsPage({ analysis, saved, onToggleSave }) {
  const metrics = useMetrics();
  const log = useLogger('JobsPage');
  const skills = analysis?.skills ?? [];
  const [jobs, setJobs] = useState(() => matchJobs(skills));
  const [call, setCall] = useState(null);
  const [applied, setApplied] = useState(() => new Set());

  async function refresh() {
    metrics.trackUserAction('refresh_matches', 'JobsPage', DEMO_USER);
    setCall({ pending: true });
    const res = await callApi('GET', '/jobs/matches', () => matchJobs(skills));
    setCall(res);
    if (res.ok) {
      setJobs(res.body);
      log.info('Job matches refreshed', { count: res.body.length, durationMs: res.duration });
    } else {
      log.warn('Job matches unavailable', { status: res.status, durationMs: res.duration });
    }
  }

  function toggleSave(job) {
    const wasSaved = saved.has(job.id);
    metrics.trackUserAction(wasSaved ? 'unsave_job' : 'save_job', 'JobsPage', DEMO_USER);
    log.info(wasSaved ? 'Job removed from saved' : 'Job saved', { jobId: job.id, company: job.company });
    onToggleSave(job.id);
  }

  function apply(job) {
    metrics.trackUserAction('apply_job', 'JobsPage', DEMO_USER);
    log.info('Application started', { jobId: job.id, company: job.company, match: job.match });
    setApplied((prev) => new Set(prev).add(job.id));
  }

  return (
    <section className="page">
      <h1>Jobs</h1>
      <p className="lead">
        {analysis ? 'Openings ranked by how well they match your CV.' : 'Analyze a CV to see how well you match each opening.'}
      </p>
      <div className="actions">
        <button type="button" onClick={refresh} disabled={call?.pending}>
          Refresh matches
        </button>
        <span className="note">{saved.size} saved</span>
      </div>
      <ApiStatus call={call} method="GET" endpoint={MATCHES_ENDPOINT} />
      <ul className="jobs">
        {jobs.map((job) => (
          <li key={job.id} className="card job">
            <div>
              <strong>{job.title}</strong>
              <span>
                {job.company} · {job.location}
              </span>
              <small>{job.skills.join(' · ')}</small>
            </div>
            {job.match !== null && <b className="match">{job.match}%</b>}
            <div className="job-actions">
              <button type="button" onClick={() => toggleSave(job)} aria-pressed={saved.has(job.id)}>
                {saved.has(job.id) ? 'Saved' : 'Save'}
              </button>
              <button type="button" className="primary" onClick={() => apply(job)} disabled={applied.has(job.id)}>
                {applied.has(job.id) ? 'Applied' : 'Apply'}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
