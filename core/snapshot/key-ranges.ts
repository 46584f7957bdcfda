/**
 * The key ranges a backup still has to cover, as br tracks its incomplete ranges: the whole key
 * space at first; each region a store backs up is cut out; what is left after a round (regions
 * that moved, split or had locks) is retried with a fresh route.
 */

/** A half-open key range; an empty end is +infinity. */
export interface KeySpan {
  start: Buffer;
  end: Buffer;
}

/** a < b for end keys, where empty is +infinity. */
function endBefore(a: Buffer, b: Buffer): boolean {
  if (a.length === 0) return false;
  if (b.length === 0) return true;
  return Buffer.compare(a, b) < 0;
}

/** True when the span holds no key. */
function isEmpty(s: KeySpan): boolean {
  return s.end.length > 0 && Buffer.compare(s.start, s.end) >= 0;
}

/** The intersection of two spans, or null when they do not overlap. */
export function intersect(a: KeySpan, b: KeySpan): KeySpan | null {
  const start = Buffer.compare(a.start, b.start) >= 0 ? a.start : b.start;
  const end = endBefore(a.end, b.end) ? a.end : b.end;
  const s = { start, end };
  return isEmpty(s) ? null : s;
}

/** A set of disjoint key spans, sorted by start key. */
export class KeySpanSet {
  private spans: KeySpan[];

  /** The whole key space. */
  constructor(spans: KeySpan[] = [{ start: Buffer.alloc(0), end: Buffer.alloc(0) }]) {
    this.spans = spans.filter((s) => !isEmpty(s));
  }

  /** The spans, in key order. */
  all(): readonly KeySpan[] {
    return this.spans;
  }

  /** True when nothing is left. */
  get empty(): boolean {
    return this.spans.length === 0;
  }

  /** Removes [cut.start, cut.end) from the set. */
  subtract(cut: KeySpan): void {
    const out: KeySpan[] = [];
    for (const s of this.spans) {
      if (intersect(s, cut) === null) {
        out.push(s);
        continue;
      }
      // The part before the cut, and the part after it.
      if (Buffer.compare(s.start, cut.start) < 0) out.push({ start: s.start, end: cut.start });
      if (cut.end.length > 0 && endBefore(cut.end, s.end)) out.push({ start: cut.end, end: s.end });
    }
    this.spans = out.filter((s) => !isEmpty(s));
  }
}
