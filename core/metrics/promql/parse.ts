/**
 * A parser for the subset of PromQL that the six alert rules and the Backup Log panels use:
 * number literals, selectors with label matchers and range durations, the aggregations
 * sum/min/max/avg/count with `by`/`without`, the functions time, rate, increase and
 * histogram_quantile, arithmetic, comparisons (with `bool`) and `and`/`or`/`unless`, with
 * Prometheus' operator precedence. Anything else is refused with the position it stopped at.
 */
import { ErrorCode, PitrError } from '../../errors.ts';

/** A label matcher of a selector. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A parsed expression. */
export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'selector'; name: string; matchers: Matcher[]; rangeMs: number | null }
  | { kind: 'call'; fn: string; args: Expr[] }
  | { kind: 'aggregate'; op: string; grouping: string[]; without: boolean; param: Expr | null; expr: Expr }
  | { kind: 'binary'; op: string; bool: boolean; lhs: Expr; rhs: Expr }
  | { kind: 'neg'; expr: Expr };

/** The aggregation operators understood. */
export const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count']);
/** The functions understood. */
export const FUNCTIONS = new Set(['time', 'rate', 'increase', 'histogram_quantile', 'abs', 'vector', 'scalar']);

// Binary operators by precedence, lowest first; '^' is right-associative.
const LEVELS: string[][] = [['or'], ['and', 'unless'], ['==', '!=', '<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%'], ['^']];
/** Comparison operators. */
export const COMPARISONS = new Set(['==', '!=', '<=', '>=', '<', '>']);

type Tok = { t: 'num' | 'id' | 'str' | 'op' | 'dur'; v: string; at: number };

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86400_000, w: 7 * 86400_000, y: 365 * 86400_000 };

/** Milliseconds of a PromQL duration like `1m`, `90s`, `1h30m`. */
export function parseDuration(text: string): number {
  let ms = 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end !== text.length || ms === 0) throw new PitrError(ErrorCode.InvalidArgument, `"${text}" is not a PromQL duration (like 1m or 90s)`);
  return ms;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpMatchArray | null;
    if (c === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) throw bad(src, i, 'an unclosed [');
      out.push({ t: 'dur', v: src.slice(i + 1, close).trim(), at: i });
      i = close + 1;
    } else if ((m = /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+)/i.exec(rest))) {
      out.push({ t: 'num', v: m[0], at: i });
      i += m[0].length;
    } else if ((m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest))) {
      out.push({ t: 'id', v: m[0], at: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        v += src[j];
        j++;
      }
      if (j >= src.length) throw bad(src, i, 'an unclosed string');
      out.push({ t: 'str', v, at: i });
      i = j + 1;
    } else if ((m = /^(==|!=|<=|>=|=~|!~|[-+*/%^<>(){},=])/.exec(rest))) {
      out.push({ t: 'op', v: m[0], at: i });
      i += m[0].length;
    } else throw bad(src, i, `an unexpected "${c}"`);
  }
  return out;
}

function bad(src: string, at: number, what: string): PitrError {
  return new PitrError(ErrorCode.InvalidArgument, `PromQL: ${what} at position ${at} of "${src}"`);
}

