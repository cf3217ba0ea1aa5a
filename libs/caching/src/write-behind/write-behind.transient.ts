/** SQLSTATE classes of failures that are not the data's fault: connection, rollback (deadlock, serialization), resources, operator intervention. */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57']);
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_MESSAGE = /connection terminated|connection timeout|timeout exceeded when trying to connect|client has encountered a connection error|query read timeout/i;

/**
 * True for a Postgres (TypeORM / pg) error worth retrying as is: the database is
 * unreachable, restarting, or aborted the transaction for concurrency reasons.
 * A constraint violation or a bug in the flush handler is not transient.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const { code, message } = describe(error);
  if (code && /^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  if (code && TRANSIENT_SOCKET_CODES.has(code)) return true;
  return TRANSIENT_MESSAGE.test(message);
}

function describe(error: unknown): { code?: string; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { driverError, code, message } = error as { driverError?: { code?: unknown }; code?: unknown; message?: unknown };
  const found = driverError?.code ?? code;
  return { code: typeof found === 'string' ? found : undefined, message: typeof message === 'string' ? message : '' };
}
