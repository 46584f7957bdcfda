import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseStorageUrl } from '../../../core/storage/url.ts';
import { fillSavedCredentials, profileOf, rememberCredentials } from '../../../electron/main/saved-credentials.ts';
import { NOT_PERSISTED_NOTICE, SecretStore } from '../../../electron/main/secrets.ts';
import type { SafeStorageLike } from '../../../electron/main/ports.ts';

const KEY = 'AKIAEXAMPLEKEY';
const SECRET = 'wJalr/XUtnFEMI+K7MDENG';

/** A fake safeStorage: XOR with a per-"keychain" byte, so another keychain cannot decrypt. */
function fakeSafeStorage(available: boolean, keychain = 0x5a): SafeStorageLike & { encrypted: number } {
  const fake = {
    encrypted: 0,
    isEncryptionAvailable: () => available,
    encryptString: (s: string) => {
      if (!available) throw new Error('Encryption is not available');
      fake.encrypted++;
      return Buffer.from([keychain, ...Buffer.from(s, 'utf8').map((b) => b ^ keychain)]);
    },
    decryptString: (b: Buffer) => {
      if (b[0] !== keychain) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString');
      return Buffer.from(b.subarray(1).map((x) => x ^ keychain)).toString('utf8');
    },
  };
  return fake;
}

function tempFile(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pitr-secrets-'));
  return { file: join(dir, 'secrets.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('with encryption available, keys are saved encrypted (0600) and survive a restart', () => {
  const { file, cleanup } = tempFile();
  try {
    const safe = fakeSafeStorage(true);
    const store = new SecretStore(safe, file);
    assert.deepEqual(store.save('s3://b at AWS', { accessKeyId: KEY, secretAccessKey: SECRET }), { persisted: true });
    const onDisk = readFileSync(file, 'utf8');
    assert.doesNotMatch(onDisk, new RegExp(KEY));
    assert.doesNotMatch(onDisk, /wJalr/);
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = new SecretStore(safe, file);
    assert.deepEqual(again.get('s3://b at AWS'), { accessKeyId: KEY, secretAccessKey: SECRET });
    assert.deepEqual(again.profiles(), ['s3://b at AWS']);
    again.remove('s3://b at AWS');
    assert.equal(new SecretStore(safe, file).get('s3://b at AWS'), undefined);
  } finally {
    cleanup();
  }
});

test('without encryption, keys are kept for this run only, nothing is written, and the user is told', () => {
  const { file, cleanup } = tempFile();
  try {
    const store = new SecretStore(fakeSafeStorage(false), file);
    const result = store.save('s3://b at AWS', { accessKeyId: KEY, secretAccessKey: SECRET });
    assert.deepEqual(result, { persisted: false, notice: NOT_PERSISTED_NOTICE });
    assert.doesNotMatch(NOT_PERSISTED_NOTICE, new RegExp(KEY));
    assert.equal(existsSync(file), false);
    assert.deepEqual(store.get('s3://b at AWS'), { accessKeyId: KEY, secretAccessKey: SECRET });
    assert.equal(new SecretStore(fakeSafeStorage(false), file).get('s3://b at AWS'), undefined);
  } finally {
    cleanup();
  }
});

test('keys sealed by another keychain, or a damaged file, read as not saved', () => {
  const { file, cleanup } = tempFile();
  try {
    new SecretStore(fakeSafeStorage(true, 0x11), file).save('p', { accessKeyId: KEY, secretAccessKey: SECRET });
    assert.equal(new SecretStore(fakeSafeStorage(true, 0x22), file).get('p'), undefined);
    writeFileSync(file, '{ not json');
    assert.equal(new SecretStore(fakeSafeStorage(true, 0x11), file).get('p'), undefined);
  } finally {
    cleanup();
  }
});

test('a passing connection test saves the keys of its s3 URL; later calls get them filled in', () => {
  const { file, cleanup } = tempFile();
  try {
    const store = new SecretStore(fakeSafeStorage(true), file);
    const url = `s3://logs/pitr?endpoint=http://127.0.0.1:9000&access-key=${KEY}&secret-access-key=${encodeURIComponent(SECRET)}`;
    assert.deepEqual(rememberCredentials('log:start', { storage: url }, store), [], 'only storage:test saves');
    assert.deepEqual(rememberCredentials('storage:test', { storage: url }, store), [{ persisted: true }]);
    assert.equal(profileOf(url), 's3://logs at http://127.0.0.1:9000');

    const filled = fillSavedCredentials({ cluster: 'c', storage: 's3://logs/other?endpoint=http://127.0.0.1:9000', start_ts: '1' }, store, {}) as Record<string, string>;
    assert.equal(filled.cluster, 'c');
    const parsed = parseStorageUrl(filled.storage!);
    assert.ok(parsed.scheme === 's3');
    assert.equal(parsed.prefix, 'other');
    assert.equal(parsed.accessKey, KEY);
    assert.equal(parsed.secretAccessKey, SECRET);

    const otherEndpoint = { storage: 's3://logs/p?endpoint=http://10.0.0.1:9000' };
    assert.deepEqual(fillSavedCredentials(otherEndpoint, store, {}), otherEndpoint, 'keys are per bucket and endpoint');
    const local = { storage: '/tmp/backup' };
    assert.deepEqual(fillSavedCredentials(local, store, {}), local);
    const envWins = { storage: 's3://logs/x?endpoint=http://127.0.0.1:9000' };
    assert.deepEqual(fillSavedCredentials(envWins, store, { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }), envWins);
  } finally {
    cleanup();
  }
});
