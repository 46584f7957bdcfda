/**
 * `ui`: the renderer in headless Debian Chromium (Playwright), three figures:
 *
 * 1. Load to interactive: a real ClusterHost in web mode serves the built app (renderer-dist);
 *    the browser opens its sign-in address; measured from navigation start to the shell's
 *    navigation being rendered, then a click on "Restore" until its page shows (the app answers
 *    input). A real host, because that is what a user opens; its API calls are part of the load.
 * 2. Timeline first render with 50,000 log files and 2,000 snapshots: a harness page
 *    (renderer/timeline/bench.html, built here into a temp folder, served by a static server) mounts
 *    the real Timeline with a synthetic `restore:timeline` answer; from the answer in hand to the
 *    end of the first canvas frame (model prepared, React mounted, frame drawn). The harness, not
 *    the app, because the host cannot hold 50,000 real log files in a bench's time.
 * 3. Frames while zooming and panning with the same data, driven by real input (Playwright's
 *    wheel and mouse drags): draw time per frame (against the 16 ms target), the animation frame
 *    interval (against one 60 Hz vsync: above it, frames were dropped), input-to-frame latency.
 *
 * Targets (issue 6): first render ≤ 200 ms, frames ≤ 16 ms; ratios are value / target.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './index.ts';
import type { FrameFigures, MountFigures } from '../renderer/timeline/bench-harness.tsx';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Debian's Chromium: Playwright's own download is unreachable on these machines.
const CHROMIUM = process.env.PITR_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
// The sizes: 50,000 log files over a week, 2,000 snapshots.
const FILES = 50_000;
const SNAPSHOTS = 2_000;
const TARGET_FIRST_RENDER_MS = 200;
const TARGET_FRAME_MS = 16;
// One frame at 60 Hz: the browser's frame clock ticks at this interval when no frame is dropped.
const VSYNC_MS = 1000 / 60;
// Each interaction repeats this many input steps (wheel notches or drag moves).
const STEPS = 60;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves a folder on loopback (the harness build). */
async function serveFolder(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

/** Builds the harness page with the app's Vite setup into a temp folder. */
async function buildHarness(outDir: string): Promise<void> {
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  await build({
    configFile: false,
    root: join(ROOT, 'renderer'),
    base: './',
    plugins: [react()],
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(ROOT, 'renderer/timeline/bench.html') } },
  });
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function frameFigures(name: string, xs: number[], target: number | null): Figure[] {
  const out: Figure[] = [
    { metric: `${name} p50`, value: pct(xs, 50), unit: 'ms' },
    { metric: `${name} p95`, value: pct(xs, 95), unit: 'ms' },
    { metric: `${name} max`, value: Math.max(...xs), unit: 'ms' },
  ];
  if (target !== null) out.push({ metric: `${name} p95 / ${target.toFixed(1)} ms target`, value: pct(xs, 95) / target, unit: 'ratio' });
  return out;
}

