import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { QueryFailedError } from 'typeorm';
import { CacheFactoryTimeoutError } from '@app/caching';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
const QUERY_CANCELED = '57014';
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/**
 * Postgres errors a client can act on become 4xx; an unreachable, saturated or silent database
 * becomes 503 (a query past its client-side timeout, a cache fill past its hard timeout).
 */
export function httpStatusOfDatabaseError(error: unknown): { status: number; message: string } | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  const text = (error as Error | undefined)?.message ?? '';
  if (error instanceof QueryFailedError) {
    if (code === UNIQUE_VIOLATION) return { status: HttpStatus.CONFLICT, message: 'already exists' };
    if (code === FOREIGN_KEY_VIOLATION) return { status: HttpStatus.CONFLICT, message: 'refers to a missing record' };
    if (code === CHECK_VIOLATION) return { status: HttpStatus.CONFLICT, message: 'violates a constraint' };
    // A NUL character (valid JSON, valid in a JS string) is the one text Postgres cannot store.
    if (code === CHARACTER_NOT_IN_REPERTOIRE) return { status: HttpStatus.BAD_REQUEST, message: 'text must not contain NUL (\\u0000) characters' };
    if (code === QUERY_CANCELED) return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'database timed out' };
  }
  if (error instanceof CacheFactoryTimeoutError || /Query read timeout/.test(text)) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'database timed out' };
  }
  if (
    /timeout exceeded when trying to connect|Connection terminated|ECONNREFUSED|ECONNRESET|ETIMEDOUT|connect EHOSTUNREACH|the database system is (starting up|shutting down)/i.test(
      text,
    ) ||
    ['57P01', '57P03', '08000', '08003', '08006'].includes(code ?? '')
  ) {
    return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'database unavailable' };
  }
  return undefined;
}

/** Maps database failures to clear HTTP errors; everything else goes to Nest's default handling. */
@Catch()
export class DatabaseExceptionFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Database');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!(exception instanceof HttpException)) {
      const mapped = httpStatusOfDatabaseError(exception);
      if (mapped) {
        if (mapped.status >= 500) this.logger.warn(`${mapped.message}: ${(exception as Error).message}`);
        return super.catch(new HttpException({ statusCode: mapped.status, message: mapped.message }, mapped.status), host);
      }
    }
    return super.catch(exception, host);
  }
}
