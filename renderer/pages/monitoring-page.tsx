/** The Monitoring page. */
import { Empty, PageHeader } from '../components/index.ts';

/** The Monitoring page. */
export function MonitoringPage() {
  return (
    <>
      <PageHeader title="Monitoring" lead="" />
      <Empty testId="monitoring-placeholder">Coming next.</Empty>
    </>
  );
}
