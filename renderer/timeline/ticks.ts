/**
 * Axis ticks that adapt to the zoom: from weeks down to single milliseconds, aligned to the
 * viewer's wall clock (midnights, whole hours, whole seconds), labelled only as finely as the
 * step needs.
 */
import type { TimeView } from './view.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps, finest first: the 1-2-5 ladder below a second, clock-friendly steps above. */
export const TICK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY,
] as const;

// Labels need about this many CSS pixels each ("12:34:56.789" in an 11 px font is about 80).
export const DEFAULT_MIN_TICK_SPACING_PX = 90;

// 1970-01-05 was a Monday: week ticks fall on Mondays.
const MONDAY_EPOCH_MS = 4 * DAY;

/** One tick: its time and label. */
export interface Tick {
  ms: number;
  label: string;
}

/** The smallest step that leaves at least minSpacingPx between ticks. */
export function tickStep(view: TimeView, width: number, minSpacingPx = DEFAULT_MIN_TICK_SPACING_PX): number {
  const minStep = (view.spanMs / Math.max(1, width)) * minSpacingPx;
  for (const s of TICK_STEPS_MS) if (s >= minStep) return s;
  return TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The label of a tick at wall-clock time `wall` (ms, already shifted to the local zone). */
export function tickLabel(wall: number, step: number): string {
  const d = new Date(wall);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (step >= DAY) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  // A midnight tick names the day, so the reader never loses which day the hours belong to.
  if (step >= MINUTE) return wall % DAY === 0 ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : hm;
  if (step >= SECOND) return `${hm}:${pad(d.getUTCSeconds())}`;
  return `${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/**
 * The ticks inside the view. `offsetMinutes` is the viewer's UTC offset (minutes east), so that
 * ticks fall on local midnights and hours.
 */
export function ticksFor(view: TimeView, width: number, offsetMinutes: number, minSpacingPx = DEFAULT_MIN_TICK_SPACING_PX): { step: number; ticks: Tick[] } {
  const step = tickStep(view, width, minSpacingPx);
  const shift = offsetMinutes * MINUTE;
  const base = step === 7 * DAY || step === 14 * DAY ? MONDAY_EPOCH_MS : 0;
  const first = Math.ceil((view.startMs + shift - base) / step) * step + base;
  const end = view.startMs + view.spanMs + shift;
  const ticks: Tick[] = [];
  for (let wall = first; wall <= end && ticks.length < 1000; wall += step) {
    ticks.push({ ms: wall - shift, label: tickLabel(wall, step) });
  }
  return { step, ticks };
}
