/**
 * The snapshots a timeline shows: every snapshot backup found in the given storages (a snapshot's
 * own folder, or a base folder holding many, as `backup:propose-layout` arranges them), each
 * backupmeta read once and remembered by its size.
 */
import { decodeBackupMeta } from '../snapshot/backupmeta.ts';
import { closeStorage, openStorage } from '../storage/index.ts';
import { appendToStorageUrl } from '../storage/layout.ts';
import { redactUrl } from '../storage/url.ts';
import { findBackupRoots } from './roots.ts';

/** A snapshot's figures, from its backupmeta. */
export interface FoundSnapshot {
  /** Its storage URL, credentials removed. */
  url: string;
  backupTs: bigint;
  clusterId: string;
  size: number;
  kvs: number;
  files: number;
  finishedAt: string;
}

// 2,000 snapshots per timeline, a few timelines: summaries are ~200 bytes each.
const MAX_CACHED = 20_000;
const cache = new Map<string, { size: number; snap: FoundSnapshot }>();

/** The parent folder of a storage URL (`…/backup-1/log-backup?q` → `…/backup-1?q`), or null at a root. */
export function parentStorageUrl(url: string): string | null {
  const q = url.indexOf('?');
  const head = (q < 0 ? url : url.slice(0, q)).trim();
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(head)?.[0] ?? '';
  const rest = head.slice(scheme.length).replace(/\/+$/, '');
  const cut = rest.lastIndexOf('/');
  if (cut < 0) return null; // an S3 bucket's root, or a bare relative name
  return `${scheme}${cut === 0 ? '/' : rest.slice(0, cut)}${q < 0 ? '' : url.slice(q)}`;
}

/** Every snapshot in the given storage URLs; what could not be read goes to `problems`. */
export async function findSnapshots(urls: string[]): Promise<{ snapshots: FoundSnapshot[]; problems: string[] }> {
  const snapshots = new Map<string, FoundSnapshot>();
  const problems: string[] = [];
  for (const url of urls) {
    let storage;
    try {
      storage = openStorage(url);
    } catch (err) {
      problems.push(`cannot open ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    try {
      for (const root of await findBackupRoots(storage)) {
        const display = root.path === '' ? storage.url : appendToStorageUrl(storage.url, root.path.slice(0, -1));
        if (root.kind === 'log') continue;
        if (root.kind === 'incomplete-snapshot') {
          problems.push(`${display} holds an incomplete snapshot (backup.lock but no backupmeta): it failed or is still running`);
          continue;
        }
        const key = `${storage.url}\n${root.path}`;
        let hit = cache.get(key);
        if (hit?.size !== root.backupmetaSize) {
          try {
            const meta = decodeBackupMeta(await storage.read(`${root.path}backupmeta`), display);
            const snap = { url: display, backupTs: BigInt(meta.backup_ts), clusterId: meta.cluster_id, size: meta.totals.size, kvs: meta.totals.kvs, files: meta.totals.files, finishedAt: meta.finished_at };
            hit = { size: root.backupmetaSize, snap };
            cache.set(key, hit);
            if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
          } catch (err) {
            problems.push(err instanceof Error ? err.message : String(err));
            continue;
          }
        }
        snapshots.set(`${hit.snap.url}\n${hit.snap.backupTs}`, hit.snap);
      }
    } catch (err) {
      problems.push(`cannot list ${storage.url}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      closeStorage(storage);
    }
  }
  return { snapshots: [...snapshots.values()].sort((a, b) => (a.backupTs < b.backupTs ? -1 : a.backupTs > b.backupTs ? 1 : 0)), problems };
}
