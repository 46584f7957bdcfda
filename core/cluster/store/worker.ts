/**
 * A TiKV store: one worker thread owning one SQLite database. The host sends batches of
 * requests (the hot path); each batch runs in one SQLite transaction, each request in a
 * savepoint of it, so one failing request does not undo the others.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode, PitrError, toErrorObject } from '../../errors.ts';
import { MvccStore } from './mvcc.ts';
import type { Envelope, SubRequest, SubResult } from './protocol.ts';
import { RegionGuard } from './region-guard.ts';
import { storeHandlers } from './handlers.ts';

interface StoreWorkerData {
  storeId: number;
  path: string;
}

const { storeId, path } = workerData as StoreWorkerData;
const mvcc = new MvccStore(path);
const guard = new RegionGuard(storeId, mvcc);
const handlers = storeHandlers(mvcc, guard);
const port = parentPort;
if (!port) throw new Error('the store worker must run in a worker thread');

function call(method: string, args: unknown): unknown {
  const h = handlers[method];
  if (!h) throw new PitrError(ErrorCode.InvalidArgument, `unknown store request "${method}"`);
  return (h as (a: unknown) => unknown)(args);
}

// One SQLite transaction for the whole batch: one WAL append instead of one per request.
const runBatch = mvcc.db.transaction((subs: SubRequest[]): SubResult[] =>
  subs.map((s) => {
    try {
      return { ok: true, result: mvcc.txn(() => call(s.method, s.args)) };
    } catch (err) {
      return { ok: false, error: toErrorObject(err) };
    }
  }),
);

port.on('message', (msg: Envelope) => {
  if (msg.type !== 'request') return;
  try {
    if (msg.method === 'close') {
      mvcc.close();
      port.postMessage({ id: msg.id, type: 'reply', result: null } satisfies Envelope);
      return;
    }
    const result = msg.method === 'batch' ? runBatch(msg.args as SubRequest[]) : call(msg.method, msg.args);
    port.postMessage({ id: msg.id, type: 'reply', result } satisfies Envelope);
  } catch (err) {
    port.postMessage({ id: msg.id, type: 'error', error: toErrorObject(err) } satisfies Envelope);
  }
});
