/**
 * A TiKV store: one worker thread owning one SQLite database. The host sends batches of
 * requests (the hot path); each batch runs in one SQLite transaction, each request in a
 * savepoint of it, so one failing request does not undo the others.
 */
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { LogBackupExecutor } from '../../logbackup/executor.ts';
import type { FlushRequest, LogTaskConfig } from '../../logbackup/executor.ts';
import type { FaultOp } from '../../storage/index.ts';
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
const port = parentPort;
if (!port) throw new Error('the store worker must run in a worker thread');
const logBackup = new LogBackupExecutor(storeId, mvcc, guard, dirname(path), (event, data) =>
  port.postMessage({ id: 0, type: 'push', event, data } satisfies Envelope),
);
const handlers: Record<string, (a: never) => unknown> = {
  ...storeHandlers(mvcc, guard),
  lbSetTask: (a: { task: LogTaskConfig | null; regionCheckpoints: Record<string, string>; globalCheckpoint: bigint }) => {
    logBackup.setTask(a.task, a.regionCheckpoints, a.globalCheckpoint);
    return null;
  },
  lbFlush: (a: FlushRequest) => logBackup.flush(a),
  lbStorageFault: (a: { op: FaultOp; times: number }) => {
    logBackup.setStorageFault(a.op, a.times);
    return null;
  },
};
// Requests that do I/O and answer later: they run outside any SQLite transaction.
const ASYNC_METHODS = new Set(['lbFlush', 'snapshotBackup']);

function call(method: string, args: unknown): unknown {
  const h = handlers[method];
  if (!h) throw new PitrError(ErrorCode.InvalidArgument, `unknown store request "${method}"`);
  return (h as (a: unknown) => unknown)(args);
}

// One SQLite transaction for the whole batch: one WAL append instead of one per request.
// Requests that check everything before they write (or only read): a failure leaves nothing
// behind, so they skip the savepoint the others get (a savepoint costs two more statements).
const CHECK_THEN_WRITE = new Set(['kvGet', 'kvBatchGet', 'kvScan', 'kvPrewrite', 'kvCommit', 'kvRollback']);

const runBatch = mvcc.db.transaction((subs: SubRequest[]): SubResult[] =>
  subs.map((s) => {
    try {
      const result = CHECK_THEN_WRITE.has(s.method) ? call(s.method, s.args) : mvcc.txn(() => call(s.method, s.args));
      return { ok: true, result };
    } catch (err) {
      return { ok: false, error: toErrorObject(err) };
    }
  }),
);

async function callAsync(msg: { id: number; method: string; args: unknown }): Promise<void> {
  try {
    const result = await call(msg.method, msg.args);
    port?.postMessage({ id: msg.id, type: 'reply', result } satisfies Envelope);
  } catch (err) {
    port?.postMessage({ id: msg.id, type: 'error', error: toErrorObject(err) } satisfies Envelope);
  }
}

port.on('message', (msg: Envelope) => {
  if (msg.type !== 'request') return;
  if (ASYNC_METHODS.has(msg.method)) {
    void callAsync(msg);
    return;
  }
  try {
    if (msg.method === 'close') {
      mvcc.close();
      port.postMessage({ id: msg.id, type: 'reply', result: null } satisfies Envelope);
      return;
    }
    // Admin requests (region moves, GC chunks) run in one SQLite transaction each: a 30k-row
    // import is ten times faster than row by row in autocommit, so a moving region is
    // unavailable for less time.
    const result = msg.method === 'batch' ? runBatch(msg.args as SubRequest[]) : mvcc.txn(() => call(msg.method, msg.args));
    port.postMessage({ id: msg.id, type: 'reply', result } satisfies Envelope);
  } catch (err) {
    port.postMessage({ id: msg.id, type: 'error', error: toErrorObject(err) } satisfies Envelope);
  }
});
