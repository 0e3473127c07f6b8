// Polls a JSON endpoint of the collector once a second, for the collector view and the
// dashboard. Chained timeouts rather than setInterval, so a slow answer never stacks requests.
import { useEffect, useState } from 'react';

export function usePolled(url, everyMs = 1000) {
  const [state, setState] = useState({ data: null, error: null, at: null });
  useEffect(() => {
    let stopped = false;
    let timer;
    async function poll() {
      try {
        const res = await fetch(url, { cache: 'no-store' });
        if (!res.ok) throw new Error('HTTP ' + res.status);
        const data = await res.json();
        if (!stopped) setState({ data, error: null, at: new Date() });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: String(err?.message ?? err) }));
      }
      if (!stopped) timer = setTimeout(poll, everyMs);
    }
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, everyMs]);
  return state;
}
