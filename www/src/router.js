// A hash router: four pages, back/forward and reload work on any static server, and every
// navigation (including the first load) is one page view. It lives outside React so that a
// page view is counted once per navigation, not once per effect run.
import { useSyncExternalStore } from 'react';
import { metricsCollector } from '@recoloca/telemetry/otlp';
import { DEMO_USER } from './user.js';

export const PAGES = [
  { path: '/upload', title: 'Upload CV' },
  { path: '/analysis', title: 'Analysis' },
  { path: '/jobs', title: 'Jobs' },
  { path: '/errors', title: 'Error lab' },
];

function fromHash() {
  const path = location.hash.replace(/^#/, '');
  return PAGES.some((p) => p.path === path) ? path : null;
}

let route = '/upload';
const listeners = new Set();

function arrive() {
  const path = fromHash();
  if (path === null) {
    // Unknown or empty hash: show the first page under its own address.
    history.replaceState(null, '', '#' + PAGES[0].path);
  }
  route = path ?? PAGES[0].path;
  metricsCollector.trackPageView(route, DEMO_USER);
  listeners.forEach((l) => l());
}

export function startRouter() {
  window.addEventListener('hashchange', arrive);
  arrive();
}

function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRoute() {
  return useSyncExternalStore(subscribe, () => route);
}
