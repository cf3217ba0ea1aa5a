import { BadRequestException } from '@nestjs/common';
import { encodeKeyPart } from '../keys/key-part.encoder.js';
import type { CacheableRequest, HttpCacheOptions } from './http-cache.options.js';

/** The path and the declared query parameters, sorted: `/products` + `category=a&page=1`. */
export function normalisedTarget(request: CacheableRequest, options: Pick<HttpCacheOptions, 'query' | 'unknownQuery'>) {
  const url = new URL(request.originalUrl ?? request.url, 'http://local');
  const declared = new Set(options.query ?? []);
  if (options.unknownQuery === 'reject') {
    const unknown = [...new Set(url.searchParams.keys())].filter((name) => !declared.has(name));
    if (unknown.length) throw new BadRequestException(`unknown query parameter(s): ${unknown.join(', ')}`);
  }
  const query = [...declared]
    .sort()
    .flatMap((name) => url.searchParams.getAll(name).map((value) => `${encodeKeyPart(name)}=${encodeKeyPart(value)}`))
    .join('&');
  return { path: url.pathname, query };
}

/** True when the request carries credentials: its response may be personal. */
export function hasCredentials(request: CacheableRequest): boolean {
  return Boolean(request.headers.authorization || request.headers.cookie);
}
