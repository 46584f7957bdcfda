/**
 * Draws one frame of the timeline on a 2D canvas: snapshot marks, log coverage bands with file
 * density and gaps, the restorable strip, the truncate safepoint, the latest restorable time,
 * the axis and the picked point. Costs O(visible items + pixel columns) per frame.
 */
import { fileDensity, snapshotColumns } from './columns.ts';
import type { TimelineModel } from './model.ts';
import { ticksFor } from './ticks.ts';
import { formatMs } from './tso-text.ts';
import { type TimeView, xOfMs } from './view.ts';

/** Rows of the canvas, in CSS pixels from the top. */
export const LAYOUT = {
  height: 132,
  snapTop: 16,
  snapBottom: 34,
  logTop: 40,
  logBottom: 80,
  stripTop: 84,
  stripBottom: 92,
  axisTop: 96,
} as const;

const COLORS = {
  bg: '#ffffff',
  band: '#dcefe2',
  density: '#3f9a5f',
  gap: '#d64545',
  strip: '#2f8f4e',
  stripOff: '#e3e6ec',
  snapshot: '#2a5bd7',
  snapshotOff: '#9aa3b2',
  truncate: '#d9822b',
  latest: '#1f6feb',
  cursor: '#b4231f',
  hover: 'rgba(29,35,48,0.35)',
  axis: '#5b6474',
  grid: '#eef0f4',
  text: '#1d2330',
};

/** What the frame shows besides the model. */
export interface FrameState {
  view: TimeView;
  width: number;
  pickedMs: number | null;
  hoverMs: number | null;
  /** The viewer's UTC offset in minutes, for tick alignment and labels. */
  offsetMinutes: number;
}

let densityScratch = new Uint32Array(0);

function vline(ctx: CanvasRenderingContext2D, x: number, top: number, bottom: number, color: string, dash: number[] = []): void {
  ctx.strokeStyle = color;
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, top);
  ctx.lineTo(Math.round(x) + 0.5, bottom);
  ctx.stroke();
  ctx.setLineDash([]);
}

function drawLog(ctx: CanvasRenderingContext2D, m: TimelineModel, f: FrameState): void {
  const { view, width } = f;
  const x = (ms: number) => xOfMs(view, width, ms);
  const { logTop, logBottom } = LAYOUT;
  ctx.fillStyle = COLORS.band;
  for (const [a, b] of m.bands) {
    if (b < view.startMs || a > view.startMs + view.spanMs) continue;
    const x0 = Math.max(-1, x(a));
    ctx.fillRect(x0, logTop, Math.max(1, Math.min(width + 1, x(b)) - x0), logBottom - logTop);
  }
  // File density: one bar per pixel column, height on a log scale so sparse columns still show.
  const columns = Math.max(1, Math.ceil(width));
  if (densityScratch.length < columns + 1) densityScratch = new Uint32Array(columns + 1);
  const counts = fileDensity(m.files, view.startMs, view.spanMs, columns, densityScratch);
  let peak = 1;
  for (let c = 0; c < columns; c++) if (counts[c]! > peak) peak = counts[c]!;
  const scale = (logBottom - logTop - 4) / Math.log2(peak + 1);
  ctx.fillStyle = COLORS.density;
  ctx.beginPath();
  for (let c = 0; c < columns; c++) {
    const n = counts[c]!;
    if (n === 0) continue;
    const h = Math.max(2, Math.log2(n + 1) * scale);
    ctx.rect(c, logBottom - h, 1, h);
  }
  ctx.fill();
  ctx.fillStyle = 'rgba(214,69,69,0.22)';
  for (const g of m.gaps) {
    if (g.toMs < view.startMs || g.fromMs > view.startMs + view.spanMs) continue;
    const x0 = x(g.fromMs);
    const w = Math.max(2, x(g.toMs) - x0);
    ctx.fillRect(x0, logTop, w, logBottom - logTop);
    ctx.strokeStyle = COLORS.gap;
    ctx.strokeRect(x0 + 0.5, logTop + 0.5, w - 1, logBottom - logTop - 1);
    if (w > 30) {
      ctx.fillStyle = COLORS.gap;
      ctx.fillText('gap', x0 + 4, logTop + 12);
      ctx.fillStyle = 'rgba(214,69,69,0.22)';
    }
  }
}

