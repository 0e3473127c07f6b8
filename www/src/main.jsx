import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { configure } from '@recoloca/telemetry/otlp';
import { App } from './App.jsx';
import { startRouter } from './router.js';
import { signIn } from './user.js';
import './style.css';

configure({
  // Shorter periods than the defaults (30 s / 10 s) so the collector view fills in while you
  // click around; "Send now" still sends at once.
  flushIntervalMs: 5000,
  logFlushIntervalMs: 5000,
  // The app's calls to its backend are measured by the package (api_calls_total and
  // api_call_duration_ms, as trackApiCall would record them) and traced: each carries a
  // traceparent the backend writes into its log, and its span goes to the collector's OTLP
  // /v1/traces, where the dashboard's "Slowest requests" joins the two. Metrics and logs
  // keep the seed's format only (not also as OTLP, which the dashboard would count twice).
  instrumentRequests: true,
  otlpEndpoint: location.origin,
  otlpMetricsEndpoint: null,
  otlpLogsEndpoint: null,
});
signIn();
startRouter();

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
