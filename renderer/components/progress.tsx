/** A progress bar with what is done, the rate and the ETA. */
import { formatDuration } from '../lib/format.ts';

/** Props of Progress. */
export interface ProgressProps {
  /** 0..1, or null when the total is not known yet (an indeterminate bar). */
  fraction: number | null;
  label: string;
  /** Seconds left, when known. */
  etaS?: number | null;
  /** A detail such as `12.3 MiB of 40 MiB, 8.1 MiB/s`. */
  detail?: string;
  testId?: string;
}

/** The bar. */
export function Progress({ fraction, label, etaS, detail, testId = 'progress' }: ProgressProps) {
  const pct = fraction === null ? null : Math.max(0, Math.min(1, fraction)) * 100;
  return (
    <div className="progress" data-testid={testId}>
      <div className="progress-top">
        <span className="progress-label">{label}</span>
        <span className="progress-figures">
          {pct !== null && <span data-testid={`${testId}-percent`}>{pct.toFixed(0)}%</span>}
          {etaS !== undefined && etaS !== null && <span> · ETA {formatDuration(etaS)}</span>}
        </span>
      </div>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined} aria-label={label}>
        <div className={`progress-fill${pct === null ? ' is-indeterminate' : ''}`} style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      {detail && <div className="progress-detail">{detail}</div>}
    </div>
  );
}
