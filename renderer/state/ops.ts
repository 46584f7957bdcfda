/**
 * Busy and error state of every user action, keyed `<page>:<action>` (e.g. `cluster:create`),
 * so that any component can show a spinner or the ErrorBanner for an action without the slices
 * repeating the bookkeeping.
 */
import { create } from 'zustand';
import { ApiError, asApiError } from '../client/index.ts';

/** One action's state. */
export interface OpState {
  busy: boolean;
  error: ApiError | null;
}

const IDLE: OpState = { busy: false, error: null };

/** The store of every action's state. */
export const useOpsStore = create<{ ops: Record<string, OpState> }>(() => ({ ops: {} }));

function setOp(key: string, s: OpState): void {
  useOpsStore.setState((st) => ({ ops: { ...st.ops, [key]: s } }));
}

/** Runs an action: marks it busy, records its error; resolves undefined when it failed. */
export async function runOp<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
  setOp(key, { busy: true, error: null });
  try {
    const v = await fn();
    setOp(key, IDLE);
    return v;
  } catch (err) {
    setOp(key, { busy: false, error: asApiError(err) });
    return undefined;
  }
}

/** Forgets an action's error (the banner's dismiss button). */
export function clearOp(key: string): void {
  setOp(key, IDLE);
}

/** Records an error for an action without running one (e.g. a failed background refresh). */
export function failOp(key: string, err: unknown): void {
  setOp(key, { busy: false, error: asApiError(err) });
}

/** A component's view of one action. */
export function useOp(key: string): OpState {
  return useOpsStore((s) => s.ops[key] ?? IDLE);
}
