/**
 * The Backup browser page: the tree of a storage (one folder loaded at a time), the decoded
 * metadata of any file, checksum verification, and the coverage of a log backup found in it.
 *
 * data-testids (the e2e journey selects by these):
 *   browser-storage, browser-open, browser-open-error(-message), browser-tree,
 *   browser-node-<path> (a folder's path ends with '/', e.g. browser-node-backup-1/log-backup/;
 *   a file's is its path, e.g. browser-node-backup-1/log-backup/backupmeta),
 *   browser-more-<path>, browser-folder-error,
 *   browser-metadata, browser-metadata-kind, browser-metadata-path, browser-metadata-error,
 *   browser-data-summary, browser-checksum-<i>, browser-decoded, browser-inspect-error,
 *   browser-verify, browser-verify-result, browser-verify-verdict (PASSED | FAILED),
 *   browser-verify-failures, browser-verify-error,
 *   browser-coverage, browser-coverage-load-<path>, browser-coverage-error, and the read-only
 *   timeline under the prefix browser-coverage-timeline (…-canvas, …-zoom-in, …-fit).
 */
import { Button, Card, Empty, ErrorBanner, Field, PageHeader, TextInput } from '../components/index.ts';
import { formatBytes } from '../lib/format.ts';
import { inspectFile, loadMore, openBrowseStorage, setBrowseStorage, toggleFolder, useBrowseStore } from '../state/browse.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { MetadataCard } from './browser-metadata.tsx';
import { CoverageCard, VerifyCard } from './browser-verify.tsx';

/** The storage to open. */
function OpenCard() {
  const storage = useBrowseStore((s) => s.storage);
  const op = useOp('browser:open');
  return (
    <Card title="Storage" testId="browser-open-card">
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void openBrowseStorage();
        }}
      >
        <Field label="Storage URL" hint="local:///abs/path, a plain path, or s3://bucket/prefix?endpoint=…&access-key=…&secret-access-key=…">
          <TextInput value={storage} onChange={(e) => setBrowseStorage(e.target.value)} placeholder="local:///backups" data-testid="browser-storage" />
        </Field>
        <Button kind="primary" type="submit" busy={op.busy} disabled={storage.trim() === ''} data-testid="browser-open">
          Open
        </Button>
      </form>
      <ErrorBanner error={op.error} title="Could not open the storage" onDismiss={() => clearOp('browser:open')} testId="browser-open-error" />
    </Card>
  );
}

/** One folder's children, recursively for the open ones. */
function FolderChildren({ path }: { path: string }) {
  const node = useBrowseStore((s) => s.folders[path]);
  const folders = useBrowseStore((s) => s.folders);
  const selected = useBrowseStore((s) => s.selected);
  if (!node?.open) return null;
  const r = node.result;
  return (
    <ul className={`tree${path === '' ? ' tree-root' : ''}`} role={path === '' ? 'tree' : 'group'}>
      {r.folders.map((f) => (
        <li key={f.path} role="treeitem" aria-expanded={folders[f.path]?.open ?? false}>
          <button type="button" onClick={() => void toggleFolder(f.path)} data-testid={`browser-node-${f.path}`} title={f.kind}>
            {folders[f.path]?.open ? '▾' : '▸'} {f.name}/
            {f.kind !== 'folder' && <span className="tree-size">{f.kind}</span>}
          </button>
          <FolderChildren path={f.path} />
        </li>
      ))}
      {r.files.map((f) => (
        <li key={f.path} role="treeitem">
          <button type="button" className={selected === f.path ? 'is-selected' : ''} onClick={() => void inspectFile(f.path)} data-testid={`browser-node-${f.path}`}>
            {f.name}
            <span className="tree-size">
              {formatBytes(f.size)} · {f.kind}
            </span>
          </button>
        </li>
      ))}
      {r.truncated && (
        <li>
          <Button kind="ghost" onClick={() => void loadMore(path)} data-testid={`browser-more-${path}`}>
            More…
          </Button>
        </li>
      )}
      {path === '' && r.folders.length === 0 && r.files.length === 0 && <li className="muted">This storage is empty.</li>}
    </ul>
  );
}

/** The tree of the opened storage. */
function TreeCard() {
  const opened = useBrowseStore((s) => s.opened);
  const root = useBrowseStore((s) => s.folders['']?.result.storage);
  const op = useOp('browser:folder');
  return (
    <Card title={root ? `Files of ${root}` : 'Files'} testId="browser-tree">
      {opened === null ? <Empty testId="browser-tree-empty">Open a storage to see its folders: a cluster's backups sit under backup-&lt;cluster-id&gt;/.</Empty> : <FolderChildren path="" />}
      <ErrorBanner error={op.error} title="Could not open the folder" onDismiss={() => clearOp('browser:folder')} testId="browser-folder-error" />
    </Card>
  );
}

/** The Backup browser page. */
export function BrowserPage() {
  return (
    <>
      <PageHeader title="Backup browser" lead="What a backup storage holds: log backup and snapshot files, their decoded metadata, their checksums, and the log's coverage." />
      <OpenCard />
      <div className="browser-split">
        <TreeCard />
        <MetadataCard />
      </div>
      <VerifyCard />
      <CoverageCard />
    </>
  );
}
