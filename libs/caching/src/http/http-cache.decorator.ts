import { SetMetadata } from '@nestjs/common';
import { HTTP_CACHE_OPTIONS } from './http-cache.constants.js';
import type { HttpCacheOptions } from './http-cache.options.js';

/**
 * Caches a GET route's response through {@link HttpCacheInterceptor}. On a class, applies
 * to every route; a method's own `@HttpCache` wins.
 *
 * @example
 * @Get() @HttpCache({ ttlMs: 60_000, query: ['page', 'limit'] }) list(@Query() q: PageDto) {}
 * @Get('me') @HttpCache({ ttlMs: 30_000, private: true }) me(@Req() req) {}
 */
export const HttpCache = (options: HttpCacheOptions) => SetMetadata(HTTP_CACHE_OPTIONS, options);
