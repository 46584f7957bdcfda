/** The Log backup page. */
import { Empty, PageHeader } from '../components/index.ts';

/** The Log backup page. */
export function LogBackupPage() {
  return (
    <>
      <PageHeader title="Log backup" lead="" />
      <Empty testId="logbackup-placeholder">Coming next.</Empty>
    </>
  );
}
