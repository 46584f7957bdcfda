/** The Backup browser page (placeholder until the browser lands). */
import { Empty, PageHeader } from '../components/index.ts';

/** The Backup browser page. */
export function BrowserPage() {
  return (
    <>
      <PageHeader title="Backup browser" lead="The files of a backup storage, their decoded metadata and checksums." />
      <Empty testId="browser-placeholder">The browser is being built.</Empty>
    </>
  );
}
