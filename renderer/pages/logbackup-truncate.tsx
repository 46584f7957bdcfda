/** `br log truncate`: a dry run shows what would go; only then can the user confirm. */
import { useState } from 'react';
import { Button, Card, ErrorBanner, Field, TextInput } from '../components/index.ts';
import { formatBytes, formatTso } from '../lib/format.ts';
import { cancelTruncate, confirmTruncate, previewTruncate, useLogBackupStore } from '../state/logbackup.ts';
import { clearOp, useOp } from '../state/ops.ts';

/** The truncate card; `storage` pre-fills the task's storage. */
export function TruncateCard({ storage: initialStorage }: { storage: string }) {
  const [storage, setStorage] = useState(initialStorage);
  const [until, setUntil] = useState('');
  const preview = useLogBackupStore((s) => s.preview);
  const truncated = useLogBackupStore((s) => s.truncated);
  const op = useOp('logbackup:truncate');
  const edit = (f: (v: string) => void) => (v: string) => {
    f(v);
    cancelTruncate();
  };
  return (
    <Card title="Truncate old log files" testId="logbackup-truncate">
      <p className="muted">Removes log files whose changes all precede --until. Restores to points before it become impossible; snapshots are not touched.</p>
      <div className="form-row">
        <Field label="Storage">
          <TextInput value={storage} onChange={(e) => edit(setStorage)(e.target.value)} data-testid="logbackup-truncate-storage" />
        </Field>
        <Field label="Until" hint="a datetime or a TSO">
          <TextInput value={until} onChange={(e) => edit(setUntil)(e.target.value)} placeholder="2024-05-01 00:00:00" data-testid="logbackup-truncate-until" />
        </Field>
        <Button onClick={() => void previewTruncate(storage.trim(), until.trim())} busy={op.busy && !preview} disabled={storage.trim() === '' || until.trim() === ''} data-testid="logbackup-truncate-preview">
          Preview (dry run)
        </Button>
      </div>
      {preview && (
        <div className="banner banner-info" data-testid="logbackup-truncate-plan">
          <div className="banner-text">
            <strong>
              Would remove <span data-testid="logbackup-truncate-count">{preview.result.removed_files.length}</span> files ({formatBytes(preview.result.removed_bytes)}), keep {preview.result.kept_files}.
            </strong>
            <p>After it, the log starts at {formatTso(preview.result.log_min_ts)}.</p>
          </div>
          <div className="banner-actions">
            <Button kind="danger" onClick={() => void confirmTruncate()} busy={op.busy} data-testid="logbackup-truncate-confirm">
              Truncate {preview.result.removed_files.length} files
            </Button>
            <Button kind="ghost" onClick={cancelTruncate}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {truncated && (
        <div className="banner banner-ok" data-testid="logbackup-truncate-done">
          Removed {truncated.removed_files.length} files ({formatBytes(truncated.removed_bytes)}); {truncated.kept_files} kept.
        </div>
      )}
      <ErrorBanner error={op.error} title="Truncate failed" onDismiss={() => clearOp('logbackup:truncate')} testId="logbackup-truncate-error" />
    </Card>
  );
}
