/**
 * Evaluates a parsed PromQL expression at one instant over recorded series, with Prometheus'
 * semantics for the subset: instant selectors take each series' newest sample within the
 * lookback window, rate/increase extrapolate as Prometheus does, binary operators match
 * vectors on all labels but the metric name, comparisons filter unless `bool` is given.
 */
import { ErrorCode, PitrError } from '../../errors.ts';
import type { Labels } from '../cluster-metrics.ts';
import type { StoredSeries } from '../history.ts';
import { COMPARISONS } from './parse.ts';
import type { Expr, Matcher } from './parse.ts';

/** One element of an instant vector. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** A value: a scalar or an instant vector (ranges only appear as function arguments). */
export type Value = { kind: 'scalar'; value: number } | { kind: 'vector'; samples: Sample[] };

/** Where selectors read from: every series of a metric name (points in time order). */
export type SeriesSource = (name: string) => StoredSeries[];

/** How an evaluation runs. */
export interface EvalContext {
  /** Evaluation time (Unix ms; `time()` returns it in seconds). */
  at: number;
  /** How far back an instant selector looks for a series' newest sample (Prometheus: 5 min). */
  lookbackMs: number;
  source: SeriesSource;
}

const NAME = '__name__';

function matches(labels: Labels, m: Matcher): boolean {
  const v = labels[m.label] ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return m.op === '=~' ? re.test(v) : !re.test(v);
}

/** Index of the last point with time <= t, or -1. */
function lastAtOrBefore(points: Array<[number, number]>, t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

function selected(e: Extract<Expr, { kind: 'selector' }>, ctx: EvalContext): StoredSeries[] {
  return ctx.source(e.name).filter((s) => e.matchers.every((m) => matches({ ...s.labels, [NAME]: e.name }, m)));
}

/** Prometheus' extrapolatedRate (promql/functions.go) for rate() and increase(). */
function extrapolatedRate(points: Array<[number, number]>, rangeStart: number, rangeEnd: number, isRate: boolean): number | null {
  if (points.length < 2) return null;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let result = last[1] - first[1];
  for (let i = 1; i < points.length; i++) if (points[i]![1] < points[i - 1]![1]) result += points[i - 1]![1];
  const sampled = (last[0] - first[0]) / 1000;
  let toStart = (first[0] - rangeStart) / 1000;
  const toEnd = (rangeEnd - last[0]) / 1000;
  const avg = sampled / (points.length - 1);
  if (result > 0 && first[1] >= 0) {
    const toZero = sampled * (first[1] / result);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = avg * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : avg / 2;
  interval += toEnd < threshold ? toEnd : avg / 2;
  result *= interval / sampled;
  return isRate ? result / ((rangeEnd - rangeStart) / 1000) : result;
}

/** Prometheus' bucketQuantile for histogram_quantile(). */
function bucketQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Infinity) return NaN;
  for (let i = 1; i < buckets.length; i++) if (buckets[i]!.count < buckets[i - 1]!.count) buckets[i]!.count = buckets[i - 1]!.count;
  const total = buckets[buckets.length - 1]!.count;
  if (total === 0) return NaN;
  let rank = q * total;
  let b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  if (b < 0) b = 0;
  return start + (buckets[b]!.le - start) * (rank / count);
}

function without(labels: Labels, drop: string[]): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (!drop.includes(k)) out[k] = v;
  return out;
}

function signature(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).filter(([k]) => k !== NAME).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    default: throw new PitrError(ErrorCode.InvalidArgument, `PromQL: operator ${op} needs vectors on both sides`);
  }
}

function vector(v: Value, what: string): Sample[] {
  if (v.kind !== 'vector') throw new PitrError(ErrorCode.InvalidArgument, `PromQL: ${what} needs an instant vector`);
  return v.samples;
}

function scalarArg(v: Value, what: string): number {
  if (v.kind !== 'scalar') throw new PitrError(ErrorCode.InvalidArgument, `PromQL: ${what} needs a scalar`);
  return v.value;
}

function rangeCall(fn: string, arg: Expr | undefined, ctx: EvalContext): Value {
  if (arg?.kind !== 'selector' || arg.rangeMs === null) throw new PitrError(ErrorCode.InvalidArgument, `PromQL: ${fn}() needs a range selector like x[1m]`);
  const start = ctx.at - arg.rangeMs;
  const samples: Sample[] = [];
  for (const s of selected(arg, ctx)) {
    const hi = lastAtOrBefore(s.points, ctx.at);
    let lo = hi;
    while (lo > 0 && s.points[lo - 1]![0] > start) lo--;
    if (hi < 0 || s.points[lo]![0] <= start) continue;
    const v = extrapolatedRate(s.points.slice(lo, hi + 1), start, ctx.at, fn === 'rate');
    if (v !== null) samples.push({ labels: without(s.labels, [NAME]), value: v });
  }
  return { kind: 'vector', samples };
}

