/**
 * S3 keys the user saved, encrypted with Electron's safeStorage (the OS keychain: Keychain,
 * DPAPI, libsecret/kwallet) and stored 0600 in the data dir. Where the OS offers no encryption
 * the keys are kept in memory only, for this run, and the user is told so: a plaintext key file
 * is never written. Nothing here logs a key or puts one in an error.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { S3Credentials } from '../../core/storage/url.ts';
import type { SafeStorageLike } from './ports.ts';

/** What the user is told when keys cannot be kept encrypted on disk. */
export const NOT_PERSISTED_NOTICE =
  'This system offers no encrypted secret storage to PiTR Studio (on Linux: no keyring such as GNOME Keyring or KWallet), ' +
  'so the S3 keys you entered are kept only until the app quits; enter them again next time, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';

/** The outcome of saving a secret. */
export interface SaveResult {
  /** True when written encrypted to disk; false when kept in memory for this run only. */
  persisted: boolean;
  /** What to tell the user when not persisted. */
  notice?: string;
}

interface SecretsFile {
  version: 1;
  /** profile → base64 of safeStorage.encryptString(JSON of S3Credentials). */
  entries: Record<string, string>;
}

/** Saved S3 credentials by storage profile (see credential-profiles.ts). */
export class SecretStore {
  private readonly memory = new Map<string, S3Credentials>();

  constructor(
    private readonly safeStorage: SafeStorageLike,
    /** The encrypted file (e.g. `<data dir>/secrets.json`). */
    private readonly file: string,
  ) {}

  /** True when saved keys survive a restart. */
  get persistent(): boolean {
    return this.safeStorage.isEncryptionAvailable();
  }

  /** Saves the credentials of a profile, encrypted when possible. */
  save(profile: string, credentials: S3Credentials): SaveResult {
    const clean: S3Credentials = { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };
    if (credentials.sessionToken !== undefined) clean.sessionToken = credentials.sessionToken;
    this.memory.set(profile, clean);
    if (!this.persistent) return { persisted: false, notice: NOT_PERSISTED_NOTICE };
    const data = this.read();
    data.entries[profile] = this.safeStorage.encryptString(JSON.stringify(clean)).toString('base64');
    this.write(data);
    return { persisted: true };
  }

  /** The credentials of a profile, or undefined. */
  get(profile: string): S3Credentials | undefined {
    const known = this.memory.get(profile);
    if (known !== undefined || !this.persistent) return known;
    const sealed = this.read().entries[profile];
    if (sealed === undefined) return undefined;
    try {
      const creds = JSON.parse(this.safeStorage.decryptString(Buffer.from(sealed, 'base64'))) as S3Credentials;
      if (typeof creds.accessKeyId !== 'string' || typeof creds.secretAccessKey !== 'string') return undefined;
      this.memory.set(profile, creds);
      return creds;
    } catch {
      // Sealed by another OS user or keychain: unusable here, as if never saved.
      return undefined;
    }
  }

  /** Forgets a profile's credentials, in memory and on disk. */
  remove(profile: string): void {
    this.memory.delete(profile);
    if (!existsSync(this.file)) return;
    const data = this.read();
    if (!(profile in data.entries)) return;
    delete data.entries[profile];
    this.write(data);
  }

  /** The profiles with saved credentials (names only). */
  profiles(): string[] {
    const names = new Set(this.memory.keys());
    if (this.persistent) for (const p of Object.keys(this.read().entries)) names.add(p);
    return [...names].sort();
  }

  private read(): SecretsFile {
    if (!existsSync(this.file)) return { version: 1, entries: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SecretsFile>;
      const entries = parsed.entries && typeof parsed.entries === 'object' ? parsed.entries : {};
      return { version: 1, entries: Object.fromEntries(Object.entries(entries).filter(([, v]) => typeof v === 'string')) };
    } catch {
      return { version: 1, entries: {} };
    }
  }

  private write(data: SecretsFile): void {
    // Written whole then renamed, so a crash never leaves half a file; 0600 like the token.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
