/** The Restore page's verification report: per-table checksums and the comparison with the source. */
import { Button, Card, ErrorBanner } from '../components/index.ts';
import { formatCount } from '../lib/format.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useRestoreStore, verifyAgain } from '../state/restore.ts';

/** The report, clearly PASSED or FAILED, with what failed. */
export function VerificationCard() {
  const v = useRestoreStore((s) => s.verification);
  const status = useRestoreStore((s) => s.status);
  const op = useOp('restore:verify');
  if (!v) return null;
  const badTables = v.tables.filter((t) => !t.ok);
  return (
    <Card
      title="Verification"
      testId="restore-verification"
      actions={
        status?.state === 'succeeded' && (
          <Button onClick={() => void verifyAgain()} busy={op.busy} data-testid="restore-verify-again">
            Verify again
          </Button>
        )
      }
    >
      <p className={`verdict ${v.ok ? 'is-ok' : 'is-bad'}`} data-testid="restore-verification-verdict">
        {v.ok ? 'PASSED' : 'FAILED'}
      </p>
      <p className="muted">
        {formatCount(v.files_verified)} files checked by sha256; {formatCount(v.snapshot_kvs)} KVs from the snapshot, {formatCount(v.log_kvs)} from the log.
        {badTables.length > 0 && ` Checksums differ for ${badTables.map((t) => t.table).join(', ')}.`}
      </p>
      <div className="table-wrap">
        <table className="table" data-testid="restore-verification-table">
          <thead>
            <tr>
              <th>Table</th>
              <th className="num">KVs (backupmeta)</th>
              <th className="num">KVs (restored)</th>
              <th>Checksum (backupmeta)</th>
              <th>Checksum (restored)</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {v.tables.map((t) => (
              <tr key={t.table_id} data-testid={`restore-table-row-${t.table}`}>
                <td>{t.table}</td>
                <td className="num">{formatCount(t.expected_kvs)}</td>
                <td className="num">{formatCount(t.kvs)}</td>
                <td><code>{t.expected_checksum}</code></td>
                <td><code>{t.checksum}</code></td>
                <td className={t.ok ? 'tone-ok' : 'tone-bad'}>{t.ok ? 'match' : 'MISMATCH'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div data-testid="restore-source-comparison">
        {v.source.compared ? (
          <p className={v.source.equal ? 'tone-ok' : 'tone-bad'}>
            Source comparison: {v.source.equal ? 'equal' : 'DIFFERENT'}: {formatCount(v.source.keys)} keys compared with the source cluster's MVCC snapshot at the restored ts.
          </p>
        ) : (
          <p className="muted">Source comparison skipped: {v.source.reason}</p>
        )}
        {v.source.mismatches.length > 0 && (
          <ul>
            {v.source.mismatches.map((m) => (
              <li key={m.key}>
                <code>{m.key}</code>: source {m.source ?? '(none)'}, restored {m.restored ?? '(none)'}
              </li>
            ))}
          </ul>
        )}
      </div>
      <ErrorBanner error={op.error} title="Verification did not run" onDismiss={() => clearOp('restore:verify')} testId="restore-verify-error" />
    </Card>
  );
}
