/**
 * Shortens decoded metadata before it crosses to the UI: a snapshot's backupmeta lists every
 * data file and range, which for a big cluster is megabytes; the browser shows the head of each
 * list and says how much was left out.
 */

// Enough items to see a list's shape and its first entries in the browser.
/** Items kept of each array. */
export const DEFAULT_MAX_ARRAY_ITEMS = 50;
// Hex keys and TableInfo strings can be long; the head is what a person reads.
/** Characters kept of each string. */
export const DEFAULT_MAX_STRING_CHARS = 2000;
/** Nesting kept (deeper values are replaced by a note). */
export const DEFAULT_MAX_DEPTH = 12;

/** A value with long arrays, strings and deep nesting shortened; `truncated` says if anything was. */
export function boundJson(value: unknown): { value: unknown; truncated: boolean } {
  let truncated = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (v.length <= DEFAULT_MAX_STRING_CHARS) return v;
      truncated = true;
      return `${v.slice(0, DEFAULT_MAX_STRING_CHARS)}… (${v.length - DEFAULT_MAX_STRING_CHARS} more characters)`;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth >= DEFAULT_MAX_DEPTH) {
      truncated = true;
      return '… (nested too deep to show)';
    }
    if (Array.isArray(v)) {
      const head = v.slice(0, DEFAULT_MAX_ARRAY_ITEMS).map((x) => walk(x, depth + 1));
      if (v.length > DEFAULT_MAX_ARRAY_ITEMS) {
        truncated = true;
        head.push(`… ${v.length - DEFAULT_MAX_ARRAY_ITEMS} more items`);
      }
      return head;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return { value: walk(value, 0), truncated };
}
