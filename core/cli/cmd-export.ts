/**
 * `pitr export alert-rules|grafana-dashboard|grafana-snapshot --out FILE`: the recommended alert
 * rules (a Prometheus rules file), the Backup Log dashboard (Grafana import) and a Grafana
 * snapshot of a cluster's recorded metrics. The first two need no host, as br's storage-only
 * commands; the snapshot reads the cluster's history through its PD endpoint.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXPORT_KINDS } from '../contract/metrics.ts';
import type { ExportFile, ExportKind } from '../contract/metrics.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { exportFile } from '../metrics/exports.ts';
import { parseFlags, required } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import { emit, stdIo } from './output.ts';

/** Help text of the export commands. */
export const EXPORT_HELP = `pitr export alert-rules --out FILE                  the six PiTR alert rules (Prometheus rules file)
pitr export grafana-dashboard --out FILE           the Backup Log dashboard (Grafana: Dashboards > Import)
pitr export grafana-snapshot --pd A [--from T] [--to T] --out FILE
  a Grafana snapshot (POST /api/snapshots) of the recorded metrics; T is a TSO or a datetime,
  the window defaults to the last hour of cluster time. --out - writes to stdout.`;

/** Runs `pitr export KIND`. */
export async function exportCommand(kind: string | undefined, argv: string[]): Promise<number> {
  const { values } = parseFlags(`export ${kind ?? ''}`.trim(), argv, { out: { type: 'string', short: 'o' }, pd: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
  if (values.help || kind === undefined) {
    process.stdout.write(EXPORT_HELP + '\n');
    return kind === undefined && !values.help ? 2 : 0;
  }
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    throw new PitrError(ErrorCode.InvalidArgument, `unknown export "${kind}"; choose one of ${EXPORT_KINDS.join(', ')}`);
  }
  const out = required(`export ${kind}`, 'out', values.out);
  let file: ExportFile;
  if (kind === 'grafana-snapshot') {
    const ep = pdEndpoint(required(`export ${kind}`, 'pd', values.pd), resolveDataDir(values['data-dir']));
    file = await call(ep, 'metrics:export', { kind, ...(values.from !== undefined ? { from: values.from } : {}), ...(values.to !== undefined ? { to: values.to } : {}) });
  } else {
    if (values.pd !== undefined || values.from !== undefined || values.to !== undefined) {
      throw new PitrError(ErrorCode.InvalidArgument, `\`pitr export ${kind}\` takes no --pd/--from/--to: it is the same for every cluster`);
    }
    file = exportFile(kind as Exclude<ExportKind, 'grafana-snapshot'>);
  }
  if (out === '-') {
    process.stdout.write(file.content);
    return 0;
  }
  const path = resolve(out);
  writeFileSync(path, file.content);
  emit(stdIo(values.json ?? false), { kind, path, bytes: Buffer.byteLength(file.content) }, () => `wrote ${kind} to ${path} (${Buffer.byteLength(file.content)} bytes)`);
  return 0;
}