/** The UI bench. */
export async function uiBench(): Promise<Figure[]> {
  const { chromium } = await import('@playwright/test');
  const { ClusterHost } = await import('../core/host/host.ts');
  if (!existsSync(join(ROOT, 'renderer-dist', 'index.html'))) throw new Error('renderer-dist/ is missing: run `npm run build` first');
  const tmp = mkdtempSync(join(tmpdir(), 'pitr-bench-ui-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const figures: Figure[] = [];
  let host: Awaited<ReturnType<typeof ClusterHost.start>> | null = null;
  let harness: Server | null = null;
  try {
    // 1. Load to interactive, against a real host in web mode.
    host = await ClusterHost.start({ dataDir: join(tmp, 'host'), web: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${host.url}/#code=${host.issueSessionCode()}`, { waitUntil: 'commit' });
    await page.getByTestId('nav-restore').waitFor({ state: 'visible' });
    const shownMs = await page.evaluate(() => performance.now());
    const dclMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
    const t0 = Date.now();
    await page.getByTestId('nav-restore').click();
    await page.getByTestId('restore-log-storage').waitFor({ state: 'visible' });
    const clickMs = Date.now() - t0;
    figures.push({ metric: 'app DOMContentLoaded', value: dclMs, unit: 'ms' });
    figures.push({ metric: 'app load to interactive (shell shown)', value: shownMs, unit: 'ms' });
    figures.push({ metric: 'app first navigation (click to page, Playwright round trips included)', value: clickMs, unit: 'ms' });
    await page.close();

    // 2 and 3. The timeline with 50,000 files and 2,000 snapshots.
    const out = join(tmp, 'harness');
    await buildHarness(out);
    const served = await serveFolder(out);
    harness = served.server;
    const tl = await browser.newPage({ viewport: { width: 1400, height: 600 } });
    // Vite keeps the entry's place under its root: renderer/timeline/bench.html.
    await tl.goto(`${served.url}/timeline/bench.html`);
    await tl.waitForFunction(() => 'timelineBench' in window);
    const spec = { files: FILES, snapshots: SNAPSHOTS, days: 7, endMs: Date.UTC(2026, 10, 24, 6), gapMs: 2 * 3_600_000 };
    const runs: MountFigures[] = [];
    // The first mount also compiles the code paths (JIT); each later one is a fresh mount.
    for (let i = 0; i < 5; i++) runs.push(await tl.evaluate((s) => window.timelineBench.mount(s), spec));
    const first = runs.map((r) => r.firstFrameMs);
    figures.push({ metric: `timeline first render, cold (${runs[0]!.files} files, ${runs[0]!.snapshots} snapshots)`, value: first[0]!, unit: 'ms' });
    figures.push({ metric: 'timeline first render, median of 4 warm mounts', value: pct(first.slice(1), 50), unit: 'ms' });
    figures.push({ metric: 'timeline model preparation (part of the above), median', value: pct(runs.slice(1).map((r) => r.prepareMs), 50), unit: 'ms' });
    figures.push({ metric: `timeline first render cold / ${TARGET_FIRST_RENDER_MS} ms target`, value: first[0]! / TARGET_FIRST_RENDER_MS, unit: 'ratio' });

    const shots = process.env.PITR_BENCH_UI_SHOTS; // a folder: screenshots of the harness, to look at
    if (shots) await tl.screenshot({ path: join(shots, 'timeline-week.png') });
    const box = (await tl.getByTestId('timeline-canvas').boundingBox())!;
    const y = box.y + box.height / 2;
    await tl.evaluate(() => window.timelineBench.start());
    // Zoom in from the week to about a millisecond scale around one point, then back out.
    await tl.mouse.move(box.x + box.width * 0.7, y);
    for (let i = 0; i < STEPS; i++) await tl.mouse.wheel(0, -120);
    for (let i = 0; i < STEPS; i++) await tl.mouse.wheel(0, 100);
    // Pan: drags across the canvas at three zoom levels.
    for (const zoomSteps of [0, 20, 40]) {
      for (let i = 0; i < zoomSteps; i++) await tl.mouse.wheel(0, -120);
      await tl.mouse.move(box.x + box.width * 0.2, y);
      await tl.mouse.down();
      for (let i = 1; i <= STEPS / 3; i++) await tl.mouse.move(box.x + box.width * (0.2 + (0.6 * i) / (STEPS / 3)), y);
      await tl.mouse.up();
      for (let i = 0; i < zoomSteps; i++) await tl.mouse.wheel(0, 120);
    }
    const frames: FrameFigures = await tl.evaluate(() => window.timelineBench.stop());
    // Dragging the picked point: every move re-judges the point and re-renders through React.
    await tl.getByTestId('timeline-fit').click();
    const view = await tl.getByTestId('timeline-canvas').evaluate((c) => [Number(c.dataset.viewStartMs), Number(c.dataset.viewSpanMs)]);
    const cursorX = box.x + ((spec.endMs - view[0]!) / view[1]!) * box.width;
    await tl.evaluate(() => window.timelineBench.start());
    await tl.mouse.move(cursorX, y);
    await tl.mouse.down();
    for (let i = 1; i <= STEPS; i++) await tl.mouse.move(cursorX - (box.width * 0.8 * i) / STEPS, y);
    await tl.mouse.up();
    const drag: FrameFigures = await tl.evaluate(() => window.timelineBench.stop());
    if (shots) {
      for (let i = 0; i < 12; i++) await tl.mouse.wheel(0, -120);
      await tl.screenshot({ path: join(shots, 'timeline-zoomed.png') });
    }
    figures.push({ metric: 'frames drawn while zooming and panning', value: frames.draws.length, unit: 'frames' });
    figures.push(...frameFigures('frame draw time', frames.draws, TARGET_FRAME_MS));
    // A frame's budget at 60 Hz is one vsync: the interval between frames shows whether any was dropped.
    figures.push(...frameFigures('animation frame interval', frames.intervals, VSYNC_MS));
    // Informational: includes CDP input dispatch and the wait for the next vsync (up to 16.7 ms by design).
    figures.push(...frameFigures('input event to frame drawn', frames.inputToFrame, null));
    figures.push({ metric: 'frames drawn while dragging the picked point', value: drag.draws.length, unit: 'frames' });
    figures.push(...frameFigures('cursor drag frame draw time', drag.draws, TARGET_FRAME_MS));
    figures.push(...frameFigures('cursor drag animation frame interval', drag.intervals, VSYNC_MS));
    await tl.close();
  } finally {
    await browser.close();
    harness?.close();
    await host?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return figures;
}
