/**
 * The directory organisation the seed recommends for one cluster's backups, under any base
 * storage URL: `backup-<cluster-id>/log-backup` for the log backup and
 * `backup-<cluster-id>/snapshot-YYYYMMDDhhmmss` per snapshot. The app proposes exactly these.
 */
import { parseStorageUrl } from './url.ts';

/** The proposed storage URLs of a cluster's log backup and of a snapshot taken at a time. */
export interface ProposedLayout {
  /** `<base>/backup-<cluster-id>/log-backup`. */
  log: string;
  /** `<base>/backup-<cluster-id>/snapshot-YYYYMMDDhhmmss` (UTC). */
  snapshot: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYYMMDDhhmmss` of a Unix ms time, in UTC (the folder name of a snapshot). */
export function snapshotStamp(atMs: number): string {
  const d = new Date(atMs);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/**
 * Appends path segments to a storage URL, before its query (an s3:// URL keeps its
 * `?endpoint=...` parameters): `s3://b/p?x=1` + `a/b` → `s3://b/p/a/b?x=1`.
 */
export function appendToStorageUrl(baseUrl: string, ...segments: string[]): string {
  const q = baseUrl.indexOf('?');
  const head = (q < 0 ? baseUrl : baseUrl.slice(0, q)).trim();
  const query = q < 0 ? '' : baseUrl.slice(q);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(head)?.[0] ?? '';
  // Trailing slashes go, but a bare root (`local:///`, `/`) stays a root.
  const rest = head.slice(scheme.length).replace(/\/+$/, '');
  const rootOnly = rest === '' && (scheme === '' ? head.startsWith('/') : !/^s3:/i.test(scheme));
  const joined = rootOnly ? `/${segments.join('/')}` : `${rest}/${segments.join('/')}`;
  return `${scheme}${joined}${query}`;
}

/**
 * The seed's recommended paths for a cluster under a base URL (checked first: an unsupported
 * scheme such as gcs:// is refused here, before anything is proposed).
 */
export function proposeLayout(baseUrl: string, clusterId: bigint | string, atMs: number): ProposedLayout {
  parseStorageUrl(baseUrl);
  const folder = `backup-${clusterId.toString()}`;
  return {
    log: appendToStorageUrl(baseUrl, folder, 'log-backup'),
    snapshot: appendToStorageUrl(baseUrl, folder, `snapshot-${snapshotStamp(atMs)}`),
  };
}
