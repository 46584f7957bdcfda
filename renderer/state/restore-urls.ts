/**
 * Storage URLs on the Restore page. The host never sends credentials back (URLs come redacted,
 * `access-key=***`), so a snapshot found on the timeline is addressed with the query (and its
 * keys) of the URL the user typed for the same bucket; the parent folder of a snapshot is where
 * its siblings live (`backup-<id>/snapshot-*`).
 */

/** Splits a URL into its part before '?' and its query (with the '?'). */
function splitQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

/** `s3://bucket` of an S3 URL, or the scheme for others: what must match to borrow a query. */
function bucketOf(head: string): string {
  const m = /^([a-z0-9]+:\/\/[^/]*)/i.exec(head);
  return (m?.[1] ?? head).toLowerCase();
}

/** True when a URL came back redacted (its secrets replaced by ***). */
export function isRedacted(url: string): boolean {
  return url.includes('***');
}

/**
 * The usable URL of a storage the host named (redacted): its own path with the query of the
 * first typed URL of the same bucket. Returns null when the secrets cannot be recovered.
 */
export function withCredentials(redacted: string, typed: string[]): string | null {
  if (!isRedacted(redacted)) return redacted;
  const [head] = splitQuery(redacted);
  if (head.includes('***')) return null; // credentials in the userinfo: not ours to rebuild
  for (const t of typed) {
    const [th, tq] = splitQuery(t.trim());
    if (tq !== '' && !isRedacted(tq) && bucketOf(th) === bucketOf(head)) return head + tq;
  }
  return null;
}

/** The folder holding a storage (`…/backup-1/snapshot-x?q` → `…/backup-1?q`), or null at a root. */
export function parentUrl(url: string): string | null {
  const [head, query] = splitQuery(url);
  const trimmed = head.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const scheme = /^[a-z0-9]+:\/\/\/?/i.exec(trimmed)?.[0] ?? '';
  // s3://bucket has no parent; neither has local:/// or a bare '/'.
  const minCut = /^s3:/i.test(scheme) ? trimmed.indexOf('/', scheme.length) : scheme.length;
  if (cut < 0 || cut < minCut || cut === 0 || trimmed.slice(0, cut + 1) === scheme) return null;
  return trimmed.slice(0, cut) + query;
}

/** A name for a new target cluster: `restore-<MMDD>-<HHMMSS>` (a valid cluster name). */
export function targetClusterName(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `restore-${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** A path inside a storage as its own storage URL (`local:///b` + `backup-1/log-backup/`), query kept. */
export function appendPath(url: string, path: string): string {
  const [head, query] = splitQuery(url.trim());
  const rel = path.replace(/^\/+|\/+$/g, '');
  if (rel === '') return url.trim();
  return `${head.replace(/\/+$/, '')}/${rel}${query}`;
}
