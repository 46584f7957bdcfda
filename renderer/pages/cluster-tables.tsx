/** The Cluster page's tables: TiKV stores, regions, and the GC safepoints. */
import { Badge, Button, Card, Empty, ErrorBanner, Stat } from '../components/index.ts';
import { formatBytes, formatCount, formatDateTime, formatTsoTime } from '../lib/format.ts';
import { runGc, useClusterStore } from '../state/cluster.ts';
import { clearOp, useOp } from '../state/ops.ts';

// Thousands of regions would make the page heavy; the first ones tell the story.
const MAX_REGION_ROWS = 200;

/** The TiKV stores with state, leaders and size. */
export function StoresCard() {
  const status = useClusterStore((s) => s.status);
  if (!status) return null;
  return (
    <Card title="TiKV stores" testId="cluster-stores">
      <div className="table-wrap">
        <table className="table" data-testid="cluster-stores-table">
          <thead>
            <tr>
              <th>Store</th>
              <th>State</th>
              <th className="num">Leaders</th>
              <th className="num">Keys (led)</th>
              <th className="num">Size (led)</th>
            </tr>
          </thead>
          <tbody>
            {status.stores.map((s) => (
              <tr key={s.store_id} data-testid={`cluster-store-row-${s.store_id}`}>
                <td>store {s.store_id}</td>
                <td>
                  <Badge state={s.state} testId={`cluster-store-state-${s.store_id}`} />
                </td>
                <td className="num" data-testid={`cluster-store-leaders-${s.store_id}`}>
                  {s.leader_count}
                </td>
                <td className="num">{formatCount(s.approximate_keys)}</td>
                <td className="num">{formatBytes(s.approximate_size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** The GC safepoint, the service safepoints that hold it back, and a manual GC run. */
export function GcCard() {
  const status = useClusterStore((s) => s.status);
  const op = useOp('cluster:gc');
  if (!status) return null;
  return (
    <Card
      title="GC safepoint"
      testId="cluster-gc"
      actions={
        <Button onClick={() => void runGc()} busy={op.busy} data-testid="cluster-gc-run">
          Run GC now
        </Button>
      }
    >
      <div className="stats">
        <Stat label="GC safepoint" value={<span data-testid="cluster-gc-safepoint">{status.gc_safe_point === '0' ? 'none yet' : formatTsoTime(status.gc_safe_point)}</span>} sub={status.gc_safe_point} />
        <Stat label="tikv_gc_life_time" value={`${Math.round(status.gc_life_time_s / 60)}m`} />
      </div>
      {status.service_safe_points.length === 0 ? (
        <Empty>No service safepoint: nothing (log backup, snapshot, restore) holds GC back.</Empty>
      ) : (
        <table className="table" data-testid="cluster-service-safepoints">
          <thead>
            <tr>
              <th>Service</th>
              <th>Safepoint</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {status.service_safe_points.map((s) => (
              <tr key={s.service_id}>
                <td>{s.service_id}</td>
                <td>{formatTsoTime(s.safe_point)}</td>
                <td>{formatDateTime(s.expire_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status.last_gc && (
        <p className="muted">
          Last GC at {formatDateTime(status.last_gc.at)}: {formatCount(status.last_gc.removed_versions)} old versions removed, {status.last_gc.resolved_locks} locks resolved.
        </p>
      )}
      <ErrorBanner error={op.error} title="GC did not run" onDismiss={() => clearOp('cluster:gc')} testId="cluster-gc-error" />
    </Card>
  );
}

/** The regions, as PD sees them. */
export function RegionsCard() {
  const status = useClusterStore((s) => s.status);
  if (!status) return null;
  const rows = status.regions.slice(0, MAX_REGION_ROWS);
  return (
    <Card title={`Regions (${status.regions.length})`} testId="cluster-regions">
      <div className="table-wrap">
        <table className="table" data-testid="cluster-regions-table">
          <thead>
            <tr>
              <th className="num">Region</th>
              <th>Start key</th>
              <th>End key</th>
              <th className="num">Leader</th>
              <th className="num">Epoch (ver/conf)</th>
              <th className="num">Keys</th>
              <th className="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.region_id} data-testid={`cluster-region-row-${r.region_id}`}>
                <td className="num">{r.region_id}</td>
                <td className="mono">{r.start_key || '−∞'}</td>
                <td className="mono">{r.end_key || '+∞'}</td>
                <td className="num">store {r.leader_store_id}</td>
                <td className="num">
                  {r.epoch.version}/{r.epoch.conf_ver}
                </td>
                <td className="num">{formatCount(r.approximate_keys)}</td>
                <td className="num">{formatBytes(r.approximate_size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {status.regions.length > rows.length && <p className="muted">Showing the first {rows.length} regions.</p>}
    </Card>
  );
}
