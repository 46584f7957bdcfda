/** The app shell: navigation, the cluster the pages act on, and the current page. */
import { useEffect } from 'react';
import { Select } from '../components/index.ts';
import { loadClusters, selectCluster, useClusterStore } from '../state/cluster.ts';
import { useWatch } from '../state/poll.ts';
import { navigate, useRouter } from '../state/router.ts';
import { DEFAULT_ROUTE, ROUTES } from './routes.ts';

// The cluster list changes rarely (create, destroy, a restore's new cluster): a slow refresh.
const CLUSTER_LIST_REFRESH_MS = 3000;

/** The top bar's cluster picker. */
function ClusterPicker() {
  const clusters = useClusterStore((s) => s.clusters);
  const current = useClusterStore((s) => s.current);
  if (clusters.length === 0) return <span className="muted" data-testid="shell-no-cluster">No cluster yet</span>;
  return (
    <label className="cluster-picker">
      <span>Cluster</span>
      <Select value={current ?? ''} onChange={(e) => selectCluster(e.target.value)} data-testid="shell-cluster-select">
        {clusters.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} · PD {c.pd}
          </option>
        ))}
      </Select>
    </label>
  );
}

/** The whole app once signed in. */
export function Shell() {
  const page = useRouter((s) => s.page);
  const route = ROUTES.find((r) => r.id === page) ?? ROUTES.find((r) => r.id === DEFAULT_ROUTE)!;
  useWatch('shell:clusters', loadClusters, CLUSTER_LIST_REFRESH_MS);
  useEffect(() => {
    if (page !== route.id) navigate(route.id);
  }, [page, route.id]);
  const { Page } = route;
  return (
    <div className="shell">
      <nav className="nav" aria-label="Pages">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          PiTR Studio
        </div>
        <ul>
          {ROUTES.map((r) => (
            <li key={r.id}>
              <a href={`#/${r.id}`} className={r.id === route.id ? 'active' : undefined} aria-current={r.id === route.id ? 'page' : undefined} data-testid={`nav-${r.id}`}>
                <span className="nav-label">{r.label}</span>
                <span className="nav-blurb">{r.blurb}</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <div className="topbar">
          <ClusterPicker />
        </div>
        <main className="page" data-testid={`page-${route.id}`}>
          <Page />
        </main>
      </div>
    </div>
  );
}
