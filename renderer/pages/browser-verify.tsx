/** The Backup browser's checksum verification and log coverage cards. */
import { Button, Card, Empty, ErrorBanner, Stat } from '../components/index.ts';
import { formatBytes, formatCount, formatDuration } from '../lib/format.ts';
import { loadCoverage, logBackupPaths, useBrowseStore, verifyBrowseStorage } from '../state/browse.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { Timeline } from '../timeline/timeline.tsx';

/** "Verify checksums": every data file against the sha256 its metadata records. */
export function VerifyCard() {
  const opened = useBrowseStore((s) => s.opened);
  const v = useBrowseStore((s) => s.verify);
  const op = useOp('browser:verify');
  if (opened === null) return null;
  return (
    <Card
      title="Checksums"
      testId="browser-verify-card"
      actions={
        <Button kind="primary" onClick={() => void verifyBrowseStorage('')} busy={op.busy} data-testid="browser-verify">
          Verify checksums
        </Button>
      }
    >
      <ErrorBanner error={op.error} title="Verification did not run" onDismiss={() => clearOp('browser:verify')} testId="browser-verify-error" />
      {v === null ? (
        <Empty testId="browser-verify-empty">Reads every data file of every backup in this storage and compares its sha256 with what the metadata recorded (as pgBackRest's verify).</Empty>
      ) : (
        <div data-testid="browser-verify-result">
          <p className={`verdict ${v.passed ? 'is-ok' : 'is-bad'}`} data-testid="browser-verify-verdict">
            {v.passed ? 'PASSED' : 'FAILED'}
          </p>
          <div className="stats">
            <Stat label="Files checked" value={formatCount(v.checked_files)} sub={formatBytes(v.checked_bytes)} />
            <Stat label="Matched" value={formatCount(v.ok)} tone="ok" />
            <Stat label="Failed" value={formatCount(v.failed)} tone={v.failed > 0 ? 'bad' : undefined} />
            <Stat label="Unreferenced" value={formatCount(v.unreferenced)} sub="data files no metadata lists (not verified)" />
            <Stat label="Took" value={formatDuration(v.duration_ms / 1000)} />
          </div>
          <p className="muted">Backups found: {v.backups.length === 0 ? 'none' : v.backups.map((b) => `${b.path || '(root)'} (${b.kind})`).join(', ')}</p>
          {v.failures.length > 0 && (
            <ul data-testid="browser-verify-failures">
              {v.failures.map((f) => (
                <li key={f.path} className="tone-bad">
                  <code>{f.path}</code>: {f.reason} <code className="muted">{f.code}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}

/** The coverage of a log backup found in the tree, on a read-only timeline. */
export function CoverageCard() {
  const folders = useBrowseStore((s) => s.folders);
  const opened = useBrowseStore((s) => s.opened);
  const model = useBrowseStore((s) => s.coverage);
  const path = useBrowseStore((s) => s.coveragePath);
  const op = useOp('browser:coverage');
  if (opened === null) return null;
  const logs = logBackupPaths(folders);
  return (
    <Card title="Log coverage" testId="browser-coverage">
      {logs.length === 0 ? (
        <Empty testId="browser-coverage-empty">No log backup in the opened folders yet: open a backup-&lt;id&gt; folder to find its log-backup.</Empty>
      ) : (
        <div className="form-row">
          {logs.map((p) => (
            <Button key={p} onClick={() => void loadCoverage(p)} busy={op.busy} kind={p === path ? 'primary' : 'secondary'} data-testid={`browser-coverage-load-${p}`}>
              Coverage of {p || 'this storage'}
            </Button>
          ))}
        </div>
      )}
      <ErrorBanner error={op.error} title="Could not read the log backup" onDismiss={() => clearOp('browser:coverage')} testId="browser-coverage-error" />
      {model && <Timeline model={model} testId="browser-coverage-timeline" label="Log coverage" />}
    </Card>
  );
}
