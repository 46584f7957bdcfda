/** The Backup browser's view of one file: its decoded metadata and, for data files, its checks. */
import type { ChecksumCheck, DataFileSummary } from '../../core/contract/index.ts';
import { Card, Empty, ErrorBanner } from '../components/index.ts';
import { formatBytes, formatCount } from '../lib/format.ts';
import { useBrowseStore } from '../state/browse.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { formatTsText } from '../timeline/tso-text.ts';

// Objects this deep or shallower start unfolded; deeper ones wait for a click.
const OPEN_DEPTH = 2;

/** A TSO as its time, when the value looks like one (the contract carries TSOs as strings). */
function tsHint(key: string, v: string): string | null {
  if (!/(^|_)ts$|_ts$|safepoint|checkpoint|version/i.test(key) || !/^\d{15,20}$/.test(v)) return null;
  return formatTsText(BigInt(v));
}

/** Decoded JSON as a foldable tree. */
function JsonNode({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const brief = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return (
      <li>
        <details open={depth < OPEN_DEPTH}>
          <summary>
            {label}
            <span className="muted">{brief}</span>
          </summary>
          <ul className="json-tree">
            {entries.map(([k, v]) => (
              <JsonNode key={k} name={k} value={v} depth={depth + 1} />
            ))}
          </ul>
        </details>
      </li>
    );
  }
  const hint = typeof value === 'string' && name !== null ? tsHint(name, value) : null;
  const cls = typeof value === 'string' ? 'json-str' : typeof value === 'number' ? 'json-num' : '';
  return (
    <li>
      {label}
      <span className={cls}>{typeof value === 'string' ? `"${value}"` : String(value)}</span>
      {hint && <span className="muted"> ({hint})</span>}
    </li>
  );
}

function checkText(c: ChecksumCheck): string {
  const what = `${c.algorithm} of the ${c.covers === 'file' ? 'stored file' : 'plaintext'}`;
  if (c.ok === null) return `${what}: ${c.actual} (nothing recorded to compare with)`;
  return c.ok ? `${what} matches: ${c.actual}` : `${what} MISMATCH: recorded ${c.expected}, file gives ${c.actual}`;
}

/** A data file's summary decoded from its own bytes, against its metadata. */
function DataSummary({ d }: { d: DataFileSummary }) {
  const ts = (v: string | null) => (v === null ? '—' : `${formatTsText(BigInt(v))} (${v})`);
  return (
    <div data-testid="browser-data-summary">
      <p className={d.ok ? 'tone-ok' : 'tone-bad'}>{d.ok ? 'The file matches its metadata.' : `The file does not match its metadata${d.error ? `: ${d.error}` : '.'}`}</p>
      <dl className="kv">
        <dt>Format</dt>
        <dd>{d.format}, {d.compression}</dd>
        <dt>Listed by</dt>
        <dd>{d.listed_by ?? 'no metadata lists this file (garbage of a failed flush or truncate?)'}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(d.size)}{d.recorded_size !== null && d.recorded_size !== d.size ? ` (metadata says ${formatBytes(d.recorded_size)})` : ''}</dd>
        <dt>Entries</dt>
        <dd>{formatCount(d.entries)}{d.recorded_entries !== null && d.recorded_entries !== d.entries ? ` (metadata says ${formatCount(d.recorded_entries)})` : ''}</dd>
        <dt>Column families</dt>
        <dd>{d.cfs.join(', ') || '—'}</dd>
        <dt>Keys</dt>
        <dd>{d.min_key ?? '—'} … {d.max_key ?? '—'}</dd>
        <dt>Commit ts</dt>
        <dd>{ts(d.min_ts)} … {ts(d.max_ts)}</dd>
      </dl>
      <ul>
        {d.checksums.map((c, i) => (
          <li key={i} className={c.ok === false ? 'tone-bad' : c.ok ? 'tone-ok' : 'muted'} data-testid={`browser-checksum-${i}`}>
            {checkText(c)}
          </li>
        ))}
      </ul>
      {d.blocks.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th className="num">Offset</th>
                <th className="num">Length</th>
                <th>CF</th>
                <th className="num">Region</th>
                <th className="num">Entries</th>
                <th>Max ts</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {d.blocks.map((b) => (
                <tr key={b.offset}>
                  <td className="num">{b.offset}</td>
                  <td className="num">{formatBytes(b.length)} ({formatBytes(b.length_plain)} plain)</td>
                  <td>{b.cf ?? '—'}</td>
                  <td className="num">{b.region_id ?? '—'}</td>
                  <td className="num">{b.entries}</td>
                  <td>{b.max_ts ?? '—'}</td>
                  <td className={b.checksum.ok === false ? 'tone-bad' : ''}>{b.error ?? (b.checksum.ok === false ? 'MISMATCH' : b.checksum.ok ? 'ok' : 'not recorded')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.blocks_omitted > 0 && <p className="muted">{d.blocks_omitted} more blocks not shown.</p>}
        </div>
      )}
    </div>
  );
}

/** The selected file's metadata. */
export function MetadataCard() {
  const selected = useBrowseStore((s) => s.selected);
  const r = useBrowseStore((s) => s.inspect);
  const op = useOp('browser:inspect');
  const current = r !== null && r.path === selected ? r : null;
  return (
    <Card title="Metadata" testId="browser-metadata">
      <ErrorBanner error={op.error} title="Could not read the file" onDismiss={() => clearOp('browser:inspect')} testId="browser-inspect-error" />
      {current === null ? (
        <Empty testId="browser-metadata-empty">{selected === null ? 'Click a file to see what it holds.' : `Reading ${selected}…`}</Empty>
      ) : (
        <>
          <dl className="kv">
            <dt>Path</dt>
            <dd data-testid="browser-metadata-path">{current.path}</dd>
            <dt>Kind</dt>
            <dd data-testid="browser-metadata-kind">{current.kind}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(current.size)}</dd>
          </dl>
          {current.error && (
            <p className="tone-bad" data-testid="browser-metadata-error">
              {current.error}
            </p>
          )}
          {current.data && <DataSummary d={current.data} />}
          {current.decoded !== null && current.decoded !== undefined && (
            <ul className="json-tree" data-testid="browser-decoded">
              <JsonNode name={null} value={current.decoded} depth={0} />
            </ul>
          )}
          {current.truncated && <p className="muted">Long arrays and strings were shortened to keep this view small.</p>}
        </>
      )}
    </Card>
  );
}
