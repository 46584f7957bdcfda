/** Formatting shared by the pages: TSOs, times, sizes, durations (in TiDB's conventions). */

// A TSO is (physical milliseconds << 18) | logical, as PD allocates it.
const LOGICAL_BITS = 18n;

/** The physical time of a TSO (decimal string) as a Date. */
export function tsoToDate(tso: string): Date {
  return new Date(Number(BigInt(tso) >> LOGICAL_BITS));
}

/** A TSO of a moment (logical 0). */
export function dateToTso(d: Date): string {
  return (BigInt(d.getTime()) << LOGICAL_BITS).toString();
}

/** `2024-05-01 14:07:03.120` in local time, as br prints dates. */
export function formatDateTime(d: Date | string): string {
  const x = typeof d === 'string' ? new Date(d) : d;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${x.getFullYear()}-${p(x.getMonth() + 1)}-${p(x.getDate())} ${p(x.getHours())}:${p(x.getMinutes())}:${p(x.getSeconds())}.${p(x.getMilliseconds(), 3)}`;
}

/** A TSO shown with its time. */
export function formatTso(tso: string): string {
  return `${formatDateTime(tsoToDate(tso))} (${tso})`;
}

/** Bytes in KiB/MiB/GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A duration in seconds as `1h 02m`, `3m 05s` or `4.2s`. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The time of a TSO alone (`2024-05-01 14:07:03.120`). */
export function formatTsoTime(tso: string): string {
  return formatDateTime(tsoToDate(tso));
}
