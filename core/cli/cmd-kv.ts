/** `pitr txn`, `pitr get`, `pitr scan`, `pitr tso`: the data commands. */
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { formatTs, formatTsIso, logicalOf, parseTs, physicalOf } from '../tso/index.ts';
import { intFlag, parseFlags, required } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo } from './output.ts';

/** Help text of the data commands. */
export const KV_HELP = `pitr txn --pd A [--put K=V ...] [--delete K ...] [--crash-after prewrite|primary]
    one transaction on the user key space (two-phase commit); prints start_ts and commit_ts
pitr get --pd A KEY [--ts T] [--raw]          read a key at T (TSO or datetime; default now)
pitr scan --pd A [--start K] [--end K] [--ts T] [--limit N] [--raw]
    read a range at T; the user key space by default, --raw for every key (escaped)
pitr tso --pd A                               a fresh TSO from PD
pitr tso decode TS                            physical time and logical part of a TSO
pitr tso encode DATETIME                      the TSO of a datetime ('2022-05-15 18:00:00+0800')`;

const pdFlag = { pd: { type: 'string' } } as const;

function tsInfo(ts: bigint) {
  return { tso: ts.toString(), physical: physicalOf(ts), logical: logicalOf(ts), time: formatTsIso(ts) };
}

/** Validates a --ts flag locally, so a malformed one fails before any network call. */
function tsFlag(v: string | undefined): string | undefined {
  if (v !== undefined) parseTs(v, 'ts');
  return v;
}

/** Runs txn/get/scan/tso. */
export async function kvCommand(cmd: string, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(KV_HELP + '\n');
    return 0;
  }
  if (cmd === 'txn') {
    const { values } = parseFlags(cmd, argv, { ...pdFlag, put: { type: 'string', multiple: true }, delete: { type: 'string', multiple: true }, 'crash-after': { type: 'string' } });
    const puts = (values.put ?? []).map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new PitrError(ErrorCode.InvalidArgument, `--put expects KEY=VALUE, got "${p}"`);
      return { key: p.slice(0, i), value: p.slice(i + 1) };
    });
    const deletes = values.delete ?? [];
    if (puts.length + deletes.length === 0) throw new PitrError(ErrorCode.InvalidArgument, 'nothing to write: give at least one --put K=V or --delete K');
    const crash = values['crash-after'];
    if (crash !== undefined && crash !== 'prewrite' && crash !== 'primary') {
      throw new PitrError(ErrorCode.InvalidArgument, `--crash-after expects prewrite or primary, got "${crash}"`);
    }
    const ep = pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
    const r = await call(ep, 'txn:commit', { puts, deletes, ...(crash ? { crash_after: crash } : {}) });
    emit(stdIo(!!values.json), r, () =>
      crash ? `client "crashed" after ${crash}: start_ts ${r.start_ts}, locks left behind for others to resolve` : `committed: start_ts ${r.start_ts}, commit_ts ${r.commit_ts}`,
    );
  } else if (cmd === 'get') {
    const { values, positionals } = parseFlags(cmd, argv, { ...pdFlag, ts: { type: 'string' }, raw: { type: 'boolean' } }, 1);
    const key = positionals[0];
    if (key === undefined) throw new PitrError(ErrorCode.InvalidArgument, '`pitr get` needs a KEY: pitr get --pd A KEY');
    const ts = tsFlag(values.ts);
    const ep = pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
    const r = await call(ep, 'kv:get', { key, raw: !!values.raw, ...(ts !== undefined ? { ts } : {}) });
    emit(stdIo(!!values.json), r, () => (r.value === null ? `${r.key}: (not found)` : `${r.key}: ${r.value}`));
  } else if (cmd === 'scan') {
    const { values } = parseFlags(cmd, argv, { ...pdFlag, start: { type: 'string' }, end: { type: 'string' }, ts: { type: 'string' }, limit: { type: 'string' }, raw: { type: 'boolean' } });
    const ts = tsFlag(values.ts);
    const limit = intFlag('limit', values.limit, 1);
    const ep = pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
    const r = await call(ep, 'kv:scan', {
      raw: !!values.raw,
      ...(values.start !== undefined ? { start: values.start } : {}),
      ...(values.end !== undefined ? { end: values.end } : {}),
      ...(ts !== undefined ? { ts } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    const io = stdIo(!!values.json);
    // One {"key","value"} per line with --json, so long scans stream into jq or a file.
    for (const p of r.pairs) io.out(io.json ? JSON.stringify(p) : `${p.key}: ${p.value}`);
    if (!io.json) process.stderr.write(`(${r.pairs.length} keys at ts ${r.ts})\n`);
  } else if (cmd === 'tso') {
    const { values, positionals } = parseFlags(cmd, argv, pdFlag, 2);
    const io = stdIo(!!values.json);
    const [sub, arg] = positionals;
    if (sub === 'decode' || sub === 'encode') {
      if (arg === undefined) throw new PitrError(ErrorCode.InvalidArgument, `\`pitr tso ${sub}\` needs a ${sub === 'decode' ? 'TSO' : 'DATETIME'} argument`);
      if (sub === 'decode' && !/^\d+$/.test(arg.trim())) throw new PitrError(ErrorCode.InvalidTs, `"${arg}" is not a TSO: a TSO is a whole number such as 434604259287760897`);
      const ts = parseTs(arg, sub === 'decode' ? 'TSO' : 'datetime');
      const r = tsInfo(ts);
      emit(io, r, () => `${r.tso}\n  physical: ${r.physical} (${formatTs(ts)})\n  logical:  ${r.logical}`);
    } else if (sub === undefined) {
      const ep = pdEndpoint(required(cmd, 'pd', values.pd), resolveDataDir(values['data-dir']));
      const r = await call(ep, 'tso:get', {});
      emit(io, r, () => `${r.tso} (${r.time})`);
    } else {
      throw new PitrError(ErrorCode.InvalidArgument, `unknown \`pitr tso ${sub}\`: use \`pitr tso --pd A\`, \`pitr tso decode TS\` or \`pitr tso encode DATETIME\``);
    }
  }
  return 0;
}
