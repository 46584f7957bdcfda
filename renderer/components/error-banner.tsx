/**
 * Shows an API error: what happened (the host's message, which says what to do next), its stable
 * code (searchable in TiDB's docs), and a hint for the codes where the next step is in the app.
 */
import type { ApiError } from '../client/index.ts';
import { ClientErrorCode } from '../client/index.ts';
import { Button } from './button.tsx';

/** The in-app next step for a code, when the message alone is not enough. */
export function hintFor(code: string): string | null {
  if (code === ClientErrorCode.Offline) return 'Start the host again (`npm start`); this page reconnects by itself.';
  if (code === ClientErrorCode.NoSession || code === 'PiTR:Host:ErrUnauthorized') return 'Open the address that `npm start` printed, or paste the token from the data dir.';
  if (code === 'PD:ErrClusterNotFound') return 'Pick another cluster in the top bar, or create one on the Cluster page.';
  if (code === 'BR:Common:ErrInvalidArgument' || code === 'BR:Common:ErrInvalidTS') return 'Correct the input and try again.';
  if (code.startsWith('BR:ExternalStorage')) return 'Check the storage URL, its credentials and that the endpoint is reachable, then use Test connection.';
  return null;
}

/** Props of ErrorBanner. */
export interface ErrorBannerProps {
  error: ApiError | null;
  /** What the user was doing ("Could not start the log backup"). */
  title?: string;
  onDismiss?: () => void;
  onRetry?: () => void;
  testId?: string;
}

/** The error banner; renders nothing without an error. */
export function ErrorBanner({ error, title = 'That did not work', onDismiss, onRetry, testId = 'error-banner' }: ErrorBannerProps) {
  if (!error) return null;
  const hint = hintFor(error.code);
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      <div className="banner-text">
        <strong>{title}</strong>
        <p data-testid={`${testId}-message`}>{error.message}</p>
        {hint && <p className="banner-hint">What to do: {hint}</p>}
        <code className="banner-code">{error.code}</code>
      </div>
      <div className="banner-actions">
        {onRetry && <Button onClick={onRetry}>Retry</Button>}
        {onDismiss && (
          <Button kind="ghost" onClick={onDismiss} aria-label="Dismiss">
            Dismiss
          </Button>
        )}
      </div>
    </div>
  );
}
