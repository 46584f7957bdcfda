/**
 * `pitr metrics --pd A`: the cluster's Prometheus metrics as its PD endpoint serves them at
 * GET /metrics (the text a Prometheus scrape gets); `pitr metrics alerts --pd A [--at T]`: the
 * six recommended rules as the app evaluates them over the recorded history.
 */
import { request } from 'node:http';
import type { AlertsResult } from '../contract/metrics.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { resolveDataDir } from '../host/data-dir.ts';
import { parseFlags, required } from './args.ts';
import { call, pdEndpoint } from './client.ts';
import type { Endpoint } from './client.ts';
import { emit, stdIo, table } from './output.ts';

/** Help text of the metrics commands. */
export const METRICS_HELP = `pitr metrics --pd A                  the cluster's metrics in Prometheus text format (GET /metrics)
pitr metrics alerts --pd A [--at T]  the six PiTR alert rules: inactive, pending or firing, since when`;

function get(ep: Endpoint, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${ep.base}${path}`, { headers: { authorization: `Bearer ${ep.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new PitrError(ErrorCode.Unreachable, `cannot reach ${ep.label} (${(err as { code?: string }).code ?? err.message}): is the host running? Check the address with \`pitr cluster list\``)));
    req.end();
  });
}

function describeAlerts(r: AlertsResult): string {
  const rows = r.alerts.map((a) => [a.name, a.severity, a.state, a.active_since ?? '-', a.value === null ? '-' : String(Number(a.value.toFixed(3))), Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(',') || '-']);
  return table(['ALERT', 'SEVERITY', 'STATE', 'ACTIVE SINCE', 'VALUE', 'LABELS'], rows);
}

/** Runs `pitr metrics [alerts]`. */
export async function metricsCommand(sub: string | undefined, argv: string[]): Promise<number> {
  const { values } = parseFlags(sub ? `metrics ${sub}` : 'metrics', argv, { pd: { type: 'string' }, at: { type: 'string' } });
  if (values.help) {
    process.stdout.write(METRICS_HELP + '\n');
    return 0;
  }
  const ep = pdEndpoint(required('metrics', 'pd', values.pd), resolveDataDir(values['data-dir']));
  if (sub === 'alerts') {
    const r = await call(ep, 'metrics:alerts', values.at !== undefined ? { at: values.at } : {});
    emit(stdIo(values.json ?? false), r, () => describeAlerts(r));
    return 0;
  }
  if (sub !== undefined) throw new PitrError(ErrorCode.InvalidArgument, `unknown command "pitr metrics ${sub}"; see \`pitr metrics --help\``);
  const res = await get(ep, '/metrics');
  if (res.status !== 200) throw new PitrError(ErrorCode.Unreachable, `${ep.label} answered HTTP ${res.status} to GET /metrics: ${res.text.slice(0, 200)}`);
  process.stdout.write(res.text.endsWith('\n') ? res.text : `${res.text}\n`);
  return 0;
}
