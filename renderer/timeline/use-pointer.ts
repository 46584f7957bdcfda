/**
 * Pointer input of the timeline: wheel and pinch zoom around the pointer, drag to pan, drag the
 * cursor to move the picked point, click to pick. Writes the view into a ref and asks for a
 * redraw; React does not re-render on any of it, which keeps zooming at frame rate.
 */
import { useEffect, type RefObject } from 'react';
import { msAtX, panBy, type TimeView, wheelFactor, zoomAt } from './view.ts';
import { xOfMs } from './view.ts';

// A press that moves less than this is a click, not a drag.
const CLICK_SLOP_PX = 4;
// Grabbing the cursor works within this distance of it (a finger is not a mouse pointer).
const CURSOR_GRAB_PX = 8;
// Wheel deltas in lines (Firefox) or pages are converted to pixels like browsers scroll them.
const LINE_PX = 16;

/** What the pointer handlers read and write. */
export interface PointerDeps {
  canvasRef: RefObject<HTMLCanvasElement | null>;
  viewRef: RefObject<TimeView>;
  widthRef: RefObject<number>;
  hoverRef: RefObject<number | null>;
  pickedMsRef: RefObject<number | null>;
  schedule: () => void;
  /** Picks the time under x; null in read-only mode. */
  pickAtMs: ((ms: number) => void) | null;
}

/** Installs the pointer and wheel handlers on the canvas. */
export function usePointer(d: PointerDeps): void {
  const { canvasRef, viewRef, widthRef, hoverRef, pickedMsRef, schedule, pickAtMs } = d;
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const localX = (e: { clientX: number }) => e.clientX - canvas.getBoundingClientRect().left;
    const pointers = new Map<number, number>(); // pointerId → x
    let press: { x: number; view: TimeView; mode: 'cursor' | 'pan'; moved: boolean } | null = null;
    let pinch: { dist: number; view: TimeView; mid: number } | null = null;

    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? widthRef.current : 1;
      const w = widthRef.current;
      // Horizontal scroll (trackpads, Shift+wheel) pans; vertical zooms (ctrlKey = trackpad pinch).
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || (e.shiftKey && !e.ctrlKey)) {
        viewRef.current = panBy(viewRef.current, w, -(e.deltaX || e.deltaY) * unit);
      } else {
        viewRef.current = zoomAt(viewRef.current, w, localX(e), wheelFactor(e.deltaY * unit * (e.ctrlKey ? 4 : 1)));
      }
      schedule();
    };

    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      try {
        canvas.setPointerCapture(e.pointerId);
      } catch (_err) {
        // A pointer the browser no longer tracks (synthetic events): dragging works while over the canvas.
      }
      pointers.set(e.pointerId, localX(e));
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()] as [number, number];
        pinch = { dist: Math.max(1, Math.abs(a - b)), view: viewRef.current, mid: (a + b) / 2 };
        press = null;
        return;
      }
      const x = localX(e);
      const picked = pickedMsRef.current;
      const nearCursor = picked !== null && pickAtMs !== null && Math.abs(xOfMs(viewRef.current, widthRef.current, picked) - x) <= CURSOR_GRAB_PX;
      press = { x, view: viewRef.current, mode: nearCursor ? 'cursor' : 'pan', moved: false };
    };

    const onMove = (e: PointerEvent) => {
      const x = localX(e);
      const w = widthRef.current;
      if (pointers.has(e.pointerId)) pointers.set(e.pointerId, x);
      if (pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()] as [number, number];
        viewRef.current = zoomAt(pinch.view, w, pinch.mid, Math.max(1, Math.abs(a - b)) / pinch.dist);
      } else if (press) {
        if (Math.abs(x - press.x) > CLICK_SLOP_PX) press.moved = true;
        if (press.mode === 'cursor') pickAtMs?.(msAtX(viewRef.current, w, x));
        else if (press.moved) viewRef.current = panBy(press.view, w, x - press.x);
      }
      hoverRef.current = msAtX(viewRef.current, w, x);
      schedule();
    };

    const onUp = (e: PointerEvent) => {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      if (press && !press.moved && press.mode === 'pan') pickAtMs?.(msAtX(viewRef.current, widthRef.current, localX(e)));
      press = null;
    };

    const onLeave = () => {
      hoverRef.current = null;
      schedule();
    };

    // Not passive: the wheel must zoom the timeline, not scroll the page.
    canvas.addEventListener('wheel', onWheel, { passive: false });
    canvas.addEventListener('pointerdown', onDown);
    canvas.addEventListener('pointermove', onMove);
    canvas.addEventListener('pointerup', onUp);
    canvas.addEventListener('pointercancel', onUp);
    canvas.addEventListener('pointerleave', onLeave);
    return () => {
      canvas.removeEventListener('wheel', onWheel);
      canvas.removeEventListener('pointerdown', onDown);
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerup', onUp);
      canvas.removeEventListener('pointercancel', onUp);
      canvas.removeEventListener('pointerleave', onLeave);
    };
  }, [canvasRef, viewRef, widthRef, hoverRef, pickedMsRef, schedule, pickAtMs]);
}
