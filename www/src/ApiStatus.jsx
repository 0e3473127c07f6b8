/** One line about the last simulated API call: pending, or its status and duration. */
export function ApiStatus({ call, method, endpoint }) {
  if (!call) return null;
  const text = call.pending
    ? `${method} ${endpoint} …`
    : `${method} ${endpoint} → ${call.status} in ${Math.round(call.duration)} ms`;
  return (
    <p className={'api ' + (call.pending ? 'pending' : call.ok ? 'ok' : 'failed')}>
      {text}
      {call.ok === false && ' (simulated failure, try again)'}
    </p>
  );
}
