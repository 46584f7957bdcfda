/**
 * The UI bench's harness page (built by bench/ui.ts, not part of the app): mounts the real
 * Timeline with a synthetic restore:timeline answer of any size and records what a frame costs.
 * bench/ui.ts drives it with real input (Playwright's mouse) and reads `window.timelineBench`.
 */
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles/app.css';
import { modelFromTimeline, type TimelineModel } from './model.ts';
import { judgePoint } from './restorable.ts';
import { syntheticTimeline, type SyntheticSpec } from './synthetic.ts';
import { Timeline } from './timeline.tsx';

/** What one mount measured, in ms. */
export interface MountFigures {
  generateMs: number;
  prepareMs: number;
  firstFrameMs: number;
  files: number;
  snapshots: number;
}

/** Frames recorded between start() and stop(). */
export interface FrameFigures {
  draws: number[];
  /** From an input event to the end of the frame that showed it. */
  inputToFrame: number[];
  /** Between consecutive animation frames. */
  intervals: number[];
}

let recording: FrameFigures | null = null;
let pendingInput: number | null = null;
let firstFrame: ((ms: number) => void) | null = null;

function onFrame(drawMs: number): void {
  const end = performance.now();
  firstFrame?.(end);
  firstFrame = null;
  if (!recording) return;
  recording.draws.push(drawMs);
  if (pendingInput !== null) recording.inputToFrame.push(end - pendingInput);
  pendingInput = null;
}

// Input is timed from the event's creation (its timeStamp), so queueing delay counts too.
for (const type of ['wheel', 'pointermove']) {
  window.addEventListener(type, (e) => {
    if (recording && pendingInput === null) pendingInput = e.timeStamp;
  }, { capture: true, passive: true });
}

function Harness({ model }: { model: TimelineModel }) {
  const [picked, setPicked] = useState<bigint | null>(model.window.logMaxTs);
  return (
    <div className="page">
      <Timeline model={model} picked={picked} onPick={(ts) => setPicked(judgePoint(model.window, ts).ok ? ts : picked)} onFrame={onFrame} />
    </div>
  );
}

const root = createRoot(document.getElementById('root')!);

declare global {
  interface Window {
    timelineBench: {
      mount(spec: SyntheticSpec): Promise<MountFigures>;
      start(): void;
      stop(): FrameFigures;
    };
  }
}

window.timelineBench = {
  mount(spec) {
    root.render(null);
    const g0 = performance.now();
    const answer = syntheticTimeline(spec);
    const generateMs = performance.now() - g0;
    return new Promise((resolve) => {
      // First render = the host's answer in hand → model prepared → React mounted → first frame drawn.
      const t0 = performance.now();
      const model = modelFromTimeline(answer);
      const prepareMs = performance.now() - t0;
      firstFrame = (end) => resolve({ generateMs, prepareMs, firstFrameMs: end - t0, files: answer.log_files.count, snapshots: answer.snapshots.length });
      root.render(<Harness model={model} />);
    });
  },
  start() {
    recording = { draws: [], inputToFrame: [], intervals: [] };
    let last = performance.now();
    const tick = (now: number) => {
      if (!recording) return;
      recording.intervals.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  },
  stop() {
    const r = recording ?? { draws: [], inputToFrame: [], intervals: [] };
    recording = null;
    return r;
  },
};
