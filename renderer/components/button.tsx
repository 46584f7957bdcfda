/** The app's button: primary, secondary or danger; shows a busy state while its action runs. */
import type { ButtonHTMLAttributes } from 'react';

/** Props of Button. */
export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
  busy?: boolean;
}

/** A button; disabled while busy so an action is not sent twice. */
export function Button({ kind = 'secondary', busy = false, disabled, children, className, type = 'button', ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} className={`btn btn-${kind}${busy ? ' is-busy' : ''}${className ? ` ${className}` : ''}`} disabled={disabled || busy} aria-busy={busy}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
