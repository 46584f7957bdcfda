/** The Restore page (placeholder until the timeline and restore flow land). */
import { Empty, PageHeader } from '../components/index.ts';

/** The Restore page. */
export function RestorePage() {
  return (
    <>
      <PageHeader title="Restore" lead="br restore point: pick a moment on the timeline and restore it into a new cluster." />
      <Empty testId="restore-placeholder">The timeline is being built.</Empty>
    </>
  );
}