function call(e: Extract<Expr, { kind: 'call' }>, ctx: EvalContext): Value {
  switch (e.fn) {
    case 'time':
      return { kind: 'scalar', value: ctx.at / 1000 };
    case 'rate':
    case 'increase':
      return rangeCall(e.fn, e.args[0], ctx);
    case 'abs':
      return { kind: 'vector', samples: vector(evaluate(e.args[0]!, ctx), 'abs()').map((s) => ({ labels: without(s.labels, [NAME]), value: Math.abs(s.value) })) };
    case 'vector':
      return { kind: 'vector', samples: [{ labels: {}, value: scalarArg(evaluate(e.args[0]!, ctx), 'vector()') }] };
    case 'scalar': {
      const v = vector(evaluate(e.args[0]!, ctx), 'scalar()');
      return { kind: 'scalar', value: v.length === 1 ? v[0]!.value : NaN };
    }
    case 'histogram_quantile': {
      const q = scalarArg(evaluate(e.args[0]!, ctx), 'histogram_quantile()');
      const groups = new Map<string, { labels: Labels; buckets: Array<{ le: number; count: number }> }>();
      for (const s of vector(evaluate(e.args[1]!, ctx), 'histogram_quantile()')) {
        const le = s.labels.le;
        if (le === undefined) continue;
        const labels = without(s.labels, [NAME, 'le']);
        const k = signature(labels);
        const g = groups.get(k) ?? { labels, buckets: [] };
        g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: s.value });
        groups.set(k, g);
      }
      return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })) };
    }
    default:
      throw new PitrError(ErrorCode.InvalidArgument, `PromQL: the function ${e.fn}() is not supported`);
  }
}

function aggregate(e: Extract<Expr, { kind: 'aggregate' }>, ctx: EvalContext): Value {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of vector(evaluate(e.expr, ctx), `${e.op}()`)) {
    const labels: Labels = {};
    for (const [k, v] of Object.entries(s.labels)) if (k !== NAME && (e.without ? !e.grouping.includes(k) : e.grouping.includes(k))) labels[k] = v;
    const k = signature(labels);
    const g = groups.get(k) ?? { labels, values: [] };
    g.values.push(s.value);
    groups.set(k, g);
  }
  const fold = (vs: number[]): number => {
    switch (e.op) {
      case 'sum': return vs.reduce((a, b) => a + b, 0);
      case 'min': return vs.reduce((a, b) => (Number.isNaN(a) || b < a ? b : a));
      case 'max': return vs.reduce((a, b) => (Number.isNaN(a) || b > a ? b : a));
      case 'avg': return vs.reduce((a, b) => a + b, 0) / vs.length;
      default: return vs.length; // count
    }
  };
  return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: fold(g.values) })) };
}

function binary(e: Extract<Expr, { kind: 'binary' }>, ctx: EvalContext): Value {
  const l = evaluate(e.lhs, ctx);
  const r = evaluate(e.rhs, ctx);
  const cmp = COMPARISONS.has(e.op);
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
    const ls = vector(l, e.op);
    const rs = vector(r, e.op);
    const right = new Set(rs.map((s) => signature(s.labels)));
    if (e.op === 'and') return { kind: 'vector', samples: ls.filter((s) => right.has(signature(s.labels))) };
    if (e.op === 'unless') return { kind: 'vector', samples: ls.filter((s) => !right.has(signature(s.labels))) };
    const left = new Set(ls.map((s) => signature(s.labels)));
    return { kind: 'vector', samples: [...ls, ...rs.filter((s) => !left.has(signature(s.labels)))] };
  }
  if (l.kind === 'scalar' && r.kind === 'scalar') return { kind: 'scalar', value: arith(e.op, l.value, r.value) };
  // A vector with a scalar: element-wise; a comparison without bool keeps the vector's value.
  if (l.kind === 'scalar' || r.kind === 'scalar') {
    const vec = l.kind === 'vector' ? l.samples : (r as { samples: Sample[] }).samples;
    const out: Sample[] = [];
    for (const s of vec) {
      const a = l.kind === 'scalar' ? l.value : s.value;
      const b = r.kind === 'scalar' ? r.value : s.value;
      const v = arith(e.op, a, b);
      if (cmp && !e.bool) {
        if (v === 1) out.push(s);
      } else out.push({ labels: without(s.labels, [NAME]), value: v });
    }
    return { kind: 'vector', samples: out };
  }
  // Two vectors: one-to-one on every label but the metric name.
  const right = new Map(r.samples.map((s) => [signature(s.labels), s]));
  const out: Sample[] = [];
  for (const s of l.samples) {
    const o = right.get(signature(s.labels));
    if (!o) continue;
    const v = arith(e.op, s.value, o.value);
    if (cmp && !e.bool) {
      if (v === 1) out.push(s);
    } else out.push({ labels: without(s.labels, [NAME]), value: v });
  }
  return { kind: 'vector', samples: out };
}

/** Evaluates an expression at ctx.at. */
export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.kind) {
    case 'number':
      return { kind: 'scalar', value: e.value };
    case 'neg': {
      const v = evaluate(e.expr, ctx);
      return v.kind === 'scalar' ? { kind: 'scalar', value: -v.value } : { kind: 'vector', samples: v.samples.map((s) => ({ labels: without(s.labels, [NAME]), value: -s.value })) };
    }
    case 'selector': {
      if (e.rangeMs !== null) throw new PitrError(ErrorCode.InvalidArgument, `PromQL: the range selector ${e.name}[...] can only be a function argument`);
      const samples: Sample[] = [];
      for (const s of selected(e, ctx)) {
        const i = lastAtOrBefore(s.points, ctx.at);
        if (i >= 0 && s.points[i]![0] > ctx.at - ctx.lookbackMs) samples.push({ labels: { ...s.labels, [NAME]: e.name }, value: s.points[i]![1] });
      }
      return { kind: 'vector', samples };
    }
    case 'call':
      return call(e, ctx);
    case 'aggregate':
      return aggregate(e, ctx);
    case 'binary':
      return binary(e, ctx);
  }
}
