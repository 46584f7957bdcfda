/**
 * Saved S3 keys meet IPC calls here. A successful connection test (`storage:test`, the log
 * backup wizard's button) with keys in its s3:// URL saves them for that bucket and endpoint;
 * later calls naming the same bucket without keys get them filled in, in main, so the renderer
 * need not keep keys after the wizard. Store workers open storage from the URL, which is why
 * keys travel in it (as in br's `--storage`); the host redacts URLs wherever they are shown.
 */
import { parseStorageUrl } from '../../core/storage/url.ts';
import type { S3Credentials } from '../../core/storage/url.ts';
import type { SaveResult, SecretStore } from './secrets.ts';

/** The request fields that hold storage URLs, across the contract's channels. */
export const STORAGE_FIELDS = ['storage', 'full_backup_storage', 'base'] as const;

/** The channel whose success means "these keys work: keep them". */
export const SAVE_ON_CHANNEL = 'storage:test';

/** The profile (bucket and endpoint, never a key) of an s3:// URL, or undefined for others. */
export function profileOf(url: string): string | undefined {
  try {
    const parsed = parseStorageUrl(url);
    if (parsed.scheme !== 's3') return undefined;
    return `s3://${parsed.bucket} at ${parsed.endpoint ?? 'AWS'}`;
  } catch {
    return undefined;
  }
}

function credentialsIn(url: string): S3Credentials | undefined {
  try {
    const parsed = parseStorageUrl(url);
    if (parsed.scheme !== 's3' || parsed.accessKey === undefined || parsed.secretAccessKey === undefined) return undefined;
    const creds: S3Credentials = { accessKeyId: parsed.accessKey, secretAccessKey: parsed.secretAccessKey };
    if (parsed.sessionToken !== undefined) creds.sessionToken = parsed.sessionToken;
    return creds;
  } catch {
    return undefined;
  }
}

function addCredentials(url: string, creds: S3Credentials): string {
  const params = [`access-key=${encodeURIComponent(creds.accessKeyId)}`, `secret-access-key=${encodeURIComponent(creds.secretAccessKey)}`];
  if (creds.sessionToken !== undefined) params.push(`session-token=${encodeURIComponent(creds.sessionToken)}`);
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${params.join('&')}${fragment}`;
}

/**
 * The input with saved keys added to every s3:// URL that has none. Keys in the environment
 * (AWS_ACCESS_KEY_ID) win over saved ones, as they do for the CLI, so nothing is added then.
 */
export function fillSavedCredentials(input: unknown, store: Pick<SecretStore, 'get'>, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  if (env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of STORAGE_FIELDS) {
    const url = out[field];
    if (typeof url !== 'string' || credentialsIn(url) !== undefined) continue;
    const profile = profileOf(url);
    const saved = profile === undefined ? undefined : store.get(profile);
    if (saved !== undefined) out[field] = addCredentials(url, saved);
  }
  return out;
}

/** Saves the keys of a successful connection test; returns what each save did. */
export function rememberCredentials(channel: string, input: unknown, store: Pick<SecretStore, 'save'>): SaveResult[] {
  if (channel !== SAVE_ON_CHANNEL || typeof input !== 'object' || input === null) return [];
  const results: SaveResult[] = [];
  for (const field of STORAGE_FIELDS) {
    const url = (input as Record<string, unknown>)[field];
    if (typeof url !== 'string') continue;
    const creds = credentialsIn(url);
    const profile = profileOf(url);
    if (creds !== undefined && profile !== undefined) results.push(store.save(profile, creds));
  }
  return results;
}
