/**
 * The backup browser slice: a storage's tree loaded one folder at a time (`storage:browse`,
 * paged), the decoded metadata of the selected file (`storage:inspect`), checksum verification
 * (`storage:verify`) and the coverage of a log backup found in the tree (`restore:timeline`).
 */
import { create } from 'zustand';
import type { BrowseResult, InspectResult, VerifyResult } from '../../core/contract/index.ts';
import { invoke } from '../client/index.ts';
import { modelFromTimeline, type TimelineModel } from '../timeline/model.ts';
import { currentCluster } from './cluster.ts';
import { runOp } from './ops.ts';
import { appendPath } from './restore-urls.ts';

// Children per page: enough for a day of hourly folders, small enough to answer at once.
const DEFAULT_PAGE = 500;

/** One folder of the tree: its loaded children and whether it is open. */
export interface FolderNode {
  result: BrowseResult;
  open: boolean;
}

/** What the browse slice holds. */
export interface BrowseSlice {
  storage: string;
  /** The storage the tree shows (what was typed when Open was pressed). */
  opened: string | null;
  /** Loaded folders by path ('' = the root). */
  folders: Record<string, FolderNode>;
  selected: string | null;
  inspect: InspectResult | null;
  verify: VerifyResult | null;
  /** The log backup folder whose coverage is drawn ('' = the root). */
  coveragePath: string | null;
  coverage: TimelineModel | null;
}

/** The browse store. */
export const useBrowseStore = create<BrowseSlice>(() => ({
  storage: '',
  opened: null,
  folders: {},
  selected: null,
  inspect: null,
  verify: null,
  coveragePath: null,
  coverage: null,
}));

const set = useBrowseStore.setState;
const get = useBrowseStore.getState;
const cluster = () => currentCluster() ?? undefined;

/** Sets the storage URL being typed. */
export function setBrowseStorage(storage: string): void {
  set({ storage });
}

async function fetchFolder(storage: string, prefix: string, after?: string): Promise<BrowseResult> {
  return invoke('storage:browse', { cluster: cluster(), storage, prefix, limit: DEFAULT_PAGE, ...(after ? { after } : {}) });
}

/** Opens the typed storage: loads its root folder. */
export async function openBrowseStorage(): Promise<void> {
  const storage = get().storage.trim();
  const root = await runOp('browser:open', () => fetchFolder(storage, ''));
  if (root) set({ opened: storage, folders: { '': { result: root, open: true } }, selected: null, inspect: null, verify: null, coveragePath: null, coverage: null });
}

/** Opens or closes a folder, loading its children the first time. */
export async function toggleFolder(path: string): Promise<void> {
  const { opened, folders } = get();
  if (opened === null) return;
  const node = folders[path];
  if (node) {
    set({ folders: { ...folders, [path]: { ...node, open: !node.open } } });
    return;
  }
  const result = await runOp('browser:folder', () => fetchFolder(opened, path));
  if (result) set((s) => ({ folders: { ...s.folders, [path]: { result, open: true } } }));
}

/** Loads the next page of a folder's children. */
export async function loadMore(path: string): Promise<void> {
  const { opened, folders } = get();
  const node = folders[path];
  if (opened === null || !node?.result.next_after) return;
  const next = await runOp('browser:folder', () => fetchFolder(opened, path, node.result.next_after ?? undefined));
  if (!next) return;
  const merged: BrowseResult = { ...next, folders: [...node.result.folders, ...next.folders], files: [...node.result.files, ...next.files] };
  set((s) => ({ folders: { ...s.folders, [path]: { result: merged, open: true } } }));
}

/** Shows a file's decoded metadata. */
export async function inspectFile(path: string): Promise<void> {
  const { opened } = get();
  if (opened === null) return;
  set({ selected: path });
  const r = await runOp('browser:inspect', () => invoke('storage:inspect', { cluster: cluster(), storage: opened, path }));
  if (r && get().selected === path) set({ inspect: r });
}

/** Re-checks every checksum under a folder ('' = the whole storage). */
export async function verifyBrowseStorage(prefix = ''): Promise<void> {
  const { opened } = get();
  if (opened === null) return;
  set({ verify: null });
  const r = await runOp('browser:verify', () => invoke('storage:verify', { cluster: cluster(), storage: opened, prefix }));
  if (r) set({ verify: r });
}

/** The log backup folders of the loaded tree ('' when the root itself is one). */
export function logBackupPaths(folders: Record<string, FolderNode>): string[] {
  const out = new Set<string>();
  for (const [path, node] of Object.entries(folders)) {
    if (node.result.files.some((f) => f.kind === 'log-backupmeta')) out.add(path);
    for (const f of node.result.folders) if (f.kind === 'log-backup') out.add(f.path);
  }
  return [...out].sort();
}

/** Draws the coverage of the log backup at `path` (its snapshots are found beside it). */
export async function loadCoverage(path: string): Promise<void> {
  const { opened } = get();
  if (opened === null) return;
  const storage = path === '' ? opened : appendPath(opened, path);
  const t = await runOp('browser:coverage', () => invoke('restore:timeline', { cluster: cluster(), storage }));
  if (t) set({ coveragePath: path, coverage: modelFromTimeline(t) });
}
