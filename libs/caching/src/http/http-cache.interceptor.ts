import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { CacheEngine } from '../engine/cache-engine.service.js';
import type { CacheRead, FactoryContext } from '../engine/get-or-set.options.js';
import { HTTP_CACHE_OPTIONS, X_CACHE_HEADER, X_CACHE_VALUE } from './http-cache.constants.js';
import type { CachedResponse, CacheableRequest, HttpCacheOptions } from './http-cache.options.js';
import { NotModifiedException } from './not-modified.exception.js';
import { hasCredentials, normalisedTarget } from './request-key.js';

interface HeaderReader {
  getHeader(name: string): unknown;
}

/**
 * Caches the responses of routes marked {@link HttpCache}, through the engine (so concurrent
 * misses run the handler once). Adapter-agnostic (Express and Fastify). Keys by method,
 * path and declared query, and by user on private routes; never stores errors, responses
 * that set cookies, or credentialed requests on public routes. Sets `X-Cache`, `ETag`
 * (answering `If-None-Match` with 304) and `Cache-Control`.
 *
 * Extend it and override {@link trackBy} or {@link userIdOf} to change keying.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  constructor(
    protected readonly engine: CacheEngine,
    protected readonly reflector: Reflector,
    protected readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<HttpCacheOptions | undefined>(HTTP_CACHE_OPTIONS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<CacheableRequest>();
    const response = context.switchToHttp().getResponse<HeaderReader>();
    if (request.method !== 'GET' && request.method !== 'HEAD') return next.handle();

    const key = this.trackBy(context, options);
    if (key === undefined) {
      this.setHeader(response, X_CACHE_HEADER, X_CACHE_VALUE.bypass);
      this.setHeader(response, 'Cache-Control', 'private, no-store');
      return next.handle();
    }
    const read = this.engine.fetch<CachedResponse>(key, (factory) => this.render(next, response, factory), {
      ttlMs: options.ttlMs,
      jitter: options.jitter,
      graceMs: options.graceMs,
      xfetchBeta: options.xfetchBeta,
      lock: options.lock,
      tags: options.tags?.(request),
    });
    return from(read).pipe(map((cached) => this.respond(cached, request, response, options)));
  }

  /** The cache key of a request, or `undefined` to skip the cache for it. */
  protected trackBy(context: ExecutionContext, options: HttpCacheOptions): string | undefined {
    const request = context.switchToHttp().getRequest<CacheableRequest>();
    const { path, query } = normalisedTarget(request, options);
    if (options.private) {
      const userId = this.userIdOf(request);
      return userId === undefined ? undefined : this.engine.keys.key('http-private', userId, path, query);
    }
    return hasCredentials(request) ? undefined : this.engine.keys.key('http', path, query);
  }

  /** Who a private response belongs to; by default `request.user.id` as set by an auth guard. */
  protected userIdOf(request: CacheableRequest): string | number | undefined {
    return request.user?.id;
  }

  private async render(next: CallHandler, response: HeaderReader, factory: FactoryContext<CachedResponse>): Promise<CachedResponse> {
    const result: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
    if (response.getHeader('set-cookie') !== undefined || Buffer.isBuffer(result) || typeof result === 'function') {
      factory.doNotCache();
    }
    const body = JSON.stringify(result ?? null);
    const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
    return { body, etag };
  }

  private respond(read: CacheRead<CachedResponse>, request: CacheableRequest, response: HeaderReader, options: HttpCacheOptions): string {
    const cached = read.value!;
    this.setHeader(response, X_CACHE_HEADER, X_CACHE_VALUE[read.outcome]);
    this.setHeader(response, 'ETag', cached.etag);
    this.setHeader(response, 'Cache-Control', `${options.private ? 'private' : 'public'}, max-age=${options.maxAgeSec ?? 0}`);
    if (options.private) this.setHeader(response, 'Vary', 'Authorization, Cookie');
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(/\s*,\s*/).includes(cached.etag)) {
      throw new NotModifiedException();
    }
    this.setHeader(response, 'Content-Type', 'application/json; charset=utf-8');
    return cached.body;
  }

  private setHeader(response: unknown, name: string, value: string): void {
    this.adapterHost.httpAdapter.setHeader(response, name, value);
  }
}
