/** Names of the layout → kinds, and the helpers that find a file's metadata from its path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupKindFromHead, backupKindFromSiblings, classifyFile, classifyFolder } from '../../../core/browse/classify.ts';
import { logRootOf, metaNamePrefixesForHour, snapshotRootOf } from '../../../core/browse/records.ts';
import { parentStorageUrl } from '../../../core/browse/snapshots.ts';
import { boundJson, DEFAULT_MAX_ARRAY_ITEMS } from '../../../core/browse/bound-json.ts';
import { metaFilePath } from '../../../core/logbackup/format.ts';

test('files are classified by their place in the layout, at any depth', () => {
  const cases: Array<[string, string]> = [
    ['v1/backupmeta/00000470675135524241409-1-abc.meta', 'log-meta'],
    ['backup-1/log-backup/v1/backupmeta/00000470675135524241409-1-abc.meta', 'log-meta'],
    ['v1/20261124/01/1/470675135523979265-e6e2.log', 'log-data'],
    ['v1/global_checkpoint/2.ts', 'log-checkpoint'],
    ['v1/global_checkpoint/central.ts', 'log-checkpoint'],
    ['x/v1_stream_truncate_safepoint.txt', 'log-truncate-safepoint'],
    ['backup.lock', 'lock'],
    ['truncating.lock', 'lock'],
    ['snapshot-20261124011912/store2/7_3_ab12_4706_write.sst', 'snapshot-data'],
    ['.pitr-probe/0123', 'other'],
    ['v1/notes.txt', 'other'],
  ];
  for (const [path, kind] of cases) assert.equal(classifyFile(path), kind, path);
  assert.equal(classifyFile('a/backupmeta', 'snapshot'), 'snapshot-backupmeta');
  assert.equal(classifyFile('a/backupmeta', 'log'), 'log-backupmeta');
});

test('folders, and what kind of backup a backupmeta belongs to', () => {
  assert.equal(classifyFolder('backup-15348746680931272060'), 'cluster-backups');
  assert.equal(classifyFolder('log-backup'), 'log-backup');
  assert.equal(classifyFolder('snapshot-20261124011912'), 'snapshot');
  assert.equal(classifyFolder('v1'), 'folder');
  assert.equal(backupKindFromSiblings(['v1'], ['backupmeta']), 'log');
  assert.equal(backupKindFromSiblings(['store1', 'store2'], ['backupmeta', 'backup.lock']), 'snapshot');
  assert.equal(backupKindFromSiblings([], ['backupmeta']), undefined);
  assert.equal(backupKindFromHead(Buffer.from('{"version":1,"kind":"log","cluster_id":"1"')), 'log');
  assert.equal(backupKindFromHead(Buffer.from('{\n "version": 1,\n "kind": "snapshot",')), 'snapshot');
});

test("a .log file's .meta is found under its flush hour's name prefix", () => {
  const hourMs = Date.UTC(2026, 10, 24, 1);
  for (let h = 0; h < 48; h++) {
    const at = hourMs + h * 3_600_000;
    const prefixes = metaNamePrefixesForHour(at);
    assert.ok(prefixes.length <= 20 && prefixes.every((p) => p.length >= 9), `narrow listings: ${prefixes.join(',')}`);
    for (const ms of [at, at + 1, at + 3_599_999]) {
      const name = metaFilePath((BigInt(ms) << 18n) + 5n, 1, 'id').slice('v1/backupmeta/'.length);
      assert.ok(prefixes.some((p) => name.startsWith(p)), `${name} starts with one of ${prefixes.join(',')}`);
    }
    const before = metaFilePath((BigInt(at - 3_600_000) << 18n), 1, 'id').slice('v1/backupmeta/'.length);
    const later = metaFilePath((BigInt(at + 7_200_000) << 18n), 1, 'id').slice('v1/backupmeta/'.length);
    assert.ok(!prefixes.some((p) => before.startsWith(p) && later.startsWith(p)), 'not every flush of the day matches');
  }
  assert.equal(logRootOf('b/log-backup/v1/20261124/01/3/123-uuid.log'), 'b/log-backup/');
  assert.equal(logRootOf('v1/20261124/01/3/123-uuid.log'), '');
  assert.equal(snapshotRootOf('s/store1/1_2_ab_3_write.sst'), 's/');
});

test('parent storage URLs keep the query and stop at the root', () => {
  assert.equal(parentStorageUrl('s3://b/p/backup-1/log-backup?endpoint=http://x'), 's3://b/p/backup-1?endpoint=http://x');
  assert.equal(parentStorageUrl('local:///tmp/a/log-backup/'), 'local:///tmp/a');
  assert.equal(parentStorageUrl('/tmp/a'), '/tmp');
  assert.equal(parentStorageUrl('s3://bucket'), null);
});

test('decoded metadata is bounded', () => {
  const big = { files: Array.from({ length: 500 }, (_, i) => ({ i })), key: 'k'.repeat(10_000) };
  const r = boundJson(big);
  assert.equal(r.truncated, true);
  const v = r.value as { files: unknown[]; key: string };
  assert.equal(v.files.length, DEFAULT_MAX_ARRAY_ITEMS + 1);
  assert.match(String(v.files.at(-1)), /450 more items/);
  assert.ok(v.key.length < 2100);
  assert.equal(boundJson({ a: [1, 2] }).truncated, false);
});
