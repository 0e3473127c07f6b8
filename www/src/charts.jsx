// Charts for the dashboard, drawn as SVG by hand: a stacked bar chart over time, a list of
// horizontal bars and a proportion bar. Text is drawn at the measured width of its box, never
// stretched by a viewBox.
import { useEffect, useRef, useState } from 'react';

/** A ref for a box and its current width in pixels. */
export function useWidth(initial = 640) {
  const ref = useRef(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Gridlines for counts from 0 to at least `max`: a whole step of 1, 2 or 5 times a power of
 *  ten, about four of them. */
export function countTicks(max) {
  const raw = Math.max(1, max) / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return { top, ticks };
}

const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });

const AGE_LABELS = [
  [120, '2 min ago', 'start'],
  [90, '90 s', 'middle'],
  [60, '1 min', 'middle'],
  [30, '30 s', 'middle'],
  [0, 'now', 'end'],
];

/**
 * Events per second, metrics and logs stacked, oldest left. `points` are
 * {t, metrics, logs}, one per second.
 */
export function RateChart({ points, height = 190 }) {
  const [ref, width] = useWidth();
  const m = { left: 34, right: 6, top: 8, bottom: 22 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const max = points.reduce((a, p) => Math.max(a, p.metrics + p.logs), 0);
  const { top, ticks } = countTicks(max);
  const slot = plotW / Math.max(1, points.length);
  const gap = slot > 5 ? 1.5 : slot > 2 ? 0.5 : 0;
  const y = (v) => m.top + plotH - (v / top) * plotH;
  const total = points.reduce((a, p) => a + p.metrics + p.logs, 0);
  return (
    <div ref={ref} className="chart">
      <svg width={width} height={height} role="img" aria-label={`Events per second over the last ${points.length} seconds: ${total} in all`}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={m.left} x2={width - m.right} y1={y(v)} y2={y(v)} className={v === 0 ? 'axis' : 'grid'} />
            <text x={m.left - 6} y={y(v)} dy="0.32em" textAnchor="end" className="tick">
              {v}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          if (!p.metrics && !p.logs) return null;
          const x = m.left + i * slot + gap / 2;
          const w = Math.max(1, slot - gap);
          return (
            <g key={p.t}>
              <title>{`${clock(p.t)}: ${p.metrics} metrics, ${p.logs} log entries`}</title>
              {p.metrics > 0 && <rect x={x} width={w} y={y(p.metrics)} height={y(0) - y(p.metrics)} className="bar metrics" />}
              {p.logs > 0 && <rect x={x} width={w} y={y(p.metrics + p.logs)} height={y(p.metrics) - y(p.metrics + p.logs)} className="bar logs" />}
            </g>
          );
        })}
        {points.length >= 120 &&
          AGE_LABELS.map(([age, label, anchor]) => (
            <text key={age} x={m.left + plotW - (age / points.length) * plotW} y={height - 5} textAnchor={anchor} className="tick">
              {label}
            </text>
          ))}
      </svg>
    </div>
  );
}

/** Horizontal bars, one per row ({label, value, title?}), longest first as given. */
export function BarList({ rows, className = '', format = String }) {
  const [ref, width] = useWidth(400);
  const rowH = 28;
  const labelW = Math.min(170, Math.round(width * 0.38));
  const valueW = 48;
  const barMax = width - labelW - valueW - 12;
  const max = rows.reduce((a, r) => Math.max(a, r.value), 0) || 1;
  return (
    <div ref={ref} className={'chart ' + className}>
      <svg width={width} height={rows.length * rowH} role="img" aria-label={rows.map((r) => `${r.label}: ${format(r.value)}`).join(', ')}>
        {rows.map((r, i) => {
          const w = Math.max(2, (r.value / max) * barMax);
          const cy = i * rowH + rowH / 2;
          return (
            <g key={r.label}>
              <title>{r.title ?? `${r.label}: ${format(r.value)}`}</title>
              <text x={labelW - 8} y={cy} dy="0.32em" textAnchor="end" className="row-label">
                {r.label.length > 24 ? r.label.slice(0, 23) + '…' : r.label}
              </text>
              <rect x={labelW} y={cy - 8} width={w} height={16} rx={3} className="bar" />
              <text x={labelW + w + 6} y={cy} dy="0.32em" className="row-value">
                {format(r.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const RATING_ORDER = ['good', 'needs-improvement', 'poor'];

/** The share of good / needs-improvement / poor samples as one bar (no text in it, so it
 *  may stretch). */
export function RatingBar({ ratings }) {
  const total = RATING_ORDER.reduce((a, r) => a + (ratings[r] ?? 0), 0);
  if (!total) return <div className="rating-bar empty" />;
  let x = 0;
  return (
    <svg className="rating-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={RATING_ORDER.map((r) => `${ratings[r] ?? 0} ${r}`).join(', ')}>
      {RATING_ORDER.map((r) => {
        const w = ((ratings[r] ?? 0) / total) * 100;
        const rect = w > 0 ? <rect key={r} x={x} width={w} y={0} height={6} className={'seg ' + r} /> : null;
        x += w;
        return rect;
      })}
    </svg>
  );
}
