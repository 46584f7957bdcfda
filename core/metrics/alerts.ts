/**
 * The in-app alert evaluator: runs the six rules over the recorded history at each sample time
 * (cluster time), as Prometheus' rule manager does at each evaluation: an instance becomes
 * pending when its expression first holds, firing once it has held for the rule's `for`, and
 * inactive as soon as it stops holding.
 */
import type { AlertInfo, AlertInstance, AlertState } from '../contract/metrics.ts';
import { composeTs, formatTsIso } from '../tso/index.ts';
import { ALERT_RULES } from './alert-rules.ts';
import type { AlertRule } from './alert-rules.ts';
import type { Labels } from './cluster-metrics.ts';
import { evaluate } from './promql/eval.ts';
import type { SeriesSource } from './promql/eval.ts';
import { parsePromQL } from './promql/parse.ts';
import type { Expr } from './promql/parse.ts';

interface Active {
  labels: Labels;
  activeAt: number;
  value: number;
}

const PARSED = new Map<string, Expr>(ALERT_RULES.map((r) => [r.name, parsePromQL(r.expr)]));

function sig(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Cluster time as a datetime string (the same shape as TSO datetimes). */
function when(ms: number): string {
  return formatTsIso(composeTs(ms, 0));
}

/** The states of the six rules of one cluster, advanced one evaluation at a time. */
export class AlertTracker {
  private readonly active = new Map<string, Map<string, Active>>(ALERT_RULES.map((r) => [r.name, new Map()]));
  private lastAt: number | null = null;

  /** Evaluates every rule at cluster time `at` over `source` (with `lookbackMs` staleness). */
  step(at: number, source: SeriesSource, lookbackMs: number): void {
    for (const rule of ALERT_RULES) {
      const v = evaluate(PARSED.get(rule.name)!, { at, lookbackMs, source });
      const now = new Map<string, Active>();
      const before = this.active.get(rule.name)!;
      if (v.kind === 'vector') {
        for (const s of v.samples) {
          const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__'));
          const k = sig(labels);
          now.set(k, { labels, activeAt: before.get(k)?.activeAt ?? at, value: s.value });
        }
      }
      this.active.set(rule.name, now);
    }
    this.lastAt = at;
  }

  /** Cluster time of the last evaluation, or null before the first. */
  get evaluatedAt(): number | null {
    return this.lastAt;
  }

  private instance(rule: AlertRule, a: Active): AlertInstance {
    const state: AlertInstance['state'] = (this.lastAt ?? a.activeAt) - a.activeAt >= rule.forSeconds * 1000 ? 'firing' : 'pending';
    return { state, labels: { alertname: rule.name, severity: rule.severity, ...a.labels }, value: a.value, active_since_ms: a.activeAt, active_since: when(a.activeAt) };
  }

  /** Every rule with its state now. */
  states(): AlertInfo[] {
    return ALERT_RULES.map((rule) => {
      const instances = [...this.active.get(rule.name)!.values()].map((a) => this.instance(rule, a));
      const rank = (s: AlertState) => (s === 'firing' ? 2 : s === 'pending' ? 1 : 0);
      const top = [...instances].sort((x, y) => rank(y.state) - rank(x.state) || x.active_since_ms - y.active_since_ms)[0];
      return {
        name: rule.name,
        severity: rule.severity,
        description: rule.description,
        expr: rule.expr,
        for_seconds: rule.forSeconds,
        state: top?.state ?? 'inactive',
        active_since_ms: top?.active_since_ms ?? null,
        active_since: top?.active_since ?? null,
        value: top?.value ?? null,
        labels: top?.labels ?? { alertname: rule.name, severity: rule.severity },
        instances,
      };
    });
  }
}
