// The values of one Web Vital (or of the API call durations) for the dashboard: how many, their
// 75th percentile, and how many were good, needed improvement or were poor.
//
// The seed's format brings single values: they are kept (the newest MAX_SAMPLES, in a ring that
// the next value overwrites, so memory and the cost of a value stay flat however many came) and
// the p75 is a value some sample really had (nearest rank), over those. An OTLP histogram point
// brings only bucket counts, min and max: the values themselves are gone in the client, so from
// the first such point on the p75 is *estimated* from the buckets, as Prometheus'
// histogram_quantile does (linear within the bucket the rank falls in), clamped to the smallest
// and largest value seen, and flagged `estimated`. Single values that came before or come after
// are put in the same buckets. Inventing samples from min and max would look exact and be less
// honest.
//
// The ratings stay exact either way: every threshold of a vital (summary.mjs, VITALS) is one of
// the bucket bounds, so each bucket lies wholly in one rating, and so does an estimate, which
// never leaves the bucket the rank falls in.

const MAX_SAMPLES = 10000;
export const RATINGS = ['good', 'needs-improvement', 'poor'];

/** The rating of `value` by a vital's thresholds (good up to the first, poor above the
 *  second), or null for a timing without published thresholds. */
export function byThresholds(vital, value) {
  if (!vital || vital.good === undefined) return null;
  return value <= vital.good ? 'good' : value <= vital.poor ? 'needs-improvement' : 'poor';
}

/** Nearest-rank p75: a value some sample really had, so that, for a timing without
 *  thresholds, that sample's own rating label applies to it. */
function p75Sample(samples) {
  if (!samples.length) return null;
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  return sorted[Math.ceil(sorted.length * 0.75) - 1];
}

export class Distribution {
  /**
   * @param {number[]} bounds the bucket bounds OTLP points must have to be taken, in the
   *   vital's unit (ms, or none for CLS)
   * @param {object} [vital] its thresholds ({good, poor}), if it has any
   */
  constructor(bounds, vital) {
    this.bounds = bounds;
    this.vital = vital;
    this.samples = []; // at most MAX_SAMPLES; once full, `next` is the oldest, overwritten next
    this.next = 0;
    this.buckets = null; // per-bucket counts (bounds.length + 1) once an OTLP point came
    this.ratings = null; // rating -> count, kept with the buckets
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** A single value, with the rating the client gave it (if any). */
  addSample(value, rating) {
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ value, rating });
    else {
      this.samples[this.next] = { value, rating };
      this.next = (this.next + 1) % MAX_SAMPLES;
    }
    if (this.buckets) this.bucket(value, rating);
  }

  bucket(value, rating) {
    let i = this.bounds.findIndex((b) => value <= b);
    if (i < 0) i = this.bounds.length;
    this.buckets[i]++;
    if (rating) this.ratings[rating]++;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  /**
   * An OTLP histogram point ({bucketCounts, explicitBounds, min?, max?}); `rating` when the
   * point's attributes name one for all its values. False (and nothing taken) when its bounds
   * are not this distribution's: buckets cannot be split.
   */
  addHistogram(point, rating) {
    const { explicitBounds: bounds, bucketCounts: counts } = point;
    if (bounds.length !== this.bounds.length || bounds.some((b, i) => b !== this.bounds[i])) return false;
    if (!this.buckets) {
      this.buckets = new Array(this.bounds.length + 1).fill(0);
      this.ratings = Object.fromEntries(RATINGS.map((r) => [r, 0]));
      for (const s of this.samples) this.bucket(s.value, s.rating);
    }
    counts.forEach((n, i) => {
      this.buckets[i] += n;
      const r = rating ?? byThresholds(this.vital, i < bounds.length ? bounds[i] : Infinity);
      if (r) this.ratings[r] += n;
    });
    // A point without min or max leaves that side unknown: no clamping there.
    this.min = Math.min(this.min, point.min ?? -Infinity);
    this.max = Math.max(this.max, point.max ?? Infinity);
    return true;
  }

  /** {count, p75, p75Rating, ratings, estimated}; p75Rating is the p75 sample's own label when
   *  exact (thresholds, where there are any, are applied by the caller). */
  view() {
    if (!this.buckets) {
      const p75 = p75Sample(this.samples);
      return {
        count: this.samples.length,
        p75: p75?.value ?? null,
        p75Rating: p75?.rating ?? null,
        ratings: Object.fromEntries(RATINGS.map((r) => [r, this.samples.filter((s) => s.rating === r).length])),
        estimated: false,
      };
    }
    const count = this.buckets.reduce((a, b) => a + b, 0);
    return { count, p75: count ? this.estimate(0.75, count) : null, p75Rating: null, ratings: { ...this.ratings }, estimated: true };
  }

  estimate(q, count) {
    const rank = q * count;
    let below = 0;
    let i = 0;
    while (below + this.buckets[i] < rank) below += this.buckets[i++];
    // The first bucket starts at 0 (timings and CLS are not negative); the last one, open
    // above, ends at the largest value seen, or at its lower bound when that is unknown.
    const lower = i === 0 ? Math.min(0, this.bounds[0]) : this.bounds[i - 1];
    const upper = i < this.bounds.length ? this.bounds[i] : Number.isFinite(this.max) ? this.max : lower;
    const value = lower + ((upper - lower) * (rank - below)) / this.buckets[i];
    return Math.min(Math.max(value, this.min), this.max);
  }
}
