/**
 * Refreshes that run while a page shows them: `watch(key, fn, ms)` runs `fn` now and every `ms`
 * until every watcher of `key` stopped. Pages start them from one effect (useWatch); the slices
 * own the work, so components stay presentational.
 */
import { useEffect } from 'react';

interface Watch {
  count: number;
  timer: ReturnType<typeof setInterval>;
}

const watches = new Map<string, Watch>();

/** Starts (or joins) a periodic refresh; returns the function that leaves it. */
export function watch(key: string, fn: () => Promise<unknown> | void, ms: number): () => void {
  let w = watches.get(key);
  if (w) w.count++;
  else {
    // A slow host must not pile up calls: skip a tick while the previous one is running.
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      void Promise.resolve(fn()).finally(() => (running = false));
    };
    tick();
    w = { count: 1, timer: setInterval(tick, ms) };
    watches.set(key, w);
  }
  return () => {
    const cur = watches.get(key);
    if (!cur) return;
    if (--cur.count === 0) {
      clearInterval(cur.timer);
      watches.delete(key);
    }
  };
}

/** Runs a watch while the calling component is mounted (restarts when `deps` change). */
export function useWatch(key: string, fn: () => Promise<unknown> | void, ms: number, deps: unknown[] = []): void {
  useEffect(() => watch(key, fn, ms), [key, ms, ...deps]);
}
