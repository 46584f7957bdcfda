/**
 * TSO codec for the renderer, which may not import core/tso (renderer → core/contract only).
 * A TSO is `(physical ms << 18) | logical`; the accepted text forms are those br accepts for its
 * time flags (and core/tso's parseTs): a TSO integer, `YYYY-MM-DD HH:MM:SS[.fff][ ][zone]` or
 * ISO 8601, so that what a DBA copies from `br log status` works in the picker too.
 */

/** Bits of the logical counter, as in PD. */
export const LOGICAL_BITS = 18n;

const TSO_LIMIT = 1n << 64n;
// The largest physical ms a TSO can hold (46 bits).
const MAX_PHYSICAL_MS = 2 ** 46 - 1;

const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?: +|T)(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: *(Z|[+-]\d{2}:?\d{2}))?$/;

/** What parsing typed text gives: a TSO, or the reason it is not one (shown to the user). */
export type ParsedTs = { ok: true; ts: bigint } | { ok: false; reason: string };

/** Shown with every parse error so the user learns the accepted forms. */
export const ACCEPTED_TS_FORMS = "a TSO such as 434604259287760897 or a datetime such as '2026-11-24 14:06:00 +0800'";

/** The physical Unix ms of a TSO. */
export function msOfTs(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}

/** The logical counter of a TSO. */
export function logicalOfTs(ts: bigint): number {
  return Number(ts & ((1n << LOGICAL_BITS) - 1n));
}

/** The TSO of a Unix ms (logical 0); fractions of a ms are dropped. */
export function tsOfMs(ms: number): bigint {
  return BigInt(Math.max(0, Math.floor(ms))) << LOGICAL_BITS;
}

function daysInMonth(y: number, month: number): number {
  if (month === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC for a zone suffix, or a reason. */
function zoneMinutes(zone: string): number | string {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = Number(digits.slice(2, 4));
  if (hh > 23 || mm > 59) return `time zone offset ${zone} is out of range`;
  return (zone.startsWith('-') ? -1 : 1) * (hh * 60 + mm);
}

/** Parses a datetime to Unix ms; undefined if it is not a datetime, a string if it is a bad one. */
function parseDatetime(s: string, localOffsetMinutes: (utcMs: number) => number): number | string | undefined {
  const m = DATETIME_RE.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Checked field by field: Date silently rolls 2026-02-30 over to March 2nd.
  if (month < 1 || month > 12) return `month ${month} is out of range`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} does not exist in ${m[1]}-${m[2]}`;
  if (hour > 23) return `hour ${hour} is out of range`;
  if (minute > 59) return `minute ${minute} is out of range`;
  if (second > 59) return `second ${second} is out of range`;
  // A TSO has ms precision; finer fractions are truncated, as br does.
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  let ms: number;
  if (m[8] === undefined) {
    // No zone: the viewer's local zone (as br uses its process's zone); the offset is the one in
    // force at that wall time, found by one correction step across a DST change.
    const guess = wall - localOffsetMinutes(wall) * 60_000;
    ms = wall - localOffsetMinutes(guess) * 60_000;
  } else {
    const offset = zoneMinutes(m[8]);
    if (typeof offset === 'string') return offset;
    ms = wall - offset * 60_000;
  }
  if (ms <= 0) return 'a TSO must be after 1970-01-01 00:00:00 UTC';
  if (ms > MAX_PHYSICAL_MS) return 'too far in the future for a TSO';
  return ms;
}

/** The browser's UTC offset (minutes east) at a given instant. */
export function browserOffsetMinutes(utcMs: number): number {
  return -new Date(utcMs).getTimezoneOffset();
}

/**
 * Parses what a user typed into the picker: a TSO integer or a datetime. `localOffset` gives
 * the zone of datetimes typed without one (the browser's by default; tests pass a fixed one).
 */
export function parseTsText(input: string, localOffset: (utcMs: number) => number = browserOffsetMinutes): ParsedTs {
  const s = input.trim();
  if (s === '') return { ok: false, reason: `empty: type ${ACCEPTED_TS_FORMS}` };
  if (/^\d+$/.test(s)) {
    const ts = BigInt(s);
    if (ts === 0n) return { ok: false, reason: 'a TSO must be greater than 0' };
    if (ts >= TSO_LIMIT) return { ok: false, reason: 'a TSO must be below 2^64' };
    return { ok: true, ts };
  }
  const ms = parseDatetime(s, localOffset);
  if (ms === undefined) return { ok: false, reason: `"${s}" is neither a TSO nor a datetime: type ${ACCEPTED_TS_FORMS}` };
  if (typeof ms === 'string') return { ok: false, reason: `"${s}": ${ms}` };
  return { ok: true, ts: tsOfMs(ms) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats Unix ms as `2026-11-24 14:06:00.123 +0800` at the given offset (the browser's by default). */
export function formatMs(ms: number, offsetMinutes = browserOffsetMinutes(ms)): string {
  const d = new Date(Math.floor(ms) + offsetMinutes * 60_000);
  const abs = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} ${zone}`
  );
}

/** Formats a TSO's physical time (see formatMs). */
export function formatTsText(ts: bigint, offsetMinutes?: number): string {
  return formatMs(msOfTs(ts), offsetMinutes ?? browserOffsetMinutes(msOfTs(ts)));
}
