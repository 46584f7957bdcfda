/** Shared UI pieces; pages import them from here. */
export { Button } from './button.tsx';
export { Card, Empty, PageHeader } from './card.tsx';
export { Field, Select, TextInput } from './field.tsx';
export { ErrorBanner, hintFor } from './error-banner.tsx';
export { Progress } from './progress.tsx';
export { Badge, Stat } from './stat.tsx';