function drawStripAndSnapshots(ctx: CanvasRenderingContext2D, m: TimelineModel, f: FrameState): void {
  const { view, width } = f;
  const { stripTop, stripBottom, snapTop, snapBottom } = LAYOUT;
  ctx.fillStyle = COLORS.stripOff;
  ctx.fillRect(0, stripTop, width, stripBottom - stripTop);
  ctx.fillStyle = COLORS.strip;
  for (const [a, b] of m.restorable) {
    if (b < view.startMs || a > view.startMs + view.spanMs) continue;
    const x0 = Math.max(-1, xOfMs(view, width, a));
    ctx.fillRect(x0, stripTop, Math.max(2, Math.min(width + 1, xOfMs(view, width, b)) - x0), stripBottom - stripTop);
  }
  // Snapshot marks: one diamond per pixel column that holds any; a number when several share it.
  const marks = snapshotColumns(m.snapMs, view.startMs, view.spanMs, Math.max(1, Math.ceil(width)));
  const mid = (snapTop + snapBottom) / 2;
  let lastLabelX = -Infinity;
  // Counts help only where marks stand apart; on a packed row they would be a line of digits.
  const labelCounts = marks.length * 40 < width;
  for (const mk of marks) {
    const s = m.snapshots[mk.firstIndex]!;
    const cx = mk.count === 1 ? xOfMs(view, width, s.ms) : mk.column + 0.5;
    ctx.fillStyle = s.usable ? COLORS.snapshot : COLORS.snapshotOff;
    ctx.beginPath();
    ctx.moveTo(cx, mid - 6);
    ctx.lineTo(cx + 5, mid);
    ctx.lineTo(cx, mid + 6);
    ctx.lineTo(cx - 5, mid);
    ctx.fill();
    if (labelCounts && mk.count > 1 && cx - lastLabelX > 24) {
      ctx.fillStyle = COLORS.text;
      ctx.fillText(String(mk.count), cx + 6, snapTop + 4);
      lastLabelX = cx;
    }
  }
}

function drawAxis(ctx: CanvasRenderingContext2D, f: FrameState, height: number): void {
  const { view, width } = f;
  const { step, ticks } = ticksFor(view, width, f.offsetMinutes);
  ctx.fillStyle = COLORS.axis;
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(0, LAYOUT.axisTop + 0.5);
  ctx.lineTo(width, LAYOUT.axisTop + 0.5);
  ctx.stroke();
  for (const t of ticks) {
    const x = Math.round(xOfMs(view, width, t.ms)) + 0.5;
    vline(ctx, x, LAYOUT.axisTop, LAYOUT.axisTop + 5, COLORS.axis);
    // A label cut by the right edge reads as a different time: leave it out.
    if (x + 3 + ctx.measureText(t.label).width <= width) ctx.fillText(t.label, x + 3, LAYOUT.axisTop + 16);
  }
  // Below a day per tick the labels omit the date: name the day being looked at.
  if (step < 86_400_000) {
    ctx.fillStyle = COLORS.text;
    ctx.fillText(formatMs(view.startMs + view.spanMs / 2, f.offsetMinutes).slice(0, 10), 4, height - 6);
  }
}

function marker(ctx: CanvasRenderingContext2D, f: FrameState, ms: number | null, color: string, label: string, dash: number[]): void {
  if (ms === null) return;
  const x = xOfMs(f.view, f.width, ms);
  if (x < -1 || x > f.width + 1) return;
  vline(ctx, x, 2, LAYOUT.stripBottom, color, dash);
  ctx.fillStyle = color;
  const w = ctx.measureText(label).width;
  ctx.fillText(label, x + 4 + w > f.width ? x - 4 - w : x + 4, 10);
}

/** Draws one frame; the context is already scaled to CSS pixels. */
export function drawTimeline(ctx: CanvasRenderingContext2D, m: TimelineModel, f: FrameState, height: number): void {
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.fillStyle = COLORS.bg;
  ctx.fillRect(0, 0, f.width, height);
  drawLog(ctx, m, f);
  drawStripAndSnapshots(ctx, m, f);
  drawAxis(ctx, f, height);
  marker(ctx, f, m.truncateMs, COLORS.truncate, 'truncated', [4, 3]);
  marker(ctx, f, m.latestMs, COLORS.latest, 'latest restorable', []);
  if (f.hoverMs !== null) vline(ctx, xOfMs(f.view, f.width, f.hoverMs), LAYOUT.snapTop, LAYOUT.axisTop, COLORS.hover);
  if (f.pickedMs !== null) {
    const x = xOfMs(f.view, f.width, f.pickedMs);
    ctx.lineWidth = 2;
    vline(ctx, x, LAYOUT.snapTop - 4, LAYOUT.axisTop, COLORS.cursor);
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.cursor;
    ctx.beginPath();
    ctx.arc(Math.round(x) + 0.5, LAYOUT.axisTop, 5, 0, Math.PI * 2);
    ctx.fill();
  }
}