/** Parses an expression of the subset. */
export function parsePromQL(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === 'op' && peek()?.v === v;
  const isKw = (v: string) => peek()?.t === 'id' && peek()?.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw bad(src, peek()?.at ?? src.length, `"${v}" expected`);
    p++;
  };
  const labelList = (): string[] => {
    expect('(');
    const out: string[] = [];
    while (!isOp(')')) {
      const t = toks[p++];
      if (t?.t !== 'id') throw bad(src, t?.at ?? src.length, 'a label name expected');
      out.push(t.v);
      if (isOp(',')) p++;
    }
    p++;
    return out;
  };
  const binary = (level: number): Expr => {
    if (level >= LEVELS.length) return unary();
    let lhs = binary(level + 1);
    for (;;) {
      const t = peek();
      if (!t || !LEVELS[level]!.includes(t.v) || (t.t !== 'op' && t.t !== 'id')) return lhs;
      p++;
      const bool = isKw('bool') ? (p++, true) : false;
      // '^' binds right to left; every other operator left to right.
      const rhs = t.v === '^' ? binary(level) : binary(level + 1);
      lhs = { kind: 'binary', op: t.v, bool, lhs, rhs };
    }
  };
  const unary = (): Expr => {
    if (isOp('-')) {
      p++;
      return { kind: 'neg', expr: unary() };
    }
    if (isOp('+')) p++;
    return primary();
  };
  const primary = (): Expr => {
    const t = toks[p++];
    if (!t) throw bad(src, src.length, 'an expression expected');
    if (t.t === 'num') return { kind: 'number', value: Number(t.v) };
    if (t.t === 'op' && t.v === '(') {
      const e = binary(0);
      expect(')');
      return e;
    }
    if (t.t !== 'id') throw bad(src, t.at, `unexpected "${t.v}"`);
    if (AGGREGATIONS.has(t.v) && (isOp('(') || isKw('by') || isKw('without'))) {
      let grouping: string[] = [];
      let without = false;
      if (isKw('by') || isKw('without')) {
        without = toks[p++]!.v === 'without';
        grouping = labelList();
      }
      expect('(');
      const expr = binary(0);
      expect(')');
      if (isKw('by') || isKw('without')) {
        without = toks[p++]!.v === 'without';
        grouping = labelList();
      }
      return { kind: 'aggregate', op: t.v, grouping, without, param: null, expr };
    }
    if (isOp('(')) {
      if (!FUNCTIONS.has(t.v)) throw bad(src, t.at, `the function ${t.v}() is not supported`);
      p++;
      const args: Expr[] = [];
      while (!isOp(')')) {
        args.push(binary(0));
        if (isOp(',')) p++;
        else if (!isOp(')')) throw bad(src, peek()?.at ?? src.length, '"," or ")" expected');
      }
      p++;
      return { kind: 'call', fn: t.v, args };
    }
    const matchers: Matcher[] = [];
    if (isOp('{')) {
      p++;
      while (!isOp('}')) {
        const l = toks[p++];
        const op = toks[p++];
        const v = toks[p++];
        if (l?.t !== 'id' || op?.t !== 'op' || !['=', '!=', '=~', '!~'].includes(op.v) || v?.t !== 'str') throw bad(src, l?.at ?? src.length, 'a label matcher like name="value" expected');
        matchers.push({ label: l.v, op: op.v as Matcher['op'], value: v.v });
        if (isOp(',')) p++;
      }
      p++;
    }
    let rangeMs: number | null = null;
    if (peek()?.t === 'dur') rangeMs = parseDuration(toks[p++]!.v);
    return { kind: 'selector', name: t.v, matchers, rangeMs };
  };
  const e = binary(0);
  if (p < toks.length) throw bad(src, toks[p]!.at, `unexpected "${toks[p]!.v}"`);
  return e;
}

/** The metric names an expression reads. */
export function selectedNames(e: Expr): string[] {
  switch (e.kind) {
    case 'selector':
      return [e.name];
    case 'call':
      return e.args.flatMap(selectedNames);
    case 'aggregate':
      return selectedNames(e.expr);
    case 'binary':
      return [...selectedNames(e.lhs), ...selectedNames(e.rhs)];
    case 'neg':
      return selectedNames(e.expr);
    default:
      return [];
  }
}

/** The longest range an expression reads (for loading enough history). */
export function maxRangeMs(e: Expr): number {
  switch (e.kind) {
    case 'selector':
      return e.rangeMs ?? 0;
    case 'call':
      return Math.max(0, ...e.args.map(maxRangeMs));
    case 'aggregate':
      return maxRangeMs(e.expr);
    case 'binary':
      return Math.max(maxRangeMs(e.lhs), maxRangeMs(e.rhs));
    case 'neg':
      return maxRangeMs(e.expr);
    default:
      return 0;
  }
}
