import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  Module,
  NotFoundException,
  Param,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { CachingModule, HttpCache, HttpCacheInterceptor } from '@app/caching';
import { uniqueNamespace } from './engine-harness.js';
import { testRedisConnection } from '../support/test-redis.js';

const calls: Record<string, number> = {};
const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);

/** Test auth: `Authorization: Bearer <user id>` becomes `request.user`. */
@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: { id: string } }>();
    const token = /^Bearer (\w+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token) request.user = { id: token };
    return true;
  }
}

@Controller()
@UseInterceptors(HttpCacheInterceptor)
@HttpCache({ ttlMs: 60_000 })
class ProbeController {
  @Get('items')
  @HttpCache({ ttlMs: 60_000, query: ['page'] })
  items() {
    count('items');
    return { items: [1, 2, 3], served: calls.items };
  }

  @Get('strict')
  @HttpCache({ ttlMs: 60_000, query: ['page'], unknownQuery: 'reject' })
  strict() {
    return { ok: true };
  }

  @Get('slow')
  async slow() {
    count('slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { slow: true };
  }

  @Get('missing/:id')
  missing(@Param('id') id: string) {
    count(`missing-${id}`);
    if (calls[`missing-${id}`] === 1) throw new NotFoundException(`nothing at ${id}`);
    return { id };
  }

  @Get('cookie')
  cookie(@Res({ passthrough: true }) response: { header(name: string, value: string): void }) {
    count('cookie');
    response.header('Set-Cookie', 'session=abc');
    return { cookie: true };
  }

  @Get('me')
  @UseGuards(BearerGuard)
  @HttpCache({ ttlMs: 60_000, private: true })
  me(@Req() request: { user?: { id: string } }) {
    count(`me-${request.user?.id}`);
    return { user: request.user?.id ?? null };
  }
}

async function startApp(adapter: 'fastify' | 'express', namespace: { keyPrefix: string; service: string }): Promise<INestApplication> {
  @Module({
    imports: [CachingModule.forRoot({ ...testRedisConnection(), commandTimeoutMs: 500, isGlobal: true, ...namespace })],
    controllers: [ProbeController],
  })
  class ProbeModule {}
  const app = await NestFactory.create(ProbeModule, adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

for (const adapter of ['fastify', 'express'] as const) {
  describe(`HttpCacheInterceptor on ${adapter}`, () => {
    let app: INestApplication;
    let base: string;
    before(async () => {
      for (const name of Object.keys(calls)) delete calls[name];
      app = await startApp(adapter, uniqueNamespace());
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      // let the Redis connection come up: before it, requests are served with X-Cache: BYPASS
      for (let i = 0; i < 50 && (await fetch(`${base}/strict`)).headers.get('x-cache') === 'BYPASS'; i++) await new Promise((r) => setTimeout(r, 20));
    });
    after(() => app.close());

    it('answers MISS, then HIT from the cache without running the handler again', async () => {
      const first = await fetch(`${base}/items?page=1`);
      const second = await fetch(`${base}/items?page=1`);
      assert.equal(first.headers.get('x-cache'), 'MISS');
      assert.equal(second.headers.get('x-cache'), 'HIT');
      assert.deepEqual(await second.json(), await first.json());
      assert.match(second.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(second.headers.get('cache-control'), 'public, max-age=0');
      assert.equal(calls.items, 1);
    });

    it('ignores undeclared query parameters, so junk cannot grow the key space', async () => {
      await fetch(`${base}/items?page=2`);
      const junk = await fetch(`${base}/items?junk=${Math.random()}&page=2`);
      assert.equal(junk.headers.get('x-cache'), 'HIT');
    });

    it('rejects undeclared query parameters with 400 when the route asks for it', async () => {
      const response = await fetch(`${base}/strict?page=1&junk=1`);
      assert.equal(response.status, 400);
      assert.match(JSON.stringify(await response.json()), /unknown query parameter\(s\): junk/);
    });

    it('answers 304 with no body to a matching If-None-Match', async () => {
      const first = await fetch(`${base}/items?page=3`);
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^W\/".+"$/);
      const revalidated = await fetch(`${base}/items?page=3`, { headers: { 'If-None-Match': etag! } });
      assert.equal(revalidated.status, 304);
      assert.equal(await revalidated.text(), '');
      const changed = await fetch(`${base}/items?page=3`, { headers: { 'If-None-Match': 'W/"other"' } });
      assert.equal(changed.status, 200);
    });

    it('runs the handler once for 100 concurrent cold requests', async () => {
      const responses = await Promise.all(Array.from({ length: 100 }, () => fetch(`${base}/slow`)));
      assert.ok(responses.every((r) => r.status === 200));
      assert.equal(calls.slow, 1);
    });

    it('never caches an error response', async () => {
      const failed = await fetch(`${base}/missing/7`);
      assert.equal(failed.status, 404);
      const next = await fetch(`${base}/missing/7`);
      assert.equal(next.status, 200);
      assert.equal(next.headers.get('x-cache'), 'MISS');
    });

    it('does not store a response that sets a cookie', async () => {
      const first = await fetch(`${base}/cookie`);
      const second = await fetch(`${base}/cookie`);
      // BYPASS: the handler ran and its response was not stored
      assert.deepEqual([first.headers.get('x-cache'), second.headers.get('x-cache')], ['BYPASS', 'BYPASS']);
      assert.equal(calls.cookie, 2);
    });

    it('bypasses the cache for a credentialed request on a public route, marking it private', async () => {
      const response = await fetch(`${base}/items?page=1`, { headers: { Authorization: 'Bearer ada' } });
      assert.equal(response.headers.get('x-cache'), 'BYPASS');
      assert.equal(response.headers.get('cache-control'), 'private, no-store');
    });

    it('keys private responses by user: two users hammering concurrently never see each other', async () => {
      const users = ['ada', 'bob'];
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => users[i % 2]).map(async (user) => {
          const response = await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${user}` } });
          return { user, body: (await response.json()) as { user: string }, cacheControl: response.headers.get('cache-control') };
        }),
      );
      for (const { user, body, cacheControl } of responses) {
        assert.equal(body.user, user);
        assert.equal(cacheControl, 'private, max-age=0');
      }
      assert.equal(calls['me-ada'], 1);
      assert.equal(calls['me-bob'], 1);
    });

    it('does not cache a private route for an anonymous caller', async () => {
      const response = await fetch(`${base}/me`);
      assert.equal(response.headers.get('x-cache'), 'BYPASS');
    });
  });
}
