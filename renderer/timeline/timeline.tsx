/**
 * The restore timeline: snapshots as marks, log coverage as bands with gaps, the truncate
 * safepoint and the latest restorable time on a canvas; zoom and pan from weeks to
 * milliseconds; pick by click, drag, keys or by typing a datetime or TSO. The parent judges and
 * clamps the picked point (restorable.ts) and passes it back as `picked`.
 *
 * Test ids (with the default prefix): timeline-canvas (carries data-view-start-ms and
 * data-view-span-ms so a test can click a given time), timeline-input, timeline-go,
 * timeline-input-error, timeline-zoom-in, timeline-zoom-out, timeline-fit, timeline-latest,
 * timeline-hover, timeline-legend.
 */
import { memo, useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '../components/index.ts';
import { drawTimeline, LAYOUT } from './draw.ts';
import { keyAction } from './keys.ts';
import type { TimelineModel } from './model.ts';
import { restorableRanges } from './restorable.ts';
import { browserOffsetMinutes, formatMs, formatTsText, msOfTs, parseTsText, tsOfMs } from './tso-text.ts';
import { usePointer } from './use-pointer.ts';
import { useCanvasFrame } from './use-canvas-frame.ts';
import { clampView, fitView, panBy, revealMs, type TimeView, zoomAt } from './view.ts';
import './timeline.css';

/** Props of Timeline. */
export interface TimelineProps {
  model: TimelineModel;
  /** The picked point (already clamped by the parent), or null. */
  picked?: bigint | null;
  /** Called with the point the user asked for; absent makes the timeline read-only. */
  onPick?: (ts: bigint) => void;
  /** Called after each frame with its drawing time in ms (the UI bench listens). */
  onFrame?: (drawMs: number) => void;
  /** Prefix of the test ids. */
  testId?: string;
  label?: string;
}

/** The timeline. */
export function Timeline({ model, picked = null, onPick, onFrame, testId = 'timeline', label = 'Restore point' }: TimelineProps) {
  const viewRef = useRef<TimeView>(fitView(model.extent[0], model.extent[1]));
  const hoverRef = useRef<number | null>(null);
  const pickedMsRef = useRef<number | null>(picked === null ? null : msOfTs(picked));
  pickedMsRef.current = picked === null ? null : msOfTs(picked);
  const hoverOut = useRef<HTMLSpanElement | null>(null);
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const editing = useRef(false);

  const frame = useCallback(
    (ctx: CanvasRenderingContext2D, width: number, height: number) => {
      const t0 = performance.now();
      const view = viewRef.current;
      const offsetMinutes = browserOffsetMinutes(view.startMs + view.spanMs / 2);
      drawTimeline(ctx, model, { view, width, pickedMs: pickedMsRef.current, hoverMs: hoverRef.current, offsetMinutes }, height);
      const canvas = ctx.canvas as HTMLCanvasElement;
      canvas.dataset.viewStartMs = String(view.startMs);
      canvas.dataset.viewSpanMs = String(view.spanMs);
      if (hoverOut.current) hoverOut.current.textContent = hoverRef.current === null ? '' : formatMs(hoverRef.current, offsetMinutes);
      onFrame?.(performance.now() - t0);
    },
    [model, onFrame],
  );
  const { canvasRef, widthRef, schedule } = useCanvasFrame(LAYOUT.height, frame);

  // A new model (another storage): show all of it.
  useEffect(() => {
    viewRef.current = fitView(model.extent[0], model.extent[1]);
    schedule();
  }, [model, schedule]);

  // The picked point moved (click, drag, keys, typing): redraw, keep it in view, echo it in the box.
  useEffect(() => {
    if (picked !== null) {
      viewRef.current = revealMs(viewRef.current, msOfTs(picked));
      if (!editing.current) setText(formatTsText(picked));
    }
    schedule();
  }, [picked, schedule]);

  // Through a ref: a parent passing a new onPick each render must not reinstall the pointer
  // handlers (that would drop a drag in progress).
  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;
  const pickAtMs = useCallback((ms: number) => onPickRef.current?.(tsOfMs(ms)), []);
  usePointer({ canvasRef, viewRef, widthRef, hoverRef, pickedMsRef, schedule, pickAtMs: onPick ? pickAtMs : null });

  const setView = (v: TimeView) => {
    viewRef.current = clampView(v);
    schedule();
  };
  const zoom = (factor: number) => {
    const w = widthRef.current || 1;
    const at = pickedMsRef.current;
    const x = at !== null && at >= viewRef.current.startMs && at <= viewRef.current.startMs + viewRef.current.spanMs ? ((at - viewRef.current.startMs) / viewRef.current.spanMs) * w : w / 2;
    setView(zoomAt(viewRef.current, w, x, factor));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const ranges = restorableRanges(model.window);
    const a = keyAction(
      e.key,
      e,
      viewRef.current,
      picked,
      model.window.snapshots.map((s) => s.ts),
      ranges[0]?.fromTs ?? null,
      ranges[ranges.length - 1]?.toTs ?? null,
    );
    if (a === null) return;
    e.preventDefault();
    if (a.kind === 'pick') onPick?.(a.ts);
    else if (a.kind === 'zoom') zoom(a.factor);
    else setView(panBy(viewRef.current, 1, -a.fraction));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = parseTsText(text);
    if (!r.ok) {
      setInputError(r.reason);
      return;
    }
    setInputError(null);
    onPick?.(r.ts);
  };

  const latest = model.window.logMaxTs;
  const pickedMs = picked === null ? null : msOfTs(picked);
  return (
    <div className="timeline" data-testid={testId}>
      <div className="timeline-toolbar">
        <Button kind="ghost" onClick={() => zoom(2)} data-testid={`${testId}-zoom-in`} aria-label="Zoom in">+</Button>
        <Button kind="ghost" onClick={() => zoom(0.5)} data-testid={`${testId}-zoom-out`} aria-label="Zoom out">−</Button>
        <Button kind="ghost" onClick={() => setView(fitView(model.extent[0], model.extent[1]))} data-testid={`${testId}-fit`}>Fit all</Button>
        {onPick && latest !== null && (
          <Button kind="ghost" onClick={() => onPick(latest)} data-testid={`${testId}-latest`}>Latest restorable</Button>
        )}
        <span className="timeline-hover muted" ref={hoverOut} data-testid={`${testId}-hover`} aria-hidden="true" />
      </div>
      <canvas
        ref={canvasRef}
        className="timeline-canvas"
        data-testid={`${testId}-canvas`}
        tabIndex={0}
        role="slider"
        aria-label={`${label}: arrows move it (Shift: 10×, Alt: 1 ms, Ctrl: next snapshot), + and − zoom, Home/End jump to the earliest/latest restorable point`}
        aria-readonly={onPick ? undefined : true}
        aria-valuemin={model.extent[0]}
        aria-valuemax={model.latestMs ?? model.extent[1]}
        aria-valuenow={pickedMs ?? undefined}
        aria-valuetext={picked === null ? 'no point picked' : `${formatTsText(picked)} (TSO ${picked})`}
        onKeyDown={onKeyDown}
      />
      <Legend testId={testId} />
      {onPick && (
        <form className="timeline-pick" onSubmit={submit}>
          <input
            className="input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onFocus={() => (editing.current = true)}
            onBlur={() => (editing.current = false)}
            placeholder="2026-11-24 14:06:00 +0800 or a TSO"
            aria-label="Restore point: a datetime or a TSO"
            spellCheck={false}
            data-testid={`${testId}-input`}
          />
          <Button type="submit" data-testid={`${testId}-go`}>Go</Button>
          {inputError && <span className="timeline-error" role="alert" data-testid={`${testId}-input-error`}>{inputError}</span>}
        </form>
      )}
    </div>
  );
}

/** The key to the colours. */
const Legend = memo(function Legend({ testId }: { testId: string }) {
  return (
    <div className="timeline-legend" data-testid={`${testId}-legend`}>
      <span><i className="lg-snapshot" /> snapshot</span>
      <span><i className="lg-band" /> log coverage (bars: files)</span>
      <span><i className="lg-gap" /> gap</span>
      <span><i className="lg-strip" /> restorable</span>
      <span><i className="lg-truncate" /> truncate safepoint</span>
      <span><i className="lg-latest" /> latest restorable</span>
      <span><i className="lg-cursor" /> picked point</span>
    </div>
  );
});
