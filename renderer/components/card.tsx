/** A titled panel of a page. */
import type { ReactNode } from 'react';

/** Props of Card. */
export interface CardProps {
  title: ReactNode;
  /** Buttons or status shown at the right of the title. */
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  className?: string;
}

/** A card with a header and a body. */
export function Card({ title, actions, children, testId, className }: CardProps) {
  return (
    <section className={`card${className ? ` ${className}` : ''}`} data-testid={testId}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      <div className="card-body">{children}</div>
    </section>
  );
}

/** The heading of a page with a one-line explanation in TiDB's words. */
export function PageHeader({ title, lead, actions }: { title: string; lead: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-head">
      <div>
        <h1>{title}</h1>
        <p className="lead">{lead}</p>
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** What a panel shows when there is nothing yet, and how to get something. */
export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="empty" data-testid={testId}>
      {children}
    </p>
  );
}
