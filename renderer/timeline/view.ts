/**
 * The timeline's visible window and its pixel mapping: pure functions, so zoom and pan can be
 * tested without a canvas. Times are Unix ms as doubles: near 2026 a double still resolves
 * about 0.25 µs, far below the 1 ms the deepest zoom shows.
 */

/** The visible time range. */
export interface TimeView {
  startMs: number;
  spanMs: number;
}

// The deepest zoom: 20 ms across the canvas, so single milliseconds sit tens of pixels apart.
export const MIN_SPAN_MS = 20;
// The widest zoom: eight weeks, beyond the week a DBA is told to keep restorable.
export const MAX_SPAN_MS = 8 * 7 * 86_400_000;
// One wheel notch (deltaY 100) zooms by this factor; trackpads send smaller deltas, proportionally.
export const DEFAULT_WHEEL_ZOOM_PER_100 = 1.25;

/** The x (CSS px) of a time. */
export function xOfMs(view: TimeView, width: number, ms: number): number {
  return ((ms - view.startMs) / view.spanMs) * width;
}

/** The time at an x (CSS px). */
export function msAtX(view: TimeView, width: number, x: number): number {
  return view.startMs + (x / width) * view.spanMs;
}

/** The view limited to the allowed spans. */
export function clampView(view: TimeView): TimeView {
  const spanMs = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, view.spanMs));
  // Keep the centre when the span is clamped, so a zoom never jumps sideways.
  const startMs = view.startMs + (view.spanMs - spanMs) / 2;
  return { startMs, spanMs };
}

/** Zooms by `factor` (> 1 zooms in) keeping the time under x where it is. */
export function zoomAt(view: TimeView, width: number, x: number, factor: number): TimeView {
  const anchor = msAtX(view, width, x);
  const spanMs = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, view.spanMs / factor));
  return { startMs: anchor - (x / width) * spanMs, spanMs };
}

/** The zoom factor of a wheel event's deltaY (negative deltas zoom in). */
export function wheelFactor(deltaY: number): number {
  return Math.pow(DEFAULT_WHEEL_ZOOM_PER_100, -deltaY / 100);
}

/** Pans by dx pixels (dragging right moves the view back in time). */
export function panBy(view: TimeView, width: number, dx: number): TimeView {
  return { startMs: view.startMs - (dx / width) * view.spanMs, spanMs: view.spanMs };
}

/** A view showing [fromMs, toMs] with a margin on both sides. */
export function fitView(fromMs: number, toMs: number, margin = 0.05): TimeView {
  const span = Math.max(MIN_SPAN_MS, toMs - fromMs);
  return clampView({ startMs: fromMs - span * margin, spanMs: span * (1 + 2 * margin) });
}

/** The view moved (not zoomed) just enough to show ms, keeping a small margin. */
export function revealMs(view: TimeView, ms: number, margin = 0.05): TimeView {
  const pad = view.spanMs * margin;
  if (ms < view.startMs + pad) return { ...view, startMs: ms - pad };
  if (ms > view.startMs + view.spanMs - pad) return { ...view, startMs: ms + pad - view.spanMs };
  return view;
}
