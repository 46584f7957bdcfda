/**
 * What a key does on the focused timeline (pure, so the steps are tested): arrows move the
 * picked point by 1 % of the view (Shift: 10 %; Alt: one millisecond), Ctrl/Cmd+arrows jump
 * between snapshots, Home/End go to the earliest/latest restorable point, +/- zoom, PageUp/Down pan.
 */
import { msOfTs, tsOfMs } from './tso-text.ts';
import type { TimeView } from './view.ts';

/** Modifier keys held. */
export interface Mods {
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** The effect of a key. */
export type KeyAction =
  | { kind: 'pick'; ts: bigint }
  | { kind: 'zoom'; factor: number }
  | { kind: 'pan'; fraction: number }
  | null;

/** Finds the first element > ts (dir 1) or the last < ts (dir -1) in a sorted list. */
function neighbour(sorted: bigint[], ts: bigint, dir: 1 | -1): bigint | null {
  if (dir === 1) return sorted.find((s) => s > ts) ?? null;
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i]! < ts) return sorted[i]!;
  return null;
}

/** The step in ms of a plain or Shift arrow: a share of the view, at least 1 ms. */
export function arrowStepMs(view: TimeView, mods: Mods): number {
  if (mods.altKey) return 1;
  return Math.max(1, Math.round(view.spanMs * (mods.shiftKey ? 0.1 : 0.01)));
}

/**
 * The action of a key. `picked` is the current point (the view's centre when none);
 * `snapshots` the usable snapshot TSOs, sorted; `earliest`/`latest` the restorable bounds.
 */
export function keyAction(
  key: string,
  mods: Mods,
  view: TimeView,
  picked: bigint | null,
  snapshots: bigint[],
  earliest: bigint | null,
  latest: bigint | null,
): KeyAction {
  const at = picked ?? tsOfMs(view.startMs + view.spanMs / 2);
  const jump = mods.ctrlKey || mods.metaKey;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowRight': {
      const dir = key === 'ArrowRight' ? 1 : -1;
      if (jump) {
        const s = neighbour(snapshots, at, dir);
        return s === null ? null : { kind: 'pick', ts: s };
      }
      // Keep the logical bits out of the step: moving by whole ms lands on logical 0.
      return { kind: 'pick', ts: tsOfMs(msOfTs(at) + dir * arrowStepMs(view, mods)) };
    }
    case 'Home':
      return earliest === null ? null : { kind: 'pick', ts: earliest };
    case 'End':
      return latest === null ? null : { kind: 'pick', ts: latest };
    case '+':
    case '=':
      return { kind: 'zoom', factor: 2 };
    case '-':
    case '_':
      return { kind: 'zoom', factor: 0.5 };
    case 'PageUp':
      return { kind: 'pan', fraction: -0.5 };
    case 'PageDown':
      return { kind: 'pan', fraction: 0.5 };
    default:
      return null;
  }
}
