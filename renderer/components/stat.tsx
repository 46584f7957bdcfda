/** Small figures and state badges used across pages. */
import type { ReactNode } from 'react';

/** One labelled figure. */
export function Stat({ label, value, sub, testId, tone }: { label: string; value: ReactNode; sub?: ReactNode; testId?: string; tone?: 'ok' | 'warn' | 'bad' }) {
  return (
    <div className={`stat${tone ? ` tone-${tone}` : ''}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

const TONES: Record<string, 'ok' | 'warn' | 'bad' | 'idle'> = {
  Up: 'ok',
  NORMAL: 'ok',
  running: 'ok',
  succeeded: 'ok',
  inactive: 'ok',
  done: 'idle',
  stopped: 'idle',
  Tombstone: 'idle',
  PAUSE: 'warn',
  pending: 'warn',
  stopping: 'warn',
  skipped: 'warn',
  Down: 'bad',
  ERROR: 'bad',
  failed: 'bad',
  firing: 'bad',
};

/** A state shown as a coloured pill (Up, NORMAL, PAUSE, failed, firing...). */
export function Badge({ state, testId }: { state: string; testId?: string }) {
  return (
    <span className={`badge tone-${TONES[state] ?? 'idle'}`} data-testid={testId}>
      {state}
    </span>
  );
}
