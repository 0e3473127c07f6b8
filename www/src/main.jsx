import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { configure } from '@recoloca/telemetry';
import { App } from './App.jsx';
import { startRouter } from './router.js';
import { signIn } from './user.js';
import './style.css';

// Shorter periods than the defaults (30 s / 10 s) so the collector view fills in while you
// click around; "Send now" still sends at once.
configure({ flushIntervalMs: 5000, logFlushIntervalMs: 5000 });
signIn();
startRouter();

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
