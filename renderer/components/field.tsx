/** Labelled form controls with a hint line under them. */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

/** A label, a control and a hint. */
export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** A text input. */
export function TextInput(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input type="text" spellCheck={false} autoComplete="off" {...props} className={`input${props.className ? ` ${props.className}` : ''}`} />;
}

/** A select. */
export function Select(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...props} className={`input${props.className ? ` ${props.className}` : ''}`} />;
}
