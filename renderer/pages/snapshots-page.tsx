/** The Snapshots page. */
import { Empty, PageHeader } from '../components/index.ts';

/** The Snapshots page. */
export function SnapshotsPage() {
  return (
    <>
      <PageHeader title="Snapshots" lead="" />
      <Empty testId="snapshots-placeholder">Coming next.</Empty>
    </>
  );
}
