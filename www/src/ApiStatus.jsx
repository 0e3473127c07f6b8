/** One line about the last API call: pending, or its status and duration. */
export function ApiStatus({ call, method, endpoint }) {
  if (!call) return null;
  const text = call.pending
    ? `${method} ${endpoint} …`
    : `${method} ${endpoint} → ${call.status || 'no answer'} in ${Math.round(call.duration)} ms`;
  return (
    <p className={'api ' + (call.pending ? 'pending' : call.ok ? 'ok' : 'failed')}>
      {text}
      {call.ok === false && (call.status === 0 ? ' (no answer: is the collector running?)' : ' (the demo backend fails now and then: try again)')}
    </p>
  );
}
