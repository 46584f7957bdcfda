/**
 * TiDB's TSO (timestamp oracle) codec. A TSO is a 64-bit unsigned integer: Unix milliseconds in
 * the upper 46 bits and a logical counter in the lower 18, so that PD can hand out up to 2^18
 * distinct, ordered timestamps per millisecond. Parsing accepts what `br` accepts for its time
 * flags (`--restored-ts`, `--start-ts`, ...) so that values copied from a real cluster work here.
 */
import { parseTsText } from '../contract/ts-text.ts';
import { PitrError, ErrorCode } from '../errors.ts';

/** A TSO held as a bigint, because 64 bits do not fit in a JS number without losing precision. */
export type Tso = bigint;

/** Bits of the logical counter, as in PD (`tsoutil.physicalShiftBits`). */
export const LOGICAL_BITS = 18;

/** Largest logical counter that fits in one millisecond. */
export const MAX_LOGICAL = (1 << LOGICAL_BITS) - 1;

/** Largest physical millisecond that fits in the upper 46 bits (about the year 4199). */
export const MAX_PHYSICAL_MS = 2 ** (64 - LOGICAL_BITS) - 1;

const SHIFT = BigInt(LOGICAL_BITS);
const LOGICAL_MASK = BigInt(MAX_LOGICAL);
const TSO_LIMIT = 1n << 64n;
// ts / 2^18 / 1000: how many TSO units make one second.
const TS_PER_SECOND = 262_144_000;

// Shown in every parse error so the user learns the accepted forms without opening the docs.
const ACCEPTED_FORMS =
  "use a TSO such as 434604259287760897 or a datetime such as '2022-05-15 18:00:00+0800'";

function invalidTs(what: string, input: string, reason?: string): PitrError {
  const why = reason === undefined ? '' : ` (${reason})`;
  return new PitrError(ErrorCode.InvalidTs, `invalid ${what} "${input}"${why}: ${ACCEPTED_FORMS}`, {
    input,
  });
}

function checkTsRange(ts: bigint): void {
  if (ts < 0n || ts >= TSO_LIMIT) {
    throw new PitrError(ErrorCode.InvalidTs, `TSO ${ts} is outside the unsigned 64-bit range`);
  }
}

/** Builds a TSO from Unix milliseconds and a logical counter. */
export function composeTs(physicalMs: number, logical: number): bigint {
  if (!Number.isSafeInteger(physicalMs) || physicalMs < 0 || physicalMs > MAX_PHYSICAL_MS) {
    throw new PitrError(
      ErrorCode.InvalidArgument,
      `physical time ${physicalMs} must be an integer number of ms in [0, ${MAX_PHYSICAL_MS}]`,
    );
  }
  if (!Number.isInteger(logical) || logical < 0 || logical > MAX_LOGICAL) {
    throw new PitrError(
      ErrorCode.InvalidArgument,
      `logical counter ${logical} must be an integer in [0, ${MAX_LOGICAL}]`,
    );
  }
  return (BigInt(physicalMs) << SHIFT) | BigInt(logical);
}

/** The Unix milliseconds (upper 46 bits) of a TSO. */
export function physicalOf(ts: bigint): number {
  checkTsRange(ts);
  return Number(ts >> SHIFT);
}

/** The logical counter (lower 18 bits) of a TSO. */
export function logicalOf(ts: bigint): number {
  checkTsRange(ts);
  return Number(ts & LOGICAL_MASK);
}

/** A TSO as fractional Unix seconds (ts / 262144000), for charts and arithmetic. */
export function tsToUnixSeconds(ts: bigint): number {
  // Split first: Number(ts) alone would round away the logical bits of a modern TSO.
  return physicalOf(ts) / 1000 + logicalOf(ts) / TS_PER_SECOND;
}

/** Parses a br time flag: a TSO integer, a `YYYY-MM-DD HH:MM:SS[.f][zone]` datetime or ISO 8601. */
export function parseTs(input: string, what = 'timestamp'): bigint {
  const s = input.trim();
  const r = parseTsText(s);
  if (r.ok) return r.ts;
  if (r.kind === 'empty') throw invalidTs(what, s, 'empty');
  throw invalidTs(what, s, r.kind === 'invalid' ? r.reason : undefined);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Formats a TSO as `2022-05-15 18:00:00.123 +0800` (ms precision; UTC unless an offset is given). */
export function formatTs(ts: bigint, utcOffsetMinutes = 0): string {
  if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 23 * 60 + 59) {
    throw new PitrError(
      ErrorCode.InvalidArgument,
      `UTC offset ${utcOffsetMinutes} must be a whole number of minutes within ±23:59`,
    );
  }
  // Shift, then read the UTC fields: gives wall-clock fields at that offset without the local zone.
  const d = new Date(physicalOf(ts) + utcOffsetMinutes * 60_000);
  const abs = Math.abs(utcOffsetMinutes);
  const zone = `${utcOffsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(d.getUTCMilliseconds(), 3)} ${zone}`
  );
}

/** Formats the physical part of a TSO as an ISO 8601 string in UTC. */
export function formatTsIso(ts: bigint): string {
  return new Date(physicalOf(ts)).toISOString();
}

/**
 * Formats a duration in ms the way br's logs read, coarsening as it grows:
 * under 1 s `250ms`; under 1 min seconds with one decimal (truncated) `1.5s`, `59.9s`;
 * under 1 day whole h/m/s with zero parts left out `2m3s`, `1h2m3s`, `1h3s`, `2m`;
 * from 1 day on days and hours only `2d3h`, `2d`. Zero is `0s`; negatives get a leading `-`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new PitrError(ErrorCode.InvalidArgument, `duration ${ms} ms is not a finite number`);
  }
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const whole = Math.floor(ms);
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  if (whole < 60_000) {
    // Truncate rather than round so that 59 999 ms never shows as "60.0s".
    const tenths = Math.floor(whole / 100);
    return tenths % 10 === 0 ? `${tenths / 10}s` : `${(tenths / 10).toFixed(1)}s`;
  }
  const totalSeconds = Math.floor(whole / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  if (days > 0) return hours > 0 ? `${days}d${hours}h` : `${days}d`;
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds > 0) parts.push(`${seconds}s`);
  return parts.join('');
}
