// Containers whose size has a ceiling, for what the collector keeps in memory: a demo collector
// left running for days must not grow with the number of events it has seen. Each keeps the
// newest entries and lets the oldest go; the sizes, and what is lost past them, are set and
// explained where they are used (collector.mjs, summary.mjs, distribution.mjs).

/** Appends `items` to `list` (an array), then drops its oldest entries beyond `max`. */
export function keepNewest(list, items, max) {
  for (const item of items) list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** A Map of at most `max` keys: setting a key makes it the newest, and a key past `max` pushes
 *  out the one set longest ago. */
export class BoundedMap extends Map {
  constructor(max) {
    super();
    this.max = max;
  }

  set(key, value) {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value);
    return this;
  }
}

/** A Set of at most `max` values: adding one past `max` pushes out the one added first. */
export class BoundedSet extends Set {
  constructor(max) {
    super();
    this.max = max;
  }

  add(value) {
    super.add(value);
    if (this.size > this.max) this.delete(this.values().next().value);
    return this;
  }
}
