import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendPath, parentUrl, targetClusterName, withCredentials } from '../../../renderer/state/restore-urls.ts';

describe('restore page storage URLs', () => {
  test('a redacted snapshot URL gets the keys of the typed URL of the same bucket', () => {
    const typed = 's3://bk/backup-1?endpoint=http://127.0.0.1:9000&access-key=AK&secret-access-key=SK&force-path-style=true';
    const redacted = 's3://bk/backup-1/snapshot-20261124?endpoint=http://127.0.0.1:9000&access-key=***&secret-access-key=***&force-path-style=true';
    assert.equal(withCredentials(redacted, ['local:///x', typed]), 's3://bk/backup-1/snapshot-20261124' + typed.slice(typed.indexOf('?')));
    assert.equal(withCredentials(redacted, ['s3://other/p?access-key=AK&secret-access-key=SK']), null, 'another bucket lends no keys');
    assert.equal(withCredentials(redacted, [redacted]), null, 'redacted keys are not keys');
    assert.equal(withCredentials('local:///b/snapshot-1', []), 'local:///b/snapshot-1', 'nothing to recover');
  });

  test('parent folders, and none above a root or a bucket', () => {
    assert.equal(parentUrl('local:///b/backup-1/snapshot-2026'), 'local:///b/backup-1');
    assert.equal(parentUrl('s3://bk/backup-1/snapshot-2026/?region=x'), 's3://bk/backup-1?region=x');
    assert.equal(parentUrl('s3://bk/backup-1'), 's3://bk');
    assert.equal(parentUrl('s3://bk'), null);
    assert.equal(parentUrl('local:///b'), null);
    assert.equal(parentUrl('/tmp/b/c'), '/tmp/b');
  });

  test('target names are valid cluster names', () => {
    assert.match(targetClusterName(new Date(2026, 10, 24, 14, 6, 5)), /^restore-1124-140605$/);
  });
});

describe('browser storage URLs', () => {
  test('a folder of a storage becomes its own URL, keys kept after the path', () => {
    assert.equal(appendPath('local:///b/', 'backup-1/log-backup/'), 'local:///b/backup-1/log-backup');
    assert.equal(appendPath('s3://bk/p?access-key=A&secret-access-key=S', 'backup-1/log-backup/'), 's3://bk/p/backup-1/log-backup?access-key=A&secret-access-key=S');
    assert.equal(appendPath('local:///b', ''), 'local:///b');
  });
});
