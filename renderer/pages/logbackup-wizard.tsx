/** The log backup start wizard: task name, storage with a connection test, start-ts. */
import { useState } from 'react';
import { Button, Card, ErrorBanner, Field, TextInput } from '../components/index.ts';
import { resetStorageTest, startLogBackup, testStorage, useLogBackupStore } from '../state/logbackup.ts';
import { clearOp, useOp } from '../state/ops.ts';

/** `br log start`, in three steps on one card. */
export function StartWizard() {
  const [taskName, setTaskName] = useState('pitr');
  const [storage, setStorage] = useState('');
  const [startTs, setStartTs] = useState('');
  const test = useLogBackupStore((s) => s.test);
  const testOp = useOp('logbackup:test');
  const startOp = useOp('logbackup:start');
  const tested = test !== null && test.storage === storage.trim();
  return (
    <Card title="Start a log backup" testId="logbackup-wizard">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void startLogBackup(taskName.trim(), storage.trim(), startTs.trim() || undefined);
        }}
      >
        <div className="form-row">
          <Field label="1. Task name" hint="--task-name; one log backup task per cluster">
            <TextInput value={taskName} onChange={(e) => setTaskName(e.target.value)} data-testid="logbackup-start-task-name" />
          </Field>
        </div>
        <div className="form-row">
          <Field label="2. Storage" hint="--storage: local:///abs/path, a plain absolute path, or s3://bucket/prefix?endpoint=…&access-key=…&secret-access-key=…">
            <TextInput
              value={storage}
              onChange={(e) => {
                setStorage(e.target.value);
                resetStorageTest();
                clearOp('logbackup:test');
              }}
              placeholder="local:///var/backups/log"
              data-testid="logbackup-start-storage"
            />
          </Field>
          <Button onClick={() => void testStorage(storage.trim())} busy={testOp.busy} disabled={storage.trim() === ''} data-testid="logbackup-start-test">
            Test connection
          </Button>
        </div>
        {tested && (
          <div className="banner banner-ok" data-testid="logbackup-start-test-ok">
            Storage reachable: wrote, read and deleted a probe in {test.latency_ms} ms.
          </div>
        )}
        <ErrorBanner error={testOp.error} title="The storage did not pass the connection test" testId="logbackup-start-test-error" />
        <div className="form-row">
          <Field label="3. Start ts (optional)" hint="--start-ts: a datetime (2024-05-01 14:00:00) or a TSO; empty = now. Changes before it are not backed up.">
            <TextInput value={startTs} onChange={(e) => setStartTs(e.target.value)} placeholder="now" data-testid="logbackup-start-ts" />
          </Field>
          <Button kind="primary" type="submit" busy={startOp.busy} disabled={!tested || taskName.trim() === ''} data-testid="logbackup-start-submit">
            Start log backup
          </Button>
        </div>
        {!tested && storage.trim() !== '' && !testOp.error && <p className="muted">Test the connection before starting: the task would otherwise fail at its first flush.</p>}
      </form>
      <ErrorBanner error={startOp.error} title="Could not start the log backup" onDismiss={() => clearOp('logbackup:start')} testId="logbackup-start-error" />
    </Card>
  );
}
