/**
 * Errors that cross every boundary (worker → host → HTTP → CLI/UI) as plain objects with a
 * stable code. Codes follow TiDB's naming (`BR:Common:ErrInvalidArgument`) so a DBA can search
 * them; messages say what happened and what to do next.
 */

/** An error with a stable code and a message that says what to do next. */
export class PitrError extends Error {
  readonly code: string;
  /** Extra machine-readable facts (e.g. the window of a restore), never secrets. */
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PitrError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** The plain-object form of an error, as it crosses threads and HTTP. */
export interface ErrorObject {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Codes used across the project; one place so that they stay stable. */
export const ErrorCode = {
  InvalidArgument: 'BR:Common:ErrInvalidArgument',
  InvalidTs: 'BR:Common:ErrInvalidTS',
  Unauthorized: 'PiTR:Host:ErrUnauthorized',
  NotFound: 'PiTR:Host:ErrNotFound',
  ClusterNotFound: 'PD:ErrClusterNotFound',
  ClusterExists: 'PD:ErrClusterExists',
  Unreachable: 'PiTR:Host:ErrUnreachable',
  Internal: 'PiTR:Host:ErrInternal',
  // Transaction / MVCC errors, named after TiKV's key errors.
  KeyIsLocked: 'TiKV:KV:ErrKeyIsLocked',
  WriteConflict: 'TiKV:KV:ErrWriteConflict',
  TxnLockNotFound: 'TiKV:KV:ErrTxnLockNotFound',
  TxnAborted: 'TiKV:KV:ErrTxnAborted',
  Committed: 'TiKV:KV:ErrCommitted',
  // Region errors: the client refreshes its route and retries.
  NotLeader: 'TiKV:Region:ErrNotLeader',
  EpochNotMatch: 'TiKV:Region:ErrEpochNotMatch',
  KeyNotInRegion: 'TiKV:Region:ErrKeyNotInRegion',
  StoreUnavailable: 'TiKV:Store:ErrStoreUnavailable',
  GcTooEarly: 'TiKV:GC:ErrGCTooEarly',
} as const;

/** Converts anything thrown into the plain-object form. */
export function toErrorObject(err: unknown): ErrorObject {
  if (err instanceof PitrError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof Error) return { code: ErrorCode.Internal, message: err.message };
  return { code: ErrorCode.Internal, message: String(err) };
}

/** Rebuilds a PitrError from its plain-object form. */
export function fromErrorObject(obj: ErrorObject): PitrError {
  return new PitrError(obj.code, obj.message, obj.details);
}

/** True when the error is a region error that a client retries after refreshing its route. */
export function isRegionError(err: unknown): boolean {
  return (
    err instanceof PitrError &&
    (err.code === ErrorCode.NotLeader ||
      err.code === ErrorCode.EpochNotMatch ||
      err.code === ErrorCode.KeyNotInRegion ||
      err.code === ErrorCode.StoreUnavailable)
  );
}
