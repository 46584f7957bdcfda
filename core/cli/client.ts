/**
 * The CLI's HTTP client: calls a channel on a PD endpoint (`--pd 127.0.0.1:PORT`) or on the
 * host's own endpoint (found through host.json in the data dir), with the host's token.
 */
import { request } from 'node:http';
import type { ApiEnvelope, Channel, RequestInput, ResponseTypes } from '../contract/schemas.ts';
import { ErrorCode, PitrError } from '../errors.ts';
import { readHostFile, readToken } from '../host/data-dir.ts';

/** Where a command sends its request. */
export interface Endpoint {
  base: string; // http://127.0.0.1:PORT
  token: string;
  label: string; // for messages: "PD 127.0.0.1:PORT" or "the host at ..."
}

/** Parses `--pd` (host:port, or a URL) into an endpoint; loopback only. */
export function pdEndpoint(pd: string, dataDir: string): Endpoint {
  const text = pd.includes('://') ? pd : `http://${pd}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PitrError(ErrorCode.InvalidArgument, `--pd "${pd}" is not an address: use 127.0.0.1:PORT as printed by \`pitr cluster list\``);
  }
  if (!url.port || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol !== 'http:') {
    throw new PitrError(ErrorCode.InvalidArgument, `--pd "${pd}" must be a loopback address with a port, such as 127.0.0.1:2379 (see \`pitr cluster list\`)`);
  }
  return { base: `http://${url.hostname}:${url.port}`, token: readToken(dataDir), label: `PD ${url.hostname}:${url.port}` };
}

/** The host endpoint of a data dir (needs a running host). */
export function hostEndpoint(dataDir: string): Endpoint {
  const h = readHostFile(dataDir);
  if (!h) {
    throw new PitrError(ErrorCode.Unreachable, `no host is running for ${dataDir}: start one with \`pitr server --data-dir ${dataDir}\` (or \`npm start\`), or point --data-dir / PITR_DATA_DIR at the running host's data dir`);
  }
  return { base: h.url, token: readToken(dataDir), label: `the host at ${h.url}` };
}

/** One HTTP POST with no client-side timeout: a backup or a restore may run for hours. */
function post(url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls a channel and returns its result, or throws the server's error. */
export async function call<K extends Channel>(ep: Endpoint, channel: K, input: RequestInput<K>): Promise<ResponseTypes[K]> {
  let res: { status: number; text: string };
  try {
    res = await post(`${ep.base}/api/${channel}`, ep.token, JSON.stringify(input));
  } catch (err) {
    const cause = (err as { code?: string }).code ?? (err as Error).message;
    throw new PitrError(ErrorCode.Unreachable, `cannot reach ${ep.label} (${cause}): is the host running? Start it with \`pitr server\` or \`npm start\`, and check the address with \`pitr cluster list\``);
  }
  let body: ApiEnvelope<ResponseTypes[K]>;
  try {
    body = JSON.parse(res.text) as ApiEnvelope<ResponseTypes[K]>;
  } catch {
    throw new PitrError(ErrorCode.Unreachable, `${ep.label} answered HTTP ${res.status} with something that is not PiTR Studio's API; check the address`);
  }
  if (!body.ok) throw new PitrError(body.error.code, body.error.message, body.error.details);
  return body.result;
}
