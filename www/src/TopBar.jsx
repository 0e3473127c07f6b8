// The header of the collector's own pages (collector view, dashboard): brand, links to the
// other pages, and whether the last poll of the collector worked.
export function TopBar({ title, links, error, at, live = false }) {
  const time = at ? at.toLocaleTimeString([], { hour12: false }) : null;
  return (
    <header className="topbar">
      <div className="brand">
        Recoloca<span>.ai</span> <small>{title}</small>
      </div>
      <nav>
        {links.map(([href, text]) => (
          <a key={href} href={href}>
            {text}
          </a>
        ))}
      </nav>
      <div className="send">
        {error ? (
          <span className="pill off">collector unreachable: {error}</span>
        ) : live ? (
          <span className="pill ready live" data-updated={at ? at.getTime() : ''}>
            {time ? 'live · updated ' + time : 'connecting…'}
          </span>
        ) : (
          <span className="pill ready">{time ? 'updated ' + time : 'connecting…'}</span>
        )}
      </div>
    </header>
  );
}
