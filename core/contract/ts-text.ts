/**
 * The text forms of a TSO that br accepts for its time flags, parsed once for every side: the
 * CLI and the host (core/tso's parseTs) and the renderer's restore-point picker, so that a
 * datetime copied from `br log status` gives the same TSO everywhere. Pure: no Node, no DOM.
 */

/** Bits of the logical counter, as in PD. */
const LOGICAL_BITS = 18;
const TSO_LIMIT = 1n << 64n;
// The largest physical ms a TSO can hold (46 bits).
const MAX_PHYSICAL_MS = 2 ** (64 - LOGICAL_BITS) - 1;

// `YYYY-MM-DD HH:MM:SS[.fraction][ ][zone]` and ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fff][zone]`.
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?: +|T)(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: *(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * What parsing gives: a TSO, or why not: `empty`, `unrecognized` (neither a TSO nor a
 * datetime), or `invalid` with the reason (an out-of-range TSO or field).
 */
export type TsTextResult =
  | { ok: true; ts: bigint }
  | { ok: false; kind: 'empty' }
  | { ok: false; kind: 'unrecognized' }
  | { ok: false; kind: 'invalid'; reason: string };

/** The UTC offset (minutes east) of this process's or browser's local zone at an instant. */
export function localOffsetMinutes(utcMs: number): number {
  return -new Date(utcMs).getTimezoneOffset();
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, month: number): number {
  if (month === 2) return isLeapYear(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC for a zone suffix, or the reason it is invalid. */
function zoneMinutes(zone: string): number | string {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = Number(digits.slice(2, 4));
  if (hh > 23 || mm > 59) return `time zone offset ${zone} is out of range`;
  return (zone.startsWith('-') ? -1 : 1) * (hh * 60 + mm);
}

/** Parses a datetime to Unix ms; undefined if it is not a datetime, a string if it is a bad one. */
function parseDatetime(s: string, localOffset: (utcMs: number) => number): number | string | undefined {
  const m = DATETIME_RE.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Checked field by field because Date silently rolls 2022-02-30 over to March 2nd.
  if (month < 1 || month > 12) return `month ${month} is out of range`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} does not exist in ${m[1]}-${m[2]}`;
  if (hour > 23) return `hour ${hour} is out of range`;
  if (minute > 59) return `minute ${minute} is out of range`;
  if (second > 59) return `second ${second} is out of range`;
  if (year < 1970) return 'a TSO cannot be before 1970';
  // A TSO has ms precision; finer fractions are truncated, as br does.
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  let ms: number;
  if (m[8] === undefined) {
    // No zone: the local zone, as br uses its process's zone; the offset is the one in force at
    // that wall time, found by one correction step across a DST change.
    const guess = wall - localOffset(wall) * 60_000;
    ms = wall - localOffset(guess) * 60_000;
  } else {
    const offset = zoneMinutes(m[8]);
    if (typeof offset === 'string') return offset;
    ms = wall - offset * 60_000;
  }
  if (ms <= 0) return 'a TSO must be after 1970-01-01 00:00:00 UTC';
  if (ms > MAX_PHYSICAL_MS) return 'too far in the future for a TSO';
  return ms;
}

/**
 * Parses a TSO integer or a datetime (`2022-05-15 18:00:00.123 +0800`, ISO 8601); a datetime
 * without a zone is in `localOffset`'s zone (the local one by default).
 */
export function parseTsText(input: string, localOffset: (utcMs: number) => number = localOffsetMinutes): TsTextResult {
  const s = input.trim();
  if (s === '') return { ok: false, kind: 'empty' };
  if (/^\d+$/.test(s)) {
    const ts = BigInt(s);
    if (ts === 0n) return { ok: false, kind: 'invalid', reason: 'a TSO must be greater than 0' };
    if (ts >= TSO_LIMIT) return { ok: false, kind: 'invalid', reason: 'a TSO must be below 2^64' };
    return { ok: true, ts };
  }
  const ms = parseDatetime(s, localOffset);
  if (ms === undefined) return { ok: false, kind: 'unrecognized' };
  if (typeof ms === 'string') return { ok: false, kind: 'invalid', reason: ms };
  return { ok: true, ts: BigInt(ms) << BigInt(LOGICAL_BITS) };
}
