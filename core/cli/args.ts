/**
 * Flag parsing for every command with node's util.parseArgs in strict mode, so an unknown flag
 * or a missing value is an error that names the command and its help.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ErrorCode, PitrError } from '../errors.ts';
import { parseStorageUrl } from '../storage/url.ts';

/** Flags every command takes. */
export const COMMON_FLAGS = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Parses a command's flags; errors name the command. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_FLAGS, ...options }, strict: true, allowPositionals: positionals > 0 });
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new PitrError(ErrorCode.InvalidArgument, `${msg} (in \`pitr ${command}\`); see \`pitr ${command} --help\``);
  }
  if (parsed.positionals.length > positionals) {
    throw new PitrError(ErrorCode.InvalidArgument, `unexpected argument "${parsed.positionals[positionals]}" for \`pitr ${command}\`; see \`pitr ${command} --help\``);
  }
  return parsed;
}

/** Requires a flag. */
export function required(command: string, name: string, v: string | undefined): string {
  if (v === undefined || v === '') throw new PitrError(ErrorCode.InvalidArgument, `\`pitr ${command}\` needs --${name}; see \`pitr ${command} --help\``);
  return v;
}

/** Parses a whole-number flag. */
export function intFlag(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new PitrError(ErrorCode.InvalidArgument, `--${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${v}"`);
  }
  return Number(v);
}

/** Parses a non-negative number flag (decimals allowed). */
export function numberFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new PitrError(ErrorCode.InvalidArgument, `--${name} expects a number, got "${v}"`);
  return Number(v);
}

/** Parses a duration flag: 30s, 5m, 2h, 1500ms or a plain number of seconds. */
export function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v);
  if (!m) throw new PitrError(ErrorCode.InvalidArgument, `--${name} expects a duration such as 30s, 5m or 2h, got "${v}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/**
 * Checks a storage URL here, so a bad one fails before any request, and makes a relative
 * folder absolute: the host runs in another directory than this shell.
 */
export function storageFlag(cmd: string, v: string | undefined, name = 'storage'): string {
  const url = required(cmd, name, v);
  const parsed = parseStorageUrl(url);
  return parsed.scheme === 'local' && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url.trim()) ? parsed.root : url;
}
