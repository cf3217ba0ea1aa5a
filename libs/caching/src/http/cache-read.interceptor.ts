import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import type { CacheRead } from '../engine/get-or-set.options.js';
import { CACHE_READ_OPTIONS, X_CACHE_HEADER, X_CACHE_VALUE } from './http-cache.constants.js';

export interface ServeCacheReadOptions {
  /** 404 message for a `null` value; `:name` is replaced by that route parameter. */
  notFound?: string;
}

/**
 * For routes whose handler returns an engine `CacheRead` (`engine.fetch(...)`, a read-through
 * `get`): answers its value with `X-Cache` from its outcome, and a cached "not found" as 404.
 * Applied with {@link ServeCacheRead}.
 */
@Injectable()
export class CacheReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler<CacheRead<unknown>>): Observable<unknown> {
    const options = this.reflector.get<ServeCacheReadOptions | undefined>(CACHE_READ_OPTIONS, context.getHandler()) ?? {};
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((read) => {
        this.adapterHost.httpAdapter.setHeader(http.getResponse(), X_CACHE_HEADER, X_CACHE_VALUE[read.outcome]);
        if (read.value === null) {
          const params = http.getRequest<{ params?: Record<string, string> }>().params ?? {};
          const message = (options.notFound ?? 'not found').replace(/:(\w+)/g, (_, name: string) => params[name] ?? name);
          throw new NotFoundException(message);
        }
        return read.value;
      }),
    );
  }
}
