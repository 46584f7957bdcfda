/**
 * Helpers for checking our exports with Prometheus' own tools: run promtool, write a
 * `promtool test rules` file, and evaluate the same series with the app's alert tracker so the
 * two can be compared.
 */
import { spawnSync } from 'node:child_process';
import { ALERT_RULES, summaryTemplate } from '../../../core/metrics/alert-rules.ts';
import { AlertTracker } from '../../../core/metrics/alerts.ts';
import type { Labels } from '../../../core/metrics/cluster-metrics.ts';
import type { StoredSeries } from '../../../core/metrics/history.ts';

/** Runs promtool with args (and stdin); bounded so a stuck promtool cannot hang the suite. */
export function promtool(args: string[], input?: string): { code: number; out: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** A series at a fixed interval from time 0 (a value per step; null = missing). */
export interface GridSeries {
  name: string;
  labels: Labels;
  values: Array<number | null>;
}

function selector(s: GridSeries): string {
  const l = Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  return `${s.name}{${l}}`;
}

/** The firing instances of one alert at one evaluation time (labels without alertname). */
export interface Expectation {
  atMs: number;
  alert: string;
  firing: Labels[];
}

function minutes(ms: number): string {
  return `${ms / 1000}s`;
}

/** A `promtool test rules` file over grid series, checking the given expectations. */
export function rulesTestYaml(ruleFile: string, intervalMs: number, series: GridSeries[], exps: Expectation[]): string {
  const lines = [`rule_files: [${JSON.stringify(ruleFile)}]`, `evaluation_interval: ${minutes(intervalMs)}`, 'tests:', `  - interval: ${minutes(intervalMs)}`, '    input_series:'];
  for (const s of series) {
    lines.push(`      - series: ${JSON.stringify(selector(s))}`);
    lines.push(`        values: ${JSON.stringify(s.values.map((v) => (v === null ? '_' : String(v))).join(' '))}`);
  }
  lines.push('    alert_rule_test:');
  for (const e of exps) {
    const rule = ALERT_RULES.find((r) => r.name === e.alert)!;
    lines.push(`      - eval_time: ${minutes(e.atMs)}`, `        alertname: ${e.alert}`, `        exp_alerts:${e.firing.length === 0 ? ' []' : ''}`);
    for (const l of e.firing) {
      lines.push(`          - exp_labels: ${JSON.stringify({ ...l, severity: rule.severity })}`);
      const summary = summaryTemplate(rule).replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => l[k] ?? '');
      lines.push(`            exp_annotations: ${JSON.stringify({ summary, description: rule.description })}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Evaluates the six rules with the app's tracker at every grid step; returns what fires when. */
export function appFiring(series: GridSeries[], intervalMs: number, steps: number): Map<number, Map<string, Labels[]>> {
  const stored = new Map<string, StoredSeries[]>();
  for (const s of series) {
    const points = s.values.flatMap((v, i): Array<[number, number]> => (v === null ? [] : [[i * intervalMs, v]]));
    stored.set(s.name, [...(stored.get(s.name) ?? []), { name: s.name, labels: s.labels, points }]);
  }
  const tracker = new AlertTracker();
  const out = new Map<number, Map<string, Labels[]>>();
  for (let i = 0; i < steps; i++) {
    const at = i * intervalMs;
    tracker.step(at, (n) => stored.get(n) ?? [], 5 * 60_000);
    const now = new Map<string, Labels[]>();
    for (const a of tracker.states()) {
      now.set(a.name, a.instances.filter((x) => x.state === 'firing').map((x) => Object.fromEntries(Object.entries(x.labels).filter(([k]) => k !== 'alertname' && k !== 'severity'))));
    }
    out.set(at, now);
  }
  return out;
}
