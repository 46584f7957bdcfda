/** The Cluster page: create a cluster; its PD, TSO clock and speed, stores, regions, GC and workloads. */
import { useState } from 'react';
import { Button, Card, ErrorBanner, Field, PageHeader, Select, Stat, TextInput } from '../components/index.ts';
import { formatDateTime, formatTsoTime } from '../lib/format.ts';
import { createCluster, refreshStatus, setClockSpeed, useClusterStore } from '../state/cluster.ts';
import { clearOp, useOp } from '../state/ops.ts';
import { useWatch } from '../state/poll.ts';
import { GcCard, RegionsCard, StoresCard } from './cluster-tables.tsx';
import { WorkloadCard } from './cluster-workload.tsx';

// The TSO clock and the workload figures move every second: refresh at that pace.
const STATUS_REFRESH_MS = 1000;
// Clock speeds offered: real time up to "an hour per second" (to age backups and GC quickly).
const CLOCK_SPEEDS = [1, 10, 60, 600, 3600];

/** `pitr cluster create`. */
function CreateCluster() {
  const [name, setName] = useState('');
  const [stores, setStores] = useState('3');
  const op = useOp('cluster:create');
  return (
    <Card title="Create a cluster" testId="cluster-create">
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void createCluster(name.trim() || undefined, Number(stores));
        }}
      >
        <Field label="Name" hint="lower-case letters, digits and dashes; empty picks cluster-N">
          <TextInput value={name} onChange={(e) => setName(e.target.value)} placeholder="cluster-1" data-testid="cluster-create-name" />
        </Field>
        <Field label="TiKV stores">
          <Select value={stores} onChange={(e) => setStores(e.target.value)} data-testid="cluster-create-stores">
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </Select>
        </Field>
        <Button kind="primary" type="submit" busy={op.busy} data-testid="cluster-create-submit">
          Create cluster
        </Button>
      </form>
      <ErrorBanner error={op.error} title="Could not create the cluster" onDismiss={() => clearOp('cluster:create')} testId="cluster-create-error" />
    </Card>
  );
}

/** PD, the TSO clock and its speed. */
function Overview() {
  const status = useClusterStore((s) => s.status);
  const op = useOp('cluster:set-clock');
  const [speed, setSpeed] = useState<string>('');
  if (!status) return null;
  const regions = status.regions.length;
  return (
    <Card title={`Cluster ${status.name}`} testId="cluster-overview">
      <div className="stats">
        <Stat label="PD endpoint" value={<code>{status.pd}</code>} sub={`cluster id ${status.cluster_id}`} />
        <Stat label="TSO" value={<span data-testid="cluster-tso">{status.tso}</span>} sub={formatTsoTime(status.tso)} />
        <Stat label="Cluster time" value={formatDateTime(status.cluster_time).slice(11, 19)} sub={formatDateTime(status.cluster_time).slice(0, 10)} />
        <Stat label="Clock speed" value={<span data-testid="cluster-clock-value">{`${status.clock_speed}×`}</span>} sub={status.clock_speed === 1 ? 'real time' : 'faster than real time'} />
        <Stat label="Stores" value={status.stores.length} sub={`${status.stores.filter((s) => s.state === 'Up').length} Up`} />
        <Stat label="Regions" value={<span data-testid="cluster-region-count">{regions}</span>} />
      </div>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (speed !== '') void setClockSpeed(Number(speed));
        }}
      >
        <Field label="TSO clock speed" hint="how fast cluster time runs; GC, schedules and backup ages follow it">
          <Select value={speed === '' ? String(status.clock_speed) : speed} onChange={(e) => setSpeed(e.target.value)} data-testid="cluster-clock-speed">
            {[...new Set([...CLOCK_SPEEDS, status.clock_speed])].sort((a, b) => a - b).map((s) => (
              <option key={s} value={s}>
                {s === 1 ? '1× (real time)' : `${s}×`}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" busy={op.busy} disabled={speed === '' || Number(speed) === status.clock_speed} data-testid="cluster-clock-apply">
          Set speed
        </Button>
      </form>
      <ErrorBanner error={op.error} title="Could not change the clock speed" onDismiss={() => clearOp('cluster:set-clock')} testId="cluster-clock-error" />
      {status.scheduler_error && <div className="banner banner-info">PD scheduler: {status.scheduler_error}</div>}
    </Card>
  );
}

/** The Cluster page. */
export function ClusterPage() {
  const current = useClusterStore((s) => s.current);
  const statusError = useOp('cluster:status').error;
  useWatch('cluster:status', refreshStatus, STATUS_REFRESH_MS, [current]);
  return (
    <>
      <PageHeader title="Cluster" lead="A simulated TiDB cluster: PD allocates timestamps (TSO) and schedules regions; each TiKV store keeps its data in SQLite." />
      <CreateCluster />
      <ErrorBanner error={statusError} title="Could not read the cluster status" onDismiss={() => clearOp('cluster:status')} testId="cluster-status-error" />
      {current && (
        <>
          <Overview />
          <WorkloadCard />
          <div className="grid-2">
            <StoresCard />
            <GcCard />
          </div>
          <RegionsCard />
        </>
      )}
    </>
  );
}
