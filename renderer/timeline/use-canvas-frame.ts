/**
 * The canvas plumbing of the timeline: sizes the backing store to devicePixelRatio, follows the
 * element's width, and coalesces every redraw request of a frame into one requestAnimationFrame.
 */
import { useCallback, useEffect, useRef } from 'react';

/** What the frame callback gets: a context scaled to CSS pixels and the CSS size. */
export type FrameFn = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;

/** Returns the canvas ref, the current CSS width, and `schedule()` which asks for one redraw. */
export function useCanvasFrame(height: number, frame: FrameFn) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const widthRef = useRef(0);
  const rafRef = useRef(0);
  const frameRef = useRef(frame);
  frameRef.current = frame;

  const paint = useCallback(() => {
    rafRef.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || widthRef.current <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(widthRef.current * dpr);
    const h = Math.round(height * dpr);
    // Resizing the backing store clears it and costs; only when the size really changed.
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    frameRef.current(ctx, widthRef.current, height);
  }, [height]);

  const schedule = useCallback(() => {
    if (rafRef.current === 0) rafRef.current = requestAnimationFrame(paint);
  }, [paint]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    widthRef.current = canvas.clientWidth;
    const ro = new ResizeObserver(() => {
      if (canvas.clientWidth !== widthRef.current) {
        widthRef.current = canvas.clientWidth;
        schedule();
      }
    });
    ro.observe(canvas);
    schedule();
    return () => {
      ro.disconnect();
      if (rafRef.current) cancelAnimationFrame(rafRef.current);
      rafRef.current = 0;
    };
  }, [schedule]);

  return { canvasRef, widthRef, schedule };
}
