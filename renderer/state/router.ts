/** The current page, from the address's hash (`#/cluster`); hash routing works from file:// too. */
import { create } from 'zustand';

/** Parses a hash into a page id (empty when none). */
export function pageFromHash(hash: string): string {
  const m = /^#\/([a-z-]+)/.exec(hash);
  return m ? m[1]! : '';
}

/** The router's store. */
export const useRouter = create<{ page: string }>(() => ({ page: pageFromHash(location.hash) }));

/** Goes to a page. */
export function navigate(page: string): void {
  location.hash = `#/${page}`;
}

window.addEventListener('hashchange', () => useRouter.setState({ page: pageFromHash(location.hash) }));
