/**
 * Cron expressions in words and their next runs (cluster time, UTC), the seed's recommended
 * folders under local and S3 base URLs, and the key-range bookkeeping of backup rounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCron, nextRun, parseCron } from '../../../core/snapshot/cron.ts';
import { KeySpanSet } from '../../../core/snapshot/key-ranges.ts';
import { appendToStorageUrl, proposeLayout } from '../../../core/storage/layout.ts';

test('describeCron puts common forms in words and falls back to the expression', () => {
  const cases: Array<[string, string]> = [
    ['0 0 * * *', 'every day at 00:00'],
    ['30 2 * * *', 'every day at 02:30'],
    ['30 * * * *', 'every hour at minute 30'],
    ['*/15 * * * *', 'every 15 minutes'],
    ['* * * * *', 'every minute'],
    ['0 */6 * * *', 'every 6 hours at minute 0'],
    ['0 0,12 * * *', 'every day at 00:00, 12:00'],
    ['0 3 * * 1-5', 'every weekday (Monday to Friday) at 03:00'],
    ['15 4 * * 0', 'every Sunday at 04:15'],
    ['0 1 1 * *', 'on day 1 of every month at 01:00'],
    ['@daily', 'every day at 00:00'],
    ['@hourly', 'every hour at minute 0'],
    ['0 0 1 1 *', '0 0 1 1 *'],
    ['5-10 * * * *', '5-10 * * * *'],
  ];
  for (const [expr, words] of cases) assert.equal(describeCron(expr), words, expr);
});

test('parseCron accepts five fields or a nickname and refuses the rest with an example', () => {
  assert.equal(parseCron('  0   0 * * * '), '0 0 * * *');
  assert.equal(parseCron('@Daily'), '@daily');
  for (const bad of ['', '0 0 * *', '0 0 0 * * *', '60 * * * *', '0 24 * * *', '0 0 31 2 *', 'x y z a b', '@often']) {
    assert.throws(() => parseCron(bad), /not a valid cron expression .*e\.g\. `0 0 \* \* \*` = every day at 00:00/, JSON.stringify(bad));
  }
});

test('nextRun is the next due time strictly after the given cluster time, in UTC', () => {
  const t = Date.parse('2026-01-01T10:00:00Z');
  assert.equal(new Date(nextRun('0 0 * * *', t)).toISOString(), '2026-01-02T00:00:00.000Z');
  assert.equal(new Date(nextRun('0 0 * * *', Date.parse('2026-01-02T00:00:00Z'))).toISOString(), '2026-01-03T00:00:00.000Z');
  assert.equal(new Date(nextRun('*/15 * * * *', t)).toISOString(), '2026-01-01T10:15:00.000Z');
  assert.equal(new Date(nextRun('@midnight', t)).toISOString(), '2026-01-02T00:00:00.000Z');
  assert.equal(new Date(nextRun('0 3 * * 1-5', Date.parse('2026-01-02T04:00:00Z'))).toISOString(), '2026-01-05T03:00:00.000Z');
});

test('proposeLayout gives backup-<cluster-id>/log-backup and snapshot-YYYYMMDDhhmmss under any base', () => {
  const at = Date.parse('2026-03-04T05:06:07.890Z');
  assert.deepEqual(proposeLayout('/var/backups', 42n, at), { log: '/var/backups/backup-42/log-backup', snapshot: '/var/backups/backup-42/snapshot-20260304050607' });
  assert.deepEqual(proposeLayout('local:///var/backups/', '42', at), { log: 'local:///var/backups/backup-42/log-backup', snapshot: 'local:///var/backups/backup-42/snapshot-20260304050607' });
  assert.equal(proposeLayout('local:///', 7n, at).log, 'local:///backup-7/log-backup');
  const s3 = proposeLayout('s3://bucket/team/pitr/?endpoint=http://127.0.0.1:9000&access-key=AK&secret-access-key=SK', 18446744073709551615n, at);
  assert.equal(s3.log, 's3://bucket/team/pitr/backup-18446744073709551615/log-backup?endpoint=http://127.0.0.1:9000&access-key=AK&secret-access-key=SK');
  assert.equal(s3.snapshot, 's3://bucket/team/pitr/backup-18446744073709551615/snapshot-20260304050607?endpoint=http://127.0.0.1:9000&access-key=AK&secret-access-key=SK');
  assert.equal(proposeLayout('s3://bucket', 1n, at).log, 's3://bucket/backup-1/log-backup');
  assert.equal(appendToStorageUrl('s3://bucket/?region=us-east-1', 'a', 'b'), 's3://bucket/a/b?region=us-east-1');
  assert.equal(appendToStorageUrl('relative/dir', 'x'), 'relative/dir/x');
  assert.throws(() => proposeLayout('gcs://bucket/x', 1n, at), /gcs:\/\/ storage is not supported/);
});

test('KeySpanSet cuts backed-up ranges out of the key space', () => {
  const b = (s: string) => Buffer.from(s);
  const set = new KeySpanSet();
  set.subtract({ start: b('m'), end: b('t') });
  set.subtract({ start: b('u'), end: Buffer.alloc(0) });
  assert.deepEqual(set.all().map((s) => [s.start.toString(), s.end.toString()]), [['', 'm'], ['t', 'u']]);
  set.subtract({ start: Buffer.alloc(0), end: b('n') });
  set.subtract({ start: b('t'), end: b('u') });
  assert.ok(set.empty);
});
