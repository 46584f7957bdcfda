/** The Cluster page. */
import { Empty, PageHeader } from '../components/index.ts';

/** The Cluster page. */
export function ClusterPage() {
  return (
    <>
      <PageHeader title="Cluster" lead="" />
      <Empty testId="cluster-placeholder">Coming next.</Empty>
    </>
  );
}
