import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { CacheReadInterceptor, type ServeCacheReadOptions } from './cache-read.interceptor.js';
import { CACHE_READ_OPTIONS } from './http-cache.constants.js';

/**
 * Marks a route whose handler returns a `CacheRead`: the response gets `X-Cache`, and a
 * `null` value becomes a 404.
 *
 * @example
 * @Get(':id') @ServeCacheRead({ notFound: 'user :id not found' })
 * findOne(@Param('id', ParseIdPipe) id: number) { return this.users.profile(id); }
 */
export const ServeCacheRead = (options: ServeCacheReadOptions = {}) =>
  applyDecorators(SetMetadata(CACHE_READ_OPTIONS, options), UseInterceptors(CacheReadInterceptor));
