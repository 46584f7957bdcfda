/**
 * TSO helpers for the renderer, which may not import core/tso (renderer → core/contract only).
 * A TSO is `(physical ms << 18) | logical`; typed text is parsed by the contract's parser, the
 * one core/tso's parseTs uses, so what a DBA copies from `br log status` works in the picker too.
 */

import { localOffsetMinutes, parseTsText as parseContractTsText } from '../../core/contract/ts-text.ts';

/** Bits of the logical counter, as in PD. */
export const LOGICAL_BITS = 18n;

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

/** The browser's UTC offset (minutes east) at a given instant. */
export const browserOffsetMinutes = localOffsetMinutes;

/**
 * Parses what a user typed into the picker: a TSO integer or a datetime. `localOffset` gives
 * the zone of datetimes typed without one (the browser's by default; tests pass a fixed one).
 */
export function parseTsText(input: string, localOffset: (utcMs: number) => number = browserOffsetMinutes): ParsedTs {
  const s = input.trim();
  const r = parseContractTsText(s, localOffset);
  if (r.ok) return r;
  if (r.kind === 'empty') return { ok: false, reason: `empty: type ${ACCEPTED_TS_FORMS}` };
  if (r.kind === 'unrecognized') return { ok: false, reason: `"${s}" is neither a TSO nor a datetime: type ${ACCEPTED_TS_FORMS}` };
  // A bad TSO integer says so alone; a bad datetime names what was typed.
  return { ok: false, reason: /^\d+$/.test(s) ? r.reason : `"${s}": ${r.reason}` };
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
