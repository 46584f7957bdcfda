/** The error every failed call throws in the renderer: the API's code, message and details. */
export class ApiError extends Error {
  /** The stable code (e.g. `BR:Common:ErrInvalidArgument`). */
  readonly code: string;
  /** Machine-readable facts (e.g. a restore window); never secrets. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
}

/** Codes the client itself raises (the host never sends these). */
export const ClientErrorCode = {
  /** The host cannot be reached (stopped, or the network failed). */
  Offline: 'PiTR:Client:ErrOffline',
  /** The page has no token yet (the sign-in screen asks for one). */
  NoSession: 'PiTR:Client:ErrNoSession',
} as const;

/** Turns anything thrown into an ApiError (a plain Error keeps its message). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error) return new ApiError('PiTR:Client:ErrInternal', err.message);
  return new ApiError('PiTR:Client:ErrInternal', String(err));
}
